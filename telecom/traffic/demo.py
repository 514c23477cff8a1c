"""Web-traffic demo data: imported daily figures over each demo edition's campaign window.

The demo editions happened before the platform existed, so their traffic is
what a CSV import of the old sites' statistics would give: TrafficDay rows
with source "imported", one per day of the campaign window (the engine's
window: campaign_start/end, else the 365 days up to the last day). The curve
is illustrative, not ITU's statistics: a steady base that grows as the event
nears, a peak on the event days, a quick fall afterwards, quieter weekends,
and about a third as many daily visitors as page views. Deterministic (one
seeded random.Random per edition), bulk-inserted, and idempotent: days that
already have figures are left alone.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.kpi.engine import DEFAULT_CAMPAIGN_DAYS
from telecom.traffic.models import TrafficDay, TrafficSource

# Daily page views far from the event, and on its busiest day (by edition slug).
DEMO_SCALE = {
    "telecom-world-2013": (1_400, 21_000),
    "telecom-world-2015": (1_900, 27_000),
}
WEEKEND_FACTOR = {5: 0.55, 6: 0.5}  # Saturday, Sunday
BUILD_UP_DAYS = 18.0  # how fast interest grows in the weeks before the event
AFTERGLOW_DAYS = 3.0  # how fast it fades after the last day


def campaign_window(edition: Edition) -> tuple[date, date]:
    end = edition.campaign_end or edition.end_date
    start = edition.campaign_start or end - timedelta(days=DEFAULT_CAMPAIGN_DAYS - 1)
    return start, end


def _interest(day: date, edition: Edition, base: int, peak: int) -> float:
    """Expected page views of `day`: the campaign's curve around the event."""
    if day < edition.start_date:
        weeks_out = (edition.start_date - day).days
        return base + (peak * 0.45) * math.exp(-weeks_out / BUILD_UP_DAYS)
    if day <= edition.end_date:
        # The opening day is the busiest; interest stays high through the event.
        return peak * (1.0 - 0.12 * (day - edition.start_date).days)
    return base * 0.8 + (peak * 0.5) * math.exp(-(day - edition.end_date).days / AFTERGLOW_DAYS)


def _figures(edition: Edition, day: date, rng: random.Random) -> tuple[int, int]:
    base, peak = DEMO_SCALE.get(edition.slug, (1_000, 10_000))
    views = _interest(day, edition, base, peak)
    if not edition.start_date <= day <= edition.end_date:
        views *= WEEKEND_FACTOR.get(day.weekday(), 1.0)
    views *= rng.uniform(0.88, 1.12)
    page_views = max(int(views), 1)
    unique_visitors = int(page_views * rng.uniform(0.30, 0.38))
    return page_views, unique_visitors


def load_traffic_demo() -> dict[str, int]:
    """Imported daily figures for the demo editions' campaign windows; counts created."""
    created = 0
    editions = db.session.scalars(
        select(Edition).where(Edition.slug.in_(DEMO_SCALE)).order_by(Edition.start_date)
    )
    for edition in editions:
        start, end = campaign_window(edition)
        existing = set(
            db.session.scalars(
                select(TrafficDay.day).where(TrafficDay.day >= start, TrafficDay.day <= end)
            )
        )
        rng = random.Random(f"traffic-{edition.slug}")  # noqa: S311 (demo figures, not secrets)
        rows = []
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            # Draw for every day, so a day already present does not shift the others.
            page_views, unique_visitors = _figures(edition, day, rng)
            if day not in existing:
                rows.append(
                    {"day": day, "page_views": page_views, "unique_visitors": unique_visitors,
                     "source": TrafficSource.IMPORTED}
                )  # fmt: skip
        if rows:
            db.session.execute(insert(TrafficDay), rows)
        created += len(rows)
    db.session.commit()
    return {"traffic days": created}
