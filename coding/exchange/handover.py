"""Handing a placeholder coder's work over to a real member of the project.

An import gives the work of each user of the file to a placeholder coder
(create.py). Once that person is a member, a project admin hands the work over:
the placeholder's codings, memos and sources become the member's, each coding's
change is written to its history, and the placeholder leaves the project. A coding
the member already has (same code, same passage) is not doubled: the placeholder's
copy collapses into the member's, with its memos, review notes and evidence.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interviews.models import Membership, Source

from ..models import Coding, CodingEvent, Memo
from ..services import move_attached


@transaction.atomic
def hand_over_work(
    *, placeholder: Membership, to: Membership, actor: AbstractBaseUser
) -> tuple[int, int]:
    """Give `placeholder`'s work to the member `to`; returns (codings moved, collapsed)."""
    if not placeholder.is_placeholder or to.is_placeholder:
        raise ValidationError(_("Hand the work of a placeholder coder over to a member."))
    if placeholder.project_id != to.project_id:
        raise ValidationError(_("Choose a member of this project."))
    project_id = placeholder.project_id
    mine = Coding.objects.filter(source__project_id=project_id)
    codings = list(
        mine.filter(coder_id=placeholder.user_id)
        .select_for_update(of=("self",))
        .select_related("code")
    )
    kept = {
        (source_id, code_id, start, end): pk
        for pk, source_id, code_id, start, end in mine.filter(coder_id=to.user_id).values_list(
            "pk", "source_id", "code_id", "start", "end"
        )
    }
    duplicates = {}
    for coding in codings:
        keeper = kept.get((coding.source_id, coding.code_id, coding.start, coding.end))
        if keeper is not None:
            duplicates[coding.pk] = keeper
    move_attached(duplicates)
    detail = CodingEvent.encode_detail(
        "handover", placeholder=placeholder.user.get_username(), member=to.user.get_username()
    )
    CodingEvent.objects.bulk_create(
        CodingEvent(
            project_id=project_id,
            source_id=coding.source_id,
            coding_id=coding.pk,
            action=CodingEvent.Action.REMOVED
            if coding.pk in duplicates
            else CodingEvent.Action.CHANGED,
            actor=actor,
            coder_id=to.user_id,  # the work is theirs from now on (blind coding shows it them)
            code_name=coding.code.name,
            start=coding.start,
            end=coding.end,
            detail=detail[:300],
        )
        for coding in codings
    )
    Coding.objects.filter(pk__in=duplicates).delete()
    moved = Coding.objects.filter(pk__in=[c.pk for c in codings if c.pk not in duplicates])
    count = moved.update(coder_id=to.user_id, updated_at=timezone.now())
    Memo.objects.filter(project_id=project_id, author_id=placeholder.user_id).update(
        author_id=to.user_id
    )
    Source.objects.filter(project_id=project_id, created_by_id=placeholder.user_id).update(
        created_by_id=to.user_id
    )
    placeholder.delete()
    return count, len(duplicates)
