"""Forum demo data for the past demo editions: rooms, tracks, the programme, speakers,
seat reservations with waiting lists, session check-ins and ratings.

2015 (Budapest, 12-15 October, Europe/Budapest) has the published figure: 247
confirmed speakers. Everything else here is illustrative: about four days of
sessions in Hall A (the opening, the Leaders' Summit, keynotes and plenaries)
and 11 session rooms, eight tracks, invitation-only roundtables, and the
Leaders' Summit for VIPs only. 2013 (Bangkok, 19-22 November, Asia/Bangkok) is
smaller: 180 speakers, a Grand Hall and 7 session rooms, six tracks. Both
programmes are published. Session titles are generated from topics and formats;
none is a real session's title.

Speakers are mostly people the other demos already made, so that one person
is counted once: some of the protocol demo's leaders (the Leaders' Summit,
keynotes, plenaries), some journalists of the media demo (moderators), some
forum delegates of the participants demo; the rest are new people (e-mails on a
subdomain of the reserved example.org, countries among those the participants
demo uses). Each confirmed speaker holds a speaker registration with forum
access, granted with `grant_registration` (in this transaction, no mail) and
dated back to the confirmation. No photos. Some invitations were declined,
withdrawn or never answered.

The rules the live services enforce hold here too. No room holds two sessions
at once and no speaker is in two places at once. A speaker comes through the
gate before their session on its day (a gate entry is added with the speaker
badge when they had none that day; leaders speak only on days they came).
Seats: a share of the forum delegates (and, for the Leaders' Summit, leaders
who hold a speaker badge) reserved seats after the programme was published;
a full session put later requests on its waiting list, and a cancelled seat
went to the first waiting. Session check-ins: only people with a forum-access
registration valid that day who came through the gate earlier that day, never
in two sessions at once, speakers and most seat holders first, then walk-ins,
never more than the session's capacity. Ratings (1-5, mostly good, some with a
comment) only from people checked in at the session (not its speakers), once,
after it ended. VIPs without a speaker badge have no forum access on their VIP
registration, so they are not checked in at session doors.

As in telecom/protocol/demo.py the plan is computed first, from a seeded
`random.Random` and what the other demos left in the database (read in a fixed
order, leaving out what this loader adds), then only what is missing is
inserted, by natural key: settings by edition, rooms and tracks by name,
people and speakers by e-mail, sessions by room and start, speakers, invitees,
reservations and ratings by session and person, check-ins by person, day and
point. Bulk inserts, one commit per edition.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select, update

from telecom.events.models import Edition
from telecom.extensions import db
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
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from telecom.participants.demo import NAMES, ORG_STEMS, REGION_OF, _ascii, _days
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    JobFunction,
    PassType,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services.granted import grant_registration
from telecom.protocol.demo import english_name

COUNT_KEYS = (
    "forum_settings", "forum_rooms", "forum_tracks", "forum_sessions", "people", "speakers",
    "registrations", "session_speakers", "session_invitees", "seat_reservations", "check_ins",
    "session_ratings",
)  # fmt: skip

K = SessionKind
A = SessionAccess
R = ReservationStatus
# The participants demo's pass for invited leaders (a name, not a secret).
LEADERS_PASS = "Leaders' pass"  # noqa: S105


@dataclass(frozen=True)
class HallSession:
    """A fixed entry of the main hall's programme (local times, day counted from 0)."""

    day: int
    start: time
    end: time
    kind: SessionKind
    title: str = ""  # generated from the track's topics when empty
    track: str = ""  # drawn when empty
    access: SessionAccess = A.FORUM_PASS
    capacity: int | None = None


@dataclass(frozen=True)
class ForumDemoSpec:
    slug: str
    seed: int
    confirmed_speakers: int
    # How many confirmed speakers come from the other demos; the rest are new people.
    reuse: dict[str, int]
    declined: int
    withdrawn: int
    unanswered: int
    mail_domain: str
    rooms: tuple[tuple[str, int, str], ...]  # name, capacity, location; the main hall first
    tracks: tuple[tuple[str, str, str], ...]  # name, description, colour
    hall_programme: tuple[HallSession, ...]
    room_slots: tuple[tuple[tuple[time, time], ...], ...]  # per day: the rooms' time slots
    room_fill: float  # share of room slots with a session
    invitation_sessions: int
    cancelled_sessions: int = 1
    published_days_before: int = 35
    reservation_share: float = 0.75  # of the forum delegates
    show_share: float = 0.8  # of the seat holders present that day
    walk_in_rate: float = 0.05
    rating_share: float = 0.3


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _slots(*pairs: str) -> tuple[tuple[time, time], ...]:
    return tuple((_t(pair[:5]), _t(pair[6:])) for pair in pairs)


SPEC_2015 = ForumDemoSpec(
    slug="telecom-world-2015",
    seed=82015,
    confirmed_speakers=247,  # the published figure
    reuse={"leaders": 70, "journalists": 10, "delegates": 95},
    declined=23,
    withdrawn=4,
    unanswered=9,
    mail_domain="speakers2015.example.org",
    rooms=(
        ("Hall A", 1500, "Pavilion A, ground floor"),
        ("Danube Room", 400, "Pavilion B, first floor"),
        ("Buda Room", 300, "Pavilion B, first floor"),
        ("Pest Room", 300, "Pavilion B, first floor"),
        ("Margaret Island Room", 200, "Pavilion B, second floor"),
        ("Gellért Room", 180, "Pavilion B, second floor"),
        ("Castle Hill Room", 150, "Pavilion C, conference level"),
        ("Chain Bridge Room", 120, "Pavilion C, conference level"),
        ("Andrássy Room", 100, "Pavilion C, conference level"),
        ("Tisza Room", 80, "Pavilion C, conference level"),
        ("Balaton Room", 60, "Pavilion G, ground floor"),
        ("Tokaj Room", 40, "Pavilion G, ground floor"),
    ),
    tracks=(
        ("Leadership", "The Leaders' Summit, keynotes and plenaries.", "#7c3aed"),
        ("Smart Cities", "Connected, sustainable and liveable cities.", "#0891b2"),
        ("Broadband & Infrastructure", "Networks, spectrum and the investment behind them.",
         "#1d4ed8"),
        ("Emerging Markets & SMEs", "Start-ups, small businesses and growth markets.",
         "#16a34a"),
        ("Security & Trust", "Cybersecurity, identity and confidence online.", "#dc2626"),
        ("Digital Inclusion", "Bringing everyone online, whoever and wherever they are.",
         "#d97706"),
        ("Internet of Things", "Connected things, from farms to factories.", "#0d9488"),
        ("Policy & Regulation", "Rules for markets that change fast.", "#4b5563"),
    ),
    hall_programme=(
        HallSession(0, _t("09:30"), _t("10:30"), K.PLENARY, "Opening ceremony", "Leadership"),
        HallSession(0, _t("11:00"), _t("13:00"), K.LEADERS_SUMMIT,
                    "Leaders' Summit, part 1: investing in connectivity for all", "Leadership",
                    A.VIP, 200),
        HallSession(0, _t("14:30"), _t("16:00"), K.LEADERS_SUMMIT,
                    "Leaders' Summit, part 2: partnerships for the digital economy",
                    "Leadership", A.VIP, 200),
        HallSession(0, _t("16:30"), _t("17:30"), K.LEADERS_SUMMIT,
                    "Leaders' Summit: closing roundtable", "Leadership", A.VIP, 200),
        HallSession(1, _t("09:30"), _t("10:15"), K.KEYNOTE),
        HallSession(1, _t("10:30"), _t("12:00"), K.PLENARY),
        HallSession(1, _t("14:00"), _t("14:45"), K.KEYNOTE),
        HallSession(1, _t("15:00"), _t("16:30"), K.PLENARY),
        HallSession(2, _t("09:30"), _t("10:15"), K.KEYNOTE),
        HallSession(2, _t("10:30"), _t("12:00"), K.PLENARY),
        HallSession(2, _t("14:00"), _t("14:45"), K.KEYNOTE),
        HallSession(2, _t("15:00"), _t("16:30"), K.PLENARY),
        HallSession(3, _t("09:30"), _t("10:15"), K.KEYNOTE),
        HallSession(3, _t("10:30"), _t("12:00"), K.PLENARY),
        HallSession(3, _t("12:30"), _t("13:15"), K.PLENARY,
                    "Closing plenary: what the forum agreed", "Leadership"),
    ),
    room_slots=(
        _slots("11:00-12:30", "14:00-15:30", "16:00-17:30"),
        _slots("09:30-11:00", "11:30-13:00", "14:00-15:30", "16:00-17:30"),
        _slots("09:30-11:00", "11:30-13:00", "14:00-15:30", "16:00-17:30"),
        _slots("09:30-11:00", "11:30-13:00"),
    ),
    room_fill=0.75,
    invitation_sessions=6,
)  # fmt: skip

