"""Rendering coded text. Every piece of source text passes through escaping here."""

import json
from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from .. import run_html
from ..rendering import CodedParagraph
from ..run_html import run_class, run_span

register = template.Library()


def _run_html(run, code_of, order) -> str:
    if not run.codings:
        return run_span(run.start, run.text, run.role)
    codes = sorted({code_of[c] for c in run.codings}, key=lambda code: order.get(code, 0))
    classes = run_class(codes) + (f" {run.role}" if run.role else "")
    return run_span(run.start, run.text, classes, data_c=" ".join(map(str, run.codings)))


@register.simple_tag
def coded_paragraph_list(paragraphs, info: dict, order: dict):
    """Every paragraph of a window, one per line (one tag, not one per paragraph)."""
    html = "".join(coded_paragraph(paragraph, info, order) + "\n" for paragraph in paragraphs)
    return mark_safe(html)  # noqa: S308 - each paragraph built by coding.run_html


@register.simple_tag
def coded_paragraph(paragraph: CodedParagraph, info: dict, order: dict, oob: bool = False):
    """One paragraph: margin stripes per code, then the text cut into runs.

    `data-k` carries the facts of the paragraph's codings for tooltips:
    {coding id: [code id, coder id, memo count, review mark]}.

    The markup comes from `coding.run_html`, which escapes every piece of
    source text and every attribute value.
    """
    facts = {}
    for run in paragraph.runs:
        for coding_id in run.codings:
            facts.setdefault(coding_id, info[coding_id])
    code_of = {coding_id: fact[0] for coding_id, fact in facts.items()}
    body = "".join(_run_html(run, code_of, order) for run in paragraph.runs)
    facts_json = json.dumps(facts, separators=(",", ":")) if facts else ""
    start = int(paragraph.start)
    attrs = {
        "id": f"p{start}",
        "data-o": start,
        "data-k": facts_json,
        "hx-swap-oob": oob and "true",
    }
    html = run_html.paragraph(
        body, run_html.stripes(paragraph.codes), is_turn=paragraph.is_turn, attrs=attrs
    )
    return mark_safe(html)  # noqa: S308 - built by coding.run_html from escaped text


@register.simple_tag
def code_styles(colours: dict[int, str], codes=None) -> str:
    """CSS for margin stripes and the four underline slots of each code.

    Colours are validated #RRGGBB. With `codes`, only the rules of those codes.
    """
    rules = []
    if codes is not None:  # code ids, or sets of code ids
        codes = {c for item in codes for c in (item if isinstance(item, tuple) else (item,))}
    for code_id, colour in colours.items():
        if codes is not None and code_id not in codes:
            continue
        rules.append(
            f".m{code_id}{{background:{colour}}}"
            f".a{code_id}{{--a:inset 0 -3px {colour};background-color:{colour}1f}}"
            f".b{code_id}{{--b:inset 0 -6px {colour}}}"
            f".c{code_id}{{--c:inset 0 -9px {colour}}}"
            f".d{code_id}{{--d:inset 0 -12px {colour}}}"
        )
    return "".join(rules)


@register.simple_tag
def matrix_rows(table, view: str, retrieval_url: str, cell_url: str, rolled=()):
    """The body rows of a count matrix: thousands of cells, so built with f-strings.

    Labels pass through `escape`; everything else is numbers, keys of our own
    (case, coder and code ids, source kinds) and the two URLs reversed by Django.
    Rows in `rolled` add up their sub-codes: marked as totals, their links take
    the sub-codes along. Hovering or focusing a cell fills the one preview
    (`#peek`) beside the table, which stays on screen however wide the table is.
    """
    column = "code" if view == "cooccurrence" else view
    narrow = {"case": "case", "kind": "kind", "coder": "coder"}.get(view)
    retrieval_url, cell_url = escape(retrieval_url), escape(cell_url)
    total_mark = escape(gettext("total of its codes"))
    rows = []
    for row_id, label, depth, values, total in table:
        sub = "&amp;subcodes=on" if row_id in rolled else ""
        cells = []
        for key, value, shade, _text in values:
            if not value:
                cells.append('<td class="num h0">0</td>')
                continue
            key = escape(str(key))
            link = f"{retrieval_url}?code={row_id}{sub}" + (
                f"&amp;{narrow}={key}" if narrow else ""
            )
            peek = f"{cell_url}?row={row_id}{sub}&amp;col={column}&amp;key={key}"
            cells.append(
                f'<td class="num h{shade}"><a href="{link}" hx-get="{peek}" '
                'hx-trigger="mouseenter delay:120ms, focus" hx-target="#peek" '
                f'hx-swap="innerHTML">{int(value)}</a></td>'
            )
        mark, css = "", ""
        if row_id in rolled:
            mark = (
                f' <span class="sum" title="{total_mark}">Σ'
                f'<span class="visually-hidden"> {total_mark}</span></span>'
            )
            css = ' class="subtotal"'
        rows.append(
            f'<tr{css}><th scope="row" class="tree-cell" style="--depth: {int(depth)}">'
            f"{escape(str(label))}{mark}</th>{''.join(cells)}"
            f'<td class="num total">{int(total)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped labels and our own numbers


@register.simple_tag
def picker_items(picker, recent):
    """The code picker's options, as `_picker_list.html` drew them one by one: each code's
    path and definition (cut at 140 characters) escaped. A page carries every code of the
    project here, so the loop in the template cost more than the rest of the picker."""
    recent = set(recent)
    items = []
    for code, path, definition in picker:
        mark = ' data-recent="1"' if code in recent else ""
        note = (
            f"<small>{conditional_escape(Truncator(definition).chars(140))}</small>"
            if definition
            else ""
        )
        items.append(
            f'<li role="option" id="opt-{int(code)}" data-id="{int(code)}"{mark}>'
            f'<i class="swatch m{int(code)}"></i><span class="key"></span>'
            f'<span class="name">{conditional_escape(path)}</span>{note}</li>'
        )
    return mark_safe("".join(items))  # noqa: S308 - every path and definition escaped
