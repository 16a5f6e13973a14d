"""Units: sentences of paragraphs and speaker turns, and which codings mark them."""

from coding.suggest.units import covers, merge_runs, sentence_spans, text_units


def pieces(text):
    return [text[unit.start : unit.end] for unit in text_units(text)]


def test_turns_are_cut_into_sentences_without_the_speaker_label():
    text = (
        "Pewawancara: Bagaimana rapatnya? Sering?\n\n"
        "[00:01:02] Ibu Maria: Rapat hanya kalau ada masalah. Drs. Murib setuju…\n"
        "Catatan tanpa pembicara."
    )
    assert pieces(text) == [
        "Bagaimana rapatnya?",
        "Sering?",
        "Rapat hanya kalau ada masalah.",
        "Drs. Murib setuju…",
        "Catatan tanpa pembicara.",
    ]
    paragraphs = [unit.paragraph for unit in text_units(text)]
    assert paragraphs == [0, 0, 1, 1, 2]


def test_offsets_are_code_points_of_the_text():
    text = "Ibu Maria: Kopi ☕ enak. 😀 Sinyal hilang lagi. Jalan rusak!"
    for unit in text_units(text):
        assert text[unit.start : unit.end].strip() == text[unit.start : unit.end]
    assert pieces(text) == ["Kopi ☕ enak. 😀 Sinyal hilang lagi.", "Jalan rusak!"]


def test_closing_quotes_stay_with_their_sentence():
    text = "Dia bilang “Tunggu dulu.” Lalu pergi."
    spans = sentence_spans(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == ["Dia bilang “Tunggu dulu.”", "Lalu pergi."]


def test_a_coding_marks_a_unit_it_covers_by_half_or_that_holds_half_of_it():
    unit = (10, 30)
    assert covers(unit, [(0, 40)])  # the whole turn
    assert covers(unit, [(15, 18)])  # a few words inside
    assert covers(unit, [(20, 45)])  # half the unit
    assert not covers(unit, [(25, 60)])  # a quarter of the unit, a seventh of the coding
    assert not covers(unit, [(30, 50)])  # touches only


def test_consecutive_units_of_one_paragraph_join_into_one_suggestion():
    hits = [
        (0, 10, 1, 0.6, 0, 0),
        (11, 20, 1, 0.9, 0, 1),
        (22, 30, 1, 0.7, 1, 2),  # next paragraph: a new passage
        (11, 20, 2, 0.8, 0, 1),
    ]
    assert merge_runs(hits) == [(0, 20, 1, 0.9), (22, 30, 1, 0.7), (11, 20, 2, 0.8)]
