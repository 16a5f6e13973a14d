"""Writes of suggestions: accept (becomes the user's coding), reject, accept all, undo."""

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coding.models import Code, Coding, CodingEvent
from coding.services import apply_code, remove_coding
from interviews.models import Project, Source

from .models import SuggestionDecision, SuggestionModel, SuggestionSettings
from .queries import suggested_probability, suggestions_for_source

Verdict = SuggestionDecision.Verdict


def _checked_probability(*, model, source, code, start, end) -> float:
    if code.project_id != source.project_id or model.project_id != source.project_id:
        raise ValidationError(_("That suggestion belongs to another project."))
    probability = suggested_probability(
        model=model, source=source, code_id=code.pk, start=start, end=end
    )
    if probability is None:
        raise ValidationError(
            _("This model did not suggest that passage. Reload the page and try again.")
        )
    return probability


def _existing_query(*, model, user, source, code, start, end):
    return SuggestionDecision.objects.filter(
        model=model, user=user, source=source, code=code, start=start, end=end
    )


def _existing(*, model, user, source, code, start, end) -> SuggestionDecision | None:
    """The decision already made on this suggestion, unless it was an acceptance whose
    coding is gone (undone or removed since): the suggestion is open again."""
    found = _existing_query(
        model=model, user=user, source=source, code=code, start=start, end=end
    ).first()
    if (
        found is not None
        and found.verdict == Verdict.ACCEPTED
        and not Coding.objects.filter(pk=found.coding_number).exists()
    ):
        return None
    return found


def provenance(model: SuggestionModel, probability: float) -> str:
    """The history note of an accepted suggestion, put into words in the reader's language:
    "accepted suggestion of model v3, p = 0.87" (coding.models.describe_detail)."""
    return CodingEvent.encode_detail("suggestion", model=model.number, p=f"{probability:.2f}")


def _accept(*, model, source, code, start, end, probability, user, batch=None, write_batch=None):
    already = Coding.objects.filter(
        source=source, code=code, coder=user, start=start, end=end
    ).exists()
    coding = apply_code(
        source=source,
        start=start,
        end=end,
        passage=source.text[start:end],
        code=code,
        coder=user,
        batch=write_batch or batch,
    )
    if not already:
        # The history names the model and its confidence.
        CodingEvent.objects.filter(
            coding_id=coding.pk, action=CodingEvent.Action.CREATED, detail=""
        ).update(detail=provenance(model, probability))
    # An accepted decision whose coding was undone since is stale: this one replaces it.
    _existing_query(model=model, user=user, source=source, code=code, start=start, end=end).delete()
    return SuggestionDecision.objects.create(
        project_id=source.project_id,
        model=model,
        user=user,
        source=source,
        code=code,
        start=start,
        end=end,
        probability=probability,
        verdict=Verdict.ACCEPTED,
        coding=coding,
        coding_number=coding.pk,
        batch=batch,
    )


@transaction.atomic
def decide_suggestion(
    *,
    model: SuggestionModel,
    source: Source,
    code: Code,
    start: int,
    end: int,
    verdict: str,
    user: AbstractBaseUser,
    write_batch: uuid.UUID | None = None,
) -> SuggestionDecision:
    """Accept (the passage becomes the user's coding) or reject one suggested passage.

    A retry of the same decision returns the first one; a rejection becomes a
    negative example at the next training. `write_batch` is the batch of the
    coding's history events (the coding page's undo names it).
    """
    if verdict not in Verdict.values:
        raise ValidationError(_("Choose accept or reject."))
    existing = _existing(model=model, user=user, source=source, code=code, start=start, end=end)
    if existing is not None:
        if existing.verdict != verdict:
            raise ValidationError(_("You have already judged this suggestion."))
        return existing
    probability = _checked_probability(model=model, source=source, code=code, start=start, end=end)
    if verdict == Verdict.ACCEPTED:
        return _accept(
            model=model,
            source=source,
            code=code,
            start=start,
            end=end,
            probability=probability,
            user=user,
            write_batch=write_batch,
        )
    return SuggestionDecision.objects.create(
        project_id=source.project_id,
        model=model,
        user=user,
        source=source,
        code=code,
        start=start,
        end=end,
        probability=probability,
        verdict=Verdict.REJECTED,
    )


@transaction.atomic
def accept_all_suggestions(
    *,
    model: SuggestionModel,
    source: Source,
    threshold: float,
    user: AbstractBaseUser,
    coder_ids: list[int] | None,
    batch: uuid.UUID | None = None,
) -> list[SuggestionDecision]:
    """Accept every suggestion of `source` shown at `threshold`, as one batch (undoable).

    `batch` (the coding page's write key) is also the batch of the history events,
    so that the page's own undo takes the whole batch back.
    """
    write_batch = batch
    batch = batch or uuid.uuid4()
    codes = {code.pk: code for code in Code.objects.filter(project_id=source.project_id)}
    decisions = []
    shown = suggestions_for_source(
        model=model, source=source, threshold=threshold, coder_ids=coder_ids
    )
    for suggestion in shown:
        code = codes.get(suggestion.code_id)
        if code is None:
            continue  # deleted since training
        decisions.append(
            _accept(
                model=model,
                source=source,
                code=code,
                start=suggestion.start,
                end=suggestion.end,
                probability=suggestion.probability,
                user=user,
                batch=batch,
                write_batch=write_batch,
            )
        )
    return decisions


@transaction.atomic
def undo_batch(*, project: Project, batch: uuid.UUID, user: AbstractBaseUser) -> int:
    """Take back an "accept all": remove its codings (the history records it) and decisions."""
    decisions = list(SuggestionDecision.objects.filter(project=project, batch=batch, user=user))
    # By number: a coding undone and redone on the coding page is back under its old id.
    numbers = [decision.coding_number for decision in decisions if decision.coding_number]
    for coding in Coding.objects.filter(pk__in=numbers).select_related("code"):
        remove_coding(coding=coding, actor=user)
    SuggestionDecision.objects.filter(pk__in=[d.pk for d in decisions]).delete()
    return len(decisions)


@transaction.atomic
def set_suggestions_enabled(
    *, project: Project, enabled: bool, user: AbstractBaseUser
) -> SuggestionSettings:
    row, _created = SuggestionSettings.objects.update_or_create(
        project=project, defaults={"enabled": enabled, "updated_by": user}
    )
    return row
