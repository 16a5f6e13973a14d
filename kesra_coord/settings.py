"""Settings for Kesra Coord, read from the environment.

Every setting that differs between a laptop and a server comes from an
environment variable; README.md lists them. Helpers fail loudly on a value they
cannot read, so a typo never silently falls back to a default.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .media import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_site_url(name: str, default: str) -> str:
    """An origin (`https://host[:port]`), without a trailing slash."""
    raw = os.environ.get(name, default).strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
        raise ImproperlyConfigured(f"{name} must look like https://kesra.example.org, not {raw!r}.")
    return raw


def database_from_url(url: str) -> dict:
    """DATABASES['default'] from `sqlite:///path` or `postgres://user:pass@host:port/name?opt=v`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = unquote(parts.path[1:] if parts.path.startswith("//") else parts.path.lstrip("/"))
        if parts.path.startswith("//"):
            name = "/" + name.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or BASE_DIR / "db.sqlite3",
            # WAL: readers never wait for the writer, and a commit appends to the log
            # without waiting for the disk (synchronous=NORMAL); it was 20-40 ms of every
            # write on a busy disk. A power cut may lose the last commits, never the file.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            # A worker keeps its connection: opening one ran the PRAGMAs and registered
            # Django's SQL functions, and closing the last one checkpointed the WAL.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # JIT compilation costs more than it saves on the short analysis queries.
            "OPTIONS": {"options": "-c jit=off", **dict(parse_qsl(parts.query))},
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported.")


DEBUG = env_bool("DEBUG", False)

# Without SECRET_KEY, management commands run with a published development key;
# the WSGI/ASGI entry points refuse to serve with it unless DEBUG is on
# (kesra_coord/serving.py), and `check --deploy` flags it.
INSECURE_DEVELOPMENT_KEY = "django-insecure-local-development-only-never-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or INSECURE_DEVELOPMENT_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "interviews",
    "coding",
    "coding.suggest",
]

MIDDLEWARE = [
    # First, so that it compresses the response every other middleware has finished.
    "kesra_coord.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kesra_coord.middleware.browser_policy",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kesra_coord.urls"
WSGI_APPLICATION = "kesra_coord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its username and address are locked out; then the usual check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the signed-in user read in plain SQL (kesra_coord/request_reads.py).
    "kesra_coord.request_reads.UserBackend",
]
# Django's database sessions, each read in plain SQL by its key.
SESSION_ENGINE = "kesra_coord.request_reads"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "interviews:project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("id", _("Indonesian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in words in both languages ("2 Desember 2026"), whatever Django's defaults are.
FORMAT_MODULE_PATH = ["kesra_coord.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jayapura")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded originals, import previews waiting for confirmation and (later) job outputs
# all go through default_storage: the MEDIA_ROOT folder, or an S3-compatible bucket
# that every app server sees when MEDIA_S3_BUCKET is set (kesra_coord/media.py).
STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": (
            "kesra_coord.static.VersionedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Production: hashed names, served as immutable. Development: URLs versioned by content
# (kesra_coord/static.py), so a year's cache is safe there too.
if DEBUG:
    WHITENOISE_MAX_AGE = 365 * 24 * 3600

# Uploads: one file may be at most MAX_UPLOAD_MB; a docx/odt/qdpx may not expand
# beyond MAX_UNCOMPRESSED_MB; one request carries at most MAX_UPLOAD_FILES files.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = env_int("MAX_UNCOMPRESSED_MB", 200) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("MAX_UPLOAD_FILES", 50)
# Every zip (docx, odt, QDPX) is checked by interviews.importers.zipsafe against these.
MAX_ZIP_MEMBERS = env_int("MAX_ZIP_MEMBERS", 10_000)  # files inside one zip
MAX_ZIP_RATIO = env_int("MAX_ZIP_RATIO", 100)  # compression ratio of a member above 1 MB
# A whole project imported from another tool (QDPX, Taguette): sources per import.
# (Characters per source: MAX_SOURCE_CHARS below, for uploads and imports alike.)
MAX_IMPORT_SOURCES = env_int("MAX_IMPORT_SOURCES", 2_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Large input: one upload request may carry MAX_UPLOAD_TOTAL_MB in all (by default 100,
# and never less than one file's limit); a source's text, uploaded, pasted or imported
# from another tool, may have MAX_SOURCE_CHARS characters (code points; 2 million,
# some 600 pages, by default).
MAX_UPLOAD_TOTAL_BYTES = (
    env_int("MAX_UPLOAD_TOTAL_MB", max(100, MAX_UPLOAD_BYTES // (1024 * 1024))) * 1024 * 1024
)
MAX_SOURCE_CHARS = env_int("MAX_SOURCE_CHARS", 2_000_000)

# HTTPS hardening is on whenever DEBUG is off, so `check --deploy` stays clean;
# SECURE_SSL=0 turns it off for a server behind plain HTTP (not recommended). The old
# name HTTPS is refused: it is also a CGI variable, which Python's WSGI reference
# server copies from the environment into every request (making each one "secure").
if "HTTPS" in os.environ:
    raise ImproperlyConfigured(
        "The environment variable HTTPS is no longer read (it collides with the CGI "
        "variable of that name): set SECURE_SSL=1 or SECURE_SSL=0 instead, and unset HTTPS."
    )
SECURE_SSL = env_bool("SECURE_SSL", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_SSL)
# Preload is opt-in: once browsers ship the domain in their preload list, plain HTTP
# on it and its subdomains stays impossible for months. `check --deploy` would warn
# (security.W021) about the default, so that one check is silenced unless opted in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Background jobs: Django's tasks framework. The database backend needs no extra server:
# `manage.py db_worker` runs the queued jobs (make run starts one beside the dev
# server). TASKS_BACKEND=immediate runs each job inside the request that starts it.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": ["default"]}}

# Content-Security-Policy (Django's own middleware). Scripts and style sheets only
# from our origin: no inline <script>, hx-on or on* attributes, no inline <style>
# (code colours arrive as <template data-css>, adopted by static/kesra.js), no eval
# (htmx runs with allowEval off). Style *attributes* stay allowed: colours and tree
# depths are data (a code's colour, a row's depth) set per element in dozens of
# templates and in the coded text; `style-src-attr` allows them without allowing
# <style> elements or foreign style sheets (`style-src-elem 'self'`).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-elem": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features the app never uses, switched off for every page
# (kesra_coord/middleware.py, with Cache-Control for signed-in pages).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
)

# Links in e-mails (password reset) are built from SITE_URL, never from the request's
# Host or X-Forwarded-Host, which a client chooses. Without it, no reset mail is sent.
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else SMTP_BACKEND,
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 0) or None,  # 25, or 587 with TLS, 465 with SSL
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        }
        if EMAIL_BACKEND_PATH == SMTP_BACKEND
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kesra Coord <webmaster@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sign-in throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address lock that pair out for LOGIN_LOCKOUT_MINUTES; a site admin lifts it
# earlier in /admin/ (Axes › Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
# Username and address together: a stranger cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kesra_coord.accounts.locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "kesra_coord.middleware.client_ip"

# Suggested codes learned from a project's own codings (coding/suggest). 0 removes the
# feature from every page and answers 404 to its URLs, where policy forbids it.
SUGGESTIONS_ENABLED = env_bool("SUGGESTIONS_ENABLED", True)
# A new model is trained by itself once this many codings were made since the newest one
# (checked when a coder opens suggestions); 0: only when someone asks.
SUGGESTIONS_RETRAIN_AFTER = env_int("SUGGESTIONS_RETRAIN_AFTER", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
