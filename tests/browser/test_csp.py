"""The Content-Security-Policy in a real browser: the busiest pages, used as people use
them (a code applied, a matrix cell peeked at, a review page, files uploaded), break
no rule of the policy and log no error. The behaviour moved out of inline scripts
and <style> elements (static/kesra.js) still works.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Coding
from coding.services import apply_code, create_code
from interviews.models import Source
from tests.conftest import make_membership, make_source, make_user

pytestmark = pytest.mark.browser

TEXT = (
    "Pewawancara: Bagaimana koordinasi antar bidang berjalan selama ini?\n"
    "\n"
    "Ibu Maria: Koordinasi kami situasional saja, tergantung siapa yang hadir di rapat.\n"
    "\n"
    "Pak Natan: Setiap Senin ada rapat lintas bidang, dan semua bidang hadir."
)

_WATCH_JS = """
window.__kesraViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__kesraViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(new_page):
    """new_page, plus every CSP violation and console error of each page opened."""
    pages = []

    def open_page(user):
        page = new_page(user)
        page.add_init_script(_WATCH_JS)
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        assert_clean(page)


def assert_clean(page):
    violations = page.evaluate("() => window.__kesraViolations || []")
    assert violations == [], f"CSP violations on {page.url}: {violations}"
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


def code_phrase(source, phrase, code, coder):
    start = source.text.index(phrase)
    end = start + len(phrase)
    return apply_code(source=source, start=start, end=end, passage=phrase, code=code, coder=coder)


@pytest.fixture
def interview(project, researcher):
    return make_source(project, title="Wawancara Ibu Maria", text=TEXT, created_by=researcher)


@pytest.fixture
def coded(interview, researcher):
    first = create_code(project=interview.project, name="Koordinasi", colour="#cc3300")
    second = create_code(project=interview.project, name="Hambatan", colour="#0055aa")
    code_phrase(interview, "situasional saja", first, researcher)
    code_phrase(interview, "rapat lintas bidang", second, researcher)
    return first, second


def background(page, selector) -> str:
    return page.evaluate(
        "(s) => getComputedStyle(document.querySelector(s)).backgroundColor", selector
    )


def test_the_coding_page_keeps_its_colours_and_breaks_no_rule(
    watched, researcher, interview, coded
):
    first, second = coded
    page = watched(researcher)
    page.goto(reverse("coding:source_code", args=[interview.project.slug, interview.pk]))
    page.wait_for_function("() => typeof window.KesraCoding?.readSelection === 'function'")
    # Colours come from <template data-css>, adopted by static/kesra.js: #cc3300 at 1f alpha.
    assert background(page, f"#source-text .a{first.pk}") == "rgba(204, 51, 0, 0.12)"
    assert background(page, f".stripes .m{second.pk}") == "rgb(0, 85, 170)"
    # An in-vivo code arrives with its colour rules in an out-of-band swap.
    page.evaluate(
        """(phrase) => {
          const article = document.getElementById("source-text");
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const at = node.data.indexOf(phrase);
            if (at >= 0 && node.parentElement.closest("span[data-o]")) {
              window.getSelection().setBaseAndExtent(node, at, node, at + phrase.length);
              break;
            }
          }
          article.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, button: 0 }));
        }""",
        "Setiap Senin",
    )
    page.locator("#picker").wait_for(state="visible")
    page.locator("#picker-invivo").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#source-text .k')]"
        ".some((run) => run.textContent === 'Setiap Senin')"
    )
    invivo = Coding.objects.get(passage="Setiap Senin").code
    page.wait_for_function(
        "(s) => getComputedStyle(document.querySelector(s)).backgroundColor !== 'rgba(0, 0, 0, 0)'",
        arg=f"#source-text .a{invivo.pk}",
    )
    # The coder filter still sends its form on change, without an inline handler.
    page.select_option("#show", "mine")
    page.wait_for_url("**show=mine**")
    expect(page.locator("#show")).to_have_value("mine")


def test_retrieval_and_a_matrix_break_no_rule(watched, researcher, interview, coded):
    first, _second = coded
    slug = interview.project.slug
    page = watched(researcher)
    page.goto(reverse("coding:retrieval", args=[slug]) + f"?code={first.pk}")
    expect(page.locator("mark").first).to_have_text("situasional saja")
    assert_clean(page)
    page.goto(reverse("coding:display", args=[slug]) + "?view=kind")
    cell = page.locator("td.num a").first
    cell.hover()
    expect(page.locator("#peek")).to_contain_text("situasional saja")


def test_the_review_queue_and_side_by_side_break_no_rule(
    watched, project, researcher, supervisor, interview, coded
):
    first, _second = coded
    other = make_user("budi")
    make_membership(project, other)
    code_phrase(interview, "Koordinasi kami situasional", first, other)
    page = watched(supervisor)
    page.goto(reverse("coding:review_queue", args=[project.slug]))
    expect(page.locator("[data-review-item]").first).to_be_visible()
    assert_clean(page)
    url = reverse("coding:agreement_source", args=[project.slug, interview.pk])
    page.goto(f"{url}?a={researcher.pk}&b={other.pk}")
    expect(page.locator("#cmp-summary")).to_contain_text("open disagreement")
    assert background(page, f".m{first.pk}") == "rgb(204, 51, 0)"


def test_uploading_shows_progress_then_empties_the_form(watched, project, researcher, tmp_path):
    note = tmp_path / "catatan.txt"
    note.write_text("Ibu Maria: Rapat hanya kalau ada instruksi.", encoding="utf-8")
    page = watched(researcher)
    page.goto(reverse("interviews:source_upload", args=[project.slug]))
    page.evaluate(
        """() => {
          window.__kesraShown = false;
          document.addEventListener("htmx:xhr:progress", () => {
            if (!document.querySelector("#upload-form progress").hidden) window.__kesraShown = true;
          });
        }"""
    )
    page.set_input_files("#upload-form input[type=file]", str(note))
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator("#upload-results")).to_contain_text("1 file imported")
    assert Source.objects.filter(project=project, title__icontains="catatan").exists()
    assert page.evaluate("() => window.__kesraShown") is True
    expect(page.locator("#upload-form progress")).to_be_hidden()
    assert (
        page.evaluate("() => document.querySelector('#upload-form input[type=file]').value") == ""
    )
