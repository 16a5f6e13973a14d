"""A job's page: its progress, polled by htmx, and its result when it is done."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Job


def _own_job(request, job_id) -> Job:
    """The signed-in user's job; anyone else's, or one of a project they left, is a 404."""
    job = get_object_or_404(Job.objects.select_related("project"), pk=job_id)
    if job.created_by_id != request.user.pk:
        raise Http404
    if job.project is not None and not job.project.memberships.filter(user=request.user).exists():
        raise Http404
    return job


@login_required
@require_GET
def job_detail(request, job_id):
    job = _own_job(request, job_id)
    template = "interviews/job_detail.html"
    if request.htmx:
        template += "#status"
    response = render(request, template, {"job": job, "project": job.project})
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_GET
def job_download(request, job_id):
    job = _own_job(request, job_id)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    try:
        if not job.result.storage.exists(job.result.name):
            raise FileNotFoundError(job.result.name)
        handle = job.result.open("rb")
    except OSError:
        # Swept from storage, or a process whose media folder is not the worker's:
        # say so on the job's page rather than answering with a bare server error.
        context = {"job": job, "project": job.project, "missing": True}
        return render(request, "interviews/job_detail.html", context, status=410)
    return FileResponse(handle, as_attachment=True, filename=job.result_name)
