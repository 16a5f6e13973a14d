"""Save a ProjectPlan as a new project, in one transaction.

Who did the work: every user of the file becomes a placeholder coder of the new
project (an account that cannot sign in, named after its REFI-QDA id and this
project, its id and GUID kept on the membership). An import never attributes work
to an account of this server other than the importer's own: work whose author the
file does not name goes to the importer. A project admin may later hand a
placeholder's work over to a member (handover.py).
"""

import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews import services as study
from interviews.models import Attribute, Case, CaseValue, Membership, Project, Source

from ..models import Code, Coding, CodingEvent, ImportedText, Memo
from .plan import PlanCoding, ProjectPlan
from .refi import PALETTE

MAX_CODE_NAME = 120
BATCH = 2_000

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    pass


@dataclass
class ImportResult:
    project: Project
    placeholders: list[str] = field(default_factory=list)  # usernames made
    messages: list[str] = field(default_factory=list)


def free_name(name: str, taken: set[str], limit: int) -> str:
    """`name`, or `name (2)`, `name (3)`... so that siblings stay distinct (case-blind)."""
    name = (" ".join(name.split()) or _("(unnamed)"))[:limit]
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[: limit - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def placeholder_username(refi_id: str, project: Project) -> str:
    """`<id>@<project>`: visibly imported, and never the name of an account elsewhere."""
    User = get_user_model()
    base = "_".join(refi_id.split())[:80] or "coder"  # with "@" and the slug: under 150
    username, n = f"{base}@{project.slug}", 2
    while User.objects.filter(username=username).exists():
        username, n = f"{base}-{n}@{project.slug}", n + 1
    return username


def make_placeholder(
    *, project: Project, refi_id: str, name: str = "", guid: str | None = None
) -> AbstractBaseUser:
    """A coder of `project` standing for someone in an imported file; it cannot sign in."""
    User = get_user_model()
    user = User(
        username=placeholder_username(refi_id, project),
        first_name=(name or refi_id)[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    Membership.objects.create(
        project=project,
        user=user,
        role=Membership.Role.RESEARCHER,
        placeholder_id=refi_id[:150],
        placeholder_guid=guid or uuid.uuid4(),
    )
    return user


def _users(plan: ProjectPlan, project: Project, result: ImportResult) -> dict:
    users = {}
    for key, planned in plan.users.items():
        user = make_placeholder(
            project=project, refi_id=planned.refi_id, name=planned.name, guid=planned.guid
        )
        result.placeholders.append(user.get_username())
        users[key] = user
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
            name=free_name(planned.name, siblings, MAX_CODE_NAME),
            definition=planned.definition,
            colour=planned.colour or PALETTE[index % len(PALETTE)],
            order=len(siblings) - 1,
            guid=guid,
            is_codable=planned.codable,
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
            name=free_name(planned.name, taken, 100),
            type=planned.type,
            order=order,
        )
    cases: dict[str, Case] = {}
    taken = set()
    values = []
    for planned in plan.cases:
        case = Case.objects.create(
            project=project,
            name=free_name(planned.name, taken, 200),
            description=planned.description,
        )
        cases[planned.key] = case
        values.extend(
            CaseValue(case=case, attribute=attributes[key], value=value[:500])
            for key, value in planned.values.items()
            if key in attributes and value != ""
        )
    CaseValue.objects.bulk_create(values, batch_size=BATCH)
    return cases


def _sources(
    plan: ProjectPlan, project: Project, users, cases, owner, progress: Progress, files: list
) -> dict[str, Source]:
    """Each source with its text as read (a QDPX text verbatim, any other canonical).

    The originals stored go into `files`, to be deleted if the import fails: a
    rollback does not reach the storage.
    """
    sources = {}
    total = len(plan.sources) + len(plan.codings)
    for done, planned in enumerate(plan.sources, 1):
        text = planned.text
        source = Source(
            project=project,
            kind=planned.kind,
            title=(planned.title.strip() or _("Untitled source"))[:300],
            text=text,
            word_count=len(text.split()),
            date=planned.date,
            place=planned.place[:200],
            author=planned.author[:200],
            created_by=users.get(planned.creator_key, owner),
            original_name=planned.original_name[:255],
            format=planned.format[:10],
        )
        if planned.original:
            source.original.save(
                planned.original_name or "original", ContentFile(planned.original), save=False
            )
            files.append(source.original)
        source.save()
        source.cases.set([cases[key] for key in planned.case_keys if key in cases])
        if planned.plain is not None:
            ImportedText.objects.create(source=source, data=zlib.compress(planned.plain))
        sources[planned.key] = source
        progress(done, total)
    return sources


class _Coders:
    """Who holds work the file names nobody for: the importer, else one placeholder."""

    def __init__(self, project: Project, users: dict, owner, result: ImportResult):
        self.project, self.users, self.owner, self.result = project, users, owner, result
        self.unknown = None

    def __call__(self, key: str | None):
        if key in self.users:
            return self.users[key]
        if self.owner is not None:
            return self.owner
        if self.unknown is None:
            self.unknown = make_placeholder(project=self.project, refi_id=_("unknown"))
            self.result.placeholders.append(self.unknown.get_username())
        return self.unknown


def _codings(
    plan: ProjectPlan, project, sources, codes, coder_of, progress: Progress
) -> dict[PlanCoding, int]:
    """Save the codings (duplicates once) and their history; plan coding -> coding id."""
    unique: dict[tuple, Coding] = {}
    of_plan: dict[PlanCoding, tuple] = {}
    for planned in plan.codings:
        source, coder = sources[planned.source_key], coder_of(planned.coder_key)
        key = (source.pk, codes[planned.code_key].pk, coder.pk, planned.start, planned.end)
        of_plan[planned] = key
        if key not in unique:
            unique[key] = Coding(
                source=source,
                code=codes[planned.code_key],
                coder=coder,
                start=planned.start,
                end=planned.end,
                passage=source.text[planned.start : planned.end],
            )
    saved, rows = [], list(unique.values())
    done, total = len(plan.sources), len(plan.sources) + len(plan.codings)
    for first in range(0, len(rows), BATCH):
        saved += Coding.objects.bulk_create(rows[first : first + BATCH])
        progress(min(total, done + first + BATCH), total)
    detail = CodingEvent.encode_detail("imported")
    CodingEvent.objects.bulk_create(
        (
            CodingEvent(
                project=project,
                source_id=coding.source_id,
                coding_id=coding.pk,
                action=CodingEvent.Action.CREATED,
                actor_id=coding.coder_id,
                coder_id=coding.coder_id,
                code_name=coding.code.name,
                start=coding.start,
                end=coding.end,
                detail=detail,
            )
            for coding in saved
        ),
        batch_size=BATCH,
    )
    return {planned: unique[key].pk for planned, key in of_plan.items()}


def _memos(plan: ProjectPlan, project, sources, codes, codings, author_of) -> None:
    memos = []
    for planned in plan.memos:
        kind, key = planned.target
        target = {
            "source": {"source": sources.get(key)},
            "code": {"code": codes.get(key)},
            "coding": {"coding_id": codings.get(key)},
        }.get(kind, {})
        if any(value is None for value in target.values()):
            target = {}  # its target was not carried over: keep it on the project
        memos.append(
            Memo(
                project=project,
                author=author_of(planned.author_key),
                title=planned.title[:200],
                text=planned.text,
                **target,
            )
        )
    Memo.objects.bulk_create(memos, batch_size=BATCH)


def _new_project(plan: ProjectPlan, owner, language: str) -> Project:
    name = (plan.name.strip() or _("Imported project"))[:200]
    slug = study.unique_slug(name)
    if owner is not None:
        return study.create_project(
            name=name, slug=slug, creator=owner, description=plan.description, language=language
        )
    return Project.objects.create(
        name=name, slug=slug, description=plan.description, language=language
    )


@transaction.atomic
def create_project_from_plan(
    *,
    plan: ProjectPlan,
    owner: AbstractBaseUser | None,
    language: str = "id",
    progress: Progress = _no_progress,
) -> ImportResult:
    """Create the project a plan describes; `owner` (if any) becomes its admin.

    `progress(done, total)` counts the sources, then the codings, as they are saved.
    """
    project = _new_project(plan, owner, language)
    result = ImportResult(project=project)
    users = _users(plan, project, result)
    codes = _codes(plan, project, result)
    cases = _cases(plan, project)
    files: list = []
    try:
        sources = _sources(plan, project, users, cases, owner, progress, files)
        coder_of = _Coders(project, users, owner, result)
        codings = _codings(plan, project, sources, codes, coder_of, progress)
        _memos(plan, project, sources, codes, codings, coder_of)
    except BaseException:
        for file in files:
            file.delete(save=False)
        raise
    return result
