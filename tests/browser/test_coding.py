"""Coding a source in the browser: selecting with the mouse and the keyboard, the picker,
overlapping codes, removing, in-vivo codes, Unicode offsets, two coders at once and a
stale page. Every test checks what the database holds afterwards, not only the page.
"""

import re

import pytest
from playwright.sync_api import expect

from coding.models import Code, Coding
from coding.services import apply_code
from interviews.models import Source
from interviews.services import add_source
from tests.conftest import make_membership, make_source, make_user

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana koordinasi antar bidang berjalan selama ini?\n"
    "\n"
    "Ibu Maria: Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat.\n"
    "\n"
    "Pewawancara: Ada contoh yang bisa Ibu ceritakan?\n"
    "\n"
    "Ibu Maria: alpha beta gamma delta epsilon."
)


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara Ibu Maria", text=TEXT, created_by=researcher)


def assert_stored(coding: Coding, phrase: str):
    """The coding's passage is `phrase`, at its place in the text, in code points."""
    text = Source.objects.get(pk=coding.source_id).text
    assert coding.passage == phrase
    assert text[coding.start : coding.end] == phrase
    assert coding.start == text.index(phrase)
    assert coding.end == coding.start + len(phrase)


def test_a_mouse_selection_is_coded_with_exactly_the_selected_passage(
    open_coding_page, researcher, interview, codes
):
    phrase = "situasional saja, tergantung siapa"
    page = open_coding_page(researcher, interview)

    page.drag_select(phrase)
    assert page.picker_quote() == phrase
    page.search.type("hamb")
    assert page.option_ids() == [codes[1].pk]
    with page.posting():
        page.search.press("Enter")

    coding = Coding.objects.get()
    assert (coding.code, coding.coder) == (codes[1], researcher)
    assert_stored(coding, phrase)

    page.reload()
    coded = page.coded_runs()
    assert "".join(run["text"] for run in coded) == phrase
    assert coded[0]["o"] == coding.start
    assert all(run["codings"] == [coding.pk] for run in coded)
    assert all(f"a{codes[1].pk}" in run["classes"] for run in coded)


def test_a_selection_across_paragraphs_keeps_its_line_breaks_and_speaker_label(
    open_coding_page, researcher, interview, codes
):
    phrase = "berjalan selama ini?\n\nIbu Maria: Koordinasi kami"
    page = open_coding_page(researcher, interview)

    page.drag_select("berjalan selama ini?\nIbu Maria: Koordinasi kami")
    assert page.picker_quote() == phrase
    with page.posting():
        page.search.press("1")

    assert_stored(Coding.objects.get(), phrase)
    page.reload()
    assert "".join(run["text"] for run in page.coded_runs()) == phrase.replace("\n", "")


