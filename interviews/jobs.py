"""Long work as jobs: Django's tasks framework runs it, a `Job` row tells how far it got.

A view starts a job with `start_job(...)`: the row is written, and the task is
enqueued once the request's transaction has committed, so a worker never looks
for a row that is not there yet. The task, run by a worker (`manage.py db_worker`
with the django-tasks-db backend, or at once with the immediate backend), calls
`run_job(job_id, work)`: `work(job, progress)` does the work and returns an
`Outcome` (a file to download, a page to open); `progress(done, total)` writes the
count the browser polls. Whatever `work` saves it saves in its own transaction, so
a failed job saves nothing; its reason is kept on the row, in the language of the
person who started it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Outcome:
    """What a finished job leaves: a file to download and/or a page to open."""

    content: bytes | None = None
    filename: str = ""
    url: str = ""


class JobFailed(Exception):
    """Raised by a job's work with a message for the person who started it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def start_job(*, task, kind: str, user, project=None, params: dict | None = None) -> Job:
    """Write the job's row and enqueue `task(job_id)` when the transaction commits."""
    job = Job.objects.create(
        kind=kind,
        project=project,
        created_by=user,
        params=params or {},
        language=translation.get_language() or "en",
    )
    transaction.on_commit(lambda: task.enqueue(str(job.pk)))
    return job


def run_job(job_id: str, work: Callable[[Job, Progress], Outcome]) -> None:
    """Run `work` for the job `job_id`, keeping its row current (called by a task)."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return  # a second delivery of the same task
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    with translation.override(job.language):
        try:
            outcome = work(job, progress)
        except JobFailed as error:
            _finish(job, Job.Status.FAILED, message=error.message)
        except ValidationError as error:
            _finish(job, Job.Status.FAILED, message=" ".join(error.messages))
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(job, Job.Status.FAILED, message=_("An unexpected error stopped the work."))
        else:
            _finish(job, Job.Status.DONE, outcome=outcome)


def _finish(job: Job, status: str, *, message: str = "", outcome: Outcome | None = None) -> None:
    job.refresh_from_db()
    job.status = status
    job.message = message[:1000]
    job.finished_at = timezone.now()
    if outcome is not None:
        job.result_url = outcome.url
        if outcome.content is not None:
            job.result_name = outcome.filename
            job.result.save(outcome.filename, ContentFile(outcome.content), save=False)
        if job.total:
            job.done = job.total
    job.save()
