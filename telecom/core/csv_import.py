"""Reading a small CSV upload with a header line, for the all-or-nothing imports
(daily web traffic in telecom.traffic, cost lines in telecom.kpi.costs; the VIP
invitation import of telecom.protocol shares `decode`).

File-level problems (too large, empty, a workbook, not UTF-8, a header without
the required columns) raise ValidationError at once. Line-level problems are
collected by the caller with their line numbers (1 = the header) and raised
together as ImportRejected, so nothing is imported while any line is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from telecom.core.errors import ValidationError

# How many line errors the page lists; the message says how many there were.
SHOWN_ERRORS = 20


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


class ImportRejected(ValidationError):
    """Some lines are wrong: nothing was imported. `errors` are sorted by line."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(
            ngettext(
                "Nothing was imported: the file has %(num)d problem, shown below with its "
                "line number. Correct it and import the file again.",
                "Nothing was imported: the file has %(num)d problems; the first ones are "
                "listed below with their line numbers. Correct them and import the file again.",
                len(errors),
            )
        )
        self.errors = sorted(errors, key=lambda error: error.line)

    @property
    def first_errors(self) -> list[LineError]:
        return self.errors[:SHOWN_ERRORS]


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file (the header is line 1)
    values: dict[str, str]  # column name -> stripped text ("" when missing)
    extra_cells: bool  # more cells than the header names


def decode(data: bytes, *, max_bytes: int) -> str:
    """The upload as text (UTF-8, a byte-order mark tolerated), or a ValidationError."""
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if len(data) > max_bytes:
        if max_bytes % 1048576 == 0:
            message = _("The file is larger than %(size)d MB: split it.", size=max_bytes // 1048576)
        else:
            message = _("The file is larger than %(size)d KB: split it.", size=max_bytes // 1024)
        raise ValidationError(message)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In Excel, choose "
                "“Save as” › “CSV UTF-8”, then import that file."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ValidationError(
            _("This is not a CSV text file in UTF-8. Save it as “CSV UTF-8” and import it again.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file is not in UTF-8, so accented names would be garbled. Save it as "
                "“CSV UTF-8” and import it again."
            )
        ) from None


def _delimiter(text: str) -> str:
    # Spreadsheets in many locales write ";" because their decimal separator is ",".
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _column_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def read_rows(
    data: bytes,
    *,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    max_bytes: int,
    max_rows: int,
) -> list[CsvRow]:
    """The non-blank rows under the header, each with its line number.

    The header must name every `required` column and no unknown one (any
    case and order). Raises ValidationError for a file that cannot be read.
    """
    text = decode(data, max_bytes=max_bytes)
    # strict: an unclosed quote is an error, not a value swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    header: list[str] | None = None
    rows: list[CsvRow] = []
    next_line = 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [_column_name(cell) for cell in record]
                _check_header(header, columns, required)
                continue
            if len(rows) >= max_rows:
                raise ValidationError(
                    _(
                        "The file has more than %(count)d lines: import at most %(count)d at "
                        "a time.",
                        count=max_rows,
                    )
                )
            values = {
                name: (record[index].strip() if index < len(record) else "")
                for index, name in enumerate(header)
            }
            extra = any(cell.strip() for cell in record[len(header) :])
            rows.append(CsvRow(line=line, values=values, extra_cells=extra))
    except csv.Error:
        raise ValidationError(
            _(
                "Line %(line)d could not be read as CSV (check its quotes). Nothing was imported.",
                line=next_line,
            )
        ) from None
    if header is None:
        raise ValidationError(_("The file is empty."))
    if not rows:
        raise ValidationError(_("The file has a header line but no data lines."))
    return rows


def _check_header(header: list[str], columns: tuple[str, ...], required: tuple[str, ...]) -> None:
    expected = ", ".join(columns)
    missing = [name for name in required if name not in header]
    if missing and not set(header) & set(columns):
        raise ValidationError(
            _("The first line must name the columns: %(columns)s.", columns=expected)
        )
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        raise ValidationError(
            _(
                "Unknown column “%(column)s” in the first line. The columns are: %(columns)s.",
                column=unknown[0],
                columns=expected,
            )
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ValidationError(
            _("The column “%(column)s” appears twice in the first line.", column=repeated[0])
        )
    if missing:
        raise ValidationError(
            _(
                "The first line has no column “%(column)s”. The columns are: %(columns)s.",
                column=missing[0],
                columns=expected,
            )
        )


def extra_cells_message(row: CsvRow, header_size: int) -> LineError:
    return LineError(
        row.line,
        _(
            "This line has more values than the %(count)d columns of the header (a value "
            "with a comma needs quotes).",
            count=header_size,
        ),
    )
