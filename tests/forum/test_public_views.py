"""The delegate's forum pages: programme, session pages, seats, ratings, calendars.

Each test reads like what a delegate does in a browser: open a page, press a
button (a POST with the page's CSRF token), read what the page says next.
"""

from __future__ import annotations

import re

import icalendar
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from telecom.extensions import db
from telecom.forum.models import ReservationStatus, SeatReservation, SessionRating
from telecom.forum.services import programme
from telecom.participants.models import PassType
from tests.core import action_token, form_values, visible_text
from tests.forum.support_public import (
    BREAKFAST,
    DIALLO,
    DIALLO_BIO,
    INVITED,
    KEYNOTE,
    PANEL,
    ROUNDTABLE,
    SUMMIT,
    WATANABE,
    WORKSHOP,
    Forum,
    build_forum,
    check_in,
    delegate,
    programme_path,
    reservation_of,
    session_path,
)
from tests.helpers import MailSink, body_of, log_in, make_user

CSRF_REFUSED = "security token is missing or expired"


@pytest.fixture
def forum(app) -> Forum:
    return build_forum()


@pytest.fixture
def eva(forum: Forum):
    return delegate(forum, "eva@delegate.example", "Eva Delegate")


@pytest.fixture
def tom(forum: Forum):
    return delegate(forum, "tom@delegate.example", "Tom Delegate")


def logged_in(app, email: str) -> FlaskClient:
    client = app.test_client()
    log_in(client, email)
    return client


def page(client: FlaskClient, forum: Forum, title: str) -> str:
    response = client.get(session_path(forum.slug, forum.session(title).id))
    assert response.status_code == 200
    return visible_text(response)


def press(client: FlaskClient, forum: Forum, title: str, action: str, **data: str):
    """Press a button of the session page (its form carries the page's CSRF token)."""
    path = session_path(forum.slug, forum.session(title).id)
    token = action_token(client, path)
    return client.post(f"{path}/{action}", data={"csrf_token": token, **data})


def titles_on(response) -> list[str]:
    """Session titles in the order the programme lists them."""
    html = response.get_data(as_text=True)
    found = re.findall(r'<a class="ms-2 fw-semibold" href="[^"]+">([^<]+)</a>', html)
    return [title.replace("&#39;", "'") for title in found]


def day_query(forum: Forum, offset: int) -> str:
    return forum.day(offset).isoformat()


# --- Publication ------------------------------------------------------------------------