SPEC_2013 = ForumDemoSpec(
    slug="telecom-world-2013",
    seed=82013,
    confirmed_speakers=180,
    reuse={"leaders": 50, "journalists": 8, "delegates": 60},
    declined=17,
    withdrawn=3,
    unanswered=6,
    mail_domain="speakers2013.example.org",
    rooms=(
        ("Grand Hall", 1200, "IMPACT Forum, ground floor"),
        ("Lotus Room", 300, "IMPACT Forum, level 2"),
        ("Orchid Room", 250, "IMPACT Forum, level 2"),
        ("Jasmine Room", 180, "IMPACT Forum, level 2"),
        ("Teak Room", 120, "IMPACT Forum, level 3"),
        ("Bamboo Room", 100, "IMPACT Forum, level 3"),
        ("Silk Room", 60, "IMPACT Forum, level 3"),
        ("Sapphire Room", 40, "IMPACT Forum, level 3"),
    ),
    tracks=(
        ("Leadership", "The Leaders' Summit, keynotes and plenaries.", "#7c3aed"),
        ("Mobile Broadband", "Mobile networks and the data they carry.", "#2563eb"),
        ("Digital Inclusion", "Bringing everyone online, whoever and wherever they are.",
         "#d97706"),
        ("Cloud & Big Data", "Services in the cloud and the data behind them.", "#9333ea"),
        ("Policy & Regulation", "Rules for markets that change fast.", "#4b5563"),
        ("Emerging Markets & SMEs", "Start-ups, small businesses and growth markets.",
         "#16a34a"),
    ),
    hall_programme=(
        HallSession(0, _t("10:30"), _t("11:30"), K.PLENARY, "Opening ceremony", "Leadership"),
        HallSession(0, _t("12:00"), _t("13:30"), K.LEADERS_SUMMIT,
                    "Leaders' Summit: the next wave of mobile broadband", "Leadership",
                    A.VIP, 150),
        HallSession(0, _t("14:30"), _t("16:30"), K.LEADERS_SUMMIT,
                    "Leaders' Summit: financing connectivity in Asia-Pacific", "Leadership",
                    A.VIP, 150),
        HallSession(1, _t("10:30"), _t("11:15"), K.KEYNOTE),
        HallSession(1, _t("11:30"), _t("13:00"), K.PLENARY),
        HallSession(1, _t("14:30"), _t("16:00"), K.PLENARY),
        HallSession(2, _t("10:30"), _t("11:15"), K.KEYNOTE),
        HallSession(2, _t("11:30"), _t("13:00"), K.PLENARY),
        HallSession(2, _t("14:30"), _t("15:15"), K.KEYNOTE),
        HallSession(2, _t("15:30"), _t("17:00"), K.PLENARY),
        HallSession(3, _t("10:30"), _t("12:00"), K.PLENARY),
        HallSession(3, _t("12:15"), _t("13:00"), K.PLENARY, "Closing plenary", "Leadership"),
    ),
    room_slots=(
        _slots("12:00-13:30", "14:30-16:00"),
        _slots("10:30-12:00", "13:30-15:00", "15:30-17:00"),
        _slots("10:30-12:00", "13:30-15:00", "15:30-17:00"),
        _slots("10:30-12:00"),
    ),
    room_fill=0.75,
    invitation_sessions=4,
    published_days_before=30,
    reservation_share=0.7,
)  # fmt: skip

SPECS = {spec.slug: spec for spec in (SPEC_2013, SPEC_2015)}

# --- what the sessions are about ---------------------------------------------------------

TOPICS = {
    "Leadership": (
        "connectivity for all", "the digital economy", "public-private partnership in ICT",
        "investment in networks", "ICT and sustainable development", "cooperation on standards",
        "the next billion users", "innovation ecosystems",
    ),
    "Smart Cities": (
        "smart city platforms", "open urban data", "intelligent transport",
        "smart street lighting", "city-wide Wi-Fi", "digital twins of cities",
        "online services for citizens", "sustainable urban energy",
    ),
    "Broadband & Infrastructure": (
        "rural broadband", "fibre to the home", "spectrum for mobile broadband",
        "submarine cables", "satellite backhaul", "infrastructure sharing", "the road to 5G",
        "national broadband plans", "internet exchange points", "data centres",
    ),
    "Emerging Markets & SMEs": (
        "mobile money", "tech start-ups in emerging markets", "finance for small businesses",
        "incubators and accelerators", "local apps and content", "cross-border e-commerce",
        "scaling a start-up across borders", "angel investment in ICT",
    ),
    "Security & Trust": (
        "cybersecurity for critical infrastructure", "digital identity",
        "trust in online services", "child online protection", "personal data protection",
        "incident response teams", "secure mobile payments", "resilient networks",
    ),
    "Digital Inclusion": (
        "digital skills for girls and women", "accessible ICT for persons with disabilities",
        "affordable smartphones", "connecting schools", "community networks",
        "content in local languages", "connectivity for refugees", "e-health in remote areas",
    ),
    "Internet of Things": (
        "IoT standards", "connected cars", "smart agriculture", "machine-to-machine connectivity",
        "connected health devices", "industrial IoT", "low-power wide-area networks",
        "IoT data and privacy",
    ),
    "Policy & Regulation": (
        "spectrum auctions", "net neutrality", "universal service funds", "over-the-top services",
        "regulatory sandboxes", "international roaming", "competition in mobile markets",
        "licensing for converged markets",
    ),
    "Mobile Broadband": (
        "LTE roll-out", "mobile data growth", "small cells", "Wi-Fi offload",
        "the digital dividend", "mobile broadband pricing", "4G in Asia-Pacific",
        "smartphone adoption",
    ),
    "Cloud & Big Data": (
        "cloud services for government", "big data analytics", "cloud security", "open data",
        "data centres in Asia", "cloud for small businesses", "data-driven health",
        "early warning with big data",
    ),
}  # fmt: skip

TITLES = {
    K.PANEL: (
        "{S}: what comes next?", "{S}: lessons from the field", "{S}: from pilots to scale",
        "{S}: a reality check", "{S}: who pays?", "{S}: the view from the regions",
        "{S}: getting the policy right", "{S}: partnerships that work", "{S}: measuring impact",
        "{S}: the next five years", "{S}: myths and facts", "{S}: opportunities and risks",
    ),
    K.WORKSHOP: ("Workshop: {s}", "Hands-on workshop: {s}", "Masterclass: {s}",
                 "Design lab: {s}"),
    K.NETWORKING: ("Breakfast briefing: {s}", "Meet the experts: {s}", "Networking hour: {s}"),
    K.KEYNOTE: ("Keynote: {s}", "Keynote: the future of {s}"),
    K.PLENARY: ("Plenary: {s}", "Plenary debate: {s}"),
    "invitation": ("Ministerial roundtable: {s}", "CEO roundtable: {s}",
                   "Investors' roundtable: {s}", "Regulators' roundtable: {s}"),
}  # fmt: skip

