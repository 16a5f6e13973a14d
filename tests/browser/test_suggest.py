"""Suggestions in the browser: train from the page, then judge on the coding page by keyboard."""

import random

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from coding.models import Coding, CodingEvent
from coding.suggest.models import SuggestionDecision, SuggestionModel
from interviews.models import Job

from ..conftest import make_source
from ..suggest.conftest import build_generated_corpus, generated_text
from .conftest import mark_page, posting

pytestmark = pytest.mark.browser


@pytest.fixture
def generated(project, researcher):
    return build_generated_corpus(project, researcher)


def test_train_then_judge_on_the_coding_page_with_s_y_x_and_undo(
    new_page, generated, project, researcher
):
    page = new_page(researcher)
    page.goto(reverse("coding:suggestions", args=[project.slug]))
    with page.expect_navigation(timeout=90_000):  # a job: the page opens the new version
        page.get_by_role("button", name="Train a new model").click()
    expect(page.locator("#figures")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Model v1 trained.")).to_be_visible()
    model = SuggestionModel.objects.get(project=project)
    assert model.trained_by == researcher
    assert Job.objects.get(kind=Job.Kind.TRAINING).status == Job.Status.DONE

    text, marks = generated_text(random.Random(7), ["Forum", None, "Geografis", None, "Data"])
    source = make_source(project, title="Wawancara baru", text=text, created_by=researcher)
    page.goto(reverse("coding:source_code", args=[project.slug, source.pk]))
    mark_page(page)
    items = page.locator("#suggest-inline li[data-sg]")
    expect(items).to_have_count(0)  # off by default
    page.get_by_label("Show suggested codes").check()
    expect(items).to_have_count(len(marks))
    # Painted once htmx has settled the list (a moment after the items appear).
    page.wait_for_function(
        "() => [...CSS.highlights.keys()].filter((n) => n.startsWith('sg-')).length === 3"
    )  # one highlight per code colour

    page.locator("#source-text p").first.click()  # the keys work from the text
    page.keyboard.press("s")
    expect(items.nth(0)).to_have_class("current")
    expect(page.locator("#suggest-tip")).to_contain_text("p = ")
    # A slow link: the list's reloads after each judgment are held back until both
    # judgments are saved: the first, read before the rejection, is answered last, as
    # on a flaky link, and must not bring the rejected suggestion back.
    held = []

    def hold(route):
        if route.request.method == "GET" and not held:  # read now, answered later
            held.append((route, route.fetch()))
        else:
            route.continue_()

    def is_list(url):
        return "/inline/" in url

    page.route(is_list, hold)
    with posting(page):
        page.keyboard.press("y")
    expect(page.locator("#coding-status")).to_contain_text("Saved")
    ordered = sorted(marks, key=lambda mark: mark[1])
    accepted, rejected = ordered[:2]
    coding = Coding.objects.get(source=source)
    assert (coding.start, coding.end, coding.coder) == (accepted[1], accepted[2], researcher)
    assert coding.code == generated["codes"][accepted[0]]
    expect(items).to_have_count(len(marks) - 1)
    expect(items.nth(0)).to_have_class("current")  # the next one is in hand
    with posting(page):
        page.keyboard.press("x")
    expect(items).to_have_count(len(marks) - 2)
    assert held, "the list was asked for again after the acceptance"
    with page.expect_response(lambda response: is_list(response.url)):  # read before "x"
        for route, answer in held:
            route.fulfill(response=answer)
    page.unroute(is_list)
    expect(items).to_have_count(len(marks) - 2)
    decisions = {d.verdict: d for d in SuggestionDecision.objects.filter(source=source)}
    assert decisions["accepted"].coding == coding
    assert (decisions["rejected"].start, decisions["rejected"].end) == rejected[1:]

    # The coding's details and the history name the model version.
    page.locator(f'#source-text .k[data-c~="{coding.pk}"]').first.click()
    details = page.locator("#coding-panel")
    expect(details).to_contain_text("accepted suggestion of model v1, p = ")
    event = CodingEvent.objects.get(coding_id=coding.pk, action=CodingEvent.Action.CREATED)
    with translation.override("en"):  # a note is put into words in the reader's language
        assert event.note.startswith("accepted suggestion of model v1, p = ")

    # Undo takes the acceptance back: the coding goes, the suggestion is open again.
    page.keyboard.press("Escape")
    with posting(page):
        page.keyboard.press("Control+z")
    expect(page.locator(f'#source-text .k[data-c~="{coding.pk}"]')).to_have_count(0)
    assert not Coding.objects.filter(source=source).exists()
    expect(items).to_have_count(len(marks) - 1)
    assert page.evaluate("() => window.__kesraSamePage") is True

    page.goto(reverse("coding:source_history", args=[project.slug, source.pk]))
    expect(page.get_by_text("accepted suggestion of model v1").first).to_be_visible()
