"""Time of every Objective 6 KPI on a large synthetic edition, against hand-written SQL.

Usage: .venv/bin/python bench/kpi.py [--sizes full,quarter] [--databases sqlite,postgresql]
       [--runs 5] [--admin-url URL] [--keep] [--no-export] [--profile] [--explain]
       [--index "CREATE INDEX ..."]... [--pg-set "jit = off"]...
       [--sqlite-pragma "mmap_size = 268435456"]... [--sqlite-analyze]

For each database and size, builds a synthetic edition (bench/_synthetic_kpi.py):
at full size 200,000 registrations, 400,000 check-ins, 2,000 exhibitors, 5,000
booths, 50,000 seat reservations and a year of daily page views for 500 pages,
plus the orders, payments, refunds, surveys, forum, media, VIP and cost rows
every KPI reads; "quarter" is a quarter of each. The schema comes from the
Alembic migrations (as `flask db upgrade`), the rows from bulk inserts (COPY
on PostgreSQL, Core executemany in batches of 20,000 on SQLite). SQLite is a
temporary file, not ANALYZEd unless --sqlite-analyze (the app never runs
ANALYZE); PostgreSQL a throwaway database `telecom_bench_kpi_*` created from
--admin-url, VACUUM ANALYZEd after loading (as autovacuum keeps a live
database) and dropped at the end (unless --keep).

Then it times telecom.kpi.engine.compute_kpis (median of --runs runs after one
warm-up; a warm-up over 20 s is the figure itself, to keep the bench within
minutes) and the floor: plain SQL written by hand for the same figures, as
direct as it gets (one pass over the check-ins, EXISTS probes for the few VIPs
and journalists). Both must give the same figures (the script stops if they
differ), so the comparison is honest. It prints the times, their ratio, and
the growth from a quarter of the size to the full size (linear = 4).
Targets: under 1 s per database at full size, ratio under 1.5, growth no worse
than linear.

It also measures the XLSX export of the edition's registrations (the
organizers' /participants/registrations.xlsx, through the test client) in a
fresh child process that does only that: the peak resident memory is the
child's high-water mark, VmHWM in /proc/self/status (what ru_maxrss reports
for a process of its own; getrusage() itself is not used because Linux
carries the parent's larger peak into a child across exec). It includes the
interpreter, the imports and the app, shown as the baseline before the
request. Target: under 200 MB.

--profile prints the slowest statements of the engine and of the SQL;
--explain also prints the engine's PostgreSQL plans (EXPLAIN ANALYZE); --index
creates an index in the bench databases after the first measurement and
measures again (to prototype a fix); --pg-set and --sqlite-pragma apply a
setting to every connection (to measure a configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _postgres  # noqa: E402
from _synthetic_kpi import EDITION_ID, SLUG, BulkLoader, Sizes, SyntheticEdition  # noqa: E402

SCALES = {"full": 1.0, "quarter": 0.25}
ORGANIZER_EMAIL = "organizer@bench.example"
ORGANIZER_PASSWORD = "bench-organizer-password-1"  # noqa: S105 - a throwaway bench account
TARGET_SECONDS = 1.0
TARGET_RATIO = 1.5
TARGET_EXPORT_MB = 200
# An engine warm-up slower than this is reported as the figure instead of 5 more runs.
SLOW_SECONDS = 20.0
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# --------------------------------------------------------------------------- the floor
# Hand-written SQL for the figures of compute_kpis (no as-of date), the most direct
# statements we could write: each table read once where possible.

# Turnover bands in the order of telecom.exhibitors.models.TurnoverBand (checked at run time).
BANDS = ("under_10m", "10m_100m", "100m_1b", "1b_10b", "over_10b")

FLOOR_VENUES = """
SELECT count(*),
       max(CASE WHEN status = 'chosen' THEN city END),
       max(CASE WHEN status = 'chosen' THEN country END),
       max(CASE WHEN status = 'chosen' THEN venue END)
