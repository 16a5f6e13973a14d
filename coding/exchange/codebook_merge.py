"""Merging an incoming code tree (from a QDC file or a CSV) into a project's codebook.

An incoming code matches an existing one by GUID first, then by name (ignoring
case) among the children of the code its parent matched. A match by GUID whose
name differs is a rename. A match whose definition or colour differs (and the file
gives one) is an update. Anything unmatched is added, with its file GUID if that
GUID is not taken on this server. Codes are never moved or deleted by a merge.

`plan_merge` only reads; the preview shows its changes. `apply_merge` plans again
inside a transaction (the codebook may have changed since the preview) and applies.
"""

import json
import uuid
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from interviews.models import Project

from ..models import Code
from .refi import PALETTE
from .safety import ExchangeError

MAX_NAME = 120


@dataclass
class Incoming:
    name: str
    guid: str | None = None
    colour: str | None = None
    definition: str | None = None  # None: the file says nothing about it
    children: list["Incoming"] = field(default_factory=list)
    codable: bool = True  # REFI-QDA isCodable, kept for new codes


@dataclass
class Change:
    action: str  # "add" | "rename" | "update"
    path: str
    detail: str = ""
    code: Code | None = None  # the existing code (rename, update)
    parent: object = None  # Code, a Change (a code added earlier in this merge) or None
    incoming: Incoming | None = None
    made: Code | None = None  # filled in by apply_merge for "add"


@dataclass
class MergePlan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[Change]:
        return [change for change in self.changes if change.action == action]

    @property
    def added(self) -> list[Change]:
        return self.of("add")

    @property
    def renamed(self) -> list[Change]:
        return self.of("rename")

    @property
    def updated(self) -> list[Change]:
        return self.of("update")


def _clean(name: str) -> str:
    return " ".join(name.split())[:MAX_NAME]


class _Merger:
    """One merge of an incoming tree into a project's codebook: reads, never writes."""

    def __init__(self, project: Project, tree: list[Incoming]):
        codes = list(Code.objects.filter(project=project))
        self.by_guid = {str(code.guid): code for code in codes}
        self.children: dict[int | None, list[Code]] = {}
        for code in codes:
            self.children.setdefault(code.parent_id, []).append(code)
        self.guids_elsewhere = {
            str(guid)
            for guid in Code.objects.exclude(project=project)
            .filter(guid__in=[g for g in _guids(tree) if g])
            .values_list("guid", flat=True)
        }
        self.plan = MergePlan()
        self.added: dict = {}

    def sibling(self, parent: Code | None, name: str) -> Code | None:
        key = parent.pk if parent else None
        return next((c for c in self.children.get(key, []) if c.name.lower() == name.lower()), None)

    def add(self, node: Incoming, parent, path: str) -> None:
        key = (id(parent), node.name.lower())
        if key in self.added:  # the same name twice under one parent: one code
            change = self.added[key]
        else:
            guid = node.guid if node.guid and node.guid not in self.by_guid else None
            guid = guid if guid not in self.guids_elsewhere else None
            incoming = Incoming(
                name=node.name,
                guid=guid,
                colour=node.colour,
                definition=node.definition,
                codable=node.codable,
            )
            change = Change("add", path, parent=parent, incoming=incoming)
            self.added[key] = change
            self.plan.changes.append(change)
        for child in node.children:
            child.name = _clean(child.name) or _("(unnamed)")
            self.add(child, change, f"{path} › {child.name}")

    def walk(self, nodes: list[Incoming], parent: Code | None, trail: str) -> None:
        for node in nodes:
            node.name = _clean(node.name) or _("(unnamed)")
            path = f"{trail} › {node.name}" if trail else node.name
            match = self.by_guid.get(node.guid or "")
            if match is not None and (match.parent_id != (parent.pk if parent else None)):
                self.plan.problems.append(
                    _(
                        "“%(path)s” is elsewhere in this codebook (as “%(name)s”); "
                        "it was left where it is."
                    )
                    % {"path": path, "name": match.name}
                )
            if match is None:
                match = self.sibling(parent, node.name)
            if match is None:
                self.add(node, parent, path)
                continue
            changed = self.rename(match, node, path)
            changed = self.update(match, node, path) or changed
            self.plan.unchanged += not changed
            self.walk(node.children, match, path)

    def rename(self, match: Code, node: Incoming, path: str) -> bool:
        if match.name == node.name or str(match.guid) != node.guid:
            return False
        clash = self.sibling(match.parent, node.name)
        if clash is not None and clash.pk != match.pk:
            self.plan.problems.append(
                _("“%(old)s” cannot be renamed to “%(new)s”: that name is taken there.")
                % {"old": match.name, "new": node.name}
            )
            return False
        self.plan.changes.append(Change("rename", path, match.name, code=match, incoming=node))
        return True

    def update(self, match: Code, node: Incoming, path: str) -> bool:
        details = []
        if node.definition and node.definition.strip() != match.definition.strip():
            details.append(_("definition"))
        if node.colour and node.colour.lower() != match.colour.lower():
            details.append(_("colour"))
        if details:
            self.plan.changes.append(
                Change("update", path, ", ".join(details), code=match, incoming=node)
            )
        return bool(details)


def plan_merge(project: Project, tree: list[Incoming]) -> MergePlan:
    merger = _Merger(project, tree)
    merger.walk(tree, None, "")
    return merger.plan


def dump_tree(tree: list[Incoming]) -> bytes:
    """The incoming tree as JSON, kept between the preview and the confirmation."""
    return json.dumps([asdict(node) for node in tree], ensure_ascii=False).encode("utf-8")


def load_tree(data: bytes) -> list[Incoming]:
    def node(values: dict) -> Incoming:
        return Incoming(**{**values, "children": [node(child) for child in values["children"]]})

    try:
        return [node(values) for values in json.loads(data)]
    except (ValueError, KeyError, TypeError):
        raise ExchangeError(_("The uploaded file is no longer here. Upload it again.")) from None


def _guids(tree: list[Incoming]):
    for node in tree:
        yield node.guid
        yield from _guids(node.children)


@transaction.atomic
def apply_merge(project: Project, tree: list[Incoming]) -> MergePlan:
    """Plan again and apply; returns the plan that was applied."""
    plan = plan_merge(project, tree)
    count = Code.objects.filter(project=project).count()
    for change in plan.changes:
        node = change.incoming
        if change.action == "add":
            parent = change.parent.made if isinstance(change.parent, Change) else change.parent
            top = Code.objects.filter(project=project, parent=parent).aggregate(m=Max("order"))["m"]
            change.made = Code.objects.create(
                project=project,
                parent=parent,
                name=node.name,
                definition=(node.definition or "").strip(),
                colour=node.colour or PALETTE[count % len(PALETTE)],
                order=0 if top is None else top + 1,
                guid=node.guid or uuid.uuid4(),
                is_codable=node.codable,
            )
            count += 1
        elif change.action == "rename":
            change.code.name = node.name
            change.code.save(update_fields=["name"])
        else:
            if node.definition and node.definition.strip():
                change.code.definition = node.definition.strip()
            if node.colour:
                change.code.colour = node.colour
            change.code.save(update_fields=["definition", "colour"])
    return plan
