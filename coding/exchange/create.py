"""Save a ProjectPlan as a new project, in one transaction."""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews import services as study
from interviews.models import Attribute, Case, CaseValue, Project

from ..models import Code, Coding, CodingEvent, Memo
from .plan import PlanCoding, ProjectPlan, match_users
from .refi import PALETTE

MAX_CODE_NAME = 120


@dataclass
class ImportResult:
    project: Project
    created_users: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _free_name(name: str, taken: set[str], limit: int) -> str:
    """`name`, or `name (2)`, `name (3)`... so that siblings stay distinct (case-blind)."""
    name = (" ".join(name.split()) or _("(unnamed)"))[:limit]
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[: limit - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _users(plan: ProjectPlan, result: ImportResult) -> dict[str, AbstractBaseUser]:
    User = get_user_model()
    users = {}
    for key, (existing, username) in match_users(plan.users).items():
        if existing is None and not username:
            continue  # not here, and not to be created: the importer stands in
        if existing is None:
            name = plan.users[key].name or username
            existing = User(username=username, first_name=name[:150], is_active=False)
            existing.set_unusable_password()
            existing.save()
            result.created_users.append(username)
        users[key] = existing
    return users


def _codes(plan: ProjectPlan, project: Project, result: ImportResult) -> dict[str, Code]:
    codes: dict[str, Code] = {}
    names: dict[str | None, set[str]] = {}
    used_guids: set[str] = set()
    reassigned = 0
    taken = {
        str(guid)
        for guid in Code.objects.filter(
            guid__in=[planned.guid for planned in plan.codes if planned.guid]
        ).values_list("guid", flat=True)
    }
    for index, planned in enumerate(plan.codes):
        parent = codes.get(planned.parent_key) if planned.parent_key else None
        siblings = names.setdefault(parent.pk if parent else None, set())
        guid = planned.guid
        if not guid or guid in used_guids or guid in taken:
            reassigned += bool(guid)
            guid = str(uuid.uuid4())
        used_guids.add(guid)
        codes[planned.key] = Code.objects.create(
            project=project,
            parent=parent,
            name=_free_name(planned.name, siblings, MAX_CODE_NAME),
            definition=planned.definition,
            colour=planned.colour or PALETTE[index % len(PALETTE)],
            order=len(siblings) - 1,
            guid=guid,
        )
    if reassigned:
        result.messages.append(
            ngettext(
                "%(n)s code already exists on this server under its GUID (probably in the "
                "project this file came from); it got a new GUID here.",
                "%(n)s codes already exist on this server under their GUID (probably in the "
                "project this file came from); they got new GUIDs here.",
                reassigned,
            )
            % {"n": reassigned}
        )
    return codes


def _cases(plan: ProjectPlan, project: Project) -> dict[str, Case]:
    attributes: dict[str, Attribute] = {}
    taken: set[str] = set()
    for order, planned in enumerate(plan.attributes):
        attributes[planned.key] = Attribute.objects.create(
            project=project,
            name=_free_name(planned.name, taken, 100),
            type=planned.type,
            order=order,
        )
    cases: dict[str, Case] = {}
    taken = set()
    values = []
    for planned in plan.cases:
        case = Case.objects.create(
            project=project,
            name=_free_name(planned.name, taken, 200),
            description=planned.description,
        )
        cases[planned.key] = case
        values.extend(
            CaseValue(case=case, attribute=attributes[key], value=value[:500])
            for key, value in planned.values.items()
            if key in attributes and value != ""
        )
    CaseValue.objects.bulk_create(values)
    return cases


@transaction.atomic
def create_project_from_plan(
    *, plan: ProjectPlan, owner: AbstractBaseUser | None, language: str = "id"
) -> ImportResult:
    """Create the project a plan describes; `owner` (if any) becomes its admin."""
    name = (plan.name.strip() or _("Imported project"))[:200]
    slug = study.unique_slug(name)
    if owner is not None:
        project = study.create_project(
            name=name, slug=slug, creator=owner, description=plan.description, language=language
        )
    else:
        project = Project.objects.create(
            name=name, slug=slug, description=plan.description, language=language
        )
    result = ImportResult(project=project)
    users = _users(plan, result)
    codes = _codes(plan, project, result)
    cases = _cases(plan, project)

    sources = {}
    for planned in plan.sources:
        sources[planned.key] = study.add_source(
            project=project,
            kind=planned.kind,
            title=(planned.title.strip() or _("Untitled source"))[:300],
            text=planned.text,
            created_by=users.get(planned.creator_key, owner),
            date=planned.date,
            place=planned.place[:200],
            author=planned.author[:200],
            cases=[cases[key] for key in planned.case_keys if key in cases],
            original=ContentFile(planned.original) if planned.original else None,
            original_name=planned.original_name[:255],
            format=planned.format[:10],
        )

    fallback = owner
    codings: dict[PlanCoding, Coding] = {}
    for planned in plan.codings:
        coder = users.get(planned.coder_key) or fallback
        if coder is None:
            fallback = coder = _placeholder_coder(result)
        source = sources[planned.source_key]
        codings.setdefault(
            planned,
            Coding(
                source=source,
                code=codes[planned.code_key],
                coder=coder,
                start=planned.start,
                end=planned.end,
                passage=source.text[planned.start : planned.end],
            ),
        )
    unique: dict[tuple, Coding] = {}
    for coding in codings.values():
        unique.setdefault(
            (coding.source_id, coding.code_id, coding.coder_id, coding.start, coding.end), coding
        )
    saved = Coding.objects.bulk_create(unique.values())
    CodingEvent.objects.bulk_create(
        CodingEvent(
            project=project,
            source_id=coding.source_id,
            coding_id=coding.pk,
            action=CodingEvent.Action.CREATED,
            actor=coding.coder,
            coder=coding.coder,
            code_name=coding.code.name,
            start=coding.start,
            end=coding.end,
            detail=_("imported"),
        )
        for coding in saved
    )
    by_plan = {
        planned: unique[(c.source_id, c.code_id, c.coder_id, c.start, c.end)]
        for planned, c in codings.items()
    }

    memos = []
    for planned in plan.memos:
        kind, key = planned.target
        target = {
            "source": {"source": sources.get(key)},
            "code": {"code": codes.get(key)},
            "coding": {"coding": by_plan.get(key)},
        }.get(kind, {})
        if any(value is None for value in target.values()):
            target = {}  # its target was not carried over: keep it on the project
        author = users.get(planned.author_key) or owner or fallback
        if author is None:
            fallback = author = _placeholder_coder(result)
        memos.append(
            Memo(
                project=project,
                author=author,
                title=planned.title[:200],
                text=planned.text,
                **target,
            )
        )
    Memo.objects.bulk_create(memos)
    return result


def _placeholder_coder(result: ImportResult):
    """Without an owner (command line, no --owner) someone must hold unattributed codings."""
    User = get_user_model()
    username = "imported"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=_("Imported"), is_active=False)
        user.set_unusable_password()
        user.save()
        result.created_users.append(username)
    return user
