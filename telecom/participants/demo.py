"""Participant demo data: pass types, visitors and forum delegates, invitation and
promo codes, and gate check-ins for the demo editions.

2015 (Budapest, 12-15 October, Europe/Budapest) reproduces the published
figures: about 4,000 participants from 129 countries, Hungary and the rest of
Europe heavy. The figure counts everyone, so the visitors and forum delegates
here (3,230) leave room for the accredited media (telecom.media.demo) and the
239 leaders with their delegations (telecom.protocol.demo). 2013 (Bangkok,
19-22 November, Asia/Bangkok) is smaller, with an Asian mix. Prices are in the edition's currency.

The plan is computed first, without the database, from a seeded
`random.Random`: every run plans the same people, registrations, codes and
check-ins. The loader inserts only what is missing, looked up by natural key
(pass name, code, e-mail, person and category, person and day), in bulk: one
INSERT per table and one commit per edition. It calls no registration or
check-in service on purpose: these would lock, audit and mail thousands of
times for data that is history.

Check-ins respect validity: only confirmed registrations, a day-pass holder
only on their day, every entry within opening hours (local time), at most one
gate entry per person and day. About 85% of confirmed registrants come, many
on several days, so visits (daily entries) exceed the people who attended.

Fictional: names are drawn from common given and family names, organisations
are generated, and every e-mail is on a subdomain of the reserved example.org.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, Sector
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    DiscountKind,
    InvitationCode,
    JobFunction,
    PassType,
    Person,
    PromoCode,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    VisitPurpose,
)

COUNT_KEYS = (
    "pass_types", "promo_codes", "invitation_codes", "people", "registrations", "check_ins",
)  # fmt: skip
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# --- passes ------------------------------------------------------------------


@dataclass(frozen=True)
class PassSpec:
    key: str
    name: str
    description: str
    categories: str
    prices: dict[str, str]  # by currency; CHF is the fallback
    days_valid: int | None = None
    forum_access: bool = False
    invitation_only: bool = False
    exhibitor_invitations: int = 0
    capacity: int | None = None


PASSES = (
    PassSpec(
        "day", "Exhibition day pass",
        "Entry to the exhibition halls on one day of your choice.", "visitor",
        {"CHF": "60.00", "USD": "65.00", "EUR": "55.00", "THB": "2000.00"}, days_valid=1,
    ),
    PassSpec(
        "full", "Full exhibition pass",
        "Entry to the exhibition halls on every day of the event.", "visitor",
        {"CHF": "150.00", "USD": "160.00", "EUR": "140.00", "THB": "5000.00"},
        exhibitor_invitations=25,
    ),
    PassSpec(
        "forum", "Forum pass",
        "The exhibition and every session of the Forum, on every day.", "forum_delegate,visitor",
        {"CHF": "950.00", "USD": "1000.00", "EUR": "880.00", "THB": "32000.00"},
        forum_access=True,
    ),
    PassSpec(
        "leaders", "Leaders' pass",
        "For ministers, regulators and chief executives, by invitation of ITU.",
        "forum_delegate,vip", {"CHF": "0.00"}, forum_access=True, invitation_only=True,
    ),
)  # fmt: skip


def pass_price(spec: PassSpec, currency: str) -> Decimal:
    return Decimal(spec.prices.get(currency, spec.prices["CHF"]))


# --- names -------------------------------------------------------------------

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hu": (
        ("Ádám", "Anna", "Balázs", "Bence", "Csilla", "Dániel", "Eszter", "Gábor", "Katalin",
         "László", "Márta", "Péter", "Réka", "Tamás", "Zsófia", "Zoltán"),
        ("Balogh", "Farkas", "Horváth", "Kiss", "Kovács", "Lakatos", "Molnár", "Nagy",
         "Németh", "Papp", "Szabó", "Takács", "Tóth", "Varga"),
    ),
    "de": (
        ("Andreas", "Anja", "Christian", "Claudia", "Felix", "Jana", "Jonas", "Katrin",
         "Lukas", "Markus", "Sabine", "Stefan", "Ursula"),
        ("Bauer", "Becker", "Fischer", "Hofmann", "Huber", "Keller", "Meier", "Müller",
         "Schmid", "Schneider", "Wagner", "Weber"),
    ),
    "fr": (
        ("Camille", "Claire", "Étienne", "Hélène", "Julien", "Lucie", "Mathieu", "Nicolas",
         "Sophie", "Thomas", "Yves"),
        ("Bernard", "Dubois", "Durand", "Fontaine", "Girard", "Lambert", "Leroy", "Martin",
         "Moreau", "Petit", "Rousseau"),
    ),
    "it": (
        ("Alessandro", "Chiara", "Francesca", "Giulia", "Luca", "Marco", "Matteo", "Paola"),
        ("Bianchi", "Colombo", "Conti", "Esposito", "Ferrari", "Ricci", "Romano", "Rossi"),
    ),
    "es": (
        ("Alejandro", "Carmen", "Diego", "Elena", "Javier", "Lucía", "María", "Pablo", "Sofía"),
        ("Fernández", "García", "González", "López", "Martínez", "Pérez", "Rodríguez",
         "Sánchez", "Torres"),
    ),
    "pt": (
        ("Ana", "Beatriz", "Bruno", "Carlos", "Fernanda", "João", "Mariana", "Rafael"),
        ("Almeida", "Costa", "Ferreira", "Oliveira", "Pereira", "Santos", "Silva", "Souza"),
    ),
    "slav": (
        ("Aleksandra", "Andrej", "Ivan", "Jana", "Katarzyna", "Marek", "Milan", "Nikola",
         "Olga", "Petra", "Tomasz", "Vladimir"),
        ("Horvat", "Ivanov", "Kowalski", "Novák", "Nowak", "Petrović", "Popescu", "Kovač",
         "Svoboda", "Wiśniewski", "Jovanović", "Dvořák"),
    ),
    "ru": (
        ("Aleksei", "Anastasia", "Dmitry", "Ekaterina", "Irina", "Mikhail", "Natalia",
         "Sergei", "Yulia"),
        ("Ivanov", "Kuznetsov", "Morozov", "Petrov", "Popov", "Smirnov", "Sokolov", "Volkov"),
    ),
    "nordic": (
        ("Anders", "Astrid", "Erik", "Ingrid", "Johan", "Karin", "Lars", "Mikko", "Sanna"),
        ("Andersson", "Berg", "Hansen", "Johansson", "Korhonen", "Larsen", "Lindqvist",
         "Nielsen", "Virtanen"),
    ),
    "en": (
        ("Alice", "Daniel", "David", "Emily", "Emma", "James", "Jennifer", "John", "Laura",
         "Michael", "Olivia", "Robert", "Sarah", "William"),
        ("Anderson", "Brown", "Clarke", "Davies", "Evans", "Johnson", "Miller", "Smith",
         "Taylor", "Thompson", "Walker", "Wilson"),
    ),
    "zh": (
        ("Fang", "Hui", "Jing", "Lei", "Li", "Min", "Ping", "Qiang", "Wei", "Xiaoming", "Yan",
         "Yong"),
        ("Chen", "Huang", "Li", "Liu", "Wang", "Wu", "Xu", "Yang", "Zhang", "Zhao", "Zhou"),
    ),
    "ja": (
        ("Haruto", "Hiroshi", "Kenji", "Mai", "Naoko", "Satoshi", "Takumi", "Yuki", "Yumiko"),
        ("Ito", "Kato", "Kobayashi", "Nakamura", "Sato", "Suzuki", "Takahashi", "Tanaka",
         "Watanabe"),
    ),
    "ko": (
        ("Ji-hoon", "Ji-woo", "Min-jun", "Seo-yeon", "Soo-jin", "Hyun-woo", "Eun-ji"),
        ("Choi", "Jung", "Kang", "Kim", "Lee", "Park", "Yoon"),
    ),
    "in": (
        ("Aarav", "Ananya", "Arjun", "Deepa", "Kavita", "Priya", "Rahul", "Rohan", "Sanjay",
         "Sunita", "Vikram"),
        ("Agarwal", "Gupta", "Iyer", "Kumar", "Mehta", "Nair", "Patel", "Rao", "Reddy",
         "Sharma", "Singh"),
    ),
    "sea": (
        ("Anh", "Budi", "Dewi", "Hafiz", "Linh", "Mei Ling", "Minh", "Nurul", "Siti", "Wei Jie",
         "Aziz", "Maria"),
        ("Abdullah", "Hidayat", "Lim", "Nguyen", "Pham", "Rahman", "Reyes", "Santoso", "Tan",
         "Tran", "Wong", "Cruz"),
    ),
    "th": (
        ("Anong", "Kittisak", "Malee", "Nattapong", "Pim", "Somchai", "Sombat", "Supaporn",
         "Thanawat", "Wanida"),
        ("Boonmee", "Chaiyaporn", "Kaewkla", "Rattanakorn", "Saetang", "Sirisuk",
         "Srisawat", "Thongchai", "Wongsakul"),
    ),
    "ar": (
        ("Ahmed", "Amina", "Fatima", "Hassan", "Khalid", "Layla", "Mariam", "Mohammed",
         "Omar", "Yousef", "Noura"),
        ("Al-Farsi", "Al-Hashimi", "Al-Mansouri", "Al-Rashid", "El-Sayed", "Haddad", "Hassan",
         "Ibrahim", "Mansour", "Saleh"),
    ),
    "tr": (
        ("Ahmet", "Ayşe", "Can", "Elif", "Emre", "Mehmet", "Zeynep"),
        ("Arslan", "Çelik", "Demir", "Kaya", "Öztürk", "Şahin", "Yılmaz"),
    ),
    "africa": (
        ("Abena", "Adaeze", "Amani", "Chinedu", "Grace", "Jean-Paul", "Kwame", "Mercy",
         "Njeri", "Oluwaseun", "Tendai", "Wanjiru", "Yaw"),
        ("Adeyemi", "Banda", "Kamau", "Mensah", "Moyo", "Mugisha", "Mwangi", "Ndlovu",
         "Okafor", "Okonkwo", "Otieno", "Uwimana"),
    ),
    "latam": (
        ("Andrés", "Camila", "Carlos", "Daniela", "Gabriela", "José", "Juan", "Valentina"),
        ("Castillo", "Díaz", "Gómez", "Hernández", "Morales", "Ramírez", "Rojas", "Vargas"),
    ),
    "el": (
        ("Dimitris", "Eleni", "Georgios", "Katerina", "Nikos", "Sofia"),
        ("Georgiou", "Ioannou", "Konstantinou", "Nikolaou", "Papadopoulos", "Pappas"),
    ),
}  # fmt: skip

REGIONS = {
    "hu": "HU",
    "de": "DE AT CH LI LU",
    "fr": "FR BE MC SN CI CM BJ BF ML NE TG GA CD HT",
    "it": "IT SM MT",
    "es": "ES AD",
    "pt": "PT BR AO MZ CV",
    "slav": "PL CZ SK HR RS SI BA ME MK BG RO MD AL XK",
    "ru": "RU UA BY KZ UZ KG TJ AM AZ GE MN",
    "nordic": "SE NO DK FI IS EE LV LT",
    "en": "GB US CA AU NZ IE JM TT BB BS",
    "zh": "CN TW HK MO",
    "ja": "JP",
    "ko": "KR",
    "in": "IN PK BD LK NP BT MV",
    "sea": "MY ID VN PH SG BN KH LA MM TL PG FJ",
    "th": "TH",
    "ar": "AE SA QA OM KW BH JO LB EG MA TN DZ LY SD IQ SY YE PS MR IR AF DJ SO",
    "tr": "TR CY",
    "africa": "NG KE GH RW UG TZ ZA ZW ZM MW ET BW NA LS SZ SL LR GM GN MG MU SC SS ER BI",
    "latam": "MX AR CL CO PE VE EC BO PY UY CR PA GT HN SV NI DO CU",
    "el": "GR",
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}

ORG_STEMS = (
    "Alpha", "Atlas", "Aurora", "Beacon", "Blue Sky", "Cedar", "Civic", "Compass", "Delta",
    "Equator", "Falcon", "Frontier", "Granite", "Harbour", "Horizon", "Keystone", "Lumen",
    "Meridian", "Nova", "Orbit", "Pioneer", "Polaris", "Quantum", "Summit", "Vertex", "Zenith",
)  # fmt: skip
ORG_FORMS = (
    "Telecom", "Networks", "Digital", "Systems", "Communications", "Labs", "Consulting",
    "Broadband", "Mobile", "Data Centres", "Ventures", "Solutions",
)  # fmt: skip
PUBLIC_BODIES = (
    "Ministry of ICT", "Communications Regulatory Authority", "National University",
    "Institute of Technology", "Chamber of Commerce", "Development Bank",
)  # fmt: skip

JOB_TITLES = {
    JobFunction.EXECUTIVE: ("Chief Executive Officer", "Managing Director", "Vice President"),
    JobFunction.TECHNICAL: ("Network Engineer", "Chief Technology Officer", "Solutions Architect"),
    JobFunction.SALES_MARKETING: ("Head of Sales", "Marketing Manager", "Business Developer"),
    JobFunction.GOVERNMENT_POLICY: ("Policy Adviser", "Director of Regulation", "Counsellor"),
    JobFunction.RESEARCH_ACADEMIA: ("Professor", "Research Fellow", "Lecturer"),
    JobFunction.INVESTOR: ("Investment Manager", "Partner", "Analyst"),
    JobFunction.STUDENT: ("Student", "PhD Candidate", "Intern"),
    JobFunction.OTHER: ("Consultant", "Journalist", "Project Manager"),
}
JOB_WEIGHTS = {
    JobFunction.EXECUTIVE: 22, JobFunction.TECHNICAL: 24, JobFunction.SALES_MARKETING: 18,
    JobFunction.GOVERNMENT_POLICY: 12, JobFunction.RESEARCH_ACADEMIA: 8,
    JobFunction.INVESTOR: 5, JobFunction.STUDENT: 6, JobFunction.OTHER: 5,
}  # fmt: skip
SECTOR_WEIGHTS = {
    Sector.OPERATOR: 22, Sector.EQUIPMENT_VENDOR: 15, Sector.SOFTWARE_SERVICES: 20,
    Sector.STARTUP_SME: 14, Sector.GOVERNMENT_REGULATOR: 11, Sector.ACADEMIA: 7,
    Sector.INTERNATIONAL_ORGANISATION: 4, Sector.E_HEALTH: 2, Sector.EDUCATION: 2,
    Sector.OTHER: 3,
}  # fmt: skip


# --- the editions ------------------------------------------------------------


@dataclass(frozen=True)
class DemoSpec:
    slug: str
    seed: int
    participants: int
    # (ISO code, weight): every country gets at least one participant.
    countries: tuple[tuple[str, int], ...]
    mail_domain: str
    featured_exhibitor: str  # legal name of the exhibitor that invited customers
    forum_share: float = 0.12
    leaders_share: float = 0.18  # of forum delegates
    day_pass_share: float = 0.5  # of visitors
    cancelled_share: float = 0.05
    pending_share: float = 0.02
    professional_share: float = 0.87
    attendance: float = 0.85
    opening: tuple[int, int] = (9, 18)  # local hours of the exhibition
    day_pass_days: tuple[int, ...] = (30, 30, 25, 15)  # relative weight of each day
    promo_codes: tuple[tuple[str, DiscountKind, str, int, str | None], ...] = ()


SPEC_2015 = DemoSpec(
    slug="telecom-world-2015",
    seed=2015,
    participants=3230,
    mail_domain="visitors2015.example.org",
    featured_exhibitor="Danube Networks Kft.",
    countries=(
        # Host country and neighbours.
        ("HU", 1450), ("AT", 110), ("SK", 90), ("RO", 95), ("RS", 60), ("HR", 45), ("SI", 35),
        ("UA", 45),
        # The rest of Europe.
        ("DE", 150), ("CH", 115), ("GB", 105), ("FR", 90), ("IT", 60), ("PL", 75), ("CZ", 60),
        ("NL", 45), ("BE", 40), ("SE", 35), ("FI", 40), ("NO", 20), ("DK", 20), ("ES", 40),
        ("PT", 20), ("IE", 15), ("GR", 25), ("BG", 35), ("TR", 40), ("RU", 70), ("EE", 15),
        ("LV", 10), ("LT", 12), ("LU", 8), ("MT", 6), ("CY", 6), ("BA", 12), ("MK", 10),
        ("ME", 8), ("AL", 8), ("MD", 8), ("BY", 10),
        # Asia and the Pacific.
        ("CN", 85), ("KR", 55), ("JP", 40), ("IN", 60), ("TH", 30), ("MY", 30), ("ID", 28),
        ("VN", 25), ("SG", 25), ("PH", 15), ("BD", 12), ("PK", 12), ("LK", 8), ("NP", 5),
        ("KH", 4), ("LA", 3), ("MM", 4), ("MN", 5), ("AU", 15), ("NZ", 5),
        ("TW", 8), ("HK", 10),
        # Central Asia and the Caucasus.
        ("KZ", 12), ("UZ", 6), ("KG", 4), ("AZ", 12), ("GE", 8), ("AM", 6),
        # Middle East and North Africa.
        ("AE", 40), ("SA", 35), ("OM", 15), ("QA", 15), ("KW", 8), ("BH", 6), ("JO", 8),
        ("LB", 6), ("EG", 30), ("MA", 15), ("TN", 15), ("DZ", 8), ("IR", 10), ("IQ", 5),
        ("PS", 3), ("SD", 4), ("AF", 3),
        # Sub-Saharan Africa.
        ("NG", 40), ("KE", 35), ("ZA", 30), ("GH", 20), ("RW", 20), ("UG", 12), ("TZ", 12),
        ("ET", 10), ("SN", 10), ("CI", 8), ("CM", 8), ("ZW", 8), ("ZM", 6), ("MW", 4),
        ("BW", 5), ("NA", 4), ("MZ", 5), ("AO", 5), ("BF", 4), ("BJ", 4), ("ML", 3),
        ("NE", 3), ("TG", 3), ("GA", 3), ("CD", 4), ("MG", 3), ("MU", 4), ("GM", 2),
        ("SL", 2),
        # The Americas.
        ("US", 90), ("CA", 20), ("BR", 30), ("MX", 20), ("AR", 10), ("CL", 8), ("CO", 10),
        ("PE", 6), ("CR", 4), ("DO", 3), ("JM", 3), ("TT", 3), ("PA", 3), ("EC", 3),
        ("BB", 2),
    ),
    promo_codes=(
        ("EARLYBIRD15", DiscountKind.PERCENT, "15", 400, None),
        ("ITU-MEMBER", DiscountKind.PERCENT, "25", 250, "full"),
        ("STUDENT40", DiscountKind.AMOUNT, "40", 150, "day"),
    ),
)  # fmt: skip

SPEC_2013 = DemoSpec(
    slug="telecom-world-2013",
    seed=2013,
    participants=2600,
    mail_domain="visitors2013.example.org",
    featured_exhibitor="Siam Broadband Co., Ltd.",
    forum_share=0.15,
    day_pass_share=0.58,
    attendance=0.82,
    opening=(10, 18),
    day_pass_days=(28, 30, 27, 15),
    countries=(
        ("TH", 820), ("CN", 140), ("MY", 90), ("ID", 85), ("VN", 80), ("SG", 70), ("PH", 55),
        ("KR", 70), ("JP", 65), ("IN", 75), ("KH", 35), ("LA", 25), ("MM", 30), ("BD", 25),
        ("PK", 18), ("LK", 15), ("NP", 10), ("BT", 4), ("MN", 6), ("BN", 6), ("TW", 20),
        ("HK", 25), ("AU", 35), ("NZ", 8), ("FJ", 5), ("PG", 4), ("TL", 3),
        ("AE", 35), ("SA", 30), ("OM", 10), ("QA", 12), ("KW", 6), ("EG", 15), ("IR", 8),
        ("JO", 5), ("AF", 4),
        ("US", 70), ("CA", 12), ("BR", 10), ("MX", 6), ("AR", 4), ("CL", 3), ("CO", 4),
        ("GB", 45), ("DE", 35), ("FR", 30), ("CH", 45), ("IT", 12), ("ES", 10), ("NL", 12),
        ("SE", 15), ("FI", 15), ("NO", 6), ("DK", 5), ("BE", 8), ("AT", 6), ("HU", 20),
        ("PL", 6), ("RU", 25), ("UA", 5), ("TR", 10), ("IE", 4), ("PT", 3), ("GR", 3),
        ("CZ", 4), ("RO", 3), ("KZ", 6), ("UZ", 3), ("AZ", 4),
        ("NG", 25), ("KE", 22), ("ZA", 18), ("GH", 10), ("RW", 12), ("UG", 8), ("TZ", 8),
        ("ET", 6), ("SN", 5), ("ZW", 4), ("ZM", 3), ("CM", 3), ("CI", 3), ("MU", 3),
        ("BW", 2), ("NA", 2), ("MA", 6), ("TN", 5), ("SD", 3),
    ),
    promo_codes=(
        ("EARLYBIRD", DiscountKind.PERCENT, "10", 300, None),
        ("ASEAN-SME", DiscountKind.PERCENT, "30", 120, "full"),
    ),
)  # fmt: skip

SPECS = {spec.slug: spec for spec in (SPEC_2013, SPEC_2015)}


# --- the plan ----------------------------------------------------------------


@dataclass
class PersonPlan:
    email: str
    full_name: str
    country: str
    organisation_name: str
    job_title: str
    job_function: JobFunction
    sector: str
    registered: datetime


@dataclass
class RegistrationPlan:
    person: PersonPlan
    category: RegistrationCategory
    status: RegistrationStatus
    ticket: str
    valid_from: date
    valid_until: date
    purpose: VisitPurpose
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    promo: str | None = None
    invitation: str | None = None  # the code it used
    check_ins: list[datetime] = field(default_factory=list)  # UTC entry times


@dataclass
class InvitationPlan:
    code: str
    ticket: str
    exhibitor: bool  # else an organizers' code
    invitee_email: str
    used_at: datetime | None = None


@dataclass
class DemoPlan:
    registrations: list[RegistrationPlan]
    invitations: list[InvitationPlan]
    promo_uses: Counter


def _allocate(total: int, weights: tuple[tuple[str, int], ...]) -> list[str]:
    """Exactly `total` countries: at least one each, the rest by largest remainder."""
    assert total >= len(weights)
    left = total - len(weights)
    weight_sum = sum(w for _code, w in weights)
    shares = [(code, left * w / weight_sum) for code, w in weights]
    counts = {code: 1 + int(share) for code, share in shares}
    remainder = total - sum(counts.values())
    by_fraction = sorted(shares, key=lambda item: (-(item[1] - int(item[1])), item[0]))
    for code, _share in by_fraction[:remainder]:
        counts[code] += 1
    return [code for code, _w in weights for _n in range(counts[code])]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _weighted(rng: random.Random, weights: dict) -> object:  # type: ignore[type-arg]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _entry_time(rng: random.Random, day: date, tz: ZoneInfo, opening: tuple[int, int]) -> datetime:
    """A gate entry within opening hours, most people in the morning (local time)."""
    first, last = opening
    minutes = int(rng.triangular(0, (last - first) * 60 - 1, 60))
    local = datetime.combine(day, time(first)) + timedelta(
        minutes=minutes, seconds=rng.randrange(60)
    )
    return local.replace(tzinfo=tz).astimezone(UTC)


def _new_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "INV-" + "-".join(
            "".join(rng.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(2)
        )
        if code not in taken:
            taken.add(code)
            return code


def plan_participants(spec: DemoSpec, start: date, end: date, tz_name: str) -> DemoPlan:
    """Everything of one edition's participants, from the seed alone."""
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    tz = ZoneInfo(tz_name)
    countries = _allocate(spec.participants, spec.countries)
    rng.shuffle(countries)
    days = _days(start, end)
    sale_open = datetime.combine(start - timedelta(days=180), time(9), tzinfo=UTC)
    last_sale = datetime.combine(end, time(8), tzinfo=UTC)
    taken_codes: set[str] = set()
    registrations: list[RegistrationPlan] = []
    invitations: list[InvitationPlan] = []
    promo_uses: Counter = Counter()
    exhibitor_used = 0

    for number, country in enumerate(countries, start=1):
        region = REGION_OF.get(country, "en")
        given, family = NAMES[region]
        first, last = rng.choice(given), rng.choice(family)
        job_function = _weighted(rng, JOB_WEIGHTS)
        sector = _weighted(rng, SECTOR_WEIGHTS)
        if sector in (Sector.GOVERNMENT_REGULATOR, Sector.ACADEMIA) and rng.random() < 0.8:
            organisation = rng.choice(PUBLIC_BODIES)
        else:
            organisation = f"{rng.choice(ORG_STEMS)} {rng.choice(ORG_FORMS)}"
        forum = rng.random() < spec.forum_share
        if forum:
            category = RegistrationCategory.FORUM_DELEGATE
            ticket = "leaders" if rng.random() < spec.leaders_share else "forum"
        else:
            category = RegistrationCategory.VISITOR
            ticket = "day" if rng.random() < spec.day_pass_share else "full"
        if ticket == "day":
            day = rng.choices(days, weights=spec.day_pass_days[: len(days)])[0]
            valid_from = valid_until = day
        else:
            valid_from, valid_until = start, end
        # Most people register in the last two months, many in the last week; all
        # before the day their pass starts (at the latest the eve, in any time zone).
        registered = sale_open + (last_sale - sale_open) * rng.triangular(0.2, 1.0, 0.97)
        eve = datetime.combine(valid_from - timedelta(days=1), time(12), tzinfo=UTC)
        registered = min(registered, eve - timedelta(minutes=rng.randrange(0, 2000)))
        registered = registered.replace(microsecond=0)
        person = PersonPlan(
            email=f"{_ascii(first)}.{_ascii(last)}.{number:05d}@{country.lower()}."
            f"{spec.mail_domain}",
            full_name=f"{first} {last}",
            country=country,
            organisation_name=organisation,
            job_title=rng.choice(JOB_TITLES[job_function]),  # type: ignore[index]
            job_function=job_function,  # type: ignore[arg-type]
            sector=str(sector.value),  # type: ignore[attr-defined]
            registered=registered,
        )

        roll = rng.random()
        if roll < spec.cancelled_share:
            status = RegistrationStatus.CANCELLED
        elif roll < spec.cancelled_share + spec.pending_share:
            status = RegistrationStatus.PENDING
        else:
            status = RegistrationStatus.CONFIRMED
        confirmed_at = (
            registered + timedelta(minutes=rng.randrange(2, 600))
            if status != RegistrationStatus.PENDING
            else None
        )
        cancelled_at = None
        if status == RegistrationStatus.CANCELLED:
            assert confirmed_at is not None
            cancelled_at = min(confirmed_at + timedelta(days=rng.randrange(1, 30)), last_sale)
            cancelled_at = max(cancelled_at, confirmed_at)
        purpose = (
            VisitPurpose.PROFESSIONAL
            if forum or rng.random() < spec.professional_share
            else VisitPurpose.GENERAL
        )
        plan = RegistrationPlan(
            person=person, category=category, status=status, ticket=ticket,
            valid_from=valid_from, valid_until=valid_until, purpose=purpose,
            confirmed_at=confirmed_at, cancelled_at=cancelled_at,
        )  # fmt: skip

        # Codes: leaders were invited by the organizers; some visitors by an exhibitor;
        # a few paid passes used a promo code.
        if ticket == "leaders":
            code = _new_code(rng, taken_codes)
            invitations.append(InvitationPlan(code, "leaders", False, person.email, registered))
            plan.invitation = code
        elif ticket == "full" and rng.random() < 0.006 and exhibitor_used < 12:
            code = _new_code(rng, taken_codes)
            invitations.append(InvitationPlan(code, "full", True, person.email, registered))
            exhibitor_used += 1  # within the exhibitor's quota of the full pass
            plan.invitation = code
        elif rng.random() < 0.05:
            usable = [
                promo_code
                for promo_code, _kind, _value, max_uses, only in spec.promo_codes
                if (only is None or only == ticket) and promo_uses[promo_code] < max_uses
            ]
            if usable:
                plan.promo = rng.choice(usable)
                promo_uses[plan.promo] += 1

        if status == RegistrationStatus.CONFIRMED and rng.random() < spec.attendance:
            valid_days = _days(valid_from, valid_until)
            if len(valid_days) == 1:
                chosen = valid_days
            else:
                count = rng.choices((1, 2, 3, 4), weights=(34, 30, 20, 16))[0]
                chosen = sorted(rng.sample(valid_days, min(count, len(valid_days))))
            plan.check_ins = [_entry_time(rng, day, tz, spec.opening) for day in chosen]
        registrations.append(plan)

    # Unused codes: the leaders' invitations not taken up, the exhibitor's spare ones.
    for _n in range(12):
        invitations.append(InvitationPlan(_new_code(rng, taken_codes), "leaders", False, ""))
    for _n in range(8):
        invitations.append(InvitationPlan(_new_code(rng, taken_codes), "full", True, ""))
    return DemoPlan(registrations, invitations, promo_uses)


