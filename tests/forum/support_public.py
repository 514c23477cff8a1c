"""Shared pieces of the delegate-page, API and browser tests of the forum.

The forum is built the way the organizers build it (rooms, tracks, sessions
through telecom.forum.services.programme; speakers invited and confirmed
through speakers), delegates hold a registration with forum access as a paid
or granted pass would give them, and attendance is a real badge scan at the
session's door (telecom.participants check-in).

The edition runs from yesterday to the day after tomorrow in Budapest time,
so a test has sessions that are over (to rate) and sessions still to come (to
reserve).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    SeatReservation,
    SessionAccess,
    SessionKind,
    Speaker,
    SpeakerRole,
    Track,
)
from telecom.forum.services import programme
from telecom.forum.services import speakers as forum_speakers
from telecom.participants.models import (
    CheckInPoint,
    Person,
    Registration,
    RegistrationCategory,
)
from telecom.participants.services import badges, checkin
from telecom.participants.services.granted import grant_registration
from telecom.participants.services.people import find_or_create_person
from tests.helpers import make_edition, make_organizer, make_user

ZONE = "Europe/Budapest"
SLUG = "telecom-world-forum"


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def portrait_jpeg(size: tuple[int, int] = (240, 300)) -> bytes:
    """A passport-style picture: a face-like oval on a plain background."""
    image = Image.new("RGB", size, (225, 232, 240))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.55), fill=(224, 182, 150))
    draw.rectangle((width * 0.2, height * 0.6, width * 0.8, height), fill=(40, 60, 110))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@dataclass
class Forum:
    """An edition's forum as the organizers set it up: names → rows."""

    edition: Edition
    organizer: User
    rooms: dict[str, ForumRoom] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    sessions: dict[str, ForumSession] = field(default_factory=dict)
    speakers: dict[str, Speaker] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.edition.slug

    @property
    def today(self) -> date:
        return local_today()

    def day(self, offset: int) -> date:
        """Today + offset, in the edition's zone (-1: yesterday, the first day)."""
        return self.today + timedelta(days=offset)

    def add_room(self, name: str, capacity: int, location: str = "") -> ForumRoom:
        room = programme.create_room(self.edition, name, capacity, location, actor=self.organizer)
        self.rooms[name] = room
        return room

    def add_track(self, name: str, colour: str = "#1d4ed8", description: str = "") -> Track:
        track = programme.create_track(
            self.edition, name, description, colour, actor=self.organizer
        )
        self.tracks[name] = track
        return track

    def add_session(
        self,
        title: str,
        *,
        day: int,
        start: str,
        end: str,
        room: str,
        track: str | None = None,
        kind: SessionKind = SessionKind.PANEL,
        capacity: int | None = None,
        access: SessionAccess = SessionAccess.FORUM_PASS,
        description: str = "",
    ) -> ForumSession:
        """A session on day `day` (offset from today), local clock times "HH:MM"."""
        data = programme.SessionData(
            title=title,
            description=description,
            kind=kind,
            room_id=self.rooms[room].id,
            track_id=self.tracks[track].id if track else None,
            day=self.day(day),
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
            capacity=capacity,
            access=access,
        )
        session = programme.create_session(self.edition, data, actor=self.organizer)
        self.sessions[title] = session
        return session

    def add_speaker(
        self,
        email: str,
        full_name: str,
        *,
        job_title: str = "",
        organisation: str = "",
        country: str | None = None,
        bio: str = "",
        confirmed: bool = True,
    ) -> Speaker:
        """A speaker invited by the organizer and (by default) confirmed with a bio and a photo."""
        speaker = forum_speakers.invite_speaker(
            self.edition,
            forum_speakers.SpeakerInvite(
                email=email, full_name=full_name, job_title=job_title,
                organisation=organisation, country=country,
            ),
            actor=self.organizer,
        )  # fmt: skip
        if confirmed:
            speaker = forum_speakers.confirm(
                speaker,
                forum_speakers.SpeakerProfile(
                    full_name=full_name, job_title=job_title, organisation=organisation,
                    country=country, bio=bio or f"{full_name} speaks at the forum.",
                ),
                photo=portrait_jpeg(),
                photo_name="portrait.jpg",
                actor=self.organizer,
            )  # fmt: skip
        self.speakers[full_name] = speaker
        return speaker

    def set_speakers(self, title: str, *names: str, moderator: str | None = None) -> None:
        pairs = [(self.speakers[name].id, SpeakerRole.SPEAKER) for name in names]
        if moderator:
            pairs.append((self.speakers[moderator].id, SpeakerRole.MODERATOR))
        programme.set_session_speakers(self.sessions[title], pairs, actor=self.organizer)

    def publish(self) -> None:
        programme.publish(self.edition, actor=self.organizer)

    def unpublish(self) -> None:
        programme.unpublish(self.edition, actor=self.organizer)

    def session(self, title: str) -> ForumSession:
        """The session as stored now (seat counts change under the pages)."""
        db.session.expire_all()
        found = db.session.scalar(
            select(ForumSession).where(
                ForumSession.edition_id == self.edition.id, ForumSession.title == title
            )
        )
        assert found is not None, title
        return found


def forum_edition(slug: str = SLUG, organizer_email: str = "olga@telecom-world.example") -> Forum:
    """An edition from yesterday to the day after tomorrow, in Budapest, with its organizer."""
    today = local_today()
    edition = make_edition(
        slug, name="ITU TELECOM World Forum Test", timezone=ZONE,
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=2),
    )  # fmt: skip
    organizer = make_organizer(organizer_email)
    return Forum(edition=edition, organizer=organizer)


