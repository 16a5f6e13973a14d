"""On a phone (390 px), no page of the demo study is wider than the screen: wide tables
scroll inside their box, long choices wrap or shrink, nothing pushes the page sideways."""

import pytest
from django.urls import reverse

from coding.demo import code_demo_corpus
from interviews.demo import build_demo_corpus

pytestmark = pytest.mark.browser

PAGES = [
    ("interviews:project_detail", ()),
    ("interviews:source_list", ()),
    ("interviews:case_list", ()),
    ("interviews:member_list", ()),
    ("coding:codebook", ()),
    ("coding:retrieval", ()),
    ("coding:display", ()),
    ("coding:conclusion_list", ()),
    ("coding:agreement", ()),
    ("coding:exchange", ()),
    ("coding:suggestions", ()),
    ("coding:memo_list", ()),
]


def test_no_page_is_wider_than_a_phone(new_page):
    demo = build_demo_corpus()
    code_demo_corpus(demo)
    slug = demo.project.slug
    source = demo.project.sources.order_by("pk").first()
    page = new_page(demo.users["admin"])
    page.set_viewport_size({"width": 390, "height": 844})
    urls = [reverse(name, args=[slug, *args]) for name, args in PAGES]
    urls += [
        reverse("coding:source_code", args=[slug, source.pk]),
        reverse("coding:search", args=[slug]) + "?q=koordinasi",
    ]
    wider = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wider[url] = width
    assert wider == {}
