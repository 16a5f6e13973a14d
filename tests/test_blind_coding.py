"""The blind-coding pass of the permission walk.

In a project with blind coding on, a researcher sees exactly their own coding
work: their codings, the memos and reviews on them, their history, their
summaries; never a colleague's. Every URL of the site has a row here, either the
pages to read (checked on their content) or the reason it shows no coding work,
so a new view cannot slip past the rule.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from coding.models import Conclusion, Evidence, Memo, ReviewNote, Summary
from coding.review.services import review_coding
from coding.services import apply_code, create_code
from interviews.models import Membership

from .conftest import make_case, make_membership, make_source, make_user
from .test_permissions import ACCESS, _url

FILLER = " ".join(["Rapat koordinasi berjalan seperti biasa di kantor bagian."] * 5)
TEXT = (
    "Pewawancara: Bagaimana jalan ke distrik?\n\n"
    f"Ibu Maria: Saya mencatat JALAN-MILIK-SAYA di sini. {FILLER}\n\n"
    f"Pak Natan: {FILLER} Dia menulis RAHASIA-MILIK-LAIN di sana."
)
# Words only the colleague's work carries (their name, passage, memo, review, summary).
THEIRS = [
    "rahasia_lain",
    "RAHASIA-MILIK-LAIN",
    "MEMO-RAHASIA-LAIN",
    "ULASAN-RAHASIA-LAIN",
    "RINGKASAN-RAHASIA-LAIN",
]
# Pages that show the source's whole text: the colleague's passage is part of it there.
TEXT_PAGES = {
    "interviews:source_detail",
    "interviews:source_text",
    "coding:source_code",
    "coding:search",
}
# Pages that list the project's members by name.
MEMBER_PAGES = {"interviews:member_list"}


def span(phrase):
    start = TEXT.index(phrase)
    return {"start": start, "end": start + len(phrase), "passage": phrase}


@pytest.fixture
def blind(project, researcher, supervisor, admin):
    project.blind_coding = True
    project.save()
    colleague = make_user("rahasia_lain")
    make_membership(project, colleague)
    case = make_case(project, name="Maria")
    source = make_source(project, text=TEXT, title="Wawancara Maria", created_by=researcher)
    source.cases.add(case)
    code = create_code(project=project, name="Geografis")
    mine = apply_code(source=source, code=code, coder=researcher, **span("JALAN-MILIK-SAYA"))
    theirs = apply_code(source=source, code=code, coder=colleague, **span("RAHASIA-MILIK-LAIN"))
    Memo.objects.create(project=project, author=researcher, coding=mine, text="MEMO-MILIK-SAYA")
    their_memo = Memo.objects.create(
        project=project, author=colleague, coding=theirs, text="MEMO-RAHASIA-LAIN"
    )
    review_coding(
        coding=theirs, reviewer=supervisor, kind=ReviewNote.Kind.COMMENT, text="ULASAN-RAHASIA-LAIN"
    )
    review_coding(
        coding=mine, reviewer=supervisor, kind=ReviewNote.Kind.COMMENT, text="ULASAN-MILIK-SAYA"
    )
    Summary.objects.create(
        project=project, code=code, case=case, author=colleague, text="RINGKASAN-RAHASIA-LAIN"
    )
    conclusion = Conclusion.objects.create(
        project=project, statement="Jalan menghambat koordinasi", author=researcher
    )
    Evidence.objects.create(conclusion=conclusion, coding=mine, added_by=researcher)
    Evidence.objects.create(conclusion=conclusion, coding=theirs, added_by=colleague)
    return {
        "slug": project.slug,
        "source_id": source.pk,
        "case_id": case.pk,
        "attribute_id": 0,
        "member_id": Membership.objects.get(user=colleague).pk,
        "code_id": code.pk,
        "coding_id": theirs.pk,
        "memo_id": their_memo.pk,
        "conclusion_id": conclusion.pk,
        "mine": mine,
        "theirs": theirs,
        "colleague": colleague,
        "code": code,
        "case": case,
    }


def _pages(world):
    """url name -> [(query, markers of the researcher's own work the page must show)]."""
    code, case, mine = world["code"].pk, world["case"].pk, world["mine"]
    return {
        "interviews:project_detail": [({}, ["1 / 1"])],  # one of one source coded, by them
        "interviews:member_list": [({}, [])],
        "interviews:source_list": [({}, [])],
        "interviews:source_detail": [({}, [])],
        "interviews:source_text": [({}, [])],
        "interviews:case_detail": [({}, [])],
        "coding:codebook": [({}, ['title="Codings">1<'])],
        "coding:code_detail": [({}, ["1 coding"])],
        "coding:source_code": [({}, [f"{mine.pk}"]), ({"show": "all"}, [f"{mine.pk}"])],
        "coding:coding_panel": [
            ({"ids": f"{mine.pk},{world['theirs'].pk}"}, ["MEMO-MILIK-SAYA", "ULASAN-MILIK-SAYA"])
        ],
        "coding:source_events": [({"since": 0}, ["JALAN-MILIK-SAYA"])],
        "coding:source_history": [({}, ["Geografis"])],
        "coding:memo_list": [({}, ["MEMO-MILIK-SAYA"]), ({"target": "coding"}, ["MEMO-MILIK"])],
        "coding:memo_create": [({"coding": mine.pk}, ["JALAN-MILIK-SAYA"])],
        "coding:retrieval": [
            ({"code": code}, ["JALAN-MILIK-SAYA"]),
            ({"code": code, "case": case}, ["JALAN-MILIK-SAYA"]),
        ],
        "coding:frequencies": [({}, ["Geografis"])],
        "coding:display": [
            ({"view": view}, ["Geografis"])
            for view in ("case", "framework", "kind", "cooccurrence", "coder")
        ]
        + [({"view": "chart"}, [])]
        + [({"view": "coder", "format": "csv"}, ["researcher"])],
        "coding:matrix_cell": [
            ({"row": code, "col": "kind", "key": "interview"}, ["JALAN-MILIK-SAYA"]),
            ({"row": code, "col": "case", "key": case}, ["JALAN-MILIK-SAYA"]),
            ({"row": code, "col": "coder", "key": world["colleague"].pk}, []),
        ],
        "coding:conclusion_list": [({}, ["Jalan menghambat koordinasi"])],
        "coding:conclusion_detail": [({}, ["JALAN-MILIK-SAYA", "1 passage coded by another"])],
        "coding:report": [({"format": "html"}, ["JALAN-MILIK-SAYA"])],
        "coding:review_feedback": [({}, ["ULASAN-MILIK-SAYA"])],
        "coding:agreement": [({}, ["Blind coding is on"])],
        "coding:exchange": [({}, [])],
        "coding:codebook_export": [({"format": "csv"}, ["Geografis"])],
        "coding:codings_export": [({"format": "csv"}, ["JALAN-MILIK-SAYA"])],
        "coding:search": [
            ({"q": "mencatat"}, ["mencatat"]),
            ({"q": "RAHASIA", "code": code, "where": "inside"}, []),
        ],
        "coding:word_frequencies": [({"code": code}, ["jalan"])],
        "coding:suggestions": [({}, [])],
        "coding:suggestion_source": [({}, [])],
        "coding:suggestion_inline": [({}, [])],
    }


# Views that show no coding work to a researcher: with the reason.
NO_CODING_WORK = {
    "interviews:project_list": "lists projects",
    "interviews:project_create": "a form",
    "interviews:project_edit": "admins only",
    "interviews:member_edit": "admins only",
    "interviews:member_remove": "admins only",
    "interviews:case_list": "cases and attributes",
    "interviews:case_create": "a form",
    "interviews:case_edit": "a form",
    "interviews:case_delete": "admins only",
    "interviews:attribute_create": "a write",
    "interviews:attribute_delete": "admins only",
    "interviews:source_upload": "a form",
    "interviews:source_paste": "a form",
    "interviews:source_edit": "the source's own fields",
    "interviews:source_delete": "a write",
    "interviews:source_original": "the uploaded file",
    "interviews:job_detail": "one's own jobs only",
    "interviews:job_download": "one's own jobs only",
    "coding:codebook_seed": "admins only",
    "coding:code_edit": "a form on the code",
    "coding:code_move": "a write",
    "coding:code_merge": "admins only",
    "coding:code_delete": "admins only",
    "coding:coding_create": "a write (see test below)",
    "coding:coding_edit": "a write on one's own codings (see test below)",
    "coding:memo_edit": "one's own memos only (see test below)",
    "coding:memo_delete": "one's own memos only",
    "coding:summary_save": "a write (see test below)",
    "coding:conclusion_create": "a form",
    "coding:conclusion_edit": "the statement",
    "coding:conclusion_status": "a write",
    "coding:conclusion_delete": "a write",
    "coding:evidence_add": "a write (see test below)",
    "coding:evidence_remove": "a write",
    "coding:review_queue": "supervisors and admins only",
    "coding:review_act": "a write on one's own codings",
    "coding:agreement_source": "refused under blind coding (see test below)",
    "coding:project_export": "admins only",
    "coding:codebook_import": "a form",
    "coding:cases_import": "a form",
    "coding:project_import": "a form",
    "coding:coding_undo": "a write on one's own actions",
    "coding:coding_memo": "a write (see test below)",
    "coding:placeholder_handover": "admins only",
    "coding:search_code": "a write (codes the researcher's own hits)",
    "coding:search_undo": "a write on one's own actions",
    "coding:stop_words": "the project's stop-word lists",
    "coding:source_find": "the hits of a search in the source's text",
    "coding:suggestion_decide": "a write (tests/suggest: a model of others' codings is hidden)",
    "coding:suggestion_accept_all": "a write",
    "coding:suggestion_undo": "a write",
    "coding:suggestion_judge": "a write (answers like the coding page's writes)",
    "coding:suggestion_judge_all": "a write",
    "login": "not a project page",
    "logout": "not a project page",
    "password_change": "not a project page",
    "password_change_done": "not a project page",
    "set_language": "not a project page",
    "password_reset": "not a project page",
    "password_reset_done": "not a project page",
    "password_reset_confirm": "not a project page",
    "password_reset_complete": "not a project page",
}


def test_every_view_is_in_the_blind_pass(blind):
    covered = set(_pages(blind)) | set(NO_CODING_WORK)
    missing = sorted(set(ACCESS) - covered)
    assert not missing, f"say what these show under blind coding: {missing}"


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def _coding_ids(text: str) -> set[int]:
    """Coding ids a page carries: in data-c runs and the data-k facts of paragraphs."""
    ids = {int(i) for group in re.findall(r'data-c="([\d ]+)"', text) for i in group.split()}
    for facts in re.findall(r'data-k="([^"]*)"', text):
        ids |= {int(i) for i in re.findall(r"&quot;(\d+)&quot;:", facts)}
    return ids


def test_a_blind_researcher_sees_exactly_their_own_work(client, researcher, blind):
    client.force_login(researcher)
    theirs = blind["theirs"].pk
    checked = 0
    for name, reads in _pages(blind).items():
        for query, own in reads:
            response = client.get(_url(name, blind), query)
            assert response.status_code == 200, (name, query, response.status_code)
            text = _body(response)
            hidden = THEIRS
            if name in TEXT_PAGES:
                hidden = [word for word in hidden if word != "RAHASIA-MILIK-LAIN"]
            if name in MEMBER_PAGES:
                hidden = [word for word in hidden if word != "rahasia_lain"]
            for word in hidden:
                assert word not in text, (name, query, word)
            assert theirs not in _coding_ids(text), (name, query)
            for word in own:
                assert word in text, (name, query, word)
            checked += 1
    assert checked >= 30


def test_the_coding_page_marks_only_their_own_codings(client, researcher, blind):
    client.force_login(researcher)
    response = client.get(_url("coding:source_code", blind), {"show": blind["colleague"].pk})
    assert _coding_ids(_body(response)) == {blind["mine"].pk}


def test_the_codings_download_holds_their_rows_only(client, researcher, blind):
    client.force_login(researcher)
    response = client.get(_url("coding:codings_export", blind), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(_body(response))))
    body = "\n".join(",".join(row) for row in rows[1:])
    assert "JALAN-MILIK-SAYA" in body and "RAHASIA-MILIK-LAIN" not in body
    assert len(rows) == 2


def test_a_supervisor_still_sees_everyone(client, supervisor, blind):
    client.force_login(supervisor)
    response = client.get(_url("coding:retrieval", blind), {"code": blind["code"].pk})
    assert "RAHASIA-MILIK-LAIN" in response.text and "JALAN-MILIK-SAYA" in response.text
    history = client.get(_url("coding:source_history", blind))
    assert "rahasia_lain" in history.text


def test_a_blind_researcher_cannot_act_on_a_colleagues_coding(client, researcher, blind):
    client.force_login(researcher)
    theirs = blind["theirs"]
    memo = client.post(
        reverse("coding:memo_create", args=[blind["slug"]]) + f"?coding={theirs.pk}",
        {"text": "Menyusup", "coding": theirs.pk},
    )
    assert memo.status_code == 404
    assert not Memo.objects.filter(text="Menyusup").exists()
    evidence = client.post(
        reverse("coding:evidence_add", args=[blind["slug"]]),
        {"conclusion": blind["conclusion_id"], "coding": theirs.pk, "stance": "supports"},
    )
    assert evidence.status_code in {302, 422}
    assert Evidence.objects.filter(coding=theirs).count() == 1  # only the colleague's own
    summary = client.post(
        reverse("coding:summary_save", args=[blind["slug"]]),
        {"code": blind["code"].pk, "case": blind["case_id"], "text": "Ditimpa"},
    )
    assert summary.status_code == 302
    assert Summary.objects.get(case_id=blind["case_id"]).text == "RINGKASAN-RAHASIA-LAIN"
    side_by_side = client.get(_url("coding:agreement_source", blind))
    assert side_by_side.status_code == 403
    edit_memo = client.get(_url("coding:memo_edit", blind))
    assert edit_memo.status_code == 403
    in_place = client.post(_url("coding:coding_memo", blind), {"text": "Menyusup lagi"})
    assert in_place.status_code == 404
    assert not Memo.objects.filter(text="Menyusup lagi").exists()


def test_word_frequencies_of_a_code_count_only_their_passages(client, researcher, blind):
    client.force_login(researcher)
    url = reverse("coding:word_frequencies", args=[blind["slug"]])
    text = client.get(url, {"code": blind["code"].pk}).text.lower()
    assert "jalan" in text and "rahasia" not in text


def test_searching_inside_a_code_finds_only_their_passages(client, researcher, blind):
    client.force_login(researcher)
    url = reverse("coding:search", args=[blind["slug"]])
    inside = {"code": blind["code"].pk, "where": "inside"}
    assert client.get(url, {"q": "RAHASIA", **inside}).context["page"].paginator.count == 0
    assert client.get(url, {"q": "JALAN", **inside}).context["page"].paginator.count >= 1