FROM candidate_venues WHERE edition_id = :e
"""

FLOOR_EXHIBITORS = """
SELECT count(DISTINCT o.country),
       count(o.pavilion_kind),
       count(CASE WHEN o.pavilion_kind = 'national' THEN 1 END),
       count(CASE WHEN o.turnover_band = 'under_10m' THEN 1 END),
       count(CASE WHEN o.turnover_band = '10m_100m' THEN 1 END),
       count(CASE WHEN o.turnover_band = '100m_1b' THEN 1 END),
       count(CASE WHEN o.turnover_band = '1b_10b' THEN 1 END),
       count(CASE WHEN o.turnover_band = 'over_10b' THEN 1 END)
FROM organisations o
WHERE o.edition_id = :e
  AND (EXISTS (SELECT 1 FROM booth_bookings b
               WHERE b.organisation_id = o.id AND b.state IN ('confirmed', 'paid'))
       OR (o.pavilion_id IS NOT NULL AND o.co_exhibitor_status = 'approved'))
"""

FLOOR_SIZE = """
SELECT count(*), sum(bo.width * bo.depth),
       (SELECT sum(h.width * h.depth) FROM halls h
        WHERE h.edition_id = :e AND h.id IN (
            SELECT bo2.hall_id FROM booth_bookings b2 JOIN booths bo2 ON bo2.id = b2.booth_id
            WHERE b2.edition_id = :e AND b2.state IN ('confirmed', 'paid')))
FROM booth_bookings b JOIN booths bo ON bo.id = b.booth_id
WHERE b.edition_id = :e AND b.state IN ('confirmed', 'paid')
"""

FLOOR_SURVEYS = """
SELECT audience, segment, count(*), sum(satisfaction), count(recommend_score),
       count(CASE WHEN recommend_score >= 9 THEN 1 END),
       count(CASE WHEN recommend_score <= 6 THEN 1 END),
       count(CASE WHEN would_return THEN 1 END)
FROM survey_responses WHERE edition_id = :e GROUP BY audience, segment
"""

# People with a live registration (any role: one person, counted once), and visitors.
FLOOR_REGISTERED = """
SELECT count(*), count(DISTINCT p.country), sum(g.visitor)
FROM (SELECT person_id, max(CASE WHEN category = 'visitor' THEN 1 ELSE 0 END) AS visitor
      FROM registrations WHERE edition_id = :e AND status <> 'cancelled'
      GROUP BY person_id) g
JOIN people p ON p.id = g.person_id
"""

# People who came (a check-in on a live registration), in one pass over the check-ins:
# their gate days and forum sessions, and whether they are visitors (an index probe each).
FLOOR_CAME = """
SELECT count(*), count(DISTINCT p.country),
       count(CASE WHEN came.visitor = 1 AND came.gate_days > 0 THEN 1 END),
       coalesce(sum(CASE WHEN came.visitor = 1 THEN came.gate_days END), 0),
       count(CASE WHEN came.sessions > 0 THEN 1 END)
FROM (
    SELECT c.person_id,
           count(CASE WHEN c.point = 'gate' THEN 1 END) AS gate_days,
           count(CASE WHEN c.point = 'session' AND c.point_ref IN (
                     SELECT CAST(id AS VARCHAR(40)) FROM forum_sessions WHERE edition_id = :e)
                 THEN 1 END) AS sessions,
           CASE WHEN EXISTS (
               SELECT 1 FROM registrations v
               WHERE v.person_id = c.person_id AND v.edition_id = :e
                 AND v.category = 'visitor' AND v.status <> 'cancelled') THEN 1 ELSE 0
           END AS visitor
    FROM check_ins c
    WHERE c.edition_id = :e AND c.registration_id NOT IN (
        SELECT id FROM registrations WHERE edition_id = :e AND status = 'cancelled')
    GROUP BY c.person_id
) came
JOIN people p ON p.id = came.person_id
"""

# The few VIPs and journalists: an index probe each for a gate check-in.
FLOOR_VIPS = """
SELECT r.protocol_category, count(*),
       count(CASE WHEN EXISTS (
           SELECT 1 FROM check_ins c JOIN registrations cr ON cr.id = c.registration_id
           WHERE c.person_id = r.person_id AND c.edition_id = :e AND c.point = 'gate'
             AND cr.status <> 'cancelled') THEN 1 END)
