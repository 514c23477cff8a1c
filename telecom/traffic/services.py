"""Web traffic: counting page views without cookies, importing past figures, reading them.

Counting (`count_page_view`, called by the request hook in hook.py) runs in a
transaction of its own on its own connection, never in the request's session:
it cannot commit or roll back anything of the page, and the page cannot undo
the count. Each view costs four small statements in one transaction:

- the salt of the day (random, 32 bytes) is read, or created on the day's
  first view with an insert that ignores a conflict, then read back, so two
  workers starting the day at once agree on one salt. Creating it deletes the
  salts and visitor marks of earlier days: the salt is discarded when the day
  ends, and with it any chance to tie a stored hash back to an address;
- the visitor is sha256(salt, client address, user agent). The marks
  (day, "", hash) for the site and (day, path, hash) for the page are
  inserted with "on conflict do nothing ... returning": a mark inserted means
  a visitor not seen there today, so that unique counter goes up by one;
- the day's and the page's counters are raised with UPDATE ... SET n = n + 1
  (atomic in the database, so concurrent views are never lost); a missing
  row is inserted first, ignoring a conflict, then updated.

Days are UTC dates. Imported figures of past editions are TrafficDay rows with
source "imported" (`import_traffic`, all or nothing, audit-logged).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Connection, Engine, Select, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.csv_import import ImportRejected, LineError, extra_cells_message, read_rows
from telecom.core.dates import parse_iso_date
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.traffic.models import PageDay, TrafficDay, TrafficSalt, TrafficSource, VisitorMark

SALT_BYTES = 32
MAX_PATH_LENGTH = 200  # PageDay.path / VisitorMark.path
SITE = ""  # the path of a site-wide visitor mark
LOCK_TIMEOUT_MS = 2000

IMPORT_COLUMNS = ("date", "page_views", "unique_visitors")
MAX_IMPORT_BYTES = 512 * 1024
MAX_IMPORT_ROWS = 5000  # more than thirteen years of days
MAX_DAILY_COUNT = 2_147_483_647  # what the Integer columns hold
_COUNT = re.compile(r"^\d+$")

# The overview's longest window, and the default one (the last 30 days).
MAX_WINDOW_DAYS = 3 * 366
DEFAULT_WINDOW_DAYS = 30
TOP_PAGES = 20


def utc_today() -> date:
    return datetime.now(UTC).date()


# --------------------------------------------------------------------------- counting


def _insert(connection: Connection, model: Any) -> Insert:
    """An INSERT that can ignore a unique conflict ("on conflict do nothing")."""
    name = connection.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).on_conflict_do_nothing()
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(model).on_conflict_do_nothing()
    raise RuntimeError(f"web-traffic counting supports SQLite and PostgreSQL, not {name}")


def _salt_of(connection: Connection, day: date) -> bytes:
    """The day's salt; the day's first call creates it and discards earlier days."""
    salt = connection.scalar(select(TrafficSalt.salt).where(TrafficSalt.day == day))
    if salt is not None:
        return bytes(salt)
    # RETURNING tells whether this insert made the row (rowcount is not reliable for an
    # INSERT on every driver: psycopg reports -1 here).
    created = connection.execute(
        _insert(connection, TrafficSalt)
        .values(day=day, salt=secrets.token_bytes(SALT_BYTES))
        .returning(TrafficSalt.day)
    ).first()
    if created is not None:
        _purge_before(connection, day)
    # Whoever won the insert, this is the one salt of the day.
    salt = connection.scalar(select(TrafficSalt.salt).where(TrafficSalt.day == day))
    assert salt is not None
    return bytes(salt)


def _purge_before(connection: Connection, day: date) -> tuple[int, int]:
    salts = connection.execute(delete(TrafficSalt).where(TrafficSalt.day < day)).rowcount
    marks = connection.execute(delete(VisitorMark).where(VisitorMark.day < day)).rowcount
    return int(salts or 0), int(marks or 0)


def visitor_hash(salt: bytes, address: str, user_agent: str) -> bytes:
    """A visitor of one day: meaningless without that day's salt, which is deleted after it."""
    return hashlib.sha256(
        salt + b"\x00" + address.encode("utf-8") + b"\x00" + user_agent.encode("utf-8")
    ).digest()


