"""Browser journeys: an organizer reviews the 2015 host bids; a visitor reads in Arabic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, expect

from telecom.demo import load_demo_data

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_site(app: Flask, live_server: str) -> str:
    """The live server with the demo editions, bids and accounts loaded."""
    load_demo_data()
    return live_server


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors (CSP violations, failed loads) and uncaught exceptions on any page."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield errors


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Welcome, Demo Organizer.")


def test_organizer_sees_the_2015_candidate_venues(
    app: Flask, demo_site: str, page: Page, console_errors: list[str]
) -> None:
    log_in(
        page, demo_site, app.config["DEMO_ORGANIZER_EMAIL"], app.config["DEMO_ORGANIZER_PASSWORD"]
    )

    page.get_by_role("navigation").get_by_role("link", name="Organizer", exact=True).click()
    expect(page.get_by_role("heading", name="Editions")).to_be_visible()
    page.get_by_role("link", name="ITU TELECOM World 2015").click()

    expect(page.get_by_role("heading", name="ITU TELECOM World 2015", level=1)).to_be_visible()
    venues = page.locator("table[aria-describedby='candidate-venues']")
    rows = venues.locator("tbody tr")
    expect(rows).to_have_count(4)

    budapest = rows.filter(has_text="Budapest")
    expect(budapest).to_have_class("table-success")
    expect(budapest.locator(".badge")).to_have_text("Chosen")
    expect(budapest.locator("td").nth(1)).to_have_text("Hungary")
    for city, country in [
        ("Mexico City", "Mexico"),
        ("Rome", "Italy"),
        ("Hong Kong", "Hong Kong SAR China"),
    ]:
        row = rows.filter(has_text=city)
        expect(row.locator("td").nth(1)).to_have_text(country)
        expect(row).not_to_have_class("table-success")
        expect(row.locator("td").nth(4)).to_have_text("Not selected")

    assert console_errors == []


def test_language_switcher_turns_the_site_arabic_and_right_to_left(
    demo_site: str, page: Page, console_errors: list[str]
) -> None:
    page.goto(demo_site + "/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")

    navbar = page.get_by_role("navigation")
    navbar.get_by_label("Language").select_option("ar")
    navbar.get_by_role("button", name="Change").click()

    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="الدورات")).to_be_visible()
    rtl_css = page.locator("link[rel='stylesheet'][href$='/bootstrap.rtl.min.css']")
    expect(rtl_css).to_have_count(1)
    expect(page.locator("link[rel='stylesheet'][href$='/bootstrap.min.css']")).to_have_count(0)
    # Loaded and applied, not only linked: its rules are readable and the body runs right to left.
    rules = page.evaluate(
        """() => [...document.styleSheets]
            .filter(sheet => (sheet.href || "").endsWith("/bootstrap.rtl.min.css"))
            .map(sheet => sheet.cssRules.length)"""
    )
    assert len(rules) == 1 and rules[0] > 0
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # The choice sticks for the rest of the visit.
    page.get_by_role("link", name="ITU TELECOM World 2015").click()
    expect(html).to_have_attribute("dir", "rtl")

    assert console_errors == []
