"""Jobs: queued in the database, run by the real worker, shown to the one who started them."""

import pytest
from django.core.management import call_command
from django.tasks import task
from django.test import override_settings
from django.urls import reverse

from interviews.jobs import JobFailed, Outcome, run_job, start_job
from interviews.models import Case, Job

from ..conftest import make_user

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HX = {"HX-Request": "true"}


def _count_cases(job, progress):
    cases = list(Case.objects.filter(project=job.project))
    for done, _case in enumerate(cases, 1):
        progress(done, len(cases))
    return Outcome(content=f"{len(cases)} kasus".encode(), filename="jumlah.txt")


def _fail_after_saving(job, progress):
    from django.db import transaction

    with transaction.atomic():
        Case.objects.create(project=job.project, name="Setengah jadi")
        raise JobFailed("Berkas itu rusak di baris 3.")


@task()
def count_cases(job_id: str) -> None:
    run_job(job_id, _count_cases)


@task()
def fail_after_saving(job_id: str) -> None:
    run_job(job_id, _fail_after_saving)


def _worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


# The worker closes its database connection after each task, as a long-running
# process should: these tests commit for real instead of running in a transaction.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_runs_on_the_worker_and_leaves_its_file(
    client, project, researcher, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(task=count_cases, kind=Job.Kind.REPORT, user=researcher, project=project)
    client.force_login(researcher)
    waiting = client.get(job.get_absolute_url(), headers=HX)
    assert "Queued" in waiting.text
    assert 'hx-trigger="every 2s"' in waiting.text  # the page keeps asking
    assert "<html" not in waiting.text  # htmx gets the status alone

    _worker()

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 1, 1)
    done = client.get(job.get_absolute_url(), headers=HX)
    assert "every 2s" not in done.text  # finished: no more polling
    assert "Download jumlah.txt" in done.text
    download = client.get(reverse("interviews:job_download", args=[job.pk]))
    assert b"".join(download.streaming_content) == b"1 kasus"
    assert 'filename="jumlah.txt"' in download["Content-Disposition"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failed_job_saves_nothing_and_says_why(
    client, project, researcher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            task=fail_after_saving, kind=Job.Kind.PROJECT_IMPORT, user=researcher, project=project
        )
    _worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Berkas itu rusak di baris 3."
    assert not Case.objects.filter(name="Setengah jadi").exists()
    client.force_login(researcher)
    page = client.get(job.get_absolute_url())
    assert "Berkas itu rusak di baris 3." in page.text
    assert "Nothing was saved." in page.text
    assert client.get(reverse("interviews:job_download", args=[job.pk])).status_code == 404


def test_an_unexpected_error_is_reported_plainly(project, researcher):
    job = Job.objects.create(kind=Job.Kind.REPORT, project=project, created_by=researcher)

    def broken(job, progress):
        raise RuntimeError("a bug")

    run_job(str(job.pk), broken)
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "An unexpected error stopped the work.")


def test_only_the_one_who_started_a_job_sees_it(client, project, researcher, admin, outsider):
    job = Job.objects.create(kind=Job.Kind.REPORT, project=project, created_by=researcher)
    for user in (admin, outsider, make_user()):
        client.force_login(user)
        assert client.get(job.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 302
    client.force_login(researcher)
    assert client.get(job.get_absolute_url()).status_code == 200
    project.memberships.filter(user=researcher).delete()
    assert client.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("language", ["id"])
def test_the_reason_is_in_the_language_of_the_one_who_started(project, researcher, language):
    from django.utils import translation

    with translation.override(language):
        job = Job.objects.create(
            kind=Job.Kind.REPORT, project=project, created_by=researcher, language=language
        )

    def broken(job, progress):
        raise RuntimeError("a bug")

    run_job(str(job.pk), broken)
    job.refresh_from_db()
    assert job.message != "An unexpected error stopped the work."


def _count_inside_a_transaction(job, progress):
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    with transaction.atomic():
        Case.objects.create(project=job.project, name="Dalam transaksi")
        progress(1, 2)
        # What another process polling the job sees now, with the transaction open.
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT done, total FROM interviews_job WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
        finally:
            other.close()
    return Outcome(content=repr(seen).encode(), filename="seen.txt")


@task()
def count_inside_a_transaction(job_id: str) -> None:
    run_job(job_id, _count_inside_a_transaction)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_count_is_seen_while_the_work_runs_in_a_transaction(
    project, researcher, django_capture_on_commit_callbacks
):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer: the count shows when the transaction commits")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            task=count_inside_a_transaction, kind=Job.Kind.UPLOAD, user=researcher, project=project
        )
    _worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result.read() == b"(1, 2)"


def test_a_download_whose_file_is_gone_says_so(client, project, researcher):
    job = Job.objects.create(kind=Job.Kind.REPORT, project=project, created_by=researcher)
    run_job(str(job.pk), _count_cases)
    job.refresh_from_db()
    job.result.storage.delete(job.result.name)  # swept, or another process's media folder
    client.force_login(researcher)
    response = client.get(reverse("interviews:job_download", args=[job.pk]))
    assert response.status_code == 410
    assert "The file this job wrote is no longer stored." in response.text
    assert "<html" in response.text  # the job's page, not a bare error
