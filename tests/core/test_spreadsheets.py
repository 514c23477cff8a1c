"""CSV and XLSX exports: formulas are never run, values come back as they went in."""

from __future__ import annotations

import csv
import gc
import io
import weakref
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from telecom.core import spreadsheets
from telecom.exhibitors.models import Sector

HEADERS = ["Name", "Amount", "When", "Note"]


def read_csv(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1",
     '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"],
)  # fmt: skip
def test_csv_text_that_would_be_a_formula_is_neutralised(value):
    [header, row] = read_csv(spreadsheets.to_csv(["Value"], [[value]]))

    assert header == ["Value"]
    assert row == ["'" + value]


def test_csv_keeps_ordinary_values_and_numbers():
    rows = [
        ['Zoë & Co, "quoted"', Decimal("-12.50"), date(2015, 10, 12), None],
        ["Line one\nline two", -3, datetime(2015, 10, 12, 9, 30, tzinfo=UTC), Sector.E_HEALTH],
        ["a=b", 1.5, None, True],
    ]

    parsed = read_csv(spreadsheets.to_csv(HEADERS, rows))

    assert parsed == [
        HEADERS,
        ['Zoë & Co, "quoted"', "-12.50", "2015-10-12", ""],
        ["Line one\nline two", "-3", "2015-10-12T09:30:00+00:00", "e-Health"],
        ["a=b", "1.5", "", "yes"],
    ]


def test_csv_headers_are_neutralised_too():
    [header] = read_csv(spreadsheets.to_csv(["=evil"], []))

    assert header == ["'=evil"]


def test_xlsx_opens_and_has_the_rows():
    rows = [
        ["Nokia", Decimal("9.00"), date(2015, 10, 12), "=1+1"],
        ["Huawei", 30, datetime(2015, 10, 12, 9, 30, tzinfo=UTC), "bad\x00char"],
    ]

    data = spreadsheets.to_xlsx(HEADERS, rows, title="Exhibitors: 2015/16 [all]")

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Exhibitors 201516 all"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(HEADERS)
    assert values[1][:2] == ("Nokia", 9)
    assert values[1][2].date() == date(2015, 10, 12)
    assert values[1][3] == "=1+1"
    assert values[2][2] == datetime(2015, 10, 12, 9, 30)  # UTC wall-clock time
    assert values[2][3] == "badchar"
    # Text that looks like a formula is stored as text.
    assert sheet["D2"].data_type == "s"
    assert sheet["A1"].font.bold


def test_xlsx_formula_text_never_becomes_a_formula_in_the_file():
    data = spreadsheets.to_xlsx(["x"], [["=SUM(1,2)"]])

    # Reading with formulas (not cached values): still the literal text.
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    cell = workbook.active["A2"]
    assert cell.value == "=SUM(1,2)"
    assert cell.data_type == "s"


def test_download_headers(app):
    with app.test_request_context():
        response = spreadsheets.download(b"a,b\r\n", "list.csv", "text/csv")

    assert response.headers["Content-Disposition"] == 'attachment; filename="list.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


class Row(list):
    """A row that can be watched with a weak reference (to see whether the writer keeps it)."""


def test_xlsx_streams_a_generator_without_keeping_its_rows():
    produced = 0
    alive = 0
    most_alive_at_once = 0

    def released() -> None:
        nonlocal alive
        alive -= 1

    def rows():
        nonlocal produced, alive, most_alive_at_once
        for number in range(10_000):
            row = Row([f"Person {number}", number, "=1+1" if number % 1000 == 0 else "plain"])
            weakref.finalize(row, released)
            produced += 1
            alive += 1
            most_alive_at_once = max(most_alive_at_once, alive)
            yield row

    data = spreadsheets.to_xlsx(["Name", "Number", "Note"], rows())

    assert produced == 10_000
    # Only the rows read ahead to size the columns are held at once, not the whole export.
    assert most_alive_at_once <= spreadsheets.WIDTH_SAMPLE_ROWS + 2
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 10_001
    assert values[0] == ("Name", "Number", "Note")
    assert values[1] == ("Person 0", 0, "=1+1")
    assert values[5_678] == ("Person 5677", 5677, "plain")
    assert values[10_000] == ("Person 9999", 9999, "plain")


def test_xlsx_streamed_formula_and_error_texts_stay_text():
    rows = (["=SUM(1,2)", "#N/A", "@cmd", "-3"] for _ in range(300))  # past the sampled rows

    data = spreadsheets.to_xlsx(["=header", "b", "c", "d"], rows)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "=header"
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].font.bold
    for row in (2, 301):
        assert [sheet.cell(row=row, column=c).value for c in range(1, 5)] == [
            "=SUM(1,2)", "#N/A", "@cmd", "-3"
        ]  # fmt: skip
        assert sheet.cell(row=row, column=1).data_type == "s"
        assert sheet.cell(row=row, column=2).data_type == "s"
    assert sheet.max_row == 301


def test_xlsx_sizes_columns_from_the_first_rows_and_freezes_the_header():
    rows = [["short", "x" * 40]] + [["a", "b"]] * 500

    data = spreadsheets.to_xlsx(["Name", "A rather long header"], rows)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == len("short") + 2
    assert sheet.column_dimensions["B"].width == 40 + 2


def test_xlsx_of_no_rows_has_the_header_only():
    data = spreadsheets.to_xlsx(["Name"], iter(()))

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Name",)]


def test_table_download_sends_the_xlsx_from_a_file_in_chunks(app):
    rows = (["=1+1", number] for number in range(3))

    with app.test_request_context():
        response = spreadsheets.table_download(["Formula", "Number"], rows, "list", "xlsx")
        body = b"".join(response.response)
        response.close()

    assert response.direct_passthrough
    assert response.content_length == len(body)
    assert response.mimetype == spreadsheets.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="list.xlsx"'
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Formula", "Number"), ("=1+1", 0), ("=1+1", 1), ("=1+1", 2)
    ]  # fmt: skip
    assert sheet["A2"].data_type == "s"


def test_an_xlsx_download_dropped_unread_leaves_no_open_file(app):
    with app.test_request_context():
        response = spreadsheets.table_download(["Name"], [["x"]], "list", "xlsx")
    assert response.status_code == 200

    del response
    gc.collect()  # an unclosed temporary file would warn here, and warnings are errors
