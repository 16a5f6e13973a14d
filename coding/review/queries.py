"""Reads for the agreement pages: a handful of queries, the arithmetic on intervals in Python.

The agreement table for two coders reads the coders (one query), the sources
with their lengths and coding counts (one query; the texts stay in the
database, `Length` counts their characters), and the two coders' codings as
bare tuples (one query). Everything else is interval arithmetic over those
tuples, sorted once per (source, code, coder): no query per coding, no loop
per character.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Max, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from interviews.models import Project, Source

from ..models import Coding, CodingEvent
from . import metrics

DEFAULT_THRESHOLD = 50  # percent of a passage another coder's passage must cover


# Who and what can be compared


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    username: str
    codings: int  # in the project
    here: int = 0  # in the source being looked at, if any


def project_coders(project: Project, *, source: Source | None = None) -> list[Coder]:
    """Every user with codings in the project, most codings first (one query).

    Given a source, those who coded it come first.
    """
    counts = {"n": Count("id")}
    if source is not None:
        counts["here"] = Count("id", filter=Q(source_id=source.pk))
    # Sources by subquery, not by join: the join would visit each long source row per coding.
    rows = (
        Coding.objects.filter(source_id__in=Source.objects.filter(project=project).values("pk"))
        .values("coder_id", "coder__username")
        .annotate(**counts)
        .order_by("coder__username")
    )
    coders = [
        Coder(row["coder_id"], row["coder__username"], row["n"], row.get("here", 0)) for row in rows
    ]
    return sorted(coders, key=lambda c: (c.here == 0, -c.codings, c.username))


@dataclass(frozen=True, slots=True)
class SourceChoice:
    id: int
    title: str
    kind: str
    length: int  # characters (code points) of the text
    a_count: int  # codings of coder A
    b_count: int

    @property
    def both_coded(self) -> bool:
        return self.a_count > 0 and self.b_count > 0


def source_choices(project: Project, a_id: int, b_id: int) -> list[SourceChoice]:
    """The project's sources with text length and each coder's codings (two queries).

    Counted apart: grouping sources joined to their codings would make the
    database measure each long text once per coding.
    """
    sources = list(
        Source.objects.filter(project=project)
        .annotate(length=Length("text"))
        .order_by("kind", "title", "pk")
        .values_list("pk", "title", "kind", "length")
    )
    counts = {
        (source_id, coder_id): n
        for source_id, coder_id, n in Coding.objects.filter(
            source_id__in=[row[0] for row in sources], coder_id__in=[a_id, b_id]
        )
        .values("source_id", "coder_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("source_id", "coder_id", "n")
    }
    return [
        SourceChoice(pk, title, kind, length, counts.get((pk, a_id), 0), counts.get((pk, b_id), 0))
        for pk, title, kind, length in sources
    ]


# The statistics of one code, one source, or everything pooled


NOTES = {
    "empty": _("No text was chosen, so there is nothing to compare."),
    "unused": _(
        "Neither coder used this on the chosen text: every character is “not coded” by both, "
        "so chance agreement is 1 and kappa and alpha are 0/0."
    ),
    "everything": _(
        "Both coders coded every character: chance agreement is 1 and kappa and alpha are 0/0."
    ),
    "no_passages": _("Neither coder has a passage here, so no passage can agree or disagree."),
}


def _shown(value: float | None, places: int) -> Decimal | None:
    """Rounded once, half up, so the page and the downloads show the same digits."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Stats:
    """Character-level counts (units, coded by A, by B, by both) and passage-level counts."""

    units: int = 0
    a: int = 0
    b: int = 0
    both: int = 0
    a_passages: int = 0
    a_agreed: int = 0
    b_passages: int = 0
    b_agreed: int = 0

    def add(self, other: "Stats") -> None:
        self.units += other.units
        self.a += other.a
        self.b += other.b
        self.both += other.both
        self.a_passages += other.a_passages
        self.a_agreed += other.a_agreed
        self.b_passages += other.b_passages
        self.b_agreed += other.b_agreed

    @property
    def table(self) -> metrics.Binary:
        return metrics.Binary.from_coverage(units=self.units, a=self.a, b=self.b, both=self.both)

    @property
    def percent(self) -> Decimal | None:
        value = self.table.percent()
        return None if value is None else _shown(100 * value, 1)

    @property
    def kappa(self) -> Decimal | None:
        return _shown(self.table.kappa(), 3)

    @property
    def alpha(self) -> Decimal | None:
        return _shown(self.table.alpha(), 3)

    @property
    def segment(self) -> Decimal | None:
        passages = self.a_passages + self.b_passages
        if not passages:
            return None
        return _shown(100 * (self.a_agreed + self.b_agreed) / passages, 1)

    @property
    def note(self) -> str:
        """Why kappa and alpha (or all three) are undefined; empty when they are not."""
        if not self.units:
            return NOTES["empty"]
        if self.a == self.b == 0:
            return NOTES["unused"]
        if self.a == self.b == self.units:
            return NOTES["everything"]
        return ""

    @property
    def segment_note(self) -> str:
        return "" if self.a_passages or self.b_passages else NOTES["no_passages"]


