"""Review verdicts and replies, and reconciliation.

Reconciliation: a supervisor or admin settles a disagreement between two coders.

Each action takes one group of overlapping passages of one code (see
`queries.group_passages`), runs in one transaction, and records a RECONCILED
event for every coding it looked at, so the history tells who settled what and
when, and the side-by-side view knows the group has been dealt with.
"""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coding.models import Code, Coding, CodingEvent, ReviewNote
from coding.services import record_event
from interviews.models import Source

RECONCILED = CodingEvent.Action.RECONCILED


def _check_group(source: Source, codings: Sequence[Coding], coder_ids: set[int]) -> Code:
    if not codings:
        raise ValidationError(_("Choose the passages to reconcile."))
    if any(c.source_id != source.pk for c in codings):
        raise ValidationError(_("Those passages belong to another source."))
    if len({c.code_id for c in codings}) != 1:
        raise ValidationError(_("Only passages of one code can be reconciled together."))
    if any(c.coder_id not in coder_ids for c in codings):
        raise ValidationError(_("Those passages are not by the two coders compared."))
    return codings[0].code


def _match(
    *,
    source: Source,
    code: Code,
    coder: AbstractBaseUser,
    own: Sequence[Coding],
    targets: Sequence[tuple[int, int]],
    actor: AbstractBaseUser,
    detail: dict,
) -> list[Coding]:
    """Make `coder`'s codings of `code` among `own` cover exactly `targets`.

    `detail` is the kind of the reconciliation and its parameters, for the history.

    Codings already on a target stay; the others are moved onto the remaining
    targets, removed when there are more codings than targets, and new ones are
    added for the coder when there are fewer.
    """
    targets = sorted(set(targets))
    mine = _codings_on_targets(source, code, coder, own, targets)
    remaining = list(targets)
    keep, spare = [], []
    for coding in sorted(mine, key=lambda c: (c.start, c.end, c.pk)):
        if (coding.start, coding.end) in remaining:
            remaining.remove((coding.start, coding.end))
            keep.append(coding)
        else:
            spare.append(coding)
    for coding in keep:
        record_event(coding, RECONCILED, actor, detail=_note(detail, step="unchanged"))
    moved = [
        _move_onto(coding, span, source=source, actor=actor, detail=detail)
        for coding, span in zip(spare, remaining, strict=False)
    ]
    for coding in spare[len(remaining) :]:
        record_event(coding, RECONCILED, actor, detail=_note(detail, step="removed"))
        coding.delete()
    new = []
    for start, end in remaining[len(spare) :]:
        coding = Coding.objects.create(
            source=source,
            code=code,
            coder=coder,
            start=start,
            end=end,
            passage=source.text[start:end],
        )
        record_event(coding, RECONCILED, actor, detail=_note(detail, step="added"))
        new.append(coding)
    return keep + moved + new


def _codings_on_targets(source, code, coder, own, targets) -> list[Coding]:
    """`own`, and the coder's codings of `code` already lying exactly on a target.

    A coding already on a target, outside the group, counts as one of `own`:
    moving another onto that span would duplicate it.
    """
    mine = {c.pk: c for c in own}
    if targets:
        same_span = Q()
        for start, end in targets:
            same_span |= Q(start=start, end=end)
        for coding in (
            Coding.objects.filter(same_span, source=source, code=code, coder=coder)
            .exclude(pk__in=mine)
            .select_related("code")
        ):
            mine[coding.pk] = coding
    return list(mine.values())


def _move_onto(coding: Coding, span, *, source, actor, detail: dict) -> Coding:
    start, end = span
    old = (coding.start, coding.end)
    coding.start, coding.end, coding.passage = start, end, source.text[start:end]
    coding.save(update_fields=["start", "end", "passage", "updated_at"])
    note = _note(detail, step="moved", from_start=old[0], from_end=old[1])
    wide = (min(old[0], start), max(old[1], end))
    record_event(coding, RECONCILED, actor, detail=note, span=wide)
    return coding


