"""Tests for cross-cutting pieces, and helpers the events and core tests share.

The page helpers read a page the way a browser does: `form_values` returns what
the page's own form would submit, so a test can post a form as a user would
(pre-selected defaults, CSRF token) and check that a refused form still shows
everything that was typed.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse


class _FormReader(HTMLParser):
    """Collects the values of the fields of the page's main form(s).

    Forms with an `action` attribute (the navigation bar's language and
    log-out forms, row buttons) are skipped: the main form of a page posts to
    its own address and has no `action`.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._select_seen_option = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_form = "action" not in attributes
            return
        if not self._in_form:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            if attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.values[name] = attributes.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_seen_option = name, False
        elif tag == "option" and self._select is not None:
            # A browser submits the selected option, or else the first one.
            if "selected" in attributes or not self._select_seen_option:
                self.values[self._select] = attributes.get("value", "")
            self._select_seen_option = True
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one line break right after <textarea>.
            text = self.values[self._textarea]
            for newline in ("\r\n", "\n"):
                if text.startswith(newline):
                    self.values[self._textarea] = text[len(newline) :]
                    break
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data


def form_values(page: str | TestResponse) -> dict[str, str]:
    """What the page's main form would submit if the user pressed Save now."""
    text = page if isinstance(page, str) else page.get_data(as_text=True)
    reader = _FormReader()
    reader.feed(text)
    return reader.values


def text_of(response: TestResponse) -> str:
    """The page as text with entities resolved (so "candidate's" matches)."""
    return html.unescape(response.get_data(as_text=True))


def visible_text(response: TestResponse) -> str:
    """The page's words without tags, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def fill_and_submit(
    client: FlaskClient, url: str, typed: dict[str, str], *, form_page: str | None = None
) -> TestResponse:
    """Open the form, keep what it shows (defaults, token), overwrite `typed`, post it."""
    page = client.get(form_page or url)
    assert page.status_code == 200, f"GET {form_page or url} answered {page.status_code}"
    values = form_values(page)
    assert "csrf_token" in values, "the form has no CSRF token"
    values.update(typed)
    return client.post(url, data=values)


def action_token(client: FlaskClient, page_url: str) -> str:
    """The CSRF token that the row buttons (choose, delete) of a page carry."""
    page = client.get(page_url)
    assert page.status_code == 200, f"GET {page_url} answered {page.status_code}"
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    assert match, "the page has no CSRF token"
    return match.group(1)


def rules_under(app: Flask, prefix: str, method: str | None = None) -> list[Rule]:
    """Every URL rule under `prefix` (answering `method`, if given), sorted: what a crawl visits."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix) and (method is None or method in (rule.methods or ()))
    ]
    return sorted(rules, key=lambda rule: rule.rule)


def path_for(app: Flask, rule: Rule, values: dict[str, object]) -> str:
    """The rule's URL with `values`; fails loudly when a new URL variable has no value."""
    unknown = rule.arguments - values.keys()
    if unknown:
        pytest.fail(f"the crawl cannot fill {sorted(unknown)} in {rule.rule}: teach it")
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
