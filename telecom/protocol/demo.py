"""VIP and protocol demo data for the past demo editions.

2015 (Budapest, 12-15 October) has the published figure: 239 leaders accepted
their invitation and attended, across the protocol categories (a few heads of
state or government and heads of UN agencies, many ministers, deputy
ministers, regulators, ambassadors and chief executives), from many of the
countries the participants demo already uses. 2013 (Bangkok, 19-22 November)
is smaller (180 leaders) with an Asian mix. Beside the accepted invitations
each edition has declined ones (some after a first acceptance, whose badges
were then withdrawn), a few revoked ones and some never answered.

Accepted VIPs hold a confirmed VIP registration with their protocol category
and came to the gate on some of the days they were there (between arrival and
departure); their delegations (0 to 4 members) hold delegation registrations
and mostly came with them. Bilateral meeting rooms have slots of the edition's
length on every day, many booked by the delegations present that day, never
more than the daily limit per delegation nor two at one time.

As in telecom/media/demo.py, the plan is computed first from a seeded
`random.Random` (every run plans the same leaders, delegations, check-ins and
bookings), then only what is missing is inserted, by natural key: settings by
edition, people by e-mail, invitations by edition and address, rooms by name,
slots by room and start, check-ins by person and day. People, invitations,
members, rooms, slots and check-ins go in bulk; the registrations are granted
with `grant_registration` (in this transaction, no mail), then dated back to
the acceptance. One commit per edition. No passport data is made up.

Fictional: names come from the participants demo's name lists, companies are
generated, e-mails are on a subdomain of the reserved example.org.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from babel import Locale
from sqlalchemy import insert, select, update

from telecom.auth import services as auth_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.demo import (
    NAMES,
    ORG_FORMS,
    ORG_STEMS,
    REGION_OF,
    _ascii,
    _days,
    _entry_time,
)
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    JobFunction,
    Person,
    Registration,
    RegistrationCategory,
)
from telecom.participants.services.granted import grant_registration, withdraw_registration
from telecom.protocol.models import (
    DelegationMember,
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    ProtocolSettings,
    VipInvitation,
)
from telecom.protocol.services.meetings import local_moment

COUNT_KEYS = (
    "protocol_settings", "people", "vip_invitations", "delegation_members", "registrations",
    "check_ins", "meeting_rooms", "meeting_slots", "meeting_bookings",
)  # fmt: skip
PROTOCOL_EMAIL = "protocol@telecom-world.example"  # a demo account (telecom/demo.py)

C = ProtocolCategory
S = InvitationStatus


@dataclass(frozen=True)
class ProtocolDemoSpec:
    slug: str
    seed: int
    # Exact numbers of leaders who accepted and came, by category.
    accepted: dict[ProtocolCategory, int]
    declined: int
    revoked: int
    unanswered: int
    mail_domain: str
    rooms: tuple[tuple[str, int, str], ...]  # name, capacity, location
    slot_minutes: int
    max_slots_per_day: int
    rsvp_valid_days: int
    meeting_hours: tuple[time, time]  # first start, last end (local)
    booking_share: float  # of the slots, booked
    accepted_first_share: float = 0.15  # of the declined and revoked: had accepted first
    known_office_date_share: float = 0.9


SPEC_2015 = ProtocolDemoSpec(
    slug="telecom-world-2015",
    seed=72015,
    accepted={C.VVIP: 6, C.UN: 4, C.MIN: 58, C.DMIN: 34, C.REG: 52, C.AMB: 35, C.CEO: 50},
    declined=96,
    revoked=9,
    unanswered=31,
    mail_domain="leaders2015.example.org",
    rooms=(
        ("Bilateral Room 1", 10, "Pavilion G, first floor"),
        ("Bilateral Room 2", 10, "Pavilion G, first floor"),
        ("Bilateral Room 3", 8, "Pavilion G, first floor"),
        ("Bilateral Room 4", 8, "Pavilion G, second floor"),
        ("Salon Liszt", 16, "Pavilion G, second floor"),
        ("Salon Bartók", 14, "Pavilion G, second floor"),
    ),
    slot_minutes=90,
    max_slots_per_day=2,
    rsvp_valid_days=60,
    meeting_hours=(time(9), time(18)),
    booking_share=0.62,
)

SPEC_2013 = ProtocolDemoSpec(
    slug="telecom-world-2013",
    seed=72013,
    accepted={C.VVIP: 4, C.UN: 3, C.MIN: 42, C.DMIN: 24, C.REG: 40, C.AMB: 27, C.CEO: 40},
    declined=70,
    revoked=6,
    unanswered=24,
    mail_domain="leaders2013.example.org",
    rooms=(
        ("Bilateral Room 1", 8, "IMPACT Forum, level 2"),
        ("Bilateral Room 2", 8, "IMPACT Forum, level 2"),
        ("Bilateral Room 3", 8, "IMPACT Forum, level 2"),
        ("Chao Phraya Room", 14, "IMPACT Forum, level 3"),
    ),
    slot_minutes=60,
    max_slots_per_day=2,
    rsvp_valid_days=45,
    meeting_hours=(time(10), time(18)),
    booking_share=0.55,
)

SPECS = {spec.slug: spec for spec in (SPEC_2013, SPEC_2015)}

# --- who they are ---------------------------------------------------------------------------

VVIP_TITLES = (
    ("President", "H.E."), ("Prime Minister", "H.E."), ("Vice-President", "H.E."),
    ("Deputy Prime Minister", "H.E."), ("Deputy Prime Minister", "H.E."),
    ("Crown Prince", "H.R.H."),
)  # fmt: skip
UN_AGENCIES = (
    ("UNESCO", "Director-General"),
    ("United Nations Development Programme", "Administrator"),
    ("UNCTAD", "Secretary-General"),
    ("Universal Postal Union", "Director-General"),
    ("UN Economic Commission for Africa", "Executive Secretary"),
    ("UN ESCAP", "Executive Secretary"),
    ("UNITAR", "Executive Director"),
    ("UN Women", "Executive Director"),
    ("International Trade Centre", "Executive Director"),
    ("UN Office for Outer Space Affairs", "Director"),
    ("World Meteorological Organization", "Secretary-General"),
    ("UN-OHRLLS", "High Representative"),
)
REGIONAL_ORGANISATIONS = (
    ("African Telecommunications Union", "Secretary-General"),
    ("Asia-Pacific Telecommunity", "Secretary-General"),
    ("Inter-American Telecommunication Commission (CITEL)", "Executive Secretary"),
    ("Arab ICT Organization", "Director-General"),
    ("Regional Commonwealth in the field of Communications", "Director-General"),
    ("Caribbean Telecommunications Union", "Secretary-General"),
    ("Commonwealth Telecommunications Organisation", "Chief Executive Officer"),
    ("ECOWAS Commission", "Commissioner for Infrastructure"),
)
MINISTRIES = (
    "Ministry of Information and Communications Technology",
    "Ministry of Communications",
    "Ministry of Digital Economy",
    "Ministry of Posts and Telecommunications",
    "Ministry of Transport and Communications",
    "Ministry of Innovation and Technology",
    "Ministry of Communications and Information Technology",
)
REGULATORS = (
    ("National Communications Authority", "Director-General"),
    ("Telecommunications Regulatory Authority", "Chairman"),
    ("Communications Regulatory Commission", "President"),
    ("Office of Electronic Communications", "President"),
    ("Information and Communications Regulatory Authority", "Executive Director"),
)
CEO_TITLES = (
    "Chief Executive Officer", "President and CEO", "Chairman and CEO", "Group CEO",
    "Chief Executive Officer", "Managing Director",
)  # fmt: skip
GOVERNMENT_FUNCTIONS = (
    "Chief of Staff", "Senior Adviser", "Director of International Relations",
    "Protocol Officer", "Head of Security", "Interpreter", "Press Secretary",
    "Director of Spectrum Management", "Counsellor, Permanent Mission in Geneva",
)  # fmt: skip
COMPANY_FUNCTIONS = (
    "Chief Technology Officer", "Head of Government Relations", "Executive Assistant",
    "Vice President, Strategy", "Head of Communications",
)  # fmt: skip
DELEGATION_WEIGHTS = {  # how many members (0 to 4), by category
    C.VVIP: (0, 0, 0, 2, 8), C.UN: (1, 3, 4, 2, 0), C.MIN: (1, 3, 4, 3, 2),
    C.DMIN: (5, 4, 1, 0, 0), C.REG: (3, 4, 3, 1, 0), C.AMB: (6, 3, 1, 0, 0),
    C.CEO: (4, 4, 2, 1, 0),
}  # fmt: skip
FOCAL_POINT_SHARE = {
    C.VVIP: 1.0, C.UN: 0.8, C.MIN: 0.7, C.DMIN: 0.5, C.REG: 0.3, C.AMB: 0.2, C.CEO: 0.4,
}  # fmt: skip
# Who declines, is revoked or never answers: heads of state decline more than CEOs.
NOT_ACCEPTED_WEIGHTS = {
    C.VVIP: 8, C.UN: 3, C.MIN: 30, C.DMIN: 8, C.REG: 20, C.AMB: 12, C.CEO: 25,
}  # fmt: skip
SECTORS = {
    C.VVIP: "government_regulator", C.UN: "international_organisation",
    C.MIN: "government_regulator", C.DMIN: "government_regulator",
    C.REG: "government_regulator", C.AMB: "government_regulator", C.CEO: "operator",
}  # fmt: skip
CARRIERS = ("LH", "OS", "TK", "QR", "EK", "AF", "KL", "LX", "BA", "W6", "TG", "SQ", "ET", "MS")
DIETARY = ("Halal", "Vegetarian", "No pork", "Gluten-free", "Vegan", "Kosher", "No alcohol")
# Where a crown prince may lead a delegation.
MONARCHIES = {"SA", "AE", "QA", "KW", "BH", "OM", "JO", "MA", "BN", "BT", "TH", "JP", "SZ", "LS"}
COUNTRY_OVERRIDES = {"CD": "DR Congo", "PS": "Palestine", "HK": "Hong Kong", "MO": "Macao"}
ENGLISH = Locale("en").territories


def english_name(code: str) -> str:
    return COUNTRY_OVERRIDES.get(code) or ENGLISH.get(code, code)


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class MemberPlan:
    full_name: str
    function: str
    email: str
    nationality: str
    check_ins: list[datetime] = field(default_factory=list)


@dataclass
class InvitationPlan:
    number: int
    category: ProtocolCategory
    status: InvitationStatus
    full_name: str
    title: str
    form_of_address: str
    country: str | None  # the invitation's; None for a UN agency or regional organisation
    nationality: str  # the person's
    organisation: str
    vip_email: str
    email: str  # where the invitation went: the VIP's address or the focal point's
    focal_point_name: str
    took_office_on: date | None
    created_at: datetime
    sent_at: datetime
    token_version: int
    reminded_at: datetime | None = None
    accepted_at: datetime | None = None  # when the registrations were granted
    responded_at: datetime | None = None
    revoked_at: datetime | None = None
    cancelled_at: datetime | None = None  # registrations withdrawn (declined or revoked later)
    arrival_on: date | None = None
    departure_on: date | None = None
    arrival_flight: str = ""
    departure_flight: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    members: list[MemberPlan] = field(default_factory=list)
    check_ins: list[datetime] = field(default_factory=list)  # UTC gate entries

    @property
    def attends(self) -> bool:
        return self.status == S.ACCEPTED

    @property
    def updated_at(self) -> datetime:
        moments = (self.sent_at, self.reminded_at, self.responded_at, self.revoked_at)
        return max(m for m in moments if m is not None)


@dataclass
class SlotPlan:
    room: str
    starts_at: datetime
    ends_at: datetime
    day: date
    booked_by: int | None = None  # the invitation's number
    counterpart: str = ""
    booked_at: datetime | None = None
    by_staff: bool = False


@dataclass
class ProtocolPlan:
    invitations: list[InvitationPlan]
    slots: list[SlotPlan]


def _sample(rng: random.Random, pool: dict[str, float], count: int) -> list[str]:
    """`count` distinct codes, heavier ones likelier (weighted sampling without replacement)."""
    keyed = sorted(pool, key=lambda code: rng.random() ** (1.0 / pool[code]), reverse=True)
    assert len(keyed) >= count, "not enough countries for the demo plan"
    return keyed[:count]


def _name(rng: random.Random, country: str) -> tuple[str, str]:
    given, family = NAMES[REGION_OF.get(country, "en")]
    return rng.choice(given), rng.choice(family)


def _organisation(rng: random.Random) -> str:
    return f"{rng.choice(ORG_STEMS)} {rng.choice(ORG_FORMS)}"


def _moment(edition: Edition, day: date, hour: int, rng: random.Random) -> datetime:
    return local_moment(edition, day, time(hour, rng.randrange(60)))


def _statuses(spec: ProtocolDemoSpec, rng: random.Random) -> list[tuple[ProtocolCategory, S]]:
    entries = [(category, S.ACCEPTED) for category, n in spec.accepted.items() for _ in range(n)]
    others = [S.DECLINED] * spec.declined + [S.REVOKED] * spec.revoked
    others += [S.INVITED] * spec.unanswered
    weights = NOT_ACCEPTED_WEIGHTS
    for status in others:
        category = rng.choices(list(weights), weights=list(weights.values()))[0]
        entries.append((category, status))
    rng.shuffle(entries)
    return entries


def _countries(
    spec: ProtocolDemoSpec, edition: Edition, entries: list[tuple[ProtocolCategory, S]],
    rng: random.Random,
) -> list[str | None]:  # fmt: skip
    """Each entry's country: one head of state, minister, regulator or ambassador per
    country; deputy ministers from countries whose minister was invited too (the
    accepted ones with an accepted minister); CEOs anywhere, the big markets likelier."""
    participants = PARTICIPANT_SPECS[spec.slug].countries
    host = edition.country
    # Flattened weights: a small country's minister is as likely to come as its visitors.
    pool = {code: weight**0.5 for code, weight in participants}
    wanted = Counter(category for category, _status in entries)
    by_category: dict[ProtocolCategory, list[str | None]] = {}
    for category in (C.VVIP, C.MIN, C.REG):
        rest = {code: w for code, w in pool.items() if code != host}
        by_category[category] = [host, *_sample(rng, rest, wanted[category] - 1)]
    international = len(REGIONAL_ORGANISATIONS) if wanted[C.AMB] > 20 else 5
    rest = {code: w for code, w in pool.items() if code != host}
    by_category[C.AMB] = [None] * international + list(
        _sample(rng, rest, wanted[C.AMB] - international)
    )
    by_category[C.UN] = [None] * wanted[C.UN]
    by_category[C.CEO] = [
        rng.choices(list(pool), weights=[w**1.5 for w in pool.values()])[0]
        for _ in range(wanted[C.CEO])
    ]
    # Accepted entries take the first countries of their lists, so the accepted
    # deputies can follow accepted ministers.
    order = sorted(range(len(entries)), key=lambda i: entries[i][1] != S.ACCEPTED)
    countries: list[str | None] = [None] * len(entries)
    taken: dict[ProtocolCategory, int] = Counter()
    accepted_ministers: list[str] = []
    for index in order:
        category, status = entries[index]
        if category == C.DMIN:
            continue
        countries[index] = by_category[category][taken[category]]
        taken[category] += 1
        if category == C.MIN and status == S.ACCEPTED:
            accepted_ministers.append(countries[index])  # type: ignore[arg-type]
    invited_ministers = [c for c, (cat, _s) in zip(countries, entries, strict=True) if cat == C.MIN]
    deputies_accepted = [i for i in order if entries[i] == (C.DMIN, S.ACCEPTED)]
    deputies_other = [i for i in order if entries[i][0] == C.DMIN and entries[i][1] != S.ACCEPTED]
    for index, country in zip(
        deputies_accepted, _sample(rng, dict.fromkeys(accepted_ministers, 1.0),
                                   len(deputies_accepted)), strict=True,
    ):  # fmt: skip
        countries[index] = country
    spare = [c for c in invited_ministers if c not in {countries[i] for i in deputies_accepted}]
    for index, country in zip(
        deputies_other, _sample(rng, dict.fromkeys(spare, 1.0), len(deputies_other)), strict=True
    ):
        countries[index] = country
    return countries


def _who(
    rng: random.Random, category: ProtocolCategory, country: str | None, host: str,
    nationality: str, used: dict[str, int],
) -> tuple[str, str, str]:  # fmt: skip
    """(title, form of address, organisation)."""
    if category == C.VVIP:
        title, form = rng.choice(VVIP_TITLES)
        kingdom = country in MONARCHIES
        # A kingdom sends no president; a republic has no crown prince.
        if (
            country == host
            or (title == "Crown Prince" and not kingdom)
            or (kingdom and "President" in title)
        ):
            title, form = "Deputy Prime Minister", "H.E."
        return title, form, f"Government of {english_name(country or nationality)}"
    if category == C.UN:
        agencies = [a for a in UN_AGENCIES if not used.get(a[0])] or list(UN_AGENCIES)
        organisation, title = rng.choice(agencies)
        used[organisation] = 1
        return title, "H.E.", organisation
    if category in (C.MIN, C.DMIN):
        ministry = rng.choice(MINISTRIES)
        subject = ministry.removeprefix("Ministry of ")
        title = f"Minister of {subject}" if category == C.MIN else rng.choice(
            (f"Deputy Minister of {subject}", f"State Secretary, {ministry}")
        )  # fmt: skip
        return title, "H.E.", ministry
    if category == C.REG:
        organisation, title = rng.choice(REGULATORS)
        return title, "Dr" if rng.random() < 0.35 else "", organisation
    if category == C.AMB:
        if country is None:
            organisations = [o for o in REGIONAL_ORGANISATIONS if not used.get(o[0])]
            organisation, title = organisations[0]
            used[organisation] = 1
            return title, "H.E.", organisation
        if rng.random() < 0.7:
            title = f"Ambassador to {english_name(host)}"
            return title, "H.E.", f"Embassy of {english_name(country)}"
        title = "Permanent Representative to the United Nations Office at Geneva"
        return title, "H.E.", f"Permanent Mission of {english_name(country)}"
    return rng.choice(CEO_TITLES), "Dr" if rng.random() < 0.2 else "", _organisation(rng)


def _took_office(rng: random.Random, category: ProtocolCategory, start: date) -> date:
    # Ministers change often; CEOs and ambassadors stay for some years.
    years = {C.VVIP: 6, C.UN: 6, C.MIN: 4, C.DMIN: 4, C.REG: 7, C.AMB: 5, C.CEO: 10}[category]
    return start - timedelta(days=rng.randrange(60, 365 * years))


def _timeline(
    plan: InvitationPlan, rng: random.Random, edition: Edition, spec: ProtocolDemoSpec
) -> None:
    start = edition.start_date
    eve = _moment(edition, start - timedelta(days=2), 17, rng)
    reply = plan.sent_at + (eve - plan.sent_at) * rng.triangular(0.05, 0.95, 0.35)
    reply = reply.replace(second=0, microsecond=0)
    if plan.status == S.INVITED:
        plan.reminded_at = _moment(edition, start - timedelta(days=rng.randrange(15, 25)), 10, rng)
        return
    if rng.random() < 0.3:
        plan.reminded_at = min(reply - timedelta(days=1), plan.sent_at + timedelta(days=21))
        plan.reminded_at = max(plan.reminded_at, plan.sent_at + timedelta(hours=1))
    accepted_first = plan.status == S.ACCEPTED or rng.random() < spec.accepted_first_share
    if accepted_first:
        plan.accepted_at = reply
        plan.responded_at = reply
    if plan.status == S.DECLINED:
        later = reply + (eve - reply) * rng.uniform(0.2, 0.9) if accepted_first else reply
        plan.responded_at = later.replace(microsecond=0)
        plan.cancelled_at = plan.responded_at if accepted_first else None
    elif plan.status == S.REVOKED:
        revoked = reply + (eve - reply) * rng.uniform(0.1, 0.9)
        plan.revoked_at = revoked.replace(microsecond=0)
        plan.token_version += 1
        plan.cancelled_at = plan.revoked_at if accepted_first else None
        if not accepted_first:
            plan.responded_at = None


def _travel(plan: InvitationPlan, rng: random.Random, edition: Edition) -> None:
    start, end = edition.start_date, edition.end_date
    arrival = start + timedelta(days=rng.choices((-1, 0, 1, 2), weights=(45, 25, 20, 10))[0])
    stay = rng.choices((0, 1, 2, 3, 4), weights=(10, 30, 30, 20, 10))[0]
    plan.arrival_on = min(arrival, end)
    plan.departure_on = min(plan.arrival_on + timedelta(days=stay), end + timedelta(days=1))
    if plan.departure_on < start:
        plan.departure_on = start
    if rng.random() < 0.75:
        plan.arrival_flight = f"{rng.choice(CARRIERS)} {rng.randrange(100, 2000)}"
        plan.departure_flight = f"{rng.choice(CARRIERS)} {rng.randrange(100, 2000)}"
    if plan.category == C.VVIP:
        plan.arrival_flight = plan.departure_flight = "Special flight"
    if rng.random() < 0.12:
        plan.dietary_needs = rng.choice(DIETARY)
    if rng.random() < 0.02:
        plan.accessibility_needs = "Wheelchair access to the halls and meeting rooms"


def _present_days(plan: InvitationPlan, edition: Edition) -> list[date]:
    assert plan.arrival_on is not None and plan.departure_on is not None
    return [d for d in _days(edition.start_date, edition.end_date)
            if plan.arrival_on <= d <= plan.departure_on]  # fmt: skip


def plan_protocol(spec: ProtocolDemoSpec, edition: Edition) -> ProtocolPlan:
    """Every invitation, delegation, check-in and meeting of one edition, from the seed alone."""
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    tz = edition.tz
    start = edition.start_date
    participant_spec = PARTICIPANT_SPECS[spec.slug]
    opening = participant_spec.opening
    nationalities = [code for code, _w in participant_spec.countries]
    entries = _statuses(spec, rng)
    countries = _countries(spec, edition, entries, rng)
    used: dict[str, int] = {}
    invitations: list[InvitationPlan] = []
    for number, ((category, status), country) in enumerate(
        zip(entries, countries, strict=True), start=1
    ):
        nationality = country or rng.choice(nationalities)
        first, last = _name(rng, nationality)
        full_name = f"{first} {last}"
        title, form, organisation = _who(rng, category, country, edition.country, nationality,
                                         used)  # fmt: skip
        host = (country or "int").lower()
        vip_email = f"{_ascii(first)}.{_ascii(last)}.v{number:04d}@{host}.{spec.mail_domain}"
        focal_point_name = ""
        email = vip_email
        if rng.random() < FOCAL_POINT_SHARE[category]:
            f_first, f_last = _name(rng, nationality)
            focal_point_name = f"{f_first} {f_last}"
            email = f"{_ascii(f_first)}.{_ascii(f_last)}.f{number:04d}@{host}.{spec.mail_domain}"
        created = _moment(edition, start - timedelta(days=rng.randrange(110, 140)), 9, rng)
        sent = created + timedelta(days=rng.randrange(1, 15), minutes=rng.randrange(600))
        plan = InvitationPlan(
            number=number, category=category, status=status, full_name=full_name, title=title,
            form_of_address=form, country=country, nationality=nationality,
            organisation=organisation, vip_email=vip_email, email=email,
            focal_point_name=focal_point_name,
            took_office_on=_took_office(rng, category, start)
            if rng.random() < spec.known_office_date_share else None,
            created_at=created, sent_at=sent, token_version=1,
        )  # fmt: skip
        if rng.random() < 0.1:
            # Resent (a new focal point, a lost mail): a new link, later.
            plan.token_version = 2
            plan.sent_at = sent + timedelta(days=rng.randrange(3, 12))
        _timeline(plan, rng, edition, spec)
        if plan.accepted_at is not None:
            _travel(plan, rng, edition)
            weights = DELEGATION_WEIGHTS[category]
            size = rng.choices(range(5), weights=weights)[0]
            functions = COMPANY_FUNCTIONS if category == C.CEO else GOVERNMENT_FUNCTIONS
            for k, function in enumerate(rng.sample(functions, size), start=1):
                m_first, m_last = _name(rng, nationality)
                plan.members.append(
                    MemberPlan(
                        full_name=f"{m_first} {m_last}", function=function,
                        email=f"{_ascii(m_first)}.{_ascii(m_last)}.v{number:04d}m{k}@{host}."
                        f"{spec.mail_domain}",
                        nationality=nationality,
                    )
                )  # fmt: skip
        if plan.attends:
            present = _present_days(plan, edition)
            came = [d for d in present if rng.random() < 0.85] or [present[0]]
            plan.check_ins = [_entry_time(rng, d, tz, opening) for d in came]
            for member in plan.members:
                member.check_ins = [
                    _entry_time(rng, d, tz, opening) for d in came if rng.random() < 0.88
                ]
        invitations.append(plan)
    return ProtocolPlan(invitations, _plan_slots(spec, edition, invitations, rng))


def _counterpart(rng: random.Random, other: InvitationPlan | None, host: str) -> str:
    if other is None:
        return rng.choice(
            ("ITU Secretary-General", "ITU Deputy Secretary-General",
             f"Host country delegation ({english_name(host)})",
             "Director, ITU Telecommunication Development Bureau")
        )  # fmt: skip
    where = english_name(other.country) if other.country else other.organisation
    name = f"{other.form_of_address} {other.full_name}".strip()
    return f"{name}, {other.title} ({where})"[:300]


def _plan_slots(
    spec: ProtocolDemoSpec, edition: Edition, invitations: list[InvitationPlan],
    rng: random.Random,
) -> list[SlotPlan]:  # fmt: skip
    """Every room's slots on every day; many booked by delegations there that day."""
    length = timedelta(minutes=spec.slot_minutes)
    first, last = spec.meeting_hours
    came: dict[date, list[InvitationPlan]] = defaultdict(list)
    for plan in invitations:
        # Deputy ministers meet with their minister's delegation, which books.
        if plan.attends and plan.category != C.DMIN:
            for moment in plan.check_ins:
                came[edition.local_date(moment)].append(plan)
    slots: list[SlotPlan] = []
    for day in _days(edition.start_date, edition.end_date):
        per_day: Counter = Counter()
        busy: set[tuple[int, datetime]] = set()
        start, end = local_moment(edition, day, first), local_moment(edition, day, last)
        while start + length <= end:
            for name, _capacity, _location in spec.rooms:
                slot = SlotPlan(name, start, start + length, day)
                slots.append(slot)
                if rng.random() >= spec.booking_share:
                    continue
                free = [p for p in came[day] if per_day[p.number] < spec.max_slots_per_day
                        and (p.number, start) not in busy]  # fmt: skip
                if not free:
                    continue
                booker = rng.choice(free)
                per_day[booker.number] += 1
                busy.add((booker.number, start))
                others = [p for p in came[day] if p.number != booker.number]
                other = rng.choice(others) if others and rng.random() < 0.8 else None
                assert booker.accepted_at is not None
                slot.booked_by = booker.number
                slot.counterpart = _counterpart(rng, other, edition.country)
                window = edition.day_starts_at(edition.start_date) - booker.accepted_at
                slot.booked_at = (booker.accepted_at + window * rng.uniform(0.05, 0.95)).replace(
                    microsecond=0
                )
                slot.by_staff = rng.random() < 0.4
            start += length
    return slots


