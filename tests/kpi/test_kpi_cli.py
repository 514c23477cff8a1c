"""`flask kpi export SLUG --format FMT --output FILE [--compare SLUG] [--as-of DATE]`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from openpyxl import load_workbook

from telecom.kpi import compute_kpis
from telecom.kpi.cli import kpi_cli
from tests.helpers import make_edition
from tests.kpi.support import build_edition

SLUG = "kpi-world-2015"


def run(app: Flask, *args: str) -> Result:
    # The group as `flask kpi` runs it (telecom/cli.py registers it on the app).
    return app.test_cli_runner().invoke(kpi_cli, list(args))


def make_2013() -> None:
    make_edition("kpi-world-2013", name="ITU TELECOM World 2013", city="Bangkok", country="TH",
                 start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip


def test_writes_a_csv_file_and_says_so(app: Flask, tmp_path: Path) -> None:
    build_edition()
    target = tmp_path / "kpis.csv"

    result = run(app, "export", SLUG, "--format", "csv", "--output", str(target))

    assert result.exit_code == 0, result.output
    assert f"Wrote the KPI report of {SLUG} as csv to {target}" in result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    attended = next(r for r in rows if (r["kpi"], r["figure"]) == ("trade_visitors", "attended"))
    assert attended["value"] == "3"


def test_writes_a_workbook_compared_with_another_edition(app: Flask, tmp_path: Path) -> None:
    build_edition()
    make_2013()
    target = tmp_path / "kpis.xlsx"

    result = run(app, "export", SLUG, "--format", "xlsx", "--output", str(target),
                 "--compare", "kpi-world-2013", "--as-of", "2015-10-13")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "compared with kpi-world-2013 as of 2015-10-13" in result.output
    book = load_workbook(target)
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Comparison"


def test_writes_a_pdf(app: Flask, tmp_path: Path) -> None:
    build_edition()
    target = tmp_path / "report.pdf"

    result = run(app, "export", SLUG, "--format", "pdf", "--output", str(target))

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")


def test_json_goes_to_standard_output(app: Flask) -> None:
    built = build_edition()

    result = run(app, "export", SLUG, "--format", "json", "--output", "-", "--as-of", "2015-10-12")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == compute_kpis(built.edition, date(2015, 10, 12)).as_dict()


def test_csv_goes_to_standard_output_without_a_byte_order_mark(app: Flask) -> None:
    build_edition()

    result = run(app, "export", SLUG, "--format", "CSV", "--output", "-")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("edition,as_of,kpi,figure,dimension,value,unit")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "no-such-edition", "--format", "csv", "--output", "-"],
         "There is no edition no-such-edition."),
        (["export", SLUG, "--format", "csv", "--output", "-", "--compare", "nowhere"],
         "There is no edition nowhere to compare with."),
        (["export", SLUG, "--format", "docx", "--output", "-"],
         "'docx' is not one of 'csv', 'xlsx', 'json', 'pdf'"),
        (["export", SLUG, "--format", "csv", "--output", "-", "--as-of", "12.10.2015"],
         "as_of must be a date written YYYY-MM-DD"),
        (["export", SLUG, "--format", "pdf", "--output", "-"],
         "--output - works for csv and json only, not pdf."),
        (["export", SLUG, "--output", "-"], "Missing option '--format'"),
    ],
)  # fmt: skip
def test_mistakes_are_clear_errors(app: Flask, args: list[str], message: str) -> None:
    build_edition()

    result = run(app, *args)

    assert result.exit_code != 0
    assert message in result.output


def test_an_unwritable_output_is_a_clear_error(app: Flask, tmp_path: Path) -> None:
    build_edition()

    result = run(app, "export", SLUG, "--format", "csv", "--output", str(tmp_path / "no" / "x.csv"))

    assert result.exit_code == 1
    assert f"Cannot write {tmp_path / 'no' / 'x.csv'}" in result.output


def test_the_demo_2015_export_reproduces_the_published_figures(app: Flask, tmp_path: Path) -> None:
    from telecom.demo import load_demo_data

    load_demo_data()
    target = tmp_path / "kpis-2015.csv"

    result = run(app, "export", "telecom-world-2015", "--format", "csv", "--output", str(target),
                 "--compare", "telecom-world-2013")  # fmt: skip

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    figures = {
        (row["kpi"], row["figure"]): row["value"]
        for row in rows
        if row["edition"] == "telecom-world-2015" and row["dimension"] == ""
    }
    # 238 exhibitors from 54 countries, 23 national pavilions, 239 leaders, 247 speakers,
    # four candidate venues, about 4,000 participants from 129 countries.
    assert figures[("exhibitors", "total")] == "238"
    assert figures[("exhibitors", "countries")] == "54"
    assert figures[("exhibition_size", "national_pavilions")] == "23"
    assert figures[("vips", "attended")] == "239"
    assert figures[("forum", "speakers")] == "247"
    assert figures[("candidate_venues", "count")] == "4"
    assert figures[("candidate_venues", "chosen")] == "HUNGEXPO, Budapest (HU)"
    assert 3_700 <= int(figures[("total_participants", "registered")]) <= 4_300
    assert figures[("total_participants", "registered_countries")] == "129"
    assert {row["edition"] for row in rows} == {"telecom-world-2013", "telecom-world-2015"}
