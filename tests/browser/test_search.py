"""Searching the project, coding what it finds and undoing it, in the browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Coding, CodingEvent
from coding.services import create_code
from interviews import services as study

from .conftest import posting

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana rapat koordinasi di bagian ini?\n"
    "\n"
    "Ibu Maria: Rapat koordinasi hanya kalau ada masalah. Kami diberi tahu lewat grup WhatsApp.\n"
    "\n"
    "Pewawancara: Ada jadwalnya?\n"
    "\n"
    "Ibu Maria: Tidak ada. Rapat Koordinasi terakhir bulan lalu, dan rapat koordinasi lintas "
    "bidang belum pernah."
)


SENTENCES = [
    "Bagaimana rapat koordinasi di bagian ini?",
    "Rapat koordinasi hanya kalau ada masalah.",
    "Rapat Koordinasi terakhir bulan lalu, dan rapat koordinasi lintas bidang belum pernah.",
]


@pytest.fixture
def interview(project, researcher):
    return study.add_source(
        project=project,
        kind="interview",
        title="Wawancara Ibu Maria",
        text=TEXT,
        created_by=researcher,
    )


def test_a_phrase_is_found_three_hits_are_coded_to_their_sentences_retrieved_and_undone(
    new_page, project, researcher, interview
):
    code = create_code(project=project, name="Rapat situasional")
    page = new_page(researcher)
    page.goto(reverse("coding:retrieval", args=[project.slug]))
    box = page.get_by_role("searchbox", name="Search the sources")
    box.fill('"rapat koordinasi"')
    box.press("Enter")

    expect(page.locator("#results-title")).to_contain_text("4 hits")
    hits = page.locator("table.kwic td.hit")
    expect(hits).to_have_text(
        ["rapat koordinasi", "Rapat koordinasi", "Rapat Koordinasi", "rapat koordinasi"]
    )
    for n in (1, 2, 3):
        page.get_by_label(f"Tick hit {n}").check()
    coding_box = page.locator("#code-hits")
    coding_box.get_by_label("Code", exact=True).select_option(label=code.name)
    coding_box.get_by_label("as", exact=True).select_option("sentence")
    with posting(page):
        page.get_by_role("button", name="Preview: ticked hits").click()
    expect(page.locator("#code-hits .preview")).to_contain_text(
        "This makes 3 codings of “Rapat situasional” for you."
    )
    assert not Coding.objects.exists(), "a preview codes nothing"

    page.get_by_role("button", name="Code 3 passages").click()
    expect(page.get_by_text("3 codings of “Rapat situasional” made.")).to_be_visible()
    passages = list(
        Coding.objects.filter(code=code).order_by("start").values_list("passage", flat=True)
    )
    assert passages == SENTENCES
    assert len(set(CodingEvent.objects.values_list("batch", flat=True))) == 1

    searched = page.url  # the search again, with the batch just made
    page.goto(f"{reverse('coding:retrieval', args=[project.slug])}?code={code.pk}")
    expect(page.locator("li.passage mark")).to_have_text(SENTENCES)

    # One undo removes the three codings, as one batch.
    page.goto(searched)
    page.locator("#code-hits").get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: 3 codings.")).to_be_visible()
    assert not Coding.objects.exists()
    undone = CodingEvent.objects.filter(action="undone")
    assert undone.count() == 3 and len(set(undone.values_list("batch", flat=True))) == 1
    page.goto(f"{reverse('coding:retrieval', args=[project.slug])}?code={code.pk}")
    expect(page.locator("li.passage")).to_have_count(0)
