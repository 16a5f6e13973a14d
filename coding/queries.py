"""Reads for the coding page: one query each, counted in the database."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max, Q

from interviews.models import Membership, Source
from kesra_coord.plain_sql import placeholders
from kesra_coord.plain_sql import rows as plain_rows

from .models import Code, Coding, CodingEvent, Memo
from .rendering import Span


def codebook_rows(project, *, with_counts: bool = False, coder_ids=None) -> list[tuple[Code, int]]:
    """The code tree in display order as (code, depth).

    `coding_count` is annotated on request, counting only `coder_ids`' codings if given.
    """
    if with_counts:
        only = Q(codings__coder_id__in=coder_ids) if coder_ids is not None else None
        codes = Code.objects.filter(project=project)
        codes = codes.annotate(coding_count=Count("codings", filter=only))
    else:
        codes = project_codes(project.pk)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    rows: list[tuple[Code, int]] = []

    def walk(parent_id, depth):
        for code in sorted(children.get(parent_id, []), key=lambda c: (c.order, c.name.lower())):
            rows.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return rows


def project_codes(project_id: int) -> list[Code]:
    """The project's codes, in no order, in plain SQL (the codebook pages read them on
    every request; the ORM's query cost more to compile than to run)."""
    read = plain_rows(Code)
    # Our own table and column names only; the value is a parameter.
    sql = f"SELECT {read.columns} FROM {_table(Code)} WHERE project_id = %s"  # noqa: S608
    return [read.instance(row) for row in _fetch(sql, [project_id])]


def source_of(project_id: int, source_id: int) -> Source | None:
    """The project's source `source_id` (text included), or None, in plain SQL."""
    read = plain_rows(Source)
    # Our own table and column names only; every value is a parameter.
    sql = f"SELECT {read.columns} FROM {_table(Source)} WHERE id = %s AND project_id = %s"  # noqa: S608
    found = _fetch(sql, [source_id, project_id])
    return read.instance(found[0]) if found else None


def code_paths(rows: list[tuple[Code, int]]) -> dict[int, str]:
    """'Theme › Code' labels for pickers, from codebook_rows."""
    paths: dict[int, str] = {}
    trail: list[str] = []
    for code, depth in rows:
        trail[depth:] = [code.name]
        paths[code.pk] = " › ".join(trail)
    return paths


class Codebook:
    """The project's codes as pages of coded text need them: tree order, 'Theme › Code'
    paths, names, colours and display order (one query)."""

    def __init__(self, project):
        self.rows = codebook_rows(project)
        self.paths = code_paths(self.rows)
        self.names = {code.pk: code.name for code, _depth in self.rows}
        self.colours = {code.pk: code.colour for code, _depth in self.rows}
        self.order = {code.pk: index for index, (code, _depth) in enumerate(self.rows)}


def seen_by(membership, codings):
    """`codings` (a queryset of Coding, or of rows with a `coder`) as `membership` may see them.

    The one filter behind every read of coding work: under blind coding a researcher
    sees their own codings only (Membership.visible_coder_ids).
    """
    coder_ids = membership.visible_coder_ids()
    return codings if coder_ids is None else codings.filter(coder_id__in=coder_ids)


def creation_notes(coding_ids) -> dict[int, str]:
    """The note of each coding's creation, in the reader's language, where it has one
    (an accepted suggestion names its model: "accepted suggestion of model v3, p = 0.87")."""
    events = (
        CodingEvent.objects.filter(coding_id__in=coding_ids, action=CodingEvent.Action.CREATED)
        .exclude(detail="")
        .order_by("id")
    )
    return {event.coding_id: event.note for event in events}


def visible_codings(source: Source, *, coder_ids=None):
    codings = Coding.objects.filter(source=source)
    if coder_ids is not None:
        codings = codings.filter(coder_id__in=coder_ids)
    return codings


REVIEW_MARKS = {"pending": "", "approved": "a", "rejected": "r"}


def spans_and_info(codings) -> tuple[list[Span], dict[int, list]]:
    """Spans for the renderer, and per-coding facts for tooltips, in one query.

    Facts are compact lists, as the page carries them: [code id, coder id,
    memo count, review mark ("a" approved, "r" rejected)], trailing zeros and
    blanks left out.
    """
    rows = codings.annotate(memo_count=Count("memos")).values_list(
        "pk", "code_id", "start", "end", "coder_id", "memo_count", "review_status"
    )
    return _spans_and_facts(rows)


