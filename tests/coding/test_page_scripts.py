"""The coding page's behaviour is split into small static scripts (static/coding/): the
page loads every one of them, deferred and in the order they depend on, and each stays small."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

PARTS = Path(settings.BASE_DIR) / "static" / "coding"
ORDER = [
    "offsets.js",
    "shared.js",
    "queue.js",
    "undo.js",
    "picker.js",
    "selection.js",
    "details.js",
    "page.js",
]


def test_the_coding_page_loads_every_part_deferred_in_order(client, researcher, source):
    client.force_login(researcher)
    page = client.get(reverse("coding:source_code", args=[source.project.slug, source.pk]))
    assert page.status_code == 200
    scripts = re.findall(r'<script src="/static/coding/([\w.]+)" defer></script>', page.text)
    assert scripts == ORDER
    assert sorted(ORDER) == sorted(part.name for part in PARTS.glob("*.js"))
    assert "/static/coding.js" not in page.text


def test_each_part_stays_small_and_publishes_only_through_the_parts():
    for part in PARTS.glob("*.js"):
        text = part.read_text()
        assert len(text.splitlines()) <= 300, part.name
        # Only page.js, the last, sets the public API; the others share KesraCodingParts.
        assert ("window.KesraCoding =" in text) == (part.name == "page.js"), part.name