DESCRIPTIONS = {
    K.PANEL: (
        "Operators, regulators, investors and users on {s}: what has worked, what has not, "
        "and what it would take to go further. Questions from the floor are welcome.",
        "A panel debate on {s}, with case studies from several regions and time for the "
        "audience's questions.",
    ),
    K.WORKSHOP: (
        "A practical, small-group session on {s}, with case studies and exercises. Seats are "
        "limited: please reserve.",
        "Bring your own questions: the facilitators walk through {s} step by step.",
    ),
    K.NETWORKING: (
        "An informal hour to meet people working on {s}. Coffee is served.",
        "Meet peers and the session's hosts to talk about {s}.",
    ),
    K.KEYNOTE: ("A keynote address on {s}.",),
    K.PLENARY: (
        "Leaders from government, industry and international organisations debate {s} in the "
        "main hall.",
    ),
    K.LEADERS_SUMMIT: (
        "Heads of state and government, ministers, regulators and chief executives in a "
        "high-level roundtable. For VIP badge holders only.",
    ),
    "invitation": (
        "A closed-door discussion on {s}, under the Chatham House Rule. Participation by "
        "invitation only.",
    ),
}
HALL_DESCRIPTIONS = {
    "Opening ceremony": "The official opening of the forum, with the host country and ITU.",
}

# Kinds of the rooms' sessions (relative weights), and their speakers: (moderated,
# fewest speakers, most speakers).
ROOM_KINDS = {K.PANEL: 58, K.WORKSHOP: 27, K.NETWORKING: 15}
LINE_UP = {
    K.LEADERS_SUMMIT: (True, 9, 13), K.KEYNOTE: (False, 1, 1), K.PLENARY: (True, 4, 6),
    K.PANEL: (True, 3, 5), K.WORKSHOP: (True, 1, 3), K.NETWORKING: (True, 0, 1),
    "invitation": (True, 2, 4),
}  # fmt: skip
# Where each kind of speaker is likely to be found (relative weights).
SOURCES = {
    K.LEADERS_SUMMIT: {"leaders": 1},
    K.KEYNOTE: {"leaders": 3, "new": 2, "delegates": 1},
    K.PLENARY: {"leaders": 3, "new": 2, "delegates": 1},
    K.PANEL: {"delegates": 3, "new": 3, "leaders": 1},
    K.WORKSHOP: {"delegates": 3, "new": 3},
    K.NETWORKING: {"delegates": 1, "new": 1},
    "invitation": {"leaders": 3, "delegates": 1, "new": 1},
}
MODERATORS = {
    K.LEADERS_SUMMIT: {"journalists": 2, "leaders": 1},
    K.PLENARY: {"journalists": 5, "new": 1},
    K.PANEL: {"journalists": 2, "new": 2, "delegates": 2},
    K.WORKSHOP: {"new": 1, "delegates": 1},
    K.NETWORKING: {"new": 1, "delegates": 1},
    "invitation": {"journalists": 1, "leaders": 1, "new": 1},
}
MOST_SESSIONS = {"leaders": 3, "journalists": 4, "delegates": 3, "new": 4}
# Which leaders speak: heads of state and UN agencies first, ambassadors seldom.
LEADER_WEIGHTS = {
    "vvip": 12, "un": 8, "min": 4, "reg": 3, "ceo": 3, "dmin": 1, "amb": 0.5,
}  # fmt: skip

NEW_TITLES = (
    ("Chief Technology Officer", JobFunction.TECHNICAL),
    ("Founder and CEO", JobFunction.EXECUTIVE),
    ("Professor of Telecommunications", JobFunction.RESEARCH_ACADEMIA),
    ("Head of Research", JobFunction.RESEARCH_ACADEMIA),
    ("Director of Strategy", JobFunction.EXECUTIVE),
    ("Senior Policy Adviser", JobFunction.GOVERNMENT_POLICY),
    ("Programme Director", JobFunction.OTHER),
    ("Chief Information Security Officer", JobFunction.TECHNICAL),
    ("Head of Innovation", JobFunction.EXECUTIVE),
    ("Managing Partner", JobFunction.INVESTOR),
    ("Lead Economist", JobFunction.RESEARCH_ACADEMIA),
    ("Vice President, Public Policy", JobFunction.GOVERNMENT_POLICY),
)
NEW_ORG_FORMS = (
    "Institute", "Foundation", "Research Centre", "Capital", "Labs", "Networks", "Digital",
    "Telecom", "Consulting", "Ventures", "Systems", "University",
)  # fmt: skip
SECTOR_OF_FORM = {
    "Institute": "academia", "Research Centre": "academia", "University": "academia",
    "Foundation": "other", "Capital": "other", "Ventures": "startup_sme", "Labs": "startup_sme",
    "Networks": "operator", "Telecom": "operator", "Digital": "software_services",
    "Consulting": "software_services", "Systems": "equipment_vendor",
}  # fmt: skip
BIOS = (
    "{name} is {title} at {org}, in {country}. Works on {a} and {b}.",
    "{name}, {title} at {org} ({country}), has spent more than {years} years on {a}, most "
    "recently leading work on {b}.",
    "{name} is {title} at {org} ({country}) and writes and speaks regularly on {a}.",
)

SCORES = {  # weights of 1..5 by how well the session went
    "good": (1, 2, 9, 38, 50), "fair": (2, 6, 20, 45, 27), "poor": (6, 14, 32, 33, 15),
}  # fmt: skip
COMMENTS = {
    5: ("Excellent panel, very practical.", "The best session of the day.",
        "Great speakers and a real debate.", "Very useful examples from the field.",
        "Inspiring - thank you!"),
    4: ("Good session, a bit short for the questions.", "Useful overview of the market.",
        "Interesting speakers, well moderated.", "Good, though the room was crowded."),
    3: ("Some good points, some sales pitches.", "Too many speakers for the time.",
        "Interesting topic, but little that was new."),
    2: ("Started late and ran over.", "Mostly presentations, no discussion."),
    1: ("Not what the description promised.",),
}  # fmt: skip


# --- what the other demos left --------------------------------------------------------------


@dataclass
class PoolPerson:
    """Someone the other demos made who may speak, reserve or attend."""

    email: str
    person_id: int
    full_name: str
    job_title: str
    organisation: str
    country: str | None
    job_function: str | None
    registration_id: int
    category: RegistrationCategory
    confirmed_at: datetime
    valid_from: date
    valid_until: date
    forum_access: bool
    leaders_pass: bool = False
    protocol_category: str | None = None
    arrivals: dict[date, datetime] = field(default_factory=dict)  # first gate entry per day


@dataclass
class Pool:
    delegates: list[PoolPerson]  # confirmed forum delegates (forum access)
    leaders: list[PoolPerson]  # confirmed VIPs
    journalists: list[PoolPerson]  # confirmed media


def read_pool(edition: Edition) -> Pool:
    """Confirmed forum delegates, VIPs and journalists with their gate entries, in e-mail
    order; nothing this loader adds (speaker badges and their entries) is read."""
    wanted = (
        RegistrationCategory.FORUM_DELEGATE, RegistrationCategory.VIP, RegistrationCategory.MEDIA,
    )  # fmt: skip
    rows = db.session.execute(
        select(
            Registration.id, Registration.category, Registration.confirmed_at,
            Registration.valid_from, Registration.valid_until, Registration.forum_access,
            Registration.protocol_category, Person.id, Person.email, Person.full_name,
            Person.job_title, Person.organisation_name, Person.country, Person.job_function,
            PassType.name,
        )
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(PassType, PassType.id == Registration.pass_type_id)
        .where(
            Registration.edition_id == edition.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.category.in_(wanted),
            Registration.confirmed_at.is_not(None),
        )
        .order_by(Person.email, Registration.category)
    ).all()  # fmt: skip
    arrivals: dict[int, dict[date, datetime]] = defaultdict(dict)
    for person_id, day, moment in db.session.execute(
        select(CheckIn.person_id, CheckIn.day, CheckIn.scanned_at).where(
            CheckIn.edition_id == edition.id,
            CheckIn.point == CheckInPoint.GATE,
            CheckIn.category != RegistrationCategory.SPEAKER,
        )
    ):
        known = arrivals[person_id].get(day)
        if known is None or moment < known:
            arrivals[person_id][day] = moment
    pool = Pool([], [], [])
    for row in rows:
        (reg_id, category, confirmed_at, valid_from, valid_until, forum_access, protocol,
         person_id, email, full_name, job_title, organisation, country, job_function,
         pass_name) = row  # fmt: skip
        person = PoolPerson(
            email=email, person_id=person_id, full_name=full_name, job_title=job_title or "",
            organisation=organisation or "", country=country,
            job_function=str(job_function) if job_function else None, registration_id=reg_id,
            category=RegistrationCategory(category), confirmed_at=confirmed_at,
            valid_from=valid_from or edition.start_date,
            valid_until=valid_until or edition.end_date, forum_access=forum_access,
            leaders_pass=pass_name == LEADERS_PASS, protocol_category=protocol,
            arrivals=dict(arrivals.get(person_id, {})),
        )  # fmt: skip
        if category == RegistrationCategory.FORUM_DELEGATE and forum_access:
            pool.delegates.append(person)
        elif category == RegistrationCategory.VIP:
            pool.leaders.append(person)
        elif category == RegistrationCategory.MEDIA:
            pool.journalists.append(person)
    return pool