def test_an_unpublished_programme_is_hidden_from_everyone_but_organizers(app, client):
    forum = build_forum(publish=False)
    summit = forum.session(SUMMIT)
    speaker = forum.speakers[DIALLO]

    notice = client.get(programme_path(forum.slug))
    assert notice.status_code == 200
    text = visible_text(notice)
    assert "not published yet" in text
    assert SUMMIT not in text and DIALLO not in text
    for path in (
        session_path(forum.slug, summit.id),
        session_path(forum.slug, summit.id) + ".ics",
        f"/editions/{forum.slug}/forum/speakers/{speaker.id}/photo",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "not published yet" in visible_text(response)

    # A delegate with a forum pass sees no more than anyone else.
    delegate(forum, "early@delegate.example", "Early Bird")
    early = logged_in(app, "early@delegate.example")
    assert SUMMIT not in visible_text(early.get(programme_path(forum.slug)))
    assert early.get(session_path(forum.slug, summit.id)).status_code == 404

    # The organizer previews it, clearly marked.
    organizer = logged_in(app, forum.organizer.email)
    preview = organizer.get(programme_path(forum.slug), query_string={"day": "all"})
    assert preview.status_code == 200
    text = visible_text(preview)
    assert "Preview: the programme is not published yet" in text
    assert SUMMIT in text
    session_page = organizer.get(session_path(forum.slug, summit.id))
    assert session_page.status_code == 200
    assert "Preview" in visible_text(session_page)

    # Published: everyone sees it, without the preview banner.
    forum.publish()
    text = visible_text(client.get(programme_path(forum.slug), query_string={"day": "all"}))
    assert SUMMIT in text and "Preview" not in text
    forum.unpublish()
    assert client.get(session_path(forum.slug, summit.id)).status_code == 404


def test_the_edition_page_links_to_the_forum_programme(client, forum):
    html = client.get(f"/editions/{forum.slug}").get_data(as_text=True)
    assert f'href="/editions/{forum.slug}/forum"' in html
    assert "Forum programme" in html


# --- Programme: days, filters, search ---------------------------------------------------


def test_the_programme_shows_one_day_per_tab_in_local_time(client, forum):
    # Without a choice the programme opens on today (an event day: nothing on it).
    today = client.get(programme_path(forum.slug))
    assert titles_on(today) == []
    assert "No sessions on this day." in visible_text(today)
    tabs = re.findall(r'<a class="nav-link[^"]*"[^>]*href="[^"]*day=([0-9a-z-]+)', today.text)
    assert tabs == [day_query(forum, offset) for offset in (-1, 0, 1, 2)] + ["all"]

    tomorrow = client.get(programme_path(forum.slug), query_string={"day": day_query(forum, 1)})
    assert titles_on(tomorrow) == [SUMMIT, PANEL, WORKSHOP]
    text = visible_text(tomorrow)
    # The clock as the organizer typed it, in the edition's zone.
    assert "9:00 AM–10:30 AM" in text
    assert "Times are local times in Europe/Budapest" in text
    # Confirmed speakers only; the moderator is marked.
    assert f"{DIALLO}, {WATANABE} (moderator)" in text
    assert INVITED not in text
    assert "1 seat left" in text  # the one-seat workshop

    every_day = client.get(programme_path(forum.slug), query_string={"day": "all"})
    assert titles_on(every_day) == [KEYNOTE, SUMMIT, PANEL, WORKSHOP, BREAKFAST, ROUNDTABLE]

    # A day that is not a programme day (a stale link) falls back to today.
    stale = client.get(programme_path(forum.slug), query_string={"day": "1999-01-01"})
    assert stale.status_code == 200 and titles_on(stale) == []


def test_the_programme_filters_by_track_and_room(client, forum):
    policy = forum.tracks["Policy"].id
    small = forum.rooms["Small Room"].id
    response = client.get(programme_path(forum.slug), query_string={"day": "all", "track": policy})
    assert titles_on(response) == [SUMMIT, ROUNDTABLE]
    assert "2 sessions match." in visible_text(response)
    # The filter stays chosen on the form, and the day tabs keep it.
    assert form_values(response)["track"] == str(policy)
    assert f"track={policy}" in response.text

    response = client.get(programme_path(forum.slug), query_string={"day": "all", "room": small})
    assert titles_on(response) == [WORKSHOP]

    both = {"day": "all", "room": small, "track": policy}
    response = client.get(programme_path(forum.slug), query_string=both)
    assert titles_on(response) == []
    assert "No session matches your filter." in visible_text(response)

    # Tampered values narrow nothing and never fail.
    for junk in ({"track": "abc"}, {"room": "-3"}, {"track": "999999"}):
        response = client.get(programme_path(forum.slug), query_string={"day": "all", **junk})
        assert response.status_code == 200
        assert len(titles_on(response)) == 6


def test_the_search_finds_titles_descriptions_and_speakers_across_days(client, forum):
    def search(term: str) -> list[str]:
        response = client.get(programme_path(forum.slug), query_string={"q": term})
        assert response.status_code == 200
        return titles_on(response)

    assert search("spectrum") == [WORKSHOP]  # title, any case
    assert search("broadband") == [SUMMIT]  # description
    assert search("diallo") == [KEYNOTE, SUMMIT]  # a speaker, on two days
    assert search("no such thing") == []
    # Characters that mean something to SQL LIKE are plain text.
    assert search("%") == []
    # A search within one day.
    response = client.get(
        programme_path(forum.slug), query_string={"q": "diallo", "day": day_query(forum, 1)}
    )
    assert titles_on(response) == [SUMMIT]
    long = client.get(programme_path(forum.slug), query_string={"q": "x" * 500})
    assert long.status_code == 200


# --- A session's page ---------------------------------------------------------------------


def test_a_session_page_shows_its_speakers_with_photo_and_bio(client, forum):
    summit = forum.session(SUMMIT)
    response = client.get(session_path(forum.slug, summit.id))
    assert response.status_code == 200
    text = visible_text(response)
    assert SUMMIT in text
    assert "Leaders' Summit" in text and "Policy" in text
    assert "Room A, Hall A, level 1" in text
    assert "Any forum pass" in text
    assert "50 seats left" in text
    assert "How broadband reaches the last three billion people." in text
    assert "Minister of Digital Economy, Government of Senegal · Senegal" in text
    for paragraph in DIALLO_BIO.split("\n\n"):
        assert paragraph in text
    assert f"{WATANABE} Moderator" in text
    assert INVITED not in text  # not confirmed: not announced
    # Anonymous visitors are asked to log in to reserve.
    assert "Log in to reserve a seat" in text

    diallo = forum.speakers[DIALLO]
    photo_path = f"/editions/{forum.slug}/forum/speakers/{diallo.id}/photo"
    assert f'src="{photo_path}"' in response.text
    photo = client.get(photo_path)
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8\xff")
    # Every confirmed speaker's photo is shown; an unconfirmed speaker's is not public.
    assert f"/speakers/{forum.speakers[WATANABE].id}/photo" in response.text
    invited = forum.speakers[INVITED]
    assert (
        client.get(f"/editions/{forum.slug}/forum/speakers/{invited.id}/photo").status_code == 404
    )


def test_unknown_sessions_and_sessions_of_other_editions_are_not_found(client, forum):
    other = build_forum("telecom-world-other")
    foreign = other.session(SUMMIT)
    assert client.get(session_path(forum.slug, foreign.id)).status_code == 404
    assert client.get(session_path(forum.slug, 999999)).status_code == 404
    assert client.get("/editions/no-such-edition/forum").status_code == 404


def test_a_cancelled_session_says_so_and_takes_no_reservation(app, forum, eva):
    programme.cancel_session(forum.session(BREAKFAST), actor=forum.organizer)
    client = logged_in(app, eva.email)
    text = page(client, forum, BREAKFAST)
    assert "This session is cancelled." in text
    assert "Reserve a seat" not in text
    # Gone from the programme itself.
    listing = client.get(programme_path(forum.slug), query_string={"day": "all"})
    assert BREAKFAST not in titles_on(listing)
    response = press(client, forum, BREAKFAST, "reserve")
    assert response.status_code == 409
    assert "cancelled" in visible_text(response)
    assert reservation_of(eva, forum.session(BREAKFAST)) is None


# --- Seats ---------------------------------------------------------------------------------


def test_a_delegate_reserves_a_seat_and_cancels_it(app, forum, eva):
    client = logged_in(app, eva.email)
    assert "You have no seat in this session yet." in page(client, forum, SUMMIT)

    response = press(client, forum, SUMMIT, "reserve")
    assert response.status_code == 302
    text = visible_text(client.get(response.headers["Location"]))
    assert f"Your seat in “{SUMMIT}” is reserved." in text
    assert "You have a seat in this session." in text
    assert "49 seats left" in text
    assert reservation_of(eva, forum.session(SUMMIT)).status == ReservationStatus.CONFIRMED

    # Pressing again (a second tab) changes nothing.
    again = press(client, forum, SUMMIT, "reserve")
    assert "You already have a seat" in visible_text(client.get(again.headers["Location"]))
    assert forum.session(SUMMIT).seats_taken == 1

    agenda = visible_text(client.get(f"/editions/{forum.slug}/forum/agenda"))
    assert SUMMIT in agenda and "Seat reserved" in agenda

    response = press(client, forum, SUMMIT, "cancel")
    text = visible_text(client.get(response.headers["Location"]))
    assert f"Your place in “{SUMMIT}” is cancelled." in text
    assert "50 seats left" in text
    assert reservation_of(eva, forum.session(SUMMIT)).status == ReservationStatus.CANCELLED
    assert "You have no seats and no waiting-list places" in visible_text(
        client.get(f"/editions/{forum.slug}/forum/agenda")
    )


def test_overlapping_reservations_are_warned_about(app, forum, eva):
    client = logged_in(app, eva.email)
    press(client, forum, SUMMIT, "reserve")
    response = press(client, forum, PANEL, "reserve")
    assert response.status_code == 302
    text = visible_text(client.get(response.headers["Location"]))
    assert f"Your seat in “{PANEL}” is reserved." in text
    assert (
        f"Note: this session overlaps with another of yours: {SUMMIT} (9:00 AM–10:30 AM)." in text
    )
    # The warning stays on the page and in the agenda; both seats are kept.
    assert "This session overlaps with another of yours:" in page(client, forum, PANEL)
    agenda = visible_text(client.get(f"/editions/{forum.slug}/forum/agenda"))
    assert f"Overlaps with: {SUMMIT}" in agenda and f"Overlaps with: {PANEL}" in agenda
    assert reservation_of(eva, forum.session(PANEL)).status == ReservationStatus.CONFIRMED


def test_a_full_session_offers_its_waiting_list_and_promotes_on_cancellation(
    app, forum, eva, tom, mail: MailSink
):
    eva_client = logged_in(app, eva.email)
    tom_client = logged_in(app, tom.email)
    # Tom opens the page while the seat is free...
    path = session_path(forum.slug, forum.session(WORKSHOP).id)
    token = action_token(tom_client, path)
    assert "1 seat left" in page(tom_client, forum, WORKSHOP)
    # ...Eva takes it...
    press(eva_client, forum, WORKSHOP, "reserve")
    # ...and Tom's click is refused with the waiting list offered, never a 500.
    refused = tom_client.post(f"{path}/reserve", data={"csrf_token": token})
    assert refused.status_code == 409
    text = visible_text(refused)
    assert "This session is full." in text
    assert "You can join the waiting list" in text
    assert 'action="' + path + '/waiting-list"' in refused.text
    assert reservation_of(tom, forum.session(WORKSHOP)) is None

    # Reloaded, the page offers the waiting list straight away.
    assert "Join the waiting list" in page(tom_client, forum, WORKSHOP)
    joined = press(tom_client, forum, WORKSHOP, "waiting-list")
    text = visible_text(tom_client.get(joined.headers["Location"]))
    assert "You are number 1 on the waiting list" in text
    agenda = visible_text(tom_client.get(f"/editions/{forum.slug}/forum/agenda"))
    assert WORKSHOP in agenda and "On the waiting list (number 1)" in agenda

    # Eva cancels: Tom gets the seat and is told by e-mail.
    press(eva_client, forum, WORKSHOP, "cancel")
    assert reservation_of(tom, forum.session(WORKSHOP)).status == ReservationStatus.CONFIRMED
    assert forum.session(WORKSHOP).seats_taken == 1
    messages = mail.wait_for(1)
    promoted = [m for m in messages if m["To"] == tom.email]
    assert promoted and WORKSHOP in str(promoted[0]["Subject"])
    assert WORKSHOP in body_of(promoted[0])
    assert "You have a seat in this session." in page(tom_client, forum, WORKSHOP)
    assert "Seat reserved" in visible_text(tom_client.get(f"/editions/{forum.slug}/forum/agenda"))


def test_without_a_forum_pass_the_page_names_the_pass_and_links_to_registration(app, forum):
    visitor = delegate(forum, "vic@visitor.example", "Vic Visitor", forum_access=False)
    # Passes on sale: an exhibition pass, and a forum pass (the one to name).
    edition = forum.edition
    for name, forum_access in (("Exhibition pass", False), ("Forum pass", True)):
        db.session.add(
            PassType(
                edition_id=edition.id, name=name, valid_from=edition.start_date,
                valid_until=edition.end_date, forum_access=forum_access,
                categories="forum_delegate" if forum_access else "visitor",
            )
        )  # fmt: skip
    db.session.commit()
    forum_pass = db.session.scalar(select(PassType).where(PassType.name == "Forum pass"))
    client = logged_in(app, visitor.email)
    text = page(client, forum, SUMMIT)
    assert "Your registration does not include the forum" in text
    assert "Reserving a seat needs a pass with forum access." in text
    assert "Reserve a seat" not in text

    response = press(client, forum, SUMMIT, "reserve")
    assert response.status_code == 403
    text = visible_text(response)
    assert "Your registration does not include the forum: register for a forum pass." in text
    assert "Reserving a seat needs a pass with forum access. Forum pass" in text
    assert f'href="/editions/{forum.slug}/register/{forum_pass.id}"' in response.text
    assert "Exhibition pass" not in text
    assert reservation_of(visitor, forum.session(SUMMIT)) is None
    # The waiting list is no back door.
    assert press(client, forum, SUMMIT, "waiting-list").status_code == 403


def test_invitation_only_and_account_without_registration(app, forum, eva):
    client = logged_in(app, eva.email)
    text = page(client, forum, ROUNDTABLE)
    assert "by invitation only" in text
    response = press(client, forum, ROUNDTABLE, "reserve")
    assert response.status_code == 403
    assert "not on its invitation list" in visible_text(response)

    stranger = make_user("stranger@example.org", full_name="Stranger")
    other = logged_in(app, stranger.email)
    response = press(other, forum, SUMMIT, "reserve")
    assert response.status_code == 403
    assert "register for" in visible_text(response)
    # No pass on sale to name: the registration page is linked.
    assert "See the passes" in visible_text(response)
    assert f'href="/editions/{forum.slug}/register"' in response.text


def test_cancelling_without_a_reservation_is_explained(app, forum, eva):
    client = logged_in(app, eva.email)
    response = press(client, forum, SUMMIT, "cancel")
    assert response.status_code == 404
    assert "You have no seat or waiting place in this session." in visible_text(response)
    # The session page itself is still shown, not an error page.
    assert SUMMIT in visible_text(response)


def test_seat_buttons_need_a_login(client, forum):
    path = session_path(forum.slug, forum.session(SUMMIT).id)
    token = action_token(client, path)
    response = client.post(f"{path}/reserve", data={"csrf_token": token})
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(SeatReservation)) == 0
    agenda = client.get(f"/editions/{forum.slug}/forum/agenda")
    assert agenda.status_code == 302 and "/account/login" in agenda.headers["Location"]


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, forum, eva):
    check_in(forum, eva, forum.session(KEYNOTE))
    client = logged_in(app, eva.email)
    press(client, forum, WORKSHOP, "reserve")
    base = f"/editions/{forum.slug}/forum/sessions"
    refused = [
        client.post(f"{base}/{forum.session(SUMMIT).id}/reserve"),
        client.post(f"{base}/{forum.session(SUMMIT).id}/waiting-list"),
        client.post(f"{base}/{forum.session(WORKSHOP).id}/cancel"),
        client.post(f"{base}/{forum.session(KEYNOTE).id}/rating", data={"score": "5"}),
        client.post(
            f"{base}/{forum.session(SUMMIT).id}/reserve", data={"csrf_token": "forged-token"}
        ),
    ]
    for response in refused:
        assert response.status_code == 400
        assert CSRF_REFUSED in visible_text(response)
    assert reservation_of(eva, forum.session(SUMMIT)) is None
    assert reservation_of(eva, forum.session(WORKSHOP)).status == ReservationStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(SessionRating)) == 0


