"""The side-by-side view of one source: both coders' codings per paragraph, and what differs.

Each coder's codings are cut into runs with the coding page's sweep
(`coding.rendering.cut_runs`); the open disagreements go into the same sweep
as extra spans (negative ids), so a run knows whether it lies in one and the
paragraph HTML is built once per side, never a template tag per run.
"""

import bisect
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding import run_html
from coding.rendering import CodedParagraph, Span, cut_runs
from coding.run_html import run_class, run_span
from interviews.reading import paragraphs

from . import queries


@dataclass
class Row:
    """One paragraph as both coders coded it, and the disagreements that begin in it."""

    start: int
    a_html: SafeString
    b_html: SafeString
    items: list = field(default_factory=list)


def _run_html(run, code_of, order, names) -> str:
    codes = sorted({code_of[c] for c in run.codings if c > 0}, key=lambda c: order.get(c, 0))
    classes = [run.role] if run.role else []
    if codes:
        classes.append(run_class(codes))
    if any(c < 0 for c in run.codings):
        classes.append("dis")
    title = ", ".join(names.get(code, "") for code in codes)
    return run_span(run.start, run.text, " ".join(classes), title=title)


def _paragraph_html(paragraph: CodedParagraph, code_of, codebook) -> SafeString:
    codes = [code for code in paragraph.codes if code > 0]
    body = "".join(
        _run_html(run, code_of, codebook.order, codebook.names) for run in paragraph.runs
    )
    html = run_html.paragraph(
        body, run_html.stripes(codes, codebook.names), is_turn=paragraph.is_turn, attrs={}
    )
    return mark_safe(html)  # noqa: S308 - built by coding.run_html from escaped text


def _excerpt(text: str, limit: int = 160) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    head = text[:half].rsplit(None, 1)[0]  # whole words at both ends
    tail = text[-half:].split(None, 1)[-1]
    return f"{head} … {tail}"


@dataclass
class Item:
    """A disagreement as the page lists it, with what its actions need."""

    key: str
    ids: list[int]
    start: int
    end: int
    reviewed: bool
    path: str
    colour: str
    kind_text: str
    a_view: list
    b_view: list
    spans: list  # merge choices: (value, label, (start, end))


def _item(group, source, codebook, a_name, b_name) -> Item:
    spans = [(_("union of all passages"), (group.start, group.end))]
    if group.intersection:
        spans.append((_("the part all passages share"), group.intersection))
    for name, passages in ((a_name, group.a), (b_name, group.b)):
        for p in passages:
            spans.append((_("%(name)s's passage") % {"name": name}, (p.start, p.end)))
    seen, choices = set(), []
    for label, span in spans:
        if span not in seen:
            seen.add(span)
            choices.append((f"{span[0]}:{span[1]}", label, span))
    return Item(
        key=group.key,
        ids=group.ids,
        start=group.start,
        end=group.end,
        reviewed=group.reviewed,
        path=codebook.paths.get(group.code_id, "?"),
        colour=codebook.colours.get(group.code_id, "#888888"),
        kind_text=queries.KINDS[group.kind] % {"a": a_name, "b": b_name},
        a_view=[(p, _excerpt(source.text[p.start : p.end])) for p in group.a],
        b_view=[(p, _excerpt(source.text[p.start : p.end])) for p in group.b],
        spans=choices,
    )


def comparison(source, codebook, a_id, b_id, threshold, *, within=None, only=False):
    """Rows of the side-by-side view (those touching `within`, if given), codes shown, counts."""
    rows = list(
        queries.pair_codings(source, a_id, b_id).values_list(
            "pk", "code_id", "coder_id", "start", "end"
        )
    )
    found, agreed = queries.disagreements(
        rows, a_id=a_id, threshold=threshold, reviewed=queries.reconciled_ids(source)
    )
    paras = paragraphs(source.text)
    ends = [p.end for p in paras]
    items: dict[int, list] = {}
    for item in found if paras else []:
        index = min(bisect.bisect_right(ends, item.start), len(paras) - 1)
        items.setdefault(index, []).append(item)
    if within is not None:
        # A disagreement reaching into the range is re-rendered whole.
        low = min(
            [within[0]] + [d.start for d in found if d.start < within[1] and d.end > within[0]]
        )
        high = max(
            [within[1]] + [d.end for d in found if d.start < within[1] and d.end > within[0]]
        )
        keep = [i for i, p in enumerate(paras) if p.end >= low and p.start <= high]
    elif only:
        keep = sorted(i for i, group in items.items() if any(not d.reviewed for d in group))
    else:
        keep = list(range(len(paras)))
    shown = [paras[i] for i in keep]
    code_of = {pk: code_id for pk, code_id, _coder, _start, _end in rows}
    order = {**codebook.order, -1: -1}
    sides = []
    for coder_id in (a_id, b_id):
        spans = [
            Span(pk, code, start, end) for pk, code, coder, start, end in rows if coder == coder_id
        ]
        spans += [Span(-(n + 1), -1, d.start, d.end) for n, d in enumerate(found) if not d.reviewed]
        sides.append(cut_runs(shown, spans, order))
    result = []
    for index, a_para, b_para in zip(keep, *sides, strict=True):
        result.append(
            Row(
                a_para.start,
                _paragraph_html(a_para, code_of, codebook),
                _paragraph_html(b_para, code_of, codebook),
                items.get(index, []),
            )
        )
    codes = {code for side in sides for paragraph in side for code in paragraph.codes if code > 0}
    summary = {
        "open": sum(1 for d in found if not d.reviewed),
        "reviewed": sum(1 for d in found if d.reviewed),
        "agreed": agreed,
        "first": next((d for d in found if not d.reviewed), None),
        "hidden": len(paras) - len(keep) if within is None else 0,
    }
    return result, codes, summary


def finish_items(rows, source, codebook, a_name, b_name):
    for row in rows:
        row.items = [_item(group, source, codebook, a_name, b_name) for group in row.items]
