"""Helpers that make tests read like user stories."""

from __future__ import annotations

import contextvars
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import Message
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events import services as event_services
from telecom.events.models import Edition

DEFAULT_PASSWORD = "correct horse battery"


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps an app context pushed for the whole test so tests can
    use the database; Flask would reuse that context for test-client requests,
    and `g` (Flask-Login's user, Flask-WTF's CSRF token, Flask-Babel's locale)
    would leak from one request and one client to the next. An empty
    contextvars context makes Flask push a fresh app context per request.
    """

    def open(self, *args: object, **kwargs: object) -> TestResponse:
        return contextvars.Context().run(super().open, *args, **kwargs)


_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def submit_form(
    client: FlaskClient,
    url: str,
    data: dict | None = None,
    *,
    form_page: str | None = None,
    follow_redirects: bool = False,
) -> TestResponse:
    """Open the page holding the form (default: `url`), then post it with its CSRF token."""
    page = client.get(form_page or url)
    assert page.status_code == 200, f"GET {form_page or url} answered {page.status_code}"
    payload = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **(data or {})}
    return client.post(url, data=payload, follow_redirects=follow_redirects)


def make_user(
    email: str = "person@example.org",
    *,
    roles: set[Role] | None = None,
    password: str = DEFAULT_PASSWORD,
    full_name: str = "Ada Example",
    confirmed: bool = True,
) -> User:
    user = auth_services.create_user(
        email=email, full_name=full_name, password=password, roles=roles,
        confirmed=confirmed, actor=None,
    )  # fmt: skip
    commit()
    return user


def make_organizer(email: str = "organizer@example.org") -> User:
    return make_user(email, roles={Role.ORGANIZER}, full_name="Olga Organizer")


def make_edition(slug: str = "telecom-world-2015", **overrides: object) -> Edition:
    values: dict = {
        "slug": slug,
        "name": "ITU TELECOM World 2015",
        "city": "Budapest",
        "country": "HU",
        "venue": "HUNGEXPO",
        "start_date": date(2015, 10, 12),
        "end_date": date(2015, 10, 15),
        "timezone": "Europe/Budapest",
        "currency": "CHF",
    }
    values.update(overrides)
    return event_services.create_edition(event_services.EditionData(**values), actor=None)


def html(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def is_logged_in(client: FlaskClient) -> bool:
    """What a user sees: the account page opens, or they are sent to log in."""
    response = client.get("/account/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
    return False


def log_in(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> TestResponse:
    response = submit_form(client, "/account/login", {"email": email, "password": password})
    assert response.status_code == 302, "log-in failed"
    return response


@dataclass
class MailSink:
    """Messages a real SMTP server received, parsed."""

    messages: list[Message] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(
                message_from_bytes(envelope.original_content, policy=policy.default)
            )
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def first_link(message: Message) -> str:
    match = re.search(r"https?://\S+", body_of(message))
    assert match, "the message has no link"
    return match.group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mail_sink() -> tuple[MailSink, Controller]:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return sink, controller