# --- loading ----------------------------------------------------------------------------------


def _settings(edition: Edition, spec: ProtocolDemoSpec, created: Counter) -> None:
    if db.session.scalar(select(ProtocolSettings).where(ProtocolSettings.edition_id == edition.id)):
        return
    db.session.add(
        ProtocolSettings(
            edition_id=edition.id,
            slot_minutes=spec.slot_minutes,
            max_slots_per_day=spec.max_slots_per_day,
            rsvp_valid_days=spec.rsvp_valid_days,
            contact_email=PROTOCOL_EMAIL,
        )
    )
    db.session.flush()
    created["protocol_settings"] += 1


def _people(spec: ProtocolDemoSpec, plans: list[InvitationPlan], created: Counter) -> dict:
    def existing() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(Person.email, Person.id).where(Person.email.like(f"%.{spec.mail_domain}"))
            ).all()
        )

    people = existing()
    rows = []
    for p in plans:
        if p.accepted_at is None:
            continue  # never accepted: nobody was registered
        job = JobFunction.EXECUTIVE if p.category == C.CEO else JobFunction.GOVERNMENT_POLICY
        if p.vip_email not in people:
            rows.append({
                "email": p.vip_email, "full_name": p.full_name, "organisation_name": p.organisation,
                "job_title": p.title, "country": p.nationality, "job_function": job,
                "sector": SECTORS[p.category], "accessibility_needs": p.accessibility_needs,
                "locale": None, "consent_at": p.accepted_at, "created_at": p.accepted_at,
                "updated_at": p.accepted_at,
            })  # fmt: skip
        for m in p.members:
            if m.email not in people:
                rows.append({
                    "email": m.email, "full_name": m.full_name,
                    "organisation_name": p.organisation, "job_title": m.function,
                    "country": m.nationality, "job_function": job,
                    "sector": SECTORS[p.category], "accessibility_needs": "", "locale": None,
                    "consent_at": p.accepted_at, "created_at": p.accepted_at,
                    "updated_at": p.accepted_at,
                })  # fmt: skip
    if rows:
        db.session.execute(insert(Person), rows)
        created["people"] += len(rows)
        people = existing()
    return people


