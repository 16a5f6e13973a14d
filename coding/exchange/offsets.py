"""Positions in one text carried into another, in one pass and compact memory.

An `OffsetMap` sends each position 0..n of an input text to a position of an output
text made from it. It is kept as runs: a run of `n_in` input characters that became
`n_out` output characters maps its j-th position to ``start + min(j, n_out)``: kept
characters map one to one, dropped ones to the next kept character, and a run that
shrank (an accent composed with its letter) maps its first positions one to one.
Asking is a binary search; building costs one step per run, not per character, so
a long text with few changes is a handful of runs.

Used for:
- a QDPX text kept verbatim (qdpx_text.py): only ``\\r\\n`` becomes ``\\n``;
- Taguette documents: HTML to text, UTF-8 byte offsets to characters, and the text
  to our canonical form (`normalise_with_map`, the steps of
  `interviews.importers.normalise_text`, each linear).
"""

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right

from interviews.importers.nfc import LONG_SEQUENCE, compose, joining_marks, nfc

__all__ = ["LONG_SEQUENCE", "OffsetMap", "nfc"]

_LINE_BREAKS = {"\u2028", "\u2029", "\f", "\v", "\x85"}
_LINE_BREAK_TABLE = str.maketrans(dict.fromkeys(_LINE_BREAKS, "\n"))
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")
# Step 1 of normalise_text, as runs: what changes, and what does not.
_LINE_END_EDITS = re.compile(
    r"[\r\u2028\u2029\f\v\x85\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Step 3 of normalise_text: what it drops, in the order the regex must try it.
_TRIM = re.compile(
    r"(?P<end>(?:\n[^\S\n]*)+\Z)"  # newlines (and blank lines) at the end
    r"|(?P<start>\A(?:[^\S\n]*\n)+)"  # ... and at the start
    r"|(?P<trailing>[^\S\n]+(?=\n|\Z))"  # white space at the end of a line
    r"|(?P<middle>\n(?:[^\S\n]*\n){2,})"  # three or more newlines: two are kept
)


class OffsetMap:
    """Positions of an input text -> positions of the output text (see the module doc)."""

    __slots__ = ("_in", "_last", "_out", "length_in", "length_out")

    def __init__(self) -> None:
        self._in = array("q")  # where each run starts in the input
        self._out = array("q")  # ... and in the output
        self._last: tuple[int, int] | None = None  # (n_in, n_out) of the last run
        self.length_in = 0
        self.length_out = 0

    def add(self, n_in: int, n_out: int) -> None:
        """The next `n_in` input characters became `n_out` output characters."""
        if n_in <= 0 and n_out <= 0:
            return
        if n_in == n_out and self._last is not None and self._last[0] == self._last[1]:
            self._last = (self._last[0] + n_in, self._last[1] + n_out)  # one longer identity run
        else:
            self._in.append(self.length_in)
            self._out.append(self.length_out)
            self._last = (n_in, n_out)
        self.length_in += n_in
        self.length_out += n_out

    def keep(self, n: int) -> None:
        self.add(n, n)

    def __len__(self) -> int:
        return len(self._in)

    def _run_out(self, k: int) -> int:
        end = self._out[k + 1] if k + 1 < len(self._out) else self.length_out
        return end - self._out[k]

    def _run_in(self, k: int) -> int:
        end = self._in[k + 1] if k + 1 < len(self._in) else self.length_in
        return end - self._in[k]

    def __getitem__(self, position: int) -> int:
        if not 0 <= position <= self.length_in:
            raise IndexError(position)
        if position == self.length_in:
            return self.length_out
        k = bisect_right(self._in, position) - 1
        return self._out[k] + min(position - self._in[k], self._run_out(k))

    def back(self, position: int) -> int:
        """The first input position that maps to `position` of the output, or past it."""
        if not 0 <= position <= self.length_out:
            raise IndexError(position)
        k = bisect_left(self._out, position)
        if k > 0:  # the run before may reach it with its last positions
            offset = position - self._out[k - 1]
            if offset <= min(self._run_in(k - 1) - 1, self._run_out(k - 1)):
                return self._in[k - 1] + offset
        return self._in[k] if k < len(self._in) else self.length_in


class Chain:
    """Several maps, one after the other (text -> step 1 -> step 2 ...)."""

    def __init__(self, *maps: OffsetMap) -> None:
        self.maps = maps

    def __getitem__(self, position: int) -> int:
        for step in self.maps:
            position = step[position]
        return position

    def back(self, position: int) -> int:
        for step in reversed(self.maps):
            position = step.back(position)
        return position


# The canonical form of a text, with its map.


def _line_ends(text: str) -> tuple[str, OffsetMap]:
    """BOM, line ends, other line breaks and dropped controls, as normalise_text."""
    mapping, position = OffsetMap(), 0
    for match in _LINE_END_EDITS.finditer(text):
        index = match.start()
        found = text[index]
        if found == "\r" and text.startswith("\n", index + 1):  # \r\n: the \r goes
            mapping.keep(index - position)
            mapping.add(1, 0)
            position = index + 1
        elif found == "\r" or found in _LINE_BREAKS:
            continue  # replaced by "\n": positions stay
        else:
            mapping.keep(index - position)
            mapping.add(1, 0)
            position = index + 1
    mapping.keep(len(text) - position)
    result = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAK_TABLE)
    return _DROPPED.sub("", result), mapping


