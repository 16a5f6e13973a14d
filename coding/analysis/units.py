"""Widening a hit to the unit that gets coded: the hit, its sentence, or its paragraph.

A paragraph is a non-blank line (a speaker turn without its speaker label). A
sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or brackets)
before a space or the end of the paragraph; abbreviations such as "Bpk." end a
sentence too. A hit across several sentences or paragraphs widens to all of them.
"""

import re

from interviews.reading import split_turn

UNITS = ("hit", "sentence", "paragraph")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


def _line(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _body(text: str, start: int, end: int) -> tuple[int, int]:
    """The line [start, end) without its speaker label (and time stamp)."""
    for segment in split_turn(text[start:end], start):
        if not segment.role:
            return segment.start, end
    return start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int]:
    first, _ = _line(text, start)
    _, last = _line(text, max(start, end - 1))
    body_start, _ = _body(text, first, _line(text, first)[1])
    if body_start > start:  # the hit lies in the label: take the whole line
        body_start = first
    begin, finish = _strip(text, body_start, last)
    return min(begin, start), max(finish, end)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    low, high = paragraph_span(text, start, end)
    begin = low
    for match in _SENTENCE_END.finditer(text, low, high):
        if match.end() <= start:
            begin = match.end()
        elif match.end() >= end:
            high = match.end()
            break
    begin, finish = _strip(text, begin, high)
    return min(begin, start), max(finish, end)


def widen(text: str, start: int, end: int, unit: str) -> tuple[int, int]:
    """The span that coding `text[start:end]` as `unit` covers."""
    if unit == "sentence":
        return sentence_span(text, start, end)
    if unit == "paragraph":
        return paragraph_span(text, start, end)
    return start, end
