"""Limits on what one upload or one source may be: refused with a message, nothing saved."""

import importlib.util

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django.test import Client
from django.urls import reverse

import kesra_coord.settings
from interviews.models import Source

from .uploading import file_results, post_upload

TRANSCRIPT = b"Pewawancara: Apa kabar?\nIbu Maria: Baik, rapat hanya kalau ada masalah."


def upload(name: str, data: bytes = TRANSCRIPT) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


@pytest.fixture
def csrf_client(researcher):
    """A client that sends CSRF tokens as a browser does (the test client skips the check)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    return client


def _token(client, project) -> str:
    client.get(reverse("interviews:source_upload", args=[project.slug]))
    return client.cookies["csrftoken"].value


def test_51_files_get_the_upload_page_with_a_message(csrf_client, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 50
    files = [upload(f"wawancara-{n}.txt") for n in range(51)]
    data = {
        "kind": "interview",
        "files": files,
        "csrfmiddlewaretoken": _token(csrf_client, project),
    }
    response = csrf_client.post(reverse("interviews:source_upload", args=[project.slug]), data)
    assert response.status_code == 422
    assert "At most 50 files can be sent at once." in response.text
    assert "Nothing was saved." in response.text
    assert 'id="upload-form"' in response.text  # the page itself, ready for a smaller try
    assert not Source.objects.exists()


def test_too_many_files_by_htmx_answer_in_the_results(csrf_client, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    token = _token(csrf_client, project)
    response = csrf_client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "interview", "files": [upload("a.txt"), upload("b.txt"), upload("c.txt")]},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 422  # the page's htmx config swaps 422 answers
    assert response.text.lstrip().startswith('<section id="upload-results"')
    assert "At most 2 files can be sent at once." in response.text
    assert not Source.objects.exists()


def test_an_upload_over_the_total_is_refused_unread(csrf_client, project, settings, monkeypatch):
    settings.MAX_UPLOAD_TOTAL_BYTES = 1000
    token = _token(csrf_client, project)

    def never(*args, **kwargs):
        raise AssertionError("the body of a refused upload was read")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", never)
    files = [upload("a.txt", b"a" * 600), upload("b.txt", b"b" * 600)]
    response = csrf_client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "interview", "files": files, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 422
    assert "at most 1000\xa0bytes can be sent at once" in response.text
    assert "Upload the files in smaller groups." in response.text
    assert not Source.objects.exists()


def test_an_upload_within_the_limits_still_needs_its_csrf_token(csrf_client, project):
    url = reverse("interviews:source_upload", args=[project.slug])
    refused = csrf_client.post(url, {"kind": "interview", "files": [upload("a.txt")]})
    assert refused.status_code == 403
    assert not Source.objects.exists()
    token = _token(csrf_client, project)
    data = {"kind": "interview", "files": [upload("a.txt")], "csrfmiddlewaretoken": token}
    accepted = post_upload(csrf_client, project, data)
    assert accepted.status_code == 302  # to the job's page
    assert Source.objects.get().text == TRANSCRIPT.decode()


def test_a_supervisor_is_refused_before_the_upload_is_read(client, project, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "interview", "files": [upload("a.txt")]},
    )
    assert response.status_code == 403
    assert not Source.objects.exists()


def test_the_upload_page_states_the_limits(client, project, researcher, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 50
    settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    settings.MAX_UPLOAD_TOTAL_BYTES = 100 * 1024 * 1024
    client.force_login(researcher)
    response = client.get(reverse("interviews:source_upload", args=[project.slug]))
    assert "At most 50 files at once, 100.0\xa0MB in all, 20.0\xa0MB each." in response.text


def test_a_file_whose_text_is_too_long_is_refused(client, project, researcher, settings):
    settings.MAX_SOURCE_CHARS = 20
    client.force_login(researcher)
    files = [upload("panjang.txt"), upload("pendek.txt", b"Halo.")]
    post_upload(client, project, {"kind": "interview", "files": files})
    results = file_results()
    assert results["panjang.txt"]["error"] == (
        "The text has 71 characters; a source may have at most 20. "
        "Split it into parts and add each part as a source of its own."
    )
    assert [source.title for source in Source.objects.all()] == ["pendek"]


def test_a_pasted_text_that_is_too_long_is_refused(client, project, researcher, settings):
    settings.MAX_SOURCE_CHARS = 1_000
    client.force_login(researcher)
    url = reverse("interviews:source_paste", args=[project.slug])
    data = {
        "kind": "interview",
        "title": "Panjang",
        "text": "Rapat hanya kalau ada masalah.\n" * 40,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The text has 1,239 characters; a source may have at most 1,000." in response.text
    assert not Source.objects.exists()
    # The limit counts the text as it is kept: trailing spaces and extra blank lines go.
    data["text"] = "Rapat hanya kalau ada masalah.   \n\n\n\n" * 30
    assert client.post(url, data).status_code == 302
    assert len(Source.objects.get().text) == 30 * 32 - 2


def _settings_with(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = kesra_coord.settings.__file__
    spec = importlib.util.spec_from_file_location("kesra_coord.fresh_settings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_limits_come_from_the_environment(monkeypatch):
    for name in ("MAX_UPLOAD_MB", "MAX_UPLOAD_TOTAL_MB", "MAX_SOURCE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    defaults = _settings_with(monkeypatch)
    assert defaults.MAX_UPLOAD_TOTAL_BYTES == 100 * 1024 * 1024
    assert defaults.MAX_SOURCE_CHARS == 2_000_000
    chosen = _settings_with(monkeypatch, MAX_UPLOAD_TOTAL_MB="30", MAX_SOURCE_CHARS="500000")
    assert chosen.MAX_UPLOAD_TOTAL_BYTES == 30 * 1024 * 1024
    assert chosen.MAX_SOURCE_CHARS == 500_000
    monkeypatch.delenv("MAX_UPLOAD_TOTAL_MB")
    big_files = _settings_with(monkeypatch, MAX_UPLOAD_MB="150")
    assert big_files.MAX_UPLOAD_TOTAL_BYTES == 150 * 1024 * 1024


def test_the_refusal_speaks_indonesian(client, project, researcher, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "interview", "files": [upload("a.txt"), upload("b.txt")]},
        headers={"Accept-Language": "id"},
    )
    assert "Paling banyak 1 berkas dapat dikirim sekaligus." in response.text
    assert "Tidak ada yang disimpan." in response.text
