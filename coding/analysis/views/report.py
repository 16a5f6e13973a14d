from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from interviews.access import get_membership
from interviews.jobs import start_job
from interviews.models import Job


@login_required
@require_http_methods(["GET", "POST"])
def report(request, slug):
    """The findings report, in the project's language: HTML here, DOCX as a job.

    The DOCX is written by the task worker: a POST starts it, and the job's page
    shows its progress and then the download.
    """
    from ..report import build_report, citation  # python-docx: only here
    from ..tasks import write_report

    membership = get_membership(request, slug)
    project = membership.project
    if request.method == "POST":
        job = start_job(task=write_report, kind=Job.Kind.REPORT, user=request.user, project=project)
        return redirect(job.get_absolute_url())
    with translation.override(project.language):
        content = build_report(project, coder_ids=membership.visible_coder_ids())
        for _conclusion, _triangulation, evidence in content.conclusions:
            for item in evidence:
                item.citation = citation(item)
        context = {"report": content, "project": project}
        return render(request, "coding/analysis/report.html", context)
