"""Uploading in tests: the post starts a job, which runs when the request's transaction commits.

Tests run inside a transaction that never commits, so `post_upload` runs what would
run on commit (the immediate task backend runs the job then), as production does.
"""

from django.test import TestCase
from django.urls import reverse

from interviews.models import Job

HX = {"HX-Request": "true"}


def post_upload(client, project, data, **kwargs):
    """Post `data` to the project's upload page and run the job it starts."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("interviews:source_upload", args=[project.slug]), data, **kwargs)


def last_upload_job() -> Job:
    return Job.objects.filter(kind=Job.Kind.UPLOAD).latest("created_at")


def file_results(job: Job | None = None) -> dict[str, dict]:
    """The per-file results the job's page lists, by file name."""
    job = job or last_upload_job()
    job.refresh_from_db()
    return {result["name"]: result for result in job.params["details"]["files"]}
