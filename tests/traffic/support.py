"""Helpers of the web-traffic tests: a visit as a browser makes it, and the stored counts."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from telecom.extensions import db
from telecom.traffic.models import PageDay, TrafficDay, TrafficSalt, VisitorMark

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ADDRESS = "203.0.113.7"


def visit(
    client: FlaskClient,
    path: str,
    *,
    agent: str = FIREFOX,
    address: str = ADDRESS,
    method: str = "GET",
    **kwargs: object,
) -> TestResponse:
    """Fetch `path` as a browser at `address` would, then close the response.

    A WSGI server closes each response once it has sent it; that is when the
    platform counts the view, so a test closes it too before reading counts.
    """
    response = client.open(
        path, method=method, headers={"User-Agent": agent},
        environ_base={"REMOTE_ADDR": address}, **kwargs,
    )  # fmt: skip
    response.close()
    return response


def site_figures(day: date) -> tuple[int, int] | None:
    """(page views, unique visitors) of the whole site on `day`, None without a row."""
    row = db.session.execute(
        select(TrafficDay.page_views, TrafficDay.unique_visitors).where(TrafficDay.day == day)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def page_figures(day: date, path: str) -> tuple[int, int] | None:
    row = db.session.execute(
        select(PageDay.page_views, PageDay.unique_visitors).where(
            PageDay.day == day, PageDay.path == path
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def counted_views() -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(TrafficDay.page_views), 0))))


def salt_days() -> list[date]:
    return list(db.session.scalars(select(TrafficSalt.day).order_by(TrafficSalt.day)))


def mark_days() -> set[date]:
    return set(db.session.scalars(select(VisitorMark.day).distinct()))
