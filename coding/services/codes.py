"""Writes to the codebook: create, rename checks, move, merge, delete, seed a codebook.

Every write that moves, deletes or codes with a code locks it first (`lock_codes`).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from interviews.models import Project

from ..codebook import DEFAULT_CODEBOOK
from ..models import Code, Coding, CodingEvent, Evidence, Memo, ReviewNote

MAX_CODE_NAME = 120


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
    try:
        # The database checks the name (its two unique constraints on the lower-cased
        # name, as `name__iexact` compares): one query fewer than asking first, and a
        # concurrent request that took the name is caught the same way.
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
    move_attached(duplicates)
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


def move_attached(duplicates: dict[int, int]) -> None:
    """What hangs on each duplicate coding (memos, review notes, evidence) goes with it to
    the coding it collapses into (merging codes, handing work over)."""
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
