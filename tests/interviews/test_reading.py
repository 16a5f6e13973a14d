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