# --- the plan -------------------------------------------------------------------------------


@dataclass
class SpeakerPlan:
    email: str
    source: str  # leaders, journalists, delegates or new
    full_name: str
    job_title: str
    organisation: str
    country: str | None
    bio: str
    status: SpeakerStatus
    invited_at: datetime
    track: str  # the track they know best
    token_version: int = 1
    confirmed_at: datetime | None = None
    updated_at: datetime | None = None
    job_function: str | None = None  # for a new person
    sector: str | None = None  # for a new person
    must_arrive: bool = False  # speaks only on days they already came through the gate
    arrivals: dict[date, datetime] = field(default_factory=dict)  # existing gate entries
    added_arrivals: dict[date, datetime] = field(default_factory=dict)  # with the speaker badge
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    sessions: int = 0  # not cancelled

    @property
    def confirmed(self) -> bool:
        return self.status == SpeakerStatus.CONFIRMED


@dataclass
class ReservationPlan:
    email: str
    status: ReservationStatus
    created_at: datetime
    waiting_since: datetime | None = None
    confirmed_at: datetime | None = None
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        moments = (self.created_at, self.confirmed_at, self.promoted_at, self.cancelled_at)
        return max(m for m in moments if m is not None)


@dataclass
class SessionPlan:
    title: str
    description: str
    kind: SessionKind
    access: SessionAccess
    room: str
    track: str
    day: date
    starts_at: datetime
    ends_at: datetime
    capacity: int | None  # None: the room's
    seats: int  # the capacity that applies
    popularity: float
    roundtable: bool = False  # an invitation-only roundtable
    cancelled_at: datetime | None = None
    speakers: list[tuple[str, SpeakerRole]] = field(default_factory=list)
    invitees: list[str] = field(default_factory=list)
    reservations: list[ReservationPlan] = field(default_factory=list)
    check_ins: list[tuple[str, datetime]] = field(default_factory=list)
    ratings: list[tuple[str, int, str, datetime]] = field(default_factory=list)

    @property
    def line_up_key(self) -> SessionKind | str:
        return "invitation" if self.roundtable else self.kind

    @property
    def seats_taken(self) -> int:
        return sum(r.status == R.CONFIRMED for r in self.reservations)


@dataclass
class ForumPlan:
    published_at: datetime
    speakers: list[SpeakerPlan]
    sessions: list[SessionPlan]


def _local(edition: Edition, day: date, at: time) -> datetime:
    return datetime.combine(day, at, edition.tz).astimezone(UTC)


def _between(rng: random.Random, first: datetime, last: datetime) -> datetime:
    if last <= first:
        return first.replace(microsecond=0)
    return (first + (last - first) * rng.random()).replace(microsecond=0)


def _overlaps(busy: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in busy)


