"""The dashboard's chart series on the hand-built edition, where every number is known."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal

from flask import Flask
from sqlalchemy import event

from telecom.extensions import db
from telecom.kpi import compute_kpis, series
from telecom.participants.models import RegistrationCategory
from tests.helpers import make_edition
from tests.kpi.support import AS_OF, BUDAPEST, DAY1, DAY2, Builder, build_edition

SEPTEMBER_1 = date(2015, 9, 1)  # when the support module made most registrations


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_registrations_per_day_count_live_registrations_by_local_day(app: Flask) -> None:
    built = build_edition()

    # Ten live registrations made on 1 September (the three cancelled ones do not
    # count, the pending one does), and one on the second day of the edition.
    assert series.registrations_per_day(built.edition) == [(SEPTEMBER_1, 10), (DAY2, 1)]
    # As of the first day, the second day's registration did not exist yet.
    assert series.registrations_per_day(built.edition, AS_OF) == [(SEPTEMBER_1, 10)]


def test_a_registration_just_after_local_midnight_counts_for_that_local_day(app: Flask) -> None:
    edition = make_edition("tz-world")
    builder = Builder(edition)
    builder.person("owl", "HU")
    builder.person("lark", "HU")
    # 00:30 in Budapest on 12 October is still 11 October in UTC.
    just_after_midnight = datetime.combine(DAY1, time(0, 30), BUDAPEST)
    builder.register("owl", RegistrationCategory.VISITOR, created=just_after_midnight)
    builder.register(
        "lark", RegistrationCategory.VISITOR, created=datetime.combine(DAY1, time(23, 30), BUDAPEST)
    )
    db.session.commit()

    assert series.registrations_per_day(edition) == [(DAY1, 2)]
    assert series.registrations_per_day(edition, as_of=date(2015, 10, 11)) == []


def test_checkins_per_day_count_people_at_the_gate_once_a_day(app: Flask) -> None:
    built = build_edition()

    # Day 1: Vera, Sam (at the gate; his session check-in is not a gate entry) and Max;
    # Axel's registration was cancelled since. Day 2: Vera again, Late and Mina.
    # Fiona only went to sessions.
    assert series.checkins_per_day(built.edition) == [(DAY1, 3), (DAY2, 3)]
    assert series.checkins_per_day(built.edition, AS_OF) == [(DAY1, 3)]


def test_net_sqm_by_hall_adds_up_to_the_engines_net_area(app: Flask) -> None:
    built = build_edition()

    halls = series.net_sqm_by_hall(built.edition)
    # Hall 1: a paid 3x3 and a confirmed 4x5 booth; hall 2: a 2x3 booth confirmed on day 2
    # (its cancelled booking does not count); hall 3 only has a held booth.
    assert halls == [
        ("H1 – Hall 1", Decimal("29.00")),
        ("H2 – Hall 2", Decimal("6.00")),
        ("H3 – Hall 3", Decimal("0.00")),
    ]
    assert (
        sum(area for _hall, area in halls)
        == compute_kpis(built.edition).kpis.exhibition_size.net_sqm
    )
    assert series.net_sqm_by_hall(built.edition, AS_OF)[1] == ("H2 – Hall 2", Decimal("0.00"))


def test_each_series_is_one_aggregate_statement(app: Flask) -> None:
    built = build_edition()
    edition = built.edition
    assert edition.slug  # loaded now, so only the series' statements are counted

    for function in (series.registrations_per_day, series.checkins_per_day, series.net_sqm_by_hall):
        with statements() as seen:
            function(edition, AS_OF)
        assert len(seen) == 1, function.__name__
        lowered = seen[0].lower()
        assert lowered.startswith("select") and "group by" in lowered
        assert "count(" in lowered or "sum(" in lowered


def test_the_engines_breakdowns_come_labelled(app: Flask) -> None:
    built = build_edition()
    result = compute_kpis(built.edition)

    assert series.exhibitors_by_turnover_band(result) == [
        ("Under USD 10 M", 2),
        ("USD 10–100 M", 1),
        ("USD 100 M–1 B", 0),
        ("USD 1–10 B", 0),
        ("Over USD 10 B", 1),
    ]
    money = series.revenue_and_costs(result)
    assert (money.currency, money.revenue, money.costs, money.result) == (
        "CHF",
        Decimal("1850.00"),
        Decimal("700.00"),
        Decimal("1150.00"),
    )
    assert money.revenue_by_stream == [
        ("Booths", Decimal("1000.00")),
        ("Passes", Decimal("150.00")),
        ("Sponsorship", Decimal("400.00")),
        ("Other", Decimal("300.00")),
    ]
    assert dict(money.costs_by_category)["Venue"] == Decimal("500.00")
    assert sum(amount for _name, amount in money.costs_by_category) == money.costs
    assert money.costs_recorded

    empty = series.revenue_and_costs(compute_kpis(make_edition("empty-world")))
    assert (empty.revenue, empty.costs, empty.costs_recorded) == (
        Decimal("0.00"),
        Decimal("0.00"),
        False,
    )


def test_an_edition_without_data_has_empty_series(app: Flask) -> None:
    edition = make_edition("empty-world")

    assert series.registrations_per_day(edition) == []
    assert series.checkins_per_day(edition) == []
    assert series.net_sqm_by_hall(edition) == []
    assert series.continuous_days(series.registrations_per_day(edition)) == ([], [[]])


def test_continuous_days_fill_quiet_days_with_zero() -> None:
    first, third, fifth = date(2015, 10, 1), date(2015, 10, 3), date(2015, 10, 5)

    days, (registrations, checkins) = series.continuous_days([(first, 4), (third, 1)], [(fifth, 7)])

    assert days == [date(2015, 10, day) for day in range(1, 6)]
    assert registrations == [4, 0, 1, 0, 0]
    assert checkins == [0, 0, 0, 0, 7]


def test_figures_and_breakdown_keys_have_readable_labels(app: Flask) -> None:
    with app.test_request_context():
        assert series.figure_label("exhibitors", "satisfaction.nps") == "Net Promoter Score"
        assert series.figure_label("exhibitors", "satisfaction.would_return") == (
            "Would exhibit again"
        )
        assert series.figure_label("exhibition_size", "net_sqm") == "Net area"
        assert series.dimension_label("vips", "by_category", "MIN") == "Minister"
        assert series.dimension_label("exhibitors", "by_turnover_band", "over_10b") == (
            "Over USD 10 B"
        )
        assert series.dimension_label("participant_satisfaction", "by_category.nps", "vip") == (
            "VIP"
        )
        assert series.dimension_label("financial_result", "costs_by_category", "staff") == "Staff"
