"""Jobs in the browser: queued, then running with a count, then done with the download or link.

The jobs go to the real database backend; the worker is run by the test between
what the page shows before and after, and the page finds out by polling (htmx).
"""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from coding.exchange.qdpx_export import export_qdpx
from coding.models import Coding
from coding.services import apply_code, create_code
from interviews.models import Job, Project, Source

from ..conftest import make_source

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
POLL_MS = 8_000  # the page asks every 2 s


def _worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def _coded_project(project, researcher):
    source = make_source(project, created_by=researcher, title="Wawancara Kabag")
    code = create_code(project=project, name="Komunikasi")
    for start in (0, 20, 40):
        apply_code(
            source=source,
            start=start,
            end=start + 10,
            passage=source.text[start : start + 10],
            code=code,
            coder=researcher,
        )
    return source


def _slow(page):
    """A distant, slow link: 300 ms each way, 50 kB/s."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 300,
            "downloadThroughput": 50_000,
            "uploadThroughput": 50_000,
        },
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_an_upload_shows_queued_then_each_files_result(new_page, project, researcher, tmp_path):
    good = tmp_path / "wawancara_kabag.txt"
    good.write_text("Pewawancara: Apa kabar?\nIbu Maria: Rapat hanya kalau ada masalah.")
    bad = tmp_path / "virus.exe"
    bad.write_bytes(b"MZ\x90\x00")
    page = new_page(researcher)
    page.goto(reverse("interviews:source_upload", args=[project.slug]))
    page.set_input_files("#upload-form input[type=file]", [str(good), str(bad)])
    page.get_by_role("button", name="Upload").click()

    status = page.locator("#upload-results #job-status")
    status.get_by_text("Queued").wait_for()
    assert not Source.objects.exists()

    _worker()

    status.get_by_text("1 file imported, 1 refused").wait_for(timeout=POLL_MS)
    assert "Files of type .exe cannot be imported" in status.text_content()
    source = Source.objects.get()
    status.get_by_role("link", name="wawancara kabag").click()
    page.wait_for_url(f"**{source.get_absolute_url()}")


@override_settings(TASKS=DATABASE_TASKS)
def test_a_codings_export_counts_then_downloads_and_survives_a_reload(
    new_page, project, researcher
):
    _coded_project(project, researcher)
    page = new_page(researcher)
    page.goto(reverse("coding:exchange", args=[project.slug]))
    page.get_by_role("button", name="CSV").click()  # a plain form post, to the job's page
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    page.get_by_text("Queued").wait_for()
    page.reload()  # the job is in the database, not in the page
    page.get_by_text("Queued").wait_for()

    # What a worker half-way through writes; the page shows it at its next poll.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=1, total=3)
    page.get_by_text("1 of 3 codings written").wait_for(timeout=POLL_MS)
    assert page.locator("#job-status progress").get_attribute("value") == "33"
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, done=0, total=0)

    _worker()

    link = page.get_by_role("link", name="Download kesra-codings.csv")
    link.wait_for(timeout=POLL_MS)
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + Coding.objects.count() == 4
    assert {row[0] for row in rows[1:]} == {"Komunikasi"}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_project_import_ends_on_a_link_to_the_new_project(
    new_page, browser, server, project, researcher, outsider, tmp_path
):
    _coded_project(project, researcher)
    qdpx = tmp_path / "kesra.qdpx"
    qdpx.write_bytes(export_qdpx(project)[0])
    page = new_page(outsider)
    page.goto(reverse("coding:project_import"))
    page.set_input_files("input[type=file]", str(qdpx))
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("button", name="Import as a new project").click()
    page.wait_for_url("**/jobs/*/")
    page.get_by_text("Queued").wait_for()
    assert Project.objects.count() == 1

    _worker()

    link = page.get_by_role("link", name="Open the result")
    link.wait_for(timeout=POLL_MS)
    assert "Project imported: 1 sources, 1 codes, 3 codings." in page.text_content("#job-status")
    link.click()
    copy = Project.objects.exclude(pk=project.pk).get()
    page.wait_for_url(f"**{copy.get_absolute_url()}")


@override_settings(TASKS=DATABASE_TASKS)
def test_the_job_page_on_a_phone_over_a_slow_link(browser, server, project, admin, tmp_path):
    from django.test import Client

    _coded_project(project, admin)
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("coding:project_export", args=[project.slug]))
    context = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="en-GB"
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
    )
    page = context.new_page()
    _slow(page)
    try:
        page.goto(response.url)
        page.get_by_text("Queued").wait_for()
        _worker()
        link = page.get_by_role("link", name="Download kesra.qdpx")
        link.wait_for(timeout=POLL_MS + 4_000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, "the job page fits the phone's width"
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(tmp_path / "job-phone.png"), full_page=True)
    finally:
        context.close()


@override_settings(TASKS=DATABASE_TASKS)
def test_without_javascript_the_upload_ends_on_the_job_page_that_reloads_itself(
    browser, server, project, researcher, tmp_path
):
    from django.test import Client

    good = tmp_path / "catatan_rapat.txt"
    good.write_text("Rapat koordinasi ditunda dua kali.")
    client = Client()
    client.force_login(researcher)
    context = browser.new_context(base_url=server.url, java_script_enabled=False, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
    )
    page = context.new_page()
    try:
        page.goto(reverse("interviews:source_upload", args=[project.slug]))
        page.set_input_files("#upload-form input[type=file]", str(good))
        page.get_by_role("button", name="Upload").click()  # the form's own post
        page.wait_for_url("**/jobs/*/")
        page.get_by_text("Queued").wait_for()
        _worker()
        # <noscript><meta refresh> reloads the page every 3 s until the job is over.
        page.get_by_text("1 file imported").wait_for(timeout=POLL_MS)
        assert Source.objects.get().title == "catatan rapat"
    finally:
        context.close()
