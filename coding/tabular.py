"""Tables as downloads: CSV (UTF-8 with BOM, so Excel reads it) and XLSX (openpyxl)."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote.

    Every value written, header or cell, goes through here. Leading spaces are looked
    past: an indented code label "  =…" is still a formula to some spreadsheets.
    """
    if isinstance(value, str) and value.lstrip(" \u00a0")[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _safe_row(values: Iterable) -> list:
    return [_safe(value) for value in values]


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_safe_row(header))
    for row in rows:
        writer.writerow(_safe_row(row))
    return response


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, header, rows); the header row is bold and frozen."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31] or "Sheet")
        sheet.append(_safe_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(_safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
