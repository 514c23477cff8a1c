"""CSV and XLSX exports: formulas are never run, values come back as they went in."""

from __future__ import annotations

import csv
import io
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
