"""Codings and the codebook as tables (CSV, XLSX) and the codebook as a DOCX document."""

import contextlib
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews.models import Source

from ..models import Coding, Memo
from ..queries import code_paths, codebook_rows


def codings_table(project, *, coder=None) -> tuple[list[str], Iterator[list]]:
    """Every coding of the project (or of one coder) with its code path, passage and context.

    The rows are a lazy iterator: one query for the codings (plain values, read in
    chunks), one for the cases of the sources and one for the memos on codings,
    whatever the number of codings.
    """
    header = [
        _("Code"),
        _("Passage"),
        _("Source"),
        _("Cases"),
        _("Coder"),
        _("Start"),
        _("End"),
        _("Memo"),
    ]
    return header, _codings_rows(project, coder)


def _codings_rows(project, coder) -> Iterator[list]:
    paths = code_paths(codebook_rows(project))
    codings = Coding.objects.filter(source__project=project)
    if coder is not None:
        codings = codings.filter(coder=coder)
    cases = {}
    links = Source.cases.through.objects.filter(source__project=project)
    for source_id, name in links.order_by("case__name").values_list("source_id", "case__name"):
        cases.setdefault(source_id, []).append(name)
    cases = {source_id: "; ".join(names) for source_id, names in cases.items()}
    memos = {}
    on_codings = Memo.objects.filter(coding__in=codings).order_by("-updated_at")
    for coding_id, title, text in on_codings.values_list("coding_id", "title", "text"):
        memos.setdefault(coding_id, []).append(f"{title}: {text}" if title else text)
    rows = codings.order_by("source__title", "source_id", "start", "end", "pk").values_list(
        "pk", "code_id", "passage", "source_id", "source__title", "coder__username", "start", "end"
    )
    for pk, code_id, passage, source_id, title, username, start, end in rows.iterator(
        chunk_size=2_000
    ):
        yield [
            paths.get(code_id, ""),
            passage,
            title,
            cases.get(source_id, ""),
            username,
            start,
            end,
            "\n\n".join(memos.get(pk, ())),
        ]


def codebook_header() -> list[str]:
    return [
        _("Path"),
        _("Definition"),
        _("Colour"),
        _("Use it when"),
        _("Do not use it when"),
        _("Example"),
        _("Codings"),
    ]


def codebook_table(project, coder_ids=None) -> tuple[list[str], list[list]]:
    """One row per code, in tree order; the path uses " › " between levels.

    Counts are of `coder_ids`' codings when given (blind coding), else of everyone's.
    """
    rows = codebook_rows(project, with_counts=True, coder_ids=coder_ids)
    paths = code_paths(rows)
    table = [
        [
            paths[code.pk],
            code.definition,
            code.colour,
            code.inclusion,
            code.exclusion,
            code.example,
            code.coding_count,
        ]
        for code, _depth in rows
    ]
    return codebook_header(), table


def codebook_docx(project, coder_ids=None) -> bytes:
    """The codebook as a Word document: one heading per code, nested by level."""
    from docx import Document
    from docx.shared import RGBColor

    rows = codebook_rows(project, with_counts=True, coder_ids=coder_ids)
    document = Document()
    document.add_heading(_("Codebook: %(project)s") % {"project": project.name}, level=0)
    if not rows:
        document.add_paragraph(_("The codebook is empty."))
    labels = [
        ("definition", _("Definition")),
        ("inclusion", _("Use it when")),
        ("exclusion", _("Do not use it when")),
        ("example", _("Example")),
    ]
    for code, depth in rows:
        heading = document.add_heading(code.name, level=min(depth + 1, 9))
        for run in heading.runs:
            with contextlib.suppress(ValueError):
                run.font.color.rgb = RGBColor.from_string(code.colour.lstrip("#").upper())
        for field, label in labels:
            value = getattr(code, field).strip()
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
        document.add_paragraph(
            ngettext(
                "Colour %(colour)s · %(n)s coding",
                "Colour %(colour)s · %(n)s codings",
                code.coding_count,
            )
            % {"colour": code.colour, "n": code.coding_count}
        ).runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