# --- loading -----------------------------------------------------------------


def _load_passes(edition: Edition, created: Counter) -> dict[str, PassType]:
    existing = {
        p.name: p
        for p in db.session.scalars(select(PassType).where(PassType.edition_id == edition.id))
    }
    tz = edition.tz
    sale_start = datetime.combine(edition.start_date - timedelta(days=180), time(9), tzinfo=tz)
    sale_end = datetime.combine(edition.end_date, time(16), tzinfo=tz)
    passes = {}
    for spec in PASSES:
        pass_type = existing.get(spec.name)
        if pass_type is None:
            pass_type = PassType(
                edition_id=edition.id, name=spec.name, description=spec.description,
                categories=spec.categories, price=pass_price(spec, edition.currency),
                valid_from=edition.start_date, valid_until=edition.end_date,
                days_valid=spec.days_valid, capacity=spec.capacity,
                sale_starts_at=sale_start.astimezone(UTC), sale_ends_at=sale_end.astimezone(UTC),
                forum_access=spec.forum_access, invitation_only=spec.invitation_only,
                exhibitor_invitations=spec.exhibitor_invitations, active=True, issued=0,
            )  # fmt: skip
            db.session.add(pass_type)
            created["pass_types"] += 1
        passes[spec.key] = pass_type
    db.session.flush()
    return passes


