from hypothesis import given
from hypothesis import strategies as st

from coding.rendering import Span, coded_paragraphs, codes_in

TEXT = "Pewawancara: Apa?\n\nIbu Maria: Rapat jarang. 😀 Sinyal susah.\nBaris akhir."


def runs_of(paragraphs):
    return [(r.start, r.text, r.codings) for p in paragraphs for r in p.runs]


def test_runs_cut_where_codings_begin_and_end():
    start = TEXT.index("Rapat")
    spans = [Span(1, 7, start, start + len("Rapat jarang")), Span(2, 8, start + 6, start + 16)]
    paragraphs = coded_paragraphs(TEXT, spans, {7: 0, 8: 1})
    coded = [(text, codings) for _s, text, codings in runs_of(paragraphs) if codings]
    assert coded == [("Rapat ", (1,)), ("jarang", (1, 2)), (". 😀 ", (2,))]
    assert paragraphs[1].codes == [7, 8]


def test_a_coding_across_paragraphs_shows_in_each():
    start = TEXT.index("Sinyal")
    spans = [Span(5, 3, start, TEXT.index("akhir"))]
    paragraphs = coded_paragraphs(TEXT, spans, {3: 0})
    assert [p.codes for p in paragraphs] == [[], [3], [3]]
    assert ("Baris ", (5,)) in [(t, c) for _s, t, c in runs_of(paragraphs)]


def test_codings_of_a_code_the_codebook_read_missed_are_left_out():
    # Code 9 was deleted (or made) between reading the codes and reading the codings.
    start = TEXT.index("Rapat")
    spans = [Span(1, 7, start, start + 5), Span(2, 9, start, start + 5)]
    paragraphs = coded_paragraphs(TEXT, spans, {7: 0})
    assert ("Rapat", (1,)) in [(t, c) for _s, t, c in runs_of(paragraphs)]
    assert paragraphs[1].codes == [7]


def test_only_paragraphs_within_a_range_are_rendered():
    low = TEXT.index("Baris")
    paragraphs = coded_paragraphs(TEXT, [], {}, within=(low, low + 2))
    assert [p.start for p in paragraphs] == [low]


def test_codes_in_lists_the_codes_of_the_paragraphs():
    spans = [Span(1, 7, 20, 30), Span(2, 8, 25, 40), Span(3, 7, 50, 55)]
    paragraphs = coded_paragraphs(TEXT, spans, {7: 0, 8: 1})
    assert codes_in(paragraphs) == {7, 8}
    assert codes_in(paragraphs[:1]) == set()


@given(
    st.text(alphabet=st.sampled_from("ab \n😀é\u0301"), min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)), max_size=8),
)
def test_runs_reassemble_the_text_and_carry_exactly_the_covering_codings(text, raw):
    spans = [
        Span(i + 1, i % 3, start, min(start + length, len(text)))
        for i, (start, length) in enumerate(raw)
        if start < len(text)
    ]
    paragraphs = coded_paragraphs(text, spans, {0: 0, 1: 1, 2: 2})
    # Paragraphs in order, runs contiguous inside each, and between paragraphs only line
    # breaks and blank space: the runs put back together are exactly the text.
    position = 0
    for paragraph in paragraphs:
        assert text[position : paragraph.start].strip() == ""
        assert "".join(run.text for run in paragraph.runs) == text[paragraph.start : paragraph.end]
        assert paragraph.runs and paragraph.runs[0].start == paragraph.start
        for before, after in zip(paragraph.runs, paragraph.runs[1:], strict=False):
            assert before.start + len(before.text) == after.start
        position = paragraph.end
    assert text[position:].strip() == ""
    assert bool(paragraphs) == bool(text.strip())
    for run in (r for p in paragraphs for r in p.runs):
        assert text[run.start : run.start + len(run.text)] == run.text
        for offset in range(run.start, run.start + len(run.text)):
            covering = {s.id for s in spans if s.start <= offset < s.end}
            assert set(run.codings) == covering
