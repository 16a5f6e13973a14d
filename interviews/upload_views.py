"""The upload page: many files at once, kept in the request, read into sources by a job.

The request checks the upload as a whole (size, number of files, CSRF), keeps each
original in default_storage and starts the job (tasks.read_uploads); the job's
status shows in the page's results (htmx) or on the job's own page (a plain post).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from .access import can_code, get_membership
from .forms import UploadForm
from .importers import SUPPORTED_EXTENSIONS, max_upload_bytes, max_upload_total_bytes
from .jobs import start_job
from .models import Job
from .tasks import read_uploads, stage_upload


def _upload_refusal(request) -> str | None:
    """Why an upload request is refused as a whole, before any of its files is imported.

    The size comes from Content-Length, so a request over the limit is never read.
    """
    limit = max_upload_total_bytes()
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > limit:
        return _(
            "This upload is %(size)s in all; at most %(limit)s can be sent at once. "
            "Upload the files in smaller groups."
        ) % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    try:
        request.FILES  # noqa: B018 -- reading the body is what may fail
    except TooManyFilesSent:
        return _(
            "At most %(count)s files can be sent at once. Upload the files in smaller groups."
        ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    except (RequestDataTooBig, TooManyFieldsSent):
        return _("This upload could not be read. Upload the files in smaller groups.")
    return None


def _upload_page(request, membership, form, *, job=None, error="", status=200):
    template = "interviews/source_upload.html"
    if request.htmx:
        template += "#results"
    context = {
        "membership": membership,
        "project": membership.project,
        "form": form,
        "job": job,
        "upload_error": error,
        "extensions": ", ".join(SUPPORTED_EXTENSIONS),
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "max_file_size": max_upload_bytes(),
        "max_total_size": max_upload_total_bytes(),
    }
    return render(request, template, context, status=status)


# The CSRF token sits in the body; reading it would read the whole upload before its size
# and file count are checked. So the view is exempt, checks those first (refusing saves
# nothing), then checks CSRF itself before anything is imported.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def source_upload(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    if request.method == "POST" and (refusal := _upload_refusal(request)):
        form = UploadForm(membership=membership)
        return _upload_page(request, membership, form, error=refusal, status=422)
    return _source_upload(request, membership)


@csrf_protect
def _source_upload(request, membership):
    """Keep the originals, then read them into sources in a job (tasks.read_uploads).

    Without htmx the answer is the job's page; by htmx it is the job's status in the
    results, which polls until the files are read, then lists each file's result.
    """
    project = membership.project
    form = UploadForm(request.POST or None, request.FILES or None, membership=membership)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, membership, form)
    kind = form.cleaned_data["kind"]
    files = [stage_upload(project, upload) for upload in form.cleaned_data["files"]]
    job = start_job(
        task=read_uploads,
        kind=Job.Kind.UPLOAD,
        user=request.user,
        project=project,
        params={"kind": kind, "files": files},
    )
    if not request.htmx:
        return redirect(job.get_absolute_url())
    job.refresh_from_db()  # done already when the tasks run in the request (immediate)
    form = UploadForm(membership=membership, initial={"kind": kind})
    return _upload_page(request, membership, form, job=job)