def _load_promos(
    edition: Edition, spec: DemoSpec, plan: DemoPlan, passes: dict[str, PassType],
    created: Counter,
) -> dict[str, int]:  # fmt: skip
    existing = {
        p.code: p
        for p in db.session.scalars(select(PromoCode).where(PromoCode.edition_id == edition.id))
    }
    sale_open = datetime.combine(edition.start_date - timedelta(days=180), time(9), tzinfo=UTC)
    for code, kind, value, max_uses, only in spec.promo_codes:
        if code in existing:
            continue
        promo = PromoCode(
            edition_id=edition.id, code=code, kind=kind, value=Decimal(value),
            max_uses=max_uses, uses=0, valid_from=sale_open,
            valid_until=datetime.combine(edition.end_date, time(12), tzinfo=UTC),
            pass_type_id=passes[only].id if only else None, active=True,
        )  # fmt: skip
        db.session.add(promo)
        existing[code] = promo
        created["promo_codes"] += 1
    db.session.flush()
    return {code: promo.id for code, promo in existing.items()}


def _load_invitations(
    edition: Edition, spec: DemoSpec, plan: DemoPlan, passes: dict[str, PassType],
    created: Counter,
) -> dict[str, int]:  # fmt: skip
    exhibitor_id = db.session.scalar(
        select(Organisation.id).where(
            Organisation.edition_id == edition.id,
            Organisation.legal_name == spec.featured_exhibitor,
        )
    )
    planned = [i.code for i in plan.invitations]
    existing = dict(
        db.session.execute(
            select(InvitationCode.code, InvitationCode.id).where(
                InvitationCode.edition_id == edition.id, InvitationCode.code.in_(planned)
            )
        ).all()
    )
    issued = datetime.combine(edition.start_date - timedelta(days=30), time(9), tzinfo=UTC)
    rows = []
    for invitation in plan.invitations:
        if invitation.code in existing:
            continue
        if invitation.exhibitor and exhibitor_id is None:
            continue  # the exhibition demo is not loaded: no exhibitor to invite
        rows.append(
            {
                "edition_id": edition.id,
                "organisation_id": exhibitor_id if invitation.exhibitor else None,
                "pass_type_id": passes[invitation.ticket].id,
                "code": invitation.code,
                "invitee_email": invitation.invitee_email,
                "used_at": invitation.used_at,
                "created_at": (invitation.used_at or issued) - timedelta(days=3),
                "updated_at": invitation.used_at or issued,
            }
        )
    if rows:
        db.session.execute(insert(InvitationCode), rows)
        created["invitation_codes"] += len(rows)
        existing = dict(
            db.session.execute(
                select(InvitationCode.code, InvitationCode.id).where(
                    InvitationCode.edition_id == edition.id, InvitationCode.code.in_(planned)
                )
            ).all()
        )
    return existing


