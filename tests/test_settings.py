import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kesra_coord.settings import database_from_url, env_bool, env_int


def test_postgres_url_is_read_in_full():
    config = database_from_url("postgres://root:p%40ss@127.0.0.1:5432/test?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("root", "p@ss")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", "5432", "test")
    assert config["OPTIONS"] == {"options": "-c jit=off", "sslmode": "require"}


def test_sqlite_urls_relative_and_absolute():
    assert database_from_url("sqlite:///db.sqlite3")["NAME"] == "db.sqlite3"
    assert database_from_url("sqlite:////var/lib/kesra/db.sqlite3")["NAME"] == (
        "/var/lib/kesra/db.sqlite3"
    )


def test_unknown_database_scheme_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x@y/z")


def test_bad_booleans_and_numbers_fail_loudly(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("MAX_UPLOAD_MB", "20MB")
    with pytest.raises(ImproperlyConfigured, match="MAX_UPLOAD_MB"):
        env_int("MAX_UPLOAD_MB", 20)


def _manage(*args, **env):
    import os

    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    dropped = {"DEBUG", "SECRET_KEY", "SECURE_SSL", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "kesra_coord.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=clean, check=False
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 60 + "-a-long-random-production-key-x9f2",
        ALLOWED_HOSTS="kesra.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _serve(module, **env):
    import os

    dropped = {"DEBUG", "SECRET_KEY", "SECURE_SSL", "HTTPS"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "kesra_coord.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=clean,
        check=False,
    )


@pytest.mark.parametrize("module", ["kesra_coord.wsgi", "kesra_coord.asgi"])
def test_production_refuses_to_serve_without_a_secret_key(module):
    result = _serve(module, DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    assert _serve(module, DEBUG="0", SECRET_KEY="k" * 60).returncode == 0


def test_the_deploy_check_flags_the_development_key():
    result = _manage("check", "--deploy", DEBUG="0", ALLOWED_HOSTS="kesra.example.org")
    assert "security.W009" in result.stdout + result.stderr