def _weighted_order(rng: random.Random, items: list, weights: list[float]) -> list:  # type: ignore[type-arg]
    """All items with a positive weight, heavier ones likelier first (without replacement)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _key, i in keyed]


def _bio(rng: random.Random, name: str, title: str, org: str, country: str | None,
         track: str) -> str:  # fmt: skip
    a, b = rng.sample(TOPICS[track], 2)
    return (
        rng.choice(BIOS)
        .format(
            name=name,
            title=title,
            org=org,
            country=english_name(country) if country else "",
            a=a,
            b=b,
            years=rng.randrange(8, 26),
        )
        .replace(" ()", "")
        .replace(", in .", ".")
    )


def _plan_speakers(
    spec: ForumDemoSpec, edition: Edition, pool: Pool, rng: random.Random
) -> list[SpeakerPlan]:
    tracks = [name for name, _d, _c in spec.tracks]
    topical = [name for name in tracks if name != "Leadership"]
    start = edition.day_starts_at(edition.start_date).astimezone(UTC)
    published = _published(spec, edition)
    latest = max(e for slots in spec.room_slots for _s, e in slots)
    days = _days(edition.start_date, edition.end_date)

    def fits(person: PoolPerson, must_arrive: bool) -> bool:
        """Somewhere in the programme they could speak: a day they came early enough, or
        (unless they must have come) a day they did not come at all."""
        for day in days:
            arrival = person.arrivals.get(day)
            if arrival is None and not must_arrive:
                return True
            if arrival is not None and arrival <= _local(edition, day, latest) - timedelta(hours=3):
                return True
        return False

    def dates(plan: SpeakerPlan, status: SpeakerStatus) -> None:
        plan.invited_at = _between(rng, start - timedelta(days=150), start - timedelta(days=60))
        if status == SpeakerStatus.CONFIRMED:
            answered = plan.invited_at + timedelta(days=rng.randrange(1, 25), hours=rng.random())
            plan.confirmed_at = min(answered, published - timedelta(days=2)).replace(microsecond=0)
            plan.updated_at = plan.confirmed_at
        elif status == SpeakerStatus.INVITED:
            plan.updated_at = plan.invited_at
        else:
            plan.updated_at = (plan.invited_at + timedelta(days=rng.randrange(2, 30))).replace(
                microsecond=0
            )

    speakers: list[SpeakerPlan] = []
    chosen: dict[str, list[PoolPerson]] = {}
    leaders = [p for p in pool.leaders if fits(p, True)]
    weights = [LEADER_WEIGHTS.get(p.protocol_category or "", 1.0) for p in leaders]
    chosen["leaders"] = _weighted_order(rng, leaders, weights)[: spec.reuse["leaders"]]
    journalists = [p for p in pool.journalists if fits(p, False)]
    chosen["journalists"] = rng.sample(journalists, min(len(journalists),
                                                        spec.reuse["journalists"]))  # fmt: skip
    speaking_jobs = {
        JobFunction.EXECUTIVE.value: 4, JobFunction.TECHNICAL.value: 2,
        JobFunction.GOVERNMENT_POLICY.value: 3, JobFunction.RESEARCH_ACADEMIA.value: 3,
        JobFunction.INVESTOR.value: 2, JobFunction.SALES_MARKETING.value: 1,
    }  # fmt: skip
    delegates = [p for p in pool.delegates if fits(p, False)]
    weights = [speaking_jobs.get(p.job_function or "", 0) for p in delegates]
    chosen["delegates"] = _weighted_order(rng, delegates, weights)[: spec.reuse["delegates"]]
    for source, people in chosen.items():
        for person in people:
            if source == "leaders":
                track = "Leadership" if rng.random() < 0.5 else rng.choice(topical)
                # A minister's ministry is in the title already.
                where = "" if person.organisation.startswith("Ministry") else (
                    f", {person.organisation}")  # fmt: skip
                bio = (f"{person.full_name} is {person.job_title}{where}, and speaks on "
                       f"{rng.choice(TOPICS[track])}.")  # fmt: skip
            elif source == "journalists":
                track = rng.choice(topical)
                bio = (f"{person.full_name} is {person.job_title} at {person.organisation} and "
                       "covers technology and telecommunications.")  # fmt: skip
            else:
                track = rng.choice(topical)
                bio = _bio(rng, person.full_name, person.job_title, person.organisation,
                           person.country, track)  # fmt: skip
            plan = SpeakerPlan(
                email=person.email, source=source, full_name=person.full_name,
                job_title=person.job_title, organisation=person.organisation,
                country=person.country, bio=bio, status=SpeakerStatus.CONFIRMED,
                invited_at=start, track=track, must_arrive=source == "leaders",
                arrivals=dict(person.arrivals),
            )  # fmt: skip
            dates(plan, SpeakerStatus.CONFIRMED)
            speakers.append(plan)

    # New people: the confirmed ones that are still missing, and those who never spoke.
    countries = PARTICIPANT_SPECS[spec.slug].countries if spec.slug in PARTICIPANT_SPECS else (
        (edition.country, 1),
    )  # fmt: skip
    codes = [code for code, _w in countries]
    flat = [w**0.5 for _code, w in countries]
    statuses = [SpeakerStatus.CONFIRMED] * (spec.confirmed_speakers - len(speakers))
    statuses += [SpeakerStatus.DECLINED] * spec.declined
    statuses += [SpeakerStatus.WITHDRAWN] * spec.withdrawn
    statuses += [SpeakerStatus.INVITED] * spec.unanswered
    rng.shuffle(statuses)
    for number, status in enumerate(statuses, start=1):
        country = rng.choices(codes, weights=flat)[0]
        given, family = NAMES[REGION_OF.get(country, "en")]
        first, last = rng.choice(given), rng.choice(family)
        title, job_function = rng.choice(NEW_TITLES)
        form = rng.choice(NEW_ORG_FORMS)
        organisation = f"{rng.choice(ORG_STEMS)} {form}"
        track = rng.choice(topical)
        name = f"{first} {last}"
        plan = SpeakerPlan(
            email=f"{_ascii(first)}.{_ascii(last)}.{number:03d}@{country.lower()}."
            f"{spec.mail_domain}",
            source="new", full_name=name, job_title=title, organisation=organisation,
            country=country, bio=_bio(rng, name, title, organisation, country, track),
            status=status, invited_at=start, track=track,
            token_version=2 if status == SpeakerStatus.WITHDRAWN else 1,
            job_function=job_function.value, sector=SECTOR_OF_FORM[form],
        )  # fmt: skip
        dates(plan, status)
        speakers.append(plan)
    return speakers


def _published(spec: ForumDemoSpec, edition: Edition) -> datetime:
    day = edition.start_date - timedelta(days=spec.published_days_before)
    return _local(edition, day, time(10))


def _title(
    rng: random.Random, key: SessionKind | str, track: str, used: set[str]
) -> tuple[str, str]:
    """A title not used yet in the edition, and the topic it is about."""
    for _attempt in range(200):
        topic = rng.choice(TOPICS[track])
        title = rng.choice(TITLES[key]).format(s=topic, S=topic[0].upper() + topic[1:])
        if title not in used:
            used.add(title)
            return title, topic
    raise AssertionError(f"no fresh title left for {track}")


def _plan_sessions(spec: ForumDemoSpec, edition: Edition, rng: random.Random) -> list[SessionPlan]:
    days = _days(edition.start_date, edition.end_date)
    tracks = [name for name, _d, _c in spec.tracks]
    topical = [name for name in tracks if name != "Leadership"]
    hall, hall_capacity, _location = spec.rooms[0]
    used: set[str] = set()
    sessions: list[SessionPlan] = []

    for entry in spec.hall_programme:
        day = days[entry.day]
        track = entry.track or rng.choice(topical)
        if entry.title:
            title, topic = entry.title, rng.choice(TOPICS[track])
            used.add(title)
        else:
            title, topic = _title(rng, entry.kind, track, used)
        description = HALL_DESCRIPTIONS.get(title) or rng.choice(DESCRIPTIONS[entry.kind])
        sessions.append(SessionPlan(
            title=title, description=description.format(s=topic), kind=entry.kind,
            access=entry.access, room=hall, track=track, day=day,
            starts_at=_local(edition, day, entry.start), ends_at=_local(edition, day, entry.end),
            capacity=entry.capacity, seats=entry.capacity or hall_capacity,
            popularity=3.0 if entry.kind in (K.KEYNOTE, K.PLENARY) else 1.0,
        ))  # fmt: skip

    cells = [
        (day_index, slot, room)
        for day_index, slots in enumerate(spec.room_slots)
        for slot in slots
        for room in spec.rooms[1:]
    ]
    # The invitation-only roundtables: in the middle days, in rooms of a fitting size.
    fitting = [c for c in cells if 40 <= c[2][1] <= 150 and 0 < c[0] < len(days) - 1]
    roundtables = set(rng.sample(range(len(fitting)), spec.invitation_sessions))
    roundtable_cells = {fitting[i] for i in roundtables}
    kinds, kind_weights = list(ROOM_KINDS), list(ROOM_KINDS.values())
    for cell in cells:
        day_index, (first, last), (room, room_capacity, _location) = cell
        day = days[day_index]
        roundtable = cell in roundtable_cells
        if not roundtable and rng.random() >= spec.room_fill:
            continue
        kind = K.PANEL if roundtable else rng.choices(kinds, weights=kind_weights)[0]
        if kind == K.WORKSHOP and room_capacity > 200:
            kind = K.PANEL  # a small hands-on group does not go to a large room
        track = rng.choice(topical) if rng.random() < 0.95 else "Leadership"
        key: SessionKind | str = "invitation" if roundtable else kind
        title, topic = _title(rng, key, track, used)
        starts_at, ends_at = _local(edition, day, first), _local(edition, day, last)
        if kind == K.NETWORKING:
            ends_at = starts_at + timedelta(minutes=60)
        elif kind == K.PANEL and rng.random() < 0.3:
            ends_at = starts_at + timedelta(minutes=75)
        capacity: int | None = None
        if roundtable:
            capacity = min(room_capacity, rng.choice((40, 50, 60)))
        elif kind == K.WORKSHOP:
            capacity = min(room_capacity, rng.choice((20, 24, 30)))
        # Hands-on workshops are small and sought after: some fill up and keep a waiting list.
        popularity = rng.lognormvariate(0, 0.8) * (2.2 if kind == K.WORKSHOP else 1.0)
        sessions.append(SessionPlan(
            title=title, description=rng.choice(DESCRIPTIONS[key]).format(s=topic), kind=kind,
            access=A.INVITATION if roundtable else A.FORUM_PASS, room=room, track=track,
            day=day, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
            seats=capacity or room_capacity, popularity=popularity, roundtable=roundtable,
        ))  # fmt: skip

    # A few sessions were cancelled after publication (their seats with them).
    published = _published(spec, edition)
    candidates = [s for s in sessions if s.kind in (K.PANEL, K.WORKSHOP) and not s.roundtable]
    for session in rng.sample(candidates, spec.cancelled_sessions):
        session.cancelled_at = published + timedelta(days=rng.randrange(5, 25), hours=3)
    sessions.sort(key=lambda s: (s.starts_at, [r[0] for r in spec.rooms].index(s.room)))
    return sessions


def _may_speak(speaker: SpeakerPlan, session: SessionPlan) -> bool:
    if _overlaps(speaker.busy, session.starts_at, session.ends_at):
        return False
    arrival = speaker.arrivals.get(session.day)
    if arrival is None:
        return not speaker.must_arrive
    return arrival <= session.starts_at - timedelta(minutes=10)


def _assign_speakers(
    sessions: list[SessionPlan], speakers: list[SpeakerPlan], rng: random.Random
) -> None:
    """Fill every session's line-up; every confirmed speaker speaks at least once."""
    confirmed = [s for s in speakers if s.confirmed]
    by_source: dict[str, list[SpeakerPlan]] = defaultdict(list)
    for speaker in confirmed:
        by_source[speaker.source].append(speaker)
    order = {K.LEADERS_SUMMIT: 0, K.KEYNOTE: 1, K.PLENARY: 1}
    queue = sorted(
        sessions,
        key=lambda s: (
            s.cancelled_at is not None,
            order.get(s.kind, 3 if not s.roundtable else 2),
            rng.random(),
        ),
    )

    def pick(session: SessionPlan, sources: dict[str, int], count: int,
             taken: set[str]) -> list[SpeakerPlan]:  # fmt: skip
        pool = [sp for source in sources for sp in by_source.get(source, [])]
        weights = []
        for sp in pool:
            if sp.email in taken or sp.sessions >= MOST_SESSIONS[sp.source]:
                weights.append(0.0)
                continue
            if session.cancelled_at is not None and sp.sessions == 0:
                weights.append(0.0)  # a cancelled session's speakers speak elsewhere too
                continue
            if not _may_speak(sp, session):
                weights.append(0.0)
                continue
            weight = float(sources[sp.source])
            weight *= 3 if sp.track == session.track else 1
            weight *= 8 if sp.sessions == 0 else 1
            weights.append(weight)
        return _weighted_order(rng, pool, weights)[:count]

    for session in queue:
        moderated, fewest, most = LINE_UP[session.line_up_key]
        taken: set[str] = set()
        line_up: list[tuple[SpeakerPlan, SpeakerRole]] = []
        if moderated and session.line_up_key in MODERATORS:
            for sp in pick(session, MODERATORS[session.line_up_key], 1, taken):
                line_up.append((sp, SpeakerRole.MODERATOR))
                taken.add(sp.email)
        wanted = rng.randint(fewest, most)
        for sp in pick(session, SOURCES[session.line_up_key], wanted, taken):
            line_up.append((sp, SpeakerRole.SPEAKER))
            taken.add(sp.email)
        for sp, role in line_up:
            _book(sp, session, role)

    # Whoever has not spoken yet joins a panel, workshop or plenary they can make.
    open_sessions = [
        s for s in sessions
        if s.cancelled_at is None and s.kind in (K.PANEL, K.WORKSHOP, K.PLENARY)
        and (not s.roundtable)
    ]  # fmt: skip
    for sp in confirmed:
        if sp.sessions:
            continue
        fitting = [s for s in open_sessions if _may_speak(sp, s) and len(s.speakers) < 8]
        assert fitting, f"no session for speaker {sp.email}"
        fitting.sort(key=lambda s: (len(s.speakers), s.track != sp.track, rng.random()))
        _book(sp, fitting[0], SpeakerRole.SPEAKER)