def _by_domain(column, domain: str):  # type: ignore[no-untyped-def]
    return column.like(f"%.{domain}")


def load_participants_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's participants; return counts created."""
    created: Counter = Counter()
    spec = SPECS.get(edition.slug)
    if spec is None:
        return dict.fromkeys(COUNT_KEYS, 0)
    plan = plan_participants(spec, edition.start_date, edition.end_date, edition.timezone)
    passes = _load_passes(edition, created)
    promo_ids = _load_promos(edition, spec, plan, passes, created)
    invitation_ids = _load_invitations(edition, spec, plan, passes, created)

    # People, by e-mail.
    people = dict(
        db.session.execute(
            select(Person.email, Person.id).where(_by_domain(Person.email, spec.mail_domain))
        ).all()
    )
    rows = [
        {
            "email": r.person.email, "full_name": r.person.full_name,
            "organisation_name": r.person.organisation_name, "job_title": r.person.job_title,
            "country": r.person.country, "job_function": r.person.job_function,
            "sector": r.person.sector, "accessibility_needs": "", "locale": None,
            "consent_at": r.person.registered, "created_at": r.person.registered,
            "updated_at": r.person.registered,
        }
        for r in plan.registrations
        if r.person.email not in people
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(Person), rows)
        created["people"] += len(rows)
        people = dict(
            db.session.execute(
                select(Person.email, Person.id).where(_by_domain(Person.email, spec.mail_domain))
            ).all()
        )

    # Registrations, by person and category.
    def existing_registrations() -> dict[tuple[int, str], int]:
        found = db.session.execute(
            select(Registration.person_id, Registration.category, Registration.id)
            .join(Person, Person.id == Registration.person_id)
            .where(
                Registration.edition_id == edition.id,
                _by_domain(Person.email, spec.mail_domain),
            )
        ).all()
        return {(p, str(c)): i for p, c, i in found}

    registrations = existing_registrations()
    rows = []
    for r in plan.registrations:
        person_id = people[r.person.email]
        if (person_id, str(r.category)) in registrations:
            continue
        pass_type = passes[r.ticket]
        rows.append({
            "person_id": person_id, "edition_id": edition.id, "category": r.category,
            "status": r.status, "pass_type_id": pass_type.id, "valid_from": r.valid_from,
            "valid_until": r.valid_until, "forum_access": pass_type.forum_access,
            "purpose": r.purpose, "badge_version": 1,
            "email_confirmed_at": r.confirmed_at, "confirmed_at": r.confirmed_at,
            "cancelled_at": r.cancelled_at,
            "invitation_code_id": invitation_ids.get(r.invitation) if r.invitation else None,
            "promo_code_id": promo_ids.get(r.promo) if r.promo else None,
            "created_at": r.person.registered,
            "updated_at": r.cancelled_at or r.confirmed_at or r.person.registered,
        })  # fmt: skip
    if rows:
        db.session.execute(insert(Registration), rows)
        created["registrations"] += len(rows)
        registrations = existing_registrations()

    # Gate check-ins, one per person and day.
    seen = set(
        db.session.execute(
            select(CheckIn.person_id, CheckIn.day).where(
                CheckIn.edition_id == edition.id, CheckIn.point == CheckInPoint.GATE
            )
        ).all()
    )
    rows = []
    tz = edition.tz
    for r in plan.registrations:
        person_id = people[r.person.email]
        registration_id = registrations[(person_id, str(r.category))]
        for moment in r.check_ins:
            day = moment.astimezone(tz).date()
            if (person_id, day) in seen:
                continue
            seen.add((person_id, day))
            rows.append({
                "edition_id": edition.id, "person_id": person_id,
                "registration_id": registration_id, "category": r.category, "day": day,
                "point": CheckInPoint.GATE, "point_ref": "", "scanned_at": moment,
                "staff_id": None,
            })  # fmt: skip
    if rows:
        db.session.execute(insert(CheckIn), rows)
        created["check_ins"] += len(rows)

    _recount(edition, passes)
    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}


def _recount(edition: Edition, passes: dict[str, PassType]) -> None:
    """Passes hold a place per pending or confirmed registration; promo uses are counted."""
    held = dict(
        db.session.execute(
            select(Registration.pass_type_id, func.count(Registration.id))
            .where(
                Registration.edition_id == edition.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .group_by(Registration.pass_type_id)
        ).all()
    )
    for pass_type in passes.values():
        pass_type.issued = max(pass_type.issued, held.get(pass_type.id, 0))
    uses = dict(
        db.session.execute(
            select(Registration.promo_code_id, func.count(Registration.id))
            .where(Registration.edition_id == edition.id, Registration.promo_code_id.is_not(None))
            .group_by(Registration.promo_code_id)
        ).all()
    )
    for promo in db.session.scalars(select(PromoCode).where(PromoCode.edition_id == edition.id)):
        promo.uses = max(promo.uses, min(uses.get(promo.id, 0), promo.max_uses))


def load_participants_demos() -> dict[str, int]:
    """Every demo edition that exists; counts of records created, summed."""
    created: Counter = Counter()
    for slug in SPECS:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is not None:
            created.update(load_participants_demo(edition))
    return {key: created[key] for key in COUNT_KEYS}