FROM registrations r
WHERE r.edition_id = :e AND r.category = 'vip' AND r.status <> 'cancelled'
GROUP BY r.protocol_category
"""

FLOOR_MEDIA = """
SELECT count(*),
       count(CASE WHEN EXISTS (
           SELECT 1 FROM check_ins c JOIN registrations cr ON cr.id = c.registration_id
           WHERE c.person_id = m.person_id AND c.edition_id = :e AND c.point = 'gate'
             AND cr.status <> 'cancelled') THEN 1 END)
FROM media_applications m WHERE m.edition_id = :e AND m.status = 'approved'
"""

FLOOR_FORUM = """
SELECT (SELECT count(*) FROM forum_sessions WHERE edition_id = :e AND cancelled_at IS NULL),
       (SELECT count(*) FROM speakers WHERE edition_id = :e AND status = 'confirmed'),
       count(*), sum(sr.score)
FROM session_ratings sr JOIN forum_sessions s ON s.id = sr.session_id
WHERE s.edition_id = :e
"""

FLOOR_TRAFFIC = """
SELECT count(*), sum(page_views), sum(unique_visitors)
FROM traffic_days WHERE day >= :start AND day <= :end
"""

FLOOR_MONEY = """
SELECT CASE
         WHEN EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = m.order_id
                      AND l.kind = 'booth') THEN 'booths'
         WHEN EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = m.order_id
                      AND l.kind = 'pass') THEN 'passes'
         WHEN EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = m.order_id
                      AND l.kind = 'sponsorship') THEN 'sponsorship'
         ELSE 'other'
       END AS stream,
       sum(m.paid), sum(m.refunded)
