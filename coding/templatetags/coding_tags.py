"""Rendering coded text. Every piece of source text passes through escaping here."""

import json

from django import template
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from ..models import Code, Coding
from ..rendering import CodedParagraph

register = template.Library()


def set_class(codes: tuple[int, ...]) -> str:
    return "s" + "-".join(map(str, codes))


def _run_html(run, code_of) -> tuple:
    role = f" {run.role}" if run.role else ""
    if not run.codings:
        if run.role:
            return ('<span data-o="{}" class="{}">{}</span>', (run.start, run.role, run.text))
        return ('<span data-o="{}">{}</span>', (run.start, run.text))
    codes = tuple(sorted({code_of[c] for c in run.codings}))
    return (
        '<span data-o="{}" class="k {}{}" data-c="{}" tabindex="-1">{}</span>',
        (run.start, set_class(codes), role, " ".join(map(str, run.codings)), run.text),
    )


@register.simple_tag
def coded_paragraph(paragraph: CodedParagraph, info: dict, code_names: dict, oob: bool = False):
    """One paragraph: margin stripes per code, then the text cut into runs."""
    code_of = {}
    facts = {}
    for run in paragraph.runs:
        for coding_id in run.codings:
            if coding_id not in facts:
                facts[coding_id] = info[coding_id]
                code_of[coding_id] = info[coding_id]["code"]
    runs = [_run_html(run, code_of) for run in paragraph.runs]
    body = format_html_join("", "{}", ((format_html(fmt, *args),) for fmt, args in runs))
    stripes = format_html_join(
        "",
        '<i class="b{}" title="{}"></i>',
        ((code_id, code_names.get(code_id, "")) for code_id in paragraph.codes),
    )
    html = (
        '<div class="para" id="p{}" data-o="{}" data-k="{}"'
        + (' hx-swap-oob="true"' if oob else "")
        + '><div class="stripes" aria-hidden="true">{}</div><p'
        + (' class="turn"' if paragraph.is_turn else "")
        + ">{}</p></div>"
    )
    facts_json = json.dumps(facts, separators=(",", ":")) if facts else ""
    return format_html(html, paragraph.start, paragraph.start, facts_json, stripes, body)


@register.simple_tag
def code_styles(colours: dict[int, str], sets) -> str:
    """CSS for margin stripes and stacked underlines. Colours are validated #RRGGBB."""
    rules = [f".b{code_id}{{background:{colour}}}" for code_id, colour in colours.items()]
    for codes in sorted(sets):
        shadows = ",".join(
            f"inset 0 -{3 * (i + 1)}px {colours.get(code_id, '#888888')}"
            for i, code_id in enumerate(codes)
        )
        tint = colours.get(codes[0], "#888888")
        rules.append(f".{set_class(codes)}{{box-shadow:{shadows};background:{tint}1f}}")
    return "".join(rules)


@register.inclusion_tag("coding/_progress.html")
def coding_progress(project):
    """Coding progress for the project dashboard."""
    codings = Coding.objects.filter(source__project=project)
    coders = list(codings.values("coder__username").annotate(n=Count("id")).order_by("-n"))
    return {
        "project": project,
        "code_count": Code.objects.filter(project=project).count(),
        "coding_count": sum(coder["n"] for coder in coders),
        "coded_sources": codings.values("source_id").distinct().count(),
        "source_total": project.sources.count(),
        "coders": coders,
    }


ZERO_CELL = format_html('<td class="num h0">{}</td>', 0)
_CELL = (
    '<td class="num h{}"><a href="{}" hx-get="{}" hx-trigger="mouseenter once, focus once" '
    'hx-target="next .peek" hx-swap="innerHTML">{}</a><div class="peek" role="tooltip"></div></td>'
)


@register.simple_tag
def matrix_rows(table, view: str, retrieval_url: str, cell_url: str):
    """The body rows of a count matrix (built here: thousands of cells, one format each)."""
    column = "code" if view == "cooccurrence" else view
    narrow = {"case": "case", "kind": "kind", "coder": "coder"}.get(view)
    rows = []
    for row_id, label, depth, values, total in table:
        cells = []
        for key, value, shade, _text in values:
            if not value:
                cells.append(ZERO_CELL)
                continue
            link = f"{retrieval_url}?code={row_id}" + (f"&{narrow}={key}" if narrow else "")
            peek = f"{cell_url}?row={row_id}&col={column}&key={key}"
            cells.append(format_html(_CELL, shade, link, peek, value))
        rows.append(
            format_html(
                '<tr><th scope="row" class="tree-cell" style="--depth: {}">{}</th>{}'
                '<td class="num total">{}</td></tr>',
                depth,
                label,
                format_html_join("", "{}", ((cell,) for cell in cells)),
                total,
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))
