"""The retrieved passages of the reduction page, as markup built in Python.

A page holds fifty passages, each with its context, source, kind, cases, place,
coder, date, code path, review and memos: through the template language that was
some forty variable lookups and a dozen tags per passage, more than the rest of the
page together. Here every piece of user content (passages and their context,
titles, names, memos) and every attribute value passes through `escape` (quotes
included); the rest is numbers, our own keys and translated fixed strings, escaped
too. The result is therefore safe to output as it is.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from interviews.models import Source

from ..models import Coding

register = template.Library()

ELLIPSIS_AT = 80  # a context cut at CONTEXT_CHARS characters goes on beyond them


class _Labels:
    """What every passage of a page shares: URLs with a placeholder id, translated
    labels, and each source's date formatted once."""

    def __init__(self, project, cite: bool):
        # The coding page's URL around its source id ("…/sources/", "/code/").
        head, tail = reverse("coding:source_code", args=[project.slug, 0]).rsplit("/0/", 1)
        self.code_url = (escape(head) + "/", "/" + escape(tail))
        self.evidence_url = escape(reverse("coding:evidence_add", args=[project.slug]))
        self.kinds = {value: escape(str(label)) for value, label in Source.Kind.choices}
        self.reviews = {value: escape(str(label)) for value, label in Coding.Review.choices}
        self.characters = gettext("characters %(start)s–%(end)s")
        self.cite = escape(gettext("Cite as evidence")) if cite else ""
        self.memos_label = escape(gettext("Memos on this passage"))
        self.dates: dict[int, str] = {}

    def date(self, passage) -> str:
        if passage.source_id not in self.dates:
            day = passage.source_date
            self.dates[passage.source_id] = (
                f" · {escape(date_format(day, 'DATE_FORMAT'))}" if day else ""
            )
        return self.dates[passage.source_id]


def _memos(memos, labels: _Labels) -> str:
    if not memos:
        return ""
    items = "".join(
        f'<li class="memo"><p>{_linebreaks(memo.text)}</p><small class="muted">'
        f"{escape(memo.author)} · "
        f"{escape(date_format(localtime(memo.updated_at), 'SHORT_DATETIME_FORMAT'))}"
        "</small></li>"
        for memo in memos
    )
    return f'<ul class="passage-memos" aria-label="{labels.memos_label}">{items}</ul>'


def _linebreaks(text: str) -> str:
    """Django's `linebreaksbr` after escaping."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _passage(coding, labels: _Labels) -> str:
    before, after = coding.before or "", coding.after or ""
    opening = "…" if len(before) >= ELLIPSIS_AT else ""
    closing = "…" if len(after) >= ELLIPSIS_AT else ""
    cases = "".join(f" · {escape(case.name)}" for case in coding.case_list)
    place = f" · {escape(str(coding.place))}" if coding.place else ""
    characters = labels.characters % {"start": int(coding.start), "end": int(coding.end)}
    review = ""
    if coding.review_status != Coding.Review.PENDING:
        status = escape(coding.review_status)
        label = labels.reviews.get(coding.review_status, status)
        review = f' · <span class="review review-{status}">{label}</span>'
    cite = ""
    if labels.cite:
        cite = (
            f' <button type="submit" form="cite-form" name="coding" value="{int(coding.pk)}"'
            f' class="small cite" hx-post="{labels.evidence_url}" hx-include="#cite-form"'
            f' hx-target="#cite-status" hx-swap="innerHTML">{labels.cite}</button>'
        )
    return (
        '<li class="passage"><blockquote>'
        f'<span class="ctx">{opening}{escape(before)}</span>'
        f'<mark style="background: {escape(coding.colour)}33">{escape(coding.passage)}</mark>'
        f'<span class="ctx">{escape(after)}{closing}</span></blockquote>'
        '<p class="meta">'
        f'<a href="{labels.code_url[0]}{int(coding.source_id)}{labels.code_url[1]}'
        f'?at={int(coding.start)}">'
        f"{escape(coding.source_title)}</a>"
        f' · <span class="kind kind-{escape(coding.source_kind)}">'
        f"{labels.kinds.get(coding.source_kind, escape(coding.source_kind))}</span>"
        f"{cases}{place} · {escape(characters)}"
        f" · {escape(coding.coder_name)}{labels.date(coding)}"
        f" · {escape(coding.path)}{review}{cite}</p>"
        f"{_memos(coding.memos, labels)}</li>"
    )


@register.simple_tag
def passage_items(codings, project, cite: bool = False) -> str:
    """The `<li class="passage">` of each `paging.Passage` (with its cases and path
    set); `cite` adds the "Cite as evidence" button."""
    labels = _Labels(project, bool(cite))
    html = "\n".join(_passage(coding, labels) for coding in codings)
    return mark_safe(html)  # noqa: S308 - every piece of content escaped above