# --- Ratings -------------------------------------------------------------------------------


def test_only_an_attendee_rates_a_session_after_it_ended_and_only_once(app, forum, eva, tom):
    keynote = forum.session(KEYNOTE)
    check_in(forum, eva, keynote)

    # Tom was not checked in: no form, and a forged post is refused on the page.
    tom_client = logged_in(app, tom.email)
    text = page(tom_client, forum, KEYNOTE)
    assert "Delegates who were checked in at this session can rate it." in text
    assert "Send my rating" not in text
    forged = press(tom_client, forum, KEYNOTE, "rating", score="5")
    assert forged.status_code == 403
    assert "Only delegates whose badge was scanned" in visible_text(forged)

    # A session still to come has no rating section at all.
    assert "Rate this session" not in page(tom_client, forum, SUMMIT)

    client = logged_in(app, eva.email)
    assert "Send my rating" in page(client, forum, KEYNOTE)
    # No score chosen: refused on the form, the comment kept.
    response = press(client, forum, KEYNOTE, "rating", comment="Inspiring speaker.")
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in visible_text(response)
    assert re.search(
        r'<textarea[^>]*name="comment"[^>]*>\s*Inspiring speaker\.</textarea>', response.text
    )
    # A tampered score is refused too.
    assert press(client, forum, KEYNOTE, "rating", score="9").status_code == 400

    response = press(client, forum, KEYNOTE, "rating", score="4", comment="Inspiring speaker.")
    assert response.status_code == 302
    text = visible_text(client.get(response.headers["Location"]))
    assert "Thank you: your rating is saved." in text
    assert "You rated this session 4 out of 5." in text
    assert "Send my rating" not in text

    again = press(client, forum, KEYNOTE, "rating", score="1")
    assert again.status_code == 409
    assert "already rated" in visible_text(again)
    ratings = db.session.scalars(select(SessionRating)).all()
    assert [(r.score, r.comment) for r in ratings] == [(4, "Inspiring speaker.")]


