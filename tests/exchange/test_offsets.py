"""Position maps: the same text and the same positions as the plain, slow definition.

The reference below maps every position by brute force (what each prefix of a
text becomes), as the first version of offsets.py did; the linear maps must agree
with it on any text, and give the text normalise_text gives.
"""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.exchange.offsets import (
    LONG_SEQUENCE,
    OffsetMap,
    nfc,
    normalise_with_map,
    utf8_positions,
)
from coding.exchange.qdpx_text import decode_verbatim, stored_text
from interviews.importers import normalise_text

PIECES = [
    "a", "Z", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u2028", "\x00", "\x85", "\ufeff",
    "e\u0301", "\u0301", "\u0323", "\u00e4", "\u0430\u0308", "\u1100", "\u1161", "\u11a8",
    "\u0b47", "\u0b3e", "\u212b", "😊", "👩🏽\u200d💼", "م", "\u0f73",
]  # fmt: skip
LONG_MARKS = "\u0301\u0323" * 20  # a letter with more marks than LONG_SEQUENCE
assert len(LONG_MARKS) > LONG_SEQUENCE
PIECES.append("x" + LONG_MARKS)
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


def reference(text: str) -> list[int]:
    """Where each position 0..len(text) lands in normalise_text(text), by brute force."""
    stage = text
    mapping = list(range(len(text) + 1))
    for step in (_line_ends, _nfc, _trim):
        stage, inner = step(stage)
        mapping = [inner[position] for position in mapping]
    return mapping


def _keep(text: str, keep: list[bool]) -> list[int]:
    out, mapping = 0, []
    for index in range(len(text)):
        mapping.append(out)
        out += keep[index]
    return [*mapping, out]


def _line_ends(text: str):
    keep = [
        not (c == "\r" and text[i + 1 : i + 2] == "\n")
        and (c in "\r\u2028\u2029\f\v\x85" or not _DROPPED.match(c))
        for i, c in enumerate(text)
    ]
    out = text.replace("\r\n", "\n").replace("\r", "\n")
    out = out.translate(str.maketrans(dict.fromkeys("\u2028\u2029\f\v\x85", "\n")))
    return _DROPPED.sub("", out), _keep(text, keep)


def _nfc(text: str):
    composed = unicodedata.normalize("NFC", text)
    lengths = [len(unicodedata.normalize("NFC", text[:cut])) for cut in range(len(text) + 1)]
    return composed, [min(length, len(composed)) for length in lengths]


def _trim(text: str):
    keep = [True] * len(text)
    start = 0
    for line in text.split("\n"):
        for index in range(start + len(line.rstrip()), start + len(line)):
            keep[index] = False
        start += len(line) + 1
    kept = [i for i in range(len(text)) if keep[i]]
    run: list[int] = []
    for index in kept:
        if text[index] == "\n":
            run.append(index)
            continue
        for extra in run[2:]:
            keep[extra] = False
        run = []
    for extra in run:
        keep[extra] = False
    for index in kept:
        if text[index] != "\n":
            break
        keep[index] = False
    return "".join(c for c, k in zip(text, keep, strict=True) if k), _keep(text, keep)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_canonical_text_and_its_map_are_the_plain_definitions(text):
    result, mapping = normalise_with_map(text)
    assert result == normalise_text(text)
    positions = [mapping[position] for position in range(len(text) + 1)]
    assert positions[-1] == len(result)
    assert positions == sorted(positions)
    # Positions agree with the brute force exactly, but inside a letter with more marks
    # than LONG_SEQUENCE, where the map goes by length alone (linear, on hostile text).
    inside_long = LONG_MARKS in text  # the other pieces never add up to LONG_SEQUENCE
    expected = reference(text)
    for position in range(len(text) + 1):
        if not inside_long:
            assert positions[position] == expected[position], (text, position)


@given(TEXTS)
def test_linear_nfc_is_nfc(text):
    assert nfc(text) == unicodedata.normalize("NFC", text)


def test_a_map_sends_dropped_characters_to_the_next_kept_one_and_back_to_the_first():
    mapping = OffsetMap()
    mapping.keep(2)  # "ab"
    mapping.add(1, 0)  # "\r" dropped
    mapping.keep(1)  # "\n"
    mapping.add(0, 2)  # two characters inserted
    mapping.add(3, 1)  # three became one
    assert [mapping[p] for p in range(8)] == [0, 1, 2, 2, 5, 6, 6, 6]
    assert [mapping.back(p) for p in range(7)] == [0, 1, 2, 4, 4, 4, 5]
    assert len(mapping) == 5


def test_identical_runs_are_one():
    mapping = OffsetMap()
    for _ in range(1000):
        mapping.keep(3)
    assert len(mapping) == 1
    assert mapping[2999] == 2999


def test_utf8_offsets_inside_a_character_move_past_it():
    mapping = utf8_positions("a😊é")
    assert [mapping[b] for b in range(8)] == [0, 1, 2, 2, 2, 2, 3, 3]
    assert (mapping.length_in, mapping.length_out) == (7, 3)


@given(
    st.lists(st.sampled_from(["a", "\r", "\n", "\r\n", "\x00", "é", "😊"]), max_size=40).map(
        "".join
    )
)
def test_a_qdpx_text_maps_there_and_back(raw):
    text, mapping = stored_text(raw)
    assert text == raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    for position in range(len(raw) + 1):
        inside_crlf = raw[position - 1 : position + 1] == "\r\n"
        if not inside_crlf and raw[position - 1 : position] != "\x00":
            assert mapping.back(mapping[position]) == position


def test_a_byte_order_mark_is_not_text():
    assert decode_verbatim(b"\xef\xbb\xbfHalo").text == "Halo"
    decoded = decode_verbatim("Café".encode("cp1252"))
    assert (decoded.text, decoded.utf8) == ("Café", False)
