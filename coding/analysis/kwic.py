"""Running a search over a project and showing its hits as a keyword-in-context list.

The index narrows the sources (`interviews.search_index`); the hits are found in
the folded texts it keeps. Hits are (source id, start, end) in the searched text
(folded, or the original when matching case and accents); only the hits that
are shown, coded or compared with codings are turned into positions of the
original text, which is read for those sources alone.
"""

import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from coding.suggest.filters import narrow_helped
from interviews.models import Project, Source
from interviews.search_index import (
    WORD,
    IdentityMap,
    fold_map,
    folded_texts,
    narrowable,
    sources_with_words,
)

from ..models import Coding
from .citations import Places
from .queries import Filters, cases_by_source
from .search import REGEX_SECONDS, Matcher, Query, index_groups

CONTEXT = 60
MAX_HITS = 20_000
PER_PAGE = 50
SORTS = ("source", "left", "right")


@dataclass(frozen=True)
class SourceRow:
    id: int
    title: str
    kind: str
    order: int


@dataclass
class Results:
    query: Query
    sources: dict[int, SourceRow]
    hits: list[tuple[int, int, int]]
    searched: dict[int, str] = field(default_factory=dict)
    capped: bool = False  # stopped at MAX_HITS
    timed_out: bool = False  # the regular expression ran out of time
    maps: dict = field(default_factory=dict)

    @property
    def source_count(self) -> int:
        return len({hit[0] for hit in self.hits})

    def load_maps(self, source_ids) -> None:
        """Read the original texts of these sources, to turn hits into their positions."""
        wanted = set(source_ids) - set(self.maps)
        if not wanted:
            return
        mapping = IdentityMap if self.query.exact else fold_map
        for pk, text in Source.objects.filter(pk__in=wanted).values_list("pk", "text"):
            self.maps[pk] = (mapping(text), text)

    def original(self, hit: tuple[int, int, int]) -> tuple[int, int]:
        source_id, start, end = hit
        return self.maps[source_id][0].span(start, end)

    def text(self, source_id: int) -> str:
        return self.maps[source_id][1]


def passage_filter_on(filters: Filters) -> bool:
    return (
        filters.codes is not None
        or bool(filters.coder_id)
        or bool(filters.review)
        or bool(filters.suggested)
    )


def passages(filters: Filters):
    codings = Coding.objects.all()
    if filters.visible_coders is not None:  # blind coding: the reader's own passages only
        codings = codings.filter(coder_id__in=filters.visible_coders)
    if filters.codes is not None:
        codings = codings.filter(code_id__in=filters.codes)
    if filters.coder_id:
        codings = codings.filter(coder_id=filters.coder_id)
    if filters.review:
        codings = codings.filter(review_status=filters.review)
    return narrow_helped(codings, filters.suggested)


def filtered_sources(project: Project, filters: Filters):
    """The project's sources that the filters on sources (case, attribute, kind, date) allow."""
    return filters.narrow_sources(Source.objects.filter(project=project))


def candidate_sources(project: Project, query: Query, filters: Filters, where: str):
    """The project's sources the filters allow and the index says may hold hits."""
    sources = filtered_sources(project, filters)
    if passage_filter_on(filters) and where == "inside":
        sources = sources.filter(pk__in=passages(filters).values("source_id"))
    groups = [
        [(word, prefix) for word, prefix in group if narrowable(word, prefix=prefix)]
        for group in index_groups(query)
    ]
    if groups and all(groups):  # a group the index cannot answer for would match anything
        sources = sources.filter(pk__in=sources_with_words(groups, project_id=project.pk))
    return sources.distinct().order_by("kind", "title", "pk")


def run_search(*, project: Project, query: Query, filters: Filters, where: str = "inside"):
    """Every hit of `query` in the project's sources that pass `filters`."""
    rows = candidate_sources(project, query, filters, where).values_list("pk", "title", "kind")
    sources = {pk: SourceRow(pk, title, kind, n) for n, (pk, title, kind) in enumerate(rows)}
    ids = list(sources)
    if query.exact:
        texts = dict(Source.objects.filter(pk__in=ids).values_list("pk", "text"))
    else:
        texts = folded_texts(ids)
    matcher = Matcher.build(query)
    results = Results(query=query, sources=sources, hits=[])
    deadline = time.monotonic() + REGEX_SECONDS
    for pk in ids:
        text = texts[pk]
        try:
            spans = matcher.hits(text, timeout=max(deadline - time.monotonic(), 0.01))
        except TimeoutError:
            results.timed_out = True
            break
        if spans:
            results.searched[pk] = text
            results.hits.extend((pk, start, end) for start, end in spans)
        if len(results.hits) >= MAX_HITS:
            del results.hits[MAX_HITS:]
            results.capped = True
            break
    if passage_filter_on(filters):
        _keep_by_passages(results, filters, inside=where == "inside")
    return results


