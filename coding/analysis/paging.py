"""Pages of retrieved passages: after a cursor (keyset), or by number.

Reading every passage of a code page by page with OFFSET makes the database find
and sort all the earlier rows again on each page, so reading them all costs the
square of their number. Here each page first counts the passages per source (one
grouped count; the sources then put in reading order: kind, title, id), which gives
the total, the page's number and the few sources the page spans; the rows are then read
from those sources only and sorted there (start, id). A page's "Next" link names
the last passage it showed (`?after=<coding id>&page=N`) and the next page starts
right after it; a link by number alone (`?page=N`, bookmarked or typed) and
"Previous" find their sources from the same counts.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from interviews.models import Source

from ..models import Memo
from .citations import Places
from .queries import CONTEXT_CHARS

# The reading order of retrieval: sources by kind and title, then positions.
SOURCE_ORDER = ("source__kind", "source__title", "source_id")
ORDER = (*SOURCE_ORDER, "start", "id")


@dataclass
class Counted:
    """What the page links need of a paginator."""

    count: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


@dataclass
class PassagePage:
    """One page of codings, with the parts of Django's `Page` the templates use."""

    object_list: list
    number: int
    paginator: Counted
    offset: int = 0  # the passages before this page
    next_after: int | None = None  # the cursor of the next page, if there is one

    def has_next(self) -> bool:
        return self.next_after is not None

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return self.offset + 1 if self.object_list else 0


def _page_number(value, last: int) -> int:
    number = int(value) if str(value or "").isdecimal() and len(str(value)) < 10 else 1
    return min(max(number, 1), last)


@dataclass(slots=True)
class MemoLine:
    text: str
    author: str
    updated_at: object


@dataclass(slots=True)
class Passage:
    """A retrieved coding as its page shows it: plain values, no model instances
    (fifty codings with their code, coder and source cost more to build as models
    than to read)."""

    pk: int
    source_id: int
    start: int
    end: int
    passage: str
    review_status: str
    code_id: int
    code_name: str
    colour: str
    coder_name: str
    source_title: str
    source_kind: str
    source_date: object
    before: str = ""
    after: str = ""
    place: object = None
    path: str = ""
    case_list: list = field(default_factory=list)
    memos: list[MemoLine] = field(default_factory=list)


def _fields() -> tuple[str, ...]:
    username = f"coder__{get_user_model().USERNAME_FIELD}"
    return (
        *("pk", "source_id", "start", "end", "passage", "review_status"),
        *("code_id", "code__name", "code__colour", username),
        *("source__title", "source__kind", "source__date"),
    )


def _cursor(codings: QuerySet, after) -> tuple[int, int, int] | None:
    """(source id, start, id) of the coding `after`, if it is one of `codings`."""
    if not (str(after or "").isdecimal() and len(str(after)) < 19):
        return None
    return codings.filter(pk=int(after)).values_list("source_id", "start", "pk").first()


def _per_source(codings: QuerySet, key) -> tuple[list[tuple[int, int]], int]:
    """(source id, passages) of each source with passages, in reading order, and how
    many passages of the cursor's source come up to it (0 without a cursor).

    The count groups by source id alone, which the index on (code, source) answers
    without reading the rows (grouping by kind and title too read every row's source,
    eight times slower on 5,000 passages); the sources are then put in order apart.
    """
    distinct = codings.query.distinct  # a filter on cases joins rows: count each once
    counts = dict(
        codings.order_by().values_list("source_id").annotate(n=Count("pk", distinct=distinct))
    )
    order = (
        Source.objects.filter(pk__in=list(counts))
        .order_by("kind", "title", "id")
        .values_list("pk", flat=True)
    )
    groups = [(pk, counts[pk]) for pk in order]
    if key is None:
        return groups, 0
    source_id, start, pk = key
    upto = codings.filter(
        Q(source_id=source_id) & (Q(start__lt=start) | Q(start=start, pk__lte=pk))
    ).count()
    return groups, upto


def _page_rows(codings, groups, offset: int, per_page: int, key) -> list[tuple]:
    """The `per_page` rows after the first `offset` (or after the cursor `key`), read
    from the sources that hold them only."""
    spanned, seen, skip = [], 0, 0
    for source_id, n in groups:
        if seen + n > offset and len(spanned) < per_page:
            if not spanned:
                skip = offset - seen
            spanned.append(source_id)
            if seen + n >= offset + per_page:
                break
        seen += n
    if not spanned:
        return []
    rows = codings.filter(source_id__in=spanned)
    if key is not None:  # the cursor's own source: only what follows the cursor
        source_id, start, pk = key
        rows = rows.exclude(
            Q(source_id=source_id) & (Q(start__lt=start) | Q(start=start, pk__lte=pk))
        )
        skip = 0
    return list(rows.values_list(*_fields())[skip : skip + per_page])


def passage_page(codings: QuerySet, *, after, number, per_page: int) -> PassagePage:
    """The page of `codings` (in ORDER) after the cursor `after`, or page `number`, as
    `Passage`s with their memos, context and place (not yet their cases and path)."""
    codings = codings.order_by(*ORDER)
    key = _cursor(codings, after)
    groups, upto = _per_source(codings, key)
    total = sum(n for _source, n in groups)
    if key is None:
        number = _page_number(number, max(1, -(-total // per_page)))
        offset = (number - 1) * per_page
    else:
        before = [n for source_id, n in groups]
        index = [source_id for source_id, _n in groups].index(key[0])
        offset = sum(before[:index]) + upto
        number = offset // per_page + 1
    passages = [Passage(*row) for row in _page_rows(codings, groups, offset, per_page, key)]
    add_memos(passages)
    add_context(passages)
    more = bool(passages) and offset + len(passages) < total
    return PassagePage(
        object_list=passages,
        number=number,
        paginator=Counted(total, per_page),
        offset=offset,
        next_after=passages[-1].pk if more else None,
    )


def add_memos(passages: list[Passage]) -> None:
    """Each passage's memos, oldest first, with their authors' names (one query)."""
    by_id = {passage.pk: passage for passage in passages}
    if not by_id:
        return
    username = f"author__{get_user_model().USERNAME_FIELD}"
    memos = (
        Memo.objects.filter(coding_id__in=by_id)
        .order_by("created_at", "id")
        .values_list("coding_id", "text", username, "updated_at")
    )
    for coding_id, text, author, updated_at in memos:
        by_id[coding_id].memos.append(MemoLine(text, author, updated_at))


def add_context(passages: list[Passage]) -> None:
    """Set `before` and `after` (up to CONTEXT_CHARS characters) and `place` (paragraph
    and speaker, `citations.Places`) on each passage, reading each source's text once.

    Cut in the database instead, the context made SQLite walk the whole text for each
    end of each passage (its `substr` counts characters from the start).
    """
    texts = dict(
        Source.objects.filter(pk__in={p.source_id for p in passages})
        .order_by()
        .values_list("pk", "text")
    )
    places = {pk: Places(text) for pk, text in texts.items()}
    for passage in passages:
        text = texts[passage.source_id]
        passage.before = text[max(0, passage.start - CONTEXT_CHARS) : passage.start]
        passage.after = text[passage.end : passage.end + CONTEXT_CHARS]
        passage.place = places[passage.source_id].at(passage.start)
