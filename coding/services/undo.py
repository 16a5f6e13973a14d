"""Undo and redo of whole batches (one user action each), recorded in the history.

Redo is the undo of an undo. A removed coding comes back under its old id, with its
memos, review thread and evidence.
"""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..models import Code, Coding, CodingEvent, Conclusion, Evidence, Memo, ReviewNote
from .codes import lock_codes
from .codings import _check_no_duplicate
from .history import _snapshot, record_event


def _restore_times(model, rows: list[dict], *names: str) -> None:
    """Put back the times that `auto_now` fields set to now when the rows were re-created."""
    for row in rows:
        model.objects.filter(pk=row["id"]).update(
            **{name: parse_datetime(row[name]) for name in names}
        )


def _restore(*, event: CodingEvent) -> Coding:
    """Re-create a removed coding under its old id, with its memos, review and evidence."""
    before, coding_id = event.before, event.coding_id
    code = Code.objects.filter(pk=before["code"], project_id=event.project_id).first()
    if code is None:
        raise ValidationError(_("Its code has been deleted since."))
    try:
        with transaction.atomic():
            coding = Coding.objects.create(
                pk=coding_id,
                source_id=event.source_id,
                code=code,
                coder_id=before["coder"],
                start=before["start"],
                end=before["end"],
                passage=before["passage"],
                review_status=before["review_status"],
            )
    except IntegrityError:
        raise ValidationError(
            _("That passage has been coded with the same code again since.")
        ) from None
    Coding.objects.filter(pk=coding_id).update(created_at=parse_datetime(before["created_at"]))
    _restore_attached(coding, before)
    return coding


