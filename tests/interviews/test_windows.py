import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.reading import paragraphs
from interviews.windows import CHUNK_CHARS, MAX_PARAGRAPHS, Window, line_start, window_at


def windows(text: str, **sizes) -> list[Window]:
    """Every window of the text, walked from the start by `next`."""
    result = [window_at(text, 0, **sizes)]
    while result[-1].next is not None:
        assert len(result) <= len(text), "the walk does not advance"
        result.append(window_at(text, result[-1].next, **sizes))
    return result


def check_tiling(text: str, **sizes) -> list[Window]:
    walk = windows(text, **sizes)
    assert walk[0].start == 0
    assert walk[-1].end == len(text)
    for before, after in itertools.pairwise(walk):
        assert before.end == after.start  # no gap, no overlap
        assert after.previous == before.start
    for window in walk:
        assert window.start < window.end or not text
        assert window.start == 0 or text[window.start - 1] == "\n"  # never inside a line
    return walk


lines = st.lists(
    st.one_of(st.just(""), st.text(st.sampled_from("ab :é🙂"), min_size=1, max_size=30)),
    max_size=120,
)


@given(lines, st.integers(1, 40), st.integers(1, 6))
def test_windows_tile_the_text_and_every_offset_finds_its_own(parts, chunk, most):
    text = "\n".join(parts)
    walk = check_tiling(text, chunk_chars=chunk, max_paragraphs=most)
    for window in walk:
        for offset in range(window.start, window.end):
            assert window_at(text, offset, chunk_chars=chunk, max_paragraphs=most) == window
        held = paragraphs(text, window.start, window.end)
        assert len(held) <= most


def test_a_short_source_is_one_window():
    text = "Pewawancara: Apa kabar?\n\nIbu Maria: Baik."
    window = window_at(text)
    assert window == Window(0, len(text), None, None)
    assert window.is_whole
    assert window_at("") == Window(0, 0, None, None)


def test_offsets_outside_the_text_are_clamped():
    text = "\n".join(f"Paragraf {n} tentang rapat koordinasi." for n in range(2_000))
    walk = windows(text)
    assert window_at(text, -5) == walk[0]
    assert window_at(text, len(text) + 100) == walk[-1]


def test_a_transcript_is_cut_in_windows_of_a_few_pages():
    rng = random.Random(11)
    text = "\n\n".join(
        f"Informan {n % 5}: "
        + " ".join(rng.choice(["rapat", "data", "distrik"]) for _ in range(60))
        for n in range(600)
    )
    walk = check_tiling(text)
    assert len(walk) > 5
    for window in walk[:-1]:
        # Full windows: at least a grid cell's worth of text, at most one paragraph more.
        assert CHUNK_CHARS // 2 <= window.end - window.start <= CHUNK_CHARS + 500


def test_a_million_short_lines_give_windows_of_bounded_paragraphs():
    text = "\n".join("ya" if n % 2 else "tidak" for n in range(1_000_000))
    first = window_at(text)
    assert len(paragraphs(text, first.start, first.end)) == MAX_PARAGRAPHS
    middle = window_at(text, len(text) // 2)
    assert middle.holds(line_start(text, len(text) // 2))
    assert len(paragraphs(text, middle.start, middle.end)) <= MAX_PARAGRAPHS


def test_one_long_line_is_one_window_and_the_next_starts_after_it():
    text = "a" * (3 * CHUNK_CHARS) + "\nsesudah\n" + "b" * 10
    first = window_at(text, CHUNK_CHARS * 2)
    assert (first.start, first.end) == (0, 3 * CHUNK_CHARS + 1)
    second = window_at(text, first.next)
    assert second.start == first.end
    assert second.previous == 0
    check_tiling(text)


class CountingText(str):
    """A text that counts the characters its searches for line breaks pass over."""

    scanned = 0

    def find(self, sub, start=0, end=None):
        found = super().find(sub, start, end)
        stop = (len(self) if end is None else end) if found == -1 else found
        CountingText.scanned += max(0, stop - start)
        return found

    def rfind(self, sub, start=0, end=None):
        found = super().rfind(sub, start, end)
        end = len(self) if end is None else end
        CountingText.scanned += end - max(found, start)
        return found


@pytest.mark.parametrize("at", [0, 0.5, 0.999])
def test_finding_a_window_reads_only_its_part_of_the_text(at):
    # 20 million characters, 4 million lines: a pass over them would read them all.
    text = CountingText("Baris.\n" * 2_000_000 + "kata " * 1_200_000)
    offset = int(len(text) * at)
    CountingText.scanned = 0
    window = window_at(text, offset)
    assert window.holds(line_start(text, offset))
    # A few passes over one grid cell, never over the text's four million lines. At the
    # end the offset lies in one line of six million characters: that window is the
    # line itself, and each search for its ends passes over it.
    longest_line = len("kata ") * 1_200_000
    assert CountingText.scanned <= 4 * (CHUNK_CHARS + (longest_line if at > 0.9 else 0))
