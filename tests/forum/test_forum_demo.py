"""The forum demo: the published 247 speakers of 2015, a programme without conflicts,
seats, session check-ins and ratings consistent with the participants' demo, a different
2013, idempotent and deterministic loading."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from itertools import pairwise

from flask import Flask
from sqlalchemy import func, select

from telecom.demo import load_demo_data
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.demo import SPECS, load_forum_demo, plan_forum, read_pool
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    ForumSettings,
    ReservationStatus,
    SeatReservation,
    SessionAccess,
    SessionInvitee,
    SessionKind,
    SessionRating,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.helpers import make_edition

R = ReservationStatus
OPENING = {"telecom-world-2015": (time(9), time(18)), "telecom-world-2013": (time(10), time(18))}


def edition(slug: str) -> Edition:
    found = db.session.scalar(select(Edition).where(Edition.slug == slug))
    assert found is not None
    return found


def sessions_of(ed: Edition) -> list[ForumSession]:
    return list(
        db.session.scalars(
            select(ForumSession)
            .where(ForumSession.edition_id == ed.id)
            .order_by(ForumSession.starts_at, ForumSession.id)
        )
    )


def speakers_of(ed: Edition, status: SpeakerStatus | None = None) -> list[Speaker]:
    query = select(Speaker).where(Speaker.edition_id == ed.id)
    if status is not None:
        query = query.where(Speaker.status == status)
    return list(db.session.scalars(query))


def capacity(session: ForumSession) -> int:
    return session.capacity if session.capacity is not None else session.room.capacity


def assert_no_overlap(intervals: dict[object, list[tuple[datetime, datetime, int]]]) -> None:
    """Sorted by start, each interval ends before (or when) the next one begins."""
    for key, spans in intervals.items():
        spans.sort()
        for (_s1, end, first), (start, _e2, second) in pairwise(spans):
            assert end <= start, f"{key}: sessions {first} and {second} overlap"


def may_enter(
    person_id: int, session: ForumSession, held_by: dict[int, set[RegistrationCategory]],
    invitees: set[int], speakers: set[int],
) -> bool:  # fmt: skip
    """The session's access rule (its speakers always enter)."""
    if person_id in speakers:
        return True
    if session.access == SessionAccess.VIP:
        return bool(
            held_by[person_id] & {RegistrationCategory.VIP, RegistrationCategory.DELEGATION}
        )
    if session.access == SessionAccess.INVITATION:
        return person_id in invitees
    return True


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_2015_has_the_published_247_speakers_in_a_programme_without_conflicts(
    app: Flask,
) -> None:
    load_demo_data()
    ed = edition("telecom-world-2015")

    # 247 confirmed speakers, each with a confirmed speaker badge that opens the forum.
    confirmed = speakers_of(ed, SpeakerStatus.CONFIRMED)
    assert len(confirmed) == 247
    badges = {
        r.id: r
        for r in db.session.scalars(
            select(Registration).where(
                Registration.edition_id == ed.id,
                Registration.category == RegistrationCategory.SPEAKER,
            )
        )
    }
    assert len(badges) == 247
    assert all(r.status == RegistrationStatus.CONFIRMED and r.forum_access for r in badges.values())
    for speaker in confirmed:
        badge = badges[speaker.registration_id]
        assert badge.person_id == speaker.person_id
        assert badge.person.email == speaker.email
        assert speaker.confirmed_at is not None and speaker.invited_at < speaker.confirmed_at
        assert badge.confirmed_at == speaker.confirmed_at < ed.day_starts_at(ed.start_date)
        assert speaker.photo_file is None and badge.photo_file is None
        assert speaker.full_name and speaker.bio and speaker.organisation
    countries = {code for code, _w in PARTICIPANT_SPECS[ed.slug].countries}
    assert {s.country for s in confirmed} <= countries
    assert all(s.email.endswith(".example.org") for s in speakers_of(ed))
    # Others declined, were withdrawn or never answered: no badge for them.
    others = Counter(s.status for s in speakers_of(ed) if s.status != SpeakerStatus.CONFIRMED)
    assert set(others) == {SpeakerStatus.DECLINED, SpeakerStatus.WITHDRAWN, SpeakerStatus.INVITED}
    assert all(
        s.registration_id is None and s.person_id is None
        for s in speakers_of(ed)
        if s.status != SpeakerStatus.CONFIRMED
    )
    # Many speakers are people the other demos made: leaders, journalists, delegates.
    person_ids = [s.person_id for s in confirmed]
    other_roles = Counter(
        db.session.scalars(
            select(Registration.category).where(
                Registration.edition_id == ed.id,
                Registration.person_id.in_(person_ids),
                Registration.category != RegistrationCategory.SPEAKER,
            )
        )
    )
    assert other_roles[RegistrationCategory.VIP] >= 30
    assert other_roles[RegistrationCategory.MEDIA] >= 5
    assert other_roles[RegistrationCategory.FORUM_DELEGATE] >= 30
    assert sum(other_roles.values()) < 247  # and some are new

    # Twelve rooms: Hall A, the largest, and 11 session rooms; several tracks.
    rooms = {
        r.name: r
        for r in db.session.scalars(select(ForumRoom).where(ForumRoom.edition_id == ed.id))
    }
    assert len(rooms) == 12 and "Hall A" in rooms
    assert rooms["Hall A"].capacity == max(r.capacity for r in rooms.values())
    tracks = set(db.session.scalars(select(Track.name).where(Track.edition_id == ed.id)))
    assert {"Leadership", "Smart Cities", "Broadband & Infrastructure", "Emerging Markets & SMEs",
            "Security & Trust", "Digital Inclusion"} <= tracks  # fmt: skip
    settings = db.session.scalar(select(ForumSettings).where(ForumSettings.edition_id == ed.id))
    assert settings.published_at < ed.day_starts_at(ed.start_date)

    # Sessions of every kind, on the edition's four days, in opening hours (local time).
    sessions = sessions_of(ed)
    assert 90 <= len(sessions) <= 160
    assert set(Counter(s.kind for s in sessions)) == set(SessionKind)
    opening, closing = OPENING[ed.slug]
    for session in sessions:
        start, end = session.starts_at.astimezone(ed.tz), session.ends_at.astimezone(ed.tz)
        assert ed.start_date <= start.date() == end.date() <= ed.end_date
        assert opening <= start.time() < end.time() <= closing
        assert session.title and session.description and session.track_id and session.room_id
    days = {s.starts_at.astimezone(ed.tz).date() for s in sessions}
    assert days == {ed.start_date + timedelta(days=n) for n in range(4)}
    assert {s.room.name for s in sessions} == set(rooms)
    assert len({s.title for s in sessions}) == len(sessions)
    summit = [s for s in sessions if s.kind == SessionKind.LEADERS_SUMMIT]
    assert summit and all(s.access == SessionAccess.VIP and s.room.name == "Hall A" for s in summit)
    assert [s for s in sessions if s.access == SessionAccess.VIP] == summit
    roundtables = [s for s in sessions if s.access == SessionAccess.INVITATION]
    assert roundtables
    for session in roundtables:
        invited = db.session.scalar(
            select(func.count()).where(SessionInvitee.session_id == session.id)
        )
        assert invited >= 20

    # No room holds two sessions at once; no speaker is in two places at once.
    by_room: dict[object, list] = defaultdict(list)
    for s in sessions:
        by_room[s.room_id].append((s.starts_at, s.ends_at, s.id))
    assert_no_overlap(by_room)
    by_speaker: dict[object, list] = defaultdict(list)
    confirmed_ids = {s.id for s in confirmed}
    speaking: Counter = Counter()
    for s in sessions:
        roles = Counter(link.role for link in s.speakers)
        assert roles[SpeakerRole.MODERATOR] <= 1
        if s.kind in (SessionKind.PANEL, SessionKind.PLENARY, SessionKind.LEADERS_SUMMIT):
            assert roles[SpeakerRole.MODERATOR] == 1 and roles[SpeakerRole.SPEAKER] >= 2
        for link in s.speakers:
            assert link.speaker_id in confirmed_ids
            by_speaker[link.speaker_id].append((s.starts_at, s.ends_at, s.id))
            if s.cancelled_at is None:
                speaking[link.speaker_id] += 1
    assert_no_overlap(by_speaker)
    assert set(speaking) == confirmed_ids  # every confirmed speaker speaks
    # The Leaders' Summit is for leaders: its speakers hold VIP registrations.
    vip_people = set(
        db.session.scalars(
            select(Registration.person_id).where(
                Registration.edition_id == ed.id, Registration.category == RegistrationCategory.VIP
            )
        )
    )
    speaker_person = {s.id: s.person_id for s in confirmed}
    for session in summit:
        assert all(
            speaker_person[link.speaker_id] in vip_people
            for link in session.speakers
            if link.role == SpeakerRole.SPEAKER
        )


