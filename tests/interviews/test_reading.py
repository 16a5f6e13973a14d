from hypothesis import given
from hypothesis import strategies as st

from interviews.reading import paragraphs


def test_paragraph_offsets_point_into_the_text():
    text = "Judul\n\nPewawancara: Apa?\nIbu Maria: Ya. 😀 é\n\n[00:01:02] Natan: Jauh."
    for paragraph in paragraphs(text):
        for segment in paragraph.segments:
            assert text[segment.start : segment.start + len(segment.text)] == segment.text
        assert text[paragraph.start : paragraph.end] == "".join(s.text for s in paragraph.segments)


def test_speaker_turns_and_timestamps_are_recognised():
    turn, stamped = paragraphs("Ibu Maria: Ya, benar.\n[00:01:02] Natan: Jauh.")
    assert [(s.role, s.text) for s in turn.segments] == [
        ("speaker", "Ibu Maria: "),
        ("", "Ya, benar."),
    ]
    assert [s.role for s in stamped.segments] == ["stamp", "speaker", ""]


def test_long_labels_and_times_are_not_speakers():
    (sentence,) = paragraphs("Menurut kami yang ada di lapangan ini: semua terlambat.")
    (time,) = paragraphs("09.15 — Rapat dimulai: agenda dibacakan.")
    assert not sentence.is_turn
    assert [s.role for s in time.segments] == [""]


@given(st.text(alphabet=st.sampled_from("ab :\n\r\t😀é\u0301[]0"), max_size=80))
def test_paragraphs_reassemble_the_text(text):
    """Every character outside the paragraphs is blank; inside, segments are the text."""
    position = 0
    found = paragraphs(text)
    for paragraph in found:
        assert paragraph.start >= position
        assert text[position : paragraph.start].strip() == ""
        pieces = "".join(segment.text for segment in paragraph.segments)
        assert pieces == text[paragraph.start : paragraph.end]
        assert paragraph.segments[0].start == paragraph.start
        position = paragraph.end
    assert text[position:].strip() == ""
    assert bool(found) == bool(text.strip())
