"""Safe CSV and XLSX exports: headers and rows in, bytes out.

A spreadsheet program runs a cell that starts with = + - @ (or a tab or
carriage return before one) as a formula, so a value typed by a user, such as
an organisation called "=HYPERLINK(...)", could run in an organizer's Excel.
CSV text cells that start with one of those characters get a leading
apostrophe, which spreadsheets show as plain text (OWASP "CSV injection").
XLSX cells are typed: text is written as a text cell, never as a formula,
so it keeps its exact value.

Both writers take the rows as any iterable and consume it once, row by row.
The XLSX writer streams (openpyxl's write-only workbook writes each row out
as it comes), so an export of 200,000 registrations never holds them all in
memory: pass a generator and the rows are read from the database as they are
written. `table_download` writes the workbook to a temporary file and sends
it from there in chunks, so the file is not held in memory either.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bytes per chunk of a file sent from disk.
CHUNK_BYTES = 64 * 1024
# Column widths come from the header and the first rows: a streamed sheet fixes its
# columns before the first row is written, and this many rows show the usual widths.
WIDTH_SAMPLE_ROWS = 200
MAX_COLUMN_WIDTH = 60


def neutralise(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _plain(value: Any) -> Any:
    """Enums become their value (or label), everything else stays as it is."""
    if isinstance(value, enum.Enum):
        return getattr(value, "label", None) or value.value
    return value


class _EnumLabels(dict[enum.Enum, Any]):
    """The labels of the enum members met in one export, each translated once (not per cell)."""

    def __missing__(self, member: enum.Enum) -> Any:
        label = self[member] = _plain(member)
        return label

    def plain(self, value: Any) -> Any:
        return self[value] if isinstance(value, enum.Enum) else value


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
    labels = _EnumLabels()
    for row in rows:
        writer.writerow([csv_cell(labels.plain(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_value(value: Any) -> Any:
    value = _plain(value)
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            # Excel has no time zones: write UTC wall-clock time.
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _xlsx_cell(sheet: WriteOnlyWorksheet, raw: Any, *, bold: bool = False) -> Any:
    """A value ready for a write-only row: text that openpyxl would type as a formula
    ("=...") or an error code ("#N/A") is wrapped in a cell forced to text."""
    value = xlsx_value(raw)
    if not bold and not (isinstance(value, str) and (value[:1] == "=" or value in ERROR_CODES)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _width(value: Any) -> int:
    return min(len(str(xlsx_value(value) or "")), MAX_COLUMN_WIDTH)


def to_xlsx(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    """An .xlsx workbook with one sheet: a bold header row, then the rows, streamed.

    `rows` is consumed lazily, one row at a time (only the first
    WIDTH_SAMPLE_ROWS are read ahead, to size the columns).
    """
    buffer = io.BytesIO()
    _write_xlsx(headers, rows, title, buffer)
    return buffer.getvalue()


def _write_xlsx(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str, target: IO[bytes]
) -> None:
    workbook = Workbook(write_only=True)
    # Sheet titles: at most 31 characters, none of []:*?/\
    sheet = workbook.create_sheet(
        "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Export"
    )
    header_texts = [str(header) for header in headers]
    row_iterator: Iterator[Sequence[Any]] = iter(rows)
    sample = list(itertools.islice(row_iterator, WIDTH_SAMPLE_ROWS))
    widths: dict[int, int] = {}
    for row in [header_texts, *sample]:
        for column, raw in enumerate(row, start=1):
            widths[column] = max(widths.get(column, 0), _width(raw))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, text, bold=True) for text in header_texts])
    labels = _EnumLabels()
    for row in itertools.chain(sample, row_iterator):
        sheet.append([_xlsx_cell(sheet, labels.plain(raw)) for raw in row])
    workbook.save(target)


def _as_attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A response that the browser saves as `filename`, never caches or sniffs."""
    return _as_attachment(Response(data, mimetype=mimetype), filename)


class _FileChunks:
    """A file's bytes in chunks, for a response body. The file is closed (a temporary
    file is then deleted) when it has been read, when the server closes the response
    (a client that went away), or at the latest when the response is dropped unread."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def __iter__(self) -> _FileChunks:
        return self

    def __next__(self) -> bytes:
        chunk = b"" if self.file.closed else self.file.read(CHUNK_BYTES)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self.file.close()

    def __del__(self) -> None:
        self.close()


def _file_download(file: IO[bytes], filename: str, mimetype: str) -> Response:
    """`download` of a file, sent from disk in chunks, not read into memory."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    response = Response(_FileChunks(file), mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    return _as_attachment(response, filename)


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
        file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response when sent
        try:
            _write_xlsx(headers, rows, title or name, file)
        except BaseException:
            file.close()
            raise
        return _file_download(file, f"{name}.xlsx", XLSX_MIMETYPE)
    return download(to_csv(headers, rows), f"{name}.csv", f"{CSV_MIMETYPE}; charset=utf-8")
