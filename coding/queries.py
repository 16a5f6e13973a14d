"""Reads for the coding page: one query each, counted in the database."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q

from interviews.models import Source

from .models import Code, Coding, Memo
from .rendering import Span


def codebook_rows(project, *, with_counts: bool = False, coder_ids=None) -> list[tuple[Code, int]]:
    """The code tree in display order as (code, depth).

    `coding_count` is annotated on request, counting only `coder_ids`' codings if given.
    """
    codes = Code.objects.filter(project=project)
    if with_counts:
        only = Q(codings__coder_id__in=coder_ids) if coder_ids is not None else None
        codes = codes.annotate(coding_count=Count("codings", filter=only))
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
    codings = visible_codings(source, coder_ids=coder_ids)
    return list(
        codings.values("code_id", "code__name", "code__colour").annotate(n=Count("id")).order_by()
    )


def recent_code_ids(project, user, limit: int = 9) -> list[int]:
    """The codes this user applied most recently in the project, newest first."""
    rows = (
        Coding.objects.filter(source__project=project, coder=user)
        .values("code_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")[:limit]
    )
    return [row["code_id"] for row in rows]


def coders_of(source: Source, membership):
    """The coders of `source` whose work `membership` may see, for the coder filter."""
    coders = get_user_model().objects.filter(codings__source=source)
    coder_ids = membership.visible_coder_ids()
    if coder_ids is not None:
        coders = coders.filter(pk__in=coder_ids)
    return coders.distinct().order_by("username")


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
