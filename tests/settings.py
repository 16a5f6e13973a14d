"""Test settings: the real settings, with what a test run needs set beforehand."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_SSL", "0")
os.environ.setdefault("SITE_URL", "https://kesra.example.org")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="kesra-media-"))

from kesra_coord.settings import *  # noqa: F403

# Jobs run inside the request that starts them; the job tests switch to the
# database backend and run the real worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# Serve static files from the app folders, as runserver does (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
