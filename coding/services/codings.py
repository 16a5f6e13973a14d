"""Writes to the codings: apply (one code, several, in vivo), change, remove, locks.

Each keeps its invariants in one transaction and records its events (`history`).
"""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interviews.models import Source

from ..models import Code, Coding, CodingEvent
from .codes import create_code, lock_codes, require_codes
from .history import _snapshot, record_event


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
