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
from django.db import connections
from django.db.models import F, QuerySet

from interviews.models import Source
from kesra_coord import plain_sql
from kesra_coord.plain_sql import placeholders

from ..models import Code, Coding, Memo
from .citations import Places
from .queries import CONTEXT_CHARS


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


class Filtered:
    """The SQL of the selected codings (the id, source and start of each), compiled by
    the ORM once and read from by each of the page's queries in plain SQL.

    Compiling the ORM's six queries of a page (cursor, counts, order of the sources, the
    cursor's place, rows, memos) cost more than running them; the filters stay the
    ORM's own (`Filters.apply`), so every filter a reader can choose is kept. In the
    SQL below every name is quoted by the connection and every value is a parameter.
    """

    MARK = "@filtered"

    def __init__(self, codings: QuerySet):
        narrow = codings.order_by().values(
            f_id=F("pk"), f_source=F("source_id"), f_start=F("start")
        )
        self.using = codings.db
        sql, params = narrow.query.get_compiler(using=self.using).as_sql()
        self.subquery, self.params = f"({sql}) f", tuple(params)
        self.names = _names(connections[self.using])

    def read(self, sql: str, params=()) -> list[tuple]:
        """Rows of `sql`, with the tables' names filled in (`{coding}`, …) and, if it
        reads `@filtered`, the selected codings (aliased f; before any other parameter)."""
        sql = sql.format(**self.names)
        if self.MARK in sql:
            sql, params = sql.replace(self.MARK, self.subquery), (*self.params, *params)
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _names(connection) -> dict[str, str]:
    """The tables and the user's name column, quoted for `connection`."""
    quote = connection.ops.quote_name
    user = get_user_model()
    return {
        "coding": quote(Coding._meta.db_table),
        "code": quote(Code._meta.db_table),
        "source": quote(Source._meta.db_table),
        "memo": quote(Memo._meta.db_table),
        "user": quote(user._meta.db_table),
        "username": quote(user._meta.get_field(user.USERNAME_FIELD).column),
    }


def _passage_fields() -> list:
    coding, code, source = Coding._meta, Code._meta, Source._meta
    user = get_user_model()._meta
    return [
        *(coding.pk, coding.get_field("source"), coding.get_field("start")),
        *(coding.get_field("end"), coding.get_field("passage")),
        *(coding.get_field("review_status"), coding.get_field("code")),
        *(code.get_field("name"), code.get_field("colour")),
        user.get_field(get_user_model().USERNAME_FIELD),
        *(source.get_field("title"), source.get_field("kind"), source.get_field("date")),
    ]


# The cursor's own source: what comes after it there (or, negated, up to it).
UP_TO_CURSOR = "f.f_source = %s AND (f.f_start < %s OR (f.f_start = %s AND f.f_id <= %s))"


def _cursor(filtered: Filtered, after) -> tuple[int, int, int] | None:
    """(source id, start, id) of the coding `after`, if it is one of the selected."""
    if not (str(after or "").isdecimal() and len(str(after)) < 19):
        return None
    found = filtered.read(
        "SELECT f.f_source, f.f_start, f.f_id FROM @filtered WHERE f.f_id = %s", [int(after)]
    )
    return tuple(found[0]) if found else None


def _per_source(filtered: Filtered, key) -> tuple[list[tuple[int, int]], int]:
    """(source id, passages) of each source with passages, in reading order, and how
    many passages of the cursor's source come up to it (0 without a cursor).

    The count groups by source id alone, which the index on (code, source) answers
    without reading the rows (grouping by kind and title too read every row's source,
    eight times slower on 5,000 passages); the few groups are then put in order.
    """
    groups = filtered.read(
        "SELECT s.id, g.n FROM (SELECT f.f_source AS source_id, COUNT(*) AS n"
        " FROM @filtered GROUP BY f.f_source) g"
        " JOIN {source} s ON s.id = g.source_id ORDER BY s.kind, s.title, s.id"
    )
    if key is None:
        return [tuple(group) for group in groups], 0
    source_id, start, pk = key
    upto = filtered.read(
        f"SELECT COUNT(*) FROM @filtered WHERE {UP_TO_CURSOR}",  # noqa: S608 - see Filtered
        [source_id, start, start, pk],
    )
    return [tuple(group) for group in groups], upto[0][0]


