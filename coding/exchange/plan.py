"""What an imported project file holds, read into plain data before anything is saved.

Both importers (QDPX and Taguette) produce a `ProjectPlan`; the import page shows
its summary and problems, and `create.create_project_from_plan` saves it in one
transaction. Keys are strings that only link the parts of one plan together.

The preview's plan is what the confirmation saves: `dump_plan` writes it (kept in
default_storage between the two requests, see pending.py) and `load_plan` reads it
back, so a file is parsed once.
"""

import datetime as dt
import io
import json
import zipfile
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
    # Saved as it is: a QDPX text verbatim (qdpx_text.py), any other in canonical form.
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
#
# A zip (stored, not compressed): plan.json holds everything but the sources' texts
# and files, which are members of their own, so the plan is never copied whole into
# one string.


def dump_plan(plan: ProjectPlan) -> io.BytesIO:
    """The plan, written for default_storage (pending.py); read back by `load_plan`."""
    index = {coding: n for n, coding in enumerate(plan.codings)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        sources = []
        for n, source in enumerate(plan.sources):
            values = {f.name: getattr(source, f.name) for f in fields(PlanSource)}
            values["date"] = source.date.isoformat() if source.date else None
            for name in ("text", "original", "plain"):
                data = values.pop(name)
                if data is not None:
                    archive.writestr(f"{name}/{n}", data.encode() if name == "text" else data)
            sources.append(values)
        data = {
            "version": PLAN_VERSION,
            **{name: getattr(plan, name) for name in _LISTS},
            "name": plan.name,
            "description": plan.description,
            "users": {key: asdict(user) for key, user in plan.users.items()},
            "codes": [asdict(code) for code in plan.codes],
            "attributes": [asdict(item) for item in plan.attributes],
            "cases": [asdict(case) for case in plan.cases],
            "sources": sources,
            "codings": [_coding_row(coding) for coding in plan.codings],
            "memos": [_memo_row(memo, index) for memo in plan.memos],
        }
        archive.writestr("plan.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
    buffer.seek(0)
    return buffer


_LISTS = ("problems", "not_carried", "notes", "unused_users")


def _coding_row(coding: PlanCoding) -> list:
    return [coding.source_key, coding.code_key, coding.coder_key, coding.start, coding.end]


def _memo_row(memo: PlanMemo, index: dict[PlanCoding, int]) -> dict:
    kind, key = memo.target
    target = [kind, index[key] if kind == "coding" else key]
    return {"text": memo.text, "title": memo.title, "author_key": memo.author_key, "target": target}


def load_plan(data: bytes) -> ProjectPlan:
    """The plan `dump_plan` wrote; ExchangeError if it is not one (an older version)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            raw = _without_nul(json.loads(archive.read("plan.json")))
            if raw.get("version") != PLAN_VERSION:
                raise ValueError(raw.get("version"))
            codings = [PlanCoding(*row) for row in raw["codings"]]
            plan = ProjectPlan(name=raw["name"], description=raw["description"])
            for name in _LISTS:
                setattr(plan, name, raw[name])
            plan.users = {key: PlanUser(**user) for key, user in raw["users"].items()}
            plan.codes = [PlanCode(**code) for code in raw["codes"]]
            plan.attributes = [PlanAttribute(**item) for item in raw["attributes"]]
            plan.cases = [PlanCase(**case) for case in raw["cases"]]
            plan.sources = [_load_source(archive, n, s) for n, s in enumerate(raw["sources"])]
            plan.codings = codings
            plan.memos = [_load_memo(memo, codings) for memo in raw["memos"]]
    except (ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile):
        raise ExchangeError(_("The uploaded file is no longer here. Upload it again.")) from None
    return plan


def _without_nul(value):
    """Names, notes and descriptions without NUL, which PostgreSQL cannot store."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def _member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None


def _load_source(archive: zipfile.ZipFile, n: int, values: dict) -> PlanSource:
    source = PlanSource(**values, text=(_member(archive, f"text/{n}") or b"").decode("utf-8"))
    source.date = dt.date.fromisoformat(values["date"]) if values["date"] else None
    source.original = _member(archive, f"original/{n}")
    source.plain = _member(archive, f"plain/{n}")
    return source


def _load_memo(values: dict, codings: list[PlanCoding]) -> PlanMemo:
    kind, key = values["target"]
    return PlanMemo(
        text=values["text"],
        title=values["title"],
        author_key=values["author_key"],
        target=(kind, codings[key] if kind == "coding" else key),
    )
