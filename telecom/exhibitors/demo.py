"""Exhibition demo data: floor plans, exhibitors, pavilions and bookings.

2015 (Budapest, HUNGEXPO halls F and G) reproduces the published figures:
about 13,000 sqm of booths booked (net: confirmed and paid bookings), 238
exhibitors (UFI rule: organisations with a confirmed or paid booking plus
approved co-exhibitors) from 54 countries, 23 of them with a national
pavilion. 2013 (Bangkok, IMPACT Challenger 1 and 2) gets its own smaller plan.

The plan is computed first, without the database, by pure arithmetic and a
seeded `random.Random`: every run plans the same halls, booths, organisations
and bookings. The loader then inserts only the records that are missing,
looked up by natural key (hall code, booth code, legal name, booth and
organisation of a booking), one flush per table and one commit per edition.
It calls no booking service on purpose: these would lock, audit and mail
hundreds of times for data that is history.

Fictional: every organisation name is generated from parts, every website is
on the reserved `.example` domain.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from babel import Locale
from sqlalchemy import select

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    CoExhibitorStatus,
    ExhibitionSettings,
    Hall,
    Organisation,
    OrganisationMember,
    PavilionKind,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services.pricing import price_booth
from telecom.extensions import db

DEMO_EXHIBITOR_EMAIL = "exhibitor@telecom-world.example"

# --- floor-plan geometry (metres) --------------------------------------------

MARGIN = 6  # perimeter aisle along the hall walls
BAND_GAP = 4  # aisle between two bands of blocks
AISLE = 3  # aisle between two blocks of a band
CROSS_AISLE = 6  # the main aisle down the middle of the hall

# Band kinds, one letter each in HallSpec.bands:
#   I  islands (and peninsula pairs), space only, 18 m deep
#   S  two back-to-back rows of space-only booths, 6 m deep each
#   H  two back-to-back rows of shell-scheme booths, 3 m deep each
BAND_DEPTH = {"I": 18, "S": 12, "H": 6}
BLOCK_LENGTHS = {"I": (12, 15, 18, 24, 30), "S": (18, 24, 30, 36), "H": (15, 18, 21, 24, 27)}
ROW_WIDTHS = {"S": (6, 6, 9, 9, 12), "H": (3, 4, 4, 6, 6)}
PENINSULA_WIDTHS = (9, 12)


@dataclass(frozen=True)
class HallSpec:
    code: str
    name: str
    width: int
    depth: int
    bands: str  # band kinds from the entrance (y = 0) to the back wall


@dataclass(frozen=True)
class BoothPlan:
    code: str
    hall: str
    x: int
    y: int
    width: int
    depth: int
    booth_type: BoothType
    open_sides: int

    @property
    def area(self) -> int:
        return self.width * self.depth


def _split(length: int, choices: tuple[int, ...], rng: random.Random, gap: int) -> list[int]:
    """Cut `length` into pieces from `choices` separated by `gap`; the last takes the rest."""
    pieces, left, shortest = [], length, min(choices)
    while left > 0:
        piece = rng.choice(choices)
        if left - piece - gap < shortest:
            piece = left
        pieces.append(piece)
        left -= piece + gap
    return pieces


def _row_booths(
    x: int, y: int, length: int, depth: int, kind: str, rng: random.Random,
    open_left: bool, open_right: bool,
) -> list[tuple[int, int, int, int, int]]:  # fmt: skip
    """One row of a block: (x, y, width, depth, open sides), corners at the open ends."""
    widths = _split(length, ROW_WIDTHS[kind], rng, gap=0)
    booths = []
    for i, width in enumerate(widths):
        sides = 1 + (i == 0 and open_left) + (i == len(widths) - 1 and open_right)
        booths.append((x, y, width, depth, sides))
        x += width
    return booths


def _block_booths(
    kind: str, x: int, y: int, length: int, rng: random.Random
) -> list[tuple[int, int, int, int, int]]:
    depth = BAND_DEPTH[kind]
    if kind == "I":
        if length > 30 or (length > 18 and rng.random() < 0.4):
            half = length // 2  # a peninsula pair, back to back
            return [(x, y, half, depth, 3), (x + half, y, length - half, depth, 3)]
        return [(x, y, length, depth, 4)]
    booths = []
    left_end = right_end = 0
    if kind == "S" and length >= 24:
        if rng.random() < 0.35:
            left_end = rng.choice(PENINSULA_WIDTHS)
            booths.append((x, y, left_end, depth, 3))
        if rng.random() < 0.35 and length - left_end >= 18:
            right_end = rng.choice(PENINSULA_WIDTHS)
            booths.append((x + length - right_end, y, right_end, depth, 3))
    inner = length - left_end - right_end
    for row_y in (y, y + depth // 2):
        booths += _row_booths(
            x + left_end, row_y, inner, depth // 2, kind, rng,
            open_left=not left_end, open_right=not right_end,
        )  # fmt: skip
    return booths


def layout_hall(hall: HallSpec, rng: random.Random) -> list[BoothPlan]:
    """Bands of blocks across the hall, split by a central aisle; booths coded by band."""
    usable = hall.width - 2 * MARGIN - CROSS_AISLE
    halves = ((MARGIN, usable // 2), (MARGIN + usable // 2 + CROSS_AISLE, usable - usable // 2))
    plans: list[BoothPlan] = []
    y = MARGIN
    for band_no, kind in enumerate(hall.bands, start=1):
        raw: list[tuple[int, int, int, int, int]] = []
        for start, length in halves:
            x = start
            for block in _split(length, BLOCK_LENGTHS[kind], rng, gap=AISLE):
                raw += _block_booths(kind, x, y, block, rng)
                x += block + AISLE
        booth_type = BoothType.SHELL_SCHEME if kind == "H" else BoothType.SPACE_ONLY
        raw.sort(key=lambda b: (b[0], b[1]))
        assert len(raw) < 100, f"band {band_no} of hall {hall.code} has too many booths"
        for seq, (bx, by, width, depth, sides) in enumerate(raw, start=1):
            plans.append(
                BoothPlan(f"{hall.code}-{band_no}{seq:02d}", hall.code, bx, by, width, depth,
                          booth_type, sides)
            )  # fmt: skip
        y += BAND_DEPTH[kind] + BAND_GAP
    assert y - BAND_GAP <= hall.depth - MARGIN, f"hall {hall.code} is too shallow for its bands"
    return plans


# --- organisations -----------------------------------------------------------

# Stems (places, rivers, mountains) and legal forms per country, for names such
# as "Danube Networks Kft."; the city goes into the billing address.
COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "HU": (("Danube", "Pannon", "Tisza", "Balaton", "Matra", "Bakony"),
           ("{} Kft.", "{} Zrt."), "Budapest"),
    "CN": (("Yangtze", "Pearl River", "Kunlun", "Huashan", "Taihu"), ("{} Co., Ltd.",), "Shenzhen"),
    "KR": (("Hallasan", "Hangang", "Seorak", "Baekdu"), ("{} Co., Ltd.", "{} Inc."), "Seoul"),
    "RU": (("Volga", "Ural", "Baikal", "Neva"), ("{} JSC", "{} LLC"), "Moscow"),
    "TH": (("Chao Phraya", "Siam", "Andaman", "Lanna", "Isan"),
           ("{} Co., Ltd.", "{} PCL"), "Bangkok"),
    "MY": (("Langkawi", "Kinabalu", "Selangor", "Melaka"),
           ("{} Sdn. Bhd.", "{} Berhad"), "Kuala Lumpur"),
    "ID": (("Nusantara", "Merapi", "Bromo", "Toba"), ("PT {}",), "Jakarta"),
    "VN": (("Mekong", "Halong", "Truong Son", "Hoan Kiem"), ("{} JSC", "{} Co., Ltd."), "Hanoi"),
    "IN": (("Ganges", "Deccan", "Himalaya", "Konkan", "Nilgiri"),
           ("{} Pvt. Ltd.", "{} Ltd."), "Bengaluru"),
    "AE": (("Falcon", "Oasis", "Dune", "Khor"), ("{} LLC", "{} FZ-LLC"), "Dubai"),
    "SA": (("Najd", "Hijaz", "Asir", "Tihama"), ("{} Co.",), "Riyadh"),
    "OM": (("Dhofar", "Jebel Akhdar", "Wahiba"), ("{} LLC", "{} SAOG"), "Muscat"),
    "EG": (("Nile", "Sinai", "Luxor", "Faiyum"), ("{} S.A.E.",), "Cairo"),
    "MA": (("Atlas", "Rif", "Souss"), ("{} SARL", "{} SA"), "Casablanca"),
    "TN": (("Carthage", "Medjerda", "Djerba"), ("{} SARL",), "Tunis"),
    "NG": (("Niger Delta", "Zuma", "Obudu", "Benue"), ("{} Ltd.", "{} Plc"), "Lagos"),
    "KE": (("Tsavo", "Turkana", "Savannah", "Naivasha"), ("{} Ltd.",), "Nairobi"),
    "RW": (("Kivu", "Virunga", "Akagera"), ("{} Ltd.",), "Kigali"),
    "ZA": (("Table Mountain", "Karoo", "Drakensberg", "Limpopo"),
           ("{} (Pty) Ltd.",), "Johannesburg"),
    "GH": (("Volta", "Ashanti", "Akosombo"), ("{} Ltd.",), "Accra"),
    "BR": (("Amazonas", "Ipanema", "Paraná", "Serra Verde"), ("{} Ltda.", "{} S.A."), "São Paulo"),
    "MX": (("Azteca", "Sierra Madre", "Yucatán", "Pacífico"), ("{} S.A. de C.V.",), "Mexico City"),
    "AZ": (("Caspian", "Absheron", "Shahdag"), ("{} LLC", "{} CJSC"), "Baku"),
    "US": (("Redwood", "Hudson", "Cascade", "Bluegrass", "Mesa", "Lakeshore"),
           ("{} Inc.", "{} LLC", "{} Corp."), "San Jose"),
    "GB": (("Thames", "Pennine", "Cotswold", "Severn"), ("{} Ltd", "{} plc"), "London"),
    "DE": (("Rhein", "Elbe", "Harz", "Schwarzwald", "Spree"), ("{} GmbH", "{} AG"), "Munich"),
    "FR": (("Loire", "Provence", "Mont Blanc", "Seine"), ("{} SAS", "{} SA"), "Paris"),
    "CH": (("Léman", "Jura", "Gotthard", "Aare"), ("{} AG", "{} SA", "{} GmbH"), "Geneva"),
    "SE": (("Norrland", "Vättern", "Kebnekaise"), ("{} AB",), "Stockholm"),
    "FI": (("Saimaa", "Lapland", "Koli"), ("{} Oy",), "Helsinki"),
    "NO": (("Lofoten", "Dovre", "Hardanger"), ("{} AS", "{} ASA"), "Oslo"),
    "DK": (("Jutland", "Kattegat", "Limfjord"), ("{} A/S", "{} ApS"), "Copenhagen"),
    "NL": (("Polder", "Zuiderzee", "Veluwe"), ("{} B.V.", "{} N.V."), "Amsterdam"),
    "BE": (("Ardennes", "Scheldt", "Brabant"), ("{} NV", "{} SA"), "Brussels"),
    "ES": (("Iberia", "Sierra Nevada", "Meseta", "Cantabria"), ("{} S.L.", "{} S.A."), "Madrid"),
    "IT": (("Appennino", "Dolomiti", "Tevere", "Vesuvio"), ("{} S.r.l.", "{} S.p.A."), "Milan"),
    "AT": (("Alpen", "Wachau", "Tirol"), ("{} GmbH",), "Vienna"),
    "PL": (("Vistula", "Tatra", "Mazovia"), ("{} Sp. z o.o.", "{} S.A."), "Warsaw"),
    "CZ": (("Vltava", "Morava", "Krkonoše"), ("{} s.r.o.", "{} a.s."), "Prague"),
    "SK": (("Váh", "Fatra", "Hron"), ("{} s.r.o.", "{} a.s."), "Bratislava"),
    "RO": (("Carpathian", "Olt", "Bucegi"), ("{} S.R.L.", "{} S.A."), "Bucharest"),
    "BG": (("Balkan", "Rila", "Pirin"), ("{} EOOD", "{} AD"), "Sofia"),
    "RS": (("Šumadija", "Tara", "Kopaonik"), ("{} d.o.o.",), "Belgrade"),
    "HR": (("Adriatic", "Velebit", "Dalmatia"), ("{} d.o.o.", "{} d.d."), "Zagreb"),
    "SI": (("Triglav", "Soča", "Pohorje"), ("{} d.o.o.",), "Ljubljana"),
    "IL": (("Carmel", "Galilee", "Negev"), ("{} Ltd.",), "Tel Aviv"),
    "JP": (("Sakura", "Fuji", "Seto", "Hokuto"), ("{} K.K.", "{} Co., Ltd."), "Tokyo"),
    "SG": (("Merlion", "Sentosa", "Straits"), ("{} Pte. Ltd.",), "Singapore"),
    "CA": (("Maple", "Laurentian", "Okanagan", "Rideau"), ("{} Inc.", "{} Ltd."), "Toronto"),
    "AU": (("Southern Cross", "Coral Sea", "Murray", "Outback"), ("{} Pty Ltd",), "Sydney"),
    "IE": (("Shannon", "Liffey", "Connemara"), ("{} Ltd.", "{} DAC"), "Dublin"),
    "PT": (("Tejo", "Douro", "Algarve"), ("{} Lda.", "{} S.A."), "Lisbon"),
    "UA": (("Dnipro", "Polissia", "Tavria"), ("{} LLC",), "Kyiv"),
    "TR": (("Anatolia", "Bosphorus", "Kapadokya"), ("{} A.Ş.",), "Istanbul"),
    "PH": (("Luzon", "Mayon", "Visayas"), ("{} Inc.", "{} Corp."), "Manila"),
    "BD": (("Padma", "Sundarbans", "Meghna"), ("{} Ltd.",), "Dhaka"),
    "KH": (("Angkor", "Tonle Sap"), ("{} Co., Ltd.",), "Phnom Penh"),
    "MM": (("Irrawaddy", "Bagan"), ("{} Co., Ltd.",), "Yangon"),
    "LK": (("Lanka", "Kandy", "Ruhuna"), ("{} (Pvt) Ltd",), "Colombo"),
}  # fmt: skip

CORE_WORDS: dict[Sector, tuple[str, ...]] = {
    Sector.OPERATOR: ("Telecom", "Mobile", "Broadband", "Fibre", "Connect", "Telekom"),
    Sector.EQUIPMENT_VENDOR: ("Networks", "Photonics", "Radio Systems", "Microwave",
                              "Antenna Works", "Semiconductor"),
    Sector.SOFTWARE_SERVICES: ("Software", "Cloud", "Data Systems", "Digital", "Analytics",
                               "Cyber Security", "Systems Integration"),
    Sector.STARTUP_SME: ("Labs", "Sensors", "IoT", "Apps", "Robotics", "Drones", "Smart Grid"),
    Sector.E_HEALTH: ("Health", "MedTech", "Telecare", "eHealth Solutions"),
    Sector.EDUCATION: ("Learning", "EduTech", "Academy"),
    Sector.ACADEMIA: ("Institute of Technology", "University of Applied Sciences"),
    Sector.OTHER: ("Media", "Satellite", "Energy Systems"),
}  # fmt: skip

DESCRIPTIONS: dict[Sector, str] = {
    Sector.OPERATOR: "Mobile and fixed network operator serving consumers and businesses.",
    Sector.EQUIPMENT_VENDOR: "Designs and builds radio, transport and core network equipment.",
    Sector.SOFTWARE_SERVICES: "Software, cloud and integration services for operators.",
    Sector.STARTUP_SME: "A young company bringing connected products to market.",
    Sector.GOVERNMENT_REGULATOR: "Promotes the country's digital economy and its ICT exporters.",
    Sector.ACADEMIA: "Research and teaching in telecommunications and computing.",
    Sector.INTERNATIONAL_ORGANISATION: "An intergovernmental body working on digital development.",
    Sector.E_HEALTH: "Connected health: remote monitoring, telemedicine and health records.",
    Sector.EDUCATION: "Digital learning for schools, universities and professionals.",
    Sector.OTHER: "Technology and services for the connected world.",
}

# Sectors by turnover band, with weights: the big players are operators and vendors.
SECTORS_BY_BAND: dict[TurnoverBand, tuple[tuple[Sector, int], ...]] = {
    TurnoverBand.OVER_10B: ((Sector.OPERATOR, 4), (Sector.EQUIPMENT_VENDOR, 4),
                            (Sector.SOFTWARE_SERVICES, 2)),
    TurnoverBand.FROM_1B_TO_10B: ((Sector.OPERATOR, 3), (Sector.EQUIPMENT_VENDOR, 3),
                                  (Sector.SOFTWARE_SERVICES, 2), (Sector.OTHER, 1)),
    TurnoverBand.FROM_100M_TO_1B: ((Sector.EQUIPMENT_VENDOR, 3), (Sector.SOFTWARE_SERVICES, 3),
                                   (Sector.OPERATOR, 1), (Sector.E_HEALTH, 1), (Sector.OTHER, 1)),
    TurnoverBand.FROM_10M_TO_100M: ((Sector.SOFTWARE_SERVICES, 4), (Sector.EQUIPMENT_VENDOR, 2),
                                    (Sector.STARTUP_SME, 2), (Sector.E_HEALTH, 1),
                                    (Sector.EDUCATION, 1), (Sector.ACADEMIA, 1)),
    TurnoverBand.UNDER_10M: ((Sector.STARTUP_SME, 6), (Sector.SOFTWARE_SERVICES, 2),
                             (Sector.E_HEALTH, 2), (Sector.EDUCATION, 1), (Sector.ACADEMIA, 1),
                             (Sector.OTHER, 1)),
}  # fmt: skip

# Share of the direct exhibitors in each band (the rest are under USD 10 M), and
# the booth area (sqm) each band aims for before scaling to the edition's target.
BAND_SHARES = (
    (TurnoverBand.OVER_10B, 0.06, 360),
    (TurnoverBand.FROM_1B_TO_10B, 0.11, 180),
    (TurnoverBand.FROM_100M_TO_1B, 0.18, 72),
    (TurnoverBand.FROM_10M_TO_100M, 0.23, 36),
)
SMALL_AREA = 12
# Where the largest companies come from, in this fiction.
BIG_COUNTRIES = frozenset({"US", "CN", "KR", "JP", "DE", "FR", "GB", "SE", "FI", "CH", "IN", "RU"})


@dataclass(frozen=True)
class NamedOrg:
    """An organisation whose name and profile are fixed rather than generated."""

    legal_name: str
    display_name: str
    country: str
    sector: Sector
    turnover_band: TurnoverBand
    rate_category: RateCategory = RateCategory.STANDARD


@dataclass(frozen=True)
class ThematicSpec:
    organiser: NamedOrg
    co_countries: tuple[str, ...]  # one approved co-exhibitor from each


@dataclass(frozen=True)
class ExhibitionSpec:
    slug: str
    seed: int
    halls: tuple[HallSpec, ...]
    price_space_only: Decimal
    price_shell_scheme: Decimal
    net_sqm: int  # confirmed and paid booth area to aim for
    national: tuple[tuple[str, int], ...]  # (country, approved co-exhibitors); first = host
    thematic: tuple[ThematicSpec, ...]
    direct: tuple[tuple[str, int], ...]  # exhibitors booking on their own, per country
    named: tuple[NamedOrg, ...]  # some of the direct exhibitors, with fixed profiles
    featured: str  # legal name of the organisation the demo exhibitor contact manages
    sales_open: date
    sales_close: date
    blocked_reasons: tuple[str, ...]
    released_holds: int = 6
    withdrawn: int = 2  # organisations whose booking was cancelled
    registered_only: int = 3  # organisations that registered but never booked
    pending_co_exhibitors: int = 3
    rejected_co_exhibitors: int = 1


@dataclass
class OrgPlan:
    legal_name: str
    display_name: str
    country: str
    sector: Sector
    turnover_band: TurnoverBand
    rate_category: RateCategory
    registered: datetime
    pavilion_kind: PavilionKind | None = None
    pavilion: str | None = None  # the pavilion's legal name, for a co-exhibitor
    co_exhibitor_status: CoExhibitorStatus | None = None
    wanted_area: float = 0.0  # 0: books no booth
    booths: int = 1


@dataclass
class BookingPlan:
    booth: str
    organisation: str
    state: BookingState
    created: datetime
    confirmed_at: datetime | None = None
    paid_at: datetime | None = None
    held_until: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str = ""


@dataclass
class ExhibitionPlan:
    booths: list[BoothPlan]
    organisations: list[OrgPlan]
    bookings: list[BookingPlan]
    blocked: dict[str, str]  # booth code -> reason
    pavilion_booths: dict[str, str] = field(default_factory=dict)  # booth code -> pavilion


def _english_name(country: str) -> str:
    return Locale("en").territories.get(country, country)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)


def _weighted(rng: random.Random, options: tuple[tuple[Sector, int], ...]) -> Sector:
    sectors, weights = zip(*options, strict=True)
    return rng.choices(sectors, weights=weights)[0]


class _Namer:
    """Unique fictional names per edition: stem + sector word + legal form."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = taken

    def __call__(self, country: str, sector: Sector) -> tuple[str, str]:
        stems, forms, _city = COUNTRIES[country]
        words = CORE_WORDS.get(sector, CORE_WORDS[Sector.OTHER])
        combos = [(s, w) for s in stems for w in words]
        self.rng.shuffle(combos)
        for stem, word in combos:
            display = f"{stem} {word}"
            legal = display if sector == Sector.ACADEMIA else self.rng.choice(forms).format(display)
            if legal not in self.taken and display not in self.taken:
                self.taken |= {legal, display}
                return legal, display
        raise AssertionError(f"ran out of names for {country} / {sector}")