@dataclass(slots=True)
class CodeRow:
    code_id: int
    path: str
    colour: str
    stats: Stats = field(default_factory=Stats)


@dataclass(slots=True)
class SourceRow:
    source: SourceChoice
    stats: Stats = field(default_factory=Stats)


@dataclass(slots=True)
class Report:
    units: int  # characters of the chosen sources
    codes: list[CodeRow]
    sources: list[SourceRow]
    overall: Stats


def _by_source_and_code(rows) -> dict[tuple[int, int], tuple[list, list]]:
    groups: dict[tuple[int, int], tuple[list, list]] = {}
    for source_id, code_id, is_a, start, end in rows:
        pair = groups.setdefault((source_id, code_id), ([], []))
        pair[0 if is_a else 1].append((start, end))
    return groups


def compare(a_spans: list, b_spans: list, *, units: int, threshold: Fraction) -> Stats:
    """Stats of one code in one source from the two coders' passages."""
    a_cover = metrics.union(a_spans)
    b_cover = metrics.union(b_spans)
    return Stats(
        units=units,
        a=metrics.covered(a_cover),
        b=metrics.covered(b_cover),
        both=metrics.overlap(a_cover, b_cover),
        a_passages=len(a_spans),
        a_agreed=sum(metrics.matched(a_spans, b_spans, threshold)),
        b_passages=len(b_spans),
        b_agreed=sum(metrics.matched(b_spans, a_spans, threshold)),
    )


def agreement_report(
    *,
    a_id: int,
    b_id: int,
    sources: list[SourceChoice],
    code_ids: list[int] | None,
    threshold: int,
    paths: dict[int, str],
    colours: dict[int, str],
    extra_rows=(),
) -> Report:
    """Per code, per source and pooled agreement of coders A and B (one query).

    Pooling: every (character, code) pair is one unit. The per-code 2×2 tables
    are summed (a source row sums its codes, the overall row sums all codes and
    sources) and the statistics computed from the sum. Codes are compared as
    they are; a theme does not include its sub-codes.
    `code_ids` None means every code either coder used in the chosen sources.
    `extra_rows` are (source, code, coder, start, end) of a side that is not a
    person's codings (a suggestion model: coding.suggest.agreement).
    """
    lengths = {source.id: source.length for source in sources}
    codings = Coding.objects.filter(source_id__in=list(lengths), coder_id__in=[a_id, b_id])
    if code_ids is not None:
        codings = codings.filter(code_id__in=code_ids)
    rows = list(codings.order_by().values_list("source_id", "code_id", "coder_id", "start", "end"))
    rows += [
        row for row in extra_rows if row[0] in lengths and (code_ids is None or row[1] in code_ids)
    ]
    groups = _by_source_and_code(
        (source_id, code_id, coder_id == a_id, start, end)
        for source_id, code_id, coder_id, start, end in rows
    )
    if code_ids is None:
        code_ids = list({code_id for _source, code_id in groups})
    position = {code_id: index for index, code_id in enumerate(paths)}
    code_ids = sorted(set(code_ids), key=lambda c: position.get(c, len(position)))
    units = sum(lengths.values())
    by_code = {c: CodeRow(c, paths.get(c, "?"), colours.get(c, "#888888")) for c in code_ids}
    for row in by_code.values():
        row.stats.units = units
    by_source = {source.id: SourceRow(source) for source in sources}
    for row in by_source.values():
        row.stats.units = row.source.length * len(code_ids)
    share = Fraction(threshold, 100)
    for (source_id, code_id), (a_spans, b_spans) in groups.items():
        stats = compare(a_spans, b_spans, units=0, threshold=share)
        by_code[code_id].stats.add(stats)
        by_source[source_id].stats.add(stats)
    overall = Stats()
    for row in by_code.values():
        overall.add(row.stats)
    return Report(units, list(by_code.values()), list(by_source.values()), overall)


