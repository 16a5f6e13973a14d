"""The off switches: SUGGESTIONS_ENABLED=0 for the site, and the project setting (admins)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from coding.suggest.models import SuggestionSettings

from .. import access_suggest
from ..test_permissions import ACCESS, _url

SUGGESTION_PREFIX = "/suggestions/"


def build_url(name, world):
    return _url(name, world)


def _data(data, world):
    if isinstance(data, str):
        return world[data]
    return data(world) if callable(data) else data or {}


SUGGESTION_CASES = [
    (name, method, data, persona)
    for name, rows in access_suggest.ACCESS.items()
    for method, data, answers in rows
    for persona in answers
]


@override_settings(SUGGESTIONS_ENABLED=False)
@pytest.mark.parametrize(
    ("name", "method", "data", "persona"),
    SUGGESTION_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in SUGGESTION_CASES],
)
def test_site_switch_refuses_every_suggestion_url(client, world, name, method, data, persona):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    response = getattr(client, method)(build_url(name, world), _data(data, world))
    assert response.status_code == 404


def _pages(world):
    """Every page of the permission walk that an admin reads with a plain GET."""
    for name, rows in ACCESS.items():
        for method, data, answers in rows:
            if method == "get" and answers["admin"] == 200 and not callable(data):
                yield name, _data(data, world)


def _links_to_suggestions(client, world) -> list[str]:
    found = []
    for name, data in _pages(world):
        response = client.get(build_url(name, world), data)
        html = response.status_code == 200 and "text/html" in response["Content-Type"]
        if html and SUGGESTION_PREFIX in response.text:
            found.append(name)
    return found


def test_pages_link_to_suggestions_when_on(client, world):
    client.force_login(world["users"]["admin"])
    assert "interviews:project_detail" in _links_to_suggestions(client, world)


@override_settings(SUGGESTIONS_ENABLED=False)
def test_no_page_links_to_suggestions_when_the_site_switch_is_off(client, world):
    client.force_login(world["users"]["admin"])
    assert _links_to_suggestions(client, world) == []


def test_project_switch_off_turns_suggestions_off_for_everyone(client, world, project):
    admin, researcher = world["users"]["admin"], world["users"]["researcher"]
    client.force_login(admin)
    page = reverse("coding:suggestions", args=[project.slug])
    response = client.post(page, {"action": "settings"})  # the box unticked: off
    assert response.status_code == 302
    assert SuggestionSettings.objects.get(project=project).enabled is False
    response = client.get(page)
    assert "Suggestions are off for this project" in response.text
    assert "Turn them on below" in response.text
    assert 'name="enabled"' in response.text and " checked" not in response.text
    source_page = reverse("coding:suggestion_source", args=[project.slug, world["source_id"]])
    assert client.get(source_page).status_code == 404
    assert client.post(page, {"action": "train"}).status_code == 404
    client.force_login(researcher)
    response = client.get(page)
    assert "an admin of the project can turn them on" in response.text
    assert "Train a new model" not in response.text and 'name="enabled"' not in response.text
    assert client.get(source_page).status_code == 404
    client.force_login(admin)
    client.post(page, {"action": "settings", "enabled": "on"})
    client.force_login(researcher)
    assert "Train a new model" in client.get(page).text
    assert client.get(source_page).status_code == 200
