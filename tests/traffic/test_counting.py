"""Public page views by people are counted, once a day per visitor, without cookies."""

from __future__ import annotations

from datetime import date, timedelta
from http.cookies import SimpleCookie

import pytest
from flask import Flask, Response
from sqlalchemy import select

from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.traffic import hook
from telecom.traffic.cli import traffic_cli
from telecom.traffic.models import PageDay, TrafficDay, TrafficSalt, VisitorMark
from telecom.traffic.services import count_page_view, utc_today
from tests.helpers import log_in, make_edition, make_user
from tests.traffic.support import (
    ADDRESS,
    FIREFOX,
    SAFARI,
    counted_views,
    mark_days,
    page_figures,
    salt_days,
    site_figures,
    visit,
)

EDITION_PAGE = "/editions/telecom-world-2015"


@pytest.fixture
def edition(app: Flask):
    return make_edition()


def test_the_same_visitor_is_one_unique_visitor_and_every_view_counts(client, edition):
    today = utc_today()

    assert visit(client, "/").status_code == 200
    visit(client, "/")
    visit(client, EDITION_PAGE)

    assert site_figures(today) == (3, 1)
    assert page_figures(today, "/") == (2, 1)
    assert page_figures(today, EDITION_PAGE) == (1, 1)


def test_another_browser_or_another_address_is_another_visitor(client, edition):
    today = utc_today()

    visit(client, EDITION_PAGE)
    visit(client, EDITION_PAGE, agent=SAFARI)
    visit(client, EDITION_PAGE, address="198.51.100.20")
    visit(client, EDITION_PAGE, agent=SAFARI)

    assert site_figures(today) == (4, 3)
    assert page_figures(today, EDITION_PAGE) == (4, 3)


def test_the_query_string_is_not_part_of_the_page(client, edition):
    visit(client, EDITION_PAGE + "?utm_source=newsletter")
    visit(client, EDITION_PAGE)

    assert page_figures(utc_today(), EDITION_PAGE) == (2, 1)
    assert db.session.scalar(select(PageDay.path).where(PageDay.path.contains("utm"))) is None


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
    ],
    ids=["empty", "googlebot", "bingbot", "slurp", "curl", "wget", "python", "headless"],
)
def test_robots_and_scripts_are_not_counted(client, edition, agent):
    response = visit(client, EDITION_PAGE, agent=agent)

    assert response.status_code == 200
    assert counted_views() == 0


def test_files_the_api_and_health_checks_are_not_counted(client, edition):
    assert visit(client, "/static/css/telecom.css").status_code == 200
    assert visit(client, "/api/v1/editions/telecom-world-2015/programme").status_code in (200, 404)
    assert visit(client, "/healthz").status_code == 200
    visit(client, "/favicon.ico")

    assert counted_views() == 0


def test_organizer_pages_are_not_counted(client, edition):
    make_user("organizer@example.org", roles={Role.ORGANIZER})
    log_in(client, "organizer@example.org")

    assert visit(client, "/organizer/").status_code == 200
    assert visit(client, "/organizer/editions/telecom-world-2015").status_code == 200
    assert visit(client, "/account/").status_code == 200

    assert counted_views() == 0


def test_missing_pages_posts_and_head_requests_are_not_counted(client, edition):
    assert visit(client, "/editions/no-such-edition").status_code == 404
    assert visit(client, "/no/such/page").status_code == 404
    assert visit(client, "/", method="HEAD").status_code == 200
    wrong_login = visit(
        client, "/account/login", method="POST", data={"email": "x@example.org", "password": "x"}
    )
    assert wrong_login.status_code in (200, 400)

    assert counted_views() == 0


def test_a_public_file_that_is_not_html_is_not_counted(app, client, edition):
    # A stand-in for any public download (an iCal file, a PDF) at a public path.
    app.add_url_rule(
        "/editions/<slug>/press-kit.txt",
        "press_kit",
        lambda slug: Response("kit", mimetype="text/plain"),
    )
    assert visit(client, "/editions/telecom-world-2015/press-kit.txt").mimetype == "text/plain"

    assert counted_views() == 0


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("/", True),
        ("/editions/telecom-world-2015", True),
        ("/editions/telecom-world-2015/exhibitors", True),
        ("/editions/telecom-world-2015/exhibitors/12", True),
        ("/editions/telecom-world-2015/forum/sessions/7", True),
        ("/editions/telecom-world-2015/register", True),
        ("/editions/telecom-world-2015/exhibitors/12/manage", False),
        ("/editions/telecom-world-2015/exhibitors/12/bookings", False),
        ("/editions/telecom-world-2015/my-organisations", False),
        ("/editions/telecom-world-2015/media/application", False),
        ("/editions/telecom-world-2015/forum/agenda", False),
        ("/rsvp/secret-token", False),
        ("/speakers/secret-token", False),
        ("/surveys/secret-token", False),
        ("/registrations/confirm/secret-token", False),
        ("/my/registrations", False),
        ("/orders/4", False),
        ("/organizer/traffic/", False),
        ("/checkin/editions/telecom-world-2015/", False),
        ("/media-review/", False),
        ("/protocol/", False),
        ("/robots.txt", False),
        ("/myriad", True),
    ],
)
def test_only_public_pages_count_and_token_links_are_never_stored(path, public):
    assert hook.is_public_path(path) is public


