"""Windows of paragraphs: how a long source is shown a part at a time.

A page that shows a source (the reading page; the coding page later) renders one
window of its paragraphs, and loads the next when the reader gets there or jumps
to an offset. `window_at(text, at)` says which part of the text that is:

    window = window_at(source.text, at)
    paragraphs(source.text, window.start, window.end)   # interviews.reading
    window.next       # where the following window starts (None at the end)
    window.previous   # where the window before starts (None at the beginning)

Windows cut the text at line starts, so a paragraph (one line, see
`interviews.reading`) is never split; together they cover the text exactly once,
in order. Any offset maps to the same window whichever way the reader arrived:
the text is cut on a fixed grid of `chunk_chars` characters (a window never
crosses the first line start at or after a multiple of it), and within one grid
cell after every `max_paragraphs` paragraphs. So finding a window reads only its
own grid cell and the line holding `at`, never the rest of the text: the work is
proportional to the window, not to the source.

Offsets are code points into the canonical text, as everywhere else.
"""

from dataclasses import dataclass

CHUNK_CHARS = 20_000  # some six pages of an interview transcript
MAX_PARAGRAPHS = 200  # bounds a window of very short lines


@dataclass(frozen=True, slots=True)
class Window:
    start: int  # a line start, or 0
    end: int  # the next window's start, or len(text)
    previous: int | None  # the start of the window before, None for the first
    next: int | None  # the start of the window after (== end), None for the last

    @property
    def is_whole(self) -> bool:
        """True when the window is the whole text (a short source needs no loading)."""
        return self.previous is None and self.next is None

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end


def line_start(text: str, offset: int) -> int:
    """The start of the line holding `offset`."""
    return text.rfind("\n", 0, offset) + 1


def _line_start_from(text: str, offset: int) -> int:
    """The first line start at or after `offset` (len(text) if there is none)."""
    if offset <= 0:
        return 0
    if offset >= len(text):
        return len(text)
    if text[offset - 1] == "\n":
        return offset
    found = text.find("\n", offset)
    return len(text) if found == -1 else found + 1


def _bounds(text: str, at: int, *, chunk_chars: int, max_paragraphs: int) -> tuple[int, int]:
    """Start and end of the window holding the line start `at`."""
    cell = at // chunk_chars
    start = _line_start_from(text, cell * chunk_chars)
    cell_end = _line_start_from(text, (cell + 1) * chunk_chars)
    count = 0
    position = start
    while position < cell_end:
        if text[position] != "\n":  # a blank line is no paragraph
            if count == max_paragraphs:
                if position > at:
                    return start, position
                start, count = position, 0
            count += 1
        following = text.find("\n", position, cell_end)
        position = cell_end if following == -1 else following + 1
    return start, cell_end


def window_at(
    text: str,
    at: int = 0,
    *,
    chunk_chars: int = CHUNK_CHARS,
    max_paragraphs: int = MAX_PARAGRAPHS,
) -> Window:
    """The window holding offset `at` (clamped to the text), with its neighbours' starts."""
    if not text:
        return Window(0, 0, None, None)
    at = line_start(text, min(max(at, 0), len(text) - 1))
    sizes = {"chunk_chars": chunk_chars, "max_paragraphs": max_paragraphs}
    start, end = _bounds(text, at, **sizes)
    previous = None
    if start > 0:
        previous, _end = _bounds(text, line_start(text, start - 1), **sizes)
    return Window(start, end, previous, end if end < len(text) else None)
