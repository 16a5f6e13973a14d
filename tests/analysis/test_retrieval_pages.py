"""The retrieval page's passages (written in Python) and its pages after a cursor."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from coding import services
from coding.models import Coding, Conclusion, Memo
from coding.templatetags.passage_tags import passage_items

from ..conftest import make_case, make_source

TEXT = (
    "Pewawancara: Bagaimana <b>rapat</b> koordinasi?\n\n"
    'Ibu Maria: Rapat hanya kalau ada masalah & "data" berbeda-beda.\n\n'
    "Pewawancara: Dan ke distrik?"
)


def code_phrase(source, code, phrase, coder):
    start = source.text.index(phrase)
    return services.apply_code(
        source=source, code=code, coder=coder, start=start, end=start + len(phrase), passage=phrase
    )


def test_a_passage_shows_its_context_source_case_place_coder_review_and_memos(
    client, project, researcher, supervisor
):
    source = make_source(
        project, text=TEXT, title="Wawancara <Maria>", date=datetime.date(2026, 3, 14)
    )
    source.cases.add(make_case(project, name="Maria & Co"))
    code = services.create_code(project=project, name="Forum <rapat>")
    coding = code_phrase(source, code, 'masalah & "data"', researcher)
    Coding.objects.filter(pk=coding.pk).update(review_status=Coding.Review.APPROVED)
    Memo.objects.create(
        project=project, author=supervisor, coding=coding, text="Baris <1>\nbaris 2"
    )
    Conclusion.objects.create(project=project, statement="Rapat situasional", author=researcher)
    client.force_login(researcher)
    response = client.get(reverse("coding:retrieval", args=[project.slug]), {"code": code.pk})
    page = response.text
    [item] = re.findall(
        r'<li class="passage">.*?</li>\n?(?=<li class="passage">|\s*</ol>)', page, re.S
    )
    # 80 characters before the passage: the text goes on before them.
    assert '<span class="ctx">…wawancara: Bagaimana &lt;b&gt;rapat&lt;/b&gt;' in item
    assert "masalah &amp; &quot;data&quot;</mark>" in item
    url = reverse("coding:source_code", args=[project.slug, source.pk])
    assert f'<a href="{url}?at={coding.start}">Wawancara &lt;Maria&gt;</a>' in item
    assert '<span class="kind kind-interview">' in item and " · Maria &amp; Co" in item
    assert f" · characters {coding.start}–{coding.end}" in item and " · ¶ 2, Ibu Maria" in item
    day = date_format(datetime.date(2026, 3, 14), "DATE_FORMAT")
    assert f" · rina_researcher · {day} · Forum &lt;rapat&gt;" in item
    assert '<span class="review review-approved">Approved</span>' in item
    assert "<p>Baris &lt;1&gt;<br>baris 2</p>" in item and "sam_supervisor · " in item
    assert f'name="coding" value="{coding.pk}"' in item and "Cite as evidence" in item
    assert "<b>" not in item and "<Maria>" not in item


def test_the_markup_needs_no_conclusions_and_no_memos(project, researcher):
    source = make_source(project, text=TEXT)
    code = services.create_code(project=project, name="Forum")
    code_phrase(source, code, "Rapat hanya", researcher)
    from coding.analysis.paging import passage_page

    page = passage_page(Coding.objects.all(), after=None, number=1, per_page=10)
    for passage in page.object_list:
        passage.path = "Forum"
    markup = passage_items(page.object_list, project)
    assert "Cite as evidence" not in markup and "passage-memos" not in markup
    assert "review" not in markup and markup.count('<li class="passage">') == 1


@pytest.fixture
def many(project, researcher):
    """130 passages of one code over three sources (two titles alike), starts repeated."""
    code = services.create_code(project=project, name="Forum")
    sources = [
        make_source(project, title="B", text="x" * 400),
        make_source(project, title="A", text="y" * 400),
        make_source(project, title="A", text="z" * 400, kind="observation"),
    ]
    for i in range(130):
        source = sources[i % 3]
        start = (i * 7) % 50  # some passages share a start
        services.apply_code(
            source=source,
            code=code,
            coder=researcher,
            start=start,
            end=start + 5 + i % 4,
            passage=source.text[start : start + 5 + i % 4],
        )
    return code


def next_link(page: str) -> str | None:
    found = re.search(r'<a href="(\?[^"]*)" rel="next">', page)
    return html.unescape(found[1]) if found else None


def test_next_links_walk_every_passage_once_in_reading_order(
    client, project, supervisor, many, django_assert_num_queries
):
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    expected = list(
        Coding.objects.order_by(
            "source__kind", "source__title", "source_id", "start", "id"
        ).values_list("pk", flat=True)
    )
    response = client.get(url, {"code": many.pk})
    seen, numbers = [], []
    while True:
        page = response.context["page"]
        seen += [p.pk for p in page.object_list]
        numbers.append(page.number)
        assert f"Page {page.number} of 3" in response.text
        assert f'<ol class="passages" start="{(page.number - 1) * 50 + 1}">' in response.text
        link = next_link(response.text)
        if link is None:
            break
        assert "after=" in link and f"page={page.number + 1}" in link
        # The cursor's key and its place in its source: two queries more than by number.
        with django_assert_num_queries(13):
            response = client.get(url + link)
    assert seen == expected and numbers == [1, 2, 3]
    # Previous goes by number; a page by number shows what the cursor showed.
    assert 'href="?code=' in response.text and 'rel="prev"' in response.text
    by_number = client.get(url, {"code": many.pk, "page": 3})
    assert [p.pk for p in by_number.context["page"].object_list] == expected[100:]
    assert next_link(by_number.text) is None


def test_a_cursor_outside_the_filters_falls_back_to_the_page_number(
    client, project, supervisor, many
):
    other = services.create_code(project=project, name="Lain")
    source = make_source(project, text="w" * 50)
    stray = services.apply_code(
        source=source, code=other, coder=supervisor, start=0, end=5, passage="wwwww"
    )
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    for after in (stray.pk, 10**9, "x"):
        response = client.get(url, {"code": many.pk, "after": after, "page": 2})
        page = response.context["page"]
        assert page.number == 2 and len(page.object_list) == 50
        assert stray.pk not in [p.pk for p in page.object_list]


def test_the_first_page_costs_a_fixed_number_of_queries(
    client, project, supervisor, many, django_assert_num_queries
):
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    for i, coding in enumerate(Coding.objects.all()[:40]):
        Memo.objects.create(project=project, author=supervisor, coding=coding, text=f"m{i}")
    # Session, user, membership, codebook; the form's cases, attributes and coders (one
    # query); the counts per source in their order (one), the rows, their memos, their sources'
    # texts and cases; the summaries.
    with django_assert_num_queries(11):
        response = client.get(url, {"code": many.pk})
    assert response.text.count('<li class="memo">') == sum(
        p.pk in {c.pk for c in Coding.objects.all()[:40]}
        for p in response.context["page"].object_list
    )
    assert response.text.count('<li class="passage">') == 50


def test_pages_count_each_passage_once_when_a_filter_joins_cases(client, project, supervisor, many):
    from ..conftest import make_attribute, make_case_value

    role = make_attribute(project, name="Kelompok")
    for source in {c.source for c in Coding.objects.select_related("source")}:
        for name in ("Maria", "Natan"):
            case = make_case(project, name=f"{name} {source.pk}")
            make_case_value(case, role, "Staf")
            source.cases.add(case)
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    params = {"code": many.pk, "attribute": role.pk, "value": "staf"}
    first = client.get(url, params)
    assert first.context["page"].paginator.count == 130
    second = client.get(url + next_link(first.text))
    ids = [p.pk for p in first.context["page"].object_list + second.context["page"].object_list]
    assert len(ids) == len(set(ids)) == 100 and second.context["page"].number == 2
