"""The numbers behind the dashboard's charts, as SQL aggregates (GROUP BY, no rows loaded).

Per-day series count what `telecom.kpi.engine` counts, day by day, with the
same as-of rule (only what existed at the end of that day where the edition
takes place, in today's states):

- registrations per day: live (not cancelled) registrations by the local day
  they were created. The day is computed by the database. PostgreSQL converts
  each timestamp into the edition's time zone (`timezone(zone, ts)`, the
  function behind AT TIME ZONE), so summer time is exact. SQLite has no zone
  database: it shifts the stored UTC time by the zone's UTC offset on the
  edition's first day. Registrations made on the other side of a daylight
  saving change, within an hour of midnight, can land on the neighbouring day
  on SQLite only; SQLite is the development database, PostgreSQL production.
- check-ins per day: unique people through the gate on a live registration.
  CheckIn stores the local day it counts for, so no time-zone arithmetic.

The figures the engine already has (exhibitors by turnover band, revenue by
stream and costs by category) are read from its `EditionKpis`, not computed
again; net sqm by hall is the one breakdown the engine does not keep.
`figure_label` and `dimension_label` name a flat figure (`telecom.kpi.figures`)
and its breakdown key for readers: the dashboard, the comparison and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Date, and_, cast, func, select, true

from telecom.events.models import Edition
from telecom.exhibitors.models import Booth, BoothBooking, Hall, TurnoverBand
from telecom.extensions import db
from telecom.kpi.engine import REVENUE_STREAMS, EditionKpis, confirmed_bookings
from telecom.kpi.models import CostCategory
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.protocol.models import ProtocolCategory

__all__ = [
    "RevenueAndCosts",
    "checkins_per_day",
    "continuous_days",
    "dimension_label",
    "exhibitors_by_turnover_band",
    "figure_label",
    "net_sqm_by_hall",
    "registrations_per_day",
    "revenue_and_costs",
]

CENT = Decimal("0.01")


def registrations_per_day(edition: Edition, as_of: date | None = None) -> list[tuple[date, int]]:
    """Live registrations by the local day they were made, oldest first (no empty days)."""
    day = _local_day(edition, Registration.created_at)
    rows = db.session.execute(
        select(day.label("day"), func.count(Registration.id))
        .where(
            Registration.edition_id == edition.id,
            Registration.status != RegistrationStatus.CANCELLED,
            _upto(edition, as_of, Registration.created_at),
        )
        .group_by(day)
        .order_by(day)
    )
    return [(_as_date(value), int(count)) for value, count in rows]


def checkins_per_day(edition: Edition, as_of: date | None = None) -> list[tuple[date, int]]:
    """Unique people through the gate each local day, on a live registration."""
    rows = db.session.execute(
        select(CheckIn.day, func.count(CheckIn.person_id.distinct()))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(
            CheckIn.edition_id == edition.id,
            CheckIn.point == CheckInPoint.GATE,
            Registration.status != RegistrationStatus.CANCELLED,
            _upto(edition, as_of, CheckIn.scanned_at),
        )
        .group_by(CheckIn.day)
        .order_by(CheckIn.day)
    )
    return [(_as_date(value), int(count)) for value, count in rows]


def net_sqm_by_hall(edition: Edition, as_of: date | None = None) -> list[tuple[str, Decimal]]:
    """Net sqm (booths with a confirmed or paid booking) per hall, every hall, in code order.

    The condition is the engine's, so the halls add up to its net_sqm.
    """
    booked = (
        select(Booth.hall_id, func.sum(Booth.width * Booth.depth).label("net"))
        .join(BoothBooking, BoothBooking.booth_id == Booth.id)
        .where(confirmed_bookings(edition, None if as_of is None else edition.day_ends_at(as_of)))
        .group_by(Booth.hall_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Hall.code, Hall.name, booked.c.net)
        .outerjoin(booked, booked.c.hall_id == Hall.id)
        .where(Hall.edition_id == edition.id)
        .order_by(Hall.code)
    )
    return [(_hall_label(code, name), _money(net)) for code, name, net in rows]


def exhibitors_by_turnover_band(result: EditionKpis) -> list[tuple[str, int]]:
    """The engine's exhibitors per turnover band, labelled, smallest band first."""
    counts = result.kpis.exhibitors.by_turnover_band
    return [(str(band.label), counts.get(band.value, 0)) for band in TurnoverBand]


@dataclass(frozen=True)
class RevenueAndCosts:
    currency: str
    revenue: Decimal
    costs: Decimal
    result: Decimal
    revenue_by_stream: list[tuple[str, Decimal]]  # (label, amount), the engine's streams
    costs_by_category: list[tuple[str, Decimal]]  # (label, amount), every category
    costs_recorded: bool  # False: no cost line at all, so costs read "not recorded"


def revenue_and_costs(result: EditionKpis) -> RevenueAndCosts:
    """The engine's financial result with labelled streams and categories."""
    money = result.kpis.financial_result
    stream_labels = _stream_labels()
    return RevenueAndCosts(
        currency=result.currency,
        revenue=money.revenue,
        costs=money.costs,
        result=money.result,
        revenue_by_stream=[
            (stream_labels.get(name, name), money.revenue_by_stream.get(name, Decimal("0.00")))
            for name in REVENUE_STREAMS
        ],
        costs_by_category=[
            (category.label, money.costs_by_category.get(category.value, Decimal("0.00")))
            for category in CostCategory
        ],
        costs_recorded="costs" not in result.not_collected,
    )


