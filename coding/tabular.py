"""Tables as downloads: CSV (UTF-8 with BOM, so Excel reads it) and XLSX (openpyxl).

CSV is streamed in chunks of rows (`StreamingHttpResponse`): the first bytes leave
while later rows are still being read. XLSX is written a chunk of rows at a time by
`coding.xlsx` (openpyxl, even write-only, spent most of a large export on its cell
objects; it stays for reading spreadsheets).
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import HttpResponse, StreamingHttpResponse

from .xlsx import xlsx_file_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CHUNK_ROWS = 1_000
_FORMULA_STARTS = frozenset("=+-@\t\r")
_BLANKS = frozenset(" \u00a0")
_FIRST = _FORMULA_STARTS | _BLANKS  # a cheap first look before _risky


def _risky(value: str) -> bool:
    """Would a spreadsheet run this text as a formula? Leading spaces are looked past:
    an indented code label "  =…" is still a formula to some spreadsheets."""
    first = value[:1]
    return first in _FORMULA_STARTS or (
        first in _BLANKS and value.lstrip(" \u00a0")[:1] in _FORMULA_STARTS
    )


def _safe(value):
    """Text that a spreadsheet would run as a formula is prefixed with a quote.

    Every value written, header or cell, CSV or XLSX, goes through here.
    """
    if isinstance(value, str) and _risky(value):
        return "'" + value
    return value


def _safe_row(row: Sequence) -> list:
    """_safe on every cell of a row, inlined: exports call it on every cell."""
    return [
        "'" + value if isinstance(value, str) and value[:1] in _FIRST and _risky(value) else value
        for value in row
    ]


class _Line:
    """A file-like object whose write() hands back what the csv writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence, rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes (with BOM), one chunk per CSV_CHUNK_ROWS rows."""
    writer = csv.writer(_Line())
    chunk = ["\ufeff", writer.writerow(_safe_row(header))]
    for row in rows:
        chunk.append(writer.writerow(_safe_row(row)))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(
        b"".join(csv_chunks(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_streaming_response(
    filename: str, header: Sequence, rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """Like csv_response, but sent while `rows` (a lazy iterable) is still being read."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _safe_rows(rows: Iterable[Sequence]) -> Iterator[list]:
    """The rows with formula-like text quoted; "" becomes None (an empty cell)."""
    for row in rows:
        yield [
            None
            if value == ""
            else "'" + value
            if isinstance(value, str) and value[:1] in _FIRST and _risky(value)
            else value
            for value in row
        ]


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """One worksheet per (title, header, rows); the header row is bold and frozen."""
    return xlsx_file_bytes(
        [(title, _safe_row(header), _safe_rows(rows)) for title, header, rows in sheets]
    )


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
