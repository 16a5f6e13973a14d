"""Writes to the codebook and the codings. Each keeps its invariants in one transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from interviews.models import Project, Source

from .codebook import DEFAULT_CODEBOOK
from .models import Code, Coding, CodingEvent, Evidence, Memo, ReviewNote

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
            detail=_("code deleted"),
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
    for duplicate, keeper in duplicates.items():
        # What hangs on a duplicate goes with it to the coding it collapses into.
        Memo.objects.filter(coding_id=duplicate).update(coding_id=keeper)
        ReviewNote.objects.filter(coding_id=duplicate).update(coding_id=keeper)
        cited = Evidence.objects.filter(coding_id=keeper).values("conclusion_id")
        Evidence.objects.filter(coding_id=duplicate).exclude(conclusion_id__in=cited).update(
            coding_id=keeper
        )
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


def record_event(
    coding: Coding, action: str, actor, *, detail: str = "", span=None, batch=None
) -> CodingEvent:
    """Write one history row for `coding` (the polling stream reads these too).

    `batch` (a UUID) groups the events of one user action, for undo and redo.
    """
    start, end = span or (coding.start, coding.end)
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


@transaction.atomic
def apply_code(
    *,
    source: Source,
    start: int,
    end: int,
    passage: str,
    code: Code,
    coder: AbstractBaseUser,
) -> Coding:
    """Code `source.text[start:end]`. Applying the same code twice is harmless."""
    if code.project_id != source.project_id:
        raise ValidationError(_("That code belongs to another project."))
    check_passage(source=source, start=start, end=end, passage=passage)
    require_codes([code])
    try:
        with transaction.atomic():
            coding = Coding.objects.create(
                source=source, code=code, coder=coder, start=start, end=end, passage=passage
            )
    except IntegrityError:
        return Coding.objects.get(source=source, code=code, coder=coder, start=start, end=end)
    record_event(coding, CodingEvent.Action.CREATED, coder)
    return coding


@transaction.atomic
def apply_codes(
    *,
    source: Source,
    start: int,
    end: int,
    passage: str,
    codes: list[Code],
    coder: AbstractBaseUser,
) -> list[Coding]:
    """Apply several codes to one selection in one transaction: all of them or none."""
    return [
        apply_code(source=source, start=start, end=end, passage=passage, code=code, coder=coder)
        for code in codes
    ]


@transaction.atomic
def apply_in_vivo(
    *, source: Source, start: int, end: int, passage: str, coder: AbstractBaseUser, parent=None
) -> Coding:
    """Create a code named after the selected words and apply it."""
    check_passage(source=source, start=start, end=end, passage=passage)
    name = " ".join(passage.split())
    if len(name) > 60:
        name = name[:59].rsplit(" ", 1)[0] + "…"
    code = Code.objects.filter(
        project_id=source.project_id, parent=parent, name__iexact=name
    ).first() or create_code(project=source.project, name=name, parent=parent, colour="#9467bd")
    return apply_code(source=source, start=start, end=end, passage=passage, code=code, coder=coder)


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
) -> Coding:
    """Give a coding another code and/or other boundaries."""
    old_span = (coding.start, coding.end)
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
    duplicate = Coding.objects.filter(
        source_id=coding.source_id,
        code_id=coding.code_id,
        coder_id=coding.coder_id,
        start=coding.start,
        end=coding.end,
    ).exclude(pk=coding.pk)
    if duplicate.exists():
        raise ValidationError(_("The same coder already has this code on this passage."))
    coding.save()
    span = (min(old_span[0], coding.start), max(old_span[1], coding.end))
    record_event(coding, CodingEvent.Action.CHANGED, actor, detail=" · ".join(details), span=span)
    return coding


@transaction.atomic
def remove_coding(*, coding: Coding, actor: AbstractBaseUser) -> None:
    """Remove a coding and record it; a coding already gone (a retry, a race) is left be."""
    lock_codes([coding.code_id])
    if not Coding.objects.select_for_update().filter(pk=coding.pk).exists():
        return
    record_event(coding, CodingEvent.Action.REMOVED, actor)
    coding.delete()
