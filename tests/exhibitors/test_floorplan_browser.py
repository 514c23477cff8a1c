"""The floor plan in a real browser (Chromium): zoom, tooltip on hover and focus, no CSP errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from telecom.events.models import Edition
from tests.exhibitors.floorplan_support import PLAN_URL, book, booth, hall, hold, organisation
from tests.helpers import make_edition

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """Shadows pytest-playwright's deprecated fallback (see tests/e2e/conftest.py)."""
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Console errors (CSP violations, failed loads) and uncaught exceptions."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield errors


@pytest.fixture
def plan_site(app, live_server: str) -> str:  # type: ignore[no-untyped-def]
    edition: Edition = make_edition()
    hall_f = hall(edition, "F", "60", "40")
    booth(edition, hall_f, "F1", "0", "0", "6", "3")
    booked = booth(edition, hall_f, "F2", "6", "0", "6", "3", open_sides=2)
    held = booth(edition, hall_f, "F3", "12", "0", "3", "3")
    book(booked, organisation(edition, "Nokia"))
    hold(held, organisation(edition, "Private Holder"))
    return live_server


def view_box(page: Page) -> list[float]:
    return [float(n) for n in page.locator("svg.floorplan-svg").get_attribute("viewBox").split()]


def test_zoom_tooltip_and_focus(plan_site: str, page: Page, console_errors: list[str]) -> None:
    page.goto(plan_site + PLAN_URL)
    svg = page.locator("svg.floorplan-svg")
    expect(svg).to_be_visible()
    assert view_box(page) == [0, 0, 60, 40]

    # The stylesheet applies (no inline styles needed): available booths are green.
    fill = page.evaluate(
        "getComputedStyle(document.querySelector('.booth--available .booth-shape')).fill"
    )
    assert fill == "rgb(183, 228, 199)"

    zoom = page.get_by_role("group", name="Zoom")
    expect(zoom).to_be_visible()  # shown by the script
    zoom.get_by_role("button", name="Zoom in").click()
    _x, _y, width, depth = view_box(page)
    assert width == pytest.approx(60 / 1.4) and depth == pytest.approx(40 / 1.4)
    zoom.get_by_role("button", name="Whole hall").click()
    assert view_box(page) == [0, 0, 60, 40]

    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    expect(svg).to_have_class("floorplan-svg is-zoomed")
    assert view_box(page)[2] < 60
    zoom.get_by_role("button", name="Whole hall").click()

    tooltip = page.locator("#fp-tooltip")
    page.locator(".booth[data-code='F1']").hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Booth F1 — Available")
    expect(tooltip).to_contain_text("6 m × 3 m (18 sqm)")
    expect(tooltip).to_contain_text("Price: CHF9,360.00")

    page.locator(".booth[data-code='F2']").focus()
    expect(tooltip).to_contain_text("Booth F2 — Booked")
    expect(tooltip).to_contain_text("Exhibitor: Nokia")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()

    page.locator(".booth[data-code='F3']").focus()
    expect(tooltip).to_contain_text("Held by an exhibitor")
    expect(tooltip).not_to_contain_text("Private Holder")

    # Keyboard users reach the available booth's link with Tab.
    page.locator(".booth[data-code='F1']").focus()
    assert page.evaluate("document.activeElement.getAttribute('data-code')") == "F1"
    href = page.locator(".booth[data-code='F1']").get_attribute("href")
    assert href and href.startswith("/editions/telecom-world-2015/booths/")

    assert console_errors == []


def test_the_plan_works_without_javascript(plan_site: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(plan_site + PLAN_URL + "?highlight=F2")
        expect(page.locator(".booth")).to_have_count(3)
        expect(page.locator(".booth-highlight-ring")).to_have_count(1)
        expect(page.get_by_role("group", name="Zoom")).to_be_hidden()  # useless without JS
        assert page.locator(".booth[data-code='F1']").get_attribute("href")
    finally:
        context.close()
