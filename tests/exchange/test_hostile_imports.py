"""Import files built to stall the server: every one finishes within its limits.

- Position mapping is linear: counted in characters handed to Unicode
  normalisation, which grows with the text, not with its square.
- Limits (settings) on characters per source and sources per import, with a message.
- A Taguette document nested 50,000 levels deep is refused, not a crash.
- The preview's parsed result is what the confirmation saves: the file is read once.
- Peak memory of a whole import stays under ten times the file's expanded size.
"""

import io
import shutil
import sqlite3
import time
import tracemalloc
import unicodedata
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse

from coding.exchange import imports, offsets
from coding.exchange.create import create_project_from_plan
from coding.exchange.plan import dump_plan, load_plan
from coding.exchange.qdpx_import import read_qdpx
from coding.exchange.taguette import DocumentText
from coding.models import Coding
from interviews.models import Project, Source

from .conftest import FIXTURES, NS, make_qdpx, upload

CODE = "c0000000-0000-4000-8000-000000000001"


class CountingUnicodedata:
    """unicodedata, counting the characters given to normalize and is_normalized."""

    def __init__(self):
        self.characters = 0

    def normalize(self, form, text):
        self.characters += len(text)
        return unicodedata.normalize(form, text)

    def is_normalized(self, form, text):
        self.characters += len(text)
        return unicodedata.is_normalized(form, text)

    def __getattr__(self, name):
        return getattr(unicodedata, name)


