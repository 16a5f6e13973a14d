"""The project menu (`coding/templatetags/nav_tags.py`): its links by role, the current
page marked, the search box keeping its query, escaped."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse


def menu(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    found = re.search(r'<nav class="projectnav".*?</nav>', response.content.decode(), re.S)
    assert found, "the page has no project menu"
    return found[0]


def labels(nav: str) -> list[str]:
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def current(nav: str) -> list[str]:
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)


@pytest.mark.django_db
def test_each_role_sees_its_own_links(client, project, admin, researcher, supervisor):
    url = reverse("coding:codebook", args=[project.slug])
    common = ["Overview", "Sources", "Cases", "Codebook", "Reduction", "Display"]
    common += ["Conclusions", "Agreement", "Suggestions"]
    assert labels(menu(client, admin, url)) == [
        *common,
        *("Review", "Memos", "Exchange", "Members", "Settings"),
    ]
    assert labels(menu(client, researcher, url)) == [
        *common,
        *("Feedback", "Memos", "Exchange", "Members"),
    ]
    assert labels(menu(client, supervisor, url)) == [
        *common,
        *("Review", "Memos", "Exchange", "Members"),
    ]
    nav = menu(client, researcher, url)
    assert '<span class="role-badge role-researcher">Researcher</span>' in nav
    assert f'href="{reverse("coding:memo_list", args=[project.slug])}"' in nav


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("interviews:project_detail", ["Overview"]),
        ("interviews:source_list", ["Sources"]),
        ("interviews:case_list", ["Cases"]),
        ("coding:codebook", ["Codebook"]),
        ("coding:frequencies", ["Reduction"]),
        ("coding:display", ["Display"]),
        ("coding:conclusion_list", ["Conclusions"]),
        ("coding:agreement", ["Agreement"]),
        ("coding:suggestions", ["Suggestions"]),
        ("coding:review_queue", ["Review"]),
        ("coding:memo_list", ["Memos"]),
        ("coding:exchange", ["Exchange"]),
        ("interviews:member_list", ["Members"]),
        ("interviews:project_edit", ["Settings"]),
    ],
)
def test_the_current_page_is_marked_alone(client, project, admin, view, expected):
    assert current(menu(client, admin, reverse(view, args=[project.slug]))) == expected


@pytest.mark.django_db
def test_the_search_box_keeps_its_query_escaped(client, project, researcher):
    url = reverse("coding:search", args=[project.slug])
    nav = menu(client, researcher, url + '?q="><script>alert(1)</script>')
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in nav
    assert "<script>" not in nav
    # Elsewhere the box is empty, whatever the address holds.
    nav = menu(client, researcher, reverse("coding:memo_list", args=[project.slug]) + "?q=x")
    assert 'name="q" placeholder="Search…" value=""' in nav


@pytest.mark.django_db
@override_settings(SUGGESTIONS_ENABLED=False)
def test_no_suggestions_link_when_the_site_has_them_off(client, project, researcher):
    nav = menu(client, researcher, reverse("coding:codebook", args=[project.slug]))
    assert "Suggestions" not in labels(nav)
