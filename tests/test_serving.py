"""`make serve`'s pieces: gunicorn started as production starts it, on a free port."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kesra_coord.serving import startup_notices

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def test_sqlite_notice_only_for_sqlite_in_production():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/x.db"}
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "kesra"}
    assert "using SQLite (/x.db)" in startup_notices(debug=False, database=sqlite)[0]
    assert startup_notices(debug=True, database=sqlite) == []
    assert startup_notices(debug=False, database=postgres) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(tmp: Path, **extra) -> dict:
    dropped = {"DEBUG", "SECRET_KEY", "SECURE_SSL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="kesra_coord.settings",
        DEBUG="0",
        SECRET_KEY="s" * 60 + "-served-by-gunicorn-in-a-test",
        SECURE_SSL="0",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        WEB_CONCURRENCY="1",
        HOST="127.0.0.1",
        PORT=str(_free_port()),
    )
    env.update(extra)
    return env


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """gunicorn over a fresh SQLite file, as `make serve` runs it (collectstatic, migrate)."""
    tmp = tmp_path_factory.mktemp("serve")
    # SQLite, but not the project folder's db.sqlite3, which a test must not touch.
    env = _production_env(tmp, DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}")
    _manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    _manage(env, "migrate", "--no-input", "--verbosity", "0")
    log = (tmp / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "python:kesra_coord.gunicorn_conf", "kesra_coord.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def test_serve_starts_gunicorn_and_says_it_uses_sqlite(served):
    base, log = served
    status, _headers, body = _get(base + "/accounts/login/")
    assert status == 200
    assert b'name="password"' in body
    log.seek(0)
    output = log.read()
    assert "using SQLite" in output
    assert "Listening at: " + base in output


def test_served_pages_carry_the_security_policy(served):
    base, _log = served
    _status, headers, _body = _get(base + "/accounts/login/")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "camera=()" in headers["Permissions-Policy"]
