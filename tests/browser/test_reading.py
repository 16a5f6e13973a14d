"""The reading page in the browser: a long source loads window after window as it scrolls."""

import random

import pytest
from django.urls import reverse

from interviews.reading import paragraphs
from interviews.windows import window_at
from tests.conftest import make_source

pytestmark = pytest.mark.browser

_STARTS_JS = "() => [...document.querySelectorAll('article p[data-o]')].map((p) => +p.dataset.o)"


def _transcript(count: int) -> str:
    rng = random.Random(5)
    words = ["rapat", "koordinasi", "data", "distrik", "Sinak", "pesawat"]
    return "\n\n".join(
        f"{'Pewawancara' if n % 2 == 0 else 'Ibu Maria'}: "
        + " ".join(rng.choice(words) for _ in range(40))
        + "."
        for n in range(count)
    )


def test_scrolling_to_the_end_loads_the_rest_in_order(new_page, project, researcher):
    text = _transcript(300)
    source = make_source(project, text=text)
    page = new_page(researcher)
    page.goto(reverse("interviews:source_detail", args=[project.slug, source.pk]))
    first = window_at(text)
    assert first.next is not None
    assert page.evaluate(_STARTS_JS) == [p.start for p in paragraphs(text, 0, first.end)]
    page.evaluate("() => { window.__kesraSamePage = true; }")
    expected = [p.start for p in paragraphs(text)]
    for _ in range(20):
        if page.locator("text=Continue reading").count() == 0:
            break
        shown = len(page.evaluate(_STARTS_JS))
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(f"() => ({_STARTS_JS})().length > {shown}")
    assert page.evaluate(_STARTS_JS) == expected  # every paragraph once, in order
    assert page.evaluate("() => window.__kesraSamePage === true")  # swapped, not reloaded
    assert page.locator("article .turn").count() == len(expected)


def test_a_jump_with_at_lands_on_its_paragraph(new_page, project, researcher):
    text = _transcript(300)
    source = make_source(project, text=text)
    offset = text.index("Ibu Maria", len(text) * 2 // 3)
    page = new_page(researcher)
    url = reverse("interviews:source_detail", args=[project.slug, source.pk])
    page.goto(f"{url}?at={offset}#at")
    target = page.locator("#at")
    assert target.get_attribute("data-o") == str(offset)
    assert target.is_visible()
    assert page.evaluate("() => window.scrollY") > 0
    page.get_by_role("link", name="Earlier text").click()
    page.wait_for_url(f"**?at={window_at(text, offset).previous}")


_PARA_STARTS_JS = (
    "() => [...document.querySelectorAll('#source-text .para')].map((p) => +p.dataset.o)"
)


def test_the_coding_page_loads_windows_and_codes_in_a_later_one(
    open_coding_page, project, researcher, codes
):
    from coding.models import Coding

    text = _transcript(300)
    source = make_source(project, text=text, created_by=researcher)
    first = window_at(text)
    assert first.next is not None
    page = open_coding_page(researcher, source)
    assert page.page.evaluate(_PARA_STARTS_JS) == [
        p.start for p in paragraphs(text, 0, first.end - 1)
    ]
    page.page.evaluate("() => { window.__kesraSamePage = true; }")
    page.page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    shown = len(paragraphs(text, 0, first.end - 1))
    page.page.wait_for_function(f"() => ({_PARA_STARTS_JS})().length > {shown}")
    later = page.page.evaluate(_PARA_STARTS_JS)
    second = window_at(text, first.next)
    # The next window follows on, in order, each paragraph once.
    assert later == [p.start for p in paragraphs(text, 0, second.end - 1)]
    # A passage of the window just loaded is coded like any other.
    start = later[shown]
    phrase = text[start : text.index(":", start)]  # its speaker label is plain text
    body_start = text.index(": ", start) + 2
    words = text[body_start : body_start + 20].rsplit(" ", 1)[0]
    page.select(words, nth=text[:body_start].count(words))
    with page.posting():
        page.search.press("1")
    page.wait_until_coded(words)
    assert Coding.objects.get().start == body_start
    assert page.page.evaluate("() => window.__kesraSamePage === true")
    assert phrase
