"""CSV imports: a codebook, and cases with their attributes. Each is planned, shown, applied.

Codebook CSV: columns path, definition, colour (a header row names them; without
one, that order is assumed). A path separates levels with "›" or " / ". Existing
codes are matched by name along the path; the merge never deletes or moves.

Cases CSV: the first column is the case name, each further column an attribute.
A header may give a type, e.g. "Masa kerja [integer]"; otherwise an existing
attribute keeps its type and a new one's is inferred from its values. Empty cells
leave values as they are. Any row error stops the import: nothing is saved.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interviews.forms import value_to_text
from interviews.importers import ImportFailed
from interviews.importers.text import decode_text
from interviews.models import Attribute, Case, CaseValue, Project

from .codebook_merge import Incoming, MergePlan, plan_merge
from .refi import colour as parse_colour
from .safety import ExchangeError, check_size

PATH_HEADERS = {"path", "code", "kode", "jalur", "code path", "jalur kode"}
DEFINITION_HEADERS = {"definition", "definisi", "description", "deskripsi"}
COLOUR_HEADERS = {"colour", "color", "warna"}
TYPE_NAMES = {
    "text": Attribute.Type.TEXT,
    "teks": Attribute.Type.TEXT,
    "integer": Attribute.Type.INTEGER,
    "bilangan bulat": Attribute.Type.INTEGER,
    "float": Attribute.Type.FLOAT,
    "decimal": Attribute.Type.FLOAT,
    "desimal": Attribute.Type.FLOAT,
    "boolean": Attribute.Type.BOOLEAN,
    "ya/tidak": Attribute.Type.BOOLEAN,
    "yes/no": Attribute.Type.BOOLEAN,
    "date": Attribute.Type.DATE,
    "tanggal": Attribute.Type.DATE,
}
TRUE = {"true", "yes", "ya", "benar", "y"}
FALSE = {"false", "no", "tidak", "salah", "n"}
_TYPED_HEADER = re.compile(r"^(.*?)\s*[\[(]\s*([\w/ ]+?)\s*[\])]\s*$")


def read_rows(data: bytes) -> list[list[str]]:
    """The rows of a CSV file in any common encoding, with `,`, `;` or tab between cells."""
    check_size(len(data))
    try:
        text, _warnings = decode_text(data)
    except ImportFailed as error:
        raise ExchangeError(error.message) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise ExchangeError(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from None
    rows = [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ExchangeError(_("The CSV file has no rows."))
    return rows


def split_path(path: str) -> list[str]:
    parts = path.split("›") if "›" in path else path.split(" / ")
    return [" ".join(part.split()) for part in parts]


# Codebook


@dataclass
class CodebookCsv:
    tree: list[Incoming]
    merge: MergePlan
    errors: list[str] = field(default_factory=list)


def read_codebook_csv(data: bytes) -> tuple[list[Incoming], list[str]]:
    rows = read_rows(data)
    header = [cell.lower() for cell in rows[0]]
    columns = {"path": 0, "definition": 1, "colour": 2}
    start = 0
    if any(cell in PATH_HEADERS for cell in header):
        start = 1
        columns = {"path": None, "definition": None, "colour": None}
        for index, cell in enumerate(header):
            for name, names in (
                ("path", PATH_HEADERS),
                ("definition", DEFINITION_HEADERS),
                ("colour", COLOUR_HEADERS),
            ):
                if cell in names and columns[name] is None:
                    columns[name] = index
        # Our own export names the path column "Path"/"Jalur" and so is found above.
    roots: list[Incoming] = []
    errors: list[str] = []
    seen: set[tuple[str, ...]] = set()

    def cell(row, name):
        index = columns[name]
        return row[index] if index is not None and index < len(row) else ""

    for number, row in enumerate(rows[start:], start=start + 1):
        path = cell(row, "path")
        parts = split_path(path)
        if not path or not all(parts):
            errors.append(
                _("Row %(row)s: the code path is empty or has an empty level.") % {"row": number}
            )
            continue
        if any(len(part) > 120 for part in parts):
            errors.append(
                _("Row %(row)s: a code name is longer than 120 characters.") % {"row": number}
            )
            continue
        raw_colour = cell(row, "colour")
        colour = parse_colour(raw_colour) if raw_colour else None
        if raw_colour and colour is None:
            errors.append(
                _("Row %(row)s: “%(colour)s” is not a colour; write it as #RRGGBB, e.g. #1f77b4.")
                % {"row": number, "colour": raw_colour[:20]}
            )
            continue
        key = tuple(part.lower() for part in parts)
        if key in seen:
            errors.append(
                _("Row %(row)s: the code “%(path)s” is listed twice.")
                % {"row": number, "path": path}
            )
            continue
        seen.add(key)
        siblings = roots
        node = None
        for part in parts:
            node = next((n for n in siblings if n.name.lower() == part.lower()), None)
            if node is None:
                node = Incoming(name=part)
                siblings.append(node)
            siblings = node.children
        node.definition = cell(row, "definition") or None
        node.colour = colour
    return roots, errors


def plan_codebook_csv(project: Project, data: bytes) -> CodebookCsv:
    tree, errors = read_codebook_csv(data)
    return CodebookCsv(tree=tree, merge=plan_merge(project, tree), errors=errors)


# Cases


@dataclass
class CasesCsv:
    new_attributes: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    new_cases: list[str] = field(default_factory=list)
    updated_cases: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # name -> attr -> text

    def attribute_rows(self) -> list[tuple[str, str]]:
        return [(name, Attribute.Type(kind).label) for name, kind in self.new_attributes]


def parse_value(kind: str, text: str):
    """The canonical text of `text` as a value of type `kind`; ValueError if it is not one."""
    match kind:
        case Attribute.Type.INTEGER:
            return value_to_text(int(text.replace(" ", "")))
        case Attribute.Type.FLOAT:
            number = text.replace(" ", "")
            if "," in number and "." not in number:
                number = number.replace(",", ".")
            try:
                value = Decimal(number)
            except InvalidOperation:
                raise ValueError(text) from None
            if not value.is_finite():
                raise ValueError(text)
            return value_to_text(value)
        case Attribute.Type.BOOLEAN:
            lowered = text.lower()
            if lowered in TRUE | {"1"}:
                return "true"
            if lowered in FALSE | {"0"}:
                return "false"
            raise ValueError(text)
        case Attribute.Type.DATE:
            return value_to_text(dt.date.fromisoformat(text))
    return text[:500]


def infer_type(values: list[str]) -> str:
    values = [value for value in values if value]
    for kind in (
        Attribute.Type.INTEGER,
        Attribute.Type.FLOAT,
        Attribute.Type.BOOLEAN,
        Attribute.Type.DATE,
    ):
        try:
            for value in values:
                parse_value(kind, value)
        except ValueError:
            continue
        if values:
            return kind
    return Attribute.Type.TEXT


TYPE_ERRORS = {
    Attribute.Type.INTEGER: gettext_lazy(
        "Row %(row)s, column “%(column)s”: “%(value)s” is not a whole number."
    ),
    Attribute.Type.FLOAT: gettext_lazy(
        "Row %(row)s, column “%(column)s”: “%(value)s” is not a number."
    ),
    Attribute.Type.BOOLEAN: gettext_lazy(
        "Row %(row)s, column “%(column)s”: “%(value)s” is not yes or no."
    ),
    Attribute.Type.DATE: gettext_lazy(
        "Row %(row)s, column “%(column)s”: “%(value)s” is not a date (YYYY-MM-DD)."
    ),
}


def plan_cases_csv(project: Project, data: bytes) -> CasesCsv:
    rows = read_rows(data)
    plan = CasesCsv()
    header, body = rows[0], rows[1:]
    existing = {a.name.lower(): a for a in Attribute.objects.filter(project=project)}
    columns: list[tuple[str, str]] = []  # (attribute name, type)
    for index, title in enumerate(header[1:], start=1):
        name, given = title, None
        if match := _TYPED_HEADER.match(title):
            name, given = match.group(1), TYPE_NAMES.get(match.group(2).lower())
            if given is None:
                plan.errors.append(
                    _(
                        "Column “%(column)s”: unknown type “%(type)s” "
                        "(use text, integer, float, boolean or date)."
                    )
                    % {"column": title, "type": match.group(2)}
                )
        name = " ".join(name.split())[:100]
        if not name:
            plan.errors.append(_("Column %(n)s has no name in the header row.") % {"n": index + 1})
        if name.lower() in existing:
            kind = existing[name.lower()].type
            name = existing[name.lower()].name
        else:
            kind = given or infer_type([row[index] if index < len(row) else "" for row in body])
            plan.new_attributes.append((name, kind))
        columns.append((name, kind))
    names = {c.name.lower(): c.name for c in Case.objects.filter(project=project)}
    seen: set[str] = set()
    for number, row in enumerate(body, start=2):
        case_name = " ".join((row[0] if row else "").split())[:200]
        if not case_name:
            plan.errors.append(_("Row %(row)s: the case name is empty.") % {"row": number})
            continue
        if case_name.lower() in seen:
            plan.errors.append(
                _("Row %(row)s: the case “%(name)s” is listed twice.")
                % {"row": number, "name": case_name}
            )
            continue
        seen.add(case_name.lower())
        values: dict[str, str] = {}
        for index, (name, kind) in enumerate(columns, start=1):
            text = row[index] if index < len(row) else ""
            if not text or not name:
                continue
            try:
                values[name] = parse_value(kind, text)
            except ValueError:
                plan.errors.append(
                    str(TYPE_ERRORS[kind]) % {"row": number, "column": name, "value": text[:60]}
                )
        if case_name.lower() in names:
            plan.updated_cases.append(names[case_name.lower()])
            case_name = names[case_name.lower()]
        else:
            plan.new_cases.append(case_name)
        plan.rows.append((case_name, values))
    if not body:
        plan.errors.append(_("The file has a header row but no cases."))
    return plan


@transaction.atomic
def apply_cases_csv(project: Project, data: bytes) -> CasesCsv:
    """Plan again and, if the plan has no errors, save it; returns the plan."""
    plan = plan_cases_csv(project, data)
    if plan.errors:
        raise ExchangeError(_("The file has errors; nothing was saved."))
    order = Attribute.objects.filter(project=project).count()
    for offset, (name, kind) in enumerate(plan.new_attributes):
        Attribute.objects.create(project=project, name=name, type=kind, order=order + offset)
    attributes = {a.name: a for a in Attribute.objects.filter(project=project)}
    cases = {c.name: c for c in Case.objects.filter(project=project)}
    for name, values in plan.rows:
        case = cases.get(name) or Case.objects.create(project=project, name=name)
        for attribute_name, value in values.items():
            CaseValue.objects.update_or_create(
                case=case, attribute=attributes[attribute_name], defaults={"value": value}
            )
    return plan
