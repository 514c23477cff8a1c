"""GET /api/v1/editions/<slug>/programme: the published programme as JSON.

Public (no token), hidden until published, every time given in the edition's
zone with its offset and in UTC, around a change of the clocks too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from telecom.forum.models import SessionKind
from telecom.forum.services import programme
from tests.core import action_token
from tests.forum.support_public import (
    BREAKFAST,
    DIALLO,
    INVITED,
    KEYNOTE,
    PANEL,
    ROUNDTABLE,
    SUMMIT,
    WATANABE,
    WORKSHOP,
    Forum,
    build_forum,
    delegate,
    session_path,
)
from tests.helpers import log_in, make_edition, make_organizer

SESSION_KEYS = {
    "id", "title", "description", "kind", "kind_label", "access", "access_label", "day",
    "starts_at", "ends_at", "starts_at_utc", "ends_at_utc", "room_id", "track_id",
    "capacity", "seats_left", "cancelled", "speakers", "url", "ical_url",
}  # fmt: skip


def api_path(slug: str) -> str:
    return f"/api/v1/editions/{slug}/programme"


@pytest.fixture
def forum(app) -> Forum:
    return build_forum()


def by_title(body: dict) -> dict[str, dict]:
    return {session["title"]: session for session in body["sessions"]}


def test_the_programme_is_public_json_once_published(client, forum):
    response = client.get(api_path(forum.slug))  # no Authorization header
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "public" in response.headers["Cache-Control"]
    body = response.get_json()
    assert set(body) == {
        "edition", "timezone", "published_at", "days", "rooms", "tracks", "speakers", "sessions",
    }  # fmt: skip
    assert body["edition"]["slug"] == forum.slug
    assert body["timezone"] == "Europe/Budapest"
    assert body["published_at"].endswith("Z")

    # Days: the event's four days, each listing its sessions in programme order.
    sessions = by_title(body)
    days = {day["date"]: day["session_ids"] for day in body["days"]}
    assert list(days) == [forum.day(offset).isoformat() for offset in (-1, 0, 1, 2)]
    assert days[forum.day(-1).isoformat()] == [sessions[KEYNOTE]["id"]]
    assert days[forum.day(0).isoformat()] == []
    assert days[forum.day(1).isoformat()] == [sessions[t]["id"] for t in (SUMMIT, PANEL, WORKSHOP)]
    assert days[forum.day(2).isoformat()] == [sessions[t]["id"] for t in (BREAKFAST, ROUNDTABLE)]

    assert [room["name"] for room in body["rooms"]] == ["Room A", "Room B", "Small Room"]
    assert body["rooms"][0] == {
        "id": forum.rooms["Room A"].id, "name": "Room A", "capacity": 50,
        "location": "Hall A, level 1",
    }  # fmt: skip
    tracks = {track["name"]: track for track in body["tracks"]}
    assert tracks["Policy"]["colour"] == "#b91c1c"
    assert tracks["Policy"]["description"] == "Regulation and public policy."

    # Speakers: confirmed ones only, with a working photo address.
    speakers = {speaker["name"]: speaker for speaker in body["speakers"]}
    assert set(speakers) == {DIALLO, WATANABE}
    assert speakers[DIALLO]["country"] == "SN"
    assert speakers[DIALLO]["bio"].startswith("Minister of digital economy")
    photo = client.get(speakers[DIALLO]["photo_url"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"

    summit = sessions[SUMMIT]
    assert set(summit) == SESSION_KEYS
    assert summit["kind"] == "leaders_summit"
    assert summit["access"] == "forum_pass"
    assert summit["room_id"] == forum.rooms["Room A"].id
    assert summit["track_id"] == forum.tracks["Policy"].id
    assert summit["capacity"] == 50 and summit["seats_left"] == 50
    assert summit["cancelled"] is False
    assert summit["speakers"] == [
        {"id": forum.speakers[DIALLO].id, "name": DIALLO, "role": "speaker"},
        {"id": forum.speakers[WATANABE].id, "name": WATANABE, "role": "moderator"},
    ]
    assert INVITED not in str(body)
    assert summit["url"].endswith(session_path(forum.slug, summit["id"]))
    assert client.get(summit["ical_url"]).mimetype == "text/calendar"
    assert sessions[ROUNDTABLE]["access"] == "invitation"


def test_local_and_utc_times_name_the_same_instant(client, forum):
    body = client.get(api_path(forum.slug)).get_json()
    summit = by_title(body)[SUMMIT]
    local_start = datetime.fromisoformat(summit["starts_at"])
    utc_start = datetime.fromisoformat(summit["starts_at_utc"].replace("Z", "+00:00"))
    assert summit["starts_at_utc"].endswith("Z")
    assert local_start == utc_start
    # The clock the organizer typed, with the zone's offset that day.
    assert summit["starts_at"].startswith(f"{forum.day(1).isoformat()}T09:00:00")
    assert summit["ends_at"].startswith(f"{forum.day(1).isoformat()}T10:30:00")
    offset = local_start.utcoffset()
    assert offset is not None and offset.total_seconds() in (3600, 7200)
    assert summit["day"] == forum.day(1).isoformat()
    stored = forum.session(SUMMIT)
    assert utc_start == stored.starts_at.astimezone(UTC)


def test_times_stay_right_across_the_autumn_clock_change(app, client):
    # Budapest leaves summer time on Sunday 25 October 2015 at 03:00 (UTC+2 → UTC+1).
    edition = make_edition(
        "telecom-world-dst", timezone="Europe/Budapest",
        start_date=date(2015, 10, 24), end_date=date(2015, 10, 27),
    )  # fmt: skip
    organizer = make_organizer("dst-organizer@example.org")
    room = programme.create_room(edition, "Hall A", 500, actor=organizer)

    def add(title: str, day: date, start: str, end: str) -> None:
        programme.create_session(
            edition,
            programme.SessionData(
                title=title, kind=SessionKind.PLENARY, room_id=room.id, day=day,
                start_time=time.fromisoformat(start), end_time=time.fromisoformat(end),
            ),
            actor=organizer,
        )  # fmt: skip

    add("Saturday plenary", date(2015, 10, 24), "09:00", "10:00")
    add("Monday plenary", date(2015, 10, 26), "09:00", "10:00")
    add("Late Saturday reception", date(2015, 10, 24), "23:00", "01:00")
    programme.publish(edition, actor=organizer)

    sessions = by_title(client.get(api_path(edition.slug)).get_json())
    saturday, monday = sessions["Saturday plenary"], sessions["Monday plenary"]
    assert saturday["starts_at"] == "2015-10-24T09:00:00+02:00"
    assert saturday["starts_at_utc"] == "2015-10-24T07:00:00Z"
    assert monday["starts_at"] == "2015-10-26T09:00:00+01:00"
    assert monday["starts_at_utc"] == "2015-10-26T08:00:00Z"
    # Past midnight into the night the clocks change: still Saturday's session.
    late = sessions["Late Saturday reception"]
    assert late["day"] == "2015-10-24"
    assert late["starts_at_utc"] == "2015-10-24T21:00:00Z"
    assert late["ends_at"] == "2015-10-25T01:00:00+02:00"
    assert late["ends_at_utc"] == "2015-10-24T23:00:00Z"


def test_an_unpublished_programme_answers_404_json(app, client):
    forum = build_forum("telecom-world-draft", publish=False)
    response = client.get(api_path(forum.slug))
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert "not published yet" in response.get_json()["error"]
    assert SUMMIT not in response.get_data(as_text=True)

    unknown = client.get(api_path("no-such-edition"))
    assert unknown.status_code == 404 and "error" in unknown.get_json()


def test_seats_left_and_cancellations_are_current(app, client, forum):
    eva = delegate(forum, "eva@delegate.example", "Eva Delegate")
    eva_client = app.test_client()
    log_in(eva_client, eva.email)
    path = session_path(forum.slug, forum.session(WORKSHOP).id)
    eva_client.post(f"{path}/reserve", data={"csrf_token": action_token(eva_client, path)})
    programme.cancel_session(forum.session(BREAKFAST), actor=forum.organizer)

    sessions = by_title(client.get(api_path(forum.slug)).get_json())
    assert sessions[WORKSHOP]["capacity"] == 1
    assert sessions[WORKSHOP]["seats_left"] == 0
    # A cancelled session stays listed, marked, so clients can say it is off.
    assert sessions[BREAKFAST]["cancelled"] is True
