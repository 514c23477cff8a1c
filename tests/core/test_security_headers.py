"""Browsers get a strict Content-Security-Policy, and the templates never need to loosen it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import TestResponse

from tests.helpers import log_in, make_edition, make_organizer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_strict_headers(response: TestResponse) -> None:
    csp_header = response.headers.get("Content-Security-Policy")
    assert csp_header, "no Content-Security-Policy"
    csp = policy(csp_header)
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp_header
    assert "'unsafe-eval'" not in csp_header
    assert "*" not in csp_header.split()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    assert response.headers["X-Frame-Options"] == "DENY"


def test_html_page_has_strict_security_headers(app, client):
    make_edition()

    response = client.get("/")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert_strict_headers(response)


@pytest.mark.parametrize(
    "path",
    [
        "/editions/telecom-world-2015",
        "/editions/unknown",
        "/account/login",
        "/healthz",
        "/organizer/",
        "/api/v1/editions",
    ],
)
def test_every_kind_of_response_has_the_headers(app, client, path):
    make_edition()

    assert_strict_headers(client.get(path))


def test_organizer_pages_have_the_headers(app):
    make_edition()
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")

    response = client.get("/organizer/editions/telecom-world-2015/edit")

    assert response.status_code == 200
    assert_strict_headers(response)


def test_testing_app_does_not_claim_https(app, client):
    """HSTS only where cookies are HTTPS-only (production); see test_health_and_config."""
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_rendered_pages_have_no_inline_script_or_style(app):
    make_edition()
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")

    for path in [
        "/",
        "/editions/telecom-world-2015",
        "/organizer/",
        "/organizer/editions/telecom-world-2015",
        "/organizer/editions/new",
    ]:
        page = client.get(path).get_data(as_text=True)
        for attributes, body in SCRIPT.findall(page):
            assert "src=" in attributes, f"{path}: inline <script>"
            assert body.strip() == "", f"{path}: a <script> with a body"
        assert not STYLE_ATTRIBUTE.search(page), f"{path}: style= attribute"
        assert not STYLE_ELEMENT.search(page), f"{path}: <style> element"


def template_files() -> list[Path]:
    files = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".jinja", ".j2"})
    assert files, f"no templates found under {TEMPLATES}"
    return files


def test_templates_have_no_inline_script_bodies():
    offenders = []
    for path in template_files():
        for attributes, body in SCRIPT.findall(path.read_text()):
            if body.strip() or "src=" not in attributes:
                offenders.append(str(path.relative_to(TEMPLATES)))
    assert not offenders, f"inline scripts (blocked by the CSP): {offenders}"


def test_templates_have_no_style_attributes_or_elements():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in template_files()
        if STYLE_ATTRIBUTE.search(path.read_text()) or STYLE_ELEMENT.search(path.read_text())
    ]
    assert not offenders, f"inline styles (blocked by the CSP): {offenders}"


def test_templates_have_no_inline_event_handlers_or_javascript_urls():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in template_files()
        if EVENT_HANDLER.search(path.read_text()) or JAVASCRIPT_URL.search(path.read_text())
    ]
    assert not offenders, f"inline handlers (blocked by the CSP): {offenders}"


def test_the_template_scan_would_catch_offenders():
    """The patterns themselves: a scan that never matches proves nothing."""
    assert SCRIPT.search("<script>alert(1)</script>")
    assert STYLE_ATTRIBUTE.search('<div class="x" style="color: red">')
    assert STYLE_ATTRIBUTE.search("<p\nstyle='x'>")
    assert not STYLE_ATTRIBUTE.search('<link rel="stylesheet" href="/static/x.css">')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<option value="x">')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')
