"""With the demo data, the KPIs reproduce the published figures the demo was built on.

Published for ITU TELECOM World 2015 (Budapest): 238 exhibitors from 54
countries, 23 national pavilions, about 4,000 participants from 129
countries, 239 leaders, 247 speakers, four candidate venues. Each assertion
names the engine's definition it checks; where the published figure and the
engine's definition differ, the test says so instead of bending either.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from telecom.demo import load_demo_data
from telecom.events.services import get_edition
from telecom.kpi import EditionKpis, compute_kpis


@pytest.fixture
def demo(app: Flask) -> dict[str, EditionKpis]:
    load_demo_data()
    return {year: compute_kpis(get_edition(f"telecom-world-{year}")) for year in ("2013", "2015")}


def test_the_2015_kpis_reproduce_the_published_figures(demo: dict[str, EditionKpis]) -> None:
    kpis = demo["2015"].kpis

    assert kpis.candidate_venues.count == 4
    assert kpis.candidate_venues.chosen == {
        "city": "Budapest",
        "country": "HU",
        "venue": "HUNGEXPO",
    }
    assert (kpis.exhibitors.total, kpis.exhibitors.countries) == (238, 54)
    assert sum(kpis.exhibitors.by_turnover_band.values()) == 238
    # "23 pavilions" are the national ones; two thematic pavilions come on top.
    assert kpis.exhibition_size.national_pavilions == 23
    assert kpis.exhibition_size.pavilions == 25
    assert 12_500 <= kpis.exhibition_size.net_sqm <= 13_500  # "about 13,000 sqm"
    assert kpis.exhibition_size.gross_sqm >= kpis.exhibition_size.net_sqm
    # "About 4,000 participants from 129 countries": everyone registered, counted once.
    assert 3_700 <= kpis.total_participants.registered <= 4_300
    assert kpis.total_participants.registered_countries == 129
    # Those who came (any check-in) are fewer, from no more countries.
    assert 0.75 * kpis.total_participants.registered <= kpis.total_participants.attended
    assert kpis.total_participants.attended < kpis.total_participants.registered
    assert kpis.total_participants.countries <= 129
    # 239 leaders accepted their invitation and came.
    assert kpis.vips.attended == kpis.vips.registered == 239
    assert sum(kpis.vips.by_category.values()) == 239
    assert kpis.forum.speakers == 247
    assert kpis.trade_visitors.visits > kpis.trade_visitors.attended
    assert kpis.accredited_media.attended <= kpis.accredited_media.approved
    # Every input is recorded for the demo's 2015 (surveys, traffic, costs).
    assert demo["2015"].not_collected == []


def test_2013_is_smaller_than_2015(demo: dict[str, EditionKpis]) -> None:
    old, new = demo["2013"].kpis, demo["2015"].kpis

    assert old.vips.attended == 180 and old.forum.speakers == 180
    assert old.exhibitors.total < new.exhibitors.total
    assert old.total_participants.registered < new.total_participants.registered
    assert old.candidate_venues.count == 0


def test_before_the_event_nobody_had_come(demo: dict[str, EditionKpis]) -> None:
    before = compute_kpis(get_edition("telecom-world-2015"), date(2015, 10, 11)).kpis

    assert before.total_participants.attended == 0
    assert before.trade_visitors.visits == 0
    assert before.forum.participants == 0
