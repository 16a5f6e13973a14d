"""Find in this source: the coding page's find box asks for the hits of one source."""

import pytest
from django.urls import reverse

from interviews import services as study

from ..conftest import make_project, make_source, make_user

# Accents, capitals, an emoji (two UTF-16 units, one code point) before a hit, and
# the word again in a second window of a long text.
HEAD = "Ibu Maria 😀: Rapat koordinasi hanya kalau ada masalah. RAPAT dadakan; rápat lagi.\n\n"
FILLER = "Pewawancara: Jalan ke distrik rusak, kami naik pesawat.\n\n" * 600
TAIL = "Bapak Natan: Rapat koordinasi tidak terjadwal."


@pytest.fixture
def interview(project, researcher):
    return study.add_source(
        project=project,
        kind="interview",
        title="Wawancara Maria",
        text=HEAD + FILLER + TAIL,
        created_by=researcher,
    )


def find(client, project, source, **params):
    url = reverse("coding:source_find", args=[project.slug, source.pk])
    return client.get(url, params)


def test_every_hit_of_the_whole_source_comes_as_code_point_spans(
    client, project, supervisor, interview
):
    client.force_login(supervisor)
    response = find(client, project, interview, q="rapat")
    assert response.status_code == 200
    body = response.json()
    text = interview.text
    found = [text[start:end] for start, end in body["hits"]]
    assert found == ["Rapat", "RAPAT", "rápat", "Rapat"]
    assert body["hits"][0][0] == text.index("Rapat")  # code points: the emoji counts once
    assert body["hits"][-1][0] == len(HEAD + FILLER) + len("Bapak Natan: ")
    assert body["capped"] is False and body["error"] == ""


def test_phrases_prefixes_and_regular_expressions_are_the_project_searchs(
    client, project, researcher, interview
):
    client.force_login(researcher)
    text = interview.text

    def spans(**params):
        return [text[s:e] for s, e in find(client, project, interview, **params).json()["hits"]]

    assert spans(q='"rapat koordinasi"') == ["Rapat koordinasi", "Rapat koordinasi"]
    assert spans(q="terjad*") == ["terjadwal"]
    # Only the last paragraph lacks "dadakan".
    assert find(client, project, interview, q="rapat -dadakan").json()["hits"] == [
        [
            len(text) - len("Rapat koordinasi tidak terjadwal."),
            len(text) - len(" koordinasi tidak terjadwal."),
        ]
    ]
    assert spans(q=r"r.pat\s+\w+", mode="regex") == [
        "Rapat koordinasi",
        "RAPAT dadakan",
        "rápat lagi",
        "Rapat koordinasi",
    ]


def test_a_query_that_cannot_be_searched_says_why(client, project, researcher, interview):
    client.force_login(researcher)
    body = find(client, project, interview, q="(", mode="regex").json()
    assert body["hits"] == []
    assert body["error"].startswith("This regular expression is not valid")
    assert find(client, project, interview, q="  ").json()["error"] == (
        "Type something to search for."
    )


def test_the_hits_are_capped(client, project, researcher, interview, monkeypatch):
    monkeypatch.setattr("coding.analysis.views.search.MAX_FIND", 100)
    client.force_login(researcher)
    body = find(client, project, interview, q="jalan").json()
    assert len(body["hits"]) == 100 and body["capped"] is True


def test_a_source_of_another_project_is_not_found(client, researcher, interview):
    other = make_project(slug="lain")
    stranger = make_source(other, text="Rapat lain.", created_by=make_user("lain"))
    client.force_login(researcher)
    assert find(client, interview.project, stranger, q="rapat").status_code == 404


def test_finding_costs_a_fixed_number_of_queries(
    client, project, researcher, interview, django_assert_num_queries
):
    client.force_login(researcher)
    # session, user, membership, source, its text, its folded text
    with django_assert_num_queries(6):
        assert len(find(client, project, interview, q="pesawat").json()["hits"]) == 600


def test_the_coding_page_carries_the_find_box(client, project, researcher, interview):
    client.force_login(researcher)
    page = client.get(reverse("coding:source_code", args=[project.slug, interview.pk]))
    assert 'id="find-box"' in page.text
    assert reverse("coding:source_find", args=[project.slug, interview.pk]) in page.text
    assert "find.js" in page.text and "Code this hit" in page.text
