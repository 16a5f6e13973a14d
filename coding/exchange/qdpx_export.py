"""A whole project as a REFI-QDA project exchange file (.qdpx).

The zip holds project.qde (valid against Project-mrt2019.xsd) and sources/: each
source's canonical text as UTF-8 .txt (so positions match exactly), plus its
original file where REFI-QDA has a place for it: a .docx as the TextSource's rich
text, a .pdf as a PDFSource whose plain-text Representation carries the codings.

Mapping: users -> Users; codebook -> CodeBook (colours, definitions as
Description); case attributes -> Variables; cases -> Cases with VariableValues and
SourceRefs; each coded passage -> one PlainTextSelection holding a Coding per
(code, coder); memos -> Notes, referenced (NoteRef) from the project, source, code
or coding they belong to; source kinds -> Sets. A source's date, place and author
travel as source VariableValues with fixed GUIDs (SOURCE_VARIABLES).

The tree is built with lxml, but for the coded passages, most of a large project's
file: those are written as text (qdpx_selections.py) and spliced in.
"""

import datetime as dt
import io
import uuid
import zipfile
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from lxml import etree

from interviews.models import Attribute, Case, CaseValue, Source

from ..models import Code, Coding, ImportedText, Memo
from ..suggest.queries import accepted_notes
from .qdpx_names import UserGuids, text_file, unique_source_names
from .qdpx_selections import SPLICE, CodingRow, GuidTexts, selections_xml, splice, timestamp
from .refi import (
    KESRA_NAMESPACE,
    NS_PROJECT,
    ORIGIN,
    build_codes,
    derived_guid,
    guid_text,
    xml_text,
)

NS = NS_PROJECT
# Source metadata as source variables; the same GUIDs in every export, so an import
# recognises them whatever a tool renamed them to.
SOURCE_VARIABLES = {
    "date": (uuid.uuid5(KESRA_NAMESPACE, "kesra:source-variable:date"), "Date", "Source date"),
    "place": (uuid.uuid5(KESRA_NAMESPACE, "kesra:source-variable:place"), "Text", "Place"),
    "author": (
        uuid.uuid5(KESRA_NAMESPACE, "kesra:source-variable:author"),
        "Text",
        "Interviewer, observer or author",
    ),
}
KIND_SETS = {
    Source.Kind.INTERVIEW: "Interviews",
    Source.Kind.OBSERVATION: "Observation notes",
    Source.Kind.DOCUMENT: "Documents",
}
VARIABLE_TYPES = {
    Attribute.Type.TEXT: "Text",
    Attribute.Type.INTEGER: "Integer",
    Attribute.Type.FLOAT: "Float",
    Attribute.Type.BOOLEAN: "Boolean",
    Attribute.Type.DATE: "Date",
}
RICH_FORMATS = {"docx", "pdf"}


def _el(parent, tag: str, /, **attributes):
    clean = {key: xml_text(value) for key, value in attributes.items() if value not in (None, "")}
    return etree.SubElement(parent, f"{{{NS}}}{tag}", clean)


def _text_el(parent, tag: str, text: str):
    element = _el(parent, tag)
    element.text = xml_text(text)
    return element


def typed_value(attribute_type: str, text: str) -> tuple[str, str]:
    """The VariableValue child element and its text for a stored (canonical) value."""
    try:
        if attribute_type == Attribute.Type.INTEGER:
            return "IntegerValue", str(int(text))
        if attribute_type == Attribute.Type.FLOAT:
            number = Decimal(text)
            if number.is_finite():
                return "FloatValue", format(number, "f")
        if attribute_type == Attribute.Type.BOOLEAN and text in {"true", "false"}:
            return "BooleanValue", text
        if attribute_type == Attribute.Type.DATE:
            return "DateValue", dt.date.fromisoformat(text).isoformat()
    except (ValueError, InvalidOperation):
        pass
    return "TextValue", text


def _variable_value(parent, variable_guid: uuid.UUID, tag: str, text: str) -> None:
    value = _el(parent, "VariableValue")
    _el(value, "VariableRef", targetGUID=guid_text(variable_guid))
    _text_el(value, tag, text)