def _first_visits(connection: Connection, day: date, path: str, visitor: bytes) -> set[str]:
    """Mark the visitor as seen today on the site and on `path`: where they had not been.

    One statement; the marks that already existed are not returned.
    """
    inserted = connection.execute(
        _insert(connection, VisitorMark)
        .values([
            {"day": day, "path": SITE, "digest": visitor},
            {"day": day, "path": path, "digest": visitor},
        ])
        .returning(VisitorMark.path)
    )  # fmt: skip
    return set(inserted.scalars())


def _bump(connection: Connection, model: Any, where: dict[str, Any], new_visitor: bool) -> None:
    """page_views + 1 (and unique_visitors + 1 for a new visitor) on the row of `where`."""
    conditions = [getattr(model, name) == value for name, value in where.items()]
    increment = (
        update(model)
        .where(*conditions)
        .values(
            page_views=model.page_views + 1,
            unique_visitors=model.unique_visitors + (1 if new_visitor else 0),
        )
    )
    if connection.execute(increment).rowcount:
        return
    extra = {"source": TrafficSource.COUNTED} if model is TrafficDay else {}
    connection.execute(
        _insert(connection, model).values(**where, page_views=0, unique_visitors=0, **extra)
    )
    connection.execute(increment)


def normalise_path(path: str) -> str:
    """The page as stored: the URL path without its query string, at most 200 characters."""
    return (path.split("?", 1)[0] or "/")[:MAX_PATH_LENGTH]


