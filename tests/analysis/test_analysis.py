import csv
import io
import itertools
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding import services
from coding.analysis import queries as analysis
from coding.models import Code, Coding, Conclusion, Evidence, Summary
from interviews.models import Source

from ..conftest import (
    make_attribute,
    make_case,
    make_case_value,
    make_membership,
    make_source,
    make_user,
)

TEXT = (
    "Pewawancara: Bagaimana rapat koordinasi?\n\n"
    "Ibu Maria: Rapat hanya kalau ada masalah. Data penerima berbeda-beda antar subbagian.\n\n"
    "Pewawancara: Dan ke distrik?\n\n"
    "Ibu Maria: Ke Sinak harus naik pesawat, dan sinyal di sana susah sekali."
)


def span(phrase, text=TEXT):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "passage": phrase}


@pytest.fixture
def study(project, researcher):
    """Two informants, an interview each and an observation; three codes."""
    colleague = make_user("sri")
    make_membership(project, colleague)
    role = make_attribute(project, name="Kelompok")
    maria = make_case(project, name="Maria")
    natan = make_case(project, name="Natan")
    make_case_value(maria, role, "Kepala Subbagian")
    make_case_value(natan, role, "Staf")
    interview = make_source(project, text=TEXT, title="Wawancara Maria", kind="interview")
    interview.cases.add(maria)
    other = make_source(project, text=TEXT, title="Wawancara Natan", kind="interview")
    other.cases.add(natan)
    note = make_source(project, text=TEXT, title="Observasi", kind="observation")
    note.cases.add(maria, natan)
    forum = services.create_code(project=project, name="Forum")
    data = services.create_code(project=project, name="Data")
    geo = services.create_code(project=project, name="Geografis")

    def code(source, code, phrase, coder=researcher):
        return services.apply_code(source=source, code=code, coder=coder, **span(phrase))

    code(interview, forum, "Rapat hanya kalau ada masalah.")
    code(interview, data, "masalah. Data penerima")  # overlaps the forum passage
    code(other, forum, "Rapat hanya kalau ada masalah.", colleague)
    code(other, geo, "harus naik pesawat")
    code(note, geo, "sinyal di sana susah")
    code(note, data, "Data penerima berbeda-beda")
    return {
        "forum": forum,
        "data": data,
        "geo": geo,
        "maria": maria,
        "natan": natan,
        "role": role,
        "interview": interview,
        "note": note,
        "colleague": colleague,
    }


def test_retrieval_gives_passages_with_context(client, project, supervisor, study):
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    response = client.get(url, {"code": study["forum"].pk})
    passages = list(response.context["page"].object_list)
    assert [p.passage for p in passages] == ["Rapat hanya kalau ada masalah."] * 2
    first = passages[0]
    assert first.before == TEXT[max(0, first.start - 80) : first.start]
    assert first.after == TEXT[first.end : first.end + 80]
    assert [case.name for case in first.case_list] == ["Maria"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"kind": "observation"}, ["sinyal di sana susah"]),
        ({"case": "maria"}, ["sinyal di sana susah"]),
        ({"attribute": "role", "value": "staf"}, ["harus naik pesawat", "sinyal di sana susah"]),
    ],
)
def test_retrieval_filters(client, project, supervisor, study, extra, expected):
    params = {"code": study["geo"].pk}
    for key, value in extra.items():
        params[key] = study[value].pk if value in study else value
    client.force_login(supervisor)
    response = client.get(reverse("coding:retrieval", args=[project.slug]), params)
    assert sorted(p.passage for p in response.context["page"].object_list) == expected


def test_retrieval_by_coder_and_with_subcodes(client, project, supervisor, study):
    theme = services.create_code(project=project, name="Hambatan")
    services.move_code(code=study["forum"], parent=theme)
    client.force_login(supervisor)
    url = reverse("coding:retrieval", args=[project.slug])
    only_theme = client.get(url, {"code": theme.pk})
    assert only_theme.context["page"].paginator.count == 0
    with_subcodes = client.get(url, {"code": theme.pk, "subcodes": "on"})
    assert with_subcodes.context["page"].paginator.count == 2
    by_coder = client.get(url, {"code": theme.pk, "subcodes": "on", "coder": study["colleague"].pk})
    assert by_coder.context["page"].paginator.count == 1


def test_retrieval_queries_are_constant(
    client, project, supervisor, study, django_assert_max_num_queries
):
    for i in range(30):
        services.apply_code(
            source=study["note"],
            code=study["forum"],
            coder=supervisor,
            start=i,
            end=i + 10,
            passage=TEXT[i : i + 10],
        )
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):  # the memos shown beside the passages included
        response = client.get(
            reverse("coding:retrieval", args=[project.slug]), {"code": study["forum"].pk}
        )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 32  # 30 here and the fixture's two
    assert response.text.count('<li class="passage">') == 32


