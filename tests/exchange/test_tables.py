"""Codings and the codebook as CSV, XLSX and DOCX; cases from a CSV."""

import csv
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from interviews.models import Attribute, Case, CaseValue

from .conftest import make_attribute, make_case, make_case_value, upload


def csv_rows(response) -> list[list[str]]:
    # The codings CSV is streamed; the other tables come whole.
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_all_codings_download_as_csv_with_their_context(client, rich_project, supervisor):
    client.force_login(supervisor)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    response = client.get(url, {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="kesra-codings.csv"'
    header, *rows = csv_rows(response)
    assert header == ["Code", "Passage", "Source", "Cases", "Coder", "Start", "End", "Memo"]
    assert len(rows) == 4
    memo_row = next(row for row in rows if row[7])
    assert memo_row[:7] == [
        "Hambatan › Komunikasi",
        "Sinyal susah di Sina",
        "Wawancara Ibu Maria",
        "Kepala Bagian",
        "rina_researcher",
        "44",
        "64",
    ]
    assert memo_row[7] == "Memo pengodean."


def test_codings_download_as_xlsx(client, rich_project, researcher):
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 5
    assert sheet["A1"].value == "Code"


def test_under_blind_coding_a_researcher_downloads_only_their_own_codings(
    client, rich_project, researcher, admin
):
    rich_project.blind_coding = True
    rich_project.save()
    url = reverse("coding:codings_export", args=[rich_project.slug])
    client.force_login(researcher)
    assert {row[4] for row in csv_rows(client.get(url))[1:]} == {"rina_researcher"}
    client.force_login(admin)
    assert len(csv_rows(client.get(url))[1:]) == 4


def test_the_codebook_downloads_as_csv_xlsx_and_docx(client, rich_project, supervisor):
    client.force_login(supervisor)
    url = reverse("coding:codebook_export", args=[rich_project.slug])
    rows = csv_rows(client.get(url, {"format": "csv"}))
    assert rows[0][:3] == ["Path", "Definition", "Colour"]
    assert rows[2][:3] == ["Hambatan › Komunikasi", "Bicara.", "#d62728"]
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    assert sheet["A3"].value == "Hambatan › Komunikasi"
    document = Document(io.BytesIO(client.get(url, {"format": "docx"}).content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Komunikasi" in text
    assert "Definition: Bicara." in text
    assert client.get(url, {"format": "pdf"}).status_code == 404


def test_an_empty_codebook_has_no_qdc_to_give(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("coding:codebook_export", args=[project.slug]), follow=True)
    assert "The codebook is empty" in response.text


# Cases from a CSV


def preview(client, project, text: str):
    url = reverse("coding:cases_import", args=[project.slug])
    return client.post(url, {"file": upload("kasus.csv", text.encode("utf-8"))})


def test_cases_import_with_inferred_and_given_types(client, project, researcher):
    existing = make_case(project, name="Kepala Bagian")
    years = make_attribute(project, name="Masa kerja", type=Attribute.Type.INTEGER)
    make_case_value(existing, years, "5")
    client.force_login(researcher)
    response = preview(
        client,
        project,
        "Kasus,Masa kerja,Beban,Orang asli,Mulai,Kode pos [text]\n"
        'kepala bagian,6,"0,5",ya,2019-01-02,99971\n'
        "Staf Baru,,1.25,tidak,2020-12-31,00123\n",
    )
    plan = response.context["plan"]
    assert plan.errors == []
    assert plan.new_attributes == [
        ("Beban", "float"),
        ("Orang asli", "boolean"),
        ("Mulai", "date"),
        ("Kode pos", "text"),
    ]
    assert plan.new_cases == ["Staf Baru"]
    assert plan.updated_cases == ["Kepala Bagian"]
    assert not Attribute.objects.filter(name="Beban").exists()  # only a preview so far

    url = reverse("coding:cases_import", args=[project.slug])
    token = response.context["token"]
    response = client.post(url, {"token": token, "format": "csv", "action": "confirm"})
    assert response.url == reverse("interviews:case_list", args=[project.slug])
    values = {
        (v.case.name, v.attribute.name): v.value
        for v in CaseValue.objects.select_related("case", "attribute")
    }
    assert values == {
        ("Kepala Bagian", "Masa kerja"): "6",
        ("Kepala Bagian", "Beban"): "0.5",
        ("Kepala Bagian", "Orang asli"): "true",
        ("Kepala Bagian", "Mulai"): "2019-01-02",
        ("Kepala Bagian", "Kode pos"): "99971",
        ("Staf Baru", "Beban"): "1.25",
        ("Staf Baru", "Orang asli"): "false",
        ("Staf Baru", "Mulai"): "2020-12-31",
        ("Staf Baru", "Kode pos"): "00123",
    }


def test_cases_import_names_each_bad_row_and_saves_nothing(client, project, researcher):
    make_attribute(project, name="Masa kerja", type=Attribute.Type.INTEGER)
    client.force_login(researcher)
    response = preview(
        client,
        project,
        "Kasus,Masa kerja,Status [warna]\n,1,\nA,enam,\nB,2,\nb,3,\n",
    )
    assert response.context["plan"].errors == [
        "Column “Status [warna]”: unknown type “warna” "
        "(use text, integer, float, boolean or date).",
        "Line 2: the case name is empty.",
        "Line 3, column “Masa kerja”: “enam” is not a whole number.",
        "Line 5: the case “b” is listed twice.",
    ]
    assert response.context["token"] is None
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["supervisor", "outsider"])
def test_cases_import_is_for_coders(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = preview(client, project, "Kasus\nA\n")
    assert response.status_code == (403 if persona == "supervisor" else 404)


def test_a_cases_row_with_more_cells_than_the_header_is_refused_naming_its_line(
    client, project, researcher
):
    client.force_login(researcher)
    response = preview(client, project, "Kasus,Umur\nIbu Sari,40\n\nPak Yan,52,Kepala\n")
    assert (
        "Line 4 of the file cannot be read: it has 3 cells, but the file has 2 columns "
        "(Kasus, Umur). Nothing was saved." in response.text
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize("codings", [1, 30])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_codings_download_reads_the_same_queries_whatever_the_codings(
    client, rich_project, researcher, codings, fmt, django_assert_num_queries
):
    from coding.models import Code
    from coding.services import apply_code
    from interviews.models import Source

    code = Code.objects.get(project=rich_project, name="Komunikasi")
    source = Source.objects.create(
        project=rich_project, title="Panjang", text="kata " * 200, created_by=researcher
    )
    for n in range(codings):
        apply_code(source=source, start=n * 5, end=n * 5 + 4, passage="kata", code=code,
                   coder=researcher)  # fmt: skip
    client.force_login(researcher)
    url = reverse("coding:codings_export", args=[rich_project.slug])
    # session, user, membership; the codebook, the sources' cases, the memos, the codings.
    with django_assert_num_queries(7):
        response = client.get(url, {"format": fmt})
        body = b"".join(response) if response.streaming else response.content
    assert body
