"""Browser tests: Debian's Chromium, headless, driven through Playwright's sync API.

One browser for the whole run, a fresh context (cookies, storage) per test, the
pages served by pytest-django's `live_server`. A user is signed in by copying the
session cookie of a test client that called `force_login`.
"""

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse

from coding.services import create_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Explicit waits, never sleeps: how long a page may take to react to one action.
ACTION_TIMEOUT_MS = 10_000


def _chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def _browser_required() -> bool:
    return os.environ.get("KESRA_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "") not in {
        "",
        "0",
        "false",
    }


def _missing(reason: str):
    if _browser_required():
        pytest.fail(f"Chromium is required for the browser tests: {reason}")
    pytest.skip(f"{reason}: browser tests skipped (apt-get install chromium)")


@contextmanager
def _database_calls_beside_playwright():
    """Playwright's sync API keeps an event loop running in the main thread, which makes
    Django refuse database calls from the test itself unless told it is safe. Only while
    the browser runs is it told so; tests/conftest.py runs the browser tests after every
    other test, so no other test runs with the flag."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        _missing("Chromium not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    with _database_calls_beside_playwright():
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def server(live_server):
    """The live server, one request at a time when it shares an in-memory SQLite database.

    With an in-memory SQLite test database the server threads and the test share one
    connection; two requests at once (two pages polling, two codes applied in a row)
    would interleave their transactions on it. PostgreSQL gets a connection per thread
    and keeps serving requests concurrently.
    """
    thread = live_server.thread
    httpd = thread.httpd
    if thread.connections_override and not getattr(httpd, "kesra_serialised", False):
        app = httpd.get_app()
        lock = threading.Lock()

        def serialised(environ, start_response):
            with lock:
                response = app(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        httpd.set_app(serialised)
        httpd.kesra_serialised = True
    return live_server


# Counts the htmx requests the page finished (after their swaps), by method.
_TRACK_REQUESTS_JS = """
window.__kesraDone = [];
document.addEventListener("htmx:afterRequest", (event) => {
  window.__kesraDone.push({
    verb: (event.detail.requestConfig?.verb || "").toUpperCase(),
    path: event.detail.pathInfo?.requestPath,
    status: event.detail.xhr?.status,
  });
});
"""
_POSTS_DONE_JS = "() => window.__kesraDone.filter((r) => r.verb === 'POST').length"


@contextmanager
def posting(page, count: int = 1, *, ok: bool = True):
    """Wait until the block's `count` htmx POSTs are answered and swapped in.

    With `ok` (the default) every request the page finished must have succeeded:
    a 4xx or 5xx answer, or a request that never reached the server, fails the test.
    """
    before = page.evaluate(_POSTS_DONE_JS)
    yield
    page.wait_for_function(f"() => ({_POSTS_DONE_JS})() >= {before + count}")
    if ok:
        failed = page.evaluate(
            "() => window.__kesraDone.filter((r) => r.status >= 400 || r.status === 0)"
        )
        assert not failed, f"requests that failed: {failed}"


def mark_page(page):
    """Leave a variable on the page: it survives an htmx swap, not a reload."""
    page.evaluate("() => { window.__kesraSamePage = true; }")


@pytest.fixture
def new_page(browser, server):
    """Open a page in a fresh browser context, signed in as `user`.

    Every uncaught JavaScript error on the page fails the test.
    """
    contexts = []
    errors = []

    def open_page(user):
        context = browser.new_context(
            base_url=server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": server.url,
                }
            ]
        )
        context.add_init_script(_TRACK_REQUESTS_JS)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{user.username}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# --- The coding page ---------------------------------------------------------------

# Finds the `nth` occurrence of `phrase` in the article's text (paragraphs joined by
# "\n") and returns the DOM boundary points around it, plus the points the mouse has
# to press and release at to select exactly it: a quarter into its first grapheme
# and a quarter before the end of its last one.
_LOCATE_JS = """
([phrase, nth]) => {
  const article = document.getElementById("source-text");
  const nodes = [];
  let text = "";
  let para = null;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest("span[data-o]")) continue;
    const p = node.parentElement.closest(".para");
    if (para !== null && p !== para) text += "\\n";
    para = p;
    nodes.push([node, text.length]);
    text += node.data;
  }
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(phrase, index + 1);
    if (index < 0) throw new Error(`Not on the page: ${phrase} (${nth})`);
  }
  const point = (i, isEnd) => {
    for (const [node, s] of nodes) {
      const e = s + node.data.length;
      if (i >= s && (i < e || (isEnd && i === e))) return [node, i - s];
    }
    throw new Error(`No text at ${i}`);
  };
  const graphemes = [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(phrase)];
  const rectOf = (from, to) => {
    const range = document.createRange();
    range.setStart(...point(from, false));
    range.setEnd(...point(to, true));
    return range.getBoundingClientRect();
  };
  const end = index + phrase.length;
  point(index, false)[0].parentElement.scrollIntoView({ block: "center" });
  const first = rectOf(index, index + graphemes[0].segment.length);
  const last = rectOf(end - graphemes[graphemes.length - 1].segment.length, end);
  window.__kesraPoints = [point(index, false), point(end, true)];
  return {
    from: [first.left + first.width / 4, (first.top + first.bottom) / 2],
    to: [last.right - last.width / 4, (last.top + last.bottom) / 2],
  };
}
"""

_SELECT_JS = """
() => {
  const [[a, i], [b, j]] = window.__kesraPoints;
  window.getSelection().setBaseAndExtent(a, i, b, j);
  document.getElementById("source-text").dispatchEvent(
    new MouseEvent("mouseup", { bubbles: true, button: 0 }),
  );
}
"""

_CODED_RUNS_JS = """
() => [...document.querySelectorAll("#source-text span[data-o]")].map((run) => ({
  o: Number(run.dataset.o),
  text: run.textContent,
  coded: run.classList.contains("k"),
  classes: [...run.classList],
  codings: run.dataset.c ? run.dataset.c.split(" ").map(Number) : [],
}))
"""


class CodingPage:
    """The coding page of one source, as one signed-in user sees it."""

    def __init__(self, page, source):
        self.page = page
        self.source = source
        self.url = reverse("coding:source_code", args=[source.project.slug, source.pk])
        self.picker = page.locator("#picker")
        self.search = page.locator("#picker-search")
        self.options = page.locator("#picker-list li[role=option]:not([hidden])")
        self.status = page.locator("#coding-status")
        self.panel = page.locator("#coding-panel")

    def open(self):
        self.page.goto(self.url)
        self.page.wait_for_function("() => typeof window.KesraCoding?.readSelection === 'function'")
        return self

    def reload(self):
        return self.open()

    def drag_select(self, phrase: str, nth: int = 0):
        """Select `phrase` with a real mouse drag; the picker opens on mouseup."""
        points = self.page.evaluate(_LOCATE_JS, [phrase, nth])
        self.drag_from(phrase, to=points["to"], nth=nth)
        self.picker.wait_for(state="visible")

    def drag_from(self, phrase: str, to: tuple[float, float], nth: int = 0):
        """Press at the start of `phrase` and release the mouse at the point `to`."""
        points = self.page.evaluate(_LOCATE_JS, [phrase, nth])
        mouse = self.page.mouse
        mouse.move(*points["from"])
        mouse.down()
        mouse.move(*to, steps=8)
        mouse.up()

    def text_box(self) -> dict:
        """The article's box in the viewport: left, top, right, bottom."""
        return self.page.evaluate(
            "() => document.getElementById('source-text').getBoundingClientRect().toJSON()"
        )

    def select(self, phrase: str, nth: int = 0):
        """Select `phrase` from script, then let the page see the mouseup it reacts to."""
        self.page.evaluate(_LOCATE_JS, [phrase, nth])
        self.page.evaluate(_SELECT_JS)
        self.picker.wait_for(state="visible")

    def slow_network(self, latency_ms: int):
        """Answer every request `latency_ms` late, as a distant server would."""
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": latency_ms,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
        )

    def picker_quote(self) -> str:
        return self.page.locator("#picker-quote").text_content()

    def option_ids(self) -> list[int]:
        return [
            int(i) for i in self.options.evaluate_all("(lis) => lis.map((li) => li.dataset.id)")
        ]

    def posts_done(self) -> int:
        return self.page.evaluate(_POSTS_DONE_JS)

    def posting(self, count: int = 1, *, ok: bool = True):
        return posting(self.page, count, ok=ok)

    def runs(self) -> list[dict]:
        return self.page.evaluate(_CODED_RUNS_JS)

    def coded_runs(self) -> list[dict]:
        return [run for run in self.runs() if run["coded"]]

    def wait_until_coded(self, text: str, *, timeout: float = ACTION_TIMEOUT_MS):
        """Wait for a coded run whose text is `text` (no reload)."""
        self.page.wait_for_function(
            """(text) => [...document.querySelectorAll("#source-text .k")]
                 .some((run) => run.textContent === text)""",
            arg=text,
            timeout=timeout,
        )


@pytest.fixture
def open_coding_page(new_page):
    """Open the coding page of `source` as `user`: open_coding_page(user, source)."""

    def open_page(user, source):
        return CodingPage(new_page(user), source).open()

    return open_page


@pytest.fixture
def codes(project):
    """Three codes, in the picker's order when nobody has coded yet."""
    return [
        create_code(project=project, name="Koordinasi lintas bidang"),
        create_code(project=project, name="Hambatan koordinasi"),
        create_code(project=project, name="Kepemimpinan"),
    ]
