"""Read a REFI-QDA project file (.qdpx) into a ProjectPlan, tolerant of what tools write.

Tolerated: GUIDs in any case, with or without braces; project.qde and sources/ in
any letter case; plainTextPath as internal://, a bare file name, or a relative or
absolute path (matched by file name inside the zip); codes used as folders
(isCodable="false"); a text source whose .txt is missing or empty but whose
.docx/.pdf is there (its text is extracted; positions may not match, and it says
so); extra files; a file that does not validate (read as far as possible); another
namespace (elements are read by local name).

Positions are code points, end exclusive; a selection outside its text is reported
and left out, never clamped. Texts are kept as the file has them (qdpx_text.py),
so positions stay the other tool's; sources are read in qdpx_sources.py. Users
become placeholder coders (create.py): never an account of this server.
"""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from interviews.forms import value_to_text
from interviews.models import Attribute, Source

from .limits import check_source_count
from .plan import PlanAttribute, PlanCase, PlanCode, PlanMemo, PlanUser, ProjectPlan
from .qdpx_counts import COUNTED
from .qdpx_export import KIND_SETS
from .qdpx_files import ZipFiles
from .qdpx_sources import METADATA, SourcesMixin, unique_titles
from .refi import NS_PROJECT, kid, kid_text, kids, local, parse_guid, read_codes, schema
from .safety import ExchangeError, open_zip, parse_xml

TYPES = {
    "text": Attribute.Type.TEXT,
    "integer": Attribute.Type.INTEGER,
    "float": Attribute.Type.FLOAT,
    "boolean": Attribute.Type.BOOLEAN,
    "date": Attribute.Type.DATE,
    "datetime": Attribute.Type.TEXT,
}
KIND_NAMES = {
    **{name.lower(): kind for kind, name in KIND_SETS.items()},
    "observations": Source.Kind.OBSERVATION,
    "wawancara": Source.Kind.INTERVIEW,
    "observasi": Source.Kind.OBSERVATION,
    "catatan observasi": Source.Kind.OBSERVATION,
    "dokumen": Source.Kind.DOCUMENT,
}


def _each(element, container: str, item: str) -> list:
    holder = kid(element, container) if element is not None else None
    return kids(holder, item) if holder is not None else []


