"""Where a position lies in its source, for citations: "¶ 14, Bapak Yohanis".

A paragraph is a non-blank line of the text, numbered from 1, as the coding page
lays them out; a speaker turn's paragraph also names its speaker.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from interviews.models import Source
from interviews.reading import split_turn


@dataclass(frozen=True)
class Place:
    paragraph: int
    speaker: str = ""

    def __str__(self) -> str:
        if self.speaker:
            return _("¶ %(n)d, %(speaker)s") % {"n": self.paragraph, "speaker": self.speaker}
        return _("¶ %(n)d") % {"n": self.paragraph}


def speaker_of(line: str) -> str:
    for segment in split_turn(line, 0):
        if segment.role == "speaker":
            return segment.text.rstrip().rstrip(":").strip()
    return ""


def paragraph_starts(text: str) -> list[int]:
    """Where each non-blank line begins. (A regular expression anchored at the start of
    each line, as this was, tries every position of the text: 0.3 ms for a 5,000-word
    interview, twice on every page of passages; this looks at each line once.)"""
    starts, at, size = [], 0, len(text)
    while at < size:
        end = text.find("\n", at)
        if end < 0:
            end = size
        if end > at and not text[at:end].isspace():
            starts.append(at)
        at = end + 1
    return starts


class Places:
    """The paragraphs of one text, to tell where an offset lies."""

    def __init__(self, text: str):
        self.text = text
        self.starts = paragraph_starts(text)
        self._speakers: dict[int, str] = {}

    def index(self, offset: int) -> int:
        return max(bisect_right(self.starts, offset) - 1, 0)

    def speaker(self, k: int) -> str:
        if k not in self._speakers:
            start = self.starts[k]
            end = self.text.find("\n", start)
            self._speakers[k] = speaker_of(self.text[start : end if end >= 0 else None])
        return self._speakers[k]

    def at(self, offset: int) -> Place:
        if not self.starts:
            return Place(1)
        k = self.index(offset)
        return Place(k + 1, self.speaker(k))


def places_of(source_ids: Iterable[int]) -> dict[int, Places]:
    """The paragraphs of each source (one query, reading the texts)."""
    ids = set(source_ids)
    if not ids:
        return {}
    rows = Source.objects.filter(pk__in=ids).values_list("pk", "text")
    return {pk: Places(text) for pk, text in rows}


def cite_codings(codings) -> None:
    """Set `.place` on each coding (with `source_id` and `start`): its paragraph and speaker."""
    codings = list(codings)
    places = places_of(coding.source_id for coding in codings)
    for coding in codings:
        found = places.get(coding.source_id)
        coding.place = found.at(coding.start) if found else None