def _grant(
    person: Person, edition: Edition, category: RegistrationCategory, plan: InvitationPlan,
    protocol_category: str | None, dated: list[dict],
) -> Registration:  # fmt: skip
    """Granted as the acceptance did (and withdrawn when it was); `dated` collects the
    dates to set back to the acceptance, in one UPDATE for all (per row it is slow)."""
    assert plan.accepted_at is not None
    registration = grant_registration(
        person, edition, category, actor=None, protocol_category=protocol_category
    )
    if plan.cancelled_at is not None:
        withdraw_registration(registration.id, actor=None)
    dated.append({
        "id": registration.id, "created_at": plan.accepted_at,
        "confirmed_at": plan.accepted_at, "email_confirmed_at": plan.accepted_at,
        "cancelled_at": plan.cancelled_at, "updated_at": plan.cancelled_at or plan.accepted_at,
    })  # fmt: skip
    return registration


def _account_id(email: str) -> int | None:
    user = auth_services.get_user_by_email(email)
    return user.id if user is not None else None


def load_protocol_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's VIPs, delegations and meetings; return counts."""
    created: Counter = Counter()
    spec = SPECS.get(edition.slug)
    if spec is None or edition.slug not in PARTICIPANT_SPECS:
        return dict.fromkeys(COUNT_KEYS, 0)
    _settings(edition, spec, created)
    plan = plan_protocol(spec, edition)
    staff_id = _account_id(PROTOCOL_EMAIL)
    people = _people(spec, plan.invitations, created)

    done = set(
        db.session.scalars(
            select(VipInvitation.email).where(VipInvitation.edition_id == edition.id)
        )
    )
    new = [p for p in plan.invitations if p.email not in done]
    persons = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(
                Person.id.in_([people[e] for p in new if p.accepted_at
                               for e in [p.vip_email, *(m.email for m in p.members)]])
            )
        )
    }  # fmt: skip

    # The badges: the VIP's (with the protocol category) and the delegation's.
    vip_registrations: dict[int, int] = {}
    member_registrations: dict[str, int] = {}
    dated: list[dict] = []
    for p in new:
        if p.accepted_at is None:
            continue
        vip = _grant(persons[people[p.vip_email]], edition, RegistrationCategory.VIP, p,
                     p.category.value, dated)  # fmt: skip
        vip_registrations[p.number] = vip.id
        for m in p.members:
            member = _grant(persons[people[m.email]], edition, RegistrationCategory.DELEGATION, p,
                            None, dated)  # fmt: skip
            member_registrations[m.email] = member.id
        created["registrations"] += 1 + len(p.members)
    db.session.flush()
    if dated:
        db.session.execute(update(Registration), dated)

    if new:
        rows = [
            {
                "edition_id": edition.id, "full_name": p.full_name, "title": p.title,
                "form_of_address": p.form_of_address, "category": p.category,
                "country": p.country, "organisation": p.organisation, "email": p.email,
                "focal_point_name": p.focal_point_name, "took_office_on": p.took_office_on,
                "status": p.status, "token_version": p.token_version, "sent_at": p.sent_at,
                "reminded_at": p.reminded_at, "responded_at": p.responded_at,
                "revoked_at": p.revoked_at, "arrival_on": p.arrival_on,
                "departure_on": p.departure_on, "arrival_flight": p.arrival_flight,
                "departure_flight": p.departure_flight, "dietary_needs": p.dietary_needs,
                "accessibility_needs": p.accessibility_needs, "passport_encrypted": None,
                "person_id": people.get(p.vip_email) if p.accepted_at else None,
                "registration_id": vip_registrations.get(p.number),
                "created_by_id": staff_id, "created_at": p.created_at,
                "updated_at": p.updated_at,
            }
            for p in new
        ]  # fmt: skip
        db.session.execute(insert(VipInvitation), rows)
        created["vip_invitations"] += len(rows)
        ids = dict(
            db.session.execute(
                select(VipInvitation.email, VipInvitation.id).where(
                    VipInvitation.edition_id == edition.id
                )
            ).all()
        )
        members = [
            {
                "invitation_id": ids[p.email], "full_name": m.full_name, "function": m.function,
                "email": m.email, "person_id": people[m.email],
                "registration_id": member_registrations[m.email], "removed_at": None,
                "created_at": p.accepted_at, "updated_at": p.accepted_at,
            }
            for p in new
            for m in p.members
        ]  # fmt: skip
        if members:
            db.session.execute(insert(DelegationMember), members)
            created["delegation_members"] += len(members)

    _load_meetings(edition, spec, plan, staff_id, created)
    _load_check_ins(edition, plan, people, created)
    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}


