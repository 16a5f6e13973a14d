"""Table imports: a codebook (CSV, or QualCoder's tab-separated codebook) and cases (CSV).

Every problem names the line of the file it is on. A file whose rows do not parse
into the columns it should have (more cells than its header, no separator
recognised, a quote left open) is refused outright, never read as one column.

Codebook CSV: columns path, definition, colour (a header row names them; without
one, that order is assumed). A path separates levels with "›", ">>" or " / ".
QualCoder's codebook (.txt or .tsv): one code per line, its path with ">>" between
levels, a tab, then its memo, which becomes the definition. Existing codes are
matched by name along the path; the merge never deletes or moves.

Cases CSV: the first column is the case name, each further column an attribute.
A header may give a type, e.g. "Masa kerja [integer]"; otherwise an existing
attribute keeps its type and a new one's is inferred from its values. Empty cells
leave values as they are. Any row error stops the import: nothing is saved.
"""

import contextlib
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

from .codebook_merge import Incoming
from .refi import colour as parse_colour
from .safety import ExchangeError, check_size

PATH_HEADERS = {"path", "code", "kode", "jalur", "code path", "jalur kode", "category>>code"}
DEFINITION_HEADERS = {"definition", "definisi", "description", "deskripsi", "memo"}
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
_PATH_SEPARATORS = re.compile(r"\s*(?:›|>>)\s*|\s+/\s+")

Row = tuple[int, list[str]]  # (line number, cells)


def _text(data: bytes) -> str:
    check_size(len(data))
    try:
        text, _warnings = decode_text(data)
    except ImportFailed as error:
        raise ExchangeError(error.message) from None
    return text


def _line_error(line: int, detail: str) -> ExchangeError:
    return ExchangeError(
        _("Line %(line)s of the file cannot be read: %(detail)s Nothing was saved.")
        % {"line": line, "detail": detail}
    )


def read_rows(data: bytes, *, delimiter: str | None = None) -> list[Row]:
    """The non-blank rows of a CSV file with their line numbers (any common encoding;
    `,`, `;` or tab between cells, found from the file unless given)."""
    text = _text(data)
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=delimiter or ",;\t")
    reader = csv.reader(
        io.StringIO(text), dialect, strict=True, delimiter=delimiter or dialect.delimiter
    )
    rows: list[Row] = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, [cell.strip() for cell in cells]))
            line = reader.line_num + 1
    except csv.Error:
        detail = _("its quotation marks do not pair up, or it holds a NUL character.")
        raise _line_error(line, detail) from None
    if not rows:
        raise ExchangeError(_("The file has no rows."))
    _check_separator(rows)
    return rows


def _check_separator(rows: list[Row]) -> None:
    """A file read as one column whose cells hold tabs or semicolons was misread."""
    if all(len(cells) == 1 for _line, cells in rows):
        for line, (cell,) in rows:
            if "\t" in cell or ";" in cell:
                raise _line_error(
                    line,
                    _(
                        "the separator between its cells (a comma, semicolon or tab) "
                        "could not be recognised."
                    ),
                )


def check_columns(rows: list[Row], expected: int, names: str) -> None:
    """Refuse a row with more cells than the file's columns."""
    for line, cells in rows:
        if len(cells) > expected:
            raise _line_error(
                line,
                _("it has %(found)s cells, but the file has %(expected)s columns (%(names)s).")
                % {"found": len(cells), "expected": expected, "names": names},
            )


def split_path(path: str) -> list[str]:
    return [" ".join(part.split()) for part in _PATH_SEPARATORS.split(path.strip())]


# Codebook


def _columns(header: list[str]) -> dict[str, int | None] | None:
    """Where path, definition and colour are, from a header row (None: no header)."""
    header = [cell.lower() for cell in header]
    if not any(cell in PATH_HEADERS for cell in header):
        return None
    columns: dict[str, int | None] = {"path": None, "definition": None, "colour": None}
    for index, cell in enumerate(header):
        for name, names in (
            ("path", PATH_HEADERS),
            ("definition", DEFINITION_HEADERS),
            ("colour", COLOUR_HEADERS),
        ):
            if cell in names and columns[name] is None:
                columns[name] = index
    return columns


def _tsv_rows(data: bytes) -> list[Row]:
    """QualCoder's codebook: each line split at tabs, nothing quoted."""
    rows = [
        (number, [cell.strip() for cell in line.split("\t")])
        for number, line in enumerate(_text(data).splitlines(), start=1)
        if line.strip()
    ]
    if not rows:
        raise ExchangeError(_("The file has no rows."))
    return rows


def read_codebook_table(data: bytes, *, tab_separated: bool = False):
    """(code tree, errors) of a codebook CSV, or of QualCoder's tab-separated codebook."""
    rows = _tsv_rows(data) if tab_separated else read_rows(data)
    header = rows[0][1]
    columns = _columns(header)
    if columns is not None:
        rows = rows[1:]
        check_columns(rows, len(header), ", ".join(header))
    elif tab_separated:
        columns = {"path": 0, "definition": 1, "colour": None}
        check_columns(rows, 2, _("path, definition"))
    else:
        columns = {"path": 0, "definition": 1, "colour": 2}
        check_columns(rows, 3, _("path, definition, colour"))
    return _codebook_tree(rows, columns)


