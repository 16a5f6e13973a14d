"""What an imported project file holds, read into plain data before anything is saved.

Both importers (QDPX and Taguette) produce a `ProjectPlan`; the import page shows
its summary and problems, and `create.create_project_from_plan` saves it in one
transaction. Keys are strings that only link the parts of one plan together.

The preview's plan is what the confirmation saves: `dump_plan` writes it as JSON
(kept in default_storage between the two requests, see pending.py) and `load_plan`
reads it back, so a file is parsed once.
"""

import base64
import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields

from django.utils.translation import gettext as _

from .safety import ExchangeError

PLAN_VERSION = 1


@dataclass
class PlanUser:
    """A user of the file; saved as a placeholder coder of the new project."""

    key: str
    refi_id: str  # the REFI-QDA id as written (else its name), or a Taguette login
    name: str = ""
    guid: str | None = None


@dataclass
class PlanCode:
    key: str
    name: str
    parent_key: str | None
    colour: str | None = None
    definition: str = ""
    guid: str | None = None
    codable: bool = True


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
    text: str
    kind: str = "interview"
    date: dt.date | None = None
    place: str = ""
    author: str = ""
    creator_key: str | None = None
    original_name: str = ""
    original: bytes | None = None
    format: str = "txt"
    case_keys: list[str] = field(default_factory=list)
    # True: `text` is exactly what the file holds (a QDPX text, see qdpx_text.py);
    # False: it is put in the canonical form (normalise_text) when saved.
    verbatim: bool = False
    plain: bytes | None = None  # the file's .txt, where it differs from `text` in UTF-8


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
    unused_users: list[str] = field(default_factory=list)  # users of the file without work

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


def coder_rows(plan: ProjectPlan) -> list[dict]:
    """Each user of the file with their work, for the preview: all become placeholders."""
    codings: dict[str | None, int] = {}
    for coding in plan.codings:
        codings[coding.coder_key] = codings.get(coding.coder_key, 0) + 1
    memos: dict[str | None, int] = {}
    for memo in plan.memos:
        memos[memo.author_key] = memos.get(memo.author_key, 0) + 1
    return [
        {
            "refi_id": user.refi_id,
            "name": user.name,
            "codings": codings.get(key, 0),
            "memos": memos.get(key, 0),
        }
        for key, user in plan.users.items()
    ]


# Keeping a plan between the preview and the confirmation.


def dump_plan(plan: ProjectPlan) -> bytes:
    index = {coding: n for n, coding in enumerate(plan.codings)}
    data = asdict(plan)
    data["version"] = PLAN_VERSION
    data["codings"] = [list(_coding_row(coding)) for coding in plan.codings]
    for source, planned in zip(data["sources"], plan.sources, strict=True):
        source["date"] = planned.date.isoformat() if planned.date else None
        source["original"] = _b64(planned.original)
        source["plain"] = _b64(planned.plain)
    for memo, planned in zip(data["memos"], plan.memos, strict=True):
        kind, key = planned.target
        memo["target"] = [kind, index[key] if kind == "coding" else key]
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _coding_row(coding: PlanCoding) -> tuple:
    return (coding.source_key, coding.code_key, coding.coder_key, coding.start, coding.end)


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _build(cls, values: dict):
    names = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in values.items() if key in names})


def load_plan(data: bytes) -> ProjectPlan:
    """The plan `dump_plan` wrote; ExchangeError if it is not one (an older version)."""
    try:
        raw = json.loads(data)
        if raw.get("version") != PLAN_VERSION:
            raise ValueError(raw.get("version"))
        codings = [PlanCoding(*row) for row in raw.pop("codings")]
        plan = _build(ProjectPlan, raw)
        plan.users = {key: _build(PlanUser, user) for key, user in raw["users"].items()}
        plan.codes = [_build(PlanCode, code) for code in raw["codes"]]
        plan.attributes = [_build(PlanAttribute, item) for item in raw["attributes"]]
        plan.cases = [_build(PlanCase, case) for case in raw["cases"]]
        plan.sources = [_load_source(source) for source in raw["sources"]]
        plan.codings = codings
        plan.memos = [_load_memo(memo, codings) for memo in raw["memos"]]
    except (ValueError, KeyError, TypeError, IndexError):
        raise ExchangeError(_("The uploaded file is no longer here. Upload it again.")) from None
    return plan


def _load_source(values: dict) -> PlanSource:
    source = _build(PlanSource, values)
    source.date = dt.date.fromisoformat(values["date"]) if values["date"] else None
    source.original = base64.b64decode(values["original"]) if values["original"] else None
    source.plain = base64.b64decode(values["plain"]) if values["plain"] else None
    return source


def _load_memo(values: dict, codings: list[PlanCoding]) -> PlanMemo:
    memo = _build(PlanMemo, values)
    kind, key = values["target"]
    memo.target = (kind, codings[key] if kind == "coding" else key)
    return memo
