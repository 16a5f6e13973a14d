"""Training again by itself, once enough codings were made since the newest model.

Checked when a coder opens suggestions (the Suggestions page, the coding page's
toggle): that is when a fresher model is worth having, and it keeps the write path of
coding free of any cost. The job is the same one "Train a new model" starts; while it
runs, the current model keeps suggesting.
"""

from django.conf import settings

from interviews.jobs import start_job
from interviews.models import Job, Membership

from ..models import Coding
from .access import visible_coder_ids
from .models import SuggestionModel
from .tasks import train_suggestions


def retrain_if_due(membership: Membership, newest: SuggestionModel | None) -> Job | None:
    """The training job under way for this member, or one started now if at least
    `SUGGESTIONS_RETRAIN_AFTER` codings they may see were made since `newest`."""
    after = settings.SUGGESTIONS_RETRAIN_AFTER
    if newest is None or after <= 0 or not membership.can_code:
        return None  # the first model is trained when someone asks for it
    project = membership.project
    unfinished = list(
        Job.objects.filter(
            project=project,
            kind=Job.Kind.TRAINING,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
    )
    if unfinished:  # a training is under way: not a second one; show it to its starter
        return next((job for job in unfinished if job.created_by_id == membership.user_id), None)
    codings = Coding.objects.filter(source__project=project, created_at__gt=newest.created_at)
    visible = visible_coder_ids(membership)
    if visible is not None:
        codings = codings.filter(coder_id__in=visible)
    if codings[:after].count() < after:
        return None
    return start_job(
        task=train_suggestions, kind=Job.Kind.TRAINING, user=membership.user, project=project
    )