HOSTILE = {
    # The 484-byte QDPX of the report: a letter and a combining mark, then 20,000 "ä".
    "mark-then-precomposed": lambda n: "x\u0308" + "\u00e4" * n,
    # A non-ASCII letter with a mark, over and over: every one composes.
    "decomposed-cyrillic": lambda n: "\u0430\u0308" * n,
    # One letter carrying every mark.
    "one-letter-all-marks": lambda n: "a" + "\u0301\u0323" * n,
    "blank-lines-and-crlf": lambda n: "kata  \r\n\r\n\r\n" * (n // 4),
}


def normalised_characters(monkeypatch, text: str) -> int:
    counting = CountingUnicodedata()
    monkeypatch.setattr(offsets, "unicodedata", counting)
    result, mapping = offsets.normalise_with_map(text)
    assert mapping[len(text)] == len(result)
    return counting.characters


@pytest.mark.parametrize("kind", HOSTILE)
def test_mapping_a_hostile_text_is_linear(monkeypatch, kind):
    make = HOSTILE[kind]
    small = make(100_000)
    large = make(200_000)
    work_small = normalised_characters(monkeypatch, small)
    work_large = normalised_characters(monkeypatch, large)
    assert work_small <= 8 * len(small)
    assert work_large <= 2.2 * work_small  # double the text, double the work (not four times)


def test_a_megabyte_of_combining_text_maps_well_under_a_second():
    text = HOSTILE["mark-then-precomposed"](500_000)
    assert len(text.encode("utf-8")) > 1_000_000
    offsets.normalise_with_map(text[:10])  # the tables are built once per process
    began = time.perf_counter()
    offsets.normalise_with_map(text)
    assert time.perf_counter() - began < 2.5  # generous: it takes a few hundredths


def test_a_letter_with_a_hundred_thousand_marks_composes_without_cpythons_quadratic_sort():
    """CPython orders marks by insertion sort: here it would take minutes, not a moment."""
    text = "a" + "\u0301\u0323" * 50_000
    began = time.perf_counter()
    result, mapping = offsets.normalise_with_map(text)
    assert time.perf_counter() - began < 6  # generous: a few tenths of a second
    # In canonical order (dot below before acute), the first dot composed with the "a".
    assert result == "\u1ea1" + "\u0323" * 49_999 + "\u0301" * 50_000
    assert mapping[len(text)] == len(result)


def test_a_taguette_document_of_combining_text_maps_linearly(monkeypatch):
    counting = CountingUnicodedata()
    monkeypatch.setattr(offsets, "unicodedata", counting)
    text = "\u0430\u0308" * 100_000
    document = DocumentText(f"<p>{text}</p>")
    assert document.text == unicodedata.normalize("NFC", text)
    assert document.position(len(text.encode("utf-8"))) == len(document.text)
    assert counting.characters <= 8 * len(text)


def qdpx_with(texts: list[str]) -> bytes:
    sources = "".join(
        f'<TextSource guid="d0000000-0000-4000-8000-{n:012d}" name="S{n}" '
        f'plainTextPath="internal://{n}.txt">'
        f'<PlainTextSelection guid="e0000000-0000-4000-8000-{n:012d}" startPosition="0" '
        f'endPosition="1"><Coding guid="f0000000-0000-4000-8000-{n:012d}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection></TextSource>'
        for n in range(len(texts))
    )
    qde = (
        f'<Project xmlns="{NS}" name="Hostile"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="K" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{sources}</Sources></Project>"
    )
    return make_qdpx(qde, {f"sources/{n}.txt": text for n, text in enumerate(texts)})


def test_the_reported_file_previews_in_a_moment_and_keeps_its_text(client, outsider):
    data = qdpx_with([HOSTILE["mark-then-precomposed"](20_000)])
    assert len(data) < 1_000
    client.force_login(outsider)
    began = time.perf_counter()
    response = client.post(reverse("coding:project_import"), {"file": upload("x.qdpx", data)})
    assert time.perf_counter() - began < 5  # it took 19 s
    assert response.context["plan"].sources[0].text == HOSTILE["mark-then-precomposed"](20_000)


def preview(client, user, name: str, data: bytes):
    client.force_login(user)
    return client.post(reverse("coding:project_import"), {"file": upload(name, data)})


def test_a_source_over_the_character_limit_is_refused_with_a_message(client, outsider, settings):
    settings.MAX_SOURCE_CHARS = 1_000
    response = preview(client, outsider, "x.qdpx", qdpx_with(["kata " * 100, "k" * 1_001]))
    assert (
        "“S1” has 1,001 characters; a source may have at most 1,000. Nothing was saved."
        in response.text
    )
    assert not response.context.get("token")
    assert not Project.objects.exists()


def test_more_sources_than_the_limit_are_refused_with_a_message(client, outsider, settings):
    settings.MAX_IMPORT_SOURCES = 2
    response = preview(client, outsider, "x.qdpx", qdpx_with(["a", "b", "c"]))
    assert "The file holds 3 sources; at most 2 can be imported at once." in response.text
    assert not Project.objects.exists()


def taguette_with(tmp_path, html: str) -> bytes:
    path = tmp_path / "project.sqlite3"
    shutil.copy(FIXTURES / "taguette" / "project.sqlite3", path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE documents SET contents = ? WHERE id = 1", (html,))
    connection.close()
    return path.read_bytes()


def test_a_taguette_document_nested_fifty_thousand_deep_is_refused(client, outsider, tmp_path):
    data = taguette_with(tmp_path, "<div>" * 50_000 + "teks" + "</div>" * 50_000)
    response = preview(client, outsider, "project.sqlite3", data)
    assert response.status_code == 200
    assert "nests its HTML more than 500 levels deep" in response.text
    assert not response.context.get("token")
    assert not Project.objects.exists()


def test_a_taguette_document_over_the_character_limit_is_refused(
    client, outsider, tmp_path, settings
):
    settings.MAX_SOURCE_CHARS = 500
    data = taguette_with(tmp_path, "<p>" + "kata " * 200 + "</p>")
    response = preview(client, outsider, "project.sqlite3", data)
    assert "a source may have at most 500" in response.text
    assert not Project.objects.exists()


def test_the_preview_is_read_once_and_its_result_is_what_is_saved(
    client, outsider, rich_project, monkeypatch
):
    from coding.exchange.qdpx_export import export_qdpx

    calls = []

    def reading(data):
        calls.append(len(data))
        return read_qdpx(data)

    monkeypatch.setattr(imports, "read_qdpx", reading)
    folder = f"exchange-pending/{outsider.pk}"
    before = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    response = preview(client, outsider, "x.qdpx", export_qdpx(rich_project)[0])
    token = response.context["token"]
    (name,) = set(default_storage.listdir(folder)[1]) - before
    with default_storage.open(f"{folder}/{name}") as kept:
        names = zipfile.ZipFile(io.BytesIO(kept.read())).namelist()
    assert "plan.json" in names  # the parsed plan, not the uploaded file
    assert "project.qde" not in names
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs once committed
        client.post(
            reverse("coding:project_import"),
            {"token": token, "format": "qdpx", "action": "confirm"},
        )
    assert len(calls) == 1
    copy = Project.objects.exclude(pk=rich_project.pk).get()
    assert Coding.objects.filter(source__project=copy).count() == 4


def expanded_size(data: bytes) -> int:
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


def test_peak_memory_of_an_import_stays_under_ten_times_its_expanded_size(researcher):
    words = [
        "koordinasi",
        "kebijakan",
        "teknis",
        "bagian",
        "kesra",
        "sekretariat",
        "daerah",
        "distrik",
    ]
    texts = ["\r\n".join(" ".join(words[(n + i) % 8 : 8]) for i in range(4_000)) for n in range(5)]
    data = qdpx_with(texts)
    tracemalloc.start()
    try:
        plan = read_qdpx(data)
        plan = load_plan(dump_plan(plan).getvalue())
        create_project_from_plan(plan=plan, owner=researcher)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Source.objects.filter(project__name="Hostile").count() == 5
    assert peak < 10 * expanded_size(data), (peak, expanded_size(data))