def _when(rng: random.Random, start: date, end: date) -> datetime:
    """A working-hours moment between two dates (UTC)."""
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    return datetime(
        day.year, day.month, day.day, rng.randrange(7, 16), rng.randrange(60), tzinfo=UTC
    )


def plan_organisations(spec: ExhibitionSpec, rng: random.Random) -> list[OrgPlan]:
    fixed = [*spec.named, *(t.organiser for t in spec.thematic)]
    taken = {o.legal_name for o in fixed} | {o.display_name for o in fixed}
    name = _Namer(rng, taken)
    orgs: list[OrgPlan] = []

    def registered() -> datetime:
        return _when(
            rng, spec.sales_open - timedelta(days=30), spec.sales_close - timedelta(days=10)
        )

    def co_exhibitor(country: str, pavilion: str, status: CoExhibitorStatus) -> OrgPlan:
        band = TurnoverBand.UNDER_10M if rng.random() < 0.8 else TurnoverBand.FROM_10M_TO_100M
        sector = _weighted(rng, SECTORS_BY_BAND[TurnoverBand.UNDER_10M])
        legal, display = name(country, sector)
        return OrgPlan(legal, display, country, sector, band, RateCategory.SME, registered(),
                       pavilion=pavilion, co_exhibitor_status=status)  # fmt: skip

    # National pavilions: a government agency books the space, companies exhibit on it.
    for index, (country, co_count) in enumerate(spec.national):
        country_name = _english_name(country)
        legal = f"Digital Export Agency of {country_name}"
        taken.add(legal)
        host = index == 0
        orgs.append(OrgPlan(
            legal, f"{country_name} National Pavilion", country, Sector.GOVERNMENT_REGULATOR,
            TurnoverBand.FROM_10M_TO_100M, RateCategory.GOVERNMENT, registered(),
            pavilion_kind=PavilionKind.NATIONAL,
            wanted_area=(24 + 14 * co_count) * (2 if host else 1), booths=2 if host else 1,
        ))  # fmt: skip
        orgs += [co_exhibitor(country, legal, CoExhibitorStatus.APPROVED) for _ in range(co_count)]

    for thematic in spec.thematic:
        o = thematic.organiser
        orgs.append(OrgPlan(
            o.legal_name, o.display_name, o.country, o.sector, o.turnover_band, o.rate_category,
            registered(), pavilion_kind=PavilionKind.THEMATIC,
            wanted_area=18 * (len(thematic.co_countries) + 1),
        ))  # fmt: skip
        orgs += [co_exhibitor(c, o.legal_name, CoExhibitorStatus.APPROVED)
                 for c in thematic.co_countries]  # fmt: skip

    # Co-exhibitors still waiting for the organizer, and one turned down: not exhibitors.
    national = [o for o in orgs if o.pavilion_kind == PavilionKind.NATIONAL]
    for i in range(spec.pending_co_exhibitors + spec.rejected_co_exhibitors):
        pavilion = national[(3 * i + 1) % len(national)]
        status = (CoExhibitorStatus.PENDING if i < spec.pending_co_exhibitors
                  else CoExhibitorStatus.REJECTED)  # fmt: skip
        orgs.append(co_exhibitor(pavilion.country, pavilion.legal_name, status))

    # Direct exhibitors: bands by share, the biggest from the biggest markets.
    slots = [country for country, count in spec.direct for _ in range(count)]
    named_by_country = Counter(n.country for n in spec.named)
    for country, count in named_by_country.items():
        for _ in range(count):
            slots.remove(country)
    rng.shuffle(slots)
    bands: dict[int, TurnoverBand] = {}
    total = len(slots) + len(spec.named)
    for band, share, _area in BAND_SHARES:
        wanted = round(share * total) - sum(n.turnover_band == band for n in spec.named)
        big_first = sorted(
            (i for i in range(len(slots)) if i not in bands),
            key=lambda i: (slots[i] not in BIG_COUNTRIES, i) if band in (
                TurnoverBand.OVER_10B, TurnoverBand.FROM_1B_TO_10B) else (0, i),
        )  # fmt: skip
        for i in big_first[: max(wanted, 0)]:
            bands[i] = band
    area_by_band = {band: area for band, _share, area in BAND_SHARES}
    for named in spec.named:
        rate = named.rate_category
        wanted = area_by_band.get(named.turnover_band, SMALL_AREA)
        orgs.append(OrgPlan(named.legal_name, named.display_name, named.country, named.sector,
                            named.turnover_band, rate, registered(),
                            wanted_area=wanted))  # fmt: skip
    for i, country in enumerate(slots):
        band = bands.get(i, TurnoverBand.UNDER_10M)
        sector = _weighted(rng, SECTORS_BY_BAND[band])
        legal, display = name(country, sector)
        if sector == Sector.ACADEMIA:
            rate = RateCategory.NGO
        elif band == TurnoverBand.UNDER_10M:
            rate = RateCategory.SME
        else:
            rate = RateCategory.STANDARD
        wanted = area_by_band.get(band, SMALL_AREA) * rng.uniform(0.75, 1.3)
        orgs.append(OrgPlan(legal, display, country, sector, band, rate, registered(),
                            wanted_area=wanted))  # fmt: skip

    # Organisations that registered but never exhibited (withdrawn or never booked).
    countries = sorted({o.country for o in orgs})
    for i in range(spec.withdrawn + spec.registered_only):
        country = countries[(7 * i + 3) % len(countries)]
        sector = _weighted(rng, SECTORS_BY_BAND[TurnoverBand.UNDER_10M])
        legal, display = name(country, sector)
        orgs.append(OrgPlan(legal, display, country, sector, TurnoverBand.UNDER_10M,
                            RateCategory.SME, registered()))  # fmt: skip
    return orgs