FROM (
    SELECT order_id, amount AS paid, 0 AS refunded FROM payments
    WHERE edition_id = :e AND state = 'succeeded' AND currency = :currency
    UNION ALL
    SELECT order_id, 0, amount FROM refunds
    WHERE edition_id = :e AND state <> 'failed' AND currency = :currency
) m
GROUP BY 1
"""

FLOOR_COSTS = """
SELECT category, count(*), sum(amount) FROM cost_lines WHERE edition_id = :e GROUP BY category
"""


def _money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _mean(total: Any, count: Any) -> str | None:
    if not count:
        return None
    return str((Decimal(int(total or 0)) / Decimal(int(count))).quantize(CENT, ROUND_HALF_UP))


def _satisfaction(responses: int, total: int, scored: int, promoters: int, detractors: int,
                  would_return: int) -> dict[str, Any]:  # fmt: skip
    nps = None
    if scored:
        nps = str(
            (Decimal(100 * (promoters - detractors)) / Decimal(scored)).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
        )
    return {"responses": responses, "mean_score": _mean(total, responses), "nps": nps,
            "would_return": would_return}  # fmt: skip


def floor_kpis(session: Any, edition: Any) -> dict[str, Any]:
    """The figures of compute_kpis(edition).as_dict(), from the hand-written SQL above."""
    from sqlalchemy import Date, bindparam, text

    from telecom.exhibitors.models import TurnoverBand
    from telecom.kpi.models import CostCategory
    from telecom.participants.models import RegistrationCategory
    from telecom.protocol.models import ProtocolCategory

    e = {"e": edition.id}

    def one(sql: str, **params: Any) -> Any:
        return session.execute(text(sql), {**e, **params}).one()

    def rows(sql: str, **params: Any) -> list[Any]:
        return session.execute(text(sql), {**e, **params}).all()

    not_collected = []
    count, city, country, venue = one(FLOOR_VENUES)
    chosen = None if city is None else {"city": city, "country": country, "venue": venue}

    bands = [band.value for band in TurnoverBand]
    assert tuple(bands) == BANDS, "FLOOR_EXHIBITORS lists other turnover bands"
    countries, pavilions, national, *band_counts = one(FLOOR_EXHIBITORS)
    booths, net, gross = one(FLOOR_SIZE)

    tallies: dict[str, dict[str, tuple[int, ...]]] = {"exhibitor": {}, "participant": {}}
    for audience, segment, *tally in rows(FLOOR_SURVEYS):
        tallies[audience][segment] = tuple(int(v or 0) for v in tally)

    def satisfaction(audience: str, keys: list[str], name: str) -> dict[str, Any]:
        by_segment = tallies[audience]
        overall = [sum(column) for column in zip(*by_segment.values(), strict=True)] or [0] * 6
        if not by_segment:
            not_collected.append(name)
        empty = _satisfaction(0, 0, 0, 0, 0, 0)
        return {
            **_satisfaction(*overall),
            "by": {k: _satisfaction(*by_segment[k]) if k in by_segment else empty for k in keys},
        }

    exhibitor_satisfaction = satisfaction("exhibitor", bands, "exhibitor_satisfaction")
    exhibitor_satisfaction["by_turnover_band"] = exhibitor_satisfaction.pop("by")
    categories = [c.value for c in RegistrationCategory]
    participant_satisfaction = satisfaction("participant", categories, "participant_satisfaction")
    participant_satisfaction["by_category"] = participant_satisfaction.pop("by")

    registered, registered_countries, visitors = one(FLOOR_REGISTERED)
    attended, attended_countries, visitors_attended, visits, forum_participants = one(FLOOR_CAME)

    by_protocol = dict.fromkeys((c.value for c in ProtocolCategory), 0)
    vips_registered = 0
    for category, vip_count, vip_attended in rows(FLOOR_VIPS):
        vips_registered += vip_count
        key = category or "uncategorised"
        by_protocol[key] = by_protocol.get(key, 0) + vip_attended
    media_approved, media_attended = one(FLOOR_MEDIA)
    sessions, speakers, ratings, rating_total = one(FLOOR_FORUM)

    end = edition.campaign_end or edition.end_date
    start = edition.campaign_start or end - timedelta(days=364)
    traffic = text(FLOOR_TRAFFIC).bindparams(
        bindparam("start", type_=Date), bindparam("end", type_=Date)
    )
    days, views, visitors_web = session.execute(traffic, {"start": start, "end": end}).one()
    if not days:
        not_collected.append("web_traffic")

    streams = {name: {"paid": ZERO, "refunded": ZERO} for name in
               ("booths", "passes", "sponsorship", "other")}  # fmt: skip
    for stream, paid, refunded in rows(FLOOR_MONEY, currency=edition.currency):
        streams[stream] = {"paid": _money(paid), "refunded": _money(refunded)}
    paid_total = sum((s["paid"] for s in streams.values()), ZERO)
    refunded_total = sum((s["refunded"] for s in streams.values()), ZERO)
    costs = {c.value: ZERO for c in CostCategory}
    lines = 0
    for category, line_count, amount in rows(FLOOR_COSTS):
        lines += line_count
        costs[category] = _money(amount)
    if not lines:
        not_collected.append("costs")
    cost_total = sum(costs.values(), ZERO)
    revenue = paid_total - refunded_total

    kpis = {
        "candidate_venues": {"count": count, "chosen": chosen},
        "exhibitors": {
            "total": sum(band_counts),
            "countries": countries,
            "by_turnover_band": dict(zip(bands, band_counts, strict=True)),
            "satisfaction": exhibitor_satisfaction,
        },
        "exhibition_size": {
            "net_sqm": str(_money(net)),
            "gross_sqm": str(_money(gross)),
            "booths": booths,
            "pavilions": pavilions,
            "national_pavilions": national,
            "countries": countries,
        },
        "trade_visitors": {
            "registered": int(visitors or 0),
            "attended": visitors_attended,
            "visits": int(visits),
        },
        "vips": {
            "registered": vips_registered,
            "attended": sum(by_protocol.values()),
            "by_category": by_protocol,
        },
        "forum": {
            "participants": forum_participants,
            "sessions": sessions,
            "speakers": speakers,
            "satisfaction": {"ratings": ratings, "mean_rating": _mean(rating_total, ratings)},
        },
        "participant_satisfaction": participant_satisfaction,
        "accredited_media": {"approved": media_approved, "attended": int(media_attended or 0)},
        "total_participants": {
            "attended": attended,
            "countries": attended_countries,
            "registered": registered,
            "registered_countries": registered_countries,
        },
        "web_traffic": {
            "page_views": int(views or 0),
            "unique_visitors": int(visitors_web or 0),
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
        "financial_result": {
            "revenue": str(revenue),
            "revenue_by_stream": {k: str(v["paid"] - v["refunded"]) for k, v in streams.items()},
            "paid": str(paid_total),
            "refunded": str(refunded_total),
            "costs": str(cost_total),
            "costs_by_category": {k: str(v) for k, v in costs.items()},
            "result": str(revenue - cost_total),
        },
    }
    return {"kpis": kpis, "not_collected": sorted(not_collected)}


def _differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            found += _differences(expected.get(key), actual.get(key), f"{path}.{key}")
        return found
    return [] if expected == actual else [f"{path}: engine {expected!r}, SQL {actual!r}"]


# --------------------------------------------------------------------------- databases


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    size: str
    url: str
    name: str  # file path or database name
    drop: Callable[[], None] = field(repr=False)


def create_database(kind: str, size: str, admin_url: str, workdir: Path) -> Database:
    if kind == "sqlite":
        path = workdir / f"kpi-{size}.db"
        return Database(kind, size, f"sqlite:///{path}", str(path), lambda: path.unlink())
    url, name = _postgres.create_database(admin_url, f"telecom_bench_kpi_{size}")
    return Database(kind, size, url, name, lambda: _postgres.drop_database(admin_url, name))


# Statements run on every new connection, by backend (--pg-set, --sqlite-pragma).
CONNECT_STATEMENTS: dict[str, list[str]] = {"postgresql": [], "sqlite": []}


def make_app(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from telecom import create_app
    from telecom.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    statements = CONNECT_STATEMENTS.get(make_url(url).get_backend_name(), [])
    if statements:

        def settings(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()
            dbapi_connection.commit()  # a SET in a rolled-back transaction would not stay

        with app.app_context():
            event.listen(db.engine, "connect", settings)
    return app


def load(app, scale: float, analyze_sqlite: bool) -> tuple[float, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Migrate, generate and bulk-load the edition, add an organizer; (seconds, row counts)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from telecom.auth import services as auth_services
    from telecom.core.permissions import Role
    from telecom.extensions import db

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts: dict[str, int] = {}
        synthetic = SyntheticEdition(Sizes.at(scale))
        with db.engine.begin() as connection:
            loader = BulkLoader(connection, db.metadata)
            for table, columns, rows in synthetic.tables():
                counts[table] = loader.load(table, columns, rows)
            loader.reset_sequences(counts)
        auth_services.create_user(
            email=ORGANIZER_EMAIL,
            full_name="Bench Organizer",
            password=ORGANIZER_PASSWORD,
            roles={Role.ORGANIZER},
            confirmed=True,
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # VACUUM too: a live database is kept so by autovacuum, and index-only
            # scans need the visibility map it writes. VACUUM refuses a transaction.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        elif analyze_sqlite:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, counts


class StatementLog:
    """SQL statements run while it is active, with their times (for counts and --profile)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any, float]] = []
        self._started: list[float] = []

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        elapsed = time.perf_counter() - self._started.pop()
        self.statements.append((statement, parameters, elapsed))

    def __enter__(self) -> StatementLog:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class Timing:
    engine: float
    floor: float
    engine_runs: int
    engine_statements: int
    floor_statements: int
    slowest: list[tuple[str, Any, float]]
    floor_slowest: list[tuple[str, Any, float]]

    @property
    def ratio(self) -> float:
        return self.engine / self.floor if self.floor else float("inf")


