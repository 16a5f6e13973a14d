from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("id/LC_MESSAGES/*.po"))


def test_there_is_an_indonesian_catalogue():
    assert [path.name for path in CATALOGUES] == ["django.po"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_indonesian_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {path.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {path.name}: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_placeholders_survive_translation(path):
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}|%[sd]")
    for entry in polib.pofile(str(path)).translated_entries():
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        for source, translation in pairs:
            assert sorted(placeholder.findall(source)) == sorted(
                placeholder.findall(translation)
            ), entry.msgid


def test_pages_speak_indonesian_when_asked(client, project, researcher):
    client.force_login(researcher)
    client.post(reverse("set_language"), {"language": "id"})
    response = client.get(reverse("interviews:project_detail", args=[project.slug]))
    assert '<html lang="id">' in response.text
    assert "Sumber" in response.text  # "Sources"
    assert "Keluar" in response.text  # "Sign out"


def test_browser_language_is_honoured(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "id"})
    assert "Masuk" in response.text


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """Each translatable string in the code and templates has an Indonesian entry.

    Runs Django's makemessages (GNU gettext's xgettext) on a copy of the tree, so the
    real catalogue is never rewritten; without gettext installed the check is skipped.
    """
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    ignored = shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", "*.sqlite3", "*.mo")
    shutil.copytree(base, copy, ignore=ignored)
    ignore = ["--ignore", "tests/*", "--ignore", ".venv/*", "--ignore", "staticfiles/*"]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "id", "--no-location", *ignore],
        cwd=copy,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    catalogue = polib.pofile(str(base / "locale/id/LC_MESSAGES/django.po"))
    have = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    found = polib.pofile(str(copy / "locale/id/LC_MESSAGES/django.po"))
    missing = [entry.msgid for entry in found if (entry.msgctxt, entry.msgid) not in have]
    assert not missing, f"add these to locale/id/LC_MESSAGES/django.po: {missing}"