# Disagreements in one source, for the side-by-side view


@dataclass(frozen=True, slots=True)
class Passage:
    id: int
    start: int
    end: int


@dataclass(slots=True)
class Disagreement:
    """Passages of one code by A and B that overlap one another (directly or in a chain)."""

    code_id: int
    start: int
    end: int
    a: list[Passage]
    b: list[Passage]
    kind: str = ""  # "only_a", "only_b", "overlap" (below the threshold), "boundaries"
    reviewed: bool = False  # kept both: every coding's latest event is a reconciliation

    @property
    def key(self) -> str:
        return f"{self.code_id}-{self.start}-{self.end}"

    @property
    def ids(self) -> list[int]:
        return [p.id for p in self.a + self.b]

    @property
    def intersection(self) -> tuple[int, int] | None:
        """The span every passage of the group covers, if there is one."""
        start = max(p.start for p in self.a + self.b)
        end = min(p.end for p in self.a + self.b)
        return (start, end) if start < end else None


KINDS = {
    "only_a": _("only %(a)s applied this code here"),
    "only_b": _("only %(b)s applied this code here"),
    "overlap": _("the passages overlap by less than the threshold"),
    "boundaries": _("same code, different boundaries"),
}


def group_passages(code_id: int, a: list[Passage], b: list[Passage]) -> list[Disagreement]:
    """Group one code's passages into chains of overlap (a sweep by start)."""
    tagged = sorted(
        [(p.start, p.end, 0, p) for p in a] + [(p.start, p.end, 1, p) for p in b],
        key=lambda t: (t[0], t[1], t[2], t[3].id),
    )
    groups: list[Disagreement] = []
    for start, end, side, passage in tagged:
        if not groups or start >= groups[-1].end:
            groups.append(Disagreement(code_id, start, end, [], []))
        group = groups[-1]
        group.end = max(group.end, end)
        (group.a if side == 0 else group.b).append(passage)
    return groups


def classify(group: Disagreement, threshold: Fraction) -> str:
    """'' when both coders marked exactly the same passages; else the kind of disagreement."""
    a_spans = sorted((p.start, p.end) for p in group.a)
    b_spans = sorted((p.start, p.end) for p in group.b)
    if a_spans == b_spans:
        return ""
    if not b_spans:
        return "only_a"
    if not a_spans:
        return "only_b"
    if all(metrics.matched(a_spans, b_spans, threshold)) and all(
        metrics.matched(b_spans, a_spans, threshold)
    ):
        return "boundaries"
    return "overlap"


def pair_codings(source: Source, a_id: int, b_id: int):
    return Coding.objects.filter(source=source, coder_id__in=[a_id, b_id])


def reconciled_ids(source: Source) -> set[int]:
    """Codings of the source whose latest event is a reconciliation (one query)."""
    latest = (
        CodingEvent.objects.filter(source=source)
        .values("coding_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return set(
        CodingEvent.objects.filter(id__in=latest, action=CodingEvent.Action.RECONCILED).values_list(
            "coding_id", flat=True
        )
    )


def disagreements(
    rows, *, a_id: int, threshold: int, reviewed: set[int]
) -> tuple[list[Disagreement], int]:
    """The disagreements among (id, code_id, coder_id, start, end) rows, and the agreed count.

    A group of overlapping passages of one code is agreed when both coders
    marked exactly the same spans; otherwise it is a disagreement of one kind.
    """
    by_code: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for pk, code_id, coder_id, start, end in rows:
        by_code[code_id][0 if coder_id == a_id else 1].append(Passage(pk, start, end))
    share = Fraction(threshold, 100)
    found, agreed = [], 0
    for code_id, (a, b) in by_code.items():
        for group in group_passages(code_id, a, b):
            group.kind = classify(group, share)
            if not group.kind:
                agreed += 1
                continue
            group.reviewed = all(pk in reviewed for pk in group.ids)
            found.append(group)
    found.sort(key=lambda g: (g.start, g.end, g.code_id))
    return found, agreed
