"""The exchange's long work as jobs: a project imported, the project and its codings exported.

Each job runs here through the immediate backend (when the request's transaction
commits), once through the real database backend and its worker, and once failing:
the job says why, and nothing is saved.
"""

import csv
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from coding.exchange import create, tasks
from coding.exchange.qdpx_export import export_qdpx
from coding.exchange.qdpx_import import read_qdpx
from coding.exchange.safety import ExchangeError
from coding.models import Code, Coding
from interviews.importers import ImportFailed
from interviews.models import Job, Project, Source

from .conftest import upload

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HX = {"HX-Request": "true"}


def _committed(client, url, data):
    """POST, then run what waits for the commit (the immediate backend runs the job)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def _preview_and_confirm(client, data: bytes, name="kesra.qdpx", fmt="qdpx"):
    url = reverse("coding:project_import")
    token = client.post(url, {"file": upload(name, data)}).context["token"]
    return _committed(client, url, {"token": token, "format": fmt, "action": "confirm"})


def _download(client, job) -> bytes:
    response = client.get(reverse("interviews:job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _pending_files(user) -> list[str]:
    folder = f"exchange-pending/{user.pk}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def _stored(folder: str) -> set[str]:
    """Every file under `folder` in default_storage."""
    if not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    found = {f"{folder}/{name}" for name in files}
    for name in folders:
        found |= _stored(f"{folder}/{name}")
    return found


# Project import


def test_a_confirmed_import_makes_the_project_in_a_job(client, rich_project, outsider):
    data, _warnings = export_qdpx(rich_project)
    client.force_login(outsider)
    response = _preview_and_confirm(client, data)

    job = Job.objects.get(kind=Job.Kind.PROJECT_IMPORT)
    assert response.url == job.get_absolute_url()
    copy = Project.objects.exclude(pk=rich_project.pk).get()
    assert (job.status, job.created_by, job.project) == (Job.Status.DONE, outsider, copy)
    assert (job.done, job.total) == (3 + 4, 3 + 4)  # sources, then codings
    assert Source.objects.filter(project=copy).count() == 3
    assert Coding.objects.filter(source__project=copy).count() == 4
    assert set(Code.objects.filter(project=copy).values_list("name", flat=True)) == {
        "Hambatan",
        "Komunikasi",
        "Geografi 🏔",
    }
    assert copy.memberships.get(placeholder_guid=None).user == outsider
    assert _pending_files(outsider) == []  # the preview's file and the job's copy are gone

    page = client.get(job.get_absolute_url())
    assert f'href="{copy.get_absolute_url()}"' in page.text
    assert "Project imported: 3 sources, 3 codes, 4 codings." in page.text
    assert "Placeholder coders hold the work of" in page.text


def test_a_taguette_project_imports_in_a_job(client, outsider):
    from .test_taguette import PROJECT

    client.force_login(outsider)
    _preview_and_confirm(client, PROJECT.read_bytes(), name="proyek.sqlite3", fmt="taguette")
    job = Job.objects.get(kind=Job.Kind.PROJECT_IMPORT)
    project = Project.objects.get()
    assert (job.status, job.result_url) == (Job.Status.DONE, project.get_absolute_url())
    assert Coding.objects.filter(source__project=project).count() == 9


def test_an_import_that_fails_half_way_saves_nothing_and_says_why(
    client, rich_project, outsider, monkeypatch
):
    def broken(*args, **kwargs):
        raise ImportFailed("Memo ke-3 tidak bisa dibaca.")

    monkeypatch.setattr(create, "_memos", broken)  # after the sources and codings
    data, _warnings = export_qdpx(rich_project)
    sources, codings = Source.objects.count(), Coding.objects.count()
    originals = _stored("sources")
    client.force_login(outsider)
    response = _preview_and_confirm(client, data)

    job = Job.objects.get(kind=Job.Kind.PROJECT_IMPORT)
    assert (job.status, job.message) == (Job.Status.FAILED, "Memo ke-3 tidak bisa dibaca.")
    assert Project.objects.count() == 1
    assert (Source.objects.count(), Coding.objects.count()) == (sources, codings)
    assert _stored("sources") == originals  # the DOCX original it had stored is gone
    page = client.get(response.url)
    assert "Memo ke-3 tidak bisa dibaca." in page.text
    assert "Nothing was saved." in page.text
    assert _pending_files(outsider) == []


def test_an_import_whose_file_is_gone_fails_plainly(client, rich_project, outsider):
    client.force_login(outsider)
    job = Job.objects.create(
        kind=Job.Kind.PROJECT_IMPORT, created_by=outsider, params={"token": "x" * 32}
    )
    tasks.import_project.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "The uploaded file is no longer here. Upload it again."


# Exports


def test_the_project_exports_as_qdpx_in_a_job(client, rich_project, admin):
    client.force_login(admin)
    url = reverse("coding:project_export", args=[rich_project.slug])
    response = _committed(client, url, {})
    job = Job.objects.get(kind=Job.Kind.PROJECT_EXPORT)
    assert response.url == job.get_absolute_url()
    assert (job.status, job.project, job.result_name) == ("done", rich_project, "kesra.qdpx")
    plan = read_qdpx(_download(client, job))
    assert len(plan.sources) == 3
    assert len(plan.codings) == 4
    assert "Download kesra.qdpx" in client.get(job.get_absolute_url()).text


def test_a_failed_export_leaves_no_file_and_says_why(client, rich_project, admin, monkeypatch):
    def broken(project):
        raise ExchangeError("Kode “X” tidak punya GUID.")

    monkeypatch.setattr(tasks, "export_qdpx", broken)
    client.force_login(admin)
    _committed(client, reverse("coding:project_export", args=[rich_project.slug]), {})
    job = Job.objects.get(kind=Job.Kind.PROJECT_EXPORT)
    assert (job.status, job.message, job.result.name) == (
        "failed",
        "Kode “X” tidak punya GUID.",
        "",
    )
    assert client.get(reverse("interviews:job_download", args=[job.pk])).status_code == 404


def test_the_codings_export_as_csv_in_a_job(client, rich_project, researcher):
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    _committed(client, url, {"format": "csv"})
    job = Job.objects.get(kind=Job.Kind.CODINGS_EXPORT)
    assert (job.status, job.done, job.total) == ("done", 4, 4)
    rows = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Code", "Passage"]
    assert len(rows) == 1 + 4
    assert {row[1] for row in rows[1:]} == set(Coding.objects.values_list("passage", flat=True))


def test_the_codings_export_as_xlsx_under_blind_coding_holds_ones_own(
    client, rich_project, researcher
):
    from openpyxl import load_workbook

    rich_project.blind_coding = True
    rich_project.save()
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    _committed(client, url, {"format": "xlsx"})
    job = Job.objects.get(kind=Job.Kind.CODINGS_EXPORT)
    assert job.result_name == "kesra-codings.xlsx"
    sheet = load_workbook(io.BytesIO(_download(client, job)), read_only=True).active
    passages = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    own = set(Coding.objects.filter(coder=researcher).values_list("passage", flat=True))
    assert passages == own
    assert job.total == Coding.objects.filter(coder=researcher).count() == 2


def test_the_direct_codings_download_still_streams(client, rich_project, researcher):
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    response = client.get(url, {"format": "csv"})
    assert response.streaming
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 1 + 4
    assert not Job.objects.exists()


def test_the_exchange_page_starts_the_jobs_by_post(client, rich_project, admin):
    client.force_login(admin)
    page = client.get(reverse("coding:exchange", args=[rich_project.slug])).text
    assert f'action="{reverse("coding:project_export", args=[rich_project.slug])}"' in page
    assert 'name="format" value="xlsx"' in page


# The real backend and its worker


def _worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_jobs_run_on_the_worker(client, rich_project, admin, outsider):
    data, _warnings = export_qdpx(rich_project)
    client.force_login(admin)
    export = client.post(reverse("coding:project_export", args=[rich_project.slug]))
    codings = client.post(
        reverse("coding:codings_export", args=[rich_project.slug]), {"format": "csv"}
    )
    waiting = client.get(export.url, headers=HX)
    assert "Queued" in waiting.text and "every 2s" in waiting.text
    client.force_login(outsider)
    url = reverse("coding:project_import")
    token = client.post(url, {"file": upload("kesra.qdpx", data)}).context["token"]
    imported = client.post(url, {"token": token, "format": "qdpx", "action": "confirm"})
    assert Project.objects.count() == 1  # nothing until the worker runs it

    _worker()

    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}
    copy = Project.objects.exclude(pk=rich_project.pk).get()
    assert Coding.objects.filter(source__project=copy).count() == 4
    assert f'href="{copy.get_absolute_url()}"' in client.get(imported.url, headers=HX).text
    client.force_login(admin)
    job = Job.objects.get(kind=Job.Kind.PROJECT_EXPORT)
    assert zipfile.ZipFile(io.BytesIO(_download(client, job))).testzip() is None
    job = Job.objects.get(pk=codings.url.split("/")[-2])
    assert len(_download(client, job).decode("utf-8-sig").splitlines()) == 1 + 4


@pytest.mark.parametrize(
    ("language", "count"),
    [("en", "3 of 7 sources and codings saved"), ("id", "3 dari 7 sumber dan pengodean disimpan")],
)
def test_a_running_import_says_what_it_counts(client, outsider, language, count):
    job = Job.objects.create(
        kind=Job.Kind.PROJECT_IMPORT, created_by=outsider, status="running", done=3, total=7
    )
    client.force_login(outsider)
    page = client.get(job.get_absolute_url(), headers={**HX, "Accept-Language": language})
    assert count in page.text
    assert '<progress max="100" value="43">' in page.text