def _nfc(text: str) -> tuple[str, OffsetMap]:
    """NFC, composed letter by letter, and a map built only where a letter changed.

    A letter with its run of marks that composed to fewer characters is mapped prefix
    by prefix (what each prefix composes to), or by its length alone when longer than
    LONG_SEQUENCE (hostile text: a letter with thousands of marks): linear in all.
    """
    mapping, position, out = OffsetMap(), 0, []
    if unicodedata.is_normalized("NFC", text):
        mapping.keep(len(text))
        return text, mapping
    for match in joining_marks().finditer(text):
        start, end = max(match.start() - 1, 0), match.end()
        piece = text[start:end]
        composed = compose(piece)
        if composed == piece:
            continue
        mapping.keep(start - position)
        out.append(text[position:start])
        out.append(composed)
        _map_piece(piece, len(composed), mapping)
        position = end
    mapping.keep(len(text) - position)
    out.append(text[position:])
    return "".join(out), mapping


def _map_piece(piece: str, composed: int, mapping: OffsetMap) -> None:
    # A letter and one mark: the letter maps to itself (unless it is no plain letter).
    simple = len(piece) == 2 and unicodedata.is_normalized("NFC", piece[0])
    if simple or len(piece) > LONG_SEQUENCE:
        mapping.add(len(piece), composed)
        return
    before = 0
    for cut in range(1, len(piece) + 1):
        now = min(len(unicodedata.normalize("NFC", piece[:cut])), composed)
        mapping.add(1, now - before)
        before = now


def _trim_lines(text: str) -> tuple[str, OffsetMap]:
    """Trailing white space of each line, runs of blank lines, newlines at both ends."""
    mapping, out, position = OffsetMap(), [], 0
    for match in _TRIM.finditer(text):
        mapping.keep(match.start() - position)
        out.append(text[position : match.start()])
        found = match.group()
        if match.lastgroup == "middle":  # keep two newlines, drop the rest and the spaces
            second = found.index("\n", 1)
            mapping.keep(1)
            mapping.add(second - 1, 0)
            mapping.keep(1)
            mapping.add(len(found) - second - 1, 0)
            out.append("\n\n")
        else:
            mapping.add(len(found), 0)
        position = match.end()
    mapping.keep(len(text) - position)
    out.append(text[position:])
    return "".join(out), mapping


def normalise_with_map(text: str) -> tuple[str, Chain]:
    """The canonical text (normalise_text), and where each position of `text` went."""
    maps = []
    result = text
    for step in (_line_ends, _nfc, _trim_lines):
        result, mapping = step(result)
        maps.append(mapping)
    # One rule for offsets everywhere: normalise_text gives the same text (a test checks
    # it on generated texts; asking here would cost CPython's quadratic NFC on hostile text).
    return result, Chain(*maps)


def utf8_positions(text: str, mapping: OffsetMap | None = None) -> OffsetMap:
    """UTF-8 byte offsets of `text` -> its characters (appended to `mapping` if given).

    An offset inside a multi-byte character moves past it (as Taguette's split_utf8).
    """
    mapping = mapping if mapping is not None else OffsetMap()
    position = 0
    for match in _NON_ASCII.finditer(text):
        mapping.keep(match.start() - position)
        for character in match.group():
            mapping.add(len(character.encode("utf-8")), 1)
        position = match.end()
    mapping.keep(len(text) - position)
    return mapping
