"""Analysis reads for reduction, display and conclusions. Counting happens in SQL."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Greatest, Substr

from coding.suggest.filters import helped_sql, narrow_helped
from interviews.models import Case, Project, Source
from kesra_coord import plain_sql

from ..models import Code, Coding, Conclusion, Memo, Summary
from ..queries import codebook_rows
from ..services import descendant_ids

CONTEXT_CHARS = 80


@dataclass
class Filters:
    """What the reduction and display screens narrow the codings to."""

    codes: list[int] | None = None  # None: every code
    case: Case | None = None
    attribute_id: int | None = None
    attribute_value: str = ""
    kind: str = ""
    coder_id: int | None = None
    date_from: object = None
    date_to: object = None
    review: str = ""
    suggested: str = ""  # accepted suggestions: "" included, "exclude" or "only"
    # Whose codings the reader may see at all (Membership.visible_coder_ids): None, everyone's.
    visible_coders: list[int] | None = None

    def apply(self, codings: QuerySet) -> QuerySet:
        if self.visible_coders is not None:
            codings = codings.filter(coder_id__in=self.visible_coders)
        if self.codes is not None:
            codings = codings.filter(code_id__in=self.codes)
        codings = self.narrow_sources(codings, via="source__")
        if self.coder_id:
            codings = codings.filter(coder_id=self.coder_id)
        if self.review:
            codings = codings.filter(review_status=self.review)
        return narrow_helped(codings, self.suggested)

    def narrow_sources(self, queryset: QuerySet, *, via: str = "") -> QuerySet:
        """The filters on sources (case, attribute, kind, dates), on Source rows or, with
        `via="source__"`, on rows that point to one. Each is its own filter() call: a
        case and an attribute value may be met by different cases of a source."""
        if self.case is not None:
            queryset = queryset.filter(**{f"{via}cases": self.case})
        if self.attribute_id and self.attribute_value:
            queryset = queryset.filter(
                **{
                    f"{via}cases__values__attribute_id": self.attribute_id,
                    f"{via}cases__values__value__iexact": self.attribute_value,
                }
            )
        if self.kind:
            queryset = queryset.filter(**{f"{via}kind": self.kind})
        if self.date_from:
            queryset = queryset.filter(**{f"{via}date__gte": self.date_from})
        if self.date_to:
            queryset = queryset.filter(**{f"{via}date__lte": self.date_to})
        return queryset


def project_codings(project: Project, filters: Filters | None = None) -> QuerySet:
    return _filtered(Coding.objects.filter(source__project=project), filters)


def _filtered(codings: QuerySet, filters: Filters | None) -> QuerySet:
    if filters is not None:
        codings = filters.apply(codings)
        if filters.case is not None or filters.attribute_id:
            codings = codings.distinct()
    return codings


def with_context(codings: QuerySet) -> QuerySet:
    """Passages with up to CONTEXT_CHARS characters either side, cut in the database."""
    # Output fields named: resolving them from the source expressions costs more than the rest.
    before_start = Greatest(F("start") - CONTEXT_CHARS, 0, output_field=IntegerField())
    return codings.annotate(
        before=Substr(
            "source__text", before_start + 1, F("start") - before_start, output_field=TextField()
        ),
        after=Substr("source__text", F("end") + 1, CONTEXT_CHARS, output_field=TextField()),
    )


def retrieval(project: Project, filters: Filters) -> QuerySet:
    """The codings the filters select, in reading order (source by source).

    With codes chosen, their codings are the project's already (the filter form offers
    the project's codes only): checking the project again through each coding's source
    doubled the cost of counting a code's passages, which every page of them does.
    """
    if filters.codes:
        codings = _filtered(Coding.objects.all(), filters)
    else:
        codings = project_codings(project, filters)
    return codings.order_by("source__kind", "source__title", "source_id", "start", "id")


def context_page(codings: QuerySet, number, per_page: int, prepare=None) -> Page:
    """One page of `codings`, each with its context and relations loaded.

    The page is cut from the ids first and the context only for the rows shown:
    PostgreSQL would otherwise cut the context of every matching row before
    sorting (reading each source's text once per row).
    """
    page = Paginator(codings.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = (
        with_context(Coding.objects.filter(pk__in=ids))
        .select_related("code", "coder", "source")
        .defer("source__text")
    )
    if prepare is not None:
        rows = prepare(rows)
    by_id = {coding.pk: coding for coding in rows}
    page.object_list = [by_id[pk] for pk in ids]
    return page


def with_memos(codings: QuerySet) -> QuerySet:
    """Each coding's memos with their authors (one query for a page), to show beside it."""
    memos = Memo.objects.select_related("author").order_by("created_at", "id")
    return codings.prefetch_related(Prefetch("memos", queryset=memos))


def cases_by_source(source_ids) -> dict[int, list[Case]]:
    """The cases of each source, in the order they were linked (plain SQL: the ORM's
    query with its join cost more to compile than to run, on every page of passages)."""
    ids = sorted(set(source_ids))
    found: dict[int, list[Case]] = defaultdict(list)
    if not ids:
        return found
    cases = plain_sql.rows(Case, "c")
    quote = connection.ops.quote_name
    links = quote(Source.cases.through._meta.db_table)
    sql = (
        f"SELECT l.source_id, {cases.columns} FROM {links} l"  # noqa: S608 - names quoted, values bound
        f" JOIN {quote(Case._meta.db_table)} c ON c.id = l.case_id"
        f" WHERE l.source_id IN ({plain_sql.placeholders(ids)}) ORDER BY l.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for source_id, *row in cursor.fetchall():
            found[source_id].append(cases.instance(row))
    return found


FREQUENCY_COLUMNS = {
    "passages": "id",
    "sources": "source_id",
    "cases": "source__cases",
    "coders": "coder_id",
}


def frequencies(
    project: Project, filters: Filters | None = None, *, rollup: bool = False
) -> dict[int, dict]:
    """Passages, sources, cases and coders per code (code id → counts).

    With `rollup`, a code with sub-codes counts its own codings and theirs; its
    sources, cases and coders are distinct ones (one query for all themes).
    """
    codings = project_codings(project, filters)
    rows = codings.values("code_id").annotate(
        **{name: Count(column, distinct=True) for name, column in FREQUENCY_COLUMNS.items()}
    )
    found = {row["code_id"]: row for row in rows}
    if rollup:
        trees = subtrees([(code.pk, depth) for code, depth in codebook_rows(project)])
        if trees:
            totals = codings.aggregate(
                **{
                    f"{name}_{parent}": Count(column, distinct=True, filter=Q(code_id__in=ids))
                    for parent, ids in trees.items()
                    for name, column in FREQUENCY_COLUMNS.items()
                }
            )
            for parent in trees:
                found[parent] = {"code_id": parent, "rolled": True} | {
                    name: totals[f"{name}_{parent}"] for name in FREQUENCY_COLUMNS
                }
    return found


# Matrices


@dataclass
class Matrix:
    """Counts of codings by row (codes) and column (cases, kinds, codes or coders)."""

    rows: list[tuple[int, str, int]]  # (id, label, depth)
    columns: list[tuple[object, str]]  # (key, label)
    cells: dict[tuple[int, object], int] = field(default_factory=dict)
    text: dict[tuple[int, object], str] = field(default_factory=dict)
    # Row totals when a passage can count in several columns (a source with two cases).
    totals: dict[int, int] | None = None
    # Rows that add up their sub-codes (themes), shown as totals.
    rolled: set[int] = field(default_factory=set)

    @property
    def maximum(self) -> int:
        return max(self.cells.values(), default=0)

    def value(self, row, column) -> int:
        return self.cells.get((row, column), 0)

    @staticmethod
    def shade(value: int, peak: int) -> int:
        """0–9, for the heat-map class of a cell."""
        if not value or not peak:
            return 0
        return max(1, round(9 * value / peak))

    def table(self):
        """Rows of (row id, label, depth, [(column key, value, shade, text)], total)."""
        peak = self.maximum
        for row_id, label, depth in self.rows:
            values = []
            for key, _label in self.columns:
                value = self.value(row_id, key)
                values.append(
                    (key, value, self.shade(value, peak), self.text.get((row_id, key), ""))
                )
            total = (
                self.totals.get(row_id, 0)
                if self.totals is not None
                else sum(v for _k, v, _s, _t in values)
            )
            yield row_id, label, depth, values, total


def code_rows(project: Project) -> list[tuple[int, str, int]]:
    return [(code.pk, code.name, depth) for code, depth in codebook_rows(project)]


def subtrees(rows) -> dict[int, list[int]]:
    """For each code with sub-codes: its id and the ids of every code below it.

    `rows` in tree order, as (code id, …, depth) with the depth last.
    """
    found = {}
    for i, (code_id, *_rest, depth) in enumerate(rows):
        below = []
        for other_id, *_other, other_depth in rows[i + 1 :]:
            if other_depth <= depth:
                break
            below.append(other_id)
        if below:
            found[code_id] = [code_id, *below]
    return found


def roll_up(matrix: Matrix) -> Matrix:
    """Theme rows add up their codes (counts of codings are additive: one code each)."""
    trees = subtrees(matrix.rows)
    cells = dict(matrix.cells)
    for parent, ids in trees.items():
        for key, _label in matrix.columns:
            total = sum(matrix.cells.get((code_id, key), 0) for code_id in ids)
            if total:
                cells[(parent, key)] = total
        if matrix.totals is not None:
            matrix.totals[parent] = sum(matrix.totals.get(code_id, 0) for code_id in ids)
    matrix.cells = cells
    matrix.rolled = set(trees)
    return matrix


def matrix_code_case(
    project: Project, filters: Filters | None = None, *, rollup: bool = False
) -> Matrix:
    cases = list(Case.objects.filter(project=project).order_by("name").values_list("pk", "name"))
    matrix = Matrix(code_rows(project), cases)
    counts = (
        project_codings(project, filters)
        .filter(source__cases__isnull=False)
        .values("code_id", "source__cases")
        .annotate(n=Count("id", distinct=True))
    )
    matrix.cells = {(row["code_id"], row["source__cases"]): row["n"] for row in counts}
    matrix.totals = {
        row["code_id"]: row["n"]
        for row in project_codings(project, filters)
        .filter(source__cases__isnull=False)
        .values("code_id")
        .annotate(n=Count("id", distinct=True))
    }
    return roll_up(matrix) if rollup else matrix


@dataclass(frozen=True)
class OpenConclusion:
    pk: int
    statement: str


def open_conclusions(project: Project) -> list[OpenConclusion]:
    """The conclusions that may still take evidence (drafts and returned ones), in the
    conclusions' order: what the retrieval page offers to cite for (plain SQL: it is
    on every page of passages, where compiling the ORM's query cost more than it)."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT id, statement FROM {quote(Conclusion._meta.db_table)}"  # noqa: S608 - names quoted
        f" WHERE project_id = %s AND status IN ({plain_sql.placeholders(Conclusion.OPEN)})"
        f" ORDER BY {quote('order')}, created_at"
    )
    params = [project.pk, *Conclusion.OPEN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [OpenConclusion(*row) for row in cursor.fetchall()]


def code_summaries(membership, code: Code, case: Case | None) -> dict[int | None, Summary]:
    """The summaries of `code` overall (key None) and, with `case`, for that case, that
    `membership` may read (under blind coding, a researcher's own only), in plain SQL
    (every page of passages)."""
    summaries = plain_sql.rows(Summary, "s")
    quote = connection.ops.quote_name
    where, params = "s.code_id = %s AND (s.case_id IS NULL", [code.pk]
    if case is not None:
        where, params = where + " OR s.case_id = %s", [*params, case.pk]
    where += ")"
    coder_ids = membership.visible_coder_ids()
    if coder_ids is not None:
        ids = list(coder_ids) or [None]
        where += f" AND s.author_id IN ({plain_sql.placeholders(ids)})"
        params += ids
    sql = f"SELECT {summaries.columns} FROM {quote(Summary._meta.db_table)} s WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [summaries.instance(row) for row in cursor.fetchall()]
    return {summary.case_id: summary for summary in found}


def framework_matrix(
    project: Project, filters: Filters | None = None, *, rollup: bool = False
) -> Matrix:
    """Code × case with the code × case summaries as cell text."""
    matrix = matrix_code_case(project, filters, rollup=rollup)
    summaries = Summary.objects.filter(project=project, case__isnull=False)
    if filters is not None and filters.visible_coders is not None:
        summaries = summaries.filter(author_id__in=filters.visible_coders)
    summaries = summaries.values_list("code_id", "case_id", "text")
    matrix.text = {(code, case): text for code, case, text in summaries}
    return matrix


def matrix_code_kind(
    project: Project, filters: Filters | None = None, *, rollup: bool = False
) -> Matrix:
    matrix = Matrix(code_rows(project), list(Source.Kind.choices))
    counts = (
        project_codings(project, filters)
        .values("code_id", "source__kind")
        .annotate(n=Count("id", distinct=True))
    )
    matrix.cells = {(row["code_id"], row["source__kind"]): row["n"] for row in counts}
    return roll_up(matrix) if rollup else matrix


def matrix_coder_code(
    project: Project, filters: Filters | None = None, *, rollup: bool = False
) -> Matrix:
    codings = project_codings(project, filters)
    coder_ids = codings.values("coder_id").distinct()
    coders = list(
        get_user_model()
        .objects.filter(pk__in=coder_ids)
        .order_by("username")
        .values_list("pk", "username")
    )
    matrix = Matrix(code_rows(project), coders)
    counts = codings.values("code_id", "coder_id").annotate(n=Count("id", distinct=True))
    matrix.cells = {(row["code_id"], row["coder_id"]): row["n"] for row in counts}
    return roll_up(matrix) if rollup else matrix


COOCCURRENCE_SQL = """
SELECT a.code_id * %s + b.code_id AS pair, COUNT(*)
FROM coding_coding a
JOIN coding_coding b
  ON b.source_id = a.source_id
 AND b.start >= a.start
 AND b.start < a."end"
 AND (b.start > a.start OR b.id > a.id)
 AND b.code_id <> a.code_id
WHERE a.source_id IN ({sources}) {where}
GROUP BY pair
"""


def matrix_cooccurrence(project: Project, filters: Filters | None = None) -> Matrix:
    """How often two codes are applied to overlapping passages of the same source.

    Two codings overlap when they share at least one character of the text:
    a.start < b.end and b.start < a.end (positions are half-open). Each
    overlapping pair of codings with different codes counts once in the cell of
    their two codes, and the matrix is symmetric.

    The query visits each pair once, from the coding that starts first (ties
    broken by id): the pair then overlaps exactly when the second starts before
    the first ends, a range that the (source, start, end, code, id) index finds
    without pairing every coding of a source with every other. Counts come back
    per ordered pair of codes and are added into both cells here.
    """
    filters = filters or Filters()
    rows = code_rows(project)
    matrix = Matrix(rows, [(code_id, label) for code_id, label, _depth in rows])
    sources = filters.narrow_sources(Source.objects.filter(project=project))
    source_ids = list(sources.values_list("pk", flat=True).distinct())
    if not source_ids:
        return matrix
    where, params = "", []
    for column, value in (("coder_id", filters.coder_id), ("review_status", filters.review)):
        if value:
            where += f" AND a.{column} = %s AND b.{column} = %s"
            params += [value, value]
    where += helped_sql("a", filters.suggested) + helped_sql("b", filters.suggested)
    if filters.visible_coders is not None:
        marks = ", ".join(["%s"] * len(filters.visible_coders))
        where += f" AND a.coder_id IN ({marks}) AND b.coder_id IN ({marks})"
        params += [*filters.visible_coders, *filters.visible_coders]
    # One integer per ordered pair of codes groups faster than two columns.
    base = max((code_id for code_id, _label, _depth in rows), default=0) + 1
    sql = COOCCURRENCE_SQL.format(sources=", ".join(["%s"] * len(source_ids)), where=where)
    with connection.cursor() as cursor:
        cursor.execute(sql, [base, *source_ids, *params])
        for pair, n in cursor.fetchall():
            a, b = divmod(pair, base)
            for key in ((a, b), (b, a)):
                matrix.cells[key] = matrix.cells.get(key, 0) + n
    return matrix


def triangulation(conclusion: Conclusion) -> dict:
    """Distinct informants (cases) and source kinds behind a conclusion's evidence."""
    evidence = conclusion.evidence.filter(stance="supports")
    cases = Case.objects.filter(sources__codings__evidence__in=evidence).distinct().order_by("name")
    kinds = sorted(
        set(evidence.values_list("coding__source__kind", flat=True)),
        key=[k for k, _ in Source.Kind.choices].index,
    )
    sources = evidence.values("coding__source_id").distinct().count()
    return {
        "cases": list(cases),
        "kinds": [(kind, Source.Kind(kind).label) for kind in kinds],
        "sources": sources,
        "one_informant": len(cases) <= 1,
        "one_kind": len(kinds) <= 1,
    }


def code_filter(code: Code, *, with_subcodes: bool) -> list[int]:
    return [code.pk, *descendant_ids(code)] if with_subcodes else [code.pk]