def _load_meetings(
    edition: Edition, spec: ProtocolDemoSpec, plan: ProtocolPlan, staff_id: int | None,
    created: Counter,
) -> None:  # fmt: skip
    def existing_rooms() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(MeetingRoom.name, MeetingRoom.id).where(MeetingRoom.edition_id == edition.id)
            ).all()
        )

    rooms = existing_rooms()
    opened = edition.day_starts_at(edition.start_date) - timedelta(days=30)
    missing = [
        {"edition_id": edition.id, "name": name, "capacity": capacity, "location": location,
         "active": True, "created_at": opened, "updated_at": opened}
        for name, capacity, location in spec.rooms
        if name not in rooms
    ]  # fmt: skip
    if missing:
        db.session.execute(insert(MeetingRoom), missing)
        created["meeting_rooms"] += len(missing)
        rooms = existing_rooms()
    existing = set(
        db.session.execute(
            select(MeetingSlot.room_id, MeetingSlot.starts_at).where(
                MeetingSlot.edition_id == edition.id
            )
        ).all()
    )
    invitation_ids = dict(
        db.session.execute(
            select(VipInvitation.email, VipInvitation.id).where(
                VipInvitation.edition_id == edition.id
            )
        ).all()
    )
    by_number = {p.number: p for p in plan.invitations}
    rows = []
    for slot in plan.slots:
        room_id = rooms[slot.room]
        if (room_id, slot.starts_at) in existing:
            continue
        booker = by_number[slot.booked_by] if slot.booked_by is not None else None
        rows.append({
            "room_id": room_id, "edition_id": edition.id, "starts_at": slot.starts_at,
            "ends_at": slot.ends_at, "day": slot.day,
            "invitation_id": invitation_ids[booker.email] if booker else None,
            "counterpart": slot.counterpart, "booked_at": slot.booked_at,
            "booked_by_id": staff_id if slot.by_staff and booker else None,
            "created_at": opened, "updated_at": slot.booked_at or opened,
        })  # fmt: skip
    if rows:
        db.session.execute(insert(MeetingSlot), rows)
        created["meeting_slots"] += len(rows)
        created["meeting_bookings"] += sum(1 for r in rows if r["invitation_id"] is not None)


