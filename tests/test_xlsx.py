"""The XLSX writer (coding/xlsx.py): what openpyxl reads back from it."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from coding.tabular import xlsx_bytes
from coding.xlsx import xlsx_file_bytes


def _book(sheets):
    return load_workbook(io.BytesIO(xlsx_file_bytes(sheets)))


def test_values_come_back_with_their_types_and_columns():
    row = [
        "  indented",
        'a & b < c > d "e"',
        "baris\nkedua",
        None,
        "",
        7,
        -1.25,
        True,
        Decimal("0.75"),
        dt.date(2026, 3, 9),
        "😊 café",
    ]
    sheet = _book([("Codings", [f"H{n}" for n in range(len(row))], [row])]).active
    assert [cell.value for cell in sheet[2]] == [
        "  indented",
        'a & b < c > d "e"',
        "baris\nkedua",
        None,
        None,
        7,
        -1.25,
        True,
        0.75,
        "2026-03-09",
        "😊 café",
    ]


def test_control_characters_are_dropped_not_a_broken_file():
    sheet = _book([("S", ["Passage"], [["a\x00b\x0bc\x1fd"]])]).active
    assert sheet["A2"].value == "abcd"


def test_a_text_longer_than_an_excel_cell_is_cut_to_fit_and_says_so():
    whole = "Sinyal 😊 " * 4_000  # 36,000 characters, 40,000 UTF-16 units
    fits = "a" * 32_767
    sheet = _book([("S", ["Passage"], [[whole], [fits]])]).active
    cut = sheet["A2"].value
    assert cut.endswith(" […]") and whole.startswith(cut.removesuffix(" […]"))
    assert len(cut.encode("utf-16-le")) // 2 <= 32_767 < len(cut.encode("utf-16-le")) // 2 + 3
    assert sheet["A3"].value == fits  # exactly the limit: kept whole


def test_the_header_is_bold_and_frozen_on_every_sheet():
    book = _book([("One", ["A", "B"], [[1, 2]]), ("Two", ["C"], [["x"], ["y"]])])
    assert book.sheetnames == ["One", "Two"]
    for sheet in book.worksheets:
        assert sheet["A1"].font.bold
        assert sheet.freeze_panes == "A2"
    assert not book["Two"]["A2"].font.bold
    assert list(book["Two"].iter_rows(values_only=True)) == [("C",), ("x",), ("y",)]


def test_sheet_names_are_made_acceptable_and_distinct():
    book = _book([("Code × case: a/b [x]", ["A"], []), ("code × case: a/b [x]", ["A"], [])])
    first, second = book.sheetnames
    assert first == "Code × case  a b  x"
    assert second != first and len(second) <= 31
    assert _book([("", ["A"], []), ("x" * 40, ["A"], [])]).sheetnames == ["Sheet", "x" * 31]


def test_wide_rows_name_columns_past_z():
    row = list(range(30))
    sheet = _book([("Wide", [f"c{n}" for n in row], [row])]).active
    assert sheet["Z2"].value == 25
    assert sheet["AD2"].value == 29


def test_many_rows_are_written_in_chunks_and_all_arrive():
    rows = ([n, f"passage {n}"] for n in range(2_500))  # a generator, read once
    sheet = _book([("Many", ["n", "text"], rows)]).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 2_500
    assert values[-1] == (2_499, "passage 2499")


def test_the_file_is_a_plain_ooxml_package():
    data = xlsx_bytes([("S", ["=cmd", "n"], [["=1+1", 3]])])
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } <= names
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == ["'=cmd", "n"]
    assert [cell.value for cell in sheet[2]] == ["'=1+1", 3]
