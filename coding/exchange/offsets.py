"""Positions in a text that other tools wrote, carried into our canonical form.

Another tool counts positions in its own text: maybe with CRLF line ends, decomposed
accents (macOS) or a trailing space on each line. `normalise_with_map` applies
exactly the steps of `interviews.importers.normalise_text` and also returns where
each position of the input lands in the result, so a selection [start, end) of the
input becomes [mapping[start], mapping[end]) of our text.
"""

import re
import unicodedata

from interviews.importers import normalise_text

_LINE_BREAKS = {"\u2028", "\u2029", "\f", "\v", "\x85"}
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


def _keep(text: str, keep: list[bool], replace: dict[int, str] | None = None):
    """Keep the characters marked in `keep`; the mapping sends a dropped one to the next kept."""
    out: list[str] = []
    mapping: list[int] = []
    for index, character in enumerate(text):
        mapping.append(len(out))
        if keep[index]:
            out.append(replace.get(index, character) if replace else character)
    mapping.append(len(out))
    return "".join(out), mapping


def _compose(first: list[int], second: list[int]) -> list[int]:
    return [second[position] for position in first]


def _line_ends(text: str):
    keep = [True] * len(text)
    replace: dict[int, str] = {}
    for index, character in enumerate(text):
        if character == "\r":
            if index + 1 < len(text) and text[index + 1] == "\n":
                keep[index] = False
            else:
                replace[index] = "\n"
        elif character in _LINE_BREAKS:
            replace[index] = "\n"
        elif _DROPPED.match(character):
            keep[index] = False
    if text.startswith("\ufeff"):
        keep[0] = False
    return _keep(text, keep, replace)


def _nfc(text: str):
    """NFC, in pieces that start at an ASCII character (which never composes backwards)."""
    out: list[str] = []
    mapping: list[int] = []
    length = 0
    pieces = re.finditer(r"[\x00-\x7f]?[^\x00-\x7f]*", text)
    for match in pieces:
        piece = match.group()
        if not piece:
            continue
        composed = unicodedata.normalize("NFC", piece)
        if composed == piece:
            mapping.extend(range(length, length + len(piece)))
        else:
            for cut in range(len(piece)):
                inside = len(unicodedata.normalize("NFC", piece[:cut]))
                mapping.append(length + min(inside, len(composed)))
        out.append(composed)
        length += len(composed)
    mapping.append(length)
    return "".join(out), mapping


def _trim_lines(text: str):
    """Trailing white space of each line, runs of blank lines, and newlines at both ends."""
    keep = [True] * len(text)
    line_start = 0
    for line in text.split("\n"):
        stripped = len(line.rstrip())
        for index in range(line_start + stripped, line_start + len(line)):
            keep[index] = False
        line_start += len(line) + 1
    # Now collapse "\n" runs of three or more (counting only kept characters) to two.
    run: list[int] = []
    for index, character in enumerate(text):
        if not keep[index]:
            continue
        if character == "\n":
            run.append(index)
            continue
        for extra in run[2:]:
            keep[extra] = False
        run = []
    for extra in run[2:]:
        keep[extra] = False
    kept = [index for index in range(len(text)) if keep[index]]
    for index in kept:
        if text[index] != "\n":
            break
        keep[index] = False
    for index in reversed(kept):
        if text[index] != "\n":
            break
        keep[index] = False
    return _keep(text, keep)


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """The canonical text, and for each position 0..len(text) of `text` its position there."""
    result, mapping = _line_ends(text)
    for step in (_nfc, _trim_lines):
        result, inner = step(result)
        mapping = _compose(mapping, inner)
    # One rule for offsets everywhere: if this ever disagrees, the importer must not guess.
    if result != normalise_text(text):
        raise AssertionError("normalise_with_map disagrees with normalise_text")
    return result, mapping


def byte_offsets(text: str) -> list[int]:
    """UTF-8 byte position at which each character of `text` starts, plus the total."""
    positions = [0]
    for character in text:
        positions.append(positions[-1] + len(character.encode("utf-8")))
    return positions