def _keep_by_passages(results: Results, filters: Filters, *, inside: bool) -> None:
    """Keep the hits lying inside (or not inside) a passage the filters select."""
    with_hits = {hit[0] for hit in results.hits}
    spans = defaultdict(list)
    for source_id, start, end in (
        passages(filters)
        .filter(source_id__in=with_hits)
        .order_by("source_id", "start")
        .values_list("source_id", "start", "end")
    ):
        spans[source_id].append((start, end))
    reach = {}  # per source: the starts, and the furthest end reached up to each
    for source_id, items in spans.items():
        furthest, ends = 0, []
        for _start, end in items:
            furthest = max(furthest, end)
            ends.append(furthest)
        reach[source_id] = ([start for start, _end in items], ends)
    results.load_maps(with_hits)
    kept = []
    for hit in results.hits:
        start, end = results.original(hit)
        starts, ends = reach.get(hit[0], ([], []))
        k = bisect_right(starts, start) - 1
        covered = k >= 0 and ends[k] >= end
        if covered == inside:
            kept.append(hit)
    results.hits = kept


# The concordance


@dataclass
class Line:
    source: SourceRow
    start: int
    end: int
    left: str
    hit: str
    right: str
    more_left: bool
    more_right: bool
    place: object = None
    cases: list = field(default_factory=list)

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def key(self) -> str:
        """What a ticked box posts: source, start and end."""
        return f"{self.source.id}:{self.start}:{self.end}"


def _context_words(text: str, start: int, end: int) -> list[str]:
    return WORD.findall(text[start:end])


def sorted_hits(results: Results, sort: str) -> list[tuple[int, int, int]]:
    """The hits by source (reading order), by left context or by right context."""
    order = {pk: row.order for pk, row in results.sources.items()}
    hits = results.hits
    if sort == "left":

        def key(hit):
            pk, start, _end = hit
            before = _context_words(results.searched[pk], max(0, start - CONTEXT), start)
            return (before[::-1], order[pk], start)

    elif sort == "right":

        def key(hit):
            pk, _start, end = hit
            return (_context_words(results.searched[pk], end, end + CONTEXT), order[pk], end)

    else:

        def key(hit):
            return (order[hit[0]], hit[1], hit[2])

    return sorted(hits, key=key)


def _flat(text: str) -> str:
    return " ".join(text.split())


def line_of(results: Results, hit, places: dict) -> Line:
    start, end = results.original(hit)
    text = results.text(hit[0])
    left_from, right_to = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    if hit[0] not in places:
        places[hit[0]] = Places(text)
    return Line(
        source=results.sources[hit[0]],
        start=start,
        end=end,
        left=_flat(text[left_from:start]),
        hit=text[start:end],
        right=_flat(text[end:right_to]),
        more_left=left_from > 0,
        more_right=right_to < len(text),
        place=places[hit[0]].at(start),
    )


def kwic_page(results: Results, *, number, sort: str = "source", per_page: int = PER_PAGE) -> Page:
    """One page of concordance lines, cut from the original texts of its sources alone."""
    page = Paginator(sorted_hits(results, sort), per_page).get_page(number)
    hits = list(page.object_list)
    results.load_maps(hit[0] for hit in hits)
    places: dict[int, Places] = {}
    cases = cases_by_source({hit[0] for hit in hits})
    lines = []
    for hit in hits:
        line = line_of(results, hit, places)
        line.cases = cases.get(hit[0], [])
        lines.append(line)
    page.object_list = lines
    return page


def hit_spans(results: Results, keys=None) -> list[tuple[int, int, int]]:
    """Hits as (source id, start, end) of the original texts: all, or those in `keys`."""
    hits = results.hits
    if keys is not None:
        wanted = {key[0] for key in keys}
        hits = [hit for hit in hits if hit[0] in wanted]
    results.load_maps({hit[0] for hit in hits})
    spans = [(hit[0], *results.original(hit)) for hit in hits]
    if keys is not None:
        keys = set(keys)
        spans = [span for span in spans if span in keys]
    return sorted(set(spans), key=lambda s: (results.sources[s[0]].order, s[1], s[2]))


# One source: the coding page's "find in this source"


@dataclass(frozen=True)
class SourceHits:
    spans: list[tuple[int, int]]  # positions of the original text (code points)
    capped: bool = False  # more than `limit` hits
    timed_out: bool = False


def source_hits(source_id: int, query: Query, *, limit: int) -> SourceHits:
    """Every hit of `query` in one source, as spans of its text: the matching of project
    search (index and folding included), restricted to that source."""
    text = Source.objects.values_list("text", flat=True).get(pk=source_id)
    searched = text if query.exact else folded_texts([source_id])[source_id]
    try:
        spans = Matcher.build(query).hits(searched, timeout=REGEX_SECONDS)
    except TimeoutError:
        return SourceHits([], timed_out=True)
    mapping = IdentityMap(text) if query.exact else fold_map(text)
    return SourceHits([mapping.span(*span) for span in spans[:limit]], len(spans) > limit)