def test_frequencies_count_passages_sources_and_cases(client, project, supervisor, study):
    client.force_login(supervisor)
    response = client.get(reverse("coding:frequencies", args=[project.slug]))
    counts = {code.name: c for code, _depth, c in response.context["table"]}
    assert (counts["Geografis"]["passages"], counts["Geografis"]["sources"]) == (2, 2)
    assert counts["Geografis"]["cases"] == 2  # Natan's interview, the observation of both
    assert counts["Forum"]["coders"] == 2


def test_summary_is_saved_shown_and_deleted(client, project, researcher, study):
    client.force_login(researcher)
    url = reverse("coding:summary_save", args=[project.slug])
    client.post(url, {"code": study["forum"].pk, "text": "Rapat hanya saat krisis."})
    client.post(
        url, {"code": study["forum"].pk, "case": study["maria"].pk, "text": "Maria: situasional."}
    )
    assert Summary.objects.count() == 2
    page = client.get(
        reverse("coding:retrieval", args=[project.slug]),
        {"code": study["forum"].pk, "case": study["maria"].pk},
    )
    assert "Rapat hanya saat krisis." in page.text
    assert "Maria: situasional." in page.text
    client.post(url, {"code": study["forum"].pk, "text": ""})
    assert list(Summary.objects.values_list("text", flat=True)) == ["Maria: situasional."]


def test_code_case_matrix_counts_match_the_database(project, study):
    matrix = analysis.matrix_code_case(project)
    expected = {}
    for coding in Coding.objects.prefetch_related("source__cases"):
        for case in coding.source.cases.all():
            expected[(coding.code_id, case.pk)] = expected.get((coding.code_id, case.pk), 0) + 1
    assert matrix.cells == expected


def test_cooccurrence_counts_overlapping_pairs(project, study):
    matrix = analysis.matrix_cooccurrence(project)
    codings = list(Coding.objects.all())
    expected = {}
    for a, b in itertools.permutations(codings, 2):
        same_source = a.source_id == b.source_id and a.code_id != b.code_id
        if same_source and a.start < b.end and b.start < a.end:
            expected[(a.code_id, b.code_id)] = expected.get((a.code_id, b.code_id), 0) + 1
    assert matrix.cells == expected
    assert matrix.value(study["forum"].pk, study["data"].pk) == 1


def test_cooccurrence_respects_filters(project, study, researcher):
    # A second overlapping pair, in the observation: Geografis over "sinyal…", Forum inside it.
    services.apply_code(
        source=study["note"], code=study["forum"], coder=researcher, **span("di sana")
    )
    forum, data, geo = study["forum"].pk, study["data"].pk, study["geo"].pk
    everything = analysis.matrix_cooccurrence(project).cells
    assert everything == {(forum, data): 1, (data, forum): 1, (forum, geo): 1, (geo, forum): 1}
    observed = analysis.matrix_cooccurrence(project, analysis.Filters(kind="observation"))
    assert observed.cells == {(forum, geo): 1, (geo, forum): 1}
    interviews = analysis.matrix_cooccurrence(project, analysis.Filters(kind="interview"))
    assert interviews.cells == {(forum, data): 1, (data, forum): 1}
    by_case = analysis.matrix_cooccurrence(project, analysis.Filters(case=study["natan"]))
    assert by_case.cells == {(forum, geo): 1, (geo, forum): 1}  # Natan: his interview, the note


def test_code_kind_and_coder_matrices(project, study, researcher):
    kinds = analysis.matrix_code_kind(project)
    assert kinds.value(study["geo"].pk, "observation") == 1
    assert kinds.value(study["geo"].pk, "interview") == 1
    coders = analysis.matrix_coder_code(project)
    assert coders.value(study["forum"].pk, study["colleague"].pk) == 1
    assert coders.value(study["forum"].pk, researcher.pk) == 1