def count_page_view(
    engine: Engine, path: str, address: str, user_agent: str, *, day: date | None = None
) -> None:
    """Count one view of `path` by the client (address, user agent) on `day` (UTC today).

    One transaction on a connection of its own: see the module's docstring.
    """
    day = day or utc_today()
    path = normalise_path(path)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A view is not worth a worker waiting behind a long lock (a migration, a bulk
            # import): give up, and the hook logs the view as not counted.
            connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'"))
        visitor = visitor_hash(_salt_of(connection, day), address, user_agent)
        first_visits = _first_visits(connection, day, path, visitor)
        _bump(connection, TrafficDay, {"day": day}, SITE in first_visits)
        _bump(connection, PageDay, {"day": day, "path": path}, path in first_visits)


def purge_expired(engine: Engine, *, today: date | None = None) -> tuple[int, int]:
    """Delete the salts and visitor marks of the days before `today`: (salts, marks) deleted."""
    with engine.begin() as connection:
        return _purge_before(connection, today or utc_today())


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class WindowTotals:
    days_with_data: int
    page_views: int
    # The sum of the daily unique visitors (someone who came on two days counts twice),
    # as the KPI engine sums them over a campaign window.
    unique_visitors: int
    imported_days: int


@dataclass(frozen=True)
class PageFigures:
    path: str
    page_views: int
    unique_visitors: int  # summed over the days, as above


@dataclass(frozen=True)
class CampaignWindow:
    edition: Edition
    window: Window


def _organizer(actor: User | None) -> User:
    return require_role(actor, Role.ORGANIZER)


def default_window(today: date | None = None) -> Window:
    end = today or utc_today()
    return Window(end - timedelta(days=DEFAULT_WINDOW_DAYS - 1), end)


def parse_window(start: str | None, end: str | None, *, today: date | None = None) -> Window:
    """The window an organizer asked for (ISO dates), or a ValidationError saying why not.

    Both empty: the default window. One empty: it takes the default's value.
    """
    default = default_window(today)
    try:
        first = date.fromisoformat(start) if start else default.start
        last = date.fromisoformat(end) if end else default.end
    except ValueError:
        raise ValidationError(_("Give the dates as YYYY-MM-DD, for example 2015-10-12.")) from None
    if first > last:
        raise ValidationError(_("The first day must not be after the last day."))
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise ValidationError(_("Choose at most %(days)d days at a time.", days=MAX_WINDOW_DAYS))
    return Window(first, last)


def window_totals(window: Window, *, actor: User | None) -> WindowTotals:
    _organizer(actor)
    days, views, visitors, imported = db.session.execute(
        select(
            func.count(TrafficDay.id),
            func.sum(TrafficDay.page_views),
            func.sum(TrafficDay.unique_visitors),
            func.count(TrafficDay.id).filter(TrafficDay.source == TrafficSource.IMPORTED),
        ).where(TrafficDay.day >= window.start, TrafficDay.day <= window.end)
    ).one()
    return WindowTotals(
        days_with_data=int(days),
        page_views=int(views or 0),
        unique_visitors=int(visitors or 0),
        imported_days=int(imported or 0),
    )


def days_query(window: Window, *, actor: User | None) -> Select[tuple[TrafficDay]]:
    """The days of the window that have figures, latest first (for paginate())."""
    _organizer(actor)
    return (
        select(TrafficDay)
        .where(TrafficDay.day >= window.start, TrafficDay.day <= window.end)
        .order_by(TrafficDay.day.desc())
    )


def top_pages(window: Window, *, actor: User | None, limit: int = TOP_PAGES) -> list[PageFigures]:
    """The most viewed pages over the window (counted days only: imports have no pages)."""
    _organizer(actor)
    views = func.sum(PageDay.page_views)
    rows = db.session.execute(
        select(PageDay.path, views, func.sum(PageDay.unique_visitors))
        .where(PageDay.day >= window.start, PageDay.day <= window.end)
        .group_by(PageDay.path)
        .order_by(views.desc(), PageDay.path)
        .limit(limit)
    )
    return [PageFigures(path, int(v or 0), int(u or 0)) for path, v, u in rows]


def campaign_windows(*, actor: User | None) -> list[CampaignWindow]:
    """Each edition's campaign window, as the KPI engine counts web traffic for it."""
    from telecom.kpi.engine import DEFAULT_CAMPAIGN_DAYS

    _organizer(actor)
    windows = []
    for edition in db.session.scalars(select(Edition).order_by(Edition.start_date.desc())):
        end = edition.campaign_end or edition.end_date
        start = edition.campaign_start or end - timedelta(days=DEFAULT_CAMPAIGN_DAYS - 1)
        windows.append(CampaignWindow(edition, Window(start, end)))
    return windows


# --------------------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class ImportResult:
    created: int
    replaced: int
    first_day: date
    last_day: date
    page_views: int


@dataclass(frozen=True)
class _ImportedDays:
    """What the audit entry of one import is about: a range of days."""

    id: str
    __audit_type__ = "traffic_days"


@dataclass(frozen=True)
class _DayFigures:
    line: int
    day: date
    page_views: int
    unique_visitors: int


def _parse_count(text: str, label: str) -> tuple[int | None, str | None]:
    if not _COUNT.match(text):
        return None, _(
            "%(column)s must be a whole number of 0 or more, not “%(value)s”.",
            column=label,
            value=text,
        )
    value = int(text)
    if value > MAX_DAILY_COUNT:
        return None, _("%(column)s is too large.", column=label)
    return value, None


def _parse_line(values: dict[str, str], line: int, today: date) -> tuple[_DayFigures | None, str]:
    """One line's figures, or None and the first problem found on it."""
    text = values.get("date", "")
    day = parse_iso_date(text)
    if day is None:
        return None, _(
            "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2015-10-12.",
            value=text,
        )
    if day >= today:
        return None, _(
            "%(day)s is not a past day: only days before today (UTC) can be imported, "
            "today's page views are being counted.",
            day=day.isoformat(),
        )
    views, problem = _parse_count(values.get("page_views", ""), "page_views")
    if problem:
        return None, problem
    visitors, problem = _parse_count(values.get("unique_visitors", ""), "unique_visitors")
    if problem:
        return None, problem
    assert views is not None and visitors is not None
    if visitors > views:
        return None, _(
            "unique_visitors (%(visitors)d) cannot be more than page_views (%(views)d): "
            "every visitor viewed at least one page.",
            visitors=visitors,
            views=views,
        )
    return _DayFigures(line, day, views, visitors), ""


@atomic
def import_traffic(
    data: bytes, *, replace: bool, actor: User | None, today: date | None = None
) -> ImportResult:
    """Daily figures from a CSV file (date,page_views,unique_visitors), all or nothing.

    A day that already has figures is refused, with its line, unless
    `replace`: then its figures are overwritten and it becomes "imported"
    (its per-page rows, if it was counted, stay as they were). Raises
    ImportRejected (every bad line) or ValidationError (an unreadable file).
    """
    actor = _organizer(actor)
    today = today or utc_today()
    rows = read_rows(
        data, columns=IMPORT_COLUMNS, required=IMPORT_COLUMNS,
        max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS,
    )  # fmt: skip
    errors: list[LineError] = []
    figures: list[_DayFigures] = []
    first_line: dict[date, int] = {}
    for row in rows:
        if row.extra_cells:
            errors.append(extra_cells_message(row, len(IMPORT_COLUMNS)))
            continue
        parsed, problem = _parse_line(row.values, row.line, today)
        if parsed is None:
            errors.append(LineError(row.line, problem))
        elif parsed.day in first_line:
            errors.append(
                LineError(row.line, _(
                    "%(day)s is already on line %(line)d.",
                    day=parsed.day.isoformat(), line=first_line[parsed.day],
                ))
            )  # fmt: skip
        else:
            first_line[parsed.day] = row.line
            figures.append(parsed)

    existing = {
        row.day: row
        for row in db.session.scalars(
            select(TrafficDay)
            .where(TrafficDay.day.in_([f.day for f in figures]))
            .with_for_update()
        )
    } if figures else {}  # fmt: skip
    if not replace:
        for item in figures:
            if item.day in existing:
                errors.append(
                    LineError(item.line, _(
                        "%(day)s already has figures (%(views)d page views). Tick “replace "
                        "days that already have figures” to overwrite them.",
                        day=item.day.isoformat(), views=existing[item.day].page_views,
                    ))
                )  # fmt: skip
    if errors:
        raise ImportRejected(errors)

    replaced_before: dict[str, list[Any]] = {}
    new_rows = []
    for item in figures:
        row = existing.get(item.day)
        if row is None:
            new_rows.append(
                {"day": item.day, "page_views": item.page_views,
                 "unique_visitors": item.unique_visitors, "source": TrafficSource.IMPORTED}
            )  # fmt: skip
            continue
        replaced_before[item.day.isoformat()] = [
            row.page_views,
            row.unique_visitors,
            row.source.value,
        ]
        row.page_views = item.page_views
        row.unique_visitors = item.unique_visitors
        row.source = TrafficSource.IMPORTED
    if new_rows:
        db.session.execute(TrafficDay.__table__.insert(), new_rows)
    days = sorted(item.day for item in figures)
    result = ImportResult(
        created=len(new_rows),
        replaced=len(replaced_before),
        first_day=days[0],
        last_day=days[-1],
        page_views=sum(item.page_views for item in figures),
    )
    audit.record(
        "import", _ImportedDays(f"{result.first_day}..{result.last_day}"), actor=actor,
        before={"replaced": replaced_before} if replaced_before else None,
        after={"created": result.created, "replaced": result.replaced,
               "first_day": result.first_day.isoformat(),
               "last_day": result.last_day.isoformat(), "page_views": result.page_views},
    )  # fmt: skip
    try:
        commit()
    except IntegrityError:
        raise Conflict(
            _("Figures for some of these days were saved while the file was imported; "
              "nothing was imported. Import the file again.")
        ) from None  # fmt: skip
    return result