def continuous_days(*series: list[tuple[date, int]]) -> tuple[list[date], list[list[int]]]:
    """Days from the first to the last of all `series`, each series with 0 on missing days.

    Charts then show quiet days as zero instead of joining their neighbours.
    """
    days = [day for rows in series for day, _count in rows]
    if not days:
        return [], [[] for _rows in series]
    first, last = min(days), max(days)
    axis = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    filled = []
    for rows in series:
        counts = dict(rows)
        filled.append([counts.get(day, 0) for day in axis])
    return axis, filled


# --------------------------------------------------------------------------- labels

# Figure names (`Figure.name`, its last dotted part) as readers see them; the KPI
# itself is labelled by `figures.HEADLINES`. Per-group entries win over the shared ones.
_NAME_LABELS = {
    "count": _l("Candidate venues"),
    "chosen": _l("Chosen venue"),
    "total": _l("Exhibitors"),
    "countries": _l("Countries"),
    "by_turnover_band": _l("By annual turnover"),
    "responses": _l("Survey answers"),
    "mean_score": _l("Mean satisfaction (1-5)"),
    "nps": _l("Net Promoter Score"),
    "would_return": _l("Would come again"),
    "net_sqm": _l("Net area"),
    "gross_sqm": _l("Gross area"),
    "booths": _l("Booths"),
    "pavilions": _l("Pavilions"),
    "national_pavilions": _l("National pavilions"),
    "registered": _l("Registered"),
    "attended": _l("Attended"),
    "visits": _l("Visits (daily entries)"),
    "by_category": _l("By category"),
    "participants": _l("Participants"),
    "sessions": _l("Sessions"),
    "speakers": _l("Confirmed speakers"),
    "ratings": _l("Session ratings"),
    "mean_rating": _l("Mean rating (1-5)"),
    "approved": _l("Approved"),
    "registered_countries": _l("Countries of those registered"),
    "page_views": _l("Page views"),
    "unique_visitors": _l("Daily unique visitors"),
    "from": _l("Counted from"),
    "to": _l("Counted to"),
    "revenue": _l("Revenue"),
    "revenue_by_stream": _l("Revenue by stream"),
    "paid": _l("Received"),
    "refunded": _l("Refunded"),
    "costs": _l("Costs"),
    "costs_by_category": _l("Costs by category"),
    "result": _l("Result"),
}
_GROUP_NAME_LABELS = {
    ("exhibitors", "would_return"): _l("Would exhibit again"),
    ("exhibitors", "countries"): _l("Countries"),
    ("exhibition_size", "countries"): _l("Exhibiting countries"),
    ("vips", "by_category"): _l("Attended, by protocol category"),
    ("total_participants", "countries"): _l("Countries of those who attended"),
}


def figure_label(group: str, name: str) -> str:
    """The reader's name of figure `name` (dotted) of KPI `group`: "Net Promoter Score"."""
    last = name.rsplit(".", 1)[-1]
    label = _GROUP_NAME_LABELS.get((group, last)) or _NAME_LABELS.get(last)
    return str(label) if label is not None else last.replace("_", " ")


def dimension_label(group: str, name: str, dimension: str) -> str:
    """The reader's name of a breakdown key: a turnover band, a category, a stream."""
    if not dimension:
        return ""
    enum_class: Any = None
    if "by_turnover_band" in name:
        enum_class = TurnoverBand
    elif name == "costs_by_category":
        enum_class = CostCategory
    elif name == "revenue_by_stream":
        return _stream_labels().get(dimension, dimension)
    elif group == "vips":
        enum_class = ProtocolCategory
    elif group == "participant_satisfaction":
        enum_class = RegistrationCategory
    if enum_class is not None:
        try:
            return str(enum_class(dimension).label)
        except ValueError:
            pass
    return dimension.replace("_", " ")


# --------------------------------------------------------------------------- helpers


def _local_day(edition: Edition, moment: Any) -> ColumnElement[Any]:
    """The calendar day of the UTC timestamp column `moment` where the edition takes place."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone(edition.timezone, moment), Date)
    start = datetime.combine(edition.start_date, time(12), edition.tz)
    offset = start.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(moment, f"{minutes:+d} minutes")


def _upto(edition: Edition, as_of: date | None, moment: Any) -> ColumnElement[bool]:
    if as_of is None:
        return true()
    return and_(moment <= edition.day_ends_at(as_of))


def _as_date(value: date | str) -> date:
    # SQLite's date() answers with text, PostgreSQL with a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _money(value: Any) -> Decimal:
    """A database sum as an exact 2-place Decimal (SQLite sums Numeric through floats)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _hall_label(code: str, name: str) -> str:
    return code if not name or name == code else f"{code} – {name}"


def _stream_labels() -> dict[str, str]:
    return {
        "booths": _("Booths"),
        "passes": _("Passes"),
        "sponsorship": _("Sponsorship"),
        "other": _("Other"),
    }
