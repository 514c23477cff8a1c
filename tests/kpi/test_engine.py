"""The KPI engine on a hand-built edition where every figure is known in advance.

The edition (Budapest time, 12-15 October 2015) holds the edge cases of
issue 9: a visitor who is also a speaker, a co-exhibitor (and a rejected
one), a refunded payment, a rejected accreditation, a declined VIP, a
visitor who came on two days, a check-in on a registration cancelled since,
and rows dated after 12 October for the as-of figures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Flask
from sqlalchemy import event

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession
from telecom.forum.services import attendance
from telecom.kpi import compute_kpis
from telecom.participants.models import CheckIn, RegistrationCategory
from tests.helpers import make_edition
from tests.kpi.support import (
    AS_OF,
    BANDS_ZERO,
    BUDAPEST,
    CATEGORIES_ZERO,
    DAY1,
    DAY2,
    NO_ANSWERS,
    REGISTRATION_CATEGORIES,
    Builder,
    build_edition,
)


def test_every_figure_of_the_hand_built_edition(app: Flask) -> None:
    built = build_edition()

    figures = compute_kpis(built.edition).as_dict()

    assert figures["edition"] == "kpi-world-2015"
    assert figures["as_of"] is None
    assert figures["currency"] == "CHF"
    assert figures["not_collected"] == []
    assert figures["kpis"] == {
        "candidate_venues": {
            "count": 3,
            "chosen": {"city": "Budapest", "country": "HU", "venue": "Budapest Expo"},
        },
        # Alpha, the pavilion, its approved co-exhibitor, Late Giant; not the held,
        # cancelled or rejected ones.
        "exhibitors": {
            "total": 4,
            "countries": 4,
            "by_turnover_band": BANDS_ZERO | {"under_10m": 2, "10m_100m": 1, "over_10b": 1},
            # Alice (Alpha) a promoter, Hugo (pavilion) a detractor, Gina (Late Giant) passive.
            "satisfaction": {
                "responses": 3,
                "mean_score": "4.00",
                "nps": "0.0",
                "would_return": 2,
                "by_turnover_band": dict.fromkeys(BANDS_ZERO, NO_ANSWERS)
                | {
                    "under_10m": _answers(1, "5.00", "100.0", 1),
                    "10m_100m": _answers(1, "3.00", "-100.0", 0),
                    "over_10b": _answers(1, "4.00", "0.0", 1),
                },
            },
        },
        # 9 + 20 + 6 sqm of booths in halls 1 and 2 (200 + 100 sqm).
        "exhibition_size": {
            "net_sqm": "35.00",
            "gross_sqm": "300.00",
            "booths": 3,
            "pavilions": 1,
            "national_pavilions": 1,
            "countries": 4,
        },
        # Vera, Sam, Fred, Pia (pending), Late; Vera twice + Sam + Late = 4 visits.
        "trade_visitors": {"registered": 5, "attended": 3, "visits": 4},
        "vips": {"registered": 2, "attended": 1, "by_category": CATEGORIES_ZERO | {"MIN": 1}},
        "forum": {
            "participants": 2,
            "sessions": 2,
            "speakers": 1,
            "satisfaction": {"ratings": 3, "mean_rating": "3.67"},
        },
        # Participants do not give a recommend score: no NPS.
        "participant_satisfaction": {
            "responses": 3,
            "mean_score": "3.67",
            "nps": None,
            "would_return": 2,
            "by_category": dict.fromkeys(REGISTRATION_CATEGORIES, NO_ANSWERS)
            | {
                "visitor": _answers(1, "4.00", None, 1),
                "vip": _answers(1, "5.00", None, 1),
                "speaker": _answers(1, "2.00", None, 0),
            },
        },
        "accredited_media": {"approved": 2, "attended": 1},
        # Vera, Sam (once), Late, Mina, Max, Fiona; not Axel (cancelled since).
        "total_participants": {
            "attended": 6,
            "countries": 5,
            "registered": 10,
            "registered_countries": 9,
        },
        # Three days inside the campaign window; 31 March and 1 November are outside.
        "web_traffic": {
            "page_views": 600,
            "unique_visitors": 240,
            "from": "2015-04-01",
            "to": "2015-10-31",
        },
        "financial_result": {
            "revenue": "1850.00",
            "revenue_by_stream": {
                "booths": "1000.00",
                "passes": "150.00",
                "sponsorship": "400.00",
                "other": "300.00",
            },
            "paid": "1900.00",
            "refunded": "50.00",
            "costs": "700.00",
            "costs_by_category": {
                "venue": "500.00",
                "construction": "0.00",
                "staff": "0.00",
                "marketing": "120.50",
                "travel": "0.00",
                "other": "79.50",
            },
            "result": "1150.00",
        },
    }


def _answers(responses: int, mean: str, nps: str | None, would_return: int) -> dict[str, object]:
    return {"responses": responses, "mean_score": mean, "nps": nps, "would_return": would_return}


def test_as_of_counts_only_what_existed_at_the_end_of_that_day(app: Flask) -> None:
    built = build_edition()

    figures = compute_kpis(built.edition, AS_OF).as_dict()

    assert figures["as_of"] == "2015-10-12"
    kpis = figures["kpis"]
    assert kpis["exhibitors"]["total"] == 3  # Late Giant confirmed on day 2
    assert kpis["exhibitors"]["by_turnover_band"]["over_10b"] == 0
    assert kpis["exhibition_size"] == {
        "net_sqm": "29.00", "gross_sqm": "200.00", "booths": 2, "pavilions": 1,
        "national_pavilions": 1, "countries": 3,
    }  # fmt: skip
    assert kpis["trade_visitors"] == {"registered": 4, "attended": 2, "visits": 2}
    assert kpis["vips"]["attended"] == 0  # Mina came on day 2
    assert kpis["forum"]["participants"] == 2
    assert kpis["forum"]["satisfaction"] == {"ratings": 2, "mean_rating": "4.50"}
    assert kpis["accredited_media"] == {"approved": 2, "attended": 1}
    assert kpis["total_participants"] == {
        "attended": 4, "countries": 3, "registered": 9, "registered_countries": 8,
    }  # fmt: skip
    assert kpis["web_traffic"] == {
        "page_views": 400, "unique_visitors": 160, "from": "2015-04-01", "to": "2015-10-12",
    }  # fmt: skip
    # Only Alice had answered the exhibitor survey; no participant had.
    assert kpis["exhibitors"]["satisfaction"]["responses"] == 1
    assert kpis["exhibitors"]["satisfaction"]["nps"] == "100.0"
    assert kpis["participant_satisfaction"]["responses"] == 0
    assert figures["not_collected"] == ["participant_satisfaction"]
    # The refund and the "other" payment came later; the marketing cost too.
    assert kpis["financial_result"]["revenue_by_stream"] == {
        "booths": "1000.00", "passes": "200.00", "sponsorship": "400.00", "other": "0.00",
    }  # fmt: skip
    assert kpis["financial_result"]["revenue"] == "1600.00"
    assert kpis["financial_result"]["costs"] == "579.50"
    assert kpis["financial_result"]["result"] == "1020.50"
    assert kpis["candidate_venues"]["count"] == 3


def test_the_as_of_day_ends_at_midnight_in_the_editions_time_zone(app: Flask) -> None:
    built = build_edition()
    # Late came through the gate at 00:30 on day 2 in Budapest, which is still
    # 12 October (22:30) in UTC: it belongs to day 2, so as of day 1 it is out.
    checkin = db.session.scalar(
        db.select(CheckIn).where(CheckIn.person_id == built.people["late"].id)
    )
    assert checkin is not None
    checkin.scanned_at = datetime.combine(DAY2, time(0, 30), BUDAPEST)
    late = built.registrations[("late", RegistrationCategory.VISITOR)]
    late.created_at = datetime.combine(DAY1, time(8), BUDAPEST)
    db.session.commit()
    assert checkin.scanned_at.astimezone(UTC).date() == DAY1

    day1 = compute_kpis(built.edition, DAY1).kpis.trade_visitors
    day2 = compute_kpis(built.edition, DAY2).kpis.trade_visitors

    assert (day1.registered, day1.attended, day1.visits) == (5, 2, 2)
    assert (day2.registered, day2.attended, day2.visits) == (5, 3, 4)


def test_the_forum_figures_agree_with_the_attendance_module(app: Flask) -> None:
    built = build_edition()

    forum = compute_kpis(built.edition).kpis.forum

    assert forum.participants == attendance.forum_participants(built.edition)
    assert (forum.satisfaction.ratings, forum.satisfaction.mean_rating) == (
        attendance.forum_satisfaction(built.edition)
    )


def test_other_editions_do_not_leak_in(app: Flask) -> None:
    build_edition("kpi-world-2015")
    other = make_edition("kpi-world-2017", start_date=date(2017, 9, 25), end_date=date(2017, 9, 28))

    figures = compute_kpis(other).as_dict()["kpis"]

    assert figures["exhibitors"]["total"] == 0
    assert figures["total_participants"]["registered"] == 0
    assert figures["financial_result"]["revenue"] == "0.00"
    assert figures["candidate_venues"] == {"count": 0, "chosen": None}
    assert figures["forum"]["satisfaction"] == {"ratings": 0, "mean_rating": None}
    # No campaign window set: the 365 days up to the last day; none of 2015's traffic.
    assert figures["web_traffic"] == {
        "page_views": 0, "unique_visitors": 0, "from": "2016-09-29", "to": "2017-09-28",
    }  # fmt: skip
    assert compute_kpis(other).not_collected == [
        "exhibitor_satisfaction", "participant_satisfaction", "web_traffic", "costs",
    ]  # fmt: skip


def _statements(edition: Edition) -> list[str]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    assert edition.slug  # loaded now, so only the engine's statements are counted
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        compute_kpis(edition, AS_OF)
        compute_kpis(edition)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_the_engine_runs_a_fixed_number_of_aggregate_statements(app: Flask) -> None:
    built = build_edition()
    before = _statements(built.edition)

    # Ten times the visitors, each at the gate on two days and in a session.
    b = Builder(built.edition)
    session = db.session.scalar(db.select(ForumSession).where(ForumSession.title == "Opening"))
    for n in range(50):
        key = f"extra{n}"
        b.person(key, "AT")
        b.register(key, RegistrationCategory.VISITOR)
        b.check_in(key, RegistrationCategory.VISITOR, DAY1)
        b.check_in(key, RegistrationCategory.VISITOR, DAY2)
        b.check_in(key, RegistrationCategory.VISITOR, DAY1, session=session)
    db.session.commit()
    after = _statements(built.edition)

    assert len(after) == len(before) <= 2 * 20
    assert compute_kpis(built.edition).kpis.trade_visitors.visits == 4 + 100
    for statement in after:
        lowered = " ".join(statement.lower().split())
        if lowered == "set local jit = off":  # PostgreSQL only: see compute_kpis
            continue
        # Only aggregates are selected: never the rows of people or check-ins.
        assert lowered.startswith("select")
        assert "check_ins.id," not in lowered and "people.email" not in lowered
