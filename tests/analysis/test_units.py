"""Widening a hit to its sentence or paragraph, and telling where a position lies."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coding.analysis.citations import Places
from coding.analysis.units import widen

TEXT = (
    "Pewawancara: Bagaimana rapat koordinasi?\n"
    "\n"
    "Ibu Maria: Rapat hanya kalau ada masalah! Kata Bpk. Natan “tidak terjadwal.” Versi 2.5 beda.\n"
    "[00:01:02] Natan: Jalan rusak"
)


def around(word, unit, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    begin, end = widen(TEXT, start, start + len(word), unit)
    return TEXT[begin:end]


@pytest.mark.parametrize(
    ("word", "unit", "nth", "expected"),
    [
        ("masalah", "hit", 0, "masalah"),
        ("masalah", "sentence", 0, "Rapat hanya kalau ada masalah!"),
        ("Rapat", "sentence", 0, "Rapat hanya kalau ada masalah!"),
        ("rapat", "sentence", 0, "Bagaimana rapat koordinasi?"),
        ("terjadwal", "sentence", 0, "Natan “tidak terjadwal.”"),
        ("2.5", "sentence", 0, "Versi 2.5 beda."),
        ("rusak", "sentence", 0, "Jalan rusak"),
        ("masalah", "paragraph", 0, TEXT.split("\n")[2].removeprefix("Ibu Maria: ")),
        ("Jalan", "paragraph", 0, "Jalan rusak"),
        ("Ibu Maria", "paragraph", 0, TEXT.split("\n")[2]),
    ],
)
def test_units(word, unit, nth, expected):
    assert around(word, unit, nth) == expected


def test_a_hit_across_sentences_takes_them_all():
    start = TEXT.index("masalah! Kata")
    begin, end = widen(TEXT, start, start + len("masalah! Kata"), "sentence")
    assert TEXT[begin:end] == "Rapat hanya kalau ada masalah! Kata Bpk."


def test_places_number_paragraphs_and_name_speakers():
    places = Places(TEXT)
    assert str(places.at(TEXT.index("koordinasi"))) == "¶ 1, Pewawancara"
    assert str(places.at(TEXT.index("masalah"))) == "¶ 2, Ibu Maria"
    assert str(places.at(TEXT.index("rusak"))) == "¶ 3, Natan"
    assert str(Places("Satu baris saja.").at(3)) == "¶ 1"


@given(st.text(alphabet=" \t\r\n\x0b\x0c\x1c\u00a0\u2028\u3000ab:", max_size=60))
def test_paragraph_starts_are_the_non_blank_lines(text):
    """As `^[^\\S\\n]*\\S` (MULTILINE) finds them, whitespace of every kind included."""
    import re

    from coding.analysis.citations import paragraph_starts

    expected = [m.start() for m in re.finditer(r"^[^\S\n]*\S", text, re.MULTILINE)]
    assert paragraph_starts(text) == expected
