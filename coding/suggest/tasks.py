"""Training a suggestion model as a job, on the task worker."""

from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from interviews.jobs import JobFailed, Outcome, run_job
from interviews.models import Job, Membership

from .access import project_enabled, site_enabled
from .training import NothingToLearn, train_project_model


@task()
def train_suggestions(job_id: str) -> None:
    """A new model version of the job's project, learned from what its starter may see."""
    run_job(job_id, _train)


def _train(job, progress) -> Outcome:
    project = job.project
    membership = Membership.objects.filter(project=project, user=job.created_by).first()
    if membership is None or not membership.can_code:
        raise JobFailed(_("You are no longer a coder of this project."))
    if not site_enabled() or not project_enabled(project):
        raise JobFailed(_("Suggestions are off for this project."))

    def report(step: str, fraction: float) -> None:
        progress(round(fraction * 100), 100)

    try:
        model = train_project_model(
            project_id=project.pk,
            progress=report,
            coder_ids=membership.visible_coder_ids(),
            trained_by=job.created_by,
        )
    except NothingToLearn as error:
        raise JobFailed(str(error)) from None
    Job.objects.filter(pk=job.pk).update(params={**job.params, "version": model.number})
    url = reverse("coding:suggestions", args=[project.slug])
    return Outcome(url=f"{url}?version={model.number}")
