"""manage.py prune_jobs: old finished jobs and their files go, never-run jobs fail, stale
staged uploads are deleted, and nothing a waiting job needs is touched."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone, translation

from interviews.models import Job


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _job(project, user, *, status=Job.Status.DONE, age=dt.timedelta(0), files=(), language="en"):
    job = Job.objects.create(
        kind=Job.Kind.UPLOAD,
        project=project,
        created_by=user,
        status=status,
        language=language,
        params={"files": [{"name": "a.txt", "path": path} for path in files]},
    )
    when = timezone.now() - age
    finished = when if status in (Job.Status.DONE, Job.Status.FAILED) else None
    Job.objects.filter(pk=job.pk).update(created_at=when, finished_at=finished)
    job.refresh_from_db()
    return job


def _staged(name: str, *, age=dt.timedelta(0)) -> str:
    path = default_storage.save(f"uploads/1/{name}/a.txt", ContentFile(b"Rapat"))
    stamp = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(path), (stamp, stamp))
    return path


def _prune(capsys) -> str:
    call_command("prune_jobs")
    return capsys.readouterr().out


def test_old_finished_jobs_go_with_their_files_and_new_ones_stay(project, researcher, capsys):
    old = _job(project, researcher, age=dt.timedelta(days=8))
    old.result.save("old.csv", ContentFile(b"a,b"))
    recent = _job(project, researcher, age=dt.timedelta(days=2))
    recent.result.save("recent.csv", ContentFile(b"c,d"))
    assert "1 finished jobs removed" in _prune(capsys)
    assert list(Job.objects.all()) == [recent]
    assert not default_storage.exists(old.result.name)
    assert default_storage.exists(recent.result.name)


def test_a_job_no_worker_took_fails_in_its_starters_language_and_frees_its_files(
    project, researcher, capsys
):
    path = _staged("stale", age=dt.timedelta(hours=30))
    job = _job(
        project,
        researcher,
        status=Job.Status.QUEUED,
        age=dt.timedelta(hours=30),
        files=[path],
        language="id",
    )
    assert "1 never-run jobs failed" in _prune(capsys)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished
    with translation.override("id"):
        assert (
            job.message
            == "Tidak ada pekerja yang menjalankan pekerjaan ini dalam sehari. Mulai lagi."
        )
    assert not default_storage.exists(path)


def test_stale_staged_files_go_unless_a_waiting_job_needs_them(project, researcher, capsys):
    orphan = _staged("orphan", age=dt.timedelta(hours=30))
    fresh = _staged("fresh")
    waiting = _staged("waiting", age=dt.timedelta(hours=30))
    _job(project, researcher, status=Job.Status.RUNNING, files=[waiting])
    assert "1 staged uploads deleted" in _prune(capsys)
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh) and default_storage.exists(waiting)
