"""Drawing conclusions in the browser: citing passages as evidence from the reduction screen
and the coding page, submitting a conclusion, and a supervisor verifying or returning it.
Every test checks the database afterwards, not only the page.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Conclusion, Evidence
from coding.services import apply_code, create_code
from tests.conftest import make_source

from .conftest import mark_page, posting

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana koordinasi antar bidang berjalan selama ini?\n"
    "\n"
    "Ibu Maria: Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat.\n"
    "\n"
    "Pak Natan: Setiap Senin ada rapat lintas bidang, dan semua bidang hadir."
)


def same_page(page) -> bool:
    return page.evaluate("() => window.__kesraSamePage === true")


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara Ibu Maria", text=TEXT, created_by=researcher)


@pytest.fixture
def code(project):
    return create_code(project=project, name="Koordinasi lintas bidang")


def code_phrase(source, phrase, code, coder):
    start = source.text.index(phrase)
    return apply_code(
        source=source,
        start=start,
        end=start + len(phrase),
        passage=phrase,
        code=code,
        coder=coder,
    )


@pytest.fixture
def codings(interview, code, researcher):
    return [
        code_phrase(interview, "situasional saja, tergantung siapa yang hadir", code, researcher),
        code_phrase(interview, "Setiap Senin ada rapat lintas bidang", code, researcher),
    ]


@pytest.fixture
def conclusions(project, researcher):
    return [
        Conclusion.objects.create(
            project=project,
            statement="Koordinasi bergantung pada kehadiran pimpinan.",
            author=researcher,
            order=0,
        ),
        Conclusion.objects.create(
            project=project,
            statement="Rapat lintas bidang berjalan rutin.",
            author=researcher,
            order=1,
        ),
    ]


def conclusion_url(conclusion) -> str:
    return reverse("coding:conclusion_detail", args=[conclusion.project.slug, conclusion.pk])


def submitted(conclusion, coding, author):
    """`conclusion` with one supporting passage, submitted for verification."""
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=author)
    conclusion.status = Conclusion.Status.SUBMITTED
    conclusion.save()
    return conclusion


def test_a_passage_is_added_as_contradicting_evidence_in_place_on_the_retrieval_page(
    new_page, project, researcher, code, codings, conclusions
):
    first, second = codings
    target = conclusions[0]
    page = new_page(researcher)
    page.goto(f"{reverse('coding:retrieval', args=[project.slug])}?code={code.pk}")
    passage = page.locator("li.passage").filter(has=page.locator("mark", has_text=second.passage))
    expect(page.get_by_label("Cite passages as evidence for")).to_have_count(1)

    page.get_by_label("Cite passages as evidence for").select_option(str(target.pk))
    page.get_by_label("Stance").select_option("contradicts")
    mark_page(page)
    with posting(page):
        passage.get_by_role("button", name="Cite as evidence").click()

    expect(page.locator("#cite-status")).to_have_text(f"Added to “{target.statement}”.")
    assert same_page(page), "the status was swapped in place, the page not reloaded"
    evidence = Evidence.objects.get()
    assert (evidence.conclusion, evidence.coding) == (target, second)
    assert evidence.stance == Evidence.Stance.CONTRADICTS
    assert evidence.added_by == researcher
    assert not Evidence.objects.filter(coding=first).exists()


def test_a_submitted_conclusion_is_verified_by_a_supervisor(
    new_page, researcher, supervisor, codings, conclusions
):
    conclusion = conclusions[0]
    Evidence.objects.create(conclusion=conclusion, coding=codings[0], added_by=researcher)
    author = new_page(researcher)
    author.goto(conclusion_url(conclusion))
    badge = author.locator(".status-badge")
    expect(badge).to_have_text("Draft")
    expect(author.get_by_role("button", name="Verify")).to_have_count(0)

    author.get_by_role("button", name="Submit for verification").click()
    expect(badge).to_have_text("Submitted")
    expect(author.get_by_text("Submitted for verification.")).to_be_visible()
    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.SUBMITTED
    assert conclusion.reviewer is None

    reviewer = new_page(supervisor)
    reviewer.goto(conclusion_url(conclusion))
    expect(reviewer.get_by_role("button", name="Submit for verification")).to_have_count(0)
    reviewer.get_by_role("button", name="Verify").click()
    expect(reviewer.locator(".status-badge")).to_have_text("Verified")
    expect(reviewer.get_by_text("Conclusion verified.")).to_be_visible()
    expect(reviewer.get_by_role("button", name="Verify")).to_have_count(0)

    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.VERIFIED
    assert conclusion.reviewer == supervisor
    assert conclusion.reviewed_at is not None
    assert conclusion.evidence.count() == 1


def test_a_conclusion_returned_with_a_comment_shows_the_comment_to_the_researcher(
    new_page, researcher, supervisor, codings, conclusions
):
    conclusion = submitted(conclusions[1], codings[1], researcher)
    comment = "Baru satu informan. Cari bukti dari notulen rapat juga."
    reviewer = new_page(supervisor)
    reviewer.goto(conclusion_url(conclusion))

    reviewer.get_by_label("What needs more work?").fill(comment)
    reviewer.get_by_role("button", name="Return with comment").click()
    expect(reviewer.locator(".status-badge")).to_have_text("Returned")

    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.RETURNED
    assert conclusion.review_comment == comment
    assert conclusion.reviewer == supervisor

    author = new_page(researcher)
    author.goto(conclusion_url(conclusion))
    expect(author.locator(".status-badge")).to_have_text("Returned")
    returned = author.locator(".msg-warning")
    expect(returned).to_contain_text("Returned with this comment:")
    expect(returned).to_contain_text(comment)
    expect(author.get_by_role("button", name="Submit for verification")).to_be_visible()


def test_a_conclusion_cannot_be_returned_without_a_comment(
    new_page, researcher, supervisor, codings, conclusions
):
    conclusion = submitted(conclusions[0], codings[0], researcher)
    reviewer = new_page(supervisor)
    reviewer.goto(conclusion_url(conclusion))
    # Skip the browser's own check of the required field: the server must refuse too.
    reviewer.locator("form.return-form").evaluate("(form) => { form.noValidate = true; }")

    reviewer.get_by_role("button", name="Return with comment").click()
    expect(reviewer.get_by_text("Say what needs more work when you return")).to_be_visible()
    expect(reviewer.locator(".status-badge")).to_have_text("Submitted")

    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.SUBMITTED
    assert conclusion.reviewer is None


def test_a_coded_passage_is_added_as_evidence_from_its_details_on_the_coding_page(
    open_coding_page, researcher, codings, conclusions
):
    coding = codings[0]
    target = conclusions[0]
    page = open_coding_page(researcher, coding.source)

    page.page.locator("#source-text .k", has_text="tergantung").first.click()
    card = page.panel.locator(f".coding-card[data-coding='{coding.pk}']")
    expect(card).to_have_count(1)
    form = card.locator("form.add-evidence")
    form.get_by_label("Conclusion").select_option(str(target.pk))
    mark_page(page.page)
    with page.posting():
        form.get_by_role("button", name="Add as evidence").click()

    expect(card.get_by_role("status")).to_have_text(f"Added to “{target.statement}”.")
    assert same_page(page.page)
    evidence = Evidence.objects.get()
    assert (evidence.conclusion, evidence.coding) == (target, coding)
    assert evidence.stance == Evidence.Stance.SUPPORTS
    assert evidence.added_by == researcher