def test_seats_check_ins_and_ratings_follow_the_rules(app: Flask) -> None:
    load_demo_data()
    for slug in SPECS:
        ed = edition(slug)
        sessions = {s.id: s for s in sessions_of(ed)}
        registrations = {
            r.id: r
            for r in db.session.scalars(
                select(Registration).where(Registration.edition_id == ed.id)
            )
        }
        held_by: dict[int, set[RegistrationCategory]] = defaultdict(set)
        for r in registrations.values():
            if r.status == RegistrationStatus.CONFIRMED:
                held_by[r.person_id].add(r.category)
        invitees: dict[int, set[int]] = defaultdict(set)
        for session_id, person_id in db.session.execute(
            select(SessionInvitee.session_id, SessionInvitee.person_id).where(
                SessionInvitee.session_id.in_(sessions)
            )
        ):
            invitees[session_id].add(person_id)
        speakers_at: dict[int, set[int]] = {
            s.id: {link.speaker.person_id for link in s.speakers} for s in sessions.values()
        }

        # Seats: never more than the capacity; a waiting list only when full; forum access.
        reservations = list(
            db.session.scalars(
                select(SeatReservation).where(SeatReservation.session_id.in_(sessions))
            )
        )
        statuses = Counter(r.status for r in reservations)
        assert statuses[R.CONFIRMED] > 300 and statuses[R.WAITING] > 0
        assert statuses[R.CANCELLED] > 0
        seats: Counter = Counter()
        waiting: Counter = Counter()
        holders: dict[int, set[int]] = defaultdict(set)
        for r in reservations:
            session = sessions[r.session_id]
            registration = registrations[r.registration_id]
            assert registration.person_id == r.person_id and registration.forum_access
            assert registration.status == RegistrationStatus.CONFIRMED
            assert may_enter(
                r.person_id, session, held_by, invitees[session.id], speakers_at[session.id]
            )
            assert r.person_id not in speakers_at[session.id]
            assert r.created_at < session.starts_at
            if r.status == R.CONFIRMED:
                seats[session.id] += 1
                holders[session.id].add(r.person_id)
                assert r.confirmed_at is not None
            elif r.status == R.WAITING:
                waiting[session.id] += 1
                assert r.waiting_since is not None
            else:
                assert r.cancelled_at is not None
            if r.promoted_at is not None:
                assert r.waiting_since < r.promoted_at
        for session in sessions.values():
            assert session.seats_taken == seats[session.id] <= capacity(session)
            if waiting[session.id]:
                assert seats[session.id] == capacity(session)
        assert any(r.promoted_at for r in reservations)
        cancelled = [s for s in sessions.values() if s.cancelled_at is not None]
        assert cancelled and all(seats[s.id] == 0 for s in cancelled)

        # Session check-ins: forum access, the session's day, valid badges, through the
        # gate first, nobody in two rooms at once, never more than the capacity.
        gate: dict[tuple[int, object], datetime] = {}
        for c in db.session.scalars(
            select(CheckIn).where(CheckIn.edition_id == ed.id, CheckIn.point == CheckInPoint.GATE)
        ):
            key = (c.person_id, c.day)
            gate[key] = min(gate.get(key, c.scanned_at), c.scanned_at)
        door = list(
            db.session.scalars(
                select(CheckIn).where(
                    CheckIn.edition_id == ed.id, CheckIn.point == CheckInPoint.SESSION
                )
            )
        )
        assert len(door) > 500
        attended: dict[int, set[int]] = defaultdict(set)
        by_person: dict[object, list] = defaultdict(list)
        walk_ins = 0
        for c in door:
            session = sessions[int(c.point_ref)]
            registration = registrations[c.registration_id]
            assert registration.person_id == c.person_id and registration.category == c.category
            assert registration.status == RegistrationStatus.CONFIRMED
            assert registration.forum_access
            assert registration.valid_from <= c.day <= registration.valid_until
            assert c.scanned_at >= registration.confirmed_at
            assert session.cancelled_at is None
            assert c.day == ed.local_date(session.starts_at) == ed.local_date(c.scanned_at)
            assert session.starts_at - timedelta(minutes=30) <= c.scanned_at
            assert c.scanned_at <= session.starts_at + timedelta(minutes=30)
            assert gate[(c.person_id, c.day)] <= c.scanned_at
            assert may_enter(
                c.person_id, session, held_by, invitees[session.id], speakers_at[session.id]
            )
            assert c.person_id not in attended[session.id]
            attended[session.id].add(c.person_id)
            by_person[c.person_id].append((session.starts_at, session.ends_at, session.id))
            walk_ins += c.person_id not in holders[session.id] | speakers_at[session.id]
        assert_no_overlap(by_person)
        for session_id, people in attended.items():
            assert len(people) <= capacity(sessions[session_id])
        assert walk_ins > 0
        shows = sum(len(attended[s] & holders[s]) for s in sessions)
        assert 0.5 < shows / sum(len(h) for h in holders.values()) < 0.95
        assert attended[next(s.id for s in sessions.values() if s.access == SessionAccess.VIP)]

        # Ratings: 1-5, mostly good, only by people checked in (not its speakers), once,
        # after the session ended.
        ratings = list(
            db.session.scalars(select(SessionRating).where(SessionRating.session_id.in_(sessions)))
        )
        assert len(ratings) > 100
        assert len({(r.session_id, r.person_id) for r in ratings}) == len(ratings)
        for rating in ratings:
            assert 1 <= rating.score <= 5
            assert rating.person_id in attended[rating.session_id]
            assert rating.person_id not in speakers_at[rating.session_id]
            assert rating.created_at > sessions[rating.session_id].ends_at
        scores = Counter(r.score for r in ratings)
        assert scores[4] + scores[5] > 0.6 * len(ratings) and scores[1] > 0
        assert 3.5 < sum(r.score for r in ratings) / len(ratings) < 4.5
        assert 0 < sum(bool(r.comment) for r in ratings) < len(ratings) / 2


