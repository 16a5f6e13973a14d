"""The coding page beyond applying a code: details of a coding and changing it, the
picker's keys, stepping through coded passages, tooltips, and who may code.
Every test checks the database afterwards, not only the page.
"""

import re

import pytest
from playwright.sync_api import expect

from coding.models import Coding
from coding.services import apply_code
from interviews.models import Membership
from tests.conftest import make_membership, make_source, make_user

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana koordinasi antar bidang berjalan selama ini?\n"
    "\n"
    "Ibu Maria: Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat.\n"
    "\n"
    "[00:04:10] Pak Natan: Kalau kepala bagian hadir, semuanya jalan."
)


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara", text=TEXT, created_by=researcher)


def code(source, phrase, code, coder):
    start = source.text.index(phrase)
    return apply_code(
        source=source,
        start=start,
        end=start + len(phrase),
        passage=phrase,
        code=code,
        coder=coder,
    )


def test_n_steps_to_a_coded_passage_and_enter_opens_its_details(
    open_coding_page, researcher, interview, codes
):
    first = code(interview, "situasional saja", codes[0], researcher)
    second = code(interview, "kepala bagian", codes[2], researcher)
    page = open_coding_page(researcher, interview)
    keyboard = page.page.keyboard

    keyboard.press("n")
    expect(page.page.locator("#source-text .k:focus")).to_have_text("situasional saja")
    expect(page.page.locator("#step-count")).to_have_text("1 / 2")
    expect(page.page.locator("#tip")).to_contain_text(f"{codes[0].name} · {researcher.username}")
    keyboard.press("n")
    expect(page.page.locator("#source-text .k:focus")).to_have_text("kepala bagian")
    keyboard.press("p")
    keyboard.press("Enter")

    card = page.panel.locator(".coding-card")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-coding", str(first.pk))
    expect(card.locator("blockquote")).to_have_text("situasional saja")
    assert set(Coding.objects.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_word_step_buttons_move_a_codings_boundaries(
    open_coding_page, researcher, interview, codes
):
    coding = code(interview, "situasional saja", codes[0], researcher)
    page = open_coding_page(researcher, interview)

    page.page.locator("#source-text .k").click()
    card = page.panel.locator(".coding-card")
    with page.posting():
        card.get_by_role("button", name="← Start").click()
    coding.refresh_from_db()
    assert coding.passage == "kami situasional saja"
    page.wait_until_coded("kami situasional saja")

    with page.posting():
        page.panel.get_by_role("button", name="End →").click()
    coding.refresh_from_db()
    assert coding.passage == "kami situasional saja,"
    page.wait_until_coded("kami situasional saja,")

    with page.posting():
        page.panel.get_by_role("button", name="Start →").click()
    with page.posting():
        page.panel.get_by_role("button", name="End →").click()
    coding.refresh_from_db()
    assert coding.passage == "situasional saja, tergantung"
    assert interview.text[coding.start : coding.end] == coding.passage
    page.wait_until_coded("situasional saja, tergantung")
    expect(page.panel.locator("blockquote")).to_have_text("situasional saja, tergantung")


def test_changing_the_code_of_a_coding_recolours_the_passage(
    open_coding_page, researcher, interview, codes
):
    coding = code(interview, "situasional saja", codes[0], researcher)
    page = open_coding_page(researcher, interview)

    page.page.locator("#source-text .k").click()
    card = page.panel.locator(".coding-card")
    card.get_by_label("Change code to").select_option(str(codes[1].pk))
    with page.posting():
        card.get_by_role("button", name="Change", exact=True).click()

    coding.refresh_from_db()
    assert coding.code == codes[1]
    assert coding.passage == "situasional saja"
    expect(page.page.locator("#source-text .k")).to_have_class(re.compile(rf"\ba{codes[1].pk}\b"))


def test_arrow_keys_choose_the_code_that_enter_applies_and_escape_closes_the_picker(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)

    page.select("tergantung siapa")
    expect(page.options).to_have_count(3)
    expect(page.options.locator(".key")).to_have_text(["1", "2", "3"])
    page.search.press("ArrowDown")
    page.search.press("ArrowDown")
    page.search.press("ArrowUp")
    expect(page.options.nth(1)).to_have_attribute("aria-selected", "true")
    chosen = page.option_ids()[1]
    with page.posting():
        page.search.press("Enter")
    page.search.press("Escape")
    expect(page.picker).to_be_hidden()

    coding = Coding.objects.get()
    assert coding.code_id == chosen
    assert coding.passage == "tergantung siapa"


def test_the_picker_closes_and_c_reopens_it_after_the_selection_was_adjusted(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    keyboard = page.page.keyboard

    for _ in range(3):
        keyboard.press("j")
    keyboard.press("Enter")
    expect(page.picker).to_be_visible()
    assert page.picker_quote() == "Kalau kepala bagian hadir, semuanya jalan."
    keyboard.press("Escape")
    expect(page.picker).to_be_hidden()
    expect(page.page.locator(".para > p:focus")).to_contain_text("Pak Natan")
    keyboard.press("Alt+Shift+ArrowRight")
    keyboard.press("Shift+ArrowLeft")
    keyboard.press("c")
    expect(page.picker).to_be_visible()
    assert page.picker_quote() == "kepala bagian hadir, semuanya"
    with page.posting():
        keyboard.press("3")

    coding = Coding.objects.get()
    assert coding.code == codes[2]
    assert coding.passage == "kepala bagian hadir, semuanya"
    assert interview.text[coding.start : coding.end] == coding.passage


def test_a_supervisor_reads_codings_but_gets_no_picker(
    open_coding_page, project, researcher, interview, codes
):
    code(interview, "situasional saja", codes[0], researcher)
    supervisor = make_user("sam_supervisor")
    make_membership(project, supervisor, Membership.Role.SUPERVISOR)
    page = open_coding_page(supervisor, interview)

    assert page.page.locator("#picker").count() == 0
    # Selecting must not break the page (the page fixture fails on any JavaScript error).
    page.page.evaluate(
        """() => {
          const run = [...document.querySelectorAll("#source-text span[data-o]")]
            .find((r) => r.textContent.includes("kepala bagian"));
          getSelection().selectAllChildren(run);
          run.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, button: 0 }));
        }"""
    )
    page.page.locator("#source-text .k").click()
    card = page.panel.locator(".coding-card")
    expect(card.locator("blockquote")).to_have_text("situasional saja")
    expect(card.get_by_role("button", name="Remove this coding")).to_have_count(0)
    assert Coding.objects.count() == 1


def test_the_tooltip_names_a_code_created_in_vivo_without_a_reload(
    open_coding_page, researcher, interview, codes
):
    phrase = "tergantung siapa"
    page = open_coding_page(researcher, interview)

    page.select(phrase)
    with page.posting():
        page.page.locator("#picker-invivo").click()
    page.wait_until_coded(phrase)
    page.page.locator("#source-text .k").hover()

    expect(page.page.locator("#tip")).to_have_text(f"{phrase} · {researcher.username}")
    assert Coding.objects.get().code.name == phrase


def test_use_the_current_selection_gives_a_coding_new_boundaries(
    open_coding_page, researcher, interview, codes
):
    coding = code(interview, "situasional saja", codes[0], researcher)
    page = open_coding_page(researcher, interview)

    page.page.locator("#source-text .k").click()
    card = page.panel.locator(".coding-card")
    expect(card.locator("blockquote")).to_have_text("situasional saja")
    page.drag_select("tergantung siapa yang hadir")
    with page.posting():
        card.get_by_role("button", name="Use the current selection").click()

    coding.refresh_from_db()
    assert coding.passage == "tergantung siapa yang hadir"
    assert interview.text[coding.start : coding.end] == coding.passage
    assert Coding.objects.count() == 1
    page.wait_until_coded("tergantung siapa yang hadir")
    assert [run["text"] for run in page.coded_runs()] == ["tergantung siapa yang hadir"]


def test_spaces_around_a_selection_are_left_out_of_the_passage(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)

    page.select(" situasional saja, ")
    assert page.picker_quote() == "situasional saja,"
    with page.posting():
        page.search.press("1")

    coding = Coding.objects.get()
    assert coding.passage == "situasional saja,"
    assert interview.text[coding.start : coding.end] == coding.passage


def test_markup_in_a_source_is_shown_and_coded_as_plain_text(
    open_coding_page, project, researcher, codes
):
    phrase = '<b>tebal</b> & "kutip" <script>alert(1)</script>'
    source = make_source(project, text=f"Catatan: {phrase} selesai.", created_by=researcher)
    page = open_coding_page(researcher, source)

    assert page.page.locator("#source-text b, #source-text script").count() == 0
    page.drag_select(phrase)
    assert page.picker_quote() == phrase
    with page.posting():
        page.search.press("1")

    coding = Coding.objects.get()
    assert coding.passage == phrase
    assert source.text[coding.start : coding.end] == phrase
    page.wait_until_coded(phrase)


def test_a_link_with_at_opens_the_text_at_that_passage(
    open_coding_page, researcher, interview, codes
):
    start = TEXT.index("situasional")
    create = {"start": start, "end": start + len("situasional"), "passage": "situasional"}
    apply_code(source=interview, code=codes[0], coder=researcher, **create)
    page = open_coding_page(researcher, interview)
    page.url += f"?at={start}"
    page.open()
    flashed = page.page.locator("#source-text .flash")
    expect(flashed).to_have_text("situasional")
    expect(flashed).to_be_focused()


def test_typing_in_the_picker_hides_the_codes_that_do_not_match(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    page.select("tergantung siapa")
    page.search.fill("mimpin")
    everything = page.page.locator("#picker-list li[role=option]")
    expect(everything.filter(has_text="Kepemimpinan")).to_be_visible()
    expect(everything.filter(has_text="Hambatan koordinasi")).to_be_hidden()
    expect(everything.filter(has_text="Koordinasi lintas bidang")).to_be_hidden()
    expect(everything.filter(has_text="Kepemimpinan").locator(".key")).to_have_text("1")
