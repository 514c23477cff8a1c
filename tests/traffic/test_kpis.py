"""The web-traffic KPI sums counted and imported days inside the edition's campaign window."""

from __future__ import annotations

from datetime import date, timedelta

from telecom.core.db import commit
from telecom.events.services import get_edition
from telecom.extensions import db
from telecom.kpi import compute_kpis
from telecom.traffic.demo import load_traffic_demo
from telecom.traffic.models import TrafficDay, TrafficSource
from telecom.traffic.services import utc_today
from tests.helpers import make_edition
from tests.traffic.support import visit


def test_only_days_inside_the_campaign_window_count(app):
    edition = make_edition(campaign_start=date(2015, 4, 1), campaign_end=date(2015, 10, 31))
    for day, views, visitors in [
        (date(2015, 3, 31), 1000, 100),  # the day before the window
        (date(2015, 4, 1), 200, 50),
        (date(2015, 10, 12), 9000, 3000),
        (date(2015, 10, 31), 300, 70),
        (date(2015, 11, 1), 5000, 900),  # the day after
    ]:
        db.session.add(TrafficDay(day=day, page_views=views, unique_visitors=visitors))
    commit()

    traffic = compute_kpis(edition).kpis.web_traffic
    as_of = compute_kpis(edition, date(2015, 10, 12)).kpis.web_traffic

    assert (traffic.page_views, traffic.unique_visitors) == (9500, 3120)
    assert (traffic.from_, traffic.to) == (date(2015, 4, 1), date(2015, 10, 31))
    assert (as_of.page_views, as_of.to) == (9200, date(2015, 10, 12))


def test_views_counted_today_feed_a_running_campaign(app, client):
    today = utc_today()
    make_edition(
        "telecom-world-2031", name="ITU TELECOM World 2031",
        start_date=today + timedelta(days=30), end_date=today + timedelta(days=33),
        campaign_start=today - timedelta(days=10), campaign_end=today + timedelta(days=40),
    )  # fmt: skip
    edition = make_edition("telecom-world-2015")  # an edition long past: not its window

    visit(client, "/")
    visit(client, "/editions/telecom-world-2031")
    visit(client, "/editions/telecom-world-2031", agent="Mozilla/5.0 Other browser")

    running = compute_kpis(get_edition("telecom-world-2031")).kpis.web_traffic
    assert (running.page_views, running.unique_visitors) == (3, 2)
    assert compute_kpis(edition).kpis.web_traffic.page_views == 0


def test_the_demo_imports_both_campaigns_once(app):
    old = make_edition(
        "telecom-world-2013", name="ITU TELECOM World 2013", start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22), campaign_start=date(2013, 5, 1),
        campaign_end=date(2013, 11, 30),
    )  # fmt: skip
    new = make_edition(campaign_start=date(2015, 4, 1), campaign_end=date(2015, 10, 31))

    first = load_traffic_demo()
    again = load_traffic_demo()

    assert first == {"traffic days": 214 + 214}
    assert again == {"traffic days": 0}
    kpis_2013 = compute_kpis(old).kpis.web_traffic
    kpis_2015 = compute_kpis(new).kpis.web_traffic
    assert 0 < kpis_2013.page_views < kpis_2015.page_views
    assert kpis_2015.unique_visitors < kpis_2015.page_views
    # The busiest day is the opening day of the event.
    busiest = (
        db.session.query(TrafficDay.day)
        .filter(TrafficDay.day.between(date(2015, 4, 1), date(2015, 10, 31)))
        .order_by(TrafficDay.page_views.desc())
        .first()
    )
    assert busiest is not None and busiest[0] == date(2015, 10, 12)
    assert {source for (source,) in db.session.query(TrafficDay.source).distinct()} == {
        TrafficSource.IMPORTED
    }
