import random
import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from interviews.reading import paragraphs
from interviews.windows import window_at

from ..conftest import make_source


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


# --- the reading page, one window at a time ----------------------------------------------

PARAGRAPH_STARTS = re.compile(r'<p data-o="(\d+)"')


def long_transcript(paragraphs_count: int) -> str:
    rng = random.Random(3)
    words = ["rapat", "koordinasi", "data", "distrik", "Sinak", "pesawat", "anggaran"]
    turns = []
    for n in range(paragraphs_count):
        speaker = "Pewawancara" if n % 2 == 0 else "Ibu Maria"
        turns.append(f"{speaker}: " + " ".join(rng.choice(words) for _ in range(40)) + ".")
    return "\n\n".join(turns)


def read(client, source, **params):
    url = reverse("interviews:source_detail", args=[source.project.slug, source.pk])
    return client.get(url, params)


def starts_in(html: str) -> list[int]:
    return [int(start) for start in PARAGRAPH_STARTS.findall(html)]


def test_a_short_source_is_shown_whole_without_more_to_load(client, researcher, source):
    client.force_login(researcher)
    response = read(client, source)
    assert starts_in(response.text) == [p.start for p in paragraphs(source.text)]
    assert "Continue reading" not in response.text
    assert "Earlier text" not in response.text


@pytest.mark.parametrize(
    "text",
    [
        long_transcript(3_400),  # about a million characters, 300 pages
        "\n".join("ya" if n % 2 else "tidak" for n in range(1_000_000)),  # a million short lines
    ],
    ids=["million-characters", "million-lines"],
)
def test_a_huge_source_opens_with_its_first_window_fast(client, project, researcher, text):
    source = make_source(project, text=text)
    client.force_login(researcher)
    # The work is the window's, not the source's: a page of the same size whatever
    # the length (speed itself is measured by `make bench`, not here).
    response = read(client, source)
    assert len(response.content) < 150_000
    window = window_at(text)
    assert starts_in(response.text) == [p.start for p in paragraphs(text, window.start, window.end)]
    assert f'href="?at={window.next}"' in response.text
    assert f'hx-get="?at={window.next}" hx-trigger="revealed"' in response.text


def test_scrolling_loads_each_window_once_until_the_whole_text_is_read(client, project, researcher):
    text = long_transcript(400)
    source = make_source(project, text=text)
    client.force_login(researcher)
    page = read(client, source)
    seen = starts_in(page.text)
    following = re.search(r'hx-get="\?at=(\d+)"', page.text)
    loads = 0
    while following:
        part = client.get(
            page.request["PATH_INFO"], {"at": following[1]}, headers={"HX-Request": "true"}
        )
        assert "<html" not in part.text
        window = window_at(text, int(following[1]))
        assert window.start == int(following[1])
        first = paragraphs(text, window.start, window.end)[0]
        assert part.text.lstrip().startswith(f'<p data-o="{first.start}"')
        assert "HX-Request" in part["Vary"]
        seen += starts_in(part.text)
        following = re.search(r'hx-get="\?at=(\d+)"', part.text)
        loads += 1
    assert loads >= 3
    assert seen == [p.start for p in paragraphs(text)]


def test_at_opens_the_window_holding_the_offset(client, project, researcher):
    text = long_transcript(400)
    source = make_source(project, text=text)
    client.force_login(researcher)
    offset = text.index("Ibu Maria", len(text) // 2) + 12
    response = read(client, source, at=offset)
    window = window_at(text, offset)
    assert window.previous is not None
    assert starts_in(response.text) == [p.start for p in paragraphs(text, window.start, window.end)]
    target = text.rfind("\n", 0, offset) + 1
    assert f'<p data-o="{target}" id="at" class="turn">' in response.text
    assert response.text.count('id="at"') == 1
    assert f'<a href="?at={window.previous}">Earlier text</a>' in response.text
    assert f"This page starts at character {window.start + 1:,} of {len(text):,}." in (
        response.text
    )


@pytest.mark.parametrize("at", ["abc", "-4", "1e9", "99999999999999999999"])
def test_a_nonsense_offset_opens_the_beginning(client, project, researcher, at):
    text = long_transcript(400)
    source = make_source(project, text=text)
    client.force_login(researcher)
    response = read(client, source, at=at)
    assert response.status_code == 200
    assert starts_in(response.text)[0] == 0
    assert "Earlier text" not in response.text


def test_an_offset_past_the_end_opens_the_last_window(client, project, researcher):
    text = long_transcript(400)
    source = make_source(project, text=text)
    client.force_login(researcher)
    response = read(client, source, at=len(text) + 50)
    assert starts_in(response.text)[-1] == paragraphs(text)[-1].start
    assert "Continue reading" not in response.text


def test_an_outsider_cannot_read_a_window(client, outsider, source):
    client.force_login(outsider)
    assert read(client, source, at=5).status_code == 404
    url = reverse("interviews:source_detail", args=[source.project.slug, source.pk])
    assert client.get(url, {"at": 5}, headers={"HX-Request": "true"}).status_code == 404