def _codebook_tree(rows: list[Row], columns: dict[str, int | None]):
    roots: list[Incoming] = []
    errors: list[str] = []
    seen: set[tuple[str, ...]] = set()

    def cell(cells, name):
        index = columns[name]
        return cells[index] if index is not None and index < len(cells) else ""

    for line, cells in rows:
        path = cell(cells, "path")
        parts = split_path(path)
        error = _path_error(line, path, parts) or _colour_error(line, cell(cells, "colour"))
        key = tuple(part.lower() for part in parts)
        if error is None and key in seen:
            error = _("Line %(line)s: the code “%(path)s” is listed twice.") % {
                "line": line,
                "path": path,
            }
        if error:
            errors.append(error)
            continue
        seen.add(key)
        node = _place(roots, parts)
        node.definition = cell(cells, "definition") or None
        node.colour = parse_colour(cell(cells, "colour")) if cell(cells, "colour") else None
    return roots, errors


def _path_error(line: int, path: str, parts: list[str]) -> str | None:
    if not path or not all(parts):
        return _("Line %(line)s: the code path is empty or has an empty level.") % {"line": line}
    if any(len(part) > 120 for part in parts):
        return _("Line %(line)s: a code name is longer than 120 characters.") % {"line": line}
    return None


def _colour_error(line: int, raw: str) -> str | None:
    if raw and parse_colour(raw) is None:
        return _(
            "Line %(line)s: “%(colour)s” is not a colour; write it as #RRGGBB, e.g. #1f77b4."
        ) % {"line": line, "colour": raw[:20]}
    return None


def _place(roots: list[Incoming], parts: list[str]) -> Incoming:
    siblings, node = roots, None
    for part in parts:
        node = next((n for n in siblings if n.name.lower() == part.lower()), None)
        if node is None:
            node = Incoming(name=part)
            siblings.append(node)
        siblings = node.children
    return node


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
        "Line %(line)s, column “%(column)s”: “%(value)s” is not a whole number."
    ),
    Attribute.Type.FLOAT: gettext_lazy(
        "Line %(line)s, column “%(column)s”: “%(value)s” is not a number."
    ),
    Attribute.Type.BOOLEAN: gettext_lazy(
        "Line %(line)s, column “%(column)s”: “%(value)s” is not yes or no."
    ),
    Attribute.Type.DATE: gettext_lazy(
        "Line %(line)s, column “%(column)s”: “%(value)s” is not a date (YYYY-MM-DD)."
    ),
}


def _case_columns(project: Project, plan: CasesCsv, header: list[str], body: list[Row]):
    """(attribute name, type) of each column after the first."""
    existing = {a.name.lower(): a for a in Attribute.objects.filter(project=project)}
    columns: list[tuple[str, str]] = []
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
            kind, name = existing[name.lower()].type, existing[name.lower()].name
        else:
            values = [cells[index] if index < len(cells) else "" for _line, cells in body]
            kind = given or infer_type(values)
            plan.new_attributes.append((name, kind))
        columns.append((name, kind))
    return columns


def _case_values(plan: CasesCsv, line: int, cells: list[str], columns) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, (name, kind) in enumerate(columns, start=1):
        text = cells[index] if index < len(cells) else ""
        if not text or not name:
            continue
        try:
            values[name] = parse_value(kind, text)
        except ValueError:
            plan.errors.append(
                str(TYPE_ERRORS[kind]) % {"line": line, "column": name, "value": text[:60]}
            )
    return values


def plan_cases(project: Project, rows: list[Row]) -> CasesCsv:
    """What importing these rows (read_rows) would do; nothing is saved."""
    plan = CasesCsv()
    (_header_line, header), body = rows[0], rows[1:]
    check_columns(body, len(header), ", ".join(header))
    columns = _case_columns(project, plan, header, body)
    names = {c.name.lower(): c.name for c in Case.objects.filter(project=project)}
    seen: set[str] = set()
    for line, cells in body:
        case_name = " ".join((cells[0] if cells else "").split())[:200]
        if not case_name:
            plan.errors.append(_("Line %(line)s: the case name is empty.") % {"line": line})
            continue
        if case_name.lower() in seen:
            plan.errors.append(
                _("Line %(line)s: the case “%(name)s” is listed twice.")
                % {"line": line, "name": case_name}
            )
            continue
        seen.add(case_name.lower())
        values = _case_values(plan, line, cells, columns)
        if case_name.lower() in names:
            case_name = names[case_name.lower()]
            plan.updated_cases.append(case_name)
        else:
            plan.new_cases.append(case_name)
        plan.rows.append((case_name, values))
    if not body:
        plan.errors.append(_("The file has a header row but no cases."))
    return plan


@transaction.atomic
def apply_cases(project: Project, rows: list[Row]) -> CasesCsv:
    """Plan again (the project may have changed) and, without errors, save; returns the plan."""
    plan = plan_cases(project, [(line, cells) for line, cells in rows])
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
