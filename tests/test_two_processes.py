"""Two app servers over one PostgreSQL database and one media folder, as a team runs them.

Two gunicorn processes (A and B, production settings, `make serve`'s config) serve
a committed database of their own (`<DATABASE_URL's name>_two`, created, migrated
and dropped here; not the test transaction, which other processes cannot see) with
the demo study loaded. Over real HTTP, signed in through the login form and with
CSRF tokens as a browser sends them: an import preview made on A is confirmed on B;
a coding made on A reaches B's poller; a report job queued on A is run by
`manage.py db_worker --batch` and downloaded from B. Nothing is kept in a process.
"""

import io
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from docx import Document

from coding.management.w1_http import Client, form_token
from interviews.demo import PASSWORD

from .test_serving import GUNICORN, ROOT, _free_port, _manage, _production_env

DATABASE_URL = os.environ.get("DATABASE_URL", "")
SLUG = "kesra-puncak"

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="two app servers share one database server: PostgreSQL (DATABASE_URL=postgres://…); "
    "an SQLite file belongs to one machine",
)


def _database(url: str, name: str, *, create: bool) -> None:
    """Drop the database `name` on url's server (then create it afresh if asked)."""
    try:
        admin = psycopg.connect(DATABASE_URL, autocommit=True)
    except psycopg.OperationalError:  # DATABASE_URL's own database is not there (yet)
        admin = psycopg.connect(url, dbname="postgres", autocommit=True)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def _start(env: dict, port: int, log) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "python:kesra_coord.gunicorn_conf", "kesra_coord.wsgi"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, f"127.0.0.1:{port}"


