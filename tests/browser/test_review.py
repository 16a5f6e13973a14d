"""Reviewing codings in the browser: a supervisor's keyboard-driven queue, the coder's
feedback page and reply, and reconciling two coders' disagreements side by side.
Every test checks the database afterwards, not only the page.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from coding.models import Coding, CodingEvent, ReviewNote
from coding.review.services import review_coding
from coding.services import apply_code, create_code
from tests.conftest import make_membership, make_source, make_user

from .conftest import mark_page, posting

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana koordinasi antar bidang berjalan selama ini?\n"
    "\n"
    "Ibu Maria: Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat.\n"
    "\n"
    "Pak Natan: Setiap Senin ada rapat lintas bidang, dan semua bidang hadir.\n"
    "\n"
    "Ibu Maria: Kalau kepala bagian tidak datang, keputusan ditunda."
)


def same_page(page) -> bool:
    return page.evaluate("() => window.__kesraSamePage === true")


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara Ibu Maria", text=TEXT, created_by=researcher)


@pytest.fixture
def codes(project):
    return [
        create_code(project=project, name="Koordinasi lintas bidang"),
        create_code(project=project, name="Hambatan koordinasi"),
    ]


@pytest.fixture
def other(project):
    """A second researcher, coding the same interview."""
    user = make_user("budi_researcher")
    make_membership(project, user)
    return user


def code_span(source, start, end, code, coder):
    return apply_code(
        source=source,
        start=start,
        end=end,
        passage=source.text[start:end],
        code=code,
        coder=coder,
    )


def code_phrase(source, phrase, code, coder):
    start = source.text.index(phrase)
    return code_span(source, start, start + len(phrase), code, coder)


# --- The review queue ---------------------------------------------------------------


@pytest.fixture
def to_review(interview, codes, researcher):
    """Four codings by the researcher, in the queue's order (by place in the text)."""
    return [
        code_phrase(interview, "koordinasi antar bidang", codes[0], researcher),
        code_phrase(interview, "situasional saja", codes[1], researcher),
        code_phrase(interview, "rapat lintas bidang", codes[0], researcher),
        code_phrase(interview, "keputusan ditunda", codes[1], researcher),
    ]


def review_items(page):
    return page.locator("[data-review-item]")


def item(page, coding):
    return page.locator(f"#review-{coding.pk}")


def tab_to_first_coding(page):
    """Press Tab until a coding of the queue has the focus."""
    for _step in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('[data-review-item]')"):
            return
    raise AssertionError("Tab never reached a coding of the review queue")


def assert_reviewed(supervisor, to_review, comment):
    """The first coding approved, the second rejected, the third commented on."""
    first, second, third, fourth = to_review
    notes = list(ReviewNote.objects.values_list("coding_id", "author_id", "kind", "text"))
    assert notes == [
        (first.pk, supervisor.pk, ReviewNote.Kind.APPROVE, ""),
        (second.pk, supervisor.pk, ReviewNote.Kind.REJECT, ""),
        (third.pk, supervisor.pk, ReviewNote.Kind.COMMENT, comment),
    ]
    statuses = dict(Coding.objects.values_list("pk", "review_status"))
    assert statuses == {
        first.pk: Coding.Review.APPROVED,
        second.pk: Coding.Review.REJECTED,
        third.pk: Coding.Review.PENDING,  # a comment is no verdict
        fourth.pk: Coding.Review.PENDING,
    }
    reviewed = CodingEvent.objects.filter(action=CodingEvent.Action.REVIEWED)
    assert sorted(reviewed.values_list("coding_id", flat=True)) == sorted(
        [first.pk, second.pk, third.pk]
    )


COMMENT = "Batasnya kurang jelas: jadwal rapat, atau kehadiran? Cek lagi."

# static/review.js moves the focus on in `htmx:afterSwap`, when it sees the class
# "reviewed" on the swapped item. But htmx settles the `class` attribute of an element
# swapped in with the same id: until the settle (20 ms later) the new item still wears
# the old item's classes, so the check never passes and the focus stays where it was.