def test_a_drag_released_below_the_text_still_opens_the_picker(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    box = page.text_box()

    page.drag_from("gamma", to=(box["right"] - 20, box["bottom"] + 30))
    page.picker.wait_for(state="visible")
    assert page.picker_quote() == "gamma delta epsilon."
    with page.posting():
        page.search.press("2")

    coding = Coding.objects.get()
    assert coding.code == codes[1]
    assert_stored(coding, "gamma delta epsilon.")


def test_a_drag_overshooting_into_the_sidebar_codes_the_text_it_highlights(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    box = page.text_box()
    line = page.page.evaluate(
        """() => {
          const run = [...document.querySelectorAll("#source-text span[data-o]")]
            .find((r) => r.textContent.includes("hadir di rapat."));
          const r = run.getBoundingClientRect();
          return (r.top + r.bottom) / 2;
        }"""
    )

    # Released in the sidebar, Chromium extends the selection over the rest of the text.
    page.drag_from("tergantung", to=(box["right"] + 20, line))
    page.picker.wait_for(state="visible")
    rest = TEXT[TEXT.index("tergantung") :]
    assert page.picker_quote() == rest[:90] + "…"
    with page.posting():
        page.search.press("1")

    assert_stored(Coding.objects.get(), rest)


def test_two_codes_on_overlapping_words_both_mark_the_shared_word(
    open_coding_page, researcher, interview, codes
):
    first, second = codes[0], codes[1]
    page = open_coding_page(researcher, interview)

    page.select("alpha beta")
    with page.posting():
        page.options.filter(has_text=first.name).click()
    page.select("beta gamma")
    with page.posting():
        page.options.filter(has_text=second.name).click()

    stored = {coding.code_id: coding for coding in Coding.objects.all()}
    assert set(stored) == {first.pk, second.pk}
    assert_stored(stored[first.pk], "alpha beta")
    assert_stored(stored[second.pk], "beta gamma")

    page.reload()
    runs = {run["text"]: run for run in page.coded_runs()}
    assert list(runs) == ["alpha ", "beta", " gamma"]
    beta = runs["beta"]
    assert {f"a{first.pk}", f"b{second.pk}"} <= set(beta["classes"])
    assert sorted(beta["codings"]) == sorted(coding.pk for coding in stored.values())
    assert runs["alpha "]["codings"] == [stored[first.pk].pk]
    assert runs[" gamma"]["codings"] == [stored[second.pk].pk]
    stripes = page.page.locator(".para", has_text="alpha beta").locator(".stripes i")
    expect(stripes).to_have_class([f"m{first.pk}", f"m{second.pk}"])


def test_shift_and_a_number_key_apply_several_codes_to_one_selection(
    open_coding_page, researcher, interview, codes
):
    phrase = "Koordinasi kami situasional saja"
    page = open_coding_page(researcher, interview)

    page.select(phrase)
    first_two = page.option_ids()[:2]
    with page.posting(count=2):
        page.search.press("Shift+1")
        page.search.press("Shift+2")

    codings = list(Coding.objects.order_by("code_id"))
    assert sorted(coding.code_id for coding in codings) == sorted(first_two)
    for coding in codings:
        assert_stored(coding, phrase)
    assert page.picker.is_visible(), "the picker stays open for more codes"
    expect(page.search).to_be_focused()
    expect(page.page.locator("#picker-list li.applied")).to_have_count(2)


def test_a_number_key_applies_one_code_and_closes_the_picker(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)

    page.select("situasional saja")
    chosen = page.option_ids()[0]
    with page.posting():
        page.search.press("1")

    expect(page.picker).to_be_hidden()
    expect(page.page.locator(".para > p:focus")).to_contain_text("situasional saja")
    assert list(Coding.objects.values_list("code_id", flat=True)) == [chosen]
    expect(page.status).to_have_text("✓ Saved")


def test_the_several_codes_box_keeps_the_picker_open_for_a_click(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)

    page.select("situasional saja")
    page.page.get_by_label("Several codes").check()
    with page.posting(count=2):
        page.options.filter(has_text=codes[0].name).click()
        page.options.filter(has_text=codes[2].name).click()

    expect(page.picker).to_be_visible()
    assert sorted(Coding.objects.values_list("code_id", flat=True)) == [codes[0].pk, codes[2].pk]


def test_codes_applied_faster_than_the_server_answers_are_all_stored(
    open_coding_page, researcher, interview, codes
):
    phrase = "tergantung siapa yang hadir"
    page = open_coding_page(researcher, interview)
    page.slow_network(latency_ms=400)

    page.select(phrase)
    with page.posting(count=3):
        page.search.press("Shift+1")
        page.search.press("Shift+2")
        page.search.press("Shift+3")

    assert sorted(Coding.objects.values_list("code_id", flat=True)) == sorted(
        code.pk for code in codes
    )
    for coding in Coding.objects.all():
        assert_stored(coding, phrase)


def test_a_paragraph_can_be_selected_trimmed_and_coded_with_the_keyboard_alone(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    keyboard = page.page.keyboard

    keyboard.press("j")
    keyboard.press("j")
    assert page.page.evaluate("document.activeElement.textContent").startswith("Ibu Maria:")
    keyboard.press("Enter")
    page.picker.wait_for(state="visible")
    assert page.picker_quote() == (
        "Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat."
    )
    keyboard.press("Shift+ArrowLeft")
    keyboard.press("Shift+ArrowLeft")
    expected = "Koordinasi kami situasional saja, tergantung siapa yang hadir"
    assert page.picker_quote() == expected
    keyboard.type("kepem")
    assert page.option_ids() == [codes[2].pk]
    with page.posting():
        keyboard.press("Enter")

    coding = Coding.objects.get()
    assert coding.code == codes[2]
    assert_stored(coding, expected)


def test_removing_a_coding_from_its_details_unmarks_the_passage_at_once(
    open_coding_page, researcher, interview, codes
):
    phrase = "tergantung siapa yang hadir"
    start = TEXT.index(phrase)
    coding = apply_code(
        source=interview,
        start=start,
        end=start + len(phrase),
        passage=phrase,
        code=codes[0],
        coder=researcher,
    )
    page = open_coding_page(researcher, interview)

    page.page.locator("#source-text .k", has_text="siapa").click()
    card = page.panel.locator(f".coding-card[data-coding='{coding.pk}']")
    expect(card.locator("blockquote")).to_have_text(phrase)
    with page.posting():
        card.get_by_role("button", name="Remove this coding").click()

    assert not Coding.objects.exists()
    page.page.wait_for_function("() => !document.querySelector('#source-text .k')")
    assert page.coded_runs() == []
    expect(page.panel).to_contain_text("This coding is gone.")


def test_the_in_vivo_button_creates_a_code_named_after_the_selection(
    open_coding_page, researcher, interview, codes
):
    phrase = "tergantung siapa yang hadir"
    page = open_coding_page(researcher, interview)

    page.select(phrase)
    with page.posting():
        page.page.locator("#picker-invivo").click()

    code = Code.objects.get(name=phrase)
    assert code.project == interview.project
    coding = code.codings.get()
    assert coding.coder == researcher
    assert_stored(coding, phrase)
    assert Coding.objects.count() == 1
    page.wait_until_coded(phrase)
    assert page.page.locator(f"#picker-list li[data-id='{code.pk}']").count() == 1


# For each string: KesraCoding.cpLength, and cpToUtf16 at every code point offset.
_MEASURE_JS = """
(samples) => samples.map((s) => [
  KesraCoding.cpLength(s),
  Array.from({ length: [...s].length + 1 }, (_, cp) => KesraCoding.cpToUtf16(s, cp)),
])
"""

UNICODE_CRLF = (
    "Pewawancara: Apa kabar?\r\n"
    "\r\n"
    "Ibu Maria: Bapak 😀 bilang 👍🏽 dan 🇮🇩 cafe\u0301 q\u0307 enak sekali.\r\n"
)


def test_offsets_are_code_points_across_emoji_and_combining_accents(
    open_coding_page, project, researcher, codes
):
    source = add_source(
        project=project,
        kind=Source.Kind.INTERVIEW,
        title="Unicode",
        text=UNICODE_CRLF,
        created_by=researcher,
    )
    source.refresh_from_db()
    assert "\r" not in source.text
    assert "caf\u00e9 q\u0307" in source.text, "NFC composes é and keeps q + combining dot"
    phrase = "😀 bilang 👍🏽 dan 🇮🇩 caf\u00e9 q\u0307"
    page = open_coding_page(researcher, source)

    page.drag_select(phrase)
    assert page.picker_quote() == phrase
    with page.posting():
        page.search.press("1")

    coding = Coding.objects.get()
    assert_stored(coding, phrase)
    start = source.text.index(phrase)
    assert (coding.start, coding.end) == (start, start + len(phrase))
    assert len(phrase.encode("utf-16-le")) // 2 > len(phrase), "the passage has surrogates"

    samples = [phrase, source.text, "q\u0307", "🇮🇩", "👍🏽x", "caf\u00e9", ""]
    measured = page.page.evaluate(_MEASURE_JS, samples)
    for text, (length, utf16) in zip(samples, measured, strict=True):
        assert length == len(text)
        assert utf16 == [len(text[:cp].encode("utf-16-le")) // 2 for cp in range(len(text) + 1)]


def test_the_picker_quote_is_shortened_without_splitting_an_emoji(
    open_coding_page, project, researcher, codes
):
    phrase = "a" * 89 + "😀 akhir"
    source = make_source(project, text=f"Ibu Maria: {phrase}", created_by=researcher)
    page = open_coding_page(researcher, source)

    page.select(phrase)
    assert page.picker_quote() == "a" * 89 + "😀…", "cut after a code point, not half of one"
    with page.posting():
        page.search.press("1")

    assert_stored(Coding.objects.get(), phrase)


def test_two_coders_see_each_others_codings_without_reloading(
    open_coding_page, project, researcher, interview, codes
):
    other = make_user("budi_researcher")
    make_membership(project, other)
    page_a = open_coding_page(researcher, interview)
    page_b = open_coding_page(other, interview)

    page_a.select("situasional saja")
    with page_a.posting():
        page_a.search.press("1")
    page_b.wait_until_coded("situasional saja", timeout=8_000)

    page_b.select("yang hadir di rapat")
    with page_b.posting():
        page_b.search.press("2")
    page_a.wait_until_coded("yang hadir di rapat", timeout=8_000)

    by_coder = {coding.coder_id: coding for coding in Coding.objects.all()}
    assert set(by_coder) == {researcher.pk, other.pk}
    assert by_coder[researcher.pk].code == codes[0]
    assert_stored(by_coder[researcher.pk], "situasional saja")
    assert by_coder[other.pk].code == codes[1]
    assert_stored(by_coder[other.pk], "yang hadir di rapat")


def test_a_stale_page_stores_nothing_and_says_why(open_coding_page, researcher, interview, codes):
    page = open_coding_page(researcher, interview)
    Source.objects.filter(pk=interview.pk).update(text="Catatan lapangan.\n\n" + TEXT)

    page.select("situasional saja")
    with page.posting(ok=False):  # the server refuses it (422), as it should
        page.search.press("1")

    assert not Coding.objects.exists()
    expect(page.status).to_contain_text("does not match the source at that place")
    expect(page.status).to_have_class(re.compile(r"\bstatus-error\b"))
    assert page.coded_runs() == []


def test_coding_a_passage_keeps_the_other_codings_of_its_paragraph_on_the_page(
    open_coding_page, researcher, interview, codes
):
    earlier = "Koordinasi kami"
    start = TEXT.index(earlier)
    apply_code(
        source=interview,
        start=start,
        end=start + len(earlier),
        passage=earlier,
        code=codes[0],
        coder=researcher,
    )
    page = open_coding_page(researcher, interview)
    assert [run["text"] for run in page.coded_runs()] == [earlier]

    page.select("hadir di rapat")
    with page.posting():
        page.search.press("2")

    assert Coding.objects.count() == 2
    page.wait_until_coded("hadir di rapat")
    assert [run["text"] for run in page.coded_runs()] == [earlier, "hadir di rapat"]
