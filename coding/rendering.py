"""Cutting a source's text into runs, each carrying the codings that cover it.

A sweep over the codings' start and end points (sorted once) cuts every
paragraph segment where a coding begins or ends; each run knows the set of
codings covering it. The page renders one `<span data-o>` per run, never a
template tag per character; a run's look comes from a class named after its
set of codes (stacked underlines, one colour per code).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from interviews.reading import Paragraph, paragraphs


@dataclass(frozen=True, slots=True)
class Run:
    start: int
    text: str
    role: str  # "", "speaker" or "stamp"
    codings: tuple[int, ...]  # ids of the codings covering the run


@dataclass(slots=True)
class CodedParagraph:
    start: int
    end: int
    runs: list[Run]
    is_turn: bool
    codes: list[int] = field(default_factory=list)  # code ids present, for margin stripes


@dataclass(frozen=True, slots=True)
class Span:
    """The part of a coding the renderer needs."""

    id: int
    code_id: int
    start: int
    end: int


def cut_runs(
    paras: Sequence[Paragraph],
    spans: Iterable[Span],
    code_order: dict[int, int],
) -> list[CodedParagraph]:
    spans = sorted(spans, key=lambda s: (s.start, s.end, s.id))
    by_id = {s.id: s for s in spans}
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s.id)
        ends.setdefault(s.end, []).append(s.id)
    points = sorted(starts.keys() | ends.keys())
    active: dict[int, None] = {}  # ordered set of covering coding ids
    next_point = 0

    def advance_to(position: int) -> None:
        nonlocal next_point
        while next_point < len(points) and points[next_point] <= position:
            point = points[next_point]
            for coding_id in ends.get(point, ()):
                active.pop(coding_id, None)
            for coding_id in starts.get(point, ()):
                if by_id[coding_id].end > position:
                    active[coding_id] = None
            next_point += 1

    result = []
    for paragraph in paras:
        runs: list[Run] = []
        present: dict[int, None] = {}
        for segment in paragraph.segments:
            position = segment.start
            segment_end = segment.start + len(segment.text)
            while position < segment_end:
                advance_to(position)
                cut = segment_end
                if next_point < len(points) and points[next_point] < segment_end:
                    cut = points[next_point]
                covering = tuple(active)
                for coding_id in covering:
                    present[by_id[coding_id].code_id] = None
                piece = segment.text[position - segment.start : cut - segment.start]
                runs.append(Run(position, piece, segment.role, covering))
                position = cut
        codes = sorted(present, key=code_order.__getitem__)
        result.append(
            CodedParagraph(paragraph.start, paragraph.end, runs, paragraph.is_turn, codes)
        )
    return result


def coded_paragraphs(
    text: str,
    spans: Iterable[Span],
    code_order: dict[int, int],
    *,
    within: tuple[int, int] | None = None,
) -> list[CodedParagraph]:
    """Paragraphs of `text` (only the lines touching `within`, if given) cut into runs.

    The codes and the codings are two reads: a code made after the codes were read, or
    deleted or merged away before its codings were, is not in `code_order`. Its codings
    are left out here (a deleted code took them with it; a new one's come with the next
    poll) rather than failing the page or the write's answer.
    """
    spans = [span for span in spans if span.code_id in code_order]
    if within is None:
        return cut_runs(paragraphs(text), spans, code_order)
    low, high = within
    first = text.rfind("\n", 0, low) + 1
    last = text.find("\n", high)
    return cut_runs(paragraphs(text, first, None if last == -1 else last), spans, code_order)


def codes_in(paras: Iterable[CodedParagraph]) -> set[int]:
    """The codes that the paragraphs carry (each needs its CSS rules)."""
    return {code for paragraph in paras for code in paragraph.codes}
