"""`make serve`'s pieces: gunicorn started as production starts it, on a free port."""

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import brotli
import pytest
from django.urls import reverse

from kesra_coord.compression import accepts
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
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
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
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
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


def test_served_html_is_compressed(served):
    base, _log = served
    status, headers, body = _get(base + "/accounts/login/", **{"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert b'name="password"' in brotli.decompress(body)


# --- Compression ---------------------------------------------------------------------


@pytest.fixture
def page_url(project, researcher, client):
    client.force_login(researcher)
    return reverse("interviews:project_detail", args=[project.slug])


def _unmasked(html: bytes) -> str:
    text = html.decode()
    text = re.sub(r'"X-CSRFToken": "\w+"', "TOKEN", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "TOKEN", text)


def test_pages_are_sent_with_brotli_when_offered(client, page_url):
    plain = client.get(page_url)
    assert not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"]
    squeezed = client.get(page_url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert squeezed["Content-Encoding"] == "br"
    assert "Accept-Encoding" in squeezed["Vary"]
    assert len(squeezed.content) < len(plain.content) / 2
    # The same page, but for the CSRF token: masked afresh in every response (BREACH).
    assert _unmasked(brotli.decompress(squeezed.content)) == _unmasked(plain.content)


def test_gzip_for_browsers_without_brotli(client, page_url):
    plain = client.get(page_url)
    response = client.get(page_url, headers={"Accept-Encoding": "gzip;q=1.0, br;q=0"})
    assert response["Content-Encoding"] == "gzip"
    assert _unmasked(gzip.decompress(response.content)) == _unmasked(plain.content)


def test_htmx_fragments_are_compressed_too(client, project, researcher, source):
    client.force_login(researcher)
    url = reverse("coding:source_code", args=[project.slug, source.pk])
    response = client.get(url, headers={"HX-Request": "true", "Accept-Encoding": "br"})
    assert response["Content-Encoding"] == "br"
    assert "Pewawancara" in brotli.decompress(response.content).decode()


def test_zip_based_downloads_are_not_compressed_again(client, project, researcher):
    client.force_login(researcher)
    url = reverse("coding:codebook_export", args=[project.slug])
    response = client.get(url, {"format": "xlsx"}, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert response.content[:2] == b"PK"


def test_accept_encoding_is_read_with_its_q_values():
    assert accepts("gzip, deflate, br", "br")
    assert accepts("br;q=0.5", "br")
    assert not accepts("br;q=0, gzip", "br")
    assert not accepts("gzip, brotli", "br")


# --- Static files in development -------------------------------------------------------


def test_development_static_urls_change_with_the_files_content(settings, tmp_path):
    from kesra_coord.static import VersionedStaticFilesStorage

    (tmp_path / "site.css").write_text("body { color: black }")
    settings.STATICFILES_DIRS = [tmp_path]
    storage = VersionedStaticFilesStorage()
    first = storage.url("site.css")
    assert first.startswith("/static/site.css?v=")
    assert storage.url("site.css") == first
    (tmp_path / "site.css").write_text("body { color: navy }")
    second = storage.url("site.css")
    assert second.startswith("/static/site.css?v=") and second != first
    assert storage.url("missing.css") == "/static/missing.css"


def test_the_streamed_codings_csv_is_compressed_as_it_goes(client, project, researcher, source):
    from coding.services import apply_code, create_code

    code = create_code(project=project, name="Komunikasi")
    apply_code(
        source=source, start=0, end=11, passage=source.text[:11], code=code, coder=researcher
    )
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[project.slug])
    plain = b"".join(client.get(url).streaming_content)
    for coding, decompress in [("br", brotli.decompress), ("gzip", gzip.decompress)]:
        response = client.get(url, headers={"Accept-Encoding": coding})
        assert response.streaming
        assert response["Content-Encoding"] == coding
        assert not response.has_header("Content-Length")
        assert decompress(b"".join(response.streaming_content)) == plain
    assert plain.decode("utf-8-sig").splitlines()[1].startswith("Komunikasi,Pewawancara")
