"""Rendering coded text. Every piece of source text passes through escaping here."""

import json
from html import escape

from django import template
from django.db.models import Count
from django.utils.safestring import mark_safe

from ..models import Code, Coding
from ..rendering import CodedParagraph

register = template.Library()


SLOTS = "abcd"  # up to four stacked underlines; a fifth code and more add "z"


def run_class(codes: list[int]) -> str:
    """`k a12 b15`: one class per code, each in its own underline slot."""
    slots = [f"{slot}{code}" for slot, code in zip(SLOTS, codes, strict=False)]
    return " ".join(["k", *slots, *(["z"] if len(codes) > len(SLOTS) else [])])


def set_class(codes) -> str:
    """The slot classes of a set of codes, without the leading `k` (`a12 b15`)."""
    return run_class(list(codes))[2:]


def _run_html(run, code_of, order) -> str:
    text = escape(run.text)
    if not run.codings:
        if run.role:
            return f'<span data-o="{run.start}" class="{run.role}">{text}</span>'
        return f'<span data-o="{run.start}">{text}</span>'
    codes = sorted({code_of[c] for c in run.codings}, key=lambda code: order.get(code, 0))
    role = f" {run.role}" if run.role else ""
    ids = " ".join(map(str, run.codings))
    classes = run_class(codes) + role
    return f'<span data-o="{run.start}" class="{classes}" data-c="{ids}">{text}</span>'


@register.simple_tag
def coded_paragraph(paragraph: CodedParagraph, info: dict, order: dict, oob: bool = False):
    """One paragraph: margin stripes per code, then the text cut into runs.

    `data-k` carries the facts of the paragraph's codings for tooltips:
    {coding id: [code id, coder id, memo count, review mark]}.

    Built with f-strings rather than format_html: a long transcript has
    thousands of runs. Every piece of source text and the JSON pass through
    `escape` (quotes included); everything else is numbers and fixed markup,
    so the composed paragraph is safe to output as it is.
    """
    facts = {}
    for run in paragraph.runs:
        for coding_id in run.codings:
            facts.setdefault(coding_id, info[coding_id])
    code_of = {coding_id: fact[0] for coding_id, fact in facts.items()}
    body = "".join(_run_html(run, code_of, order) for run in paragraph.runs)
    stripes = "".join(f'<i class="m{int(code)}"></i>' for code in paragraph.codes)
    facts_json = escape(json.dumps(facts, separators=(",", ":"))) if facts else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    turn = ' class="turn"' if paragraph.is_turn else ""
    start = int(paragraph.start)
    return mark_safe(  # noqa: S308 - composed from escaped text and numbers, see above
        f'<div class="para" id="p{start}" data-o="{start}" data-k="{facts_json}"{swap}>'
        f'<div class="stripes">{stripes}</div><p{turn}>{body}</p></div>'
    )


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


@register.inclusion_tag("coding/_progress.html")
def coding_progress(project, membership):
    """Coding progress for the project dashboard."""
    codings = Coding.objects.filter(source__project=project)
    coders = list(codings.values("coder__username").annotate(n=Count("id")).order_by("-n"))
    return {
        "project": project,
        "membership": membership,
        "code_count": Code.objects.filter(project=project).count(),
        "coding_count": sum(coder["n"] for coder in coders),
        "coded_sources": codings.values("source_id").distinct().count(),
        "source_total": project.sources.count(),
        "coders": coders,
    }


@register.simple_tag
def matrix_rows(table, view: str, retrieval_url: str, cell_url: str):
    """The body rows of a count matrix: thousands of cells, so built with f-strings.

    Labels pass through `escape`; everything else is numbers, keys of our own
    (case, coder and code ids, source kinds) and the two URLs reversed by Django.
    """
    column = "code" if view == "cooccurrence" else view
    narrow = {"case": "case", "kind": "kind", "coder": "coder"}.get(view)
    retrieval_url, cell_url = escape(retrieval_url), escape(cell_url)
    rows = []
    for row_id, label, depth, values, total in table:
        cells = []
        for key, value, shade, _text in values:
            if not value:
                cells.append('<td class="num h0">0</td>')
                continue
            key = escape(str(key))
            link = f"{retrieval_url}?code={row_id}" + (f"&amp;{narrow}={key}" if narrow else "")
            peek = f"{cell_url}?row={row_id}&amp;col={column}&amp;key={key}"
            cells.append(
                f'<td class="num h{shade}"><a href="{link}" hx-get="{peek}" '
                'hx-trigger="mouseenter once, focus once" hx-target="next .peek" '
                f'hx-swap="innerHTML">{int(value)}</a><div class="peek" role="tooltip"></div></td>'
            )
        rows.append(
            f'<tr><th scope="row" class="tree-cell" style="--depth: {int(depth)}">'
            f'{escape(str(label))}</th>{"".join(cells)}<td class="num total">{int(total)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped labels and our own numbers
