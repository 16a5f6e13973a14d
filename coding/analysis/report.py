"""The study's findings as a report: codebook, frequencies, code × case, conclusions."""

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from interviews.models import Project

from ..models import Conclusion, Evidence
from ..queries import codebook_rows
from . import queries as analysis
from .citations import cite_codings


@dataclass
class Report:
    project: Project
    codes: list  # (code, depth, counts)
    matrix: analysis.Matrix
    matrix_rows: list
    conclusions: list  # (conclusion, triangulation, [evidence with .cases])
    generated: str


def build_report(project: Project, *, coder_ids: list[int] | None = None) -> Report:
    """The report's content; with `coder_ids`, only those coders' codings (blind coding)."""
    rows = codebook_rows(project)
    seen = analysis.Filters(visible_coders=coder_ids)
    counts = analysis.frequencies(project, seen, rollup=True)
    matrix = analysis.matrix_code_case(project, seen, rollup=True)
    conclusions = list(Conclusion.objects.filter(project=project))
    cited = Evidence.objects.filter(conclusion__project=project)
    if coder_ids is not None:
        cited = cited.filter(coding__coder_id__in=coder_ids)
    evidence = list(
        cited.select_related("coding__code", "coding__source", "coding__coder")
        .defer("coding__source__text")
        .order_by("conclusion_id", "stance", "coding__source__title", "coding__start")
    )
    cases = analysis.cases_by_source(item.coding.source_id for item in evidence)
    cite_codings(item.coding for item in evidence)
    by_conclusion: dict[int, list] = {}
    for item in evidence:
        item.cases = cases.get(item.coding.source_id, [])
        by_conclusion.setdefault(item.conclusion_id, []).append(item)
    return Report(
        project=project,
        codes=[(code, depth, counts.get(code.pk, {})) for code, depth in rows],
        matrix=matrix,
        matrix_rows=[row for row in matrix.table() if row[4]],
        conclusions=[
            (c, analysis.triangulation(c), by_conclusion.get(c.pk, [])) for c in conclusions
        ],
        generated=date_format(timezone.localdate(), "DATE_FORMAT"),
    )


def citation(item) -> str:
    """'Source title, case; ¶ 14, Bapak Yohanis; characters start–end' for evidence."""
    coding = item.coding
    where = coding.source.title
    if item.cases:
        where += ", " + ", ".join(case.name for case in item.cases)
    place = getattr(coding, "place", None)
    if place is not None:
        where += f"; {place}"
    return _("%(where)s; characters %(start)d–%(end)d") % {
        "where": where,
        "start": coding.start,
        "end": coding.end,
    }


def total_label(name: str) -> str:
    return _("%(theme)s (total)") % {"theme": name}


CODE_COLUMN = Cm(5.5)
TABLE_WIDTH = Cm(16)
TABLE_TYPE = Pt(9)


def _table(document, header, rows):
    """A table whose first column (code names) is wide and the others share the rest."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    rest = (TABLE_WIDTH - CODE_COLUMN) // max(1, len(header) - 1)
    for index, column in enumerate(table.columns):  # Word reads cells, LibreOffice the grid
        column.width = CODE_COLUMN if index == 0 else rest
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = CODE_COLUMN if index == 0 else rest
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_TYPE
    return table


def render_docx(report: Report) -> bytes:
    """The report as a Word document: heading, codebook, frequencies, matrix, conclusions."""
    document = Document()
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    project = report.project
    document.add_heading(project.name, level=0)
    document.add_paragraph(_("Findings report, %(date)s") % {"date": report.generated})
    if project.description:
        document.add_paragraph(project.description)
    _docx_codebook(document, report)
    _docx_tables(document, report)
    _docx_conclusions(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_codebook(document, report: Report) -> None:
    document.add_heading(_("Codebook"), level=1)
    for code, depth, _counts in report.codes:
        paragraph = document.add_paragraph(style="List Bullet" if depth else None)
        paragraph.paragraph_format.left_indent = Pt(18 * depth)
        name = paragraph.add_run(code.name)
        name.bold = True
        name.font.color.rgb = RGBColor.from_string(code.colour[1:].upper())
        if code.definition:
            paragraph.add_run(" — " + code.definition)


def _docx_tables(document, report: Report) -> None:
    document.add_heading(_("Code frequencies"), level=1)
    _table(
        document,
        [_("Code"), _("Passages"), _("Sources"), _("Cases")],
        [
            [
                "   " * depth + (total_label(code.name) if c.get("rolled") else code.name),
                c.get("passages", 0),
                c.get("sources", 0),
                c.get("cases", 0),
            ]
            for code, depth, c in report.codes
        ],
    )
    document.add_heading(_("Code × case"), level=1)
    _table(
        document,
        [_("Code"), *[label for _key, label in report.matrix.columns], _("Total")],
        [
            [
                total_label(label) if row_id in report.matrix.rolled else label,
                *[value for _k, value, _s, _t in values],
                total,
            ]
            for row_id, label, _depth, values, total in report.matrix_rows
        ],
    )


def _docx_conclusions(document, report: Report) -> None:
    document.add_heading(_("Conclusions"), level=1)
    for number, (conclusion, triangulation, evidence) in enumerate(report.conclusions, 1):
        document.add_heading(f"{number}. {conclusion.statement}", level=2)
        status = document.add_paragraph()
        status.add_run(conclusion.get_status_display()).italic = True
        status.add_run(
            " · "
            + _("%(n)d informants") % {"n": len(triangulation["cases"])}
            + " · "
            + ", ".join(str(label) for _kind, label in triangulation["kinds"])
        )
        if conclusion.text:
            document.add_paragraph(conclusion.text)
        for item in evidence:
            quote = document.add_paragraph(style="Quote")
            label = _("Supports") if item.stance == Evidence.Stance.SUPPORTS else _("Contradicts")
            quote.add_run(f"{label}: ").bold = True
            quote.add_run(f"“{item.coding.passage}”")
            cite = document.add_paragraph(f"— {citation(item)}")
            cite.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            cite.runs[0].font.size = Pt(9)