def test_a_supervisor_works_through_the_review_queue_with_the_keyboard_alone(
    new_page, project, supervisor, to_review
):
    first, second, third, fourth = to_review
    page = new_page(supervisor)
    page.goto(reverse("coding:review_queue", args=[project.slug]))
    expect(review_items(page)).to_have_count(4)
    keyboard = page.keyboard
    tab_to_first_coding(page)
    expect(item(page, first)).to_be_focused()
    mark_page(page)

    with posting(page):
        keyboard.press("a")
    expect(item(page, first).locator(".review-head .review")).to_have_text("Approved")
    expect(item(page, second)).to_be_focused()

    with posting(page):
        keyboard.press("r")
    expect(item(page, second).locator(".review-head .review")).to_have_text("Rejected")
    expect(item(page, third)).to_be_focused()

    keyboard.press("c")
    expect(page.locator(f"#comment-{third.pk}")).to_be_focused()
    keyboard.type(COMMENT)  # a, r, j and k typed into the comment are only letters
    with posting(page):
        keyboard.press("Control+Enter")
    expect(item(page, third).locator(".thread")).to_contain_text(COMMENT)
    expect(item(page, fourth)).to_be_focused()

    keyboard.press("k")
    expect(item(page, third)).to_be_focused()
    keyboard.press("j")
    expect(item(page, fourth)).to_be_focused()
    assert same_page(page), "verdicts are swapped in place, the page is not reloaded"
    assert_reviewed(supervisor, to_review, COMMENT)


def test_the_review_keys_act_on_the_coding_with_the_focus(new_page, project, supervisor, to_review):
    first, second, third, _fourth = to_review
    page = new_page(supervisor)
    page.goto(reverse("coding:review_queue", args=[project.slug]))
    keyboard = page.keyboard
    tab_to_first_coding(page)
    expect(item(page, first)).to_be_focused()
    keyboard.press("j")
    expect(item(page, second)).to_be_focused()
    keyboard.press("k")
    expect(item(page, first)).to_be_focused()
    mark_page(page)

    with posting(page):
        keyboard.press("a")
    expect(item(page, first)).to_have_class(re.compile(r"\breviewed\b"))
    expect(item(page, first).locator(".review-head .review")).to_have_text("Approved")
    first.refresh_from_db()
    assert first.review_status == Coding.Review.APPROVED

    # Where the focus goes after a verdict is the business of the test above.
    item(page, second).focus()
    with posting(page):
        keyboard.press("r")
    expect(item(page, second).locator(".review-head .review")).to_have_text("Rejected")
    second.refresh_from_db()
    assert second.review_status == Coding.Review.REJECTED

    item(page, third).focus()
    keyboard.press("c")
    expect(page.locator(f"#comment-{third.pk}")).to_be_focused()
    keyboard.type(COMMENT)  # a, r, j and k typed into the comment are only letters
    with posting(page):
        keyboard.press("Control+Enter")
    expect(item(page, third).locator(".thread .note-comment")).to_contain_text(
        f"{supervisor.username} commented: {COMMENT}"
    )
    expect(item(page, third).locator(".review-head .review")).to_have_text("Not reviewed")
    assert same_page(page), "verdicts are swapped in place, the page is not reloaded"
    assert_reviewed(supervisor, to_review, COMMENT)


def test_an_empty_comment_is_refused_and_the_focus_stays_in_its_comment_box(
    new_page, project, supervisor, to_review
):
    first = to_review[0]
    page = new_page(supervisor)
    page.goto(reverse("coding:review_queue", args=[project.slug]))
    item(page, first).focus()
    keyboard = page.keyboard

    keyboard.press("c")
    keyboard.type("   ")
    with posting(page, ok=False):
        keyboard.press("Control+Enter")

    assert page.evaluate("() => window.__kesraDone.at(-1).status") == 422
    expect(item(page, first).get_by_role("alert")).to_have_text("Write a comment first.")
    expect(page.locator(f"#comment-{first.pk}")).to_be_focused()
    assert not ReviewNote.objects.exists()
    first.refresh_from_db()
    assert first.review_status == Coding.Review.PENDING


def test_the_coder_reads_a_supervisors_comment_on_the_feedback_page_and_replies(
    new_page, project, researcher, supervisor, to_review
):
    coding = to_review[2]
    comment = "Apakah ini koordinasi, atau sekadar jadwal rapat?"
    reply = "Koordinasi: yang hadir semua bidang, bukan hanya jadwal."
    review_coding(coding=coding, reviewer=supervisor, kind=ReviewNote.Kind.COMMENT, text=comment)
    page = new_page(researcher)
    page.goto(reverse("coding:review_feedback", args=[project.slug]))

    card = item(page, coding)
    expect(page.locator("article.review-item")).to_have_count(1)
    expect(card.locator("mark")).to_have_text(coding.passage)
    expect(card.locator(".thread .note-comment")).to_contain_text(
        f"{supervisor.username} commented: {comment}"
    )
    card.get_by_label("Reply").fill(reply)
    card.get_by_role("button", name="Send reply").click()

    expect(page.get_by_text("Review saved.")).to_be_visible()
    card = item(page, coding)
    expect(card.locator(".thread .note-reply")).to_contain_text(
        f"{researcher.username} replied: {reply}"
    )
    assert page.url.endswith(reverse("coding:review_feedback", args=[project.slug]))
    notes = list(ReviewNote.objects.filter(coding=coding).values_list("author_id", "kind", "text"))
    assert notes == [
        (supervisor.pk, ReviewNote.Kind.COMMENT, comment),
        (researcher.pk, ReviewNote.Kind.REPLY, reply),
    ]
    coding.refresh_from_db()
    assert coding.review_status == Coding.Review.PENDING


