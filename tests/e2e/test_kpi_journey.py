"""Browser journey: an organizer reads the KPI dashboard, compares 2013 with 2015 and
downloads the comparison as XLSX and PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.helpers import DEFAULT_PASSWORD, make_organizer
from tests.kpi.support import build_edition
from tests.kpi.test_dashboard import build_previous_edition

pytestmark = pytest.mark.e2e


@pytest.fixture
def kpi_site(app: Flask, live_server: str) -> str:
    """Two small editions whose figures are known (the demo data takes too long to load)."""
    make_organizer()
    build_edition("telecom-world-2015")
    build_previous_edition("telecom-world-2013")
    return live_server


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors (a CSP violation by an inline style, say) and uncaught exceptions."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield errors


def test_organizer_compares_2013_with_2015_and_downloads_the_reports(
    kpi_site: str, page: Page, console_errors: list[str], tmp_path: Path
) -> None:
    page.goto(kpi_site + "/")
    page.get_by_role("navigation").get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("E-mail address").fill("organizer@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Welcome, Olga Organizer.")

    page.goto(kpi_site + "/organizer/editions/telecom-world-2015/kpis/")
    expect(page.get_by_role("heading", name="Key performance indicators")).to_be_visible()
    exhibitors = page.get_by_role("article", name="Exhibitors")
    expect(exhibitors.locator(".kpi-value")).to_have_text("4")
    expect(exhibitors.locator(".kpi-change")).to_contain_text("+100.0 %")
    # The charts are images with a name, and their numbers are one click away.
    chart = page.get_by_role("img", name="Exhibitors by annual turnover")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Exhibitors by annual turnover")
    expect(table).to_be_hidden()
    page.locator("#chart-exhibitors-by-band summary").click()
    expect(table.get_by_role("row", name="Under USD 10 M 2")).to_be_visible()

    compare_with = page.get_by_label("Compare with")
    compare_with.select_option(label="Mini World 2013 (2013)")
    page.get_by_role("button", name="Compare").click()

    expect(
        page.get_by_role("heading", name="Mini World 2013 and ITU TELECOM World 2015")
    ).to_be_visible()
    comparison = page.locator("#comparison")
    expect(comparison.locator("thead th").nth(1)).to_have_text("Mini World 2013")
    expect(comparison.locator("thead th").nth(2)).to_have_text("ITU TELECOM World 2015")
    row = comparison.locator("#compare-exhibitors tr").filter(has_text="Exhibitors").nth(1)
    expect(row.locator("td")).to_have_text(["2", "4", "+100.0 %"])
    expect(page.get_by_role("img", name="Size of exhibition")).to_be_visible()

    exports = page.get_by_role("group", name="Export the comparison")
    with page.expect_download() as xlsx_download:
        exports.get_by_role("link", name="XLSX").click()
    xlsx = tmp_path / "kpis.xlsx"
    xlsx_download.value.save_as(xlsx)
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    assert xlsx.read_bytes()[:2] == b"PK"

    with page.expect_download() as pdf_download:
        exports.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "kpis.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"

    assert console_errors == []
