"""Cutting a source's canonical text into paragraphs for reading.

Offsets are code points into `Source.text`; every paragraph keeps its start so
the page can tell the browser where each piece of text begins (`data-o`).
"""

import re
from dataclasses import dataclass

# "Pewawancara: …", "Ibu Maria: …", "[00:01:02] Natan: …" — a short label before a colon.
_TURN = re.compile(
    r"^(?P<stamp>\[\d{1,2}:\d{2}(?::\d{2})?\]\s*)?(?P<speaker>[^\W\d][^:\n]{0,38}?):[ \t]"
)
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    text: str
    role: str = ""  # "", "stamp" or "speaker"


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int
    segments: tuple[Segment, ...]

    @property
    def is_turn(self) -> bool:
        return any(segment.role == "speaker" for segment in self.segments)


def split_turn(line: str, start: int) -> tuple[Segment, ...]:
    match = _TURN.match(line)
    if not match or len(match["speaker"].split()) > _MAX_LABEL_WORDS:
        return (Segment(start, line),)
    segments = []
    if match["stamp"]:
        segments.append(Segment(start, match["stamp"], "stamp"))
    label_start = match.start("speaker")
    label_end = match.end()
    segments.append(Segment(start + label_start, line[label_start:label_end], "speaker"))
    if label_end < len(line):
        segments.append(Segment(start + label_end, line[label_end:]))
    return tuple(segments)


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Paragraph]:
    """Each non-blank line is a paragraph; speaker turns get their label split off.

    With `start`/`end` (line boundaries), only the lines of that part of the text.
    """
    result = []
    offset = start
    for line in text[start:end].split("\n"):
        if line.strip():
            result.append(Paragraph(offset, offset + len(line), split_turn(line, offset)))
        offset += len(line) + 1
    return result