def measure(app, runs: int) -> Timing:  # type: ignore[no-untyped-def]
    """Median times of compute_kpis and of the floor, after checking they agree."""
    from telecom.events.models import Edition
    from telecom.extensions import db
    from telecom.kpi.engine import compute_kpis

    with app.app_context():
        edition = db.session.get(Edition, EDITION_ID)
        assert edition is not None
        with StatementLog(db.engine) as warm_up:
            started = time.perf_counter()
            engine_result = compute_kpis(edition).as_dict()  # warm-up (and the reference)
            warm_up_time = time.perf_counter() - started
        floor_result = floor_kpis(db.session, edition)  # warm-up
        expected = {k: engine_result[k] for k in ("kpis", "not_collected")}
        expected["not_collected"] = sorted(expected["not_collected"])
        differences = _differences(expected, floor_result)
        if differences:
            print("The hand-written SQL and the engine disagree:", *differences[:20], sep="\n  ")
            raise SystemExit(2)

        def timed(function: Callable[[], Any]) -> tuple[float, int, list[Any]]:
            times = []
            statements: list[Any] = []
            for _ in range(runs):
                with StatementLog(db.engine) as log:
                    started = time.perf_counter()
                    function()
                    times.append(time.perf_counter() - started)
                statements = log.statements
            return statistics.median(times), len(statements), statements

        if warm_up_time < SLOW_SECONDS:
            engine_runs = runs
            engine_time, engine_count, engine_log = timed(lambda: compute_kpis(edition))
        else:
            # Far off the target: the warm-up is the figure (keeps the bench within minutes).
            engine_runs = 1
            engine_time, engine_count = warm_up_time, len(warm_up.statements)
            engine_log = warm_up.statements
        floor_time, floor_count, floor_log = timed(lambda: floor_kpis(db.session, edition))
        db.session.rollback()
        db.session.remove()
    return Timing(
        engine_time,
        floor_time,
        engine_runs,
        engine_count,
        floor_count,
        sorted(engine_log, key=lambda item: -item[2]),
        sorted(floor_log, key=lambda item: -item[2]),
    )


