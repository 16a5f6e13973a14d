"""What an imported project file holds, read into plain data before anything is saved.

Both importers (QDPX and Taguette) produce a `ProjectPlan`; the import page shows
its summary and problems, and `create.create_project_from_plan` saves it in one
transaction. Keys are strings that only link the parts of one plan together.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _


@dataclass
class PlanUser:
    key: str
    name: str
    username_hint: str = ""  # REFI-QDA "id", or a Taguette login
    create_missing: bool = True  # else someone not found here is replaced by the importer


@dataclass
class PlanCode:
    key: str
    name: str
    parent_key: str | None
    colour: str | None = None
    definition: str = ""
    guid: str | None = None


@dataclass
class PlanAttribute:
    key: str
    name: str
    type: str


@dataclass
class PlanCase:
    key: str
    name: str
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)  # attribute key -> canonical text


@dataclass
class PlanSource:
    key: str
    title: str
    text: str  # canonical (normalise_text) form
    kind: str = "interview"
    date: dt.date | None = None
    place: str = ""
    author: str = ""
    creator_key: str | None = None
    original_name: str = ""
    original: bytes | None = None
    format: str = "txt"
    case_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanCoding:
    source_key: str
    code_key: str
    coder_key: str | None
    start: int
    end: int


@dataclass
class PlanMemo:
    text: str
    title: str = ""
    author_key: str | None = None
    # ("project", None) | ("source", key) | ("code", key) | ("coding", PlanCoding)
    target: tuple = ("project", None)


@dataclass
class ProjectPlan:
    name: str
    description: str = ""
    users: dict[str, PlanUser] = field(default_factory=dict)
    codes: list[PlanCode] = field(default_factory=list)  # parents before children
    attributes: list[PlanAttribute] = field(default_factory=list)
    cases: list[PlanCase] = field(default_factory=list)
    sources: list[PlanSource] = field(default_factory=list)
    codings: list[PlanCoding] = field(default_factory=list)
    memos: list[PlanMemo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # something in the file is wrong
    not_carried: list[str] = field(default_factory=list)  # valid, but we have no place for it
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing lost

    def summary(self) -> list[tuple[str, int]]:
        return [
            (_("Sources"), len(self.sources)),
            (_("Codes"), len(self.codes)),
            (_("Codings"), len(self.codings)),
            (_("Cases"), len(self.cases)),
            (_("Case attributes"), len(self.attributes)),
            (_("Memos (notes)"), len(self.memos)),
            (_("Coders"), len(self.users)),
        ]


_USERNAME_BAD = re.compile(r"[^\w.@+-]+")


def username_from(name: str) -> str:
    """A valid Django username made from a person's name."""
    cleaned = _USERNAME_BAD.sub("_", "_".join(name.split())).strip("_")
    return (cleaned or "coder")[:140]


def match_users(users: dict[str, PlanUser]) -> dict[str, tuple[object | None, str]]:
    """For each user key: (the existing user it maps to or None, the username to use).

    A file user maps to an existing account whose username equals its id or its
    name; otherwise a new inactive account will be named after it (or, if the user
    says create_missing=False, the username is "" and the importer stands in).
    """
    User = get_user_model()
    result: dict[str, tuple[object | None, str]] = {}
    taken: set[str] = set()
    for key, user in users.items():
        existing = None
        for candidate in (user.username_hint, user.name):
            candidate = (candidate or "").strip()
            if candidate:
                existing = User.objects.filter(username=candidate).first()
                if existing is not None:
                    break
        if existing is not None:
            result[key] = (existing, existing.get_username())
            continue
        if not user.create_missing:
            result[key] = (None, "")
            continue
        base = username_from(user.name or user.username_hint)
        username, n = base, 2
        while username in taken or User.objects.filter(username=username).exists():
            username, n = f"{base}-{n}", n + 1
        taken.add(username)
        result[key] = (None, username)
    return result


def coder_rows(plan: ProjectPlan) -> list[dict]:
    """How each coder in the file will be carried over, for the preview."""
    rows = []
    for key, (existing, username) in match_users(plan.users).items():
        user = plan.users[key]
        status = "existing" if existing is not None else "new" if username else "you"
        rows.append(
            {"name": user.name or user.username_hint, "username": username, "status": status}
        )
    return rows
