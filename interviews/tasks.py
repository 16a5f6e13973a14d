"""The study's long work as jobs: uploaded files read into sources.

The upload view puts each original in default_storage (`uploads/<project>/<random>/`)
and starts `read_uploads`; the job reads them, file by file, wherever the worker runs.
The reading (the slow part) happens outside any transaction, so its count shows as it
goes on every database; the sources are then saved in one transaction: a file that
cannot be read is refused with its reason and the others are saved, and a job that
fails saves nothing. The staged originals are deleted once the job is over.
"""

import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .importers import Extracted, ImportFailed, extract_text
from .jobs import Outcome, run_job

STAGING = "uploads"


def stage_upload(project, upload) -> dict:
    """Keep an uploaded file for the job; what the job's params hold about it."""
    name = PurePath(upload.name).name or "upload"
    path = default_storage.save(f"{STAGING}/{project.pk}/{secrets.token_hex(8)}/{name}", upload)
    return {"name": upload.name, "path": path}


@dataclass
class _Read:
    name: str
    data: bytes = b""
    extracted: Extracted | None = None
    error: str = ""


@task()
def read_uploads(job_id: str) -> None:
    """The files of one upload, each read into a new source of the job's project."""
    run_job(job_id, _read_uploads)


def _read_uploads(job, progress) -> Outcome:
    files, kind = job.params["files"], job.params["kind"]
    try:
        reads = []
        for done, entry in enumerate(files, 1):
            reads.append(_read_one(entry))
            progress(done, len(files))
        results = _save(job, kind, reads)
    finally:
        for entry in files:
            default_storage.delete(entry["path"])
    saved = sum(1 for result in results if "url" in result)
    details = {"files": results, "saved": saved, "refused": len(results) - saved}
    return Outcome(url=reverse("interviews:source_list", args=[job.project.slug]), details=details)


def _read_one(entry: dict) -> _Read:
    read = _Read(name=entry["name"])
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            read.data = handle.read()
    except FileNotFoundError:
        read.error = _("The uploaded file is no longer here. Upload it again.")
        return read
    try:
        read.extracted = extract_text(read.name, read.data)
    except ImportFailed as failure:
        read.error = failure.message
    return read


def _save(job, kind: str, reads: list[_Read]) -> list[dict]:
    """Save every file that was read, in one transaction; a result per file, in order."""
    results, originals = [], []
    try:
        with transaction.atomic():
            for read in reads:
                results.append(_save_one(job, kind, read, originals))
    except BaseException:
        for original in originals:  # the rollback does not reach the storage
            original.delete(save=False)
        raise
    return results


def _save_one(job, kind: str, read: _Read, originals: list) -> dict:
    if read.extracted is None:
        return {"name": read.name, "error": read.error}
    title = read.name.rsplit(".", 1)[0].replace("_", " ").strip() or read.name
    try:
        with transaction.atomic():
            source = services.add_source(
                project=job.project,
                kind=kind,
                title=title[:300],
                text=read.extracted.text,
                created_by=job.created_by,
                original=ContentFile(read.data),
                original_name=read.name,
                format=read.extracted.format,
            )
    except ImportFailed as failure:
        return {"name": read.name, "error": failure.message}
    originals.append(source.original)
    return {
        "name": read.name,
        "title": source.title,
        "url": source.get_absolute_url(),
        "words": source.word_count,
        "warnings": [str(warning) for warning in read.extracted.warnings],
    }