def _spans_and_facts(rows) -> tuple[list[Span], dict[int, list]]:
    spans, info = [], {}
    for pk, code_id, start, end, coder_id, memo_count, review in rows:
        spans.append(Span(pk, code_id, start, end))
        mark = REVIEW_MARKS.get(review, "")
        info[pk] = (
            [code_id, coder_id, memo_count, mark]
            if mark
            else ([code_id, coder_id, memo_count] if memo_count else [code_id, coder_id])
        )
    return spans, info


def code_counts(source: Source, *, coder_ids=None) -> list[dict]:
    """{"code_id", "n"} of each code with visible codings in the source (plain SQL)."""
    counts = counts_of(source.pk, None, coder_ids=coder_ids)
    return [{"code_id": code_id, "n": n} for code_id, n in counts.items()]


def recent_code_ids(project, user, limit: int = 9, *, code_ids=None) -> list[int]:
    """The codes this user applied most recently in the project, newest first.

    With `code_ids` (the project's codes, read already) each code's latest coding by the
    user is found in plain SQL, one step down the index on (coder, code, created_at) per
    code: the cost follows the codebook, not the user's codings (a scan of all of them,
    grouped, took 3 ms at 4,000).
    """
    if code_ids is None:
        rows = (
            Coding.objects.filter(coder=user, source__project=project)
            .values("code_id")
            .annotate(last=Max("created_at"))
            .order_by("-last")[:limit]
        )
        return [row["code_id"] for row in rows]
    code_ids = list(code_ids)
    if not code_ids:
        return []
    # Our own table and column names only; every value is a parameter.
    sql = (
        "SELECT id FROM (SELECT c.id, "  # noqa: S608
        f"(SELECT MAX(x.created_at) FROM {_table(Coding)} x "
        "WHERE x.coder_id = %s AND x.code_id = c.id) AS last "
        f"FROM {_table(Code)} c WHERE c.id IN ({placeholders(code_ids)})) latest "
        "WHERE last IS NOT NULL ORDER BY last DESC, id LIMIT %s"
    )
    return [code_id for (code_id,) in _fetch(sql, [user.pk, *code_ids, limit])]


def coders_of(source: Source, membership):
    """The coders of `source` whose work `membership` may see, for the coder filter."""
    coders = get_user_model().objects.filter(codings__source=source)
    coder_ids = membership.visible_coder_ids()
    if coder_ids is not None:
        coders = coders.filter(pk__in=coder_ids)
    return coders.distinct().order_by("username")


def page_coders(project_id: int, source_id: int, coder_ids=None):
    """The coding page's two lists of people, in one query of plain SQL: the names of the
    project's members, for tooltips ({user id: username}, as `_coder_names`), and the
    coders of the source as (id, username) by username, for the coder filter (as
    `coders_of`). With `coder_ids` (blind coding) only those users."""
    user = get_user_model()
    table, username = _table(user), _name(user._meta.get_field(user.USERNAME_FIELD).column)
    members, codings = _table(Membership), _table(Coding)
    # Our own table and column names only; every value is a parameter.
    sql = (
        f"SELECT u.id, u.{username}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {members} m WHERE m.project_id = %s AND m.user_id = u.id), "
        f"EXISTS (SELECT 1 FROM {codings} c WHERE c.source_id = %s AND c.coder_id = u.id) "
        f"FROM {table} u WHERE (u.id IN (SELECT user_id FROM {members} WHERE project_id = %s) "
        f"OR u.id IN (SELECT coder_id FROM {codings} WHERE source_id = %s))"
    )
    params = [project_id, source_id, project_id, source_id]
    if coder_ids is not None:
        ids = list(coder_ids) or [None]
        sql += f" AND u.id IN ({placeholders(ids)})"
        params += ids
    names, coders = {}, []
    for pk, name, is_member, has_coded in _fetch(sql + f" ORDER BY u.{username}", params):
        if is_member:
            names[pk] = name
        if has_coded:
            coders.append((pk, name))
    return names, coders


def memo_filter(project, *, target: str = "", author_id=None, coder_ids=None):
    """The project's memos; with `coder_ids`, memos on codings only of those coders."""
    memos = (
        Memo.objects.filter(project=project)
        .select_related("author", "source", "code", "coding__code", "coding__source")
        .defer("source__text", "coding__source__text")
    )
    if target == "project":
        memos = memos.filter(source=None, code=None, coding=None)
    elif target in {"source", "code", "coding"}:
        memos = memos.filter(**{f"{target}__isnull": False})
    if author_id:
        memos = memos.filter(author_id=author_id)
    if coder_ids is not None:
        memos = memos.filter(Q(coding=None) | Q(coding__coder_id__in=coder_ids))
    return memos


