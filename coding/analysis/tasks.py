"""Background work of the analysis stages, run by the task worker as jobs."""

from django.tasks import task
from django.utils import translation

from interviews.jobs import Outcome, run_job
from interviews.models import Membership

from .report import build_report, render_docx


@task()
def write_report(job_id: str) -> None:
    """The DOCX report of the job's project, in the project's language."""
    run_job(job_id, _write_report)


def _write_report(job, progress) -> Outcome:
    project = job.project
    membership = Membership.objects.select_related("project").get(
        project=project, user=job.created_by
    )
    progress(0, 2)
    with translation.override(project.language):
        content = build_report(project, coder_ids=membership.visible_coder_ids())
        progress(1, 2)
        data = render_docx(content)
    return Outcome(content=data, filename=f"{project.slug}-report.docx")