def _load_check_ins(
    edition: Edition, plan: ProtocolPlan, people: dict[str, int], created: Counter
) -> None:
    """Gate entries of the VIPs and their delegations who came, one per person and day."""
    seen = set(
        db.session.execute(
            select(CheckIn.person_id, CheckIn.day).where(
                CheckIn.edition_id == edition.id, CheckIn.point == CheckInPoint.GATE
            )
        ).all()
    )
    attending = [p for p in plan.invitations if p.attends]
    person_ids = [
        people[e] for p in attending for e in (p.vip_email, *(m.email for m in p.members))
    ]
    registrations = {
        (person_id, category): registration_id
        for person_id, category, registration_id in db.session.execute(
            select(Registration.person_id, Registration.category, Registration.id).where(
                Registration.edition_id == edition.id, Registration.person_id.in_(person_ids)
            )
        )
    }
    rows = []
    for p in attending:
        entries = [(p.vip_email, RegistrationCategory.VIP, p.check_ins)]
        entries += [(m.email, RegistrationCategory.DELEGATION, m.check_ins) for m in p.members]
        for email, category, moments in entries:
            person_id = people[email]
            registration_id = registrations.get((person_id, category))
            for moment in moments:
                day = edition.local_date(moment)
                if registration_id is None or (person_id, day) in seen:
                    continue
                seen.add((person_id, day))
                rows.append({
                    "edition_id": edition.id, "person_id": person_id,
                    "registration_id": registration_id, "category": category, "day": day,
                    "point": CheckInPoint.GATE, "point_ref": "", "scanned_at": moment,
                    "staff_id": None,
                })  # fmt: skip
    if rows:
        db.session.execute(insert(CheckIn), rows)
        created["check_ins"] += len(rows)


def load_protocol_demos() -> dict[str, int]:
    """Every demo edition that exists; counts of records created, summed."""
    created: Counter = Counter()
    for slug in SPECS:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is not None:
            created.update(load_protocol_demo(edition))
    return {key: created[key] for key in COUNT_KEYS}
