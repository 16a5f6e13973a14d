"""Reduction and display as a new user meets them: code lists, theme totals, wide matrices,
dates, citations, the conclusion chooser, the demo's memos, history in the reader's language."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from coding import services
from coding.analysis import queries as analysis
from coding.models import CodingEvent, Conclusion, Evidence, Memo, Summary
from coding.review import services as review

from ..conftest import make_case, make_source

TEXT = (
    "Pewawancara: Bagaimana rapat koordinasi?\n\n"
    "Bapak Yohanis: Rapat hanya kalau ada masalah. Jalan ke distrik rusak.\n\n"
    "Pewawancara: Dan datanya?\n\n"
    "Bapak Yohanis: Data penerima berbeda-beda antar subbagian."
)


def code_span(source, code, coder, phrase):
    start = source.text.index(phrase)
    return services.apply_code(
        source=source, start=start, end=start + len(phrase), passage=phrase, code=code, coder=coder
    )


@pytest.fixture
def tree(project, researcher):
    """A theme with two codes (and a coding on the theme itself), and a second theme."""
    hambatan = services.create_code(project=project, name="Hambatan")
    komunikasi = services.create_code(project=project, name="Komunikasi", parent=hambatan)
    geografis = services.create_code(project=project, name="Geografis", parent=hambatan)
    upaya = services.create_code(project=project, name="Upaya")
    yohanis, natan = make_case(project, name="Yohanis"), make_case(project, name="Natan")
    one = make_source(project, text=TEXT, title="Wawancara Yohanis", date=dt.date(2026, 12, 2))
    one.cases.add(yohanis)
    two = make_source(project, text=TEXT, title="Wawancara Natan", kind="observation")
    two.cases.add(natan)
    code_span(one, komunikasi, researcher, "Rapat hanya kalau ada masalah.")
    code_span(one, geografis, researcher, "Jalan ke distrik rusak.")
    code_span(two, geografis, researcher, "Jalan ke distrik rusak.")
    code_span(two, hambatan, researcher, "Data penerima berbeda-beda antar subbagian.")
    return {
        "hambatan": hambatan,
        "komunikasi": komunikasi,
        "geografis": geografis,
        "upaya": upaya,
        "one": one,
        "two": two,
        "yohanis": yohanis,
        "natan": natan,
    }


def test_the_code_list_is_in_codebook_order_with_full_paths(client, project, supervisor, tree):
    client.force_login(supervisor)
    response = client.get(reverse("coding:retrieval", args=[project.slug]))
    labels = [label for _value, label in response.context["form"].fields["code"].choices]
    assert labels == [
        "(every code)",
        "Hambatan",
        "Hambatan › Komunikasi",
        "Hambatan › Geografis",
        "Upaya",
    ]


def test_every_code_shows_every_passage(client, project, supervisor, tree):
    client.force_login(supervisor)
    response = client.get(reverse("coding:retrieval", args=[project.slug]))
    assert response.context["page"].paginator.count == 4
    assert "4 passages of every code" in response.text
    narrowed = client.get(reverse("coding:retrieval", args=[project.slug]), {"kind": "observation"})
    assert narrowed.context["page"].paginator.count == 2


def test_a_codes_heading_names_its_full_path(client, project, supervisor, tree):
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    response = client.get(url, {"code": tree["geografis"].pk})
    assert "2 passages of “Hambatan › Geografis”" in response.text


def test_theme_rows_add_up_their_codes_in_code_by_case(project, tree):
    matrix = analysis.matrix_code_case(project, rollup=True)
    theme = tree["hambatan"].pk
    assert matrix.value(theme, tree["yohanis"].pk) == 2
    assert matrix.value(theme, tree["natan"].pk) == 2
    assert matrix.totals[theme] == 4
    assert matrix.rolled == {theme}
    own = analysis.matrix_code_case(project)
    assert own.value(theme, tree["yohanis"].pk) == 0 and own.totals[theme] == 1
    assert not own.rolled


def test_theme_frequencies_count_distinct_sources_and_cases(project, tree):
    counts = analysis.frequencies(project, rollup=True)
    theme = counts[tree["hambatan"].pk]
    assert (theme["passages"], theme["sources"], theme["cases"], theme["coders"]) == (4, 2, 2, 1)
    assert theme["rolled"]
    assert counts[tree["geografis"].pk]["passages"] == 2
    assert tree["upaya"].pk not in counts


def test_display_marks_theme_totals_and_has_a_toggle(client, project, supervisor, tree):
    client.force_login(supervisor)
    url = reverse("coding:display", args=[project.slug])
    response = client.get(url, {"view": "case"})
    row = re.search(r'<tr class="subtotal">.*?</tr>', response.text, re.S).group()
    assert "Hambatan" in row and "Σ" in row and "subcodes=on" in row
    assert '<td class="num total">4</td>' in row
    own = client.get(url, {"view": "case", "themes": "own"})
    assert '<tr class="subtotal">' not in own.text
    kind = client.get(url, {"view": "kind"}).context["matrix"]
    assert kind.value(tree["hambatan"].pk, "observation") == 2


def test_frequencies_page_and_downloads_mark_totals(client, project, supervisor, tree):
    client.force_login(supervisor)
    response = client.get(reverse("coding:frequencies", args=[project.slug]))
    row = re.search(r'<tr class="subtotal">.*?</tr>', response.text, re.S).group()
    assert "Hambatan" in row and '<td class="num">4</td>' in row
    csv = client.get(reverse("coding:display", args=[project.slug]), {"format": "csv"})
    assert "Hambatan (total)" in csv.content.decode("utf-8-sig")


def test_the_report_adds_up_themes(
    client, project, researcher, tree, django_capture_on_commit_callbacks
):
    import docx

    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("coding:report", args=[project.slug]))
    job = client.get(started.url).context["job"]
    response = client.get(reverse("interviews:job_download", args=[job.pk]))
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Hambatan (total)", "4", "2", "2"] in [row[:4] for row in cells]


def test_a_theme_cell_peek_shows_its_codes_passages(client, project, supervisor, tree):
    client.force_login(supervisor)
    url = reverse("coding:matrix_cell", args=[project.slug])
    params = {"row": tree["hambatan"].pk, "col": "case", "key": tree["yohanis"].pk}
    assert "No passages." in client.get(url, params).text
    rolled = client.get(url, {**params, "subcodes": "on"})
    assert "Rapat hanya kalau ada masalah." in rolled.text


def test_wide_matrices_scroll_in_their_box_with_one_preview(client, project, supervisor, tree):
    client.force_login(supervisor)
    url = reverse("coding:display", args=[project.slug])
    assert 'class="table-wrap matrix-wrap"' in client.get(url, {"view": "cooccurrence"}).text
    response = client.get(url, {"view": "case"})
    assert response.text.count('id="peek"') == 1
    assert 'hx-target="#peek"' in response.text and 'class="peek"' not in response.text


@pytest.mark.parametrize(
    ("language", "written"), [("en", "2 December 2026"), ("id", "2 Desember 2026")]
)
def test_dates_are_written_in_the_interface_language(
    client, project, supervisor, tree, language, written
):
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    response = client.get(url, {"code": tree["komunikasi"].pk}, HTTP_ACCEPT_LANGUAGE=language)
    assert written in response.text
    assert "12/02/2026" not in response.text and "02-12-2026" not in response.text


def test_citations_name_the_paragraph_and_speaker(client, project, researcher, tree):
    client.force_login(researcher)
    url = reverse("coding:retrieval", args=[project.slug])
    response = client.get(url, {"code": tree["komunikasi"].pk})
    assert "¶ 2, Bapak Yohanis" in response.text
    coding = tree["one"].codings.get(code=tree["komunikasi"])
    conclusion = Conclusion.objects.create(project=project, statement="Rapat", author=researcher)
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    page = client.get(reverse("coding:conclusion_detail", args=[project.slug, conclusion.pk]))
    assert "¶ 2, Bapak Yohanis" in page.text
    report = client.get(reverse("coding:report", args=[project.slug]), {"format": "html"})
    assert f"¶ 2, Bapak Yohanis; karakter {coding.start}–{coding.end}" in report.text


def test_one_conclusion_chooser_per_page(client, project, researcher, tree):
    Conclusion.objects.create(project=project, statement="Terbuka", author=researcher)
    Conclusion.objects.create(
        project=project, statement="Sudah diverifikasi", author=researcher, status="verified"
    )
    client.force_login(researcher)
    response = client.get(reverse("coding:retrieval", args=[project.slug]))
    assert response.text.count('name="conclusion"') == 1
    assert response.text.count('form="cite-form"') == 4
    assert "Sudah diverifikasi" not in response.text
    assert "Only draft and returned conclusions are offered" in response.text


def test_citing_from_the_chooser_adds_evidence_and_says_so(client, project, researcher, tree):
    conclusion = Conclusion.objects.create(project=project, statement="Terbuka", author=researcher)
    coding = tree["two"].codings.get(code=tree["hambatan"])
    client.force_login(researcher)
    data = {"conclusion": conclusion.pk, "stance": "supports", "coding": coding.pk}
    url = reverse("coding:evidence_add", args=[project.slug])
    response = client.post(url, {**data, "chooser": "page"}, headers={"HX-Request": "true"})
    assert response.text == "Added to “Terbuka”."
    assert conclusion.evidence.get().coding == coding
    back = reverse("coding:retrieval", args=[project.slug]) + "?kind=observation"
    response = client.post(url, {**data, "chooser": "page", "next": back})
    assert response.url == back
    assert client.post(url, {**data, "chooser": "page", "next": "https://evil.example/"}).url == (
        reverse("coding:retrieval", args=[project.slug])
    )


def test_history_is_shown_in_the_readers_language(client, project, researcher, supervisor, tree):
    coding = tree["one"].codings.get(code=tree["komunikasi"])
    review.review_coding(coding=coding, reviewer=supervisor, kind="approve", text="Tepat.")
    event = CodingEvent.objects.get(action="reviewed")
    assert "approved" not in event.detail  # a kind, not words
    client.force_login(researcher)
    url = reverse("coding:source_history", args=[project.slug, tree["one"].pk])
    assert "approved: Tepat." in client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "disetujui: Tepat." in client.get(url, HTTP_ACCEPT_LANGUAGE="id").text


def test_a_long_review_comment_still_fits_the_history(project, supervisor, tree):
    coding = tree["one"].codings.get(code=tree["komunikasi"])
    review.review_coding(coding=coding, reviewer=supervisor, kind="comment", text="kata " * 200)
    event = CodingEvent.objects.get(action="reviewed")
    assert len(event.detail) <= 300
    with translation.override("en"):
        assert event.note.startswith("commented: kata kata")
    assert event.note.endswith("…")


def test_the_demo_has_memos_and_summaries(db):
    from coding.demo import code_demo_corpus
    from interviews.demo import build_demo_corpus

    demo = build_demo_corpus()
    code_demo_corpus(demo)
    memos = Memo.objects.filter(project=demo.project)
    assert memos.filter(source=None, code=None, coding=None).count() == 2
    assert memos.exclude(source=None).exists() and memos.exclude(code=None).exists()
    assert memos.exclude(coding=None).count() == 2
    assert Summary.objects.filter(project=demo.project, case=None).count() == 5
    framework = analysis.framework_matrix(demo.project)
    assert sum(1 for text in framework.text.values() if text) == 5