def test_a_rating_form_does_not_appear_before_the_session_ends(app, forum, eva):
    # Checked in at a session that has not ended: no rating yet.
    summit = forum.session(SUMMIT)
    client = logged_in(app, eva.email)
    assert "Rate this session" not in page(client, forum, SUMMIT)
    response = press(client, forum, SUMMIT, "rating", score="5")
    assert response.status_code == 409
    assert "once it has ended" in visible_text(response)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SessionRating)
            .where(SessionRating.session_id == summit.id)
        )
        == 0
    )


# --- Calendars -----------------------------------------------------------------------------


def test_a_session_calendar_file_parses_and_carries_utc_times(client, forum):
    summit = forum.session(SUMMIT)
    response = client.get(session_path(forum.slug, summit.id) + ".ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == SUMMIT
    assert event.decoded("DTSTART") == summit.starts_at
    assert event.decoded("DTEND") == summit.ends_at
    assert "Room A" in str(event["LOCATION"])
    assert DIALLO in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(session_path(forum.slug, summit.id))
    # 09:00 in Budapest, whatever the season: the UTC hour is 7 or 8.
    local = event.decoded("DTSTART").astimezone(forum.edition.tz)
    assert (local.hour, local.minute) == (9, 0)


def test_the_personal_agenda_calendar_lists_the_delegates_seats(app, client, forum, eva):
    response = client.get(f"/editions/{forum.slug}/forum/agenda.ics")
    assert response.status_code == 302  # log in first

    eva_client = logged_in(app, eva.email)
    press(eva_client, forum, SUMMIT, "reserve")
    press(eva_client, forum, BREAKFAST, "reserve")
    agenda = eva_client.get(f"/editions/{forum.slug}/forum/agenda")
    assert f'href="/editions/{forum.slug}/forum/agenda.ics"' in agenda.text
    response = eva_client.get(f"/editions/{forum.slug}/forum/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.data)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == [SUMMIT, BREAKFAST]
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert len(uids) == 2


# --- The agenda page --------------------------------------------------------------------------


def test_my_agenda_lists_seats_and_waiting_places_in_time_order(app, forum, eva, tom):
    press(logged_in(app, tom.email), forum, WORKSHOP, "reserve")  # Tom takes the only seat
    client = logged_in(app, eva.email)
    press(client, forum, BREAKFAST, "reserve")
    press(client, forum, WORKSHOP, "waiting-list")
    response = client.get(f"/editions/{forum.slug}/forum/agenda")
    assert response.status_code == 200
    rows = re.findall(r'<tr class="agenda-row" data-session-id="(\d+)"', response.text)
    assert rows == [str(forum.session(WORKSHOP).id), str(forum.session(BREAKFAST).id)]
    text = visible_text(response)
    assert "On the waiting list (number 1)" in text and "Seat reserved" in text
    assert "Leave the waiting list" in text and "Cancel my seat" in text

    # Leaving the waiting list from the agenda comes back to the agenda.
    token = action_token(client, f"/editions/{forum.slug}/forum/agenda")
    left = client.post(
        session_path(forum.slug, forum.session(WORKSHOP).id) + "/cancel",
        data={"csrf_token": token, "next": f"/editions/{forum.slug}/forum/agenda"},
    )
    assert left.headers["Location"].endswith(f"/editions/{forum.slug}/forum/agenda")
    assert reservation_of(eva, forum.session(WORKSHOP)).status == ReservationStatus.CANCELLED
    # `next` never leads off the site.
    token = action_token(client, f"/editions/{forum.slug}/forum/agenda")
    off_site = client.post(
        session_path(forum.slug, forum.session(BREAKFAST).id) + "/cancel",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )
    assert "evil.example" not in off_site.headers["Location"]


def test_a_confirmed_speaker_may_reserve_with_their_speaker_registration(app, forum):
    # Confirming gave the speaker a registration with forum access.
    diallo = forum.speakers[DIALLO]
    make_user(diallo.email, full_name=DIALLO)
    client = logged_in(app, diallo.email)
    assert "Reserve a seat" in page(client, forum, SUMMIT)
