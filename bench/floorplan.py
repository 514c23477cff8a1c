"""Server time and SQL statements of the public floor-plan page, for 100 and 1,000 booths.

Usage: .venv/bin/python bench/floorplan.py [--requests N] [--database-url URL]
(--database-url must name an empty database made for the run: the script migrates it.)

Builds, in a temporary SQLite database by default, two editions: one with 100
booths and one with 1,000 booths, 60 % of them booked (confirmed or paid),
plus a few live holds, expired holds and blocked booths. Then it requests
/editions/<slug>/floorplan N times in-process (no network) and prints the
median and 95th-percentile server time, the page size, and the number of SQL
statements per request (counted with a `before_cursor_execute` listener).
The target is a median under 150 ms for 1,000 booths and a statement count
that does not grow with the number of booths.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import event

from telecom import create_app
from telecom.core.models import utcnow
from telecom.events import services as event_services
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
    Sector,
    TurnoverBand,
)
from telecom.extensions import db

BOOTH_W, BOOTH_D = Decimal(6), Decimal(3)
PER_ROW = 25  # booths per row of a hall; rows are 3 m deep with a 3 m aisle every two


def build_edition(slug: str, booths: int, booked_share: float = 0.6) -> None:
    """An edition with `booths` booths in two halls, `booked_share` of them booked."""
    edition = event_services.create_edition(
        event_services.EditionData(
            slug=slug, name=f"Bench {booths}", city="Budapest", country="HU", venue="HUNGEXPO",
            start_date=date(2015, 10, 12), end_date=date(2015, 10, 15),
            timezone="Europe/Budapest", currency="CHF",
        ),
        actor=None,
    )  # fmt: skip
    per_hall = -(-booths // 2)
    rows_per_hall = -(-per_hall // PER_ROW)
    halls = []
    for code in ("F", "G"):
        hall = Hall(
            edition_id=edition.id, code=code, name=f"Hall {code}",
            width=BOOTH_W * PER_ROW + 4, depth=Decimal(rows_per_hall) * 5 + 4,
        )  # fmt: skip
        db.session.add(hall)
        halls.append(hall)
    db.session.flush()
    created: list[Booth] = []
    for n in range(booths):
        hall = halls[n % 2]
        index = n // 2
        row, col = divmod(index, PER_ROW)
        booth = Booth(
            edition_id=edition.id, hall_id=hall.id, code=f"{hall.code}{index + 1:03d}",
            x=2 + BOOTH_W * col, y=Decimal(2) + Decimal(row) * 5, width=BOOTH_W, depth=BOOTH_D,
            booth_type=BoothType.SHELL_SCHEME if n % 3 else BoothType.SPACE_ONLY,
            open_sides=1 + (n % 4), blocked=(n % 97 == 96),
        )  # fmt: skip
        db.session.add(booth)
        created.append(booth)
    organisations = []
    for n in range(max(1, booths // 4)):
        organisation = Organisation(
            edition_id=edition.id, legal_name=f"Exhibitor {n} Ltd", display_name=f"Exhibitor {n}",
            country="HU", sector=Sector.OPERATOR, turnover_band=TurnoverBand.UNDER_10M,
        )  # fmt: skip
        db.session.add(organisation)
        organisations.append(organisation)
    db.session.flush()
    now = utcnow()
    booked = int(booths * booked_share)
    free = [booth for booth in created if not booth.blocked]
    for n, booth in enumerate(free[:booked]):
        db.session.add(
            BoothBooking(
                edition_id=edition.id, booth_id=booth.id,
                organisation_id=organisations[n % len(organisations)].id,
                state=BookingState.PAID if n % 2 else BookingState.CONFIRMED,
                price=Decimal("9360.00"), currency="CHF", confirmed_at=now,
            )
        )  # fmt: skip
    # A few holds: live ones show "held", expired ones "available".
    for n, booth in enumerate(free[booked : booked + booths // 20]):
        db.session.add(
            BoothBooking(
                edition_id=edition.id, booth_id=booth.id,
                organisation_id=organisations[n % len(organisations)].id,
                state=BookingState.HELD, price=Decimal("9360.00"), currency="CHF",
                held_until=now + timedelta(minutes=20 if n % 2 else -5),
            )
        )  # fmt: skip
    db.session.commit()


def measure(app, path: str, requests: int) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    counts: list[int] = []
    current = [0]

    def count(*_args: object) -> None:
        current[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(path)  # warm up caches (templates, translations)
        timings = []
        size = 0
        for _ in range(requests):
            current[0] = 0
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            counts.append(current[0])
            size = len(response.data)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    assert len(set(counts)) == 1, f"statement count varies between requests: {set(counts)}"
    return statistics.median(timings), p95, size / 1024, counts[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
        with app.app_context():
            upgrade()
            build_edition("bench-100", 100)
            build_edition("bench-1000", 1000)
            backend = db.engine.dialect.name
        print(f"floor-plan page, {backend}, {args.requests} requests each")
        print(f"{'booths':>7} {'median ms':>10} {'p95 ms':>8} {'KiB':>7} {'SQL statements':>15}")
        for booths in (100, 1000):
            median, p95, kib, statements = measure(
                app, f"/editions/bench-{booths}/floorplan", args.requests
            )
            print(f"{booths:>7} {median:>10.1f} {p95:>8.1f} {kib:>7.0f} {statements:>15}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
