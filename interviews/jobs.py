"""Long work as jobs: Django's tasks framework runs it, a `Job` row tells how far it got.

A view starts a job with `start_job(...)`: the row is written, and the task is
enqueued once the request's transaction has committed, so a worker never looks
for a row that is not there yet. The task, run by a worker (`manage.py db_worker`
with the django-tasks-db backend, or at once with the immediate backend), calls
`run_job(job_id, work)`: `work(job, progress)` does the work and returns an
`Outcome` (a file to download, a page to open, details for the job's page);
`progress(done, total)` writes the count the browser polls, through a connection of
its own when the work runs inside a transaction on PostgreSQL, so that the count is
seen while the transaction is still open (SQLite has one writer at a time: there the
count of work inside a transaction shows when it commits). Whatever `work` saves it
saves in its own transaction, so a failed job saves nothing; its reason is kept on
the row, in the language of the person who started it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
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
    # What the job's page lists beside the result (kept in params["details"]): e.g.
    # {"notes": [...]} for warnings, {"files": [...]} for an upload's file by file.
    details: dict = field(default_factory=dict)


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


class _Counter:
    """`progress(done, total)` of one job: a row update other connections can see."""

    def __init__(self, job: Job):
        self.job = job
        self.side = None  # a second connection, opened only when needed
        # Run inside a transaction (a test, or a direct call), our own connection may
        # hold the row's lock: a second connection would wait for it forever.
        self.may_go_round = connection.vendor != "sqlite" and not connection.in_atomic_block

    def __call__(self, done: int, total: int) -> None:
        if not (connection.in_atomic_block and self.may_go_round):
            Job.objects.filter(pk=self.job.pk).update(done=done, total=total)
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = connection.ops.quote_name(Job._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s WHERE id = %s",  # noqa: S608
                [done, total, self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def run_job(job_id: str, work: Callable[[Job, Progress], Outcome]) -> None:
    """Run `work` for the job `job_id`, keeping its row current (called by a task)."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return  # a second delivery of the same task
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    progress = _Counter(job)
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
        finally:
            progress.close()


def _finish(job: Job, status: str, *, message: str = "", outcome: Outcome | None = None) -> None:
    job.refresh_from_db()
    job.status = status
    job.message = message[:1000]
    job.finished_at = timezone.now()
    if outcome is not None:
        job.result_url = outcome.url
        if outcome.details:
            job.params = {**job.params, "details": outcome.details}
        if outcome.content is not None:
            job.result_name = outcome.filename
            job.result.save(outcome.filename, ContentFile(outcome.content), save=False)
        if job.total:
            job.done = job.total
    job.save()