def _book(speaker: SpeakerPlan, session: SessionPlan, role: SpeakerRole) -> None:
    session.speakers.append((speaker.email, role))
    speaker.busy.append((session.starts_at, session.ends_at))
    if session.cancelled_at is None:
        speaker.sessions += 1


def _speaker_arrivals(
    edition: Edition, spec: ForumDemoSpec, sessions: list[SessionPlan],
    speakers: dict[str, SpeakerPlan], rng: random.Random,
) -> None:  # fmt: skip
    """A speaker who had not come through the gate on a day they speak does so, with the
    speaker badge, before their first session that day (within opening hours)."""
    opening = PARTICIPANT_SPECS[spec.slug].opening[0] if spec.slug in PARTICIPANT_SPECS else 9
    first: dict[tuple[str, date], datetime] = {}
    for session in sessions:
        if session.cancelled_at is not None:
            continue
        for email, _role in session.speakers:
            key = (email, session.day)
            if key not in first or session.starts_at < first[key]:
                first[key] = session.starts_at
    for (email, day), starts_at in sorted(first.items()):
        speaker = speakers[email]
        if day in speaker.arrivals:
            continue
        doors = _local(edition, day, time(opening))
        earliest = max(doors, starts_at - timedelta(minutes=50))
        speaker.added_arrivals[day] = _between(rng, earliest, starts_at - timedelta(minutes=10))


def _plan_invitees(sessions: list[SessionPlan], pool: Pool, rng: random.Random) -> None:
    """Roundtables invite leaders and delegates on the Leaders' pass."""
    guests = sorted(
        [p.email for p in pool.leaders] + [p.email for p in pool.delegates if p.leaders_pass]
    )
    for session in sessions:
        if session.access != A.INVITATION:
            continue
        speaking = {email for email, _role in session.speakers}
        candidates = [e for e in guests if e not in speaking]
        count = min(len(candidates), int(session.seats * rng.uniform(0.8, 1.3)))
        session.invitees = sorted(rng.sample(candidates, count))


@dataclass
class Attendee:
    """Someone with forum access: a forum delegate, a speaker, or both."""

    email: str
    vip: bool  # holds a VIP registration (the Leaders' Summit is for them)
    registered_at: datetime  # when their forum access was confirmed
    valid_from: date
    valid_until: date
    arrivals: dict[date, datetime]
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    delegate: bool = False  # reserves as a forum delegate


def _attendees(pool: Pool, speakers: list[SpeakerPlan], edition: Edition) -> dict[str, Attendee]:
    people: dict[str, Attendee] = {}
    vips = {p.email for p in pool.leaders}
    for p in pool.delegates:
        people[p.email] = Attendee(
            p.email, False, p.confirmed_at, p.valid_from, p.valid_until, dict(p.arrivals),
            delegate=True,
        )  # fmt: skip
    for sp in speakers:
        if not sp.confirmed:
            continue
        assert sp.confirmed_at is not None
        arrivals = {**sp.added_arrivals, **sp.arrivals}
        known = people.get(sp.email)
        if known is None:
            people[sp.email] = Attendee(
                sp.email, sp.email in vips, sp.confirmed_at, edition.start_date, edition.end_date,
                arrivals, busy=list(sp.busy),
            )  # fmt: skip
        else:
            known.arrivals = {**arrivals, **known.arrivals}
            known.busy = list(sp.busy)
            known.vip = known.vip or sp.email in vips
    return people


def _allowed(person: Attendee, session: SessionPlan, invitees: set[str]) -> bool:
    if not person.valid_from <= session.day <= person.valid_until:
        return False
    if session.access == A.VIP:
        return person.vip
    if session.access == A.INVITATION:
        return person.email in invitees
    return True


def _in_time(person: Attendee, session: SessionPlan) -> bool:
    arrival = person.arrivals.get(session.day)
    return arrival is not None and arrival <= session.starts_at + timedelta(minutes=10)


def _plan_reservations(
    spec: ForumDemoSpec, published: datetime, sessions: list[SessionPlan],
    people: dict[str, Attendee], rng: random.Random,
) -> None:  # fmt: skip
    invitees = {id(s): set(s.invitees) for s in sessions}
    speaking = {id(s): {e for e, _r in s.speakers} for s in sessions}
    requests: dict[int, list[tuple[datetime, str, datetime | None]]] = defaultdict(list)
    by_id = {id(s): s for s in sessions}
    for person in sorted(people.values(), key=lambda p: p.email):
        if person.delegate:
            if rng.random() >= spec.reservation_share:
                continue
            # Mostly sessions on days they came, at times they could make; some they missed.
            wanted, missed = rng.randint(2, 7), int(rng.random() < 0.35)
        elif person.vip:
            wanted, missed = rng.randint(0, 2), 0  # leaders with a speaker badge, the Summit
        else:
            continue
        options = [
            s for s in sessions
            if _allowed(person, s, invitees[id(s)]) and person.email not in speaking[id(s)]
            and (s.access == A.VIP) == (not person.delegate)
        ]  # fmt: skip
        held: list[tuple[datetime, datetime]] = list(person.busy)
        for in_time, count in ((True, wanted), (False, missed)):
            choice = [s for s in options if _in_time(person, s) == in_time]
            weights = [s.popularity * (4 if s.access == A.INVITATION else 1) for s in choice]
            for session in _weighted_order(rng, choice, weights):
                if count == 0:
                    break
                if _overlaps(held, session.starts_at, session.ends_at):
                    continue
                first = max(published, person.registered_at)
                last = (session.cancelled_at or session.starts_at) - timedelta(hours=2)
                if last <= first:
                    continue
                at = _between(rng, first, last)
                cancel = _between(rng, at, last) if rng.random() < 0.06 else None
                requests[id(session)].append((at, person.email, cancel))
                held.append((session.starts_at, session.ends_at))
                count -= 1
    for key, asked in requests.items():
        session = by_id[key]
        session.reservations = _simulate(session, asked)