def test_counting_sets_no_cookie(app, edition):
    """The layout's CSRF token gives a first visit a session cookie; counting adds none."""

    def first_visit_cookies(counting: bool) -> dict[str, set[str]]:
        app.config["TRAFFIC_COUNTING"] = counting
        response = visit(app.test_client(), EDITION_PAGE)
        cookies: dict[str, set[str]] = {}
        for header in response.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = {key for key, value in morsel.items() if value}
        return cookies

    without = first_visit_cookies(counting=False)
    assert counted_views() == 0
    with_counting = first_visit_cookies(counting=True)

    assert counted_views() == 1
    assert with_counting == without


def test_the_page_is_served_when_counting_fails(app, client, edition, backend, caplog):
    """Another writer holds the visitor marks longer than counting waits: the view is lost."""
    connection = db.engine.connect()
    if backend == "sqlite":
        # A write lock: pages still read, the count waits its 5 s busy timeout and gives up.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("LOCK TABLE traffic_visitor_marks IN EXCLUSIVE MODE")
    try:
        with caplog.at_level("ERROR", logger="telecom.traffic.hook"):
            response = visit(client, EDITION_PAGE)
    finally:
        connection.rollback()
        connection.close()

    assert response.status_code == 200
    assert "ITU TELECOM World 2015" in response.get_data(as_text=True)
    assert f"A page view of {EDITION_PAGE} could not be counted" in caplog.text
    assert counted_views() == 0
    visit(client, EDITION_PAGE)
    assert counted_views() == 1


def test_counting_can_be_switched_off(app, client, edition):
    app.config["TRAFFIC_COUNTING"] = False

    visit(client, EDITION_PAGE)

    assert counted_views() == 0


def test_the_next_day_the_same_visitor_counts_again_and_yesterday_is_forgotten(client, edition):
    today = utc_today()
    tomorrow = today + timedelta(days=1)
    visit(client, EDITION_PAGE)
    visit(client, EDITION_PAGE)
    assert salt_days() == [today]
    assert mark_days() == {today}

    count_page_view(db.engine, EDITION_PAGE, ADDRESS, FIREFOX, day=tomorrow)

    assert site_figures(today) == (2, 1)
    assert site_figures(tomorrow) == (1, 1)
    assert page_figures(tomorrow, EDITION_PAGE) == (1, 1)
    # The new day's salt discarded today's salt and visitor marks; the counts stay.
    assert salt_days() == [tomorrow]
    assert mark_days() == {tomorrow}


def test_each_day_has_its_own_random_salt(app, edition):
    day = date(2015, 10, 12)
    count_page_view(db.engine, "/", ADDRESS, FIREFOX, day=day)
    first = db.session.scalar(select(TrafficSalt.salt))
    first_mark = db.session.scalar(select(VisitorMark.digest).where(VisitorMark.path == ""))

    count_page_view(db.engine, "/", ADDRESS, FIREFOX, day=day + timedelta(days=1))
    second = db.session.scalar(select(TrafficSalt.salt))
    second_mark = db.session.scalar(select(VisitorMark.digest).where(VisitorMark.path == ""))

    assert len(first) == len(second) == 32
    assert first != second
    # The same person leaves unrelated hashes on two days.
    assert first_mark != second_mark


def test_a_visit_of_a_new_day_deletes_the_salt_of_yesterday(client, edition):
    yesterday = utc_today() - timedelta(days=1)
    db.session.add(TrafficSalt(day=yesterday, salt=b"y" * 32))
    db.session.add(VisitorMark(day=yesterday, path="", digest=b"d" * 32))
    db.session.add(TrafficDay(day=yesterday, page_views=40, unique_visitors=12))
    commit()

    visit(client, EDITION_PAGE)

    assert salt_days() == [utc_today()]
    assert yesterday not in mark_days()
    assert site_figures(yesterday) == (40, 12)


def test_the_purge_command_deletes_earlier_days_only(app, edition):
    count_page_view(db.engine, "/", ADDRESS, FIREFOX)
    # Rows of yesterday written after today's salt was made (a slow request at midnight).
    yesterday = utc_today() - timedelta(days=1)
    db.session.add(TrafficSalt(day=yesterday, salt=b"y" * 32))
    db.session.add(VisitorMark(day=yesterday, path="/", digest=b"d" * 32))
    commit()

    result = app.test_cli_runner().invoke(traffic_cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert "Deleted 1 expired salt(s) and 1 visitor mark(s)." in result.output
    assert salt_days() == [utc_today()]
    assert mark_days() == {utc_today()}
    assert site_figures(utc_today()) == (1, 1)


def test_concurrent_views_are_all_counted(racing_app, edition):
    from tests.concurrency import run_at_once

    def view(agent: str):
        return lambda: count_page_view(db.engine, EDITION_PAGE, ADDRESS, agent)

    calls = [view(FIREFOX) for _ in range(12)] + [view(SAFARI) for _ in range(8)]
    _results, errors = run_at_once(racing_app, calls)

    assert errors == []
    assert site_figures(utc_today()) == (20, 2)
    assert page_figures(utc_today(), EDITION_PAGE) == (20, 2)
    assert len(salt_days()) == 1