def _note(detail: dict, **more) -> str:
    """A history note as a kind and parameters: shown in each reader's language."""
    return CodingEvent.encode_detail(**detail, **more)


@transaction.atomic
def accept_coding(
    *,
    source: Source,
    codings: Sequence[Coding],
    accepted: AbstractBaseUser,
    other: AbstractBaseUser,
    actor: AbstractBaseUser,
) -> list[Coding]:
    """Settle a group in favour of `accepted`: `other` ends with exactly the same passages.

    `other`'s conflicting codings are moved onto `accepted`'s spans or removed,
    and `accepted`'s passages that `other` lacks are given to `other`. Returns
    `other`'s codings of the group afterwards.
    """
    code = _check_group(source, codings, {accepted.pk, other.pk})
    detail = {"kind": "accept", "coder": accepted.get_username()}
    targets = [(c.start, c.end) for c in codings if c.coder_id == accepted.pk]
    for coding in codings:
        if coding.coder_id == accepted.pk:
            record_event(coding, RECONCILED, actor, detail=_note(detail))
    return _match(
        source=source,
        code=code,
        coder=other,
        own=[c for c in codings if c.coder_id == other.pk],
        targets=targets,
        actor=actor,
        detail=detail,
    )


@transaction.atomic
def keep_both(*, source: Source, codings: Sequence[Coding], actor: AbstractBaseUser) -> None:
    """Mark a group as reviewed and left as it is: both coders' codings stand."""
    _check_group(source, codings, {c.coder_id for c in codings})
    for coding in codings:
        record_event(coding, RECONCILED, actor, detail=_note({"kind": "keep"}))


@transaction.atomic
def merge_codings(
    *,
    source: Source,
    codings: Sequence[Coding],
    coders: Sequence[AbstractBaseUser],
    start: int,
    end: int,
    actor: AbstractBaseUser,
) -> list[Coding]:
    """Give each of `coders` one coding of the group's code on [start, end), and no other."""
    code = _check_group(source, codings, {coder.pk for coder in coders})
    if not (0 <= start < end <= len(source.text)):
        raise ValidationError(_("The selection lies outside the text."))
    detail = {"kind": "merge", "start": start, "end": end}
    result = []
    for coder in coders:
        result += _match(
            source=source,
            code=code,
            coder=coder,
            own=[c for c in codings if c.coder_id == coder.pk],
            targets=[(start, end)],
            actor=actor,
            detail=detail,
        )
    return result


# Verdicts and replies


@transaction.atomic
def review_coding(*, coding: Coding, reviewer: AbstractBaseUser, kind: str, text: str = ""):
    """A supervisor approves, rejects or comments on a coding; the history records it."""
    if kind not in {ReviewNote.Kind.APPROVE, ReviewNote.Kind.REJECT, ReviewNote.Kind.COMMENT}:
        raise ValidationError(_("Unknown review action."))
    if kind == ReviewNote.Kind.COMMENT and not text.strip():
        raise ValidationError(_("Write a comment first."))
    note = ReviewNote.objects.create(coding=coding, author=reviewer, kind=kind, text=text.strip())
    if kind != ReviewNote.Kind.COMMENT:
        coding.review_status = (
            Coding.Review.APPROVED if kind == ReviewNote.Kind.APPROVE else Coding.Review.REJECTED
        )
        coding.save(update_fields=["review_status"])
    detail = CodingEvent.encode_detail("review", verdict=kind, text=note.text)
    record_event(coding, CodingEvent.Action.REVIEWED, reviewer, detail=detail)
    return note


@transaction.atomic
def reply_to_review(*, coding: Coding, author: AbstractBaseUser, text: str):
    if not text.strip():
        raise ValidationError(_("Write a reply first."))
    return ReviewNote.objects.create(
        coding=coding, author=author, kind=ReviewNote.Kind.REPLY, text=text.strip()
    )
