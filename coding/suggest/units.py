"""Cutting a source's text into the units the model learns from and suggests.

A text is read as the reading page lays it out: each non-blank line is a
paragraph, and a speaker turn's label (`Ibu Maria: `) and time stamp are cut
off. Each paragraph or turn is then cut into sentences; every sentence is one
unit, as a code-point range `[start, end)` of `Source.text`. Pure Python: no
scikit-learn here, so the pages that only read suggestions never import it.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from interviews.reading import paragraphs

# A sentence ends at . ! ? or … (with any closing quotes or brackets) followed by
# white space and something that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘'(\[]?[^\W_a-z])")
_WORD = re.compile(r"\w", re.UNICODE)
_LAST_WORD = re.compile(r"(\w+)\.$")
# Titles and abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "bpk", "dr", "dra", "drs", "dll", "dsb", "hj", "hlm", "ibu", "ir", "jl", "kab", "mr",
    "mrs", "ms", "no", "prof", "sdr", "st", "tgl", "vs", "yth",
}  # fmt: skip
MIN_UNIT_CHARS = 3


@dataclass(frozen=True, slots=True)
class Unit:
    start: int
    end: int
    paragraph: int  # number of the paragraph or turn it belongs to


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of `text[start:end]`, as trimmed code-point ranges."""
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.start() + 1
        word = _LAST_WORD.search(text, max(start, stop - 12), stop)
        if word and (len(word[1]) == 1 or word[1].lower() in ABBREVIATIONS):
            continue
        spans.append(_trimmed(text, position, match.end()))
        position = match.end()
    spans.append(_trimmed(text, position, end))
    return [(low, high) for low, high in spans if high - low >= MIN_UNIT_CHARS]


def text_units(text: str) -> list[Unit]:
    """Every unit of a text in order: the sentences of each paragraph or speaker turn."""
    units = []
    for number, paragraph in enumerate(paragraphs(text)):
        body = [segment for segment in paragraph.segments if not segment.role]
        if not body:
            continue
        low = body[0].start
        high = paragraph.end
        for start, end in sentence_spans(text, low, high):
            if _WORD.search(text, start, end):
                units.append(Unit(start, end, number))
    return units


def covers(unit: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """Whether one of `spans` marks the unit: it covers half the unit, or lies half in it.

    A coding of a whole turn marks each of its sentences; a coding of a few words
    marks the sentence it sits in.
    """
    start, end = unit
    for low, high in spans:
        shared = min(end, high) - max(start, low)
        if shared > 0 and 2 * shared >= min(end - start, high - low):
            return True
    return False


def units_marked(units: Sequence[Unit], spans: Iterable[tuple[int, int]]) -> set[int]:
    """Indexes of the units (sorted, disjoint) that one of `spans` marks, as `covers` says."""
    ends = [unit.end for unit in units]
    found = set()
    for low, high in spans:
        index = bisect_right(ends, low)  # the first unit ending after the span starts
        while index < len(units) and units[index].start < high:
            if covers((units[index].start, units[index].end), [(low, high)]):
                found.add(index)
            index += 1
    return found


def merge_runs(hits: Iterable[Sequence]) -> list[tuple[int, int, int, float]]:
    """Join consecutive units of one paragraph that are suggested with the same code.

    `hits` are (start, end, code id, probability, paragraph, unit number) of
    single units, sorted by code then start. The joined passage carries the
    highest probability of its units.
    """
    merged: list[list] = []
    last: tuple[int, int, int] | None = None
    for start, end, code_id, probability, paragraph, number in hits:
        if last is not None and last == (code_id, paragraph, number - 1):
            merged[-1][1] = end
            merged[-1][3] = max(merged[-1][3], probability)
        else:
            merged.append([start, end, code_id, probability])
        last = (code_id, paragraph, number)
    return [(start, end, code_id, probability) for start, end, code_id, probability in merged]