# The reads of a write's answer, in plain SQL. Applying a code is the product's hot
# path, and compiling an ORM query costs some 25 times more than running one of these
# on SQLite (0.6 ms against 20 µs, measured through the test client), so these three
# fixed queries are spelled out; tests check each against the ORM's answer.


def _name(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _name(model._meta.db_table)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def spans_around(source_id: int, low: int, high: int, *, coder_ids=None):
    """`spans_and_info` of the visible codings that touch [low, high] (edges included)."""
    if coder_ids is not None and not coder_ids:
        return [], {}
    end = _name("end")
    # Our own table and column names only; every value is a parameter.
    sql = (
        f"SELECT c.id, c.code_id, c.start, c.{end}, c.coder_id, "  # noqa: S608
        f"(SELECT COUNT(*) FROM {_table(Memo)} m WHERE m.coding_id = c.id), c.review_status "
        f"FROM {_table(Coding)} c WHERE c.source_id = %s AND c.start <= %s AND c.{end} >= %s"
    )
    params = [source_id, high, low]
    if coder_ids is not None:
        sql += f" AND c.coder_id IN ({placeholders(coder_ids)})"
        params += list(coder_ids)
    return _spans_and_facts(_fetch(sql, params))


def counts_of(source_id: int, code_ids, *, coder_ids=None) -> dict[int, int]:
    """Visible codings per code of `code_ids` (None: every code) in the source (codes
    without any left out)."""
    code_ids = None if code_ids is None else list(code_ids)
    if code_ids == [] or (coder_ids is not None and not coder_ids):
        return {}
    # Our own table and column names only; every value is a parameter.
    sql = f"SELECT code_id, COUNT(*) FROM {_table(Coding)} WHERE source_id = %s"  # noqa: S608
    params = [source_id]
    if code_ids is not None:
        sql += f" AND code_id IN ({placeholders(code_ids)})"
        params += code_ids
    if coder_ids is not None:
        sql += f" AND coder_id IN ({placeholders(coder_ids)})"
        params += list(coder_ids)
    return dict(_fetch(sql + " GROUP BY code_id", params))


# The path of a code up to this depth comes from one query joining its parents; a
# deeper tree (rare) falls back to reading the whole codebook.
LABEL_DEPTH = 4


@dataclass(frozen=True, slots=True)
class CodeLabels:
    """'Theme › Code' paths and tree-order ranks of a few codes: a write's answer
    needs only the codes it shows, never the whole codebook."""

    paths: dict[int, str]
    order: dict[int, int]


def code_labels(project, code_ids) -> CodeLabels:
    """Paths and ranks of `code_ids`, ordered among themselves as in `Codebook.order`.

    In tree order a code's place follows from the (order, name) pairs of its
    ancestors and itself, compared from the root down.
    """
    code_ids = list(set(code_ids))
    if not code_ids:
        return CodeLabels({}, {})
    order, table = _name("order"), _table(Code)
    columns = ["c.id"]
    joins = []
    for level in range(LABEL_DEPTH):
        alias = "c" if level == 0 else f"p{level}"
        if level:
            previous = "c" if level == 1 else f"p{level - 1}"
            joins.append(f"LEFT JOIN {table} {alias} ON {alias}.id = {previous}.parent_id")
        columns += [f"{alias}.name", f"{alias}.{order}"]
    columns.append(f"p{LABEL_DEPTH - 1}.parent_id")
    # Our own table and column names only; every value is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table} c {' '.join(joins)} "  # noqa: S608
        f"WHERE c.project_id = %s AND c.id IN ({placeholders(code_ids)})"
    )
    paths, keys = {}, {}
    for pk, *levels, deeper in _fetch(sql, [project.pk, *code_ids]):
        if deeper is not None:
            codebook = Codebook(project)
            return CodeLabels(
                {c: codebook.paths[c] for c in code_ids if c in codebook.paths},
                {c: codebook.order[c] for c in code_ids if c in codebook.order},
            )
        pairs = [(levels[i + 1], levels[i]) for i in range(0, len(levels), 2) if levels[i]]
        pairs.reverse()  # from the root down
        paths[pk] = " › ".join(name for _order, name in pairs)
        keys[pk] = tuple((rank, name.lower()) for rank, name in pairs)
    ranked = sorted(keys, key=keys.__getitem__)
    return CodeLabels(paths, {pk: rank for rank, pk in enumerate(ranked)})


def last_event_id(source_id: int) -> int:
    """The id of the source's last coding event (0 if none): where polling starts."""
    # Our own table name only; the value is a parameter.
    sql = f"SELECT MAX(id) FROM {_table(CodingEvent)} WHERE source_id = %s"  # noqa: S608
    return _fetch(sql, [source_id])[0][0] or 0