def explain(app, statements: list[tuple[str, Any, float]], count: int) -> None:  # type: ignore[no-untyped-def]
    from telecom.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters, elapsed in statements[:count]:
                print(f"\n--- {elapsed * 1000:.0f} ms in the engine:\n{statement}\n{parameters}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print("\n".join(row[0] for row in cursor.fetchall()))
        finally:
            raw.close()


def add_indexes(app, statements: list[str]) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from telecom.extensions import db

    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()


# --------------------------------------------------------------------------- XLSX export


def _peak_rss_kib() -> int:
    """This process's peak resident set size (Linux VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best we have


def export_child(url: str) -> None:
    """In a fresh process: GET the registrations XLSX as an organizer; print JSON figures."""
    import zipfile

    from sqlalchemy import select

    from telecom.auth.models import User
    from telecom.extensions import db

    app = make_app(url)
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == ORGANIZER_EMAIL))
        assert user is not None
        user_id = user.get_id()
        db.session.remove()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
    baseline = _peak_rss_kib()
    started = time.perf_counter()
    # Unbuffered, written to disk chunk by chunk as a server writes to its socket.
    response = client.get(
        f"/organizer/editions/{SLUG}/participants/registrations.xlsx", buffered=False
    )
    size = 0
    with tempfile.TemporaryFile() as received:
        for chunk in response.response:
            received.write(chunk)
            size += len(chunk)
        response.close()
        elapsed = time.perf_counter() - started
        peak = _peak_rss_kib()
        rows = 0
        if response.status_code == 200:
            received.seek(0)
            with zipfile.ZipFile(received) as archive:
                sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
                with archive.open(sheet) as handle:
                    tail = b""
                    while chunk := handle.read(1 << 20):
                        rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                        tail = chunk[-8:]
    print(json.dumps({"status": response.status_code, "bytes": size, "rows": rows,
                      "seconds": elapsed, "baseline_kib": baseline, "peak_kib": peak}))  # fmt: skip


def measure_export(url: str) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - this script, our interpreter
        [sys.executable, __file__, "--export-child", url],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the export child failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- report


def _load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="full,quarter",
        help="comma-separated: full, quarter, or a fraction of the full size for a dry run",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL database the script may CREATE DATABASE from",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--no-export", action="store_true", help="skip the XLSX export")
    parser.add_argument("--profile", action="store_true", help="the engine's slowest statements")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE them (PostgreSQL)")
    parser.add_argument(
        "--index",
        action="append",
        default=[],
        help="CREATE INDEX statement to try after the first measurement (repeatable)",
    )
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="SETTING",
        help='a PostgreSQL setting for every connection, e.g. "jit = off" (repeatable)',
    )
    parser.add_argument(
        "--sqlite-pragma",
        action="append",
        default=[],
        metavar="PRAGMA",
        help='an SQLite pragma for every connection, e.g. "mmap_size = 268435456" (repeatable)',
    )
    parser.add_argument(
        "--sqlite-analyze", action="store_true", help="ANALYZE the SQLite database after loading"
    )
    parser.add_argument("--export-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.export_child)
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    kinds = [d.strip() for d in args.databases.split(",") if d.strip()]
    try:
        scales = {size: SCALES[size] if size in SCALES else float(size) for size in sizes}
    except ValueError:
        parser.error("sizes are full, quarter or a fraction of the full size (0.05)")
    if not set(kinds) <= {"sqlite", "postgresql"}:
        parser.error("databases are sqlite and postgresql")
    args.runs = max(1, args.runs)
    CONNECT_STATEMENTS["postgresql"] = [f"SET {setting}" for setting in args.pg_set]
    CONNECT_STATEMENTS["sqlite"] = [f"PRAGMA {pragma}" for pragma in args.sqlite_pragma]

    print(f"bench/kpi.py: {_load_average()}")
    settings = [*CONNECT_STATEMENTS["postgresql"], *CONNECT_STATEMENTS["sqlite"]]
    settings += ["ANALYZE on SQLite"] if args.sqlite_analyze else []
    print(f"settings: {'; '.join(settings) or 'the defaults'}")
    results: dict[tuple[str, str], Timing] = {}
    indexed: dict[tuple[str, str], Timing] = {}
    exports: dict[str, dict[str, Any]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="telecom-bench-kpi-"))
    databases: list[Database] = []
    started = time.perf_counter()
    try:
        for kind in kinds:
            for size in sizes:
                database = create_database(kind, size, args.admin_url, workdir)
                databases.append(database)
                app = make_app(database.url)
                load_seconds, counts = load(app, scales[size], args.sqlite_analyze)
                print(
                    f"\n{kind} {size}: loaded {sum(counts.values()):,} rows "
                    f"in {load_seconds:.0f} s "
                    f"({counts['registrations']:,} registrations, {counts['people']:,} people, "
                    f"{counts['check_ins']:,} check-ins, {counts['organisations']:,} exhibitors, "
                    f"{counts['booths']:,} booths, {counts['seat_reservations']:,} seat "
                    f"reservations, {counts['traffic_page_days']:,} page-days, "
                    f"{counts['payments']:,} payments, {counts['survey_responses']:,} survey "
                    f"answers) into {database.name}"
                )
                timing = measure(app, args.runs)
                results[(kind, size)] = timing
                runs = (
                    f"median of {timing.engine_runs}"
                    if timing.engine_runs > 1
                    else "1 run: over 20 s, no more runs"
                )
                print(
                    f"  engine {timing.engine * 1000:.0f} ms ({runs}; {timing.engine_statements} "
                    f"statements), hand-written SQL {timing.floor * 1000:.0f} ms "
                    f"({timing.floor_statements} statements): same figures, ratio "
                    f"{timing.ratio:.2f}; {_load_average()}"
                )
                if args.profile or args.explain:
                    for label, log in (("engine", timing.slowest), ("SQL", timing.floor_slowest)):
                        print(f"  the slowest statements ({label}, last run):")
                        for statement, _params, elapsed in log[:6]:
                            first = " ".join(statement.split())[:130]
                            print(f"    {elapsed * 1000:7.1f} ms  {first}")
                if args.explain and kind == "postgresql":
                    explain(app, timing.slowest, 4)
                if args.index:
                    add_indexes(app, args.index)
                    indexed[(kind, size)] = measure(app, args.runs)
                    again = indexed[(kind, size)]
                    print(
                        f"  with the extra indexes: engine {again.engine * 1000:.0f} ms, "
                        f"hand-written SQL {again.floor * 1000:.0f} ms, ratio {again.ratio:.2f}"
                    )
                if scales[size] == max(scales.values()) and not args.no_export:
                    exports[kind] = measure_export(database.url)
                    figures = exports[kind]
                    print(
                        f"  XLSX export: {figures['rows'] - 1:,} registrations, "
                        f"{figures['bytes'] / 1e6:.1f} MB in {figures['seconds']:.0f} s, peak "
                        f"RSS {figures['peak_kib'] / 1024:.0f} MiB"
                    )
                from telecom.extensions import db

                with app.app_context():
                    db.engine.dispose()
    finally:
        for database in databases:
            if args.keep:
                print(f"kept {database.kind} database {database.name} ({database.url})")
            else:
                database.drop()
        if not args.keep and not any(workdir.iterdir()):
            workdir.rmdir()
    total = time.perf_counter() - started

    print(f"\nSummary (median of {args.runs} runs after a warm-up; {_load_average()})")
    print(f"{'database':12} {'size':8} {'engine ms':>10} {'SQL ms':>8} {'ratio':>6} "
          f"{'statements':>11}   targets: < {TARGET_SECONDS * 1000:.0f} ms, ratio < "
          f"{TARGET_RATIO}")  # fmt: skip
    met = True
    for (kind, size), timing in results.items():
        ok = timing.ratio < TARGET_RATIO and (size != "full" or timing.engine < TARGET_SECONDS)
        met &= ok
        print(
            f"{kind:12} {size:8} {timing.engine * 1000:>10.0f} {timing.floor * 1000:>8.0f} "
            f"{timing.ratio:>6.2f} {timing.engine_statements:>5} / {timing.floor_statements:<4} "
            f"{'' if ok else '  <- misses a target'}"
        )
    for (kind, size), timing in indexed.items():
        print(
            f"{kind:12} {size:8} {timing.engine * 1000:>10.0f} {timing.floor * 1000:>8.0f} "
            f"{timing.ratio:>6.2f}   with the --index indexes"
        )
    for kind in kinds:
        if (kind, "full") in results and (kind, "quarter") in results:
            full, quarter = results[(kind, "full")], results[(kind, "quarter")]
            growth = full.engine / quarter.engine
            floor_growth = full.floor / quarter.floor
            met &= growth <= 4.4  # linear, with 10% for timer noise
            print(
                f"growth on {kind}, quarter -> full size (x4 data): engine x{growth:.1f}, "
                f"hand-written SQL x{floor_growth:.1f} (target: no worse than linear, x4)"
            )
    for kind, figures in exports.items():
        peak_mb = figures["peak_kib"] * 1024 / 1e6
        met &= peak_mb < TARGET_EXPORT_MB and figures["status"] == 200
        print(
            f"XLSX export of {figures['rows'] - 1:,} registrations on {kind}: peak RSS "
            f"{peak_mb:.0f} MB (VmHWM of a fresh child process doing only the export; "
            f"{figures['baseline_kib'] * 1024 / 1e6:.0f} MB before the request), "
            f"{figures['bytes'] / 1e6:.1f} MB file in {figures['seconds']:.0f} s "
            f"(target < {TARGET_EXPORT_MB} MB)"
        )
    print(f"targets met: {'yes' if met else 'no'}; the bench took {total / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