def _wait(process, address: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://{address}/accounts/login/", timeout=2)
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on {address} did not start")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(env, A's address, B's address, the shared database's URL)."""
    tmp = tmp_path_factory.mktemp("two")
    parts = urlsplit(DATABASE_URL)
    name = f"{parts.path.lstrip('/') or 'kesra'}_two"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    _database(url, name, create=True)
    env = _production_env(tmp, DATABASE_URL=url, TASKS_BACKEND="database", WEB_CONCURRENCY="1")
    processes = []
    log = (tmp / "gunicorn.log").open("w+")
    try:
        collect = subprocess.Popen(  # beside the migrations: they do not depend on each other
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
        )
        _manage(env, "migrate", "--no-input", "--verbosity", "0")
        assert collect.wait(timeout=120) == 0
        _manage(env, "load_demo", "--verbosity", "0")
        started = [_start(env, _free_port(), log) for _server in "AB"]
        processes = [process for process, _address in started]
        for process, address in started:
            _wait(process, address)
        yield env, started[0][1], started[1][1], url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        log.close()
        _database(url, name, create=False)


def _client(address: str, username: str | None = None, *, like: Client | None = None) -> Client:
    """A browser on one server: signed in through its form, or sharing `like`'s cookies."""
    host, port = address.split(":")
    client = Client(host, int(port))
    if like is not None:
        client.cookies = dict(like.cookies)
    elif username is not None:
        client.sign_in("/accounts/login/", username, PASSWORD)
    return client


def _one(url: str, sql: str, *params):
    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchone()


def _qdc(name: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo"><Codes>'
        f'<Code guid="{uuid.uuid4()}" name="{name}" isCodable="true" color="#336699">'
        "<Description>Dibawa dari server A.</Description></Code>"
        "</Codes></CodeBook>"
    ).encode()


def test_a_preview_made_on_a_is_confirmed_on_b(servers):
    _env, a, b, url = servers
    on_a = _client(a, "admin")
    page = f"/p/{SLUG}/exchange/codebook/import/"
    on_a.get(page)
    preview = on_a.post_files(page, {}, [("file", "dua-proses.qdc", _qdc("Dua proses"))])
    assert preview.status == 200, preview.text()[:500]
    token = re.search(r'name="token" value="([^"]+)"', preview.text()).group(1)
    assert _one(url, "SELECT count(*) FROM coding_code WHERE name = %s", "Dua proses") == (0,)
    # The same browser (its session and CSRF cookie) now talks to B.
    on_b = _client(b, like=on_a)
    confirmed = on_b.post_form(
        page,
        {"token": token, "format": "qdc", "action": "confirm"},
        token=form_token(on_b.get(page)),
    )
    assert confirmed.status == 200
    assert confirmed.url == f"/p/{SLUG}/codebook/"
    assert "Codebook imported: 1 added" in confirmed.text()
    (definition,) = _one(
        url,
        "SELECT c.definition FROM coding_code c JOIN interviews_project p ON p.id = c.project_id"
        " WHERE p.slug = %s AND c.name = %s",
        SLUG,
        "Dua proses",
    )
    assert definition == "Dibawa dari server A."


def _poll_since(page_html: str) -> str:
    return re.search(r'id="poller" hx-get="[^"]*\?since=(\d+)', page_html).group(1)


def test_a_coding_made_on_a_reaches_the_poller_on_b(servers):
    _env, a, b, url = servers
    source_id, text = _one(
        url,
        "SELECT s.id, s.text FROM interviews_source s JOIN interviews_project p"
        " ON p.id = s.project_id WHERE p.slug = %s AND s.kind = 'interview' ORDER BY s.id",
        SLUG,
    )
    (code_id,) = _one(
        url,
        "SELECT c.id FROM coding_code c JOIN interviews_project p ON p.id = c.project_id"
        " WHERE p.slug = %s AND c.name = 'Komunikasi'",
        SLUG,
    )
    page = f"/p/{SLUG}/sources/{source_id}/code/"
    watcher = _client(b, "supervisor")
    since = _poll_since(watcher.get(page).text())
    events = f"/p/{SLUG}/sources/{source_id}/events/"
    assert watcher.get(events, {"since": since, "show": "all"}, htmx=True).status == 204

    coder = _client(a, "researcher")
    coder.get(page)
    start = text.index("Ibu") if "Ibu" in text else 0
    end = start + 40
    applied = coder.post_form(
        f"/p/{SLUG}/sources/{source_id}/codings/",
        {"start": start, "end": end, "passage": text[start:end], "codes": code_id, "show": "all"},
        htmx=True,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert applied.status == 200, applied.text()[:500]

    (coding_id,) = _one(
        url,
        'SELECT id FROM coding_coding WHERE source_id = %s AND start = %s AND "end" = %s',
        source_id,
        start,
        end,
    )
    changes = watcher.get(events, {"since": since, "show": "all"}, htmx=True)
    assert changes.status == 200
    # The passage's run, with the new coding among the codings it carries.
    run = re.search(rf'<span data-o="{start}" class="[^"]*" data-c="([^"]*)"', changes.text())
    assert run is not None, changes.text()[:1000]
    assert str(coding_id) in run.group(1).split()
    assert int(_poll_since(changes.text())) > int(since)


def test_a_report_queued_on_a_is_run_by_the_worker_and_downloaded_from_b(servers):
    env, a, b, _url = servers
    on_a = _client(a, "researcher")
    # The conclusions page holds the "Report (DOCX)" button: a form posted to the report.
    conclusions = on_a.get(f"/p/{SLUG}/conclusions/")
    assert f'action="/p/{SLUG}/report/"' in conclusions.text()
    started = on_a.post_form(f"/p/{SLUG}/report/", {}, token=form_token(conclusions))
    assert started.status == 200
    job = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", started.url).group(1)
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    on_b = _client(b, like=on_a)
    assert f'href="/jobs/{job}/download/"' in on_b.get(f"/jobs/{job}/").text()
    download = on_b.get(f"/jobs/{job}/download/")
    assert download.status == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(download.body)).namelist()
    document = Document(io.BytesIO(download.body))  # python-docx reads it as Word would
    assert any("Kesra" in paragraph.text for paragraph in document.paragraphs)
