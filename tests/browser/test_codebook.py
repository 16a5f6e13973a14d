"""The codebook in a browser: a new code appears in its place without a reload, and the
move buttons (one form per row, the button names the direction) reorder the tree."""

import pytest
from playwright.sync_api import expect

from coding.models import Code
from coding.services import create_code

from .conftest import mark_page, posting

pytestmark = pytest.mark.browser


def test_a_new_code_appears_under_its_theme_without_a_reload(new_page, project, researcher):
    theme = create_code(project=project, name="Hambatan")
    create_code(project=project, name="Komunikasi", parent=theme)
    create_code(project=project, name="Upaya")
    page = new_page(researcher)
    page.goto(f"/p/{project.slug}/codebook/")
    mark_page(page)
    page.get_by_label("Name", exact=True).fill("Forum")
    page.get_by_label("Under", exact=True).select_option(label="Hambatan")
    with posting(page):
        page.get_by_role("button", name="Create code").click()
    expect(page.locator("#new-code")).to_contain_text("Code “Forum” created.")
    names = page.locator("#code-tree .code-name")
    expect(names).to_have_text(["Hambatan", "Komunikasi", "Forum", "Upaya"])
    assert page.evaluate("() => window.__kesraSamePage === true")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    forum = Code.objects.get(name="Forum")
    assert forum.parent == theme
    # The new row works like the others: its "move up" button moves it.
    with posting(page):
        page.get_by_role("button", name="Move up: Forum").click()
    expect(names).to_have_text(["Hambatan", "Forum", "Komunikasi", "Upaya"])
    assert list(theme.children.values_list("name", flat=True)) == ["Forum", "Komunikasi"]


def test_a_refused_name_shows_its_error_in_the_form(new_page, project, researcher):
    create_code(project=project, name="Forum")
    page = new_page(researcher)
    page.goto(f"/p/{project.slug}/codebook/")
    page.get_by_label("Name", exact=True).fill("forum")
    with posting(page, ok=False):
        page.get_by_role("button", name="Create code").click()
    expect(page.locator("#new-code")).to_contain_text("There is already a code “forum”")
    assert Code.objects.count() == 1