def _restore_attached(coding: Coding, before: dict) -> None:
    """Memos, review thread and evidence of a re-created coding (evidence only where its
    conclusion still exists)."""
    Memo.objects.bulk_create(Memo(coding=coding, **row) for row in before["memos"])
    _restore_times(Memo, before["memos"], "created_at", "updated_at")
    ReviewNote.objects.bulk_create(ReviewNote(coding=coding, **row) for row in before["notes"])
    _restore_times(ReviewNote, before["notes"], "created_at")
    if not before["evidence"]:
        return
    wanted = [row["conclusion_id"] for row in before["evidence"]]
    existing = set(Conclusion.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    cited = [row for row in before["evidence"] if row["conclusion_id"] in existing]
    Evidence.objects.bulk_create(Evidence(coding=coding, **row) for row in cited)
    _restore_times(Evidence, cited, "added_at")


def _check_unchanged_since(events: list[CodingEvent], actor) -> None:
    """Refuse to undo a batch when anything happened to its codings after it."""
    batch = events[0].batch
    rows = CodingEvent.objects.filter(
        source_id__in={event.source_id for event in events},
        coding_id__in={event.coding_id for event in events},
        id__gt=events[0].pk,
    ).values_list("id", "batch", "undoes", "actor_id")
    later = sorted(row for row in rows if row[1] != batch)
    if not later:
        return
    _id, _batch, undoes, actor_id = later[0]
    if undoes == batch:
        raise ValidationError(_("That action has already been undone."))
    if actor_id != actor.pk:
        raise ValidationError(
            _("%(user)s has changed this coding since, so it was not undone.")
            % {"user": get_user_model().objects.get(pk=actor_id).get_username()}
        )
    raise ValidationError(_("This coding has been changed since: undo the later change first."))


def _check_nobody_else_wrote_on(snapshot: dict, actor) -> None:
    """An undo may remove a coding, but never what someone else wrote on it."""
    authors = {row["author_id"] for row in snapshot["memos"] + snapshot["notes"]}
    authors |= {row["added_by_id"] for row in snapshot["evidence"]}
    if authors - {actor.pk}:
        raise ValidationError(
            _(
                "Someone else has written on this coding since (a memo, a review or "
                "evidence), so it was not undone."
            )
        )


def _locked_codings(ids) -> dict[int, Coding]:
    """The batch's codings that still exist, locked, each saying whether memos, review
    notes or evidence hang on it (`attached`: most often nothing does)."""
    coding = Coding._meta.db_table
    exists = " OR ".join(
        f"EXISTS (SELECT 1 FROM {model._meta.db_table} WHERE coding_id = {coding}.id)"  # noqa: S608
        for model in (Memo, ReviewNote, Evidence)
    )
    return (
        Coding.objects.select_for_update(of=("self",))
        .select_related("code")
        .annotate(attached=RawSQL(exists, ()))  # noqa: S611 - our own table names, no values
        .in_bulk(ids)
    )


def _reverse(
    event: CodingEvent, *, actor, codings: dict, batch: uuid.UUID, action: str
) -> tuple[CodingEvent, set[int]]:
    """Undo one event: record what the undo did under `batch` (its own history row).

    Returns that row and the codes whose counts changed."""
    Effect = CodingEvent.Effect
    common = {"batch": batch, "undoes": event.batch}
    if event.effect == Effect.REMOVED:
        coding = _restore(event=event)
        codings[coding.pk] = coding
        return record_event(coding, action, actor, effect=Effect.CREATED, **common), {
            coding.code_id
        }
    coding = codings.get(event.coding_id)
    if coding is None:
        raise ValidationError(_("That coding no longer exists."))
    if event.effect == Effect.CREATED:
        snapshot = _snapshot(coding)
        _check_nobody_else_wrote_on(snapshot, actor)
        undone = record_event(
            coding, action, actor, effect=Effect.REMOVED, before=snapshot, **common
        )
        coding.delete()
        del codings[event.coding_id]
        return undone, {snapshot["code"]}
    before = {"code": coding.code_id, "start": coding.start, "end": coding.end}
    old_span = (coding.start, coding.end)
    target = event.before
    if target["code"] != coding.code_id:
        code = Code.objects.filter(pk=target["code"], project_id=event.project_id).first()
        if code is None:
            raise ValidationError(_("Its code has been deleted since."))
        coding.code = code
    coding.start, coding.end = target["start"], target["end"]
    coding.passage = coding.source.text[coding.start : coding.end]
    _check_no_duplicate(coding)
    coding.save()
    span = (min(old_span[0], coding.start), max(old_span[1], coding.end))
    undone = record_event(
        coding, action, actor, effect=Effect.CHANGED, before=before, span=span, **common
    )
    return undone, {before["code"], coding.code_id}


@dataclass(slots=True)
class Undone:
    """What an undo did: its batch, and what a page showing the text must redraw."""

    batch: uuid.UUID
    spans: list[tuple[int, int]] = field(default_factory=list)  # per history row of the undo
    codes: set[int] = field(default_factory=set)  # codes whose counts changed


def undo_batch(
    *, batch: uuid.UUID, actor: AbstractBaseUser, as_batch: uuid.UUID | None = None
) -> uuid.UUID:
    """Reverse every event of `batch` (one user action); returns the batch of the undo
    (`as_batch` when given, else a new one).

    Generic over batches: one code applied, several codes on one selection, every
    hit of a search coded, a removal, a change of code or boundaries. Created
    codings are removed, removed ones re-created (same id, code, span and coder,
    with their memos, review and evidence), changed ones put back. The undo is
    itself recorded in the history (action `undone`, or `redone` when it reverses
    an undo, each event naming the batch it reversed), so redo is the undo of the
    undo. All or nothing: it refuses, with a ValidationError saying why, a batch
    of someone else, a batch with events that cannot be reversed, and any batch
    whose codings were changed after it (by anyone).
    """
    return reverse_batch(batch=batch, actor=actor, as_batch=as_batch).batch


@transaction.atomic
def reverse_batch(
    *, batch: uuid.UUID, actor: AbstractBaseUser, as_batch: uuid.UUID | None = None
) -> Undone:
    """`undo_batch`, telling also what it touched (the coding page redraws only that)."""
    events = list(CodingEvent.objects.filter(batch=batch).order_by("id"))
    if not events:
        raise ValidationError(_("There is nothing to undo: that action was not saved."))
    if any(event.actor_id != actor.pk for event in events):
        raise ValidationError(_("Only the person who did an action can undo it."))
    if any(not event.effect for event in events):
        raise ValidationError(_("This kind of action cannot be undone."))
    # Lock the codes first, as every writer does (lock_codes), then the codings that
    # still exist, then look for anything that happened after.
    ids = {event.coding_id for event in events}
    needed = {
        event.before["code"]
        for event in events
        if event.effect in {CodingEvent.Effect.REMOVED, CodingEvent.Effect.CHANGED}
        and isinstance(event.before, dict)
        and "code" in event.before
    }
    present = lock_codes(
        needed | set(Coding.objects.filter(pk__in=ids).values_list("code_id", flat=True))
    )
    if needed - present:
        raise ValidationError(_("Its code has been deleted since."))
    codings = _locked_codings(ids)
    _check_unchanged_since(events, actor)
    redo = all(event.action == CodingEvent.Action.UNDONE for event in events)
    action = CodingEvent.Action.REDONE if redo else CodingEvent.Action.UNDONE
    undone = Undone(batch=as_batch or uuid.uuid4())
    for event in reversed(events):
        row, codes = _reverse(
            event, actor=actor, codings=codings, batch=undone.batch, action=action
        )
        undone.spans.append((row.start, row.end))
        undone.codes |= codes
    return undone
