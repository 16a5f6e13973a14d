"""Writes to the codebook and the codings. Each keeps its invariants in one transaction."""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from interviews.models import Project, Source

from .codebook import DEFAULT_CODEBOOK
from .models import Code, Coding, CodingEvent, Conclusion, Evidence, Memo, ReviewNote

MAX_CODE_NAME = 120


# Codebook


def _next_order(project: Project, parent: Code | None) -> int:
    top = Code.objects.filter(project=project, parent=parent).aggregate(m=Max("order"))["m"]
    return 0 if top is None else top + 1


def name_taken(name: str) -> ValidationError:
    return ValidationError(
        _("There is already a code “%(name)s” at this place in the tree.") % {"name": name}
    )


def _check_name_free(*, project: Project, parent: Code | None, name: str, exclude=None) -> None:
    siblings = Code.objects.filter(project=project, parent=parent, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        raise name_taken(name)


@transaction.atomic
def create_code(*, project: Project, name: str, parent: Code | None = None, **fields) -> Code:
    name = " ".join(name.split())[:MAX_CODE_NAME]
    if not name:
        raise ValidationError(_("A code needs a name."))
    if parent is not None:
        require_codes([parent])
    _check_name_free(project=project, parent=parent, name=name)
    try:
        # The database has the last word: a concurrent request may have taken the name.
        with transaction.atomic():
            return Code.objects.create(
                project=project,
                parent=parent,
                name=name,
                order=_next_order(project, parent),
                **fields,
            )
    except IntegrityError:
        raise name_taken(name) from None


def descendant_ids(code: Code) -> set[int]:
    """Ids of every code below `code` (one query per level of the tree)."""
    found: set[int] = set()
    level = {code.pk}
    while level:
        level = set(Code.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        level -= found
        found |= level
    return found


def lock_codes(ids) -> set[int]:
    """Lock the rows of these codes until the transaction ends; returns those that exist.

    Every write that moves, deletes or codes with a code takes this lock first, and
    always in id order, so two writers never wait on each other in a circle. A coding
    applied while an admin merges or deletes its code then either lands before and
    moves (or goes) with it, or finds the code gone and is refused with a message.
    (SQLite serialises writers anyway; there the lock is a no-op.)
    """
    wanted = sorted(set(ids))
    rows = Code.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    return set(rows.values_list("pk", flat=True))


def require_codes(codes) -> None:
    """Lock `codes` (see lock_codes); a code deleted or merged meanwhile is refused."""
    present = lock_codes(code.pk for code in codes)
    for code in codes:
        if code.pk not in present:
            raise ValidationError(
                _(
                    "The code “%(name)s” was deleted or merged into another code meanwhile. "
                    "Reload the page to see the codebook as it is now."
                )
                % {"name": code.name}
            )


def check_code_name(*, code: Code, name: str, parent: Code | None) -> None:
    _check_name_free(project=code.project, parent=parent, name=name, exclude=code)


@transaction.atomic
def delete_code(*, code: Code, actor: AbstractBaseUser) -> int:
    """Delete a code, its sub-codes and their codings; the history keeps what went."""
    require_codes([code])
    ids = [code.pk, *descendant_ids(code)]
    lock_codes(ids)
    codings = list(Coding.objects.filter(code_id__in=ids).select_related("code"))
    CodingEvent.objects.bulk_create(
        CodingEvent(
            project_id=code.project_id,
            source_id=coding.source_id,
            coding_id=coding.pk,
            action=CodingEvent.Action.REMOVED,
            actor=actor,
            coder_id=coding.coder_id,
            code_name=coding.code.name,
            start=coding.start,
            end=coding.end,
            detail=CodingEvent.encode_detail("code_deleted"),
        )
        for coding in codings
    )
    code.delete()
    return len(codings)


@transaction.atomic
def move_code(*, code: Code, parent: Code | None, position: int | None = None) -> Code:
    """Put `code` under `parent` (None: top level), at `position` among its new siblings."""
    if parent is not None and (parent.pk == code.pk or parent.pk in descendant_ids(code)):
        raise ValidationError(_("A code cannot be moved under itself or one of its sub-codes."))
    _check_name_free(project=code.project, parent=parent, name=code.name, exclude=code)
    siblings = list(
        Code.objects.filter(project_id=code.project_id, parent=parent).exclude(pk=code.pk)
    )
    position = len(siblings) if position is None else max(0, min(position, len(siblings)))
    siblings.insert(position, code)
    code.parent = parent
    code.save(update_fields=["parent"])
    for order, sibling in enumerate(siblings):
        if sibling.order != order:
            sibling.order = order
            sibling.save(update_fields=["order"])
    return code


@transaction.atomic
def merge_codes(*, source_code: Code, into: Code, actor: AbstractBaseUser) -> int:
    """Move every coding of `source_code` to `into`, then delete `source_code`.

    Codings that would duplicate one `into` already has (same passage, same
    coder) collapse into it. Sub-codes move under `into`. Returns the number of
    codings moved.
    """
    if source_code.pk == into.pk or source_code.project_id != into.project_id:
        raise ValidationError(_("Choose another code of the same project to merge into."))
    require_codes([source_code, into])
    if into.pk in descendant_ids(source_code):
        raise ValidationError(_("A code cannot be merged into one of its own sub-codes."))
    lock_codes([source_code.pk, into.pk, *descendant_ids(source_code)])
    kept = {
        (source_id, coder_id, start, end): pk
        for pk, source_id, coder_id, start, end in into.codings.values_list(
            "pk", "source_id", "coder_id", "start", "end"
        )
    }
    codings = list(source_code.codings.all())
    duplicates = {}  # coding id -> id of the coding of `into` it collapses into
    for coding in codings:
        key = (coding.source_id, coding.coder_id, coding.start, coding.end)
        if key in kept:
            duplicates[coding.pk] = kept[key]
    _move_attached(duplicates)
    moving = [coding for coding in codings if coding.pk not in duplicates]
    Coding.objects.filter(pk__in=[c.pk for c in moving]).update(
        code=into, updated_at=timezone.now()
    )
    CodingEvent.objects.bulk_create(
        CodingEvent(
            project_id=into.project_id,
            source_id=coding.source_id,
            coding_id=coding.pk,
            action=CodingEvent.Action.REMOVED
            if coding.pk in duplicates
            else CodingEvent.Action.CHANGED,
            actor=actor,
            coder_id=coding.coder_id,
            code_name=into.name,
            start=coding.start,
            end=coding.end,
            detail=(into.name if coding.pk in duplicates else source_code.name)[:300],
        )
        for coding in codings
    )
    Coding.objects.filter(pk__in=duplicates).delete()
    moved = len(moving)
    Memo.objects.filter(code=source_code).update(code=into)
    for child in source_code.children.all():
        move_code(code=child, parent=into)
    source_code.delete()
    return moved


def _move_attached(duplicates: dict[int, int]) -> None:
    """What hangs on a duplicate goes with it to the coding it collapses into."""
    for duplicate, keeper in duplicates.items():
        Memo.objects.filter(coding_id=duplicate).update(coding_id=keeper)
        ReviewNote.objects.filter(coding_id=duplicate).update(coding_id=keeper)
        cited = Evidence.objects.filter(coding_id=keeper).values("conclusion_id")
        Evidence.objects.filter(coding_id=duplicate).exclude(conclusion_id__in=cited).update(
            coding_id=keeper
        )


@transaction.atomic
def seed_default_codebook(*, project: Project, language: str | None = None) -> dict[str, Code]:
    """Create the reference study's codebook in `project`; returns codes by key."""
    language = language if language in {"id", "en"} else project.language
    language = language if language in {"id", "en"} else "en"
    codes = {}
    for theme in DEFAULT_CODEBOOK:
        parent = create_code(
            project=project,
            name=theme.name[language],
            definition=theme.definition[language],
            colour=theme.colour,
        )
        codes[theme.key] = parent
        for item in theme.codes:
            codes[item.key] = create_code(
                project=project,
                parent=parent,
                name=item.name[language],
                definition=item.definition[language],
                colour=item.colour,
            )
    return codes


# Codings
#
# Every write below records its events under a batch (a UUID): the events of one
# user action. The coding page passes the browser's idempotency key as the batch,
# so that an undo can name an action before the server has answered it.


def record_event(
    coding: Coding,
    action: str,
    actor,
    *,
    detail: str = "",
    span=None,
    batch=None,
    effect: str | None = None,
    before: dict | None = None,
    undoes=None,
) -> CodingEvent:
    """Write one history row for `coding` (the polling stream reads these too).

    `batch` (a UUID) groups the events of one user action, for undo and redo.
    `effect` says what the event did to the coding (created, changed, removed);
    it defaults to the action for those three, and is blank for the events an undo
    cannot reverse (reviews, reconciliation). `before` holds what undoing needs.
    """
    start, end = span or (coding.start, coding.end)
    if effect is None:
        effect = action if action in CodingEvent.Effect.values else ""
    return CodingEvent.objects.create(
        batch=batch,
        project_id=coding.code.project_id,
        source_id=coding.source_id,
        coding_id=coding.pk,
        action=action,
        actor=actor,
        coder_id=coding.coder_id,
        code_name=coding.code.name,
        start=start,
        end=end,
        detail=detail[:300],
        effect=effect,
        before=before,
        undoes=undoes,
    )


def check_passage(*, source: Source, start: int, end: int, passage: str) -> None:
    """The selection must be a non-empty range of the text, equal to what the browser saw."""
    if not (0 <= start < end <= len(source.text)):
        raise ValidationError(_("The selection lies outside the text."))
    if source.text[start:end] != passage:
        raise ValidationError(
            _(
                "The selected text does not match the source at that place. "
                "The page may be out of date: reload it and select again."
            )
        )


@dataclass(slots=True)
class Applied:
    """What applying codes to one selection did."""

    batch: uuid.UUID
    created: list[Coding] = field(default_factory=list)
    # Codings the coder already had with these codes on exactly this passage.
    already: list[Coding] = field(default_factory=list)
    new_code: Code | None = None  # the code an in-vivo coding created


def _insert_coding(
    *, source: Source, code: Code, coder, start: int, end: int, passage: str, applied: Applied
) -> None:
    """One INSERT (and its event); an identical coding of this coder is reported, not doubled."""
    try:
        with transaction.atomic():
            coding = Coding.objects.create(
                source=source, code=code, coder=coder, start=start, end=end, passage=passage
            )
    except IntegrityError:
        coding = Coding.objects.select_related("code").get(
            source=source, code=code, coder=coder, start=start, end=end
        )
        applied.already.append(coding)
        return
    record_event(coding, CodingEvent.Action.CREATED, coder, batch=applied.batch)
    applied.created.append(coding)


@transaction.atomic
def apply_codes(
    *,
    source: Source,
    start: int,
    end: int,
    passage: str,
    codes: list[Code],
    coder: AbstractBaseUser,
    batch: uuid.UUID | None = None,
) -> Applied:
    """Apply several codes to one selection in one transaction: all of them or none."""
    if any(code.project_id != source.project_id for code in codes):
        raise ValidationError(_("That code belongs to another project."))
    check_passage(source=source, start=start, end=end, passage=passage)
    require_codes(codes)  # a code merged or deleted meanwhile is refused, not lost
    applied = Applied(batch=batch or uuid.uuid4())
    for code in codes:
        _insert_coding(
            source=source,
            code=code,
            coder=coder,
            start=start,
            end=end,
            passage=passage,
            applied=applied,
        )
    return applied


def apply_code(
    *,
    source: Source,
    start: int,
    end: int,
    passage: str,
    code: Code,
    coder: AbstractBaseUser,
    batch: uuid.UUID | None = None,
) -> Coding:
    """Code `source.text[start:end]`. Applying the same code twice is harmless."""
    applied = apply_codes(
        source=source,
        start=start,
        end=end,
        passage=passage,
        codes=[code],
        coder=coder,
        batch=batch,
    )
    return (applied.created or applied.already)[0]


@transaction.atomic
def apply_in_vivo(
    *,
    source: Source,
    start: int,
    end: int,
    passage: str,
    coder: AbstractBaseUser,
    parent=None,
    batch: uuid.UUID | None = None,
) -> Applied:
    """Create a code named after the selected words and apply it.

    Undoing it removes the coding; the new code stays in the codebook.
    """
    check_passage(source=source, start=start, end=end, passage=passage)
    name = " ".join(passage.split())
    if len(name) > 60:
        name = name[:59].rsplit(" ", 1)[0] + "…"
    code = Code.objects.filter(
        project_id=source.project_id, parent=parent, name__iexact=name
    ).first()
    new_code = None
    if code is None:
        code = new_code = create_code(
            project=source.project, name=name, parent=parent, colour="#9467bd"
        )
    applied = apply_codes(
        source=source,
        start=start,
        end=end,
        passage=passage,
        codes=[code],
        coder=coder,
        batch=batch,
    )
    applied.new_code = new_code
    return applied


def _lock_coding(coding: Coding, codes) -> None:
    """Lock the coding's code and `codes`, then the coding: codes first, as every writer does.

    Refuses a coding removed, or given another code, since the page read it.
    """
    require_codes([coding.code, *codes])
    current = Coding.objects.select_for_update().filter(pk=coding.pk).values_list("code_id")
    row = current.first()
    if row is None:
        raise ValidationError(_("This coding was removed meanwhile. Reload the page."))
    if row[0] != coding.code_id:
        raise ValidationError(_("This coding was changed meanwhile. Reload the page."))


@transaction.atomic
def change_coding(
    *,
    coding: Coding,
    actor: AbstractBaseUser,
    code: Code | None = None,
    start: int | None = None,
    end: int | None = None,
    batch: uuid.UUID | None = None,
) -> Coding:
    """Give a coding another code and/or other boundaries."""
    old_span = (coding.start, coding.end)
    before = {"code": coding.code_id, "start": coding.start, "end": coding.end}
    details = []
    if code is not None and code.project_id != coding.source.project_id:
        raise ValidationError(_("That code belongs to another project."))
    _lock_coding(coding, [code] if code is not None else [])
    if code is not None and code.pk != coding.code_id:
        details.append(coding.code.name)
        coding.code = code
    if start is not None and end is not None and (start, end) != old_span:
        text = coding.source.text
        if not (0 <= start < end <= len(text)):
            raise ValidationError(_("The selection lies outside the text."))
        coding.start, coding.end, coding.passage = start, end, text[start:end]
        details.append(f"{old_span[0]}–{old_span[1]}")
    if not details:
        return coding
    _check_no_duplicate(coding)
    coding.save()
    span = (min(old_span[0], coding.start), max(old_span[1], coding.end))
    record_event(
        coding,
        CodingEvent.Action.CHANGED,
        actor,
        detail=" · ".join(details),
        span=span,
        batch=batch or uuid.uuid4(),
        before=before,
    )
    return coding


def _check_no_duplicate(coding: Coding) -> None:
    duplicate = Coding.objects.filter(
        source_id=coding.source_id,
        code_id=coding.code_id,
        coder_id=coding.coder_id,
        start=coding.start,
        end=coding.end,
    ).exclude(pk=coding.pk)
    if duplicate.exists():
        raise ValidationError(_("The same coder already has this code on this passage."))


@transaction.atomic
def remove_coding(
    *, coding: Coding, actor: AbstractBaseUser, batch: uuid.UUID | None = None
) -> None:
    """Remove a coding; its event keeps all an undo needs to bring it back (memos too).

    A coding already gone (a retry, a race with a merge or a delete) is left be.
    """
    lock_codes([coding.code_id])
    if not Coding.objects.select_for_update().filter(pk=coding.pk).exists():
        return
    record_event(
        coding,
        CodingEvent.Action.REMOVED,
        actor,
        batch=batch or uuid.uuid4(),
        before=_snapshot(coding),
    )
    coding.delete()


# Undo and redo


def _snapshot(coding: Coding) -> dict:
    """Everything needed to re-create `coding` as it is: its row, memos, review and evidence.

    A coding read by `_locked_codings` says whether anything hangs on it, so that an
    undo of a plain apply reads nothing more.
    """

    def rows(model, *fields):
        if not getattr(coding, "attached", True):
            return []
        return list(model.objects.filter(coding=coding).values("id", *fields))

    return {
        "code": coding.code_id,
        "coder": coding.coder_id,
        "start": coding.start,
        "end": coding.end,
        "passage": coding.passage,
        "review_status": coding.review_status,
        "created_at": coding.created_at,
        "memos": rows(Memo, "project_id", "author_id", "title", "text", "created_at", "updated_at"),
        "notes": rows(ReviewNote, "author_id", "kind", "text", "created_at"),
        "evidence": rows(Evidence, "conclusion_id", "stance", "note", "added_by_id", "added_at"),
    }


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