def test_2013_differs_and_a_second_load_creates_nothing(app: Flask) -> None:
    load_demo_data()
    ed13, ed15 = edition("telecom-world-2013"), edition("telecom-world-2015")
    confirmed13 = speakers_of(ed13, SpeakerStatus.CONFIRMED)
    assert 150 <= len(confirmed13) < len(speakers_of(ed15, SpeakerStatus.CONFIRMED))
    rooms13 = set(db.session.scalars(select(ForumRoom.name).where(ForumRoom.edition_id == ed13.id)))
    assert "Hall A" not in rooms13 and 5 <= len(rooms13) < 12
    sessions13, sessions15 = sessions_of(ed13), sessions_of(ed15)
    assert 40 <= len(sessions13) < len(sessions15)
    assert {s.kind for s in sessions13} == set(SessionKind)
    opening, closing = OPENING[ed13.slug]
    for session in sessions13:
        start = session.starts_at.astimezone(ed13.tz)
        assert ed13.start_date <= start.date() <= ed13.end_date
        assert opening <= start.time() and session.ends_at.astimezone(ed13.tz).time() <= closing
    assert {s.email for s in confirmed13}.isdisjoint({s.email for s in speakers_of(ed15)})
    assert {s.title for s in sessions13} != {s.title for s in sessions15}
    countries = {code for code, _w in PARTICIPANT_SPECS[ed13.slug].countries}
    assert {s.country for s in confirmed13} <= countries

    before = table_counts()
    for ed in (ed13, ed15):
        assert set(load_forum_demo(ed).values()) == {0}
    assert table_counts() == before
    # The plan comes from the seed and the other demos' data alone.
    spec = SPECS[ed15.slug]
    plan, replan = (plan_forum(spec, ed15, read_pool(ed15)) for _ in range(2))
    assert [(s.email, s.status) for s in plan.speakers] == [
        (s.email, s.status) for s in replan.speakers
    ]
    assert [(s.room, s.starts_at, s.speakers, s.check_ins, s.ratings) for s in plan.sessions] == [
        (s.room, s.starts_at, s.speakers, s.check_ins, s.ratings) for s in replan.sessions
    ]


def test_an_edition_without_a_demo_plan_gets_no_forum(app: Flask) -> None:
    other = make_edition("telecom-world-2099", name="ITU TELECOM World 2099")
    assert set(load_forum_demo(other).values()) == {0}
    assert sessions_of(other) == []
