"""The request hook that counts public page views, without cookies.

An after_request hook decides whether the response is a view of a public
page (rules below); if so, the view is counted once the response has been
sent (`response.call_on_close`, which the WSGI server calls after the last
byte), so counting adds no time to the page and runs after the request's
database session has been closed. Counting happens in its own transaction
(services.count_page_view) and never touches the Flask session: no cookie
is set for it. Any failure is logged and forgotten: the page never breaks
because of counting.

Switch it off with the configuration flag TRAFFIC_COUNTING = False.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from flask import Flask, Request, Response, request
from sqlalchemy import Engine

from telecom.extensions import db
from telecom.traffic.services import count_page_view

log = logging.getLogger(__name__)

# Paths that are not public pages: files and the API, the staff areas (organizers,
# check-in, media review, protocol), one person's own pages (account, orders,
# documents, badges), and links carrying a secret token (RSVP, speaker, survey,
# confirmation links), whose path must never be stored.
EXCLUDED_PREFIXES = (
    "/static",
    "/api",
    "/healthz",
    "/organizer",
    "/checkin",
    "/media-review",
    "/protocol",
    "/account",
    "/my",
    "/orders",
    "/documents",
    "/badges",
    "/payments",
    "/exhibitors/logos",
    "/rsvp",
    "/speakers",
    "/surveys",
    "/registrations/confirm",
)
EXCLUDED_PATHS = frozenset({"/favicon.ico", "/robots.txt", "/sitemap.xml"})
# Pages of the public part that belong to a signed-in exhibitor or delegate, not to the public.
PRIVATE_PAGES = re.compile(
    r"/editions/[^/]+/(?:my-organisations|media/application|forum/agenda"
    r"|exhibitors/(?:register|\d+/(?!$)))"
)
# Clients that are not people reading pages: crawlers, monitors, link previews,
# command-line tools, HTTP libraries and headless browsers.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|curl|wget|httpie|python|requests|urllib|aiohttp"
    r"|httpx|go-http-client|java/|okhttp|libwww|perl|ruby|scrapy|headless|phantomjs"
    r"|lighthouse|pingdom|uptime|monitor|facebookexternalhit|embedly|preview|werkzeug",
    re.IGNORECASE,
)


def is_public_path(path: str) -> bool:
    if path in EXCLUDED_PATHS:
        return False
    if any(path == prefix or path.startswith(prefix + "/") for prefix in EXCLUDED_PREFIXES):
        return False
    return PRIVATE_PAGES.match(path) is None


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or BOT_USER_AGENT.search(user_agent) is not None


def is_countable(req: Request, response: Response) -> bool:
    """A successful HTML page of the public site, fetched by what looks like a person."""
    return (
        req.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and is_public_path(req.path)
        and not is_bot(req.user_agent.string)
    )


def _count_after_sending(engine: Engine, path: str, address: str, user_agent: str) -> None:
    try:
        count_page_view(engine, path, address, user_agent)
    except Exception:
        log.exception("A page view of %s could not be counted", path)


def init_app(app: Flask) -> None:
    """Install the counting hook on `app`."""

    @app.after_request
    def count_public_page_view(response: Response) -> Response:
        try:
            if app.config.get("TRAFFIC_COUNTING", True) and is_countable(request, response):
                response.call_on_close(
                    partial(
                        _count_after_sending,
                        db.engine,
                        request.path,
                        request.remote_addr or "",
                        request.user_agent.string,
                    )
                )
        except Exception:
            log.exception("The page view of %s was not counted", request.path)
        return response
