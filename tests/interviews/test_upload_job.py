"""Uploaded files are kept in the request and read into sources by a job, one result per file."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from interviews import services, tasks
from interviews.models import Source

from .uploading import HX, file_results, last_upload_job, post_upload

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _files():
    return [
        upload("wawancara_kabag.txt", b"Pewawancara: Apa kabar?\nIbu Maria: Baik."),
        upload("catatan.md", "# Rapat\n\nRapat ditunda ☕".encode()),
        upload("virus.exe", b"MZ\x90\x00"),
    ]


def _staged(project) -> list[str]:
    folder = f"{tasks.STAGING}/{project.pk}"
    if not default_storage.exists(folder):
        return []
    return [
        name
        for name in default_storage.listdir(folder)[0]
        if default_storage.listdir(f"{folder}/{name}")[1]
    ]


def _listing(folder: str) -> set[str]:
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def test_the_job_reads_each_file_and_lists_its_result(client, project, researcher):
    client.force_login(researcher)
    response = post_upload(client, project, {"kind": "interview", "files": _files()}, headers=HX)
    assert response.text.lstrip().startswith('<section id="upload-results"')

    job = last_upload_job()
    assert (job.status, job.done, job.total, job.project) == ("done", 3, 3, project)
    results = file_results(job)
    saved = Source.objects.get(title="wawancara kabag")
    assert saved.text == "Pewawancara: Apa kabar?\nIbu Maria: Baik."
    assert saved.original.read() == b"Pewawancara: Apa kabar?\nIbu Maria: Baik."
    assert results["wawancara_kabag.txt"] | {"warnings": []} == {
        "name": "wawancara_kabag.txt",
        "title": "wawancara kabag",
        "url": saved.get_absolute_url(),
        "words": 6,
        "warnings": [],
    }
    assert Source.objects.get(title="catatan").text == "# Rapat\n\nRapat ditunda ☕"
    assert "Files of type .exe cannot be imported" in results["virus.exe"]["error"]
    assert Source.objects.count() == 2
    assert _staged(project) == []  # the kept originals are gone once read

    page = client.get(job.get_absolute_url())
    assert "2 files imported, 1 refused" in page.text
    assert f'href="{saved.get_absolute_url()}"' in page.text
    assert "cannot be imported" in page.text and "Nothing was saved for this file." in page.text
    assert f'href="{reverse("interviews:source_list", args=[project.slug])}"' in page.text


def test_a_job_that_fails_saves_no_file_at_all(client, project, researcher, monkeypatch):
    real, calls = services.add_source, []

    def second_breaks(**kwargs):
        calls.append(kwargs["original_name"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "add_source", second_breaks)
    originals = f"sources/{project.pk}"
    before = _listing(originals)
    client.force_login(researcher)
    response = post_upload(client, project, {"kind": "interview", "files": _files()})

    job = last_upload_job()
    assert (job.status, job.message) == ("failed", "An unexpected error stopped the work.")
    assert calls == ["wawancara_kabag.txt", "catatan.md"]
    assert not Source.objects.exists()  # the first file's source went with the rest
    assert _listing(originals) == before  # the saved original was deleted again
    assert _staged(project) == []
    page = client.get(response.url)
    assert "An unexpected error stopped the work." in page.text
    assert "Nothing was saved." in page.text


def test_the_job_page_costs_a_fixed_number_of_queries(
    client, project, researcher, django_assert_num_queries
):
    client.force_login(researcher)
    post_upload(client, project, {"kind": "interview", "files": _files()})
    job = last_upload_job()
    # Session, user, the job with its project, the membership.
    with django_assert_num_queries(4):
        page = client.get(job.get_absolute_url(), headers=HX)
    assert page.text.count("msg-success") == 2


def test_without_javascript_the_post_leads_to_the_job_page(client, project, researcher):
    client.force_login(researcher)
    response = post_upload(client, project, {"kind": "interview", "files": _files()[:1]})
    job = last_upload_job()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    page = client.get(response.url)
    assert "<html" in page.text and "1 file imported" in page.text


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_upload_is_read_by_the_worker(client, project, researcher):
    client.force_login(researcher)
    url = reverse("interviews:source_upload", args=[project.slug])
    response = client.post(url, {"kind": "observation", "files": _files()})
    job = last_upload_job()
    assert response.url == job.get_absolute_url()
    waiting = client.get(job.get_absolute_url())
    assert "Queued" in waiting.text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting.text
    assert not Source.objects.exists()
    assert len(_staged(project)) == 3  # kept in storage, for a worker anywhere

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert sorted(Source.objects.values_list("title", "kind")) == [
        ("catatan", "observation"),
        ("wawancara kabag", "observation"),
    ]
    done = client.get(job.get_absolute_url(), headers=HX)
    assert "every 2s" not in done.text
    assert "2 files imported, 1 refused" in done.text
    assert _staged(project) == []
