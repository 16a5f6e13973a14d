"""Clear what jobs leave behind: old finished jobs with their files, jobs no worker took,
and staged uploads that no job will read. Run it daily (README, Deploying)."""

import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from interviews.models import Job
from interviews.tasks import STAGING


class Command(BaseCommand):
    help = "Delete finished jobs older than --days with their files, and stale staged uploads."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="keep finished jobs this long")
        parser.add_argument(
            "--stale-hours", type=int, default=24, help="a queued job older than this failed"
        )

    def handle(self, *args, days: int, stale_hours: int, **options):
        now = timezone.now()
        removed = self.remove_finished(now - dt.timedelta(days=days))
        stale = self.fail_stale(now - dt.timedelta(hours=stale_hours))
        staged = self.sweep_staged(now - dt.timedelta(hours=stale_hours))
        self.stdout.write(
            f"{removed} finished jobs removed, {stale} never-run jobs failed, "
            f"{staged} staged uploads deleted"
        )

    def remove_finished(self, before) -> int:
        jobs = list(Job.objects.filter(finished_at__lt=before))
        for job in jobs:
            if job.result:
                job.result.delete(save=False)
            self.delete_staged(job)
        Job.objects.filter(pk__in=[job.pk for job in jobs]).delete()
        return len(jobs)

    def fail_stale(self, before) -> int:
        """A job still queued after a day: no worker ran it. Say so, and free its files
        (a worker that starts later skips it, since it is finished)."""
        jobs = list(Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=before))
        for job in jobs:
            with translation.override(job.language):
                job.message = _("No worker ran this work within a day. Start it again.")
            job.status, job.finished_at = Job.Status.FAILED, timezone.now()
            job.save(update_fields=["message", "status", "finished_at"])
            self.delete_staged(job)
        return len(jobs)

    def delete_staged(self, job) -> None:
        for entry in job.params.get("files", ()):
            if str(entry.get("path", "")).startswith(f"{STAGING}/"):
                default_storage.delete(entry["path"])

    def sweep_staged(self, before) -> int:
        """Staged files older than `before` that no unfinished job names (an upload whose
        job could not be started, a worker killed mid-job)."""
        waiting = {
            entry.get("path")
            for params in Job.objects.filter(
                status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
            ).values_list("params", flat=True)
            for entry in (params or {}).get("files", ())
        }
        deleted = 0
        for path in _files_under(STAGING):
            if path in waiting:
                continue
            try:
                old = default_storage.get_modified_time(path) < before
            except (NotImplementedError, OSError):
                continue
            if old:
                default_storage.delete(path)
                deleted += 1
        return deleted


def _files_under(folder: str):
    """Every file below `folder` in default_storage (local folders or bucket prefixes)."""
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _files_under(f"{folder}/{name}")