def delegate(
    forum: Forum,
    email: str,
    full_name: str,
    *,
    forum_access: bool = True,
    category: RegistrationCategory | None = None,
) -> User:
    """An account whose person holds a confirmed registration (a forum pass by default).

    forum_access=False gives an exhibition-only visitor registration.
    """
    user = make_user(email, full_name=full_name)
    person = find_or_create_person(email, full_name=full_name)
    person.user_id = user.id
    if category is None:
        category = (
            RegistrationCategory.FORUM_DELEGATE if forum_access else RegistrationCategory.VISITOR
        )
    grant_registration(person, forum.edition, category, actor=None, forum_access=forum_access)
    commit()
    return user


def check_in(forum: Forum, user: User, session: ForumSession) -> None:
    """The delegate's badge scanned at the session's door, five minutes after it began."""
    staff = db.session.scalar(select(User).where(User.email == "door@telecom-world.example"))
    if staff is None:
        staff = make_user(
            "door@telecom-world.example", roles={Role.CHECKIN_STAFF}, full_name="Door Staff"
        )
    registration = db.session.scalar(
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.edition_id == forum.edition.id, Person.user_id == user.id)
        .order_by(Registration.forum_access.desc(), Registration.id)
        .limit(1)
    )
    assert registration is not None
    outcome = checkin.scan(
        forum.edition,
        code=badges.badge_code(registration),
        scan_id=str(uuid.uuid4()),
        scanned_at=session.starts_at + timedelta(minutes=5),
        point=CheckInPoint.SESSION,
        point_ref=str(session.id),
        staff=staff,
    )
    assert outcome.result.value == "welcome", outcome


def reservation_of(user: User, session: ForumSession) -> SeatReservation | None:
    """The user's reservation row in the session, as stored now."""
    db.session.expire_all()
    return db.session.scalar(
        select(SeatReservation)
        .join(Person, Person.id == SeatReservation.person_id)
        .where(SeatReservation.session_id == session.id, Person.user_id == user.id)
    )


def session_path(slug: str, session_id: int) -> str:
    return f"/editions/{slug}/forum/sessions/{session_id}"


def programme_path(slug: str = SLUG) -> str:
    return f"/editions/{slug}/forum"


# --- The forum most tests use ------------------------------------------------------------

SUMMIT = "Leaders' Summit: Connecting the unconnected"
PANEL = "Panel: Smart cities after 5G"
WORKSHOP = "Workshop: Spectrum sharing"
BREAKFAST = "Networking breakfast"
ROUNDTABLE = "Ministerial roundtable"
KEYNOTE = "Keynote: The next billion users"
DIALLO = "Amina Diallo"
WATANABE = "Kenji Watanabe"
INVITED = "Pierre Pending"
DIALLO_BIO = "Minister of digital economy since 2012.\n\nFormer engineer at the national regulator."


def build_forum(slug: str = SLUG, *, publish: bool = True) -> Forum:
    """Three rooms, two tracks, six sessions (one yesterday, the rest tomorrow and after).

    Tomorrow: the summit (09:00-10:30, Room A, Policy) overlaps the panel
    (09:30-10:30, Room B, Innovation); the workshop (11:00-12:00) is in the
    one-seat Small Room. The day after: a breakfast and an invitation-only
    roundtable. Yesterday: a keynote, over, to be rated.
    """
    forum = forum_edition(slug, f"olga@{slug}.example")
    forum.add_room("Room A", 50, "Hall A, level 1")
    forum.add_room("Room B", 30)
    forum.add_room("Small Room", 1)
    forum.add_track("Policy", "#b91c1c", "Regulation and public policy.")
    forum.add_track("Innovation", "#15803d")
    forum.add_speaker(
        "amina.diallo@gov.example", DIALLO, job_title="Minister of Digital Economy",
        organisation="Government of Senegal", country="SN", bio=DIALLO_BIO,
    )  # fmt: skip
    forum.add_speaker(
        "kenji.watanabe@carrier.example", WATANABE, job_title="Chief Technology Officer",
        organisation="Nippon Carrier", country="JP",
    )  # fmt: skip
    forum.add_speaker("pierre@pending.example", INVITED, confirmed=False)
    forum.add_session(
        SUMMIT, day=1, start="09:00", end="10:30", room="Room A", track="Policy",
        kind=SessionKind.LEADERS_SUMMIT,
        description="How broadband reaches the last three billion people.",
    )  # fmt: skip
    forum.add_session(
        PANEL, day=1, start="09:30", end="10:30", room="Room B", track="Innovation",
        description="Sensors, networks and the city.",
    )  # fmt: skip
    forum.add_session(
        WORKSHOP, day=1, start="11:00", end="12:00", room="Small Room", track="Innovation",
        kind=SessionKind.WORKSHOP,
    )  # fmt: skip
    forum.add_session(
        BREAKFAST, day=2, start="08:00", end="09:00", room="Room A",
        kind=SessionKind.NETWORKING,
    )  # fmt: skip
    forum.add_session(
        ROUNDTABLE, day=2, start="10:00", end="11:00", room="Room B", track="Policy",
        access=SessionAccess.INVITATION,
    )  # fmt: skip
    forum.add_session(
        KEYNOTE, day=-1, start="10:00", end="11:00", room="Room A", kind=SessionKind.KEYNOTE,
    )  # fmt: skip
    forum.set_speakers(SUMMIT, DIALLO, INVITED, moderator=WATANABE)
    forum.set_speakers(KEYNOTE, DIALLO)
    if publish:
        forum.publish()
    return forum