# --- Reconciling two coders ---------------------------------------------------------


def spans(source, code, coder) -> list[tuple[int, int]]:
    return sorted(
        Coding.objects.filter(source=source, code=code, coder=coder).values_list("start", "end")
    )


def test_a_supervisor_settles_two_disagreements_side_by_side_without_a_reload(
    new_page, project, researcher, other, supervisor, interview, codes
):
    code = codes[0]
    text = interview.text
    # Only the researcher (A) codes this passage.
    only_a = code_phrase(interview, "koordinasi antar bidang", code, researcher)
    # Both code this one, with different boundaries.
    wide = "Setiap Senin ada rapat lintas bidang"
    narrow = "ada rapat lintas bidang, dan"
    a_wide = code_phrase(interview, wide, code, researcher)
    b_narrow = code_phrase(interview, narrow, code, other)
    union = (text.index(wide), text.index(narrow) + len(narrow))
    # A disagreement on another code, left open.
    code_phrase(interview, "keputusan ditunda", codes[1], other)

    page = new_page(supervisor)
    url = reverse("coding:agreement_source", args=[project.slug, interview.pk])
    page.goto(f"{url}?a={researcher.pk}&b={other.pk}")
    summary = page.locator("#cmp-summary")
    expect(summary).to_contain_text("3 open disagreements")
    first = page.locator(f"#d{code.pk}-{only_a.start}-{only_a.end}")
    second = page.locator(f"#d{code.pk}-{union[0]}-{union[1]}")
    expect(first).to_contain_text(f"only {researcher.username} applied this code here")
    expect(second).to_contain_text("same code, different boundaries")
    mark_page(page)

    with posting(page):
        first.get_by_role("button", name=f"Accept {researcher.username}'s").click()
    expect(page.locator("#cmp-status")).to_have_text(f"{researcher.username}'s coding accepted.")
    expect(first).to_have_count(0)
    expect(summary).to_contain_text("2 open disagreements")
    assert spans(interview, code, other)[0] == (only_a.start, only_a.end)

    second.locator("summary").click()
    expect(second.get_by_role("radio").first).to_be_checked()  # the union of both passages
    with posting(page):
        second.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("#cmp-status")).to_have_text("Merged into one agreed coding.")
    expect(second).to_have_count(0)
    expect(summary).to_contain_text("1 open disagreement")
    expect(summary).to_contain_text("2 passage groups coded identically")
    left = text.index("keputusan ditunda")
    expect(page.locator(f"#d{codes[1].pk}-{left}-{left + len('keputusan ditunda')}")).to_have_count(
        1
    )
    assert same_page(page), "the settled rows were swapped in, the page not reloaded"

    _assert_settled(
        interview, codes, researcher, other, supervisor, only_a, a_wide, b_narrow, union
    )


def _assert_settled(
    interview, codes, researcher, other, supervisor, only_a, a_wide, b_narrow, union
):
    """What the two settlements above must have left in the database and its history."""
    code, text = codes[0], interview.text
    expected = [(only_a.start, only_a.end), union]
    assert spans(interview, code, researcher) == expected
    assert spans(interview, code, other) == expected
    a_wide.refresh_from_db()
    assert (a_wide.start, a_wide.end, a_wide.passage) == (*union, text[union[0] : union[1]])
    b_narrow.refresh_from_db()
    assert (b_narrow.start, b_narrow.end) == union, "B's coding moved, not replaced"
    reconciled = CodingEvent.objects.filter(action=CodingEvent.Action.RECONCILED)
    assert set(reconciled.values_list("actor_id", flat=True)) == {supervisor.pk}
    with translation.override("en"):
        notes = [(event.coding_id, event.note) for event in reconciled]
    accepted = [(pk, note) for pk, note in notes if note.startswith("accepted")]
    assert any(pk == only_a.pk for pk, _note in accepted)
    given = Coding.objects.get(code=code, coder=other, start=only_a.start, end=only_a.end)
    assert any(pk == given.pk and note.endswith("added") for pk, note in accepted)
    merged = {pk for pk, note in notes if note.startswith(f"merged into {union[0]}–{union[1]}")}
    assert merged == {a_wide.pk, b_narrow.pk}
    assert Coding.objects.filter(code=codes[1]).count() == 1, "the open one is untouched"
