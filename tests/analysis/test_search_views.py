"""The search screen, coding its hits, and word frequencies."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding import services
from coding.analysis import services as analysis_services
from coding.models import Coding, CodingEvent, StopWords
from interviews import services as study
from interviews.models import Source

from ..conftest import make_case, make_source

MARIA = (
    "Pewawancara: Bagaimana rapat koordinasi berjalan?\n\n"
    "Ibu Maria: Rapat hanya kalau ada masalah. Grup WhatsApp dipakai untuk rapat dadakan.\n\n"
    "Pewawancara: Dan jalan ke distrik?\n\n"
    "Ibu Maria: Jalan rusak, jadi kami naik pesawat. Rapat di distrik jarang."
)
NATAN = (
    "Pewawancara: Apa hambatan terbesar?\n\n"
    "Bapak Natan: Data penerima berbeda. Rapat koordinasi tidak terjadwal, hanya situasional."
)


def add(project, user, title, text, kind="interview"):
    return study.add_source(project=project, kind=kind, title=title, text=text, created_by=user)


@pytest.fixture
def corpus(project, researcher):
    maria = add(project, researcher, "Wawancara Maria", MARIA)
    maria.cases.add(make_case(project, name="Maria"))
    natan = add(project, researcher, "Wawancara Natan", NATAN)
    note = add(project, researcher, "Catatan rapat", "Rapat dimulai terlambat.", "observation")
    return {"maria": maria, "natan": natan, "note": note}


def search_url(project, **params):
    return reverse("coding:search", args=[project.slug]), params


def get(client, project, **params):
    url, params = search_url(project, **params)
    return client.get(url, params)


def test_search_lists_every_hit_in_its_context(client, project, supervisor, corpus):
    client.force_login(supervisor)
    response = get(client, project, q="rapat")
    assert response.status_code == 200
    page = response.context["page"]
    assert response.context["results"].source_count == 3
    assert len(page.object_list) == 6
    assert "6 hits" in response.text and "in 3 sources" in response.text
    first = page.object_list[0]
    text = Source.objects.get(pk=first.source.id).text
    assert text[first.start : first.end] == first.hit
    at = f"?at={first.start}&amp;len={first.end - first.start}"
    assert reverse("coding:source_code", args=[project.slug, first.source.id]) + at in response.text
    assert "¶ 2, Ibu Maria" in response.text


@pytest.mark.parametrize(
    ("params", "carried"),
    [
        ({"q": ' "rapat koordinasi" '}, '&amp;find=%22rapat+koordinasi%22"'),
        ({"q": r"r\w+t", "mode": "regex"}, '&amp;find=r%5Cw%2Bt&amp;find_mode=regex"'),
        ({"q": "rapat", "mode": "any"}, '"'),  # the find box has no "any word"
        ({"q": "Rapat", "exact": "on"}, '"'),  # nor exact matching
    ],
)
def test_a_hit_links_to_the_coding_page_with_the_search_for_its_find_box(
    client, project, supervisor, corpus, params, carried
):
    client.force_login(supervisor)
    response = get(client, project, **params)
    first = response.context["page"].object_list[0]
    link = (
        reverse("coding:source_code", args=[project.slug, first.source.id])
        + f"?at={first.start}&amp;len={first.end - first.start}"
    )
    assert link + carried in response.text  # the link ends where the search ends


def test_sorting_by_left_context_orders_by_the_word_before(client, project, supervisor, corpus):
    client.force_login(supervisor)
    lines = get(client, project, q="rapat", sort="left").context["page"].object_list
    before = [line.left.split()[-1].lower() if line.left else "" for line in lines]
    assert before == sorted(before)
    lines = get(client, project, q="rapat", sort="right").context["page"].object_list
    after = [line.right.split()[0].lower() for line in lines]
    assert after == sorted(after)


def test_phrases_prefixes_and_exclusions(client, project, supervisor, corpus):
    client.force_login(supervisor)
    hits = lambda **p: [line.hit for line in get(client, project, **p).context["page"].object_list]  # noqa: E731
    assert hits(q='"rapat koordinasi"') == ["rapat koordinasi", "Rapat koordinasi"]
    assert hits(q="koordinasi*") == ["koordinasi", "koordinasi"]
    assert hits(q="rapat -distrik") == ["rapat", "Rapat", "rapat", "Rapat", "Rapat"]
    assert hits(q="rapat pesawat") == ["pesawat", "Rapat"]
    assert sorted(hits(q="pesawat whatsapp", mode="any")) == ["WhatsApp", "pesawat"]
    assert hits(q=r"jalan\s+\w+", mode="regex") == ["jalan ke", "Jalan rusak"]
    assert hits(q=r"\bJALAN\s+R\w+", mode="regex") == ["Jalan rusak"]


def test_filters_narrow_the_sources(client, project, supervisor, corpus):
    client.force_login(supervisor)
    response = get(client, project, q="rapat", kind="observation")
    assert [line.source.title for line in response.context["page"].object_list] == ["Catatan rapat"]
    case = corpus["maria"].cases.get()
    response = get(client, project, q="rapat", case=case.pk)
    assert {line.source.title for line in response.context["page"].object_list} == {
        "Wawancara Maria"
    }


def test_hits_inside_and_outside_passages_of_a_code(
    client, project, supervisor, researcher, corpus
):
    code = services.create_code(project=project, name="Forum")
    maria = corpus["maria"]
    phrase = "Rapat hanya kalau ada masalah."
    start = maria.text.index(phrase)
    services.apply_code(
        source=maria,
        start=start,
        end=start + len(phrase),
        passage=phrase,
        code=code,
        coder=researcher,
    )
    client.force_login(supervisor)
    inside = get(client, project, q="rapat", code=code.pk).context["page"].object_list
    assert [(line.start, line.hit) for line in inside] == [(start, "Rapat")]
    outside = get(client, project, q="rapat", code=code.pk, where="outside")
    assert len(outside.context["page"].object_list) == 5


def test_a_bad_regular_expression_says_why(client, project, supervisor, corpus):
    client.force_login(supervisor)
    response = get(client, project, q="(rapat", mode="regex")
    assert "This regular expression is not valid" in response.text
    assert response.context["results"] is None


def test_htmx_gets_the_results_alone(client, project, supervisor, corpus):
    client.force_login(supervisor)
    url, params = search_url(project, q="rapat")
    response = client.get(url, params, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text


def test_search_reads_a_bounded_number_of_queries(
    client, project, supervisor, corpus, django_assert_max_num_queries
):
    for n in range(6):
        add(project, supervisor, f"Tambahan {n}", MARIA)
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):
        response = get(client, project, q="rapat", sort="left")
    assert len(response.context["page"].object_list) == 6 + 6 * 4


def test_the_navigation_has_a_search_box(client, project, supervisor, corpus):
    client.force_login(supervisor)
    response = client.get(reverse("coding:retrieval", args=[project.slug]))
    action = reverse("coding:search", args=[project.slug])
    assert re.search(
        rf'<form class="nav-search" role="search" method="get" action="{action}"', response.text
    )


# Coding the hits


def code_url(project, **params):
    from urllib.parse import urlencode

    return f"{reverse('coding:search_code', args=[project.slug])}?{urlencode(params)}"


def preview(client, project, data, **params):
    response = client.post(code_url(project, **params), data)
    return response, response.context.get("plan")


def test_coding_all_hits_makes_exactly_the_codings_previewed(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    client.force_login(researcher)
    data = {"code": code.pk, "unit": "sentence", "all": "1"}
    response, plan = preview(client, project, data, q="rapat")
    assert response.status_code == 200
    assert len(plan.new) == 6 and not plan.existing
    assert "This makes 6 codings of “Rapat” for you." in response.text
    assert not Coding.objects.exists()
    response = client.post(code_url(project, q="rapat"), {**data, "confirm": plan.fingerprint})
    assert response.status_code == 302
    made = set(Coding.objects.values_list("source_id", "start", "end"))
    assert made == set(plan.new)
    passages = set(Coding.objects.values_list("passage", flat=True))
    assert "Rapat hanya kalau ada masalah." in passages
    assert "Grup WhatsApp dipakai untuk rapat dadakan." in passages
    batches = set(CodingEvent.objects.values_list("batch", flat=True))
    assert len(batches) == 1 and None not in batches
    assert f"batch={batches.pop()}" in response.url


def test_existing_codings_are_counted_and_skipped(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    natan = corpus["natan"]
    sentence = "Rapat koordinasi tidak terjadwal, hanya situasional."
    start = natan.text.index(sentence)
    services.apply_code(
        source=natan,
        start=start,
        end=start + len(sentence),
        passage=sentence,
        code=code,
        coder=researcher,
    )
    client.force_login(researcher)
    data = {"code": code.pk, "unit": "sentence", "all": "1"}
    response, plan = preview(client, project, data, q='"rapat koordinasi"')
    assert len(plan.new) == 1 and len(plan.existing) == 1
    assert "1 passage already has it and is skipped." in response.text
    client.post(code_url(project, q='"rapat koordinasi"'), {**data, "confirm": plan.fingerprint})
    assert Coding.objects.count() == 2


def test_ticked_hits_become_their_paragraphs(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Geografis")
    client.force_login(researcher)
    lines = get(client, project, q="jalan").context["page"].object_list
    ticked = [lines[1].key]
    data = {"code": code.pk, "unit": "paragraph", "hit": ticked}
    _response, plan = preview(client, project, data, q="jalan")
    client.post(code_url(project, q="jalan"), {**data, "confirm": plan.fingerprint})
    coding = Coding.objects.get()
    assert coding.passage == "Jalan rusak, jadi kami naik pesawat. Rapat di distrik jarang."


def test_a_stale_preview_is_not_applied(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    client.force_login(researcher)
    data = {"code": code.pk, "unit": "hit", "all": "1"}
    _response, plan = preview(client, project, data, q="pesawat")
    add(project, researcher, "Baru", "Naik pesawat lagi.")
    response = client.post(code_url(project, q="pesawat"), {**data, "confirm": plan.fingerprint})
    assert response.status_code == 422
    assert "The results changed since the preview" in response.text
    assert not Coding.objects.exists()


def test_a_ticked_hit_that_is_not_a_result_is_refused(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    client.force_login(researcher)
    maria = corpus["maria"]
    data = {"code": code.pk, "unit": "hit", "hit": [f"{maria.pk}:0:5"]}
    response, plan = preview(client, project, data, q="rapat")
    assert response.status_code == 422 and plan is None
    assert "no longer results" in response.text


def test_the_htmx_preview_is_the_coding_box_alone(client, project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    client.force_login(researcher)
    response = client.post(
        code_url(project, q="rapat"),
        {"code": code.pk, "unit": "hit", "all": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.text.startswith('<section id="code-hits"')
    assert 'name="confirm"' in response.text


def test_supervisors_cannot_code_hits(client, project, supervisor, corpus):
    code = services.create_code(project=project, name="Rapat")
    client.force_login(supervisor)
    response = client.post(
        code_url(project, q="rapat"), {"code": code.pk, "unit": "hit", "all": "1"}
    )
    assert response.status_code == 403
    assert "Preview: all" not in get(client, project, q="rapat").text


def test_one_undo_removes_the_whole_batch(project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    maria = corpus["maria"]
    spans = [(maria.pk, m.start(), m.end()) for m in re.finditer("Rapat|rapat", maria.text)]
    done = analysis_services.apply_codes_batch(code=code, coder=researcher, spans=spans)
    assert len(done.created) == 4
    services.undo_batch(batch=done.batch, actor=researcher)
    assert not Coding.objects.exists()
    assert CodingEvent.objects.filter(action="undone").count() == 4


def test_the_undo_button_removes_the_batch_and_returns_to_the_search(
    client, project, researcher, corpus
):
    code = services.create_code(project=project, name="Rapat")
    maria = corpus["maria"]
    spans = [(maria.pk, m.start(), m.end()) for m in re.finditer("Rapat|rapat", maria.text)]
    done = analysis_services.apply_codes_batch(code=code, coder=researcher, spans=spans)
    client.force_login(researcher)
    back = reverse("coding:search", args=[project.slug]) + f"?q=rapat&batch={done.batch}"
    page = client.get(back)
    assert reverse("coding:search_undo", args=[project.slug]) in page.text
    response = client.post(
        reverse("coding:search_undo", args=[project.slug]),
        {"batch": str(done.batch), "back": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    assert "Undone: 4 codings." in response.text
    assert not Coding.objects.exists()
    evil = client.post(
        reverse("coding:search_undo", args=[project.slug]),
        {"batch": str(done.batch), "back": "https://evil.example/"},
    )
    assert evil.url == reverse("coding:search", args=[project.slug])


def test_a_batch_is_all_or_nothing(project, researcher, corpus):
    code = services.create_code(project=project, name="Rapat")
    maria = corpus["maria"]
    with pytest.raises(Exception, match="outside the text"):
        analysis_services.apply_codes_batch(
            code=code, coder=researcher, spans=[(maria.pk, 0, 5), (maria.pk, 5, 10**6)]
        )
    assert not Coding.objects.exists() and not CodingEvent.objects.exists()


# Word frequencies


def words(client, project, **params):
    return client.get(reverse("coding:word_frequencies", args=[project.slug]), params)


def test_word_frequencies_count_words_and_phrases_without_stop_words(
    client, project, supervisor, corpus
):
    client.force_login(supervisor)
    response = words(client, project)
    table = response.context["table"]
    counts = {word: n for word, n, _sources in table.words}
    assert counts["rapat"] == 6 and counts["distrik"] == 2
    assert "dan" not in counts and "ada" not in counts
    assert "pewawancara" not in counts and "maria" not in counts, "speaker labels are not words"
    assert ("rapat koordinasi", 2, 2) in table.phrases
    assert '<svg role="img"' in response.text
    search = reverse("coding:search", args=[project.slug])
    assert f'<a href="{search}?q=rapat"><text' in response.text
    everything = {w for w, _n, _s in words(client, project, stop="").context["table"].words}
    assert {"dan", "ada"} <= everything


def test_word_frequencies_download(client, project, supervisor, corpus):
    client.force_login(supervisor)
    response = words(client, project, format="csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Rank", "Word", "Count", "Sources"]
    assert rows[1] == ["1", "rapat", "6", "3"]
    response = words(client, project, format="xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Words", "Phrases"]
    assert book["Words"]["B2"].value == "rapat"


def test_word_frequencies_of_a_codes_passages(client, project, supervisor, researcher, corpus):
    code = services.create_code(project=project, name="Geografis")
    maria = corpus["maria"]
    phrase = "Jalan rusak, jadi kami naik pesawat."
    start = maria.text.index(phrase)
    services.apply_code(
        source=maria,
        start=start,
        end=start + len(phrase),
        passage=phrase,
        code=code,
        coder=researcher,
    )
    client.force_login(supervisor)
    table = words(client, project, code=code.pk, stop="id en").context["table"]
    assert [w for w, _n, _s in table.words] == ["jalan", "naik", "pesawat", "rusak"]


def test_stop_words_are_edited_per_project(client, project, researcher, supervisor, corpus):
    url = reverse("coding:stop_words", args=[project.slug])
    client.force_login(researcher)
    response = client.post(url, {"id": "rapat Distrik", "en": ""})
    assert response.status_code == 302
    assert StopWords.objects.get(project=project, language="id").words == "rapat Distrik"
    counts = {w for w, _n, _s in words(client, project).context["table"].words}
    assert "rapat" not in counts and "distrik" not in counts and "dan" in counts
    client.post(url, {"reset": "1"})
    assert not StopWords.objects.exists()
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"id": "x", "en": ""}).status_code == 403
    assert not StopWords.objects.exists()


def test_sources_made_without_the_index_are_searched_too(client, project, supervisor):
    make_source(project, title="Impor massal", text="Rapat di kantor.")
    client.force_login(supervisor)
    lines = get(client, project, q="rapat").context["page"].object_list
    assert [line.hit for line in lines] == ["Rapat"]


def test_a_deleted_source_leaves_the_index(project, researcher, corpus):
    from django.db import connection

    note = corpus["note"]
    study.delete_source(source=note)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM interviews_source_search WHERE rowid = %s", [note.pk]
            )
            assert cursor.fetchone() == (0,)
    assert not Source.objects.filter(pk=note.pk).exists()
