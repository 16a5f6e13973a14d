"""What an app server's worker carries from its start: the file-format libraries stay out
until a request needs one, and SQLite commits without waiting for the disk."""

import json
import os
import subprocess
import sys

from django.conf import settings

# Each is several MiB in every worker; a request that reads or writes its format loads it.
LOADED_ON_DEMAND = [
    "bs4", "charset_normalizer", "docx", "numpy", "odf", "openpyxl", "pypdf", "striprtf",
    "webvtt",
]  # fmt: skip


def run_django(code: str, **env) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kesra_coord.settings", "DEBUG": "1"}
    environment.pop("HTTPS", None)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=settings.BASE_DIR,
        env=environment | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_a_worker_loads_every_url_without_the_file_format_libraries():
    loaded = run_django(
        "import json, sys\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
        f"print(json.dumps([m for m in {LOADED_ON_DEMAND!r} if m in sys.modules]))"
    )
    assert json.loads(loaded) == []


def test_reading_an_html_file_loads_its_reader_then():
    loaded = run_django(
        "import json, sys\n"
        "from interviews.importers import extract_text\n"
        "before = 'bs4' in sys.modules\n"
        "text = extract_text('a.html', b'<p>Halo</p>').text\n"
        "print(json.dumps([before, 'bs4' in sys.modules, 'pypdf' in sys.modules, text]))"
    )
    assert json.loads(loaded) == [False, True, False, "Halo"]


def test_sqlite_runs_in_wal_mode_without_waiting_for_the_disk(tmp_path):
    url = f"sqlite:///{tmp_path / 'kesra.sqlite3'}"
    modes = run_django(
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    journal = cursor.fetchone()[0]\n"
        "    cursor.execute('PRAGMA synchronous')\n"
        "    print(journal, cursor.fetchone()[0])",
        DATABASE_URL=url,
    )
    assert modes.split() == ["wal", "1"]  # 1: NORMAL


def test_a_worker_loads_its_views_at_start_and_freezes_them_out_of_the_collector():
    found = run_django(
        "import gc, sys\n"
        "import kesra_coord.wsgi\n"
        "print(gc.get_freeze_count() > 10000, 'coding.views.coding_page' in sys.modules)",
        SECRET_KEY="a-long-and-random-enough-secret-key-for-this-test-only-0123456789",
        DEBUG="0",
        ALLOWED_HOSTS="localhost",
    )
    assert found.split() == ["True", "True"]