def _simulate(
    session: SessionPlan, asked: list[tuple[datetime, str, datetime | None]]
) -> list[ReservationPlan]:
    """Requests and cancellations in time order: a seat while any is free, else the waiting
    list; a freed seat goes to the first waiting. A cancelled session cancels them all."""
    events = [(at, 0, email) for at, email, _c in asked]
    events += [(cancel, 1, email) for _at, email, cancel in asked if cancel is not None]
    events.sort()
    plans: dict[str, ReservationPlan] = {}
    seated: set[str] = set()
    waiting: list[str] = []
    for at, is_cancel, email in events:
        if not is_cancel:
            plan = ReservationPlan(email, R.WAITING, created_at=at)
            plans[email] = plan
            if len(seated) < session.seats:
                plan.status, plan.confirmed_at = R.CONFIRMED, at
                seated.add(email)
            else:
                plan.waiting_since = at
                waiting.append(email)
            continue
        plan = plans[email]
        if plan.status == R.CONFIRMED:
            seated.discard(email)
            if waiting:
                promoted = plans[waiting.pop(0)]
                promoted.status, promoted.confirmed_at, promoted.promoted_at = R.CONFIRMED, at, at
                seated.add(promoted.email)
        elif plan.status == R.WAITING:
            waiting.remove(email)
        plan.status, plan.cancelled_at = R.CANCELLED, at
    if session.cancelled_at is not None:
        for plan in plans.values():
            if plan.status != R.CANCELLED:
                plan.status, plan.cancelled_at = R.CANCELLED, session.cancelled_at
    return sorted(plans.values(), key=lambda p: p.created_at)


def _admit(
    session: SessionPlan, scanned: dict[str, datetime], invitees: set[str], person: Attendee,
    rng: random.Random, *, own: bool = False,
) -> None:  # fmt: skip
    """Scan `person` in at the door unless the session is full, they have not come through
    the gate in time that day, or (not being one of its speakers) may not enter or are
    elsewhere at that time."""
    if len(scanned) >= session.seats or person.email in scanned:
        return
    if not _in_time(person, session):
        return
    arrival = person.arrivals[session.day]
    if not own and (
        not _allowed(person, session, invitees)
        or _overlaps(person.busy, session.starts_at, session.ends_at)
    ):
        return
    early = session.starts_at - timedelta(minutes=rng.randrange(0, 16))
    at = max(early, arrival + timedelta(minutes=rng.randrange(2, 9)))
    scanned[person.email] = at.replace(microsecond=0)
    if not own:
        person.busy.append((session.starts_at, session.ends_at))


def _plan_attendance(
    spec: ForumDemoSpec, sessions: list[SessionPlan], people: dict[str, Attendee],
    rng: random.Random,
) -> None:  # fmt: skip
    """Door scans: first every session's speakers and most of its seat holders who came
    through the gate in time, then walk-ins, in programme order; never more than the
    seats; nobody in two rooms at once."""
    everyone = sorted(people.values(), key=lambda p: p.email)
    held = [s for s in sessions if s.cancelled_at is None]
    scans: dict[int, dict[str, datetime]] = {id(s): {} for s in held}
    # Seats are kept for their holders: nobody walks into another room at that time first.
    for session in held:
        invitees = set(session.invitees)
        scanned = scans[id(session)]
        for email in sorted({email for email, _role in session.speakers}):
            if rng.random() < 0.9:
                _admit(session, scanned, invitees, people[email], rng, own=True)
        for reservation in session.reservations:
            if reservation.status == R.CONFIRMED and rng.random() < spec.show_share:
                _admit(session, scanned, invitees, people[reservation.email], rng)
    quality = {"good": 35, "fair": 50, "poor": 15}
    for session in held:
        invitees = set(session.invitees)
        scanned = scans[id(session)]
        speaking = {email for email, _role in session.speakers}
        present = [
            p for p in everyone
            if session.day in p.arrivals and p.email not in scanned and p.email not in speaking
        ]  # fmt: skip
        walk_ins = int(len(present) * spec.walk_in_rate * session.popularity * rng.random() * 2)
        for person in rng.sample(present, min(len(present), walk_ins * 2)):
            if walk_ins <= 0:
                break
            before = len(scanned)
            _admit(session, scanned, invitees, person, rng)
            walk_ins -= len(scanned) - before
        session.check_ins = sorted(scanned.items(), key=lambda item: (item[1], item[0]))

        # Ratings, after the session, by attendees who did not speak in it.
        level = rng.choices(list(quality), weights=list(quality.values()))[0]
        for email, _at in session.check_ins:
            if email in speaking or rng.random() >= spec.rating_share:
                continue
            score = rng.choices((1, 2, 3, 4, 5), weights=SCORES[level])[0]
            comment = rng.choice(COMMENTS[score]) if rng.random() < 0.3 else ""
            at = session.ends_at + timedelta(minutes=rng.randrange(5, 72 * 60))
            session.ratings.append((email, score, comment, at))


def plan_forum(spec: ForumDemoSpec, edition: Edition, pool: Pool) -> ForumPlan:
    """The edition's whole forum, from the seed and what the other demos left."""
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    speakers = _plan_speakers(spec, edition, pool, rng)
    sessions = _plan_sessions(spec, edition, rng)
    _assign_speakers(sessions, speakers, rng)
    by_email = {sp.email: sp for sp in speakers}
    _speaker_arrivals(edition, spec, sessions, by_email, rng)
    _plan_invitees(sessions, pool, rng)
    people = _attendees(pool, speakers, edition)
    published = _published(spec, edition)
    _plan_reservations(spec, published, sessions, people, rng)
    _plan_attendance(spec, sessions, people, rng)
    return ForumPlan(published, speakers, sessions)


# --- loading -------------------------------------------------------------------------------


def _by_name(model: type, edition: Edition) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(model.name, model.id).where(model.edition_id == edition.id)  # type: ignore[attr-defined]
        ).all()
    )


def _load_frame(
    edition: Edition, spec: ForumDemoSpec, plan: ForumPlan, created: Counter
) -> tuple[dict[str, int], dict[str, int]]:
    """Settings, rooms and tracks; returns the rooms' and tracks' ids by name."""
    opened = plan.published_at - timedelta(days=60)
    if (
        db.session.scalar(select(ForumSettings).where(ForumSettings.edition_id == edition.id))
        is None
    ):
        db.session.add(ForumSettings(
            edition_id=edition.id, published_at=plan.published_at, created_at=opened,
            updated_at=plan.published_at,
        ))  # fmt: skip
        created["forum_settings"] += 1
    rooms = _by_name(ForumRoom, edition)
    rows = [
        {"edition_id": edition.id, "name": name, "capacity": capacity, "location": location,
         "position": position, "created_at": opened, "updated_at": opened}
        for position, (name, capacity, location) in enumerate(spec.rooms)
        if name not in rooms
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(ForumRoom), rows)
        created["forum_rooms"] += len(rows)
        rooms = _by_name(ForumRoom, edition)
    tracks = _by_name(Track, edition)
    rows = [
        {"edition_id": edition.id, "name": name, "description": description, "colour": colour,
         "created_at": opened, "updated_at": opened}
        for name, description, colour in spec.tracks
        if name not in tracks
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(Track), rows)
        created["forum_tracks"] += len(rows)
        tracks = _by_name(Track, edition)
    return rooms, tracks


