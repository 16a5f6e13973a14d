"""Suggestions in the browser: train from the page, then judge with the keyboard alone."""

import random

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Coding, CodingEvent
from coding.suggest.models import SuggestionDecision, SuggestionModel

from ..conftest import make_source
from ..suggest.conftest import build_generated_corpus, generated_text

pytestmark = pytest.mark.browser


@pytest.fixture
def generated(project, researcher):
    return build_generated_corpus(project, researcher)


def test_train_then_accept_with_y_and_reject_with_x(new_page, generated, project, researcher):
    page = new_page(researcher)
    page.goto(reverse("coding:suggestions", args=[project.slug]))
    with page.expect_navigation(timeout=90_000):  # training runs in the request for now
        page.get_by_role("button", name="Train a new model").click()
    expect(page.locator("#figures")).to_be_visible(timeout=60_000)
    model = SuggestionModel.objects.get(project=project)
    assert model.trained_by == researcher

    text, marks = generated_text(random.Random(7), ["Forum", None, "Geografis", None, "Data"])
    source = make_source(project, title="Wawancara baru", text=text, created_by=researcher)
    page.goto(reverse("coding:suggestion_source", args=[project.slug, source.pk]))
    items = page.locator("[data-suggestion]")
    expect(items).to_have_count(len(marks))
    page.keyboard.press("s")
    first = items.nth(0)
    expect(first).to_be_focused()
    page.keyboard.press("y")
    expect(first.get_by_text("Accepted: now your coding")).to_be_visible()
    expect(items.nth(1)).to_be_focused()  # the focus moved on to the next open one
    page.keyboard.press("x")
    expect(items.nth(1).get_by_text("Rejected")).to_be_visible()

    accepted, rejected = sorted(marks, key=lambda mark: mark[1])[:2]
    coding = Coding.objects.get(source=source)
    assert (coding.start, coding.end, coding.coder) == (accepted[1], accepted[2], researcher)
    assert coding.code == generated["codes"][accepted[0]]
    event = CodingEvent.objects.get(coding_id=coding.pk, action=CodingEvent.Action.CREATED)
    assert event.detail.startswith("v1 · p = ")
    decisions = {d.verdict: d for d in SuggestionDecision.objects.filter(source=source)}
    assert decisions["accepted"].coding == coding
    assert (decisions["rejected"].start, decisions["rejected"].end) == rejected[1:]
    assert decisions["rejected"].code == generated["codes"][rejected[0]]