class _Reader(SourcesMixin):
    def __init__(self, files: ZipFiles, plan: ProjectPlan):
        self.files = files
        self.plan = plan
        self.counted: Counter = Counter()
        self.variables: dict[str, PlanAttribute] = {}
        self.used_on_cases: set[str] = set()
        self.code_keys: set[str] = set()
        self.kinds: dict[str, str] = {}  # source GUID -> kind (from sets)
        self.cases_of: dict[str, list[str]] = defaultdict(list)  # source or selection -> cases
        self.selections: dict[str, str] = {}  # selection GUID -> source key
        self.anchors: dict[str, tuple] = {}  # selection GUID -> where its notes go
        self.note_targets: dict[str, tuple] = {}
        self.extra_targets = 0

    def run(self, root) -> ProjectPlan:
        plan = self.plan
        plan.name = (root.get("name") or "").strip()
        plan.description = kid_text(root, "Description").strip()
        self.origin = (root.get("origin") or "").strip() or _("The other program")
        for user in _each(root, "Users", "User"):
            self.add_user(user)
        codes = kid(kid(root, "CodeBook"), "Codes") if kid(root, "CodeBook") is not None else None
        if codes is not None:
            self.add_codes(read_codes(codes), None)
        for variable in _each(root, "Variables", "Variable"):
            self.add_variable(variable)
        for case in _each(root, "Cases", "Case"):
            self.add_case(case)
        for element in _each(root, "Sets", "Set"):
            self.read_set(element)
        sources = kid(root, "Sources")
        sources = list(sources) if sources is not None else []
        check_source_count(sum(local(e) in {"TextSource", "PDFSource"} for e in sources))
        for element in sources:
            self.add_source(element)
        for ref in kids(root, "NoteRef"):
            self.target(ref, ("project", None))
        for link in _each(root, "Links", "Link"):
            ends = parse_guid(link.get("originGUID")), parse_guid(link.get("targetGUID"))
            pairs = [(note, other) for note, other in (ends, ends[::-1]) if other in self.anchors]
            for note, other in pairs:
                self.note_targets.setdefault(note, self.anchors[other])
            self.counted["Links"] += not pairs
        for note in _each(root, "Notes", "Note"):
            self.add_note(note)
        self.counted["Graphs"] = len(_each(root, "Graphs", "Graph"))
        self.finish()
        return plan

    def target(self, ref, target: tuple) -> None:
        note = parse_guid(ref.get("targetGUID"))
        if note and note in self.note_targets:
            self.extra_targets += 1
        elif note:
            self.note_targets[note] = target

    def add_user(self, element) -> None:
        """A user becomes a placeholder coder, named by its id as written (else its name)."""
        key = parse_guid(element.get("guid"))
        if not key:
            return
        name = (element.get("name") or "").strip()
        refi_id = (element.get("id") or "").strip() or name or key[:8]
        self.plan.users[key] = PlanUser(key=key, refi_id=refi_id, name=name, guid=key)

    # Codebook, variables, cases, sets

    def add_codes(self, codes, parent_key) -> None:
        for code in codes:
            key = code.guid or f"code:{len(self.plan.codes)}"
            if key in self.code_keys:
                key = f"code:{len(self.plan.codes)}"
            self.code_keys.add(key)
            self.plan.codes.append(
                PlanCode(
                    key=key,
                    name=code.name,
                    parent_key=parent_key,
                    colour=code.colour,
                    definition=code.description,
                    guid=code.guid,
                    codable=code.codable,
                )
            )
            self.counted["folders"] += not code.codable
            for note in code.note_refs:
                self.note_targets.setdefault(note, ("code", key))
            self.add_codes(code.children, key)

    def add_variable(self, variable) -> None:
        key = parse_guid(variable.get("guid"))
        if not key or key in METADATA:
            return
        kind = (variable.get("typeOfVariable") or "Text").strip().lower()
        self.counted["datetime"] += kind == "datetime"
        self.variables[key] = PlanAttribute(
            key=key, name=(variable.get("name") or "").strip(), type=TYPES.get(kind, "text")
        )

    def value(self, element, attribute: PlanAttribute | None, owner: str) -> str | None:
        """A VariableValue's value in the canonical text form of its attribute's type."""
        raw = next((child for child in element if local(child).endswith("Value")), None)
        if raw is None or attribute is None:
            return None
        text = (raw.text or "").strip()
        try:
            match attribute.type:
                case Attribute.Type.INTEGER:
                    return str(int(text))
                case Attribute.Type.FLOAT:
                    if not Decimal(text).is_finite():
                        raise ValueError(text)
                case Attribute.Type.BOOLEAN:
                    return {"true": "true", "1": "true", "false": "false", "0": "false"}[
                        text.lower()
                    ]
                case Attribute.Type.DATE:
                    return value_to_text(dt.date.fromisoformat(text[:10]))
        except (ValueError, KeyError, InvalidOperation):
            self.plan.problems.append(
                _("“%(value)s” is not a valid value of “%(variable)s” (%(owner)s); left out.")
                % {"value": text[:60], "variable": attribute.name, "owner": owner}
            )
            return None
        return text

    def add_case(self, element) -> None:
        key = parse_guid(element.get("guid")) or f"case:{len(self.plan.cases)}"
        name = (element.get("name") or "").strip()
        case = PlanCase(
            key=key,
            name=name or _("Case %(n)s") % {"n": len(self.plan.cases) + 1},
            description=kid_text(element, "Description").strip(),
        )
        for value in kids(element, "VariableValue"):
            ref = kid(value, "VariableRef")
            variable = parse_guid(ref.get("targetGUID")) if ref is not None else None
            text = self.value(value, self.variables.get(variable or ""), case.name)
            if text:
                case.values[variable] = text
                self.used_on_cases.add(variable)
        for ref in kids(element, "SourceRef") + kids(element, "SelectionRef"):
            if target := parse_guid(ref.get("targetGUID")):
                self.cases_of[target].append(key)
        self.counted["case codes"] += len(kids(element, "CodeRef"))
        self.plan.cases.append(case)

    def read_set(self, element) -> None:
        description = kid_text(element, "Description").strip()
        name = (element.get("name") or "").strip()
        kind = description.removeprefix("kesra:kind:") if description.startswith("kesra:") else ""
        kind = kind if kind in Source.Kind.values else KIND_NAMES.get(name.lower())
        members = [parse_guid(m.get("targetGUID")) for m in kids(element, "MemberSource")]
        if kind and members and not kids(element, "MemberCode"):
            for member in filter(None, members):
                self.kinds.setdefault(member, kind)
        else:
            self.plan.not_carried.append(
                _("The set “%(name)s” (sets have no place here).") % {"name": name}
            )

    # Notes, and the summing up

    def add_note(self, note) -> None:
        parts = (kid_text(note, "Description").strip(), self.files.note_text(note))
        text = "\n\n".join(part for part in parts if part.strip())
        if not text:
            self.counted["empty notes"] += 1
            return
        self.plan.memos.append(
            PlanMemo(
                text=text,
                title=(note.get("name") or "").strip(),
                author_key=parse_guid(note.get("creatingUser")),
                target=self.note_targets.get(parse_guid(note.get("guid")) or "", ("project", None)),
            )
        )

    def finish(self) -> None:
        plan = self.plan
        used = [a for key, a in self.variables.items() if key in self.used_on_cases]
        plan.attributes = used + [a for a in self.variables.values() if a not in used]
        by_key = {source.key: source for source in plan.sources}
        for source in plan.sources:
            source.case_keys = list(dict.fromkeys(self.cases_of.get(source.key, [])))
        for selection, source_key in self.selections.items():
            for case in self.cases_of.get(selection, []):
                if case not in by_key[source_key].case_keys:
                    by_key[source_key].case_keys.append(case)
                    self.counted["case selections"] += 1
        for memo in plan.memos:
            if memo.target[0] == "source" and memo.target[1] not in by_key:
                memo.target = ("project", None)
        if self.extra_targets:
            plan.notes.append(
                ngettext(
                    "%(n)s note was attached to more than one thing; it is kept on the first.",
                    "%(n)s notes were attached to more than one thing; each is kept on the first.",
                    self.extra_targets,
                )
                % {"n": self.extra_targets}
            )
        self.finish_users()
        if renamed := unique_titles(plan.sources):
            plan.notes.append(
                ngettext(
                    "%(n)s source had the same name as another; it got a number, "
                    "e.g. “Interview (2)”.",
                    "%(n)s sources had the same name as another; they got numbers, "
                    "e.g. “Interview (2)”.",
                    renamed,
                )
                % {"n": renamed}
            )
        for key, (message, lost) in COUNTED.items():
            if self.counted[key]:
                (plan.not_carried if lost else plan.notes).append(
                    message % {"n": self.counted[key]}
                )
        if plan.codings or plan.memos:
            plan.not_carried.append(
                _("The dates of codings and notes: here they carry the date of the import.")
            )
        if any(s.key not in self.kinds and s.kind == Source.Kind.INTERVIEW for s in plan.sources):
            plan.notes.append(
                _(
                    "Sources the file does not sort into interviews, observations or documents "
                    "are imported as interviews; change a source's kind on its page."
                )
            )

    def finish_users(self) -> None:
        """Users with codings or memos are carried; the others are named in the preview."""
        plan = self.plan
        used = {c.coder_key for c in plan.codings} | {m.author_key for m in plan.memos}
        plan.unused_users = [user.refi_id for key, user in plan.users.items() if key not in used]
        plan.users = {key: user for key, user in plan.users.items() if key in used}


def read_qdpx(data: bytes) -> ProjectPlan:
    """Read a .qdpx file; raises ExchangeError if it cannot be read at all."""
    plan = ProjectPlan(name="")
    files = ZipFiles(open_zip(data), plan)
    root = parse_xml(files.project_qde(), "project.qde")
    if local(root) != "Project":
        raise ExchangeError(_("project.qde does not describe a REFI-QDA project."))
    namespace = etree.QName(root).namespace
    if namespace == NS_PROJECT:
        validator = schema("Project-mrt2019.xsd")
        if not validator.validate(root):
            error = validator.error_log.filter_from_errors()[0]
            plan.notes.append(
                _(
                    "The file departs from the REFI-QDA schema (first at line %(line)s: "
                    "%(message)s); it was read as far as possible."
                )
                % {"line": error.line, "message": error.message[:200]}
            )
    else:
        plan.notes.append(
            _("The file uses the namespace “%(ns)s”; it was read as REFI-QDA 1.0.")
            % {"ns": namespace or "-"}
        )
    return _Reader(files, plan).run(root)