def _load_speakers(
    edition: Edition, spec: ForumDemoSpec, plan: ForumPlan, created: Counter
) -> tuple[dict[str, int], dict[str, int], dict[int, int]]:
    """New people, speaker badges and speakers; returns person ids by e-mail, speaker ids
    by e-mail and speaker registration ids by person id."""
    confirmed = [sp for sp in plan.speakers if sp.confirmed]
    emails = [sp.email for sp in confirmed]

    def people_ids() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(Person.email, Person.id).where(Person.email.in_(emails))
            ).all()
        )

    people = people_ids()
    rows = [
        {
            "email": sp.email, "full_name": sp.full_name, "organisation_name": sp.organisation,
            "job_title": sp.job_title, "country": sp.country, "job_function": sp.job_function,
            "sector": sp.sector, "accessibility_needs": "", "locale": None,
            "consent_at": sp.confirmed_at, "created_at": sp.confirmed_at,
            "updated_at": sp.confirmed_at,
        }
        for sp in confirmed
        if sp.email not in people and sp.source == "new"
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(Person), rows)
        created["people"] += len(rows)
        people = people_ids()

    existing = set(
        db.session.scalars(select(Speaker.email).where(Speaker.edition_id == edition.id))
    )
    new = [sp for sp in plan.speakers if sp.email not in existing]
    persons = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_([people[sp.email] for sp in new if sp.confirmed]))
        )
    }
    registration_ids: dict[str, int] = {}
    dated: list[dict] = []
    for sp in new:
        if not sp.confirmed:
            continue
        # Granted as the speaker's confirmation did, then dated back to it.
        registration = grant_registration(
            persons[people[sp.email]], edition, RegistrationCategory.SPEAKER, actor=None,
            forum_access=True,
        )  # fmt: skip
        registration_ids[sp.email] = registration.id
        dated.append({
            "id": registration.id, "created_at": sp.confirmed_at, "updated_at": sp.confirmed_at,
            "confirmed_at": sp.confirmed_at, "email_confirmed_at": sp.confirmed_at,
        })  # fmt: skip
        created["registrations"] += 1
    if dated:
        # One UPDATE for all: dating each row back through the ORM flushes per grant.
        db.session.execute(update(Registration), dated)
    if new:
        db.session.execute(insert(Speaker), [
            {
                "edition_id": edition.id, "email": sp.email, "full_name": sp.full_name,
                "job_title": sp.job_title, "organisation": sp.organisation,
                "country": sp.country, "bio": sp.bio if sp.confirmed else "", "photo_file": None,
                "status": sp.status, "token_version": sp.token_version,
                "invited_at": sp.invited_at, "confirmed_at": sp.confirmed_at,
                "person_id": people.get(sp.email) if sp.confirmed else None,
                "registration_id": registration_ids.get(sp.email),
                "created_at": sp.invited_at, "updated_at": sp.updated_at or sp.invited_at,
            }
            for sp in new
        ])  # fmt: skip
        created["speakers"] += len(new)
    speakers = dict(
        db.session.execute(
            select(Speaker.email, Speaker.id).where(Speaker.edition_id == edition.id)
        ).all()
    )
    badges = dict(
        db.session.execute(
            select(Registration.person_id, Registration.id).where(
                Registration.edition_id == edition.id,
                Registration.category == RegistrationCategory.SPEAKER,
            )
        ).all()
    )
    return people, speakers, badges


def load_forum_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's forum; return how many records were created."""
    created: Counter = Counter()
    spec = SPECS.get(edition.slug)
    if spec is None:
        return dict.fromkeys(COUNT_KEYS, 0)
    pool = read_pool(edition)
    plan = plan_forum(spec, edition, pool)
    rooms, tracks = _load_frame(edition, spec, plan, created)
    people, speakers, badges = _load_speakers(edition, spec, plan, created)
    delegates = {p.email: p for p in pool.delegates}
    people.update({p.email: p.person_id for p in (*pool.delegates, *pool.leaders)})

    # Sessions, by room and start.
    def session_ids() -> dict[tuple[int, datetime], int]:
        return {
            (room_id, starts_at): session_id
            for room_id, starts_at, session_id in db.session.execute(
                select(ForumSession.room_id, ForumSession.starts_at, ForumSession.id).where(
                    ForumSession.edition_id == edition.id
                )
            )
        }

    ids = session_ids()
    opened = plan.published_at - timedelta(days=20)
    rows = [
        {
            "edition_id": edition.id, "title": s.title, "description": s.description,
            "kind": s.kind, "room_id": rooms[s.room], "track_id": tracks[s.track],
            "starts_at": s.starts_at, "ends_at": s.ends_at, "capacity": s.capacity,
            "access": s.access, "seats_taken": s.seats_taken, "cancelled_at": s.cancelled_at,
            "created_at": opened, "updated_at": s.cancelled_at or opened,
        }
        for s in plan.sessions
        if (rooms[s.room], s.starts_at) not in ids
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(ForumSession), rows)
        created["forum_sessions"] += len(rows)
        ids = session_ids()
    planned = [(ids[(rooms[s.room], s.starts_at)], s) for s in plan.sessions]
    session_id_set = [session_id for session_id, _s in planned]

    def pairs(model: type, column: str) -> set[tuple[int, int]]:
        return set(
            db.session.execute(
                select(model.session_id, getattr(model, column)).where(  # type: ignore[attr-defined]
                    model.session_id.in_(session_id_set)  # type: ignore[attr-defined]
                )
            ).all()
        )

    known = pairs(SessionSpeaker, "speaker_id")
    rows = [
        {"session_id": session_id, "speaker_id": speakers[email], "role": role,
         "position": position}
        for session_id, s in planned
        for position, (email, role) in enumerate(
            sorted(s.speakers, key=lambda item: item[1] != SpeakerRole.MODERATOR)
        )
        if (session_id, speakers[email]) not in known
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(SessionSpeaker), rows)
        created["session_speakers"] += len(rows)

    known = pairs(SessionInvitee, "person_id")
    rows = [
        {"session_id": session_id, "person_id": people[email], "created_at": opened,
         "updated_at": opened}
        for session_id, s in planned
        for email in s.invitees
        if (session_id, people[email]) not in known
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(SessionInvitee), rows)
        created["session_invitees"] += len(rows)

    def forum_badge(email: str) -> tuple[int, RegistrationCategory]:
        """The registration that opens session doors: the forum pass, else the speaker's."""
        if email in delegates:
            return delegates[email].registration_id, RegistrationCategory.FORUM_DELEGATE
        return badges[people[email]], RegistrationCategory.SPEAKER

    known = pairs(SeatReservation, "person_id")
    rows = [
        {
            "session_id": session_id, "person_id": people[r.email],
            "registration_id": forum_badge(r.email)[0], "status": r.status,
            "waiting_since": r.waiting_since, "confirmed_at": r.confirmed_at,
            "promoted_at": r.promoted_at, "cancelled_at": r.cancelled_at,
            "created_at": r.created_at, "updated_at": r.updated_at,
        }
        for session_id, s in planned
        for r in s.reservations
        if (session_id, people[r.email]) not in known
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(SeatReservation), rows)
        created["seat_reservations"] += len(rows)

    # Check-ins: the speakers' gate entries, then the session doors.
    seen = set(
        db.session.execute(
            select(CheckIn.person_id, CheckIn.day, CheckIn.point, CheckIn.point_ref).where(
                CheckIn.edition_id == edition.id
            )
        ).all()
    )
    rows = []

    def check_in(email: str, registration: tuple[int, RegistrationCategory], moment: datetime,
                 point: CheckInPoint, ref: str) -> None:  # fmt: skip
        person_id = people[email]
        day = edition.local_date(moment)
        if (person_id, day, point, ref) in seen:
            return
        seen.add((person_id, day, point, ref))
        registration_id, category = registration
        rows.append({
            "edition_id": edition.id, "person_id": person_id, "registration_id": registration_id,
            "category": category, "day": day, "point": point, "point_ref": ref,
            "scanned_at": moment, "staff_id": None,
        })  # fmt: skip

    for sp in plan.speakers:
        for moment in sp.added_arrivals.values():
            badge = (badges[people[sp.email]], RegistrationCategory.SPEAKER)
            check_in(sp.email, badge, moment, CheckInPoint.GATE, "")
    for session_id, s in planned:
        speaking = {email for email, _role in s.speakers}
        for email, moment in s.check_ins:
            badge = (
                (badges[people[email]], RegistrationCategory.SPEAKER)
                if email in speaking
                else forum_badge(email)
            )
            check_in(email, badge, moment, CheckInPoint.SESSION, str(session_id))
    if rows:
        db.session.execute(insert(CheckIn), rows)
        created["check_ins"] += len(rows)

    known = pairs(SessionRating, "person_id")
    rows = [
        {"session_id": session_id, "person_id": people[email], "score": score,
         "comment": comment, "created_at": at}
        for session_id, s in planned
        for email, score, comment, at in s.ratings
        if (session_id, people[email]) not in known
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(SessionRating), rows)
        created["session_ratings"] += len(rows)

    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}


def load_forum_demos() -> dict[str, int]:
    """Every demo edition that exists; counts of records created, summed."""
    created: Counter = Counter()
    for slug in SPECS:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is not None:
            created.update(load_forum_demo(edition))
    return {key: created[key] for key in COUNT_KEYS}
