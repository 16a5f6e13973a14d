"""Find in this source: the coding page's own find box, across windows of a long text."""

import random

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Coding
from interviews.windows import window_at
from tests.conftest import make_source

pytestmark = pytest.mark.browser

_CURRENT_JS = """() => {
  const h = CSS.highlights.get("kesra-find-current");
  return h ? [...h].map((range) => range.toString()) : [];
}"""
_OTHERS_JS = """() => {
  const h = CSS.highlights.get("kesra-find");
  return h ? h.size : 0;
}"""


def _transcript(count: int, special: dict[int, str]) -> str:
    """`count` speaker turns; turn n carries `special[n]` in its middle."""
    rng = random.Random(7)
    words = ["rapat", "koordinasi", "data", "distrik", "Sinak", "pesawat"]
    turns = []
    for n in range(count):
        body = [rng.choice(words) for _ in range(40)]
        if n in special:
            body.insert(20, special[n])
        turns.append(f"{'Pewawancara' if n % 2 == 0 else 'Ibu Maria'}: {' '.join(body)}.")
    return "\n\n".join(turns)


@pytest.fixture
def long_source(project, researcher):
    text = _transcript(300, {150: "Ilaga", 200: "ILÁGA", 280: "ilaga"})
    source = make_source(project, text=text, created_by=researcher)
    assert window_at(text).end < text.index("Ilaga")  # every hit lies in a later window
    return source


def test_find_reaches_hits_in_later_windows_steps_and_codes_the_current_one(
    open_coding_page, project, researcher, codes, long_source
):
    text = long_source.text
    page = open_coding_page(researcher, long_source)
    browser = page.page
    browser.evaluate("() => { window.__kesraSamePage = true; }")
    browser.locator("#source-text .para p").first.click()
    browser.keyboard.press("/")
    box = browser.get_by_role("searchbox", name="Find in this source")
    expect(box).to_be_focused()
    box.fill("ilaga")
    count = browser.locator("#find-count")
    expect(count).to_have_text("1 / 3")  # case and accents ignored
    browser.wait_for_function(f"() => ({_CURRENT_JS})().length === 1")
    assert browser.evaluate(_CURRENT_JS) == ["Ilaga"]
    box.press("Enter")
    expect(count).to_have_text("2 / 3")
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'ILÁGA'")
    box.press("Enter")
    expect(count).to_have_text("3 / 3")
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'ilaga'")
    assert browser.evaluate(_OTHERS_JS) == 2  # the other hits are painted too
    box.press("Shift+Enter")
    expect(count).to_have_text("2 / 3")
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'ILÁGA'")
    hit = browser.evaluate(
        """() => CSS.highlights.get("kesra-find-current").values().next().value
                 .getBoundingClientRect().toJSON()"""
    )
    assert 0 < hit["top"] < 900  # scrolled into view

    box.press("Alt+Enter")  # code this hit
    expect(page.picker).to_be_visible()
    assert page.picker_quote() == "ILÁGA"
    with page.posting():
        page.search.press("1")
    page.wait_until_coded("ILÁGA")
    coding = Coding.objects.get()
    assert (coding.start, coding.end) == (text.index("ILÁGA"), text.index("ILÁGA") + 5)
    assert coding.code == codes[0]
    # The answer swapped the paragraph: the hits are painted on its new text.
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'ILÁGA'")
    assert browser.evaluate("() => window.__kesraSamePage === true")  # windows, not reloads
    browser.keyboard.press("Escape")  # from the text, once the picker is closed
    expect(browser.locator("#find-box")).to_be_hidden()
    assert browser.evaluate(_CURRENT_JS) == []


def test_a_hit_before_the_first_window_opens_the_page_there_with_the_search(
    open_coding_page, project, researcher, codes, long_source
):
    text = long_source.text
    late = text.index("ilaga")
    page = open_coding_page(researcher, long_source)
    browser = page.page
    browser.goto(f"{page.url}?at={late}")
    browser.wait_for_function("() => typeof window.KesraCoding?.codeSpan === 'function'")
    browser.locator("#find-open").click()
    box = browser.get_by_role("searchbox", name="Find in this source")
    box.fill("ilaga")
    count = browser.locator("#find-count")
    expect(count).to_have_text("3 / 3")  # the hit on show comes first
    box.press("Enter")  # the first hit lies before this window: the page opens there
    browser.wait_for_url(f"**at={text.index('Ilaga')}**")
    expect(count).to_have_text("1 / 3")
    expect(box).to_have_value("ilaga")
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'Ilaga'")
    box.press("Escape")  # closes the box and leaves the hit selected
    expect(browser.locator("#find-box")).to_be_hidden()
    assert browser.evaluate("() => window.getSelection().toString()") == "Ilaga"
    assert browser.evaluate(_CURRENT_JS) == []
    browser.keyboard.press("c")  # the page's own key codes the selection
    expect(page.picker).to_be_visible()
    assert page.picker_quote() == "Ilaga"


def test_a_search_hit_link_highlights_the_hit_and_brings_its_search_along(
    new_page, project, researcher, long_source
):
    text = long_source.text
    at = text.index("ILÁGA")
    browser = new_page(researcher)
    url = reverse("coding:source_code", args=[project.slug, long_source.pk])
    browser.goto(f"{url}?at={at}&len=5")
    browser.wait_for_function(f"() => ({_CURRENT_JS})().length === 1")
    assert browser.evaluate(_CURRENT_JS) == ["ILÁGA"]
    rect = browser.evaluate(
        """() => CSS.highlights.get("kesra-find-current").values().next().value
                 .getBoundingClientRect().toJSON()"""
    )
    assert 0 < rect["top"] < 900
    assert browser.locator("#find-box").is_hidden()

    # A hit of a search the find box can run brings the search along: step on from it.
    browser.goto(f"{url}?at={at}&len=5&find=ilaga")
    expect(browser.locator("#find-count")).to_have_text("2 / 3")
    browser.wait_for_function(f"() => ({_CURRENT_JS})()[0] === 'ILÁGA'")
    browser.get_by_role("searchbox", name="Find in this source").press("Enter")
    expect(browser.locator("#find-count")).to_have_text("3 / 3")


def test_ctrl_f_opens_the_box_and_a_bad_regex_says_why(
    open_coding_page, project, researcher, long_source
):
    page = open_coding_page(researcher, long_source)
    browser = page.page
    browser.locator("#source-text .para p").first.click()
    browser.keyboard.press("Control+f")
    box = browser.get_by_role("searchbox", name="Find in this source")
    expect(box).to_be_focused()
    browser.get_by_label("Regular expression").check()
    box.fill("(")
    expect(browser.locator("#find-count")).to_contain_text("This regular expression is not valid")
    box.fill(r"sinak\s+data")
    expect(browser.locator("#find-count")).to_contain_text("1 / ")