class _Exporter:
    def __init__(self, project):
        self.project = project
        self.files: dict[str, bytes] = {}
        self.warnings: list[str] = []
        self.users: dict[int, object] = {}
        self.codes = list(Code.objects.filter(project=project))
        self.code_guids = {code.pk: code.guid for code in self.codes}
        self.sources = list(
            Source.objects.filter(project=project)
            .select_related("created_by")
            .prefetch_related("cases")
            .order_by("pk")
        )
        # Plain rows, not model instances: a large project has tens of thousands of
        # codings, and each needs only these columns; their coders are read once.
        self.codings: dict[int, list] = defaultdict(list)
        rows = (
            Coding.objects.filter(source__project=project)
            .order_by("source_id", "start", "end", "pk")
            .values_list("pk", "source_id", "code_id", "coder_id", "start", "end", "created_at")
        )
        for coding in rows.iterator(chunk_size=5_000):
            self.codings[coding[1]].append(CodingRow(*coding))
        self.coders = get_user_model().objects.in_bulk(
            {coding.coder_id for codings in self.codings.values() for coding in codings}
        )
        self.user_refs: dict[int, str] = {}
        self.memos = list(Memo.objects.filter(project=project).select_related("author"))
        self.user_guids = UserGuids(project)
        self.titles = unique_source_names(self.sources)
        self.imported_texts = dict(
            ImportedText.objects.filter(source__project=project).values_list("source_id", "data")
        )
        self.fast_guids = GuidTexts(project)
        self.code_guid_texts = {pk: guid_text(guid) for pk, guid in self.code_guids.items()}
        self.selections: list[str] = []
        self.notes_by_target: dict[tuple[str, int | None], list[uuid.UUID]] = defaultdict(list)
        for memo in self.memos:
            target = (
                ("coding", memo.coding_id)
                if memo.coding_id
                else ("code", memo.code_id)
                if memo.code_id
                else ("source", memo.source_id)
                if memo.source_id
                else ("project", None)
            )
            self.notes_by_target[target].append(self.guid("memo", memo.pk))
        # An accepted suggestion is its accepting user's coding, with a note naming the model.
        self.suggestion_notes = accepted_notes(project)
        for coding_id in self.suggestion_notes:
            self.notes_by_target[("coding", coding_id)].append(self.guid("suggestion", coding_id))
        self.coding_notes = {
            key[1]: [guid_text(note) for note in notes]
            for key, notes in self.notes_by_target.items()
            if key[0] == "coding"
        }

    def guid(self, kind: str, *parts) -> uuid.UUID:
        return derived_guid(self.project, kind, *parts)

    def user_ref(self, user) -> str | None:
        if user is None:
            return None
        ref = self.user_refs.get(user.pk)
        if ref is None:
            self.users.setdefault(user.pk, user)
            ref = self.user_refs[user.pk] = guid_text(self.user_guids.of(user))
        return ref

    def build(self) -> etree._Element:
        project = self.project
        root = etree.Element(
            f"{{{NS}}}Project",
            {"name": xml_text(project.name), "origin": ORIGIN},
            nsmap={None: NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"},
        )
        root.set("creationDateTime", timestamp(project.created_at))
        for membership in project.memberships.select_related("user"):
            self.user_ref(membership.user)
        # Users come first in the file but are known only at the end: fill in afterwards.
        users_element = _el(root, "Users")
        if self.codes:
            codebook = _el(root, "CodeBook")
            notes = {
                key[1]: value for key, value in self.notes_by_target.items() if key[0] == "code"
            }
            coded = {c.code_id for codings in self.codings.values() for c in codings}
            build_codes(codebook, NS, self.codes, note_refs=notes, coded=coded)
        self.add_variables_and_cases(root)
        if self.sources:
            sources = _el(root, "Sources")
            for source in self.sources:
                self.add_source(sources, source)
        self.add_notes(root)
        self.add_sets(root)
        if project.description.strip():
            _text_el(root, "Description", project.description)
        for note in self.notes_by_target.get(("project", None), ()):
            _el(root, "NoteRef", targetGUID=guid_text(note))
        for user in sorted(self.users.values(), key=lambda u: u.get_username()):
            refi_id, name = self.user_guids.names(user)
            _el(
                users_element,
                "User",
                guid=guid_text(self.user_guids.of(user)),
                name=name,
                id=refi_id,
            )
        if not len(users_element):
            root.remove(users_element)
        return root

    def add_variables_and_cases(self, root) -> None:
        attributes = list(Attribute.objects.filter(project=self.project))
        used_metadata = [
            field for field in SOURCE_VARIABLES if any(getattr(s, field) for s in self.sources)
        ]
        if attributes or used_metadata:
            variables = _el(root, "Variables")
            for attribute in attributes:
                _el(
                    variables,
                    "Variable",
                    guid=guid_text(self.guid("attribute", attribute.pk)),
                    name=attribute.name,
                    typeOfVariable=VARIABLE_TYPES.get(attribute.type, "Text"),
                )
            for field in used_metadata:
                guid, kind, name = SOURCE_VARIABLES[field]
                _el(variables, "Variable", guid=guid_text(guid), name=name, typeOfVariable=kind)
        types = {attribute.pk: attribute.type for attribute in attributes}
        cases = list(
            Case.objects.filter(project=self.project).prefetch_related(
                Prefetch("values", queryset=CaseValue.objects.all()),
                Prefetch("sources", queryset=Source.objects.only("pk")),
            )
        )
        if not cases:
            return
        element = _el(root, "Cases")
        for case in cases:
            node = _el(element, "Case", guid=guid_text(self.guid("case", case.pk)), name=case.name)
            if case.description.strip():
                _text_el(node, "Description", case.description)
            for value in case.values.all():
                if value.value == "":
                    continue
                tag, text = typed_value(types.get(value.attribute_id, "text"), value.value)
                _variable_value(node, self.guid("attribute", value.attribute_id), tag, text)
            for source in case.sources.all():
                _el(node, "SourceRef", targetGUID=guid_text(self.guid("source", source.pk)))

    def original_bytes(self, source: Source) -> bytes | None:
        if source.format not in RICH_FORMATS or not source.original:
            return None
        try:
            with source.original.open("rb") as handle:
                return handle.read()
        except OSError:
            self.warnings.append(
                _(
                    "The original file of “%(title)s” is missing from storage; "
                    "only its text was exported."
                )
                % {"title": source.title}
            )
            return None

    def add_source(self, parent, source: Source) -> None:
        text_guid = guid_text(self.guid("source-text", source.pk))
        data, self.positions = text_file(source, self.imported_texts.get(source.pk))
        self.files[f"sources/{text_guid}.txt"] = data
        original = self.original_bytes(source)
        common = {
            "guid": guid_text(self.guid("source", source.pk)),
            "name": self.titles[source.pk],
            "creatingUser": self.user_ref(source.created_by),
            "creationDateTime": timestamp(source.created_at),
        }
        if original is not None and source.format == "pdf":
            rich_guid = guid_text(self.guid("source-original", source.pk))
            self.files[f"sources/{rich_guid}.pdf"] = original
            node = _el(parent, "PDFSource", path=f"internal://{rich_guid}.pdf", **common)
            representation = _el(
                node,
                "Representation",
                guid=text_guid,
                name=self.titles[source.pk],
                plainTextPath=f"internal://{text_guid}.txt",
            )
            self.add_selections(representation, source)
        else:
            rich = None
            if original is not None:
                rich_guid = guid_text(self.guid("source-original", source.pk))
                rich = f"internal://{rich_guid}.{source.format}"
                self.files[f"sources/{rich_guid}.{source.format}"] = original
            node = _el(
                parent,
                "TextSource",
                plainTextPath=f"internal://{text_guid}.txt",
                richTextPath=rich,
                **common,
            )
            self.add_selections(node, source)
        for note in self.notes_by_target.get(("source", source.pk), ()):
            _el(node, "NoteRef", targetGUID=guid_text(note))
        for field, (guid, _kind, _name) in SOURCE_VARIABLES.items():
            value = getattr(source, field)
            if value:
                tag = "DateValue" if field == "date" else "TextValue"
                text = value.isoformat() if field == "date" else value
                _variable_value(node, guid, tag, text)

    def add_selections(self, parent, source: Source) -> None:
        """The source's PlainTextSelections, written as XML text (qdpx_selections.py) and
        put in place of a marker element when the document is serialised."""
        codings = self.codings.get(source.pk)
        if not codings:
            return
        self.selections.append(
            selections_xml(
                source,
                codings,
                guids=self.fast_guids,
                positions=self.positions,
                user_ref=self.coder_ref,
                code_guids=self.code_guid_texts,
                coding_notes=self.coding_notes,
            )
        )
        etree.SubElement(parent, f"{{{NS}}}{SPLICE}")

    def coder_ref(self, coder_id: int) -> str | None:
        return self.user_ref(self.coders.get(coder_id))

    def add_notes(self, root) -> None:
        if not self.memos and not self.suggestion_notes:
            return
        notes = _el(root, "Notes")
        for coding_id, found in sorted(self.suggestion_notes.items()):
            note = _el(
                notes,
                "Note",
                guid=guid_text(self.guid("suggestion", coding_id)),
                name=found.text,
                creatingUser=self.user_ref(found.user),
                creationDateTime=timestamp(found.created_at),
            )
            _text_el(note, "PlainTextContent", found.text)
        for memo in sorted(self.memos, key=lambda m: m.pk):
            note = _el(
                notes,
                "Note",
                guid=guid_text(self.guid("memo", memo.pk)),
                name=memo.title,
                creatingUser=self.user_ref(memo.author),
                creationDateTime=timestamp(memo.created_at),
                modifiedDateTime=timestamp(memo.updated_at),
            )
            _text_el(note, "PlainTextContent", memo.text)

    def add_sets(self, root) -> None:
        kinds: dict[str, list[Source]] = defaultdict(list)
        for source in self.sources:
            kinds[source.kind].append(source)
        if not kinds:
            return
        sets = _el(root, "Sets")
        for kind, name in KIND_SETS.items():
            if not kinds.get(kind):
                continue
            element = _el(sets, "Set", guid=guid_text(self.guid("set", kind)), name=name)
            _text_el(element, "Description", f"kesra:kind:{kind}")
            for source in kinds[kind]:
                _el(element, "MemberSource", targetGUID=guid_text(self.guid("source", source.pk)))


def project_document(project) -> tuple[bytes, dict[str, bytes], list[str]]:
    """project.qde as bytes, the files for sources/, and warnings."""
    exporter = _Exporter(project)
    root = exporter.build()
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return splice(qde, exporter.selections), exporter.files, exporter.warnings


def export_qdpx(project) -> tuple[bytes, list[str]]:
    """The .qdpx file of a project, and warnings about what could not go in."""
    qde, files, warnings = project_document(project)
    buffer = io.BytesIO()
    # Level 3: a large project's text compresses several times faster than at the default
    # 6, for a file some 10 % larger.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
        archive.writestr("project.qde", qde)
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue(), warnings