def _page_rows(filtered: Filtered, groups, offset: int, per_page: int, key) -> list[list]:
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
    where, params = f"f.f_source IN ({placeholders(spanned)})", list(spanned)
    if key is not None:  # the cursor's own source: only what follows the cursor
        source_id, start, pk = key
        where += f" AND NOT ({UP_TO_CURSOR})"
        params += [source_id, start, start, pk]
        skip = 0
    found = filtered.read(
        'SELECT c.id, c.source_id, c.start, c."end", c.passage, c.review_status, c.code_id,'  # noqa: S608
        " k.name, k.colour, u.{username}, s.title, s.kind, s.date FROM @filtered"
        " JOIN {coding} c ON c.id = f.f_id JOIN {code} k ON k.id = c.code_id"
        " JOIN {user} u ON u.id = c.coder_id JOIN {source} s ON s.id = c.source_id"
        f" WHERE {where} ORDER BY s.kind, s.title, s.id, c.start, c.id LIMIT %s OFFSET %s",
        [*params, per_page, skip],
    )
    convert = plain_sql.values("paging.passage", _passage_fields(), filtered.using).convert
    return [convert(row) for row in found]


def passage_page(codings: QuerySet, *, after, number, per_page: int) -> PassagePage:
    """The page of `codings` (in reading order: sources by kind, title and id, then
    start and id) after the cursor `after`, or page `number`, as
    `Passage`s with their memos, context and place (not yet their cases and path)."""
    filtered = Filtered(codings)
    key = _cursor(filtered, after)
    groups, upto = _per_source(filtered, key)
    total = sum(n for _source, n in groups)
    if key is None:
        number = _page_number(number, max(1, -(-total // per_page)))
        offset = (number - 1) * per_page
    else:
        before = [n for source_id, n in groups]
        index = [source_id for source_id, _n in groups].index(key[0])
        offset = sum(before[:index]) + upto
        number = offset // per_page + 1
    passages = [Passage(*row) for row in _page_rows(filtered, groups, offset, per_page, key)]
    add_memos(passages, filtered)
    add_context(passages, filtered)
    more = bool(passages) and offset + len(passages) < total
    return PassagePage(
        object_list=passages,
        number=number,
        paginator=Counted(total, per_page),
        offset=offset,
        next_after=passages[-1].pk if more else None,
    )


def add_memos(passages: list[Passage], filtered: Filtered) -> None:
    """Each passage's memos, oldest first, with their authors' names (one query)."""
    by_id = {passage.pk: passage for passage in passages}
    if not by_id:
        return
    memo = Memo._meta
    fields = [memo.get_field("coding"), memo.get_field("text")]
    fields += [get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)]
    convert = plain_sql.values(
        "paging.memo", [*fields, memo.get_field("updated_at")], filtered.using
    ).convert
    found = filtered.read(
        "SELECT m.coding_id, m.text, u.{username}, m.updated_at"  # noqa: S608
        " FROM {memo} m JOIN {user} u ON u.id = m.author_id"
        f" WHERE m.coding_id IN ({placeholders(by_id)}) ORDER BY m.created_at, m.id",
        list(by_id),
    )
    for coding_id, text, author, updated_at in map(convert, found):
        by_id[coding_id].memos.append(MemoLine(text, author, updated_at))


def add_context(passages: list[Passage], filtered: Filtered) -> None:
    """Set `before` and `after` (up to CONTEXT_CHARS characters) and `place` (paragraph
    and speaker, `citations.Places`) on each passage, reading each source's text once.

    Cut in the database instead, the context made SQLite walk the whole text for each
    end of each passage (its `substr` counts characters from the start).
    """
    ids = sorted({p.source_id for p in passages})
    if not ids:
        return
    sql = f"SELECT id, text FROM {{source}} WHERE id IN ({placeholders(ids)})"  # noqa: S608 - see Filtered
    texts = dict(filtered.read(sql, ids))
    places = {pk: Places(text) for pk, text in texts.items()}
    for passage in passages:
        text = texts[passage.source_id]
        passage.before = text[max(0, passage.start - CONTEXT_CHARS) : passage.start]
        passage.after = text[passage.end : passage.end + CONTEXT_CHARS]
        passage.place = places[passage.source_id].at(passage.start)