def test_matrix_downloads_match_the_page(client, project, supervisor, study):
    client.force_login(supervisor)
    url = reverse("coding:display", args=[project.slug])
    page = client.get(url, {"view": "case"})
    text = client.get(url, {"view": "case", "format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Code", "Maria", "Natan", "Total"]
    by_code = {row[0].strip(): row[1:] for row in rows[1:]}
    assert by_code["Geografis"] == ["1", "2", "2"]
    xlsx = client.get(url, {"view": "case", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[0].strip(): list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Geografis"] == [1, 2, 2]
    totals = {label: total for _id, label, _d, _v, total in page.context["table"]}
    assert totals["Geografis"] == 2


def test_framework_matrix_shows_summaries(client, project, researcher, study):
    Summary.objects.create(
        project=project,
        code=study["geo"],
        case=study["natan"],
        text="Akses udara",
        author=researcher,
    )
    client.force_login(researcher)
    response = client.get(reverse("coding:display", args=[project.slug]), {"view": "framework"})
    assert "Akses udara" in response.text


def test_every_display_renders_with_constant_queries(
    client, project, supervisor, study, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("coding:display", args=[project.slug])
    for view in ["case", "framework", "kind", "cooccurrence", "coder", "chart"]:
        with django_assert_max_num_queries(14):
            response = client.get(url, {"view": view})
        assert response.status_code == 200
        if view != "chart":  # the chart groups codes under themes: its own test below
            assert "Geografis" in response.text, view
        if view in {"case", "kind", "cooccurrence", "coder"}:
            # at least one non-zero cell, linked to its passages
            assert re.search(
                r'<td class="num h[1-9]\d*"><a href="[^"]+\?code=\d+', response.text
            ), view
    assert client.get(url, {"view": "nonsense"}).status_code == 404
    printable = client.get(url, {"view": "kind", "print": "1"})
    assert 'class="print"' in printable.text


def test_the_chart_is_server_side_svg(client, project, supervisor, study):
    client.force_login(supervisor)
    response = client.get(reverse("coding:display", args=[project.slug]), {"view": "chart"})
    assert "<svg" in response.text
    assert "<script" not in response.text.split("<svg")[1].split("</svg>")[0]


def test_a_cell_peek_shows_its_passages(client, project, supervisor, study):
    client.force_login(supervisor)
    response = client.get(
        reverse("coding:matrix_cell", args=[project.slug]),
        {"row": study["geo"].pk, "col": "case", "key": study["natan"].pk},
        headers={"HX-Request": "true"},
    )
    assert "harus naik pesawat" in response.text
    assert "sinyal di sana susah" in response.text


# Conclusions


def make_conclusion(project, author, **fields):
    return Conclusion.objects.create(project=project, author=author, **{"statement": "S", **fields})


def test_triangulation_counts_informants_and_kinds(project, researcher, study):
    conclusion = make_conclusion(project, researcher)
    for coding in Coding.objects.filter(code=study["geo"]):
        Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    t = analysis.triangulation(conclusion)
    assert [case.name for case in t["cases"]] == ["Maria", "Natan"]
    assert [kind for kind, _label in t["kinds"]] == ["interview", "observation"]
    assert not t["one_informant"] and not t["one_kind"]


def test_a_conclusion_on_one_informant_warns(client, project, researcher, study):
    conclusion = make_conclusion(project, researcher)
    coding = Coding.objects.get(source=study["interview"], code=study["forum"])
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    client.force_login(researcher)
    response = client.get(reverse("coding:conclusion_detail", args=[project.slug, conclusion.pk]))
    assert "Rests on one informant" in response.text
    assert "Rests on one kind of source" in response.text


def test_evidence_is_added_from_the_retrieval_page(client, project, researcher, study):
    conclusion = make_conclusion(project, researcher)
    coding = Coding.objects.filter(code=study["geo"]).first()
    client.force_login(researcher)
    response = client.post(
        reverse("coding:evidence_add", args=[project.slug]),
        {"conclusion": conclusion.pk, "coding": coding.pk, "stance": "contradicts"},
        headers={"HX-Request": "true"},
    )
    assert "Added to" in response.text
    assert Evidence.objects.get().stance == "contradicts"
    client.post(
        reverse("coding:evidence_add", args=[project.slug]),
        {"conclusion": conclusion.pk, "coding": coding.pk, "stance": "supports"},
    )
    assert Evidence.objects.get().stance == "supports"


def status(client, project, conclusion, **data):
    return client.post(
        reverse("coding:conclusion_status", args=[project.slug, conclusion.pk]), data, follow=True
    )


def test_the_verification_workflow(client, project, researcher, supervisor, study):
    conclusion = make_conclusion(project, researcher)
    client.force_login(researcher)
    response = status(client, project, conclusion, action="submit")
    assert "Add evidence before submitting" in response.text
    Evidence.objects.create(
        conclusion=conclusion, coding=Coding.objects.first(), added_by=researcher
    )
    status(client, project, conclusion, action="submit")
    conclusion.refresh_from_db()
    assert conclusion.status == "submitted"
    assert status(client, project, conclusion, action="verify").status_code == 403
    client.force_login(supervisor)
    response = status(client, project, conclusion, action="return", comment="")
    assert "Say what needs more work" in response.text
    status(client, project, conclusion, action="return", comment="Tambah bukti dokumen.")
    conclusion.refresh_from_db()
    assert (conclusion.status, conclusion.reviewer) == ("returned", supervisor)
    assert conclusion.review_comment == "Tambah bukti dokumen."
    client.force_login(researcher)
    status(client, project, conclusion, action="submit")
    client.force_login(supervisor)
    status(client, project, conclusion, action="verify")
    conclusion.refresh_from_db()
    assert conclusion.status == "verified"


def test_supervisors_cannot_draft_conclusions(client, project, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("coding:conclusion_create", args=[project.slug]), {"statement": "X"}
    )
    assert response.status_code == 403
    assert not Conclusion.objects.exists()


def test_report_docx_quotes_and_cites_evidence(
    client, project, researcher, study, django_capture_on_commit_callbacks
):
    import docx

    conclusion = make_conclusion(project, researcher, statement="Akses ke distrik sulit.")
    coding = Coding.objects.get(source=study["note"], code=study["geo"])
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("coding:report", args=[project.slug]))
    job = client.get(started.url)
    assert "Download kesra-report.docx" in job.text
    response = client.get(reverse("interviews:job_download", args=[job.context["job"].pk]))
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1. Akses ke distrik sulit." in text
    assert "“sinyal di sana susah”" in text
    assert f"Observasi, Maria, Natan; ¶ 4, Ibu Maria; karakter {coding.start}–{coding.end}" in text
    assert len(document.tables) == 2
    assert document.tables[1].rows[0].cells[1].text == "Maria"


def test_report_html_is_in_the_projects_language(client, project, researcher, study):
    project.language = "en"
    project.save()
    client.force_login(researcher)
    response = client.get(reverse("coding:report", args=[project.slug]), {"format": "html"})
    assert "Findings report" in response.text
    assert "Codebook" in response.text


def test_the_demo_study_has_three_triangulated_findings(db):
    from coding.demo import code_demo_corpus
    from interviews.demo import build_demo_corpus

    demo = build_demo_corpus()
    code_demo_corpus(demo)
    conclusions = list(Conclusion.objects.filter(project=demo.project))
    assert len(conclusions) == 3
    for conclusion in conclusions:
        t = analysis.triangulation(conclusion)
        assert len(t["cases"]) >= 3
        assert len(t["kinds"]) >= 2
    assert Code.objects.filter(project=demo.project).count() == 16
    assert Source.objects.filter(project=demo.project).count() == 11


def test_evidence_changes_only_while_a_conclusion_is_open(client, project, researcher, study):
    conclusion = make_conclusion(project, researcher, status="submitted")
    coding = Coding.objects.first()
    client.force_login(researcher)
    response = client.post(
        reverse("coding:evidence_add", args=[project.slug]),
        {"conclusion": conclusion.pk, "coding": coding.pk, "stance": "supports"},
        headers={"HX-Request": "true"},
    )
    assert "Reopen the conclusion as a draft" in response.text
    assert not Evidence.objects.exists()
    retrieval = client.get(
        reverse("coding:retrieval", args=[project.slug]), {"code": coding.code_id}
    )
    assert list(retrieval.context["conclusions"]) == []


def test_a_verified_conclusion_cannot_be_resubmitted(
    client, project, researcher, supervisor, study
):
    conclusion = make_conclusion(project, researcher, status="verified", reviewer=supervisor)
    client.force_login(researcher)
    response = status(client, project, conclusion, action="submit")
    assert response.status_code == 403
    conclusion.refresh_from_db()
    assert conclusion.status == "verified"


@pytest.mark.parametrize("state", ["verified", "submitted"])
def test_a_verified_or_submitted_statement_cannot_be_edited(
    client, project, researcher, supervisor, state
):
    conclusion = make_conclusion(
        project, researcher, statement="Koordinasi situasional", status=state, reviewer=supervisor
    )
    client.force_login(researcher)
    url = reverse("coding:conclusion_edit", args=[project.slug, conclusion.pk])
    response = client.post(url, {"statement": "Diganti diam-diam", "text": ""}, follow=True)
    conclusion.refresh_from_db()
    assert (conclusion.statement, conclusion.status) == ("Koordinasi situasional", state)
    assert "only drafts and returned conclusions can be edited" in response.text
    assert client.get(url).status_code == 302  # the form is not offered either


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_drafts_and_returned_conclusions_can_be_edited(client, project, researcher, state):
    conclusion = make_conclusion(project, researcher, statement="Lama", status=state)
    client.force_login(researcher)
    url = reverse("coding:conclusion_edit", args=[project.slug, conclusion.pk])
    client.post(url, {"statement": "Baru", "text": ""})
    conclusion.refresh_from_db()
    assert (conclusion.statement, conclusion.status) == ("Baru", state)
