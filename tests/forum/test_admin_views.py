"""The organizer's forum pages, used through the browser's eyes (the test client).

Rooms, tracks, sessions typed in the edition's local time, conflicts refused
then saved anyway and flagged in the list and the grid, publication,
cancellation, speakers' invitations, invitees and the ratings report.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    SessionAccess,
    SessionInvitee,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from telecom.forum.services import programme
from tests.core import form_values, visible_text
from tests.forum.support_admin import (
    BASE,
    FIRST_DAY,
    SECOND_DAY,
    action_of,
    give_seat,
    make_room,
    make_session,
    make_speaker,
    make_track,
    organizer_logged_in,
    post_form,
    press,
    rate,
    registered_person,
    session_form,
    session_url,
)
from tests.helpers import body_of, first_link, html, make_edition


def fresh(model, **where):  # type: ignore[no-untyped-def]
    """A row as the database holds it now (the request ran in its own session)."""
    db.session.rollback()
    query = select(model).filter_by(**where)
    return db.session.scalars(query).one_or_none()


# --------------------------------------------------------------------------- the way in


def test_the_edition_page_links_to_the_forum_programme(client):
    organizer_logged_in(client)

    page = client.get("/organizer/editions/telecom-world-2015")

    assert f'href="{BASE}"' in html(page)
    assert "Forum programme" in visible_text(page)


# --------------------------------------------------------------------------- rooms and tracks


def test_organizer_adds_and_edits_a_room(client):
    organizer_logged_in(client)

    added = post_form(
        client, f"{BASE}/rooms", {"name": "Room Bartók", "capacity": "250", "location": "Hall A"}
    )
    assert added.status_code == 302
    listing = client.get(f"{BASE}/rooms")
    assert "Room Bartók" in visible_text(listing)
    room = fresh(ForumRoom, name="Room Bartók")
    assert (room.capacity, room.location) == (250, "Hall A")

    saved = post_form(client, f"{BASE}/rooms/{room.id}", {"capacity": "300"})

    assert saved.status_code == 302
    assert fresh(ForumRoom, id=room.id).capacity == 300


def test_a_refused_room_keeps_what_was_typed(client):
    edition = organizer_logged_in(client)
    make_room(edition, "Room 1")

    not_a_number = post_form(
        client, f"{BASE}/rooms", {"name": "Room 2", "capacity": "lots", "location": "Level 2"}
    )
    assert not_a_number.status_code == 400
    typed = form_values(not_a_number)
    assert (typed["name"], typed["capacity"], typed["location"]) == ("Room 2", "lots", "Level 2")

    same_name = post_form(client, f"{BASE}/rooms", {"name": "room 1", "capacity": "40"})
    assert same_name.status_code == 400
    assert "already has a room with this name" in visible_text(same_name)
    assert form_values(same_name)["capacity"] == "40"
    assert len(db.session.scalars(select(ForumRoom)).all()) == 1


def test_organizer_adds_and_recolours_a_track(client):
    organizer_logged_in(client)

    bad = post_form(client, f"{BASE}/tracks", {"name": "Smart cities", "colour": "green"})
    assert bad.status_code == 400
    assert "#rrggbb" in visible_text(bad)
    assert form_values(bad)["name"] == "Smart cities"

    added = post_form(client, f"{BASE}/tracks", {"name": "Smart cities", "colour": "#0A7D32"})
    assert added.status_code == 302
    track = fresh(Track, name="Smart cities")
    assert track.colour == "#0a7d32"

    post_form(client, f"{BASE}/tracks/{track.id}", {"colour": "#ff0000", "description": "IoT"})
    assert fresh(Track, id=track.id).colour == "#ff0000"
    assert "#ff0000" in html(client.get(f"{BASE}/tracks"))


# --------------------------------------------------------------------------- sessions


def test_a_session_is_typed_in_local_time_and_stored_in_utc(client):
    edition = organizer_logged_in(client)
    room = make_room(edition, "Room 1", capacity=120)
    track = make_track(edition)

    response = post_form(
        client,
        f"{BASE}/sessions/new",
        session_form(room, "Financing broadband", track_id=str(track.id)),
    )

    assert response.status_code == 302
    session = fresh(ForumSession, title="Financing broadband")
    # 14:00 in Budapest in October is 12:00 UTC (summer time).
    assert session.starts_at == datetime(2015, 10, 12, 12, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2015, 10, 12, 13, 30, tzinfo=UTC)
    assert session.capacity is None  # the room's
    listing = visible_text(client.get(response.headers["Location"]))
    assert "14:00–15:30" in listing
    assert "0 / 120" in listing
    assert "Digital inclusion" in listing
    # The edit page shows the local times again.
    shown = form_values(client.get(session_url(session)))
    assert (shown["day"], shown["start_time"], shown["end_time"]) == (
        "2015-10-12",
        "14:00",
        "15:30",
    )
    assert shown["capacity"] == ""


def test_a_refused_session_keeps_everything_typed(client):
    edition = organizer_logged_in(client)
    room = make_room(edition)

    no_title = post_form(
        client, f"{BASE}/sessions/new", session_form(room, "", start="09:00", end="10:15")
    )
    assert no_title.status_code == 400
    assert "Enter the session's title." in visible_text(no_title)
    typed = form_values(no_title)
    assert (typed["start_time"], typed["end_time"], typed["room_id"]) == (
        "09:00", "10:15", str(room.id),
    )  # fmt: skip
    assert typed["description"] == "Who pays for the last mile?"

    too_big = post_form(
        client, f"{BASE}/sessions/new", session_form(room, "Too big", capacity="500")
    )
    assert too_big.status_code == 400
    assert "has only 100 seats" in visible_text(too_big)
    assert form_values(too_big)["title"] == "Too big"
    assert form_values(too_big)["capacity"] == "500"
    assert db.session.scalars(select(ForumSession)).all() == []


def test_a_session_outside_the_edition_is_refused_even_when_saving_anyway(client):
    edition = organizer_logged_in(client)
    room = make_room(edition)
    # Starts on the last day, ends after midnight: outside the event.
    typed = session_form(room, "Night owls", day=edition.end_date, start="23:00", end="01:00")
    typed["allow_conflicts"] = "y"

    response = post_form(client, f"{BASE}/sessions/new", typed)

    assert response.status_code == 400
    assert "must take place during the event" in visible_text(response)
    assert fresh(ForumSession, title="Night owls") is None


def test_a_room_conflict_is_shown_and_save_anyway_saves_and_flags_it(client):
    edition = organizer_logged_in(client)
    room = make_room(edition, "Room 1")
    first = make_session(edition, "Opening panel", room, start="10:00", end="11:00")
    typed = session_form(room, "Youth summit", start="10:30", end="11:30")

    refused = post_form(client, f"{BASE}/sessions/new", typed)

    assert refused.status_code == 409
    text = visible_text(refused)
    assert "Not saved: this session clashes with the programme." in text
    assert "The room Room 1 is taken by “Opening panel” from 10:00 to 11:00" in text
    assert "Save anyway" in text
    kept = form_values(refused)
    assert kept["title"] == "Youth summit"
    assert "allow_conflicts" not in kept  # the box starts unticked
    assert fresh(ForumSession, title="Youth summit") is None

    kept["allow_conflicts"] = "y"
    saved = client.post(f"{BASE}/sessions/new", data=kept)

    assert saved.status_code == 302
    second = fresh(ForumSession, title="Youth summit")
    assert second is not None
    listing = client.get(f"{BASE}")
    for session in (first, second):
        row = re.search(
            rf'<tr id="session-{session.id}" class="([^"]*)">(.*?)</tr>', html(listing), re.S
        )
        assert row, f"session {session.id} is not listed"
        assert "table-danger" in row.group(1)
        assert "Conflict" in row.group(2)
    assert "2 with conflicts" in visible_text(listing)
    # The edit page says what is wrong with the saved session.
    edit = visible_text(client.get(session_url(second)))
    assert "This session was saved with conflicts" in edit
    assert "taken by “Opening panel”" in edit


def test_a_speaker_conflict_on_a_new_session_saves_the_session_and_asks_about_the_speakers(
    client,
):
    edition = organizer_logged_in(client)
    room_1, room_2 = make_room(edition, "Room 1"), make_room(edition, "Room 2")
    ada = make_speaker(edition, "Ada Lovelace", "ada@example.org")
    make_session(edition, "Keynote", room_1, speakers=[(ada, SpeakerRole.SPEAKER)])
    typed = session_form(room_2, "Workshop", start="10:30", end="12:00")
    typed.update({"speakers-0-speaker_id": str(ada.id), "speakers-0-role": "moderator"})

    refused = post_form(client, f"{BASE}/sessions/new", typed)

    assert refused.status_code == 409
    text = visible_text(refused)
    assert "The session's details were saved, but not its speakers." in text
    assert "Ada Lovelace is also in “Keynote” from 10:00 to 11:00" in text
    session = fresh(ForumSession, title="Workshop")
    assert session is not None and session.speakers == []
    # The form now posts to the new session's page, with the speaker still chosen.
    action = re.search(r'<form method="post" novalidate action="([^"]+)"', html(refused))
    assert action and action.group(1) == session_url(session)
    assert f'<option selected value="{ada.id}">' in html(refused)

    values = {
        **typed,
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html(refused))
        .group(1),
        "allow_conflicts": "y",
    }  # fmt: skip
    saved = client.post(session_url(session), data=values)

    assert saved.status_code == 302
    session = fresh(ForumSession, title="Workshop")
    assert [(s.speaker.full_name, s.role) for s in session.speakers] == [
        ("Ada Lovelace", SpeakerRole.MODERATOR)
    ]
    assert len(db.session.scalars(select(ForumSession)).all()) == 2
    assert "Ada Lovelace is also in" in visible_text(client.get(f"{BASE}"))


def test_speakers_and_moderator_are_chosen_on_the_edit_page(client):
    edition = organizer_logged_in(client)
    room = make_room(edition)
    ada = make_speaker(edition, "Ada Lovelace", "ada@example.org", organisation="ITU")
    grace = make_speaker(edition, "Grace Hopper", "grace@example.org", SpeakerStatus.INVITED)
    make_speaker(edition, "Dee Clined", "dee@example.org", SpeakerStatus.DECLINED)
    session = make_session(edition, "Panel", room)

    page = client.get(session_url(session))
    assert "Ada Lovelace, ITU" in visible_text(page)
    assert "Grace Hopper (Invited)" in visible_text(page)
    assert "Dee Clined" not in visible_text(page)

    response = post_form(
        client,
        session_url(session),
        {
            "speakers-0-speaker_id": str(grace.id), "speakers-0-role": "moderator",
            "speakers-1-speaker_id": str(ada.id), "speakers-1-role": "speaker",
        },
    )  # fmt: skip

    assert response.status_code == 302
    saved = fresh(ForumSession, id=session.id)
    assert [(s.speaker_id, s.role) for s in saved.speakers] == [
        (grace.id, SpeakerRole.MODERATOR),
        (ada.id, SpeakerRole.SPEAKER),
    ]
    shown = form_values(client.get(session_url(session)))
    assert shown["speakers-0-speaker_id"] == str(grace.id)
    assert shown["speakers-0-role"] == "moderator"

    twice = post_form(
        client,
        session_url(session),
        {"speakers-0-speaker_id": str(ada.id), "speakers-1-speaker_id": str(ada.id)},
    )
    assert twice.status_code == 400
    assert "Each speaker can be chosen only once." in visible_text(twice)


def test_programme_filters_by_day_track_and_room(client):
    edition = organizer_logged_in(client)
    room_1, room_2 = make_room(edition, "Room 1"), make_room(edition, "Room 2")
    track = make_track(edition, "Smart cities")
    make_session(edition, "Monday in room 1", room_1, track=track)
    make_session(edition, "Monday in room 2", room_2)
    make_session(edition, "Tuesday in room 1", room_1, day=SECOND_DAY)

    def titles(query: str) -> set[str]:
        text = visible_text(client.get(f"{BASE}?{query}"))
        return {
            t for t in ("Monday in room 1", "Monday in room 2", "Tuesday in room 1") if t in text
        }

    assert titles("") == {"Monday in room 1", "Monday in room 2", "Tuesday in room 1"}
    assert titles(f"day={FIRST_DAY}") == {"Monday in room 1", "Monday in room 2"}
    assert titles(f"room={room_1.id}") == {"Monday in room 1", "Tuesday in room 1"}
    assert titles(f"track={track.id}") == {"Monday in room 1"}
    assert titles(f"day={SECOND_DAY}&room={room_2.id}") == set()
    # A value the page cannot read is ignored, with a word, not a 500.
    odd = client.get(f"{BASE}?day=2030-01-01&room=abc")
    assert odd.status_code == 200
    assert "this filter was ignored" in visible_text(odd)


def test_the_grid_places_sessions_by_room_and_time_and_flags_conflicts(client):
    edition = organizer_logged_in(client)
    room_1, room_2 = make_room(edition, "Room 1"), make_room(edition, "Room 2")
    ada = make_speaker(edition, "Ada Lovelace", "ada@example.org")
    make_session(edition, "Long keynote", room_1, start="09:00", end="11:00",
                 speakers=[(ada, SpeakerRole.SPEAKER)])  # fmt: skip
    clash = make_session(edition, "Side panel", room_2, start="10:00", end="11:00",
                         speakers=[(ada, SpeakerRole.MODERATOR)])  # fmt: skip
    calm = make_session(edition, "Tuesday talk", room_1, day=SECOND_DAY)

    page = client.get(f"{BASE}/grid?day={FIRST_DAY}")

    assert page.status_code == 200
    text = html(page)
    header = re.search(r"<thead>(.*?)</thead>", text, re.S).group(1)
    assert header.index("Room 1") < header.index("Room 2")
    # Rows are cut at 09:00, 10:00 and 11:00: the keynote spans both rows.
    assert "09:00–10:00" in visible_text(page) and "10:00–11:00" in visible_text(page)
    assert re.search(r'<td rowspan="2">\s*<div id="cell-\d+"', text)
    side = re.search(rf'<div id="cell-{clash.id}" class="([^"]*)"(.*?)</div>\s*</td>', text, re.S)
    assert side and "border-danger" in side.group(1)
    assert "Conflict" in side.group(2)
    assert "Ada Lovelace is also in “Long keynote”" in visible_text(page)
    assert "2 sessions on this day have conflicts" in visible_text(page)
    assert "Tuesday talk" not in visible_text(page)
    # Days are tabs.
    assert f'href="{BASE}/grid?day={SECOND_DAY}"' in text
    tuesday = client.get(f"{BASE}/grid?day={SECOND_DAY}")
    assert f'id="cell-{calm.id}" class="p-2 mb-1 rounded bg-body-tertiary"' in html(tuesday)
    assert "Conflict" not in visible_text(tuesday).replace("“Conflict”", "")


def test_cancelling_a_published_session_tells_the_seat_holders(client, mail):
    edition = organizer_logged_in(client)
    room = make_room(edition)
    session = make_session(edition, "Spectrum policy", room)
    give_seat(session, registered_person(edition, "delegate@example.org", "Dora Delegate"))
    press(client, f"{BASE}", "Publish the programme")

    response = press(client, session_url(session), "Cancel this session")

    assert response.status_code == 302
    page = client.get(session_url(session))
    assert "This session is cancelled." in visible_text(page)
    assert "Cancel this session" not in visible_text(page)
    message = mail.wait_for(1)[0]
    assert message["To"] == "delegate@example.org"
    assert "Spectrum policy" in message["Subject"]
    assert fresh(ForumSession, id=session.id).cancelled_at is not None
    listing = visible_text(client.get(f"{BASE}?cancelled=y"))
    assert "Spectrum policy" in listing and "Cancelled" in listing


def test_the_publication_banner_shows_the_state_and_toggles_it(client):
    edition = organizer_logged_in(client)

    before = visible_text(client.get(f"{BASE}/rooms"))
    assert "The programme is not published." in before

    published = press(client, f"{BASE}/rooms", "Publish the programme")

    assert published.status_code == 302
    assert published.headers["Location"] == f"{BASE}/rooms"
    after = client.get(f"{BASE}/rooms")
    assert "The programme is published." in visible_text(after)
    assert f'href="/editions/{edition.slug}/forum"' in html(after)
    assert programme.is_published(edition)

    press(client, f"{BASE}/grid", "Unpublish")
    assert "The programme is not published." in visible_text(client.get(f"{BASE}"))
    db.session.rollback()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["publish", "unpublish"]


def test_publishing_without_a_token_changes_nothing(client):
    edition = organizer_logged_in(client)

    response = client.post(f"{BASE}/publish")

    assert response.status_code == 400
    assert not programme.is_published(edition)


def test_session_pages_of_another_edition_are_not_found(client):
    organizer_logged_in(client)
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    room = make_room(other, "Other room")
    session = make_session(other, "Elsewhere", room, day=other.start_date)

    assert client.get(session_url(session)).status_code == 404
    assert client.get(f"{BASE}/rooms/{room.id}").status_code == 404
    assert client.get(f"{BASE}/sessions/999999/invitees").status_code == 404


# --------------------------------------------------------------------------- speakers


def test_organizer_invites_a_speaker_who_gets_a_personal_link(client, mail):
    organizer_logged_in(client)

    response = post_form(
        client,
        f"{BASE}/speakers",
        {"email": " Ada@Example.org ", "full_name": "Ada Lovelace", "organisation": "ITU",
         "country": "GB"},
    )  # fmt: skip

    assert response.status_code == 302
    message = mail.wait_for(1)[0]
    assert message["To"] == "ada@example.org"
    assert "Dear Ada Lovelace" in body_of(message)
    assert "/speakers/" in first_link(message)
    listing = client.get(f"{BASE}/speakers")
    row = re.search(r'<tr id="speaker-\d+">(.*?)</tr>', html(listing), re.S).group(1)
    assert "Ada Lovelace" in row and "Invited" in row and "United Kingdom" in row


def test_a_refused_invitation_keeps_what_was_typed(client, mail):
    edition = organizer_logged_in(client)
    make_speaker(edition, "Ada Lovelace", "ada@example.org", SpeakerStatus.INVITED)

    bad_address = post_form(
        client, f"{BASE}/speakers", {"email": "not an address", "full_name": "Bob Builder"}
    )
    assert bad_address.status_code == 400
    assert "Enter a valid e-mail address." in visible_text(bad_address)
    assert form_values(bad_address)["full_name"] == "Bob Builder"

    again = post_form(
        client, f"{BASE}/speakers", {"email": "ada@example.org", "full_name": "Ada L."}
    )
    assert again.status_code == 409
    assert "is already invited to speak" in visible_text(again)
    assert form_values(again)["full_name"] == "Ada L."
    assert mail.messages == []


def test_resend_mails_a_new_link_and_withdraw_takes_the_invitation_back(client, mail):
    edition = organizer_logged_in(client)
    ada = make_speaker(edition, "Ada Lovelace", "ada@example.org", SpeakerStatus.INVITED)
    page = f"{BASE}/speakers"

    resent = press(client, page, "Resend", within=f"/speakers/{ada.id}/")

    assert resent.status_code == 302
    assert "A new link was sent to ada@example.org" in visible_text(client.get(page))
    first = mail.wait_for(1)[0]
    assert "replaces the link we sent before" in body_of(first)
    assert client.get(first_link(first)).status_code == 200

    withdrawn = press(client, page, "Withdraw", within=f"/speakers/{ada.id}/")

    assert withdrawn.status_code == 302
    assert fresh(Speaker, id=ada.id).status == SpeakerStatus.WITHDRAWN
    row = re.search(rf'<tr id="speaker-{ada.id}">(.*?)</tr>', html(client.get(page)), re.S)
    assert "Withdrawn" in row.group(1) and "Withdraw</button>" not in row.group(1)
    assert client.get(first_link(first)).status_code == 404


def test_speakers_are_filtered_by_status(client):
    edition = organizer_logged_in(client)
    make_speaker(edition, "Ada Lovelace", "ada@example.org", SpeakerStatus.CONFIRMED)
    make_speaker(edition, "Grace Hopper", "grace@example.org", SpeakerStatus.INVITED)

    confirmed = visible_text(client.get(f"{BASE}/speakers?status=confirmed"))
    assert "Ada Lovelace" in confirmed and "Grace Hopper" not in confirmed
    odd = client.get(f"{BASE}/speakers?status=famous")
    assert odd.status_code == 200
    assert "Ada Lovelace" in visible_text(odd) and "Grace Hopper" in visible_text(odd)
    assert "Unknown status" in visible_text(odd)


# --------------------------------------------------------------------------- invitees


def test_invitees_are_added_by_the_address_of_a_registered_person_and_removed(client):
    edition = organizer_logged_in(client)
    room = make_room(edition)
    session = make_session(edition, "Ministers' lunch", room, access=SessionAccess.INVITATION)
    dora = registered_person(edition, "dora@example.org", "Dora Delegate")
    url = f"{session_url(session)}/invitees"

    added = post_form(client, url, {"email": "DORA@example.org"})

    assert added.status_code == 302
    assert "Dora Delegate" in visible_text(client.get(url))
    assert fresh(SessionInvitee, session_id=session.id).person_id == dora.id

    unknown = post_form(client, url, {"email": "stranger@example.org"})
    assert unknown.status_code == 400
    assert "Nobody with the address stranger@example.org is registered" in visible_text(unknown)
    assert form_values(unknown)["email"] == "stranger@example.org"

    twice = post_form(client, url, {"email": "dora@example.org"})
    assert twice.status_code == 409
    assert "already on the invitee list" in visible_text(twice)

    removed = press(client, url, "Remove", within=f"/invitees/{dora.id}/remove")
    assert removed.status_code == 302
    assert fresh(SessionInvitee, session_id=session.id) is None
    assert "Nobody is on the list yet." in visible_text(client.get(url))


def test_the_invitee_page_says_when_the_session_is_open_to_all(client):
    edition = organizer_logged_in(client)
    session = make_session(edition, "Open panel", make_room(edition))

    page = visible_text(client.get(f"{session_url(session)}/invitees"))

    assert "This session is open to: Any forum pass." in page


# --------------------------------------------------------------------------- ratings


def test_the_ratings_report_counts_and_averages_per_session_track_and_edition(client):
    edition = organizer_logged_in(client)
    room = make_room(edition)
    policy, tech = make_track(edition, "Policy"), make_track(edition, "Technology")
    first = make_session(edition, "Spectrum", room, track=policy, start="09:00", end="10:00")
    second = make_session(edition, "Satellites", room, track=tech, start="10:00", end="11:00")
    third = make_session(edition, "Unrated", room, track=tech, start="11:00", end="12:00")
    people = [registered_person(edition, f"p{n}@example.org", f"Person {n}") for n in range(3)]
    rate(first, people[0], 5, "Excellent speakers")
    rate(first, people[1], 4)
    rate(second, people[0], 2, "Too technical")

    page = client.get(f"{BASE}/ratings")

    assert page.status_code == 200
    text = html(page)

    def row(row_id: str) -> str:
        found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', text, re.S)
        assert found, row_id
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()

    assert row(f"session-{first.id}").endswith("2 4.50")
    assert row(f"session-{second.id}").endswith("1 2.00")
    assert row(f"session-{third.id}").endswith("0 —")
    assert row(f"track-{policy.id}") == "Policy 2 4.50"
    assert row(f"track-{tech.id}") == "Technology 1 2.00"
    assert re.search(r'id="edition-count">3<', text)
    assert re.search(r'id="edition-mean">3.67<', text)

    comments = visible_text(client.get(f"{BASE}/ratings/{first.id}"))
    assert "Excellent speakers" in comments and "Too technical" not in comments


def test_a_session_page_shows_its_seats_and_waiting_list(client):
    edition = organizer_logged_in(client)
    session = make_session(edition, "Small workshop", make_room(edition, capacity=30))
    give_seat(session, registered_person(edition, "a@example.org", "Anna Seated"))

    page = visible_text(client.get(session_url(session)))

    assert "1 of 30 seats reserved" in page
    assert action_of(client.get(session_url(session)), "Cancel this session")


def test_moving_a_published_session_tells_the_seat_holders(client, mail):
    edition = organizer_logged_in(client)
    room_1, room_2 = make_room(edition, "Room 1"), make_room(edition, "Room 2")
    session = make_session(edition, "Spectrum policy", room_1, start="10:00", end="11:00")
    give_seat(session, registered_person(edition, "delegate@example.org", "Dora Delegate"))
    press(client, f"{BASE}", "Publish the programme")

    late = post_form(client, session_url(session), {"start_time": "16:00", "end_time": "15:00"})
    assert late.status_code == 400
    assert form_values(late)["start_time"] == "16:00"
    assert mail.messages == []

    moved = post_form(
        client,
        session_url(session),
        {"start_time": "16:00", "end_time": "17:00", "room_id": str(room_2.id)},
    )

    assert moved.status_code == 302
    saved = fresh(ForumSession, id=session.id)
    assert saved.starts_at == datetime(2015, 10, 12, 14, 0, tzinfo=UTC)
    assert saved.room_id == room_2.id
    message = mail.wait_for(1)[0]
    assert message["To"] == "delegate@example.org"
    assert "Spectrum policy" in message["Subject"]


def test_refused_speakers_on_an_edit_leave_the_session_as_it_was(client):
    edition = organizer_logged_in(client)
    room_1, room_2 = make_room(edition, "Room 1"), make_room(edition, "Room 2")
    ada = make_speaker(edition, "Ada Lovelace", "ada@example.org")
    make_session(edition, "Keynote", room_1, speakers=[(ada, SpeakerRole.SPEAKER)])
    workshop = make_session(edition, "Workshop", room_2, start="10:30", end="12:00")

    refused = post_form(client, session_url(workshop), {"speakers-0-speaker_id": str(ada.id)})

    assert refused.status_code == 409
    text = visible_text(refused)
    assert "The speakers were not saved: they clash with the programme." in text
    assert "details were saved" not in text
    assert fresh(ForumSession, id=workshop.id).speakers == []

    kept = form_values(refused)
    assert kept["speakers-0-speaker_id"] == str(ada.id)
    kept["allow_conflicts"] = "y"
    assert client.post(session_url(workshop), data=kept).status_code == 302
    assert [s.speaker_id for s in fresh(ForumSession, id=workshop.id).speakers] == [ada.id]