def _assign(
    bookers: list[OrgPlan], booths: list[BoothPlan], scale: float
) -> list[tuple[OrgPlan, BoothPlan]]:
    """Give each booker the free booth(s) closest to the area it wants, largest first."""
    free = sorted(booths, key=lambda b: b.code)
    taken: list[tuple[OrgPlan, BoothPlan]] = []
    for org in sorted(bookers, key=lambda o: (-o.wanted_area, o.legal_name)):
        for _ in range(org.booths):
            wanted = org.wanted_area * scale / org.booths
            kind = BoothType.SHELL_SCHEME if wanted <= 24 else BoothType.SPACE_ONLY
            pool = [b for b in free if b.booth_type == kind] or free
            best = min(pool, key=lambda b: abs(b.area - wanted))
            free.remove(best)
            taken.append((org, best))
    return taken


def plan_exhibition(spec: ExhibitionSpec) -> ExhibitionPlan:
    """The whole exhibition of an edition, computed without the database."""
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    booths = [booth for hall in spec.halls for booth in layout_hall(hall, rng)]
    orgs = plan_organisations(spec, rng)

    # A few booths kept off sale: the first shell-scheme booth and a mid-hall one per hall.
    blocked: dict[str, str] = {}
    reasons = iter(spec.blocked_reasons)
    for hall in spec.halls:
        own = [b for b in booths if b.hall == hall.code]
        shell = [b for b in own if b.booth_type == BoothType.SHELL_SCHEME] or own
        space = [b for b in own if b.booth_type == BoothType.SPACE_ONLY] or own
        for booth in (shell[0], space[len(space) // 2]):
            blocked[booth.code] = next(reasons, "Not for sale")
    sellable = [b for b in booths if b.code not in blocked]

    # Scale the wanted areas (bisection: the booked area grows with the scale) until the
    # booked area is as close to the target as the plan's booths allow.
    bookers = [o for o in orgs if o.wanted_area > 0]
    low, high, best = 0.25, 4.0, None
    for _ in range(24):
        scale = (low + high) / 2
        assignment = _assign(bookers, sellable, scale)
        booked = sum(b.area for _o, b in assignment)
        if best is None or abs(booked - spec.net_sqm) < abs(best[0] - spec.net_sqm):
            best = (booked, assignment)
        if booked == spec.net_sqm:
            break
        low, high = (scale, high) if booked < spec.net_sqm else (low, scale)
    assert best is not None
    assignment = sorted(best[1], key=lambda ob: ob[1].code)

    bookings: list[BookingPlan] = []
    last_payment = spec.sales_close
    for org, booth in assignment:
        created = max(_when(rng, spec.sales_open, spec.sales_close), org.registered)
        unpaid = org.legal_name != spec.featured and rng.random() < 0.15
        if unpaid:  # confirmed by an organizer, the invoice not yet settled
            confirmed = created + timedelta(minutes=rng.randrange(5, 25))
            bookings.append(BookingPlan(booth.code, org.legal_name, BookingState.CONFIRMED,
                                        created, confirmed_at=confirmed))  # fmt: skip
            continue
        if rng.random() < 0.5:  # paid by card while the hold ran
            confirmed = paid = created + timedelta(minutes=rng.randrange(3, 25))
        else:  # confirmed, then paid by bank transfer against the invoice
            confirmed = created + timedelta(minutes=rng.randrange(5, 25))
            paid = confirmed + timedelta(days=rng.randrange(5, 40), hours=rng.randrange(8))
            paid = min(paid, datetime.combine(last_payment, paid.timetz()))
        bookings.append(BookingPlan(booth.code, org.legal_name, BookingState.PAID, created,
                                    confirmed_at=confirmed, paid_at=paid))  # fmt: skip

    # History: holds that ran out, and bookings withdrawn, on booths now free.
    booked_codes = {b.booth for b in bookings}
    free = [b for b in sellable if b.code not in booked_codes]
    direct = [o for o in orgs if o.wanted_area > 0 and o.pavilion_kind is None]
    for i in range(min(spec.released_holds, len(free))):
        org, booth = direct[(5 * i + 2) % len(direct)], free[(11 * i) % len(free)]
        created = _when(rng, spec.sales_open, spec.sales_close)
        held_until = created + timedelta(minutes=30)
        bookings.append(BookingPlan(booth.code, org.legal_name, BookingState.RELEASED, created,
                                    held_until=held_until, ended_at=held_until,
                                    end_reason="hold expired"))  # fmt: skip
    withdrawn = [o for o in orgs if o.wanted_area == 0 and o.pavilion is None][: spec.withdrawn]
    for i, org in enumerate(withdrawn):
        booth = free[(11 * i + 5) % len(free)]
        created = _when(rng, spec.sales_open, spec.sales_close - timedelta(days=40))
        confirmed = created + timedelta(minutes=15)
        bookings.append(BookingPlan(booth.code, org.legal_name, BookingState.CANCELLED, created,
                                    confirmed_at=confirmed,
                                    ended_at=confirmed + timedelta(days=rng.randrange(10, 30)),
                                    end_reason="Withdrawn by the exhibitor"))  # fmt: skip

    pavilion_booths = {
        booth.code: org.legal_name for org, booth in assignment if org.pavilion_kind is not None
    }
    return ExhibitionPlan(booths, orgs, bookings, blocked, pavilion_booths)


# --- the editions ------------------------------------------------------------

SPEC_2015 = ExhibitionSpec(
    slug="telecom-world-2015",
    seed=2015,
    halls=(
        HallSpec("F", "Pavilion F", 120, 78, "ISIH"),
        HallSpec("G", "Pavilion G", 156, 116, "ISISIH"),
    ),
    price_space_only=Decimal("480.00"),
    price_shell_scheme=Decimal("560.00"),
    net_sqm=13_000,
    national=(
        ("HU", 12), ("CN", 6), ("KR", 5), ("RU", 4), ("TH", 4), ("MY", 4), ("ID", 4),
        ("VN", 3), ("IN", 4), ("AE", 3), ("SA", 3), ("OM", 3), ("EG", 4), ("MA", 3),
        ("TN", 3), ("NG", 4), ("KE", 4), ("RW", 3), ("ZA", 4), ("GH", 3), ("BR", 3),
        ("MX", 3), ("AZ", 3),
    ),
    thematic=(
        ThematicSpec(
            NamedOrg("Telecom SME Alliance", "SME Innovation Pavilion", "CH", Sector.OTHER,
                     TurnoverBand.UNDER_10M, RateCategory.NGO),
            ("IL", "SG", "PT", "IE", "UA", "SK"),
        ),
        ThematicSpec(
            NamedOrg("eHealth Partnership Europe", "Smart Health Pavilion", "BE",
                     Sector.E_HEALTH, TurnoverBand.UNDER_10M, RateCategory.NGO),
            ("DK", "FI", "NO", "SI", "HR", "BG"),
        ),
    ),
    direct=(
        ("US", 9), ("GB", 4), ("DE", 5), ("FR", 4), ("CH", 6), ("SE", 3), ("FI", 3),
        ("NO", 1), ("DK", 1), ("NL", 2), ("BE", 1), ("ES", 2), ("IT", 2), ("AT", 1),
        ("PL", 2), ("CZ", 1), ("SK", 1), ("RO", 1), ("BG", 1), ("RS", 1), ("HR", 1),
        ("SI", 1), ("IL", 2), ("JP", 4), ("SG", 2), ("CA", 2), ("AU", 1), ("IE", 1),
        ("PT", 1), ("UA", 1), ("TR", 2),
        ("HU", 14), ("CN", 6), ("KR", 4), ("RU", 3), ("IN", 3), ("AE", 2), ("SA", 2),
        ("TH", 1), ("MY", 1), ("EG", 1), ("NG", 1), ("KE", 1), ("ZA", 1),
    ),
    named=(
        NamedOrg("Danube Networks Kft.", "Danube Networks", "HU", Sector.SOFTWARE_SERVICES,
                 TurnoverBand.FROM_10M_TO_100M),
        NamedOrg("Global Spectrum Forum", "Global Spectrum Forum", "CH",
                 Sector.INTERNATIONAL_ORGANISATION, TurnoverBand.FROM_100M_TO_1B,
                 RateCategory.UN_BODY),
        NamedOrg("Intergovernmental Office for Digital Inclusion", "Digital Inclusion Office",
                 "CH", Sector.INTERNATIONAL_ORGANISATION, TurnoverBand.FROM_10M_TO_100M,
                 RateCategory.UN_BODY),
        NamedOrg("Broadband for Schools Foundation", "Broadband for Schools", "NL",
                 Sector.EDUCATION, TurnoverBand.UNDER_10M, RateCategory.NGO),
        NamedOrg("Telemedicine Without Frontiers", "Telemedicine Without Frontiers", "FR",
                 Sector.E_HEALTH, TurnoverBand.UNDER_10M, RateCategory.NGO),
        NamedOrg("Rural Connectivity Trust", "Rural Connectivity Trust", "KE",
                 Sector.OTHER, TurnoverBand.UNDER_10M, RateCategory.NGO),
        NamedOrg("Office for Spectrum and Digital Regulation", "Spectrum Regulation Office",
                 "AE", Sector.GOVERNMENT_REGULATOR, TurnoverBand.FROM_100M_TO_1B,
                 RateCategory.GOVERNMENT),
    ),
    featured="Danube Networks Kft.",
    sales_open=date(2015, 2, 2),
    sales_close=date(2015, 9, 25),
    blocked_reasons=(
        "Organizer information desk", "Fire-safety corridor: keep clear",
        "Hall technical room", "Reserved for the host country's protocol",
    ),
)  # fmt: skip

SPEC_2013 = ExhibitionSpec(
    slug="telecom-world-2013",
    seed=2013,
    halls=(
        HallSpec("C1", "Challenger 1", 126, 80, "ISIH"),
        HallSpec("C2", "Challenger 2", 114, 80, "SISH"),
    ),
    price_space_only=Decimal("440.00"),
    price_shell_scheme=Decimal("510.00"),
    net_sqm=8_200,
    national=(
        ("TH", 10), ("CN", 5), ("KR", 5), ("MY", 4), ("ID", 4), ("VN", 3), ("IN", 3),
        ("AE", 3), ("HU", 4), ("NG", 3), ("KE", 3), ("RW", 2), ("PH", 3), ("BD", 2),
    ),
    thematic=(
        ThematicSpec(
            NamedOrg("Digital Youth Foundation", "Young Innovators Pavilion", "SG",
                     Sector.EDUCATION, TurnoverBand.UNDER_10M, RateCategory.NGO),
            ("AU", "FI", "IL", "KH", "LK"),
        ),
    ),
    direct=(
        ("US", 8), ("GB", 3), ("DE", 4), ("FR", 3), ("CH", 5), ("SE", 3), ("FI", 2),
        ("JP", 5), ("SG", 3), ("AU", 2), ("IL", 1), ("NL", 1), ("ES", 1), ("IT", 1),
        ("CA", 1), ("KH", 1), ("MM", 1), ("LK", 1),
        ("TH", 15), ("CN", 6), ("KR", 4), ("MY", 3), ("ID", 2), ("IN", 3), ("AE", 2),
        ("VN", 1), ("PH", 2), ("HU", 1),
    ),
    named=(
        NamedOrg("Global Spectrum Forum", "Global Spectrum Forum", "CH",
                 Sector.INTERNATIONAL_ORGANISATION, TurnoverBand.FROM_100M_TO_1B,
                 RateCategory.UN_BODY),
        NamedOrg("Siam Broadband Co., Ltd.", "Siam Broadband", "TH", Sector.OPERATOR,
                 TurnoverBand.FROM_1B_TO_10B),
    ),
    featured="Siam Broadband Co., Ltd.",
    sales_open=date(2013, 3, 4),
    sales_close=date(2013, 11, 1),
    blocked_reasons=(
        "Organizer information desk", "Fire-safety corridor: keep clear",
        "Hall technical room", "Media corner",
    ),
)  # fmt: skip

SPECS = (SPEC_2013, SPEC_2015)


# --- loading -----------------------------------------------------------------

COUNT_KEYS = (
    "exhibition_settings", "halls", "booths", "organisations", "booth_bookings",
    "organisation_members",
)  # fmt: skip


def _settings(edition: Edition, spec: ExhibitionSpec, created: Counter) -> ExhibitionSettings:
    settings = db.session.scalar(
        select(ExhibitionSettings).where(ExhibitionSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = ExhibitionSettings(
            edition_id=edition.id,
            hold_minutes=30,
            hold_reminder_minutes=10,
            max_active_holds=3,
            price_space_only=spec.price_space_only,
            price_shell_scheme=spec.price_shell_scheme,
            surcharge_corner_pct=Decimal("5.00"),
            surcharge_peninsula_pct=Decimal("10.00"),
            surcharge_island_pct=Decimal("15.00"),
            discount_sme_pct=Decimal("20.00"),
            discount_government_pct=Decimal("15.00"),
            discount_ngo_pct=Decimal("25.00"),
            discount_un_body_pct=Decimal("25.00"),
            staff_base=2,
            staff_sqm_per_extra=9,
        )
        db.session.add(settings)
        db.session.flush()
        created["exhibition_settings"] += 1
    return settings


def _organisation(plan: OrgPlan, edition: Edition, pavilion_id: int | None) -> Organisation:
    slug = _slug(plan.display_name)
    _stems, _forms, city = COUNTRIES.get(plan.country, ((), (), ""))
    number = sum(map(ord, plan.legal_name)) * 7919 % 90_000_000 + 10_000_000
    return Organisation(
        edition_id=edition.id,
        legal_name=plan.legal_name,
        display_name=plan.display_name,
        country=plan.country,
        sector=plan.sector,
        turnover_band=plan.turnover_band,
        rate_category=plan.rate_category,
        website=f"https://{slug}.example",
        billing_address="\n".join(
            (f"{number % 200 + 1} Exhibition Street", city, _english_name(plan.country))
        ),
        vat_number=f"{plan.country}{number}",
        description=DESCRIPTIONS[plan.sector],
        contact_name="Exhibition Manager",
        contact_email=f"expo@{slug}.example",
        contact_phone=f"+000 {number % 1000:03d} {number // 1000 % 10000:04d}",
        pavilion_kind=plan.pavilion_kind,
        pavilion_id=pavilion_id,
        co_exhibitor_status=plan.co_exhibitor_status,
        created_at=plan.registered,
        updated_at=plan.registered,
    )


def load_exhibition(edition: Edition, spec: ExhibitionSpec) -> Counter:
    """Insert what is missing of one edition's exhibition; return counts created."""
    created: Counter = Counter()
    plan = plan_exhibition(spec)
    settings = _settings(edition, spec, created)

    halls = {
        h.code: h for h in db.session.scalars(select(Hall).where(Hall.edition_id == edition.id))
    }
    new_halls = [
        Hall(edition_id=edition.id, code=h.code, name=h.name, width=Decimal(h.width),
             depth=Decimal(h.depth))
        for h in spec.halls if h.code not in halls
    ]  # fmt: skip
    db.session.add_all(new_halls)

    orgs = {
        o.legal_name: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.edition_id == edition.id)
        )
    }
    # Pavilions first: their co-exhibitors point at them.
    for pavilions_pass in (True, False):
        batch = []
        for org_plan in plan.organisations:
            if (org_plan.pavilion is None) != pavilions_pass or org_plan.legal_name in orgs:
                continue
            pavilion = orgs.get(org_plan.pavilion) if org_plan.pavilion else None
            organisation = _organisation(org_plan, edition, pavilion.id if pavilion else None)
            orgs[org_plan.legal_name] = organisation
            batch.append(organisation)
        db.session.add_all(batch)
        db.session.flush()
        created["organisations"] += len(batch)
    created["halls"] += len(new_halls)
    halls.update({h.code: h for h in new_halls})

    booths = {
        b.code: b for b in db.session.scalars(select(Booth).where(Booth.edition_id == edition.id))
    }
    new_booths = []
    for bp in plan.booths:
        if bp.code in booths:
            continue
        pavilion = orgs.get(plan.pavilion_booths.get(bp.code, ""))
        booth = Booth(
            edition_id=edition.id, hall_id=halls[bp.hall].id, code=bp.code,
            x=Decimal(bp.x), y=Decimal(bp.y), width=Decimal(bp.width), depth=Decimal(bp.depth),
            booth_type=bp.booth_type, open_sides=bp.open_sides,
            pavilion_id=pavilion.id if pavilion else None,
            blocked=bp.code in plan.blocked, blocked_reason=plan.blocked.get(bp.code, ""),
        )  # fmt: skip
        booths[bp.code] = booth
        new_booths.append(booth)
    db.session.add_all(new_booths)
    db.session.flush()
    created["booths"] += len(new_booths)

    existing = db.session.execute(
        select(BoothBooking.booth_id, BoothBooking.organisation_id, BoothBooking.state).where(
            BoothBooking.edition_id == edition.id
        )
    ).all()
    seen = {(row.booth_id, row.organisation_id) for row in existing}
    occupied = {row.booth_id for row in existing if row.state in ACTIVE_BOOKING_STATES}
    organizer_id = _demo_organizer_id()
    new_bookings = []
    for bk in plan.bookings:
        booth, org = booths.get(bk.booth), orgs.get(bk.organisation)
        if booth is None or org is None or (booth.id, org.id) in seen:
            continue
        active = bk.state in ACTIVE_BOOKING_STATES
        if active and (booth.id in occupied or booth.blocked):
            continue  # someone took the booth since, or an organizer blocked it: leave it so
        quote = price_booth(booth, settings, edition.currency, org.rate_category)
        new_bookings.append(BoothBooking(
            edition_id=edition.id, booth_id=booth.id, organisation_id=org.id, state=bk.state,
            held_until=bk.held_until, price=quote.total, currency=edition.currency,
            created_by_id=organizer_id if bk.state == BookingState.CONFIRMED else None,
            confirmed_at=bk.confirmed_at, paid_at=bk.paid_at, ended_at=bk.ended_at,
            end_reason=bk.end_reason, created_at=bk.created,
            updated_at=bk.ended_at or bk.paid_at or bk.confirmed_at or bk.created,
        ))  # fmt: skip
        seen.add((booth.id, org.id))
        if active:
            occupied.add(booth.id)
    db.session.add_all(new_bookings)
    db.session.flush()
    created["booth_bookings"] += len(new_bookings)

    featured = orgs.get(spec.featured)
    user_id = db.session.scalar(select(User.id).where(User.email == DEMO_EXHIBITOR_EMAIL))
    if featured is not None and user_id is not None:
        member = db.session.scalar(
            select(OrganisationMember.id).where(
                OrganisationMember.organisation_id == featured.id,
                OrganisationMember.user_id == user_id,
            )
        )
        if member is None:
            db.session.add(OrganisationMember(organisation_id=featured.id, user_id=user_id))
            created["organisation_members"] += 1
    db.session.commit()
    return created


def _demo_organizer_id() -> int | None:
    from flask import current_app

    email = current_app.config["DEMO_ORGANIZER_EMAIL"]
    return db.session.scalar(select(User.id).where(User.email == email))


def load_exhibitions() -> dict[str, int]:
    """The exhibitions of every demo edition that exists; counts of records created."""
    created: Counter = Counter()
    for spec in SPECS:
        edition = db.session.scalar(select(Edition).where(Edition.slug == spec.slug))
        if edition is not None:
            created += load_exhibition(edition, spec)
    return {key: created[key] for key in COUNT_KEYS}
