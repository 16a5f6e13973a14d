"""Coding that can be trusted on a flaky link and a phone: every write is confirmed or
visibly waiting; nothing is lost, nothing doubled; refusals are shown; undo and redo;
touch selection and the details sheet; the picker's keys.

Every test checks what the database holds afterwards, not only the page.
"""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Code, Coding, CodingEvent, Memo
from coding.services import apply_code, delete_code
from tests.conftest import make_source

from .conftest import ACTION_TIMEOUT_MS, CodingPage

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
# How long a page may take to send what waited, once the link is back.
CATCH_UP_MS = 15_000


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara Ibu Maria", text=TEXT, created_by=researcher)


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


def stored() -> list[tuple[str, int]]:
    return sorted(Coding.objects.values_list("passage", "code_id"))


def wait_for_database(check, timeout_ms: int = CATCH_UP_MS):
    """Poll the database (explicitly, never a bare sleep) until `check()` holds."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not check():
        assert time.monotonic() < deadline, "the database never reached the expected state"
        time.sleep(0.1)


def open_details(page: CodingPage, text: str):
    page.page.locator("#source-text .k", has_text=text).first.click()
    expect(page.panel.locator(".coding-card")).to_have_count(1)
    return page.panel.locator(".coding-card")


def test_writes_made_offline_wait_and_reach_the_server_in_order(
    open_coding_page, researcher, interview, codes
):
    old = code_phrase(interview, "alpha beta", codes[2], researcher)
    page = open_coding_page(researcher, interview)
    card = open_details(page, "alpha")
    first, second = page.option_ids()[:2]

    page.page.context.set_offline(True)
    page.select("situasional saja")
    page.search.press("1")
    page.select("tergantung siapa")
    page.search.press("2")
    card.get_by_role("button", name="Remove this coding").click()

    expect(page.status).to_contain_text("3 waiting")
    expect(page.status).to_contain_text("offline")
    assert stored() == [("alpha beta", codes[2].pk)], "nothing reached the server yet"
    assert not page.page.locator("#picker-list li.applied").count(), "no ✓ before the server"

    page.page.context.set_offline(False)
    expect(page.status).to_have_text("✓ Saved", timeout=CATCH_UP_MS)

    assert stored() == sorted([("situasional saja", first), ("tergantung siapa", second)])
    events = list(CodingEvent.objects.order_by("id").values_list("action", "coding_id"))
    created = list(Coding.objects.order_by("id").values_list("pk", flat=True))
    assert events[1:] == [("created", created[0]), ("created", created[1]), ("removed", old.pk)]
    assert [run["text"] for run in page.coded_runs()] == ["situasional saja", "tergantung siapa"]


def test_a_write_survives_bad_gateways_and_a_lost_answer_without_doubling(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    create = reverse("coding:coding_create", args=[interview.project.slug, interview.pk])
    keys = []

    def flaky(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server applies it, but its answer never arrives
            route.fulfill(status=502, body="Bad gateway")
        elif len(keys) == 2:
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    page.page.route(f"**{create}", flaky)
    page.select("situasional saja")
    chosen = page.option_ids()[0]
    with page.posting(count=3, ok=False):
        page.search.press("1")
        expect(page.status).to_contain_text("1 waiting: no answer from the server")

    expect(page.status).to_have_text("✓ Saved")
    assert len(keys) == 3 and len(set(keys)) == 1, "every retry carries the same key"
    assert stored() == [("situasional saja", chosen)], "applied once"
    assert CodingEvent.objects.count() == 1
    page.wait_until_coded("situasional saja")


def test_writes_waiting_when_the_page_is_reloaded_are_sent_by_the_new_page(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    create = reverse("coding:coding_create", args=[interview.project.slug, interview.pk])
    page.page.route(f"**{create}", lambda route: route.abort("connectionrefused"))
    page.select("situasional saja")
    page.search.press("1")
    page.select("alpha beta")
    page.search.press("3")
    expect(page.status).to_contain_text("2 waiting: no answer from the server")
    dialogs = []

    def leave(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.page.on("dialog", leave)
    page.page.reload()
    assert dialogs == ["beforeunload"], "leaving with writes waiting asks first"
    page.page.wait_for_function("typeof window.KesraCoding?.readSelection === 'function'")
    expect(page.status).to_contain_text("2 waiting")
    assert not Coding.objects.exists()

    page.page.unroute(f"**{create}")
    # The link is back: the browser says so with an `online` event (no waiting for backoff).
    page.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.status).to_have_text("✓ Saved", timeout=CATCH_UP_MS)
    assert stored() == sorted([("situasional saja", codes[0].pk), ("alpha beta", codes[2].pk)])
    assert (
        page.page.evaluate(
            "() => Object.keys(localStorage).filter((k) => k.startsWith('kesra-writes:'))"
        )
        == []
    ), "nothing left waiting"


def test_a_write_the_server_refuses_is_shown_with_its_reason_and_kept(
    open_coding_page, admin, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    doomed = codes[1]
    delete_code(code=doomed, actor=admin)  # in another session, after the page was loaded

    page.select("situasional saja")
    with page.posting(ok=False):
        page.options.filter(has_text=doomed.name).click()

    expect(page.status).to_contain_text("Not saved: A code you chose no longer exists")
    expect(page.status).to_have_class(re.compile(r"\bstatus-error\b"))
    refused = page.page.locator("#write-refused li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("situasional saja")
    assert not Coding.objects.exists()

    page.reload()
    expect(refused).to_have_count(1)  # kept for the user to redo
    refused.get_by_role("button", name="Dismiss").click()
    expect(refused).to_have_count(0)
    assert not Code.objects.filter(pk=doomed.pk).exists()


def test_undo_and_redo_apply_remove_and_a_boundary_change(
    open_coding_page, researcher, interview, codes
):
    page = open_coding_page(researcher, interview)
    keyboard = page.page.keyboard

    page.select("situasional saja")
    with page.posting():
        page.search.press("1")
    (applied,) = Coding.objects.all()
    with page.posting():
        keyboard.press("Control+z")
    assert not Coding.objects.exists()
    expect(page.status).to_contain_text("Undone: coding “situasional saja”")
    with page.posting():
        keyboard.press("Control+Shift+z")
    assert Coding.objects.get().pk == applied.pk, "redo brings back the same coding"
    page.wait_until_coded("situasional saja")

    card = open_details(page, "situasional")
    with page.posting():
        card.get_by_role("button", name="End →").click()
    assert Coding.objects.get().passage == "situasional saja,"
    with page.posting():
        page.page.get_by_role("button", name="Undo").click()
    assert Coding.objects.get().passage == "situasional saja"
    with page.posting():
        page.page.get_by_role("button", name="Redo").click()
    assert Coding.objects.get().passage == "situasional saja,"

    card = open_details(page, "situasional")
    with page.posting():
        card.get_by_role("button", name="Remove this coding").click()
    assert not Coding.objects.exists()
    with page.posting():
        keyboard.press("Control+z")
    restored = Coding.objects.get()
    assert (restored.pk, restored.passage) == (applied.pk, "situasional saja,")
    page.wait_until_coded("situasional saja,")

    page.page.goto(reverse("coding:source_history", args=[interview.project.slug, interview.pk]))
    rows = page.page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("undone")
    expect(rows.nth(0)).to_contain_text("coding created")
    whats = rows.locator("td:nth-child(3)").all_text_contents()
    assert whats == [
        "undone",
        "removed",
        "redone",
        "undone",
        "changed",
        "redone",
        "undone",
        "coded",
    ]


@pytest.fixture
def phone(browser, server):
    """A phone: touch, 390 × 844, signed in as `user`."""
    contexts = []

    def open_page(user, source):
        context = browser.new_context(
            base_url=server.url,
            viewport={"width": 390, "height": 844},
            has_touch=True,
            is_mobile=True,
            locale="en-GB",
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        context.add_cookies([{**cookie, "url": server.url}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        return CodingPage(page, source).open(), errors

    yield open_page
    for context in contexts:
        context.close()


def inside_viewport(locator, page) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
        and box["y"] + box["height"] <= size["height"] + 1
    )


def test_on_a_phone_a_touch_selection_opens_the_picker_and_a_tap_shows_details(
    phone, researcher, interview, codes
):
    code_phrase(interview, "alpha beta", codes[2], researcher)
    page, errors = phone(researcher, interview)
    expect(page.page.locator(".hint-line")).to_be_hidden()  # no keyboard hints on touch

    word = page.page.locator("#source-text span[data-o]", has_text="situasional").first
    word.tap()  # a finger on the text, then the selection handles: no mouseup
    page.page.evaluate(
        """(phrase) => {
          const run = [...document.querySelectorAll("#source-text span[data-o]")]
            .find((r) => r.textContent.includes(phrase));
          const node = run.firstChild;
          const at = node.data.indexOf(phrase);
          getSelection().setBaseAndExtent(node, at, node, at + phrase.length);
        }""",
        "situasional saja",
    )
    page.picker.wait_for(state="visible")
    assert page.picker_quote() == "situasional saja"
    assert inside_viewport(page.picker, page.page), (
        page.picker.bounding_box(),
        page.page.viewport_size,
    )
    assert page.options.first.bounding_box()["height"] >= 44, "sized for a thumb"
    page.options.filter(has_text=codes[0].name).tap()
    expect(page.picker).to_be_hidden()
    page.wait_until_coded("situasional saja")
    assert stored() == sorted([("situasional saja", codes[0].pk), ("alpha beta", codes[2].pk)])

    page.page.locator("#source-text .k", has_text="alpha").tap()
    card = page.panel.locator(".coding-card")
    expect(card.locator("blockquote")).to_have_text("alpha beta")
    assert inside_viewport(page.panel, page.page), "a sheet over the text, not far below"
    assert page.panel.bounding_box()["height"] <= 844 * 0.7 + 1
    page.panel.get_by_role("button", name="Close the details").tap()
    expect(page.panel).to_be_hidden()
    assert not errors, errors


def test_escape_closes_the_picker_wherever_the_focus_is_and_shortcuts_wait(
    open_coding_page, researcher, interview, codes
):
    code_phrase(interview, "alpha beta", codes[2], researcher)
    page = open_coding_page(researcher, interview)
    keyboard = page.page.keyboard

    page.select("situasional saja")
    page.page.locator("#picker-close").focus()  # a button of the picker, not a field
    for key in "jknpc":
        keyboard.press(key)
    expect(page.picker).to_be_visible()
    assert page.page.locator(".para > p:focus, #source-text .k:focus").count() == 0
    expect(page.page.locator("#step-count")).to_have_text("")
    keyboard.press("Escape")
    expect(page.picker).to_be_hidden()

    page.select("tergantung siapa")
    page.page.evaluate("() => document.activeElement.blur()")
    keyboard.press("Escape")
    expect(page.picker).to_be_hidden()
    keyboard.press("n")  # closed, the shortcuts work again
    expect(page.page.locator("#source-text .k:focus")).to_have_text("alpha beta")
    assert stored() == [("alpha beta", codes[2].pk)]


def test_reapplying_a_code_says_already_coded(open_coding_page, researcher, interview, codes):
    code_phrase(interview, "situasional saja", codes[0], researcher)
    page = open_coding_page(researcher, interview)
    page.select("situasional saja")
    with page.posting():
        page.options.filter(has_text=codes[0].name).click()
    expect(page.status).to_have_text(f"Already coded with {codes[0].name}.")
    assert Coding.objects.count() == 1


def test_a_memo_is_written_in_the_details_and_the_page_keeps_its_place(
    open_coding_page, project, researcher, codes
):
    text = "\n\n".join(f"Ibu Maria: paragraf {n} tentang rapat koordinasi." for n in range(60))
    source = make_source(project, text=text, created_by=researcher)
    coding = code_phrase(source, "paragraf 40 tentang", codes[0], researcher)
    page = open_coding_page(researcher, source)
    page.page.locator("#source-text .k").scroll_into_view_if_needed()
    card = open_details(page, "paragraf 40")
    scrolled = page.page.evaluate("window.scrollY")
    assert scrolled > 0

    card.get_by_label("Memo on this coding").fill("Rapat hanya kalau ada masalah.")
    with page.posting():
        card.get_by_role("button", name="Save memo").click()

    memo = Memo.objects.get()
    assert (memo.coding_id, memo.author, memo.text) == (
        coding.pk,
        researcher,
        "Rapat hanya kalau ada masalah.",
    )
    expect(page.panel.locator(".memo")).to_contain_text("Rapat hanya kalau ada masalah.")
    assert page.page.evaluate("window.scrollY") == scrolled
    assert page.page.url.endswith(page.url), "no page load"
    page.page.locator("#source-text .k").hover()
    expect(page.page.locator("#tip")).to_contain_text("✎1")
