"""API v1: the blueprint, pagination, the editions list and the OpenAPI document.

Every answer is JSON. Errors have one shape, `{"error": "<message>", "status": <code>}`
(the app's error handlers give it to every path under /api/), and lists are
paginated with `page` and `per_page` (see `page_request`). The other endpoints
live in the modules imported at the bottom; each is described in
telecom/api/openapi.py, served at /api/v1/openapi.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from telecom.api.auth import token_required
from telecom.core.errors import NotFound, ValidationError
from telecom.events.models import Edition
from telecom.events.services import SLUG_PATTERN, list_editions
from telecom.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens are not sent automatically by browsers, so CSRF does not apply.
csrf.exempt(bp)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Far beyond any real list; keeps OFFSET arithmetic small on every database.
MAX_PAGE = 1_000_000
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


@bp.url_value_preprocessor
def _check_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # A slug that cannot exist never reaches the database: PostgreSQL refuses
    # some characters (NUL) in a query outright, which would be a 500.
    slug = (values or {}).get("slug")
    if slug is not None and not SLUG_PATTERN.match(slug):
        raise NotFound(_("There is no edition %(slug)s.", slug=slug))


@dataclass(frozen=True)
class PageRequest:
    """The page a client asked for: `page` counts from 1."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole_number(name: str, default: int, maximum: int, message: str) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise ValidationError(message)
    return int(raw)


def page_request() -> PageRequest:
    """`page` and `per_page` of the query string; ValidationError (400) when malformed."""
    return PageRequest(
        page=_whole_number(
            "page",
            1,
            MAX_PAGE,
            _("page must be a whole number from 1 to %(max)d.", max=MAX_PAGE),
        ),
        per_page=_whole_number(
            "per_page",
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
            _("per_page must be a whole number from 1 to %(max)d.", max=MAX_PER_PAGE),
        ),
    )


def page_of_query(query: Select[Any], wanted: PageRequest) -> tuple[list[Any], int]:
    """One page of `query`'s rows and the total, both counted by the database."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.scalars(query.limit(wanted.per_page).offset(wanted.offset)))
    return rows, int(total or 0)


def page_of_list(items: Sequence[Any], wanted: PageRequest) -> tuple[list[Any], int]:
    return list(items[wanted.offset : wanted.offset + wanted.per_page]), len(items)


def paginated(
    key: str, items: list[Any], wanted: PageRequest, total: int, **extra: Any
) -> Response:
    """The list envelope: the items under `key`, then page, per_page, total and pages.

    A page past the last one is an empty list, not an error, so a client can
    stop at the first empty page as well as at `pages`.
    """
    return jsonify(
        {
            **extra,
            key: items,
            "page": wanted.page,
            "per_page": wanted.per_page,
            "total": total,
            "pages": max(1, -(-total // wanted.per_page)),
        }
    )


def edition_json(edition: Edition) -> dict[str, object]:
    return {
        "slug": edition.slug,
        "name": edition.name,
        "city": edition.city,
        "country": edition.country,
        "venue": edition.venue,
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "timezone": edition.timezone,
        "currency": edition.currency,
    }


@bp.route("/editions")
@token_required
def editions() -> Response:
    wanted = page_request()
    # Editions are a handful (one a year): the list is read whole and sliced.
    rows, total = page_of_list(list_editions(), wanted)
    return paginated("editions", [edition_json(e) for e in rows], wanted, total)


@bp.route("/openapi.json")
def openapi() -> Response:
    # Imported here: the document reads the limits defined in this module.
    from telecom.api.openapi import openapi_document

    # Public, so that tools and people can read the contract before holding a token.
    return jsonify(openapi_document())


from telecom.api import (  # noqa: E402, F401  (they register routes on bp)
    checkins,
    exhibitors,
    kpis,
    plan,
    programme,
)
