"""Safe CSV and XLSX exports: headers and rows in, bytes out.

A spreadsheet program runs a cell that starts with = + - @ (or a tab or
carriage return before one) as a formula, so a value typed by a user, such as
an organisation called "=HYPERLINK(...)", could run in an organizer's Excel.
CSV text cells that start with one of those characters get a leading
apostrophe, which spreadsheets show as plain text (OWASP "CSV injection").
XLSX cells are typed: text is written as a text cell, never as a formula,
so it keeps its exact value.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _plain(value: Any) -> Any:
    """Enums become their value (or label), everything else stays as it is."""
    if isinstance(value, enum.Enum):
        return getattr(value, "label", None) or value.value
    return value


def csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number is never a formula, "-5" must stay -5
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return neutralise(str(value))


def to_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that Excel reads accents right), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(str(header)) for header in headers])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    value = _plain(value)
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            # Excel has no time zones: write UTC wall-clock time.
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def to_xlsx(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    """An .xlsx workbook with one sheet: a bold header row, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    # Sheet titles: at most 31 characters, none of []:*?/\
    sheet.title = "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Export"
    widths: dict[int, int] = {}
    for row_number, row in enumerate([list(headers), *rows], start=1):
        for column, raw in enumerate(row, start=1):
            value = _xlsx_value(str(raw) if row_number == 1 else raw)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "="
            if row_number == 1:
                cell.font = Font(bold=True)
            widths[column] = max(widths.get(column, 0), min(len(str(value or "")), 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A response that the browser saves as `filename`, never caches or sniffs."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def table_download(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    name: str,
    kind: str,
    *,
    title: str | None = None,
) -> Response:
    """An export as `<name>.xlsx` when `kind` is "xlsx", else as `<name>.csv` (UTF-8)."""
    if kind == "xlsx":
        return download(to_xlsx(headers, rows, title=title or name), f"{name}.xlsx", XLSX_MIMETYPE)
    return download(to_csv(headers, rows), f"{name}.csv", f"{CSV_MIMETYPE}; charset=utf-8")
