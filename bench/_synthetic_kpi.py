"""A synthetic TELECOM World edition for bench/kpi.py, generated deterministically.

At scale 1 it has the sizes of issue 9: 200,000 registrations (of about
190,000 people: some hold two roles), 400,000 check-ins over four days (gate
entries and forum-session doors), 2,000 exhibitors (pavilions, direct
exhibitors, co-exhibitors) with 5,000 booths, 50,000 seat reservations and a
year of daily page views for 500 pages. Around them: cancelled and pending
registrations, a check-in on a registration cancelled since, held, confirmed,
paid, released and cancelled bookings, booth, pass and sponsorship orders
with card and transfer payments (failed, pending and part payments, a few in
another currency) and refunds (pending, succeeded, failed), forum sessions
(some cancelled) with speakers, ratings and session check-ins, survey
answers of exhibitors and participants, cost lines, media applications
(approved, rejected, open), VIP invitations (accepted with a protocol
category, declined, unanswered, revoked) and candidate venues.

`SyntheticEdition(Sizes.at(scale)).tables()` yields (table, columns, rows) in
foreign-key order; rows are plain tuples (str for enum values), generated as
they are loaded. `BulkLoader` writes them with COPY on PostgreSQL (psycopg)
and with SQLAlchemy Core executemany in large batches on SQLite.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pycountry
from sqlalchemy import Connection, text

EDITION_ID = 1
SLUG = "bench-kpi"
START = date(2015, 10, 12)
END = date(2015, 10, 15)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
TIMEZONE = "Europe/Budapest"
TZ = ZoneInfo(TIMEZONE)
CURRENCY = "CHF"
CREATED = datetime(2015, 3, 1, 9, tzinfo=UTC)  # when the edition was set up
LATER = datetime(2015, 11, 20, 12, tzinfo=UTC)  # "now" for updated_at
TAX_RATE = Decimal("7.70")
CENT = Decimal("0.01")
SQLITE_BATCH_ROWS = 20_000

FIRST_NAMES = (
    "Amina",
    "Ana",
    "Andrei",
    "Anh",
    "Carlos",
    "Chen",
    "Daniel",
    "Elena",
    "Fatima",
    "Hans",
    "Ingrid",
    "Ivan",
    "Jana",
    "Jean",
    "Juan",
    "Kenji",
    "Lars",
    "Lea",
    "Li",
    "Maria",
    "Mehmet",
    "Mohammed",
    "Nadia",
    "Olga",
    "Omar",
    "Paolo",
    "Priya",
    "Rahul",
    "Sara",
    "Sofia",
    "Tamas",
    "Wei",
    "Yuki",
    "Zsofia",
)
LAST_NAMES = (
    "Abe",
    "Ali",
    "Bauer",
    "Chen",
    "Costa",
    "Dubois",
    "Fischer",
    "Garcia",
    "Gupta",
    "Horvath",
    "Ivanova",
    "Jensen",
    "Kim",
    "Kovacs",
    "Lee",
    "Martin",
    "Mueller",
    "Nagy",
    "Nguyen",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Smith",
    "Suzuki",
    "Szabo",
    "Tanaka",
    "Wang",
    "Yilmaz",
    "Zhang",
)


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def with_tax(net: Decimal) -> Decimal:
    return money(net * (1 + TAX_RATE / 100))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of `day` at the venue, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), TZ).astimezone(UTC)


@dataclass(frozen=True)
class Sizes:
    registrations: int
    check_ins: int
    exhibitors: int
    booths: int
    seat_reservations: int
    pages: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        full = (200_000, 400_000, 2_000, 5_000, 50_000, 500)
        return cls(*(max(1, round(value * scale)) for value in full))


@dataclass
class _Registration:
    id: int
    person_id: int
    category: str
    status: str
    created_at: datetime
    pass_type_id: int | None = None
    organisation_id: int | None = None
    order_id: int | None = None
    protocol_category: str | None = None


class SyntheticEdition:
    """The plan of one edition (who, what, which state), then its rows table by table."""

    def __init__(self, sizes: Sizes, seed: int = 2015) -> None:
        self.sizes = sizes
        self.scale = sizes.registrations / 200_000
        self.rng = random.Random(seed)
        codes = sorted(country.alpha_2 for country in pycountry.countries)
        self.rng.shuffle(codes)
        # About 160 countries, a few large delegations and a long tail (Zipf-like).
        self.country_codes = codes[:160]
        self.country_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(codes[:160])))
        )
        self._plan()

    # ------------------------------------------------------------------ helpers

    def _count(self, at_full: int, minimum: int = 1) -> int:
        return max(minimum, round(at_full * self.scale))

    def country(self) -> str:
        return self.rng.choices(self.country_codes, cum_weights=self.country_weights)[0]

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _before_edition(self, days_before: int) -> datetime:
        """A random moment in the `days_before` days before the edition opens."""
        seconds = self.rng.randrange(days_before * 86_400)
        return local(START, 9) - timedelta(seconds=seconds)

    # ------------------------------------------------------------------ the plan

    def _plan(self) -> None:
        self._plan_exhibition()
        self._plan_registrations()
        self._plan_orders()
        self._plan_forum()

    def _plan_exhibition(self) -> None:
        rng = self.rng
        total = self.sizes.exhibitors
        pavilions = max(2, round(total * 0.03))
        national = max(1, round(pavilions * 0.75))
        co_exhibitors = round(total * 0.15)
        self.organisations: list[dict[str, Any]] = []
        for org_id in range(1, total + 1):
            org: dict[str, Any] = {
                "id": org_id,
                "country": self.country(),
                "band": self._pick(
                    {"under_10m": 30, "10m_100m": 28, "100m_1b": 20, "1b_10b": 14, "over_10b": 8}
                ),
                "pavilion_kind": None,
                "pavilion_id": None,
                "co_status": None,
                "exhibits": True,
                "created_at": self._before_edition(200),
            }
            if org_id <= pavilions:
                org["pavilion_kind"] = "national" if org_id <= national else "thematic"
            elif org_id <= pavilions + co_exhibitors:
                pavilion = self.organisations[rng.randrange(pavilions)]
                org["pavilion_id"] = pavilion["id"]
                if pavilion["pavilion_kind"] == "national":
                    org["country"] = pavilion["country"]
                org["co_status"] = self._pick({"approved": 80, "pending": 12, "rejected": 8})
                org["exhibits"] = org["co_status"] == "approved"
            elif rng.random() < 0.04:
                org["exhibits"] = False  # only a hold that lapsed, or a booking cancelled
            self.organisations.append(org)
        self.pavilion_count = pavilions
        # Halls: one per ~625 booths, plus one hall with nothing booked and one unused.
        self.hall_count = max(2, round(8 * self.scale))
        booths_per_hall = -(-self.sizes.booths // self.hall_count)
        self.halls = [
            {
                "id": hall_id,
                "code": chr(ord("A") + hall_id - 1),
                "width": Decimal(150),
                "depth": Decimal(100),
            }
            for hall_id in range(1, self.hall_count + 2)
        ]
        self.booths: list[dict[str, Any]] = []
        for booth_id in range(1, self.sizes.booths + 1):
            hall_id = (booth_id - 1) // booths_per_hall + 1
            index = (booth_id - 1) % booths_per_hall
            width = Decimal(rng.choice((3, 3, 4, 6, 6, 9, 12)))
            depth = Decimal(rng.choice((3, 3, 4, 6)))
            self.booths.append(
                {
                    "id": booth_id,
                    "hall_id": hall_id,
                    "code": f"{hall_id}.{index + 1:04d}",
                    "x": Decimal(index % 10 * 14),
                    "y": Decimal(index // 10 % 16 * 6),
                    "width": width,
                    "depth": depth,
                    "type": "space_only" if width * depth >= 36 else "shell_scheme",
                    "open_sides": rng.randint(1, 4),
                    "blocked": False,
                }
            )
        # Booking states per booth (the extra hall has no booths: gross counts used halls).
        active: dict[str, list[int]] = {"paid": [], "confirmed": [], "held": []}
        free: list[int] = []
        for booth in self.booths:
            draw = rng.random()
            state = (
                "paid"
                if draw < 0.55
                else "confirmed"
                if draw < 0.77
                else "held"
                if draw < 0.81
                else None
            )
            if state is None:
                free.append(booth["id"])
                booth["blocked"] = rng.random() < 0.03
            else:
                active[state].append(booth["id"])
        exhibitors = [o for o in self.organisations if o["exhibits"] and o["co_status"] is None]
        bookers = [o for o in self.organisations if o["co_status"] is None]
        non_exhibitors = [o for o in bookers if not o["exhibits"]]
        confirmed_pool = active["paid"] + active["confirmed"]
        rng.shuffle(confirmed_pool)
        owner: dict[int, int] = {}
        # Every exhibitor (pavilions included) gets at least one booth, pavilions a block.
        for org in exhibitors:
            if confirmed_pool:
                owner[confirmed_pool.pop()] = org["id"]
        for org in exhibitors[: self.pavilion_count]:
            for _ in range(8):
                if confirmed_pool:
                    owner[confirmed_pool.pop()] = org["id"]
        for booth_id in confirmed_pool:
            owner[booth_id] = rng.choice(exhibitors)["id"]
        for booth_id in active["held"]:
            owner[booth_id] = rng.choice(non_exhibitors or bookers)["id"]
        self.bookings: list[dict[str, Any]] = []
        booking_id = itertools.count(1)
        for state, booth_ids in active.items():
            for booth_id in booth_ids:
                self.bookings.append(
                    self._booking(next(booking_id), booth_id, owner[booth_id], state)
                )
        # History on free booths: lapsed holds and cancelled bookings.
        for booth_id in free:
            if rng.random() < 0.3:
                state = "released" if rng.random() < 0.6 else "cancelled"
                org = rng.choice((non_exhibitors or bookers) if rng.random() < 0.3 else bookers)
                self.bookings.append(self._booking(next(booking_id), booth_id, org["id"], state))
        self.bookings.sort(key=lambda booking: booking["id"])

    def _booking(self, booking_id: int, booth_id: int, org_id: int, state: str) -> dict[str, Any]:
        booth = self.booths[booth_id - 1]
        area = booth["width"] * booth["depth"]
        rate = Decimal(450) if booth["type"] == "space_only" else Decimal(520)
        created = self._before_edition(150)
        booking: dict[str, Any] = {
            "id": booking_id,
            "booth_id": booth_id,
            "org_id": org_id,
            "state": state,
            "price": money(area * rate),
            "created_at": created,
            "held_until": None,
            "confirmed_at": None,
            "paid_at": None,
            "ended_at": None,
            "end_reason": "",
        }
        if state in ("confirmed", "paid", "cancelled"):
            booking["confirmed_at"] = created + timedelta(minutes=25)
        if state == "paid":
            booking["paid_at"] = created + timedelta(days=self.rng.randint(1, 30))
        if state == "held":
            booking["held_until"] = local(START, 9) + timedelta(days=400)
        if state == "released":
            booking["held_until"] = created + timedelta(minutes=30)
            booking["ended_at"] = booking["held_until"]
            booking["end_reason"] = "hold expired"
        if state == "cancelled":
            booking["ended_at"] = created + timedelta(days=self.rng.randint(2, 60))
            booking["end_reason"] = "cancelled by the exhibitor"
        return booking

    def _plan_registrations(self) -> None:
        rng = self.rng
        total = self.sizes.registrations
        counts = {
            "exhibitor_staff": round(total * 0.10),
            "forum_delegate": round(total * 0.10),
            "organizer_staff": round(total * 0.026),
            "media": round(total * 0.0075),
            "delegation": round(total * 0.0075),
            "speaker": round(total * 0.006),
            "vip": round(total * 0.003),
        }
        counts = {"visitor": total - sum(counts.values()), **counts}
        visitors = counts["visitor"]
        # People with a second role: half the forum delegates and 30% of speakers are visitors.
        shared = {
            "forum_delegate": counts["forum_delegate"] // 2,
            "speaker": round(counts["speaker"] * 0.3),
        }
        exhibiting = [o["id"] for o in self.organisations if o["exhibits"]]
        protocol = {"VVIP": 3, "UN": 3, "MIN": 25, "DMIN": 12, "REG": 15, "AMB": 12, "CEO": 30}
        self.registrations: list[_Registration] = []
        self.by_category: dict[str, list[_Registration]] = {}
        next_person = 1
        reg_id = 1
        for category, count in counts.items():
            reused = rng.sample(range(1, visitors + 1), shared.get(category, 0))
            fresh = count - len(reused)
            persons = reused + list(range(next_person, next_person + fresh))
            next_person += fresh
            cancelled, pending = (0.05, 0.07) if category == "visitor" else (0.02, 0.02)
            rows = []
            for person_id in persons:
                draw = rng.random()
                status = (
                    "cancelled"
                    if draw < cancelled
                    else "pending"
                    if draw < cancelled + pending
                    else "confirmed"
                )
                registration = _Registration(
                    reg_id, person_id, category, status, self._before_edition(180)
                )
                if category == "visitor":
                    registration.pass_type_id = 2 if rng.random() < 0.10 else 1
                elif category == "forum_delegate":
                    registration.pass_type_id = 3
                elif category in ("vip", "delegation", "speaker"):
                    registration.pass_type_id = 4
                if category == "exhibitor_staff":
                    registration.organisation_id = rng.choice(exhibiting)
                if category == "vip":
                    registration.protocol_category = self._pick(protocol)
                rows.append(registration)
                reg_id += 1
            self.registrations.extend(rows)
            self.by_category[category] = rows
        self.person_count = next_person - 1
        # Persons of each registration, in registration order (the first is the primary).
        self.person_registrations: dict[int, list[_Registration]] = {}
        for registration in self.registrations:
            self.person_registrations.setdefault(registration.person_id, []).append(registration)
        self.person_country = [None] + [
            None if rng.random() < 0.03 else self.country() for _ in range(self.person_count)
        ]

    def _plan_orders(self) -> None:
        """Booth orders per exhibitor, one order per paid pass, sponsorship deals."""
        rng = self.rng
        self.orders: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.refunds: list[dict[str, Any]] = []
        order_ids = itertools.count(1)

        def pay(
            order: dict[str, Any],
            amount: Decimal,
            state: str = "succeeded",
            currency: str = CURRENCY,
            provider: str | None = None,
        ) -> dict[str, Any]:
            provider = provider or ("card" if rng.random() < 0.6 else "bank_transfer")
            moment = order["created_at"] + timedelta(hours=rng.randint(1, 400))
            payment = {
                "id": len(self.payments) + 1,
                "order_id": order["id"],
                "provider": provider,
                "state": state,
                "amount": amount,
                "currency": currency,
                "received_on": moment.date()
                if provider == "bank_transfer" and state == "succeeded"
                else None,
                "settled_at": moment if provider == "card" and state == "succeeded" else None,
                "created_at": moment,
                "failure_message": "card declined" if state == "failed" else "",
            }
            self.payments.append(payment)
            return payment

        def refund(payment: dict[str, Any], amount: Decimal, state: str = "succeeded") -> None:
            self.refunds.append(
                {
                    "id": len(self.refunds) + 1,
                    "order_id": payment["order_id"],
                    "payment_id": payment["id"],
                    "state": state,
                    "amount": amount,
                    "currency": payment["currency"],
                    "created_at": payment["created_at"] + timedelta(days=rng.randint(1, 20)),
                    "failure_message": "the bank refused the refund" if state == "failed" else "",
                }
            )

        def new_order(
            org_id: int | None, state: str, created: datetime, currency: str = CURRENCY
        ) -> dict[str, Any]:
            order = {
                "id": next(order_ids),
                "org_id": org_id,
                "state": state,
                "currency": currency,
                "created_at": created,
            }
            self.orders.append(order)
            return order

        def line(order: dict[str, Any], kind: str, price: Decimal, **extra: Any) -> None:
            self.lines.append(
                {
                    "id": len(self.lines) + 1,
                    "order_id": order["id"],
                    "kind": kind,
                    "unit_price": price,
                    "booking_id": None,
                    "registration_id": None,
                    "cancelled_at": None,
                    "created_at": order["created_at"],
                    **extra,
                }
            )

        by_org: dict[int, list[dict[str, Any]]] = {}
        for booking in self.bookings:
            by_org.setdefault(booking["org_id"], []).append(booking)
        for org_id, bookings in sorted(by_org.items()):
            states = {b["state"] for b in bookings}
            live = [b for b in bookings if b["state"] in ("paid", "confirmed", "held")]
            if "held" in states and not states & {"paid", "confirmed"}:
                state = "open"
            elif not live:
                state = "cancelled"
            elif states & {"confirmed", "held"}:
                state = "awaiting_transfer"
            else:
                state = "paid"
            order = new_order(org_id, state, min(b["created_at"] for b in bookings))
            for booking in bookings:
                ended = booking["state"] in ("released", "cancelled")
                line(
                    order,
                    "booth",
                    booking["price"],
                    booking_id=booking["id"],
                    cancelled_at=booking["ended_at"] if ended else None,
                )
            paid_net = sum((b["price"] for b in bookings if b["state"] == "paid"), Decimal(0))
            cancelled_net = sum(
                (b["price"] for b in bookings if b["state"] == "cancelled"), Decimal(0)
            )
            if paid_net or cancelled_net:
                # Cancelled bookings were paid with the others, then refunded.
                if rng.random() < 0.04:
                    pay(order, with_tax(paid_net + cancelled_net), state="failed", provider="card")
                payment = pay(order, with_tax(paid_net + cancelled_net))
                if cancelled_net:
                    refund(
                        payment,
                        with_tax(cancelled_net),
                        state=self._pick({"succeeded": 85, "pending": 10, "failed": 5}),
                    )
            elif state == "awaiting_transfer" and rng.random() < 0.4:
                confirmed = sum((b["price"] for b in live), Decimal(0))
                pay(order, money(with_tax(confirmed) * Decimal("0.3")), provider="bank_transfer")
        # Paid passes: one order each; cancelled ones were often refunded.
        for registration in self.registrations:
            if registration.pass_type_id not in (2, 3):
                continue
            price = Decimal(150) if registration.pass_type_id == 2 else Decimal(900)
            currency = "EUR" if rng.random() < 0.003 else CURRENCY
            state = {"confirmed": "paid", "pending": "awaiting_transfer", "cancelled": "cancelled"}[
                registration.status
            ]
            order = new_order(None, state, registration.created_at, currency)
            registration.order_id = order["id"]
            line(order, "pass", price, registration_id=registration.id)
            if registration.status == "confirmed":
                if rng.random() < 0.05:
                    pay(order, with_tax(price), state="failed", currency=currency, provider="card")
                pay(order, with_tax(price), currency=currency)
            elif registration.status == "pending" and rng.random() < 0.2:
                pay(order, with_tax(price), state="pending", currency=currency, provider="card")
            elif registration.status == "cancelled" and rng.random() < 0.6:
                payment = pay(order, with_tax(price), currency=currency)
                refund(
                    payment,
                    with_tax(price),
                    state=self._pick({"succeeded": 90, "pending": 7, "failed": 3}),
                )
        # Sponsorship deals recorded by organizers (orders of an exhibitor, paid by transfer).
        exhibitors = [o["id"] for o in self.organisations if o["exhibits"]]
        for index in range(self._count(30, minimum=3)):
            amount = money(rng.choice((10_000, 25_000, 50_000, 100_000, 250_000)))
            state = "awaiting_transfer" if index % 10 == 9 else "paid"
            order = new_order(rng.choice(exhibitors), state, self._before_edition(120))
            line(order, "sponsorship", amount)
            if state == "paid":
                pay(order, with_tax(amount), provider="bank_transfer")

    def _plan_forum(self) -> None:
        rng = self.rng
        self.rooms = [
            {"id": room_id, "name": f"Room {room_id}", "capacity": rng.choice((80, 150, 300, 1200))}
            for room_id in range(1, max(3, round(12 * self.scale)) + 1)
        ]
        session_count = max(20, round(200 * self.scale))
        kinds = ("leaders_summit", "keynote", "plenary", "panel", "workshop", "networking")
        self.sessions: list[dict[str, Any]] = []
        for session_id in range(1, session_count + 1):
            room = self.rooms[(session_id - 1) % len(self.rooms)]
            slot = (session_id - 1) // len(self.rooms)
            day = DAYS[slot % len(DAYS)]
            starts = local(day, 9) + timedelta(minutes=90 * (slot // len(DAYS) % 6))
            self.sessions.append(
                {
                    "id": session_id,
                    "room_id": room["id"],
                    "capacity": room["capacity"],
                    "day": day,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=75),
                    "kind": kinds[session_id % len(kinds)],
                    "access": "vip" if session_id % 25 == 0 else "forum_pass",
                    "cancelled": rng.random() < 0.05,
                    "seats_taken": 0,
                }
            )
        held = [s for s in self.sessions if not s["cancelled"]]
        forum_categories = ("forum_delegate", "speaker", "vip", "delegation", "media")
        self.forum_people = [
            r
            for category in forum_categories
            for r in self.by_category[category]
            if r.status != "cancelled"
        ]
        # Seat reservations: unique (session, person).
        self.reservations: list[tuple[int, _Registration, str]] = []
        seen: set[tuple[int, int]] = set()
        target = self.sizes.seat_reservations
        while len(self.reservations) < target:
            session = rng.choice(self.sessions)
            registration = rng.choice(self.forum_people)
            key = (session["id"], registration.person_id)
            if key in seen:
                continue
            seen.add(key)
            status = self._pick({"confirmed": 85, "waiting": 8, "cancelled": 7})
            if status == "confirmed":
                session["seats_taken"] += 1
            self.reservations.append((session["id"], registration, status))
        # Session-door check-ins (unique person, session) and the ratings of some of them.
        session_target = round(self.sizes.check_ins * 0.075)
        self.session_check_ins: list[tuple[dict[str, Any], _Registration]] = []
        seen = set()
        while len(self.session_check_ins) < session_target:
            session = rng.choice(held)
            registration = rng.choice(self.forum_people)
            key = (session["id"], registration.person_id)
            if key in seen:
                continue
            seen.add(key)
            self.session_check_ins.append((session, registration))
        self.gate_target = self.sizes.check_ins - session_target

    # ------------------------------------------------------------------ the rows

    def tables(self) -> Iterator[tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]]:
        """(table, columns, rows) in foreign-key order."""
        yield from (
            self._editions(),
            self._candidate_venues(),
            self._pass_types(),
            self._people(),
            self._organisations(),
            self._halls(),
            self._booths(),
            self._booth_bookings(),
            self._orders(),
            self._registrations(),
            self._order_lines(),
            self._payments(),
            self._refunds(),
            self._check_ins(),
            self._forum_rooms(),
            self._forum_sessions(),
            self._speakers(),
            self._seat_reservations(),
            self._session_ratings(),
            *self._surveys(),
            self._media_applications(),
            self._vip_invitations(),
            self._cost_lines(),
            self._traffic_days(),
            self._traffic_page_days(),
        )

    def _editions(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "slug",
            "name",
            "city",
            "country",
            "venue",
            "start_date",
            "end_date",
            "timezone",
            "currency",
            "created_at",
            "updated_at",
        )
        row = (
            EDITION_ID,
            SLUG,
            "Bench TELECOM World",
            "Budapest",
            "HU",
            "HUNGEXPO",
            START,
            END,
            TIMEZONE,
            CURRENCY,
            CREATED,
            LATER,
        )
        return "editions", columns, [row]

    def _candidate_venues(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "city",
            "country",
            "venue",
            "score",
            "notes",
            "status",
            "created_at",
            "updated_at",
        )
        bids = (
            ("Budapest", "HU", "HUNGEXPO", "chosen"),
            ("Dubai", "AE", "DWTC", "not_selected"),
            ("Bangkok", "TH", "IMPACT", "not_selected"),
            ("Istanbul", "TR", "ICEC", "withdrawn"),
        )
        rows = [
            (i, EDITION_ID, city, country, venue, Decimal(90 - 5 * i), "", status, CREATED, LATER)
            for i, (city, country, venue, status) in enumerate(bids, start=1)
        ]
        return "candidate_venues", columns, rows

    def _pass_types(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "name",
            "description",
            "categories",
            "price",
            "valid_from",
            "valid_until",
            "days_valid",
            "capacity",
            "forum_access",
            "invitation_only",
            "exhibitor_invitations",
            "active",
            "issued",
            "created_at",
            "updated_at",
        )
        issued = dict.fromkeys(range(1, 5), 0)
        for registration in self.registrations:
            if registration.pass_type_id and registration.status != "cancelled":
                issued[registration.pass_type_id] += 1
        passes = (
            (1, "Exhibition day pass", "visitor", 0, 1, False, False, 10),
            (2, "Full exhibition pass", "visitor", 150, None, False, False, 0),
            (3, "Forum pass", "forum_delegate", 900, None, True, False, 0),
            (4, "Leaders' pass", "vip,delegation,speaker", 0, None, True, True, 0),
        )
        rows = [
            (
                pass_id,
                EDITION_ID,
                name,
                "",
                categories,
                money(price),
                START,
                END,
                days,
                None,
                forum,
                invitation,
                exhibitor_quota,
                True,
                issued[pass_id],
                CREATED,
                LATER,
            )
            for pass_id, name, categories, price, days, forum, invitation, exhibitor_quota in passes
        ]
        return "pass_types", columns, rows

    def _people(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "email",
            "full_name",
            "organisation_name",
            "job_title",
            "country",
            "job_function",
            "sector",
            "accessibility_needs",
            "locale",
            "consent_at",
            "erased_at",
            "created_at",
            "updated_at",
        )
        functions = (
            "executive",
            "technical",
            "sales_marketing",
            "government_policy",
            "research_academia",
            "investor",
            "student",
            "other",
        )
        sectors = (
            "operator",
            "equipment_vendor",
            "software_services",
            "startup_sme",
            "government_regulator",
            "academia",
            "e_health",
            "education",
            "other",
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            rng = self.rng
            for person_id in range(1, self.person_count + 1):
                created = self.person_registrations[person_id][0].created_at
                if rng.random() < 0.002:  # erased on request: anonymised in place
                    yield (
                        person_id,
                        f"erased-{person_id}@invalid",
                        "",
                        "",
                        "",
                        None,
                        None,
                        None,
                        "",
                        None,
                        None,
                        LATER,
                        created,
                        LATER,
                    )
                    continue
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                # A few names that a spreadsheet would run as a formula, as users type them.
                organisation = (
                    '=HYPERLINK("http://x.example")'
                    if person_id % 9973 == 0
                    else f"Company {rng.randrange(20_000):05d}"
                )
                yield (
                    person_id,
                    f"p{person_id}@bench.example",
                    name,
                    organisation,
                    rng.choice(("Engineer", "Director", "Manager", "Analyst", "Minister")),
                    self.person_country[person_id],
                    rng.choice(functions),
                    rng.choice(sectors),
                    "",
                    rng.choice(("en", "fr", "es", None)),
                    created,
                    None,
                    created,
                    created,
                )

        return "people", columns, rows()

    def _organisations(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "legal_name",
            "display_name",
            "country",
            "sector",
            "turnover_band",
            "rate_category",
            "website",
            "billing_address",
            "vat_number",
            "description",
            "contact_name",
            "contact_email",
            "contact_phone",
            "pavilion_kind",
            "pavilion_id",
            "co_exhibitor_status",
            "created_at",
            "updated_at",
        )
        rows = []
        for org in self.organisations:
            name = (
                f"Pavilion {org['id']:04d} ({org['country']})"
                if org["pavilion_kind"]
                else f"Exhibitor {org['id']:05d}"
            )
            rows.append(
                (
                    org["id"],
                    EDITION_ID,
                    name + " Ltd",
                    name,
                    org["country"],
                    self.rng.choice(
                        (
                            "operator",
                            "equipment_vendor",
                            "software_services",
                            "startup_sme",
                            "government_regulator",
                        )
                    ),
                    org["band"],
                    "standard",
                    "",
                    "1 Bench Street",
                    "",
                    "",
                    "Contact",
                    f"contact{org['id']}@bench.example",
                    "",
                    org["pavilion_kind"],
                    org["pavilion_id"],
                    org["co_status"],
                    org["created_at"],
                    LATER,
                )
            )
        return "organisations", columns, rows

    def _halls(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = ("id", "edition_id", "code", "name", "width", "depth", "created_at", "updated_at")
        rows = [
            (
                h["id"],
                EDITION_ID,
                h["code"],
                f"Hall {h['code']}",
                h["width"],
                h["depth"],
                CREATED,
                LATER,
            )
            for h in self.halls
        ]
        return "halls", columns, rows

    def _booths(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "hall_id",
            "code",
            "x",
            "y",
            "width",
            "depth",
            "booth_type",
            "open_sides",
            "blocked",
            "blocked_reason",
            "created_at",
            "updated_at",
        )
        rows = [
            (
                b["id"],
                EDITION_ID,
                b["hall_id"],
                b["code"],
                b["x"],
                b["y"],
                b["width"],
                b["depth"],
                b["type"],
                b["open_sides"],
                b["blocked"],
                "technical" if b["blocked"] else "",
                CREATED,
                LATER,
            )
            for b in self.booths
        ]
        return "booths", columns, rows

    def _booth_bookings(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "booth_id",
            "organisation_id",
            "state",
            "held_until",
            "price",
            "currency",
            "confirmed_at",
            "paid_at",
            "ended_at",
            "end_reason",
            "created_at",
            "updated_at",
        )
        rows = [
            (
                b["id"],
                EDITION_ID,
                b["booth_id"],
                b["org_id"],
                b["state"],
                b["held_until"],
                b["price"],
                CURRENCY,
                b["confirmed_at"],
                b["paid_at"],
                b["ended_at"],
                b["end_reason"],
                b["created_at"],
                LATER,
            )
            for b in self.bookings
        ]
        return "booth_bookings", columns, rows

    def _orders(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "organisation_id",
            "state",
            "currency",
            "reference",
            "tax_rate",
            "tax_label",
            "paid_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        )
        rows = (
            (
                o["id"],
                EDITION_ID,
                o["org_id"],
                o["state"],
                o["currency"],
                f"TW15-{o['id']:07d}",
                TAX_RATE,
                "VAT",
                o["created_at"] + timedelta(days=3) if o["state"] == "paid" else None,
                o["created_at"] + timedelta(days=9) if o["state"] == "cancelled" else None,
                o["created_at"],
                LATER,
            )
            for o in self.orders
        )
        return "orders", columns, rows

    def _registrations(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "person_id",
            "edition_id",
            "category",
            "status",
            "organisation_id",
            "pass_type_id",
            "valid_from",
            "valid_until",
            "forum_access",
            "purpose",
            "badge_version",
            "email_confirmed_at",
            "confirmed_at",
            "cancelled_at",
            "order_id",
            "protocol_category",
            "created_at",
            "updated_at",
        )
        forum = {"forum_delegate", "speaker", "vip", "delegation", "media"}

        def rows() -> Iterator[tuple[Any, ...]]:
            rng = self.rng
            for r in self.registrations:
                valid_from, valid_until = START, END
                if r.pass_type_id == 1:
                    valid_from = valid_until = rng.choice(DAYS)
                purpose = None
                if r.category == "visitor":
                    purpose = "professional" if rng.random() < 0.7 else "general"
                confirmed = r.status == "confirmed"
                email_confirmed = (
                    None
                    if r.status == "pending" and rng.random() < 0.5
                    else (r.created_at + timedelta(minutes=4))
                )
                yield (
                    r.id,
                    r.person_id,
                    EDITION_ID,
                    r.category,
                    r.status,
                    r.organisation_id,
                    r.pass_type_id,
                    valid_from,
                    valid_until,
                    r.category in forum,
                    purpose,
                    1,
                    email_confirmed,
                    r.created_at + timedelta(minutes=5) if confirmed else None,
                    r.created_at + timedelta(days=6) if r.status == "cancelled" else None,
                    r.order_id,
                    r.protocol_category,
                    r.created_at,
                    LATER,
                )

        return "registrations", columns, rows()

    def _order_lines(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "order_id",
            "kind",
            "description",
            "booth_booking_id",
            "quantity",
            "unit_price",
            "cancelled_at",
            "registration_id",
            "created_at",
            "updated_at",
        )
        descriptions = {"booth": "Booth", "pass": "Pass", "sponsorship": "Sponsorship package"}
        rows = (
            (
                line["id"],
                line["order_id"],
                line["kind"],
                descriptions[line["kind"]],
                line["booking_id"],
                1,
                line["unit_price"],
                line["cancelled_at"],
                line["registration_id"],
                line["created_at"],
                LATER,
            )
            for line in self.lines
        )
        return "order_lines", columns, rows

    def _payments(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "order_id",
            "edition_id",
            "provider",
            "state",
            "amount",
            "currency",
            "reference",
            "received_on",
            "failure_message",
            "settled_at",
            "created_at",
            "updated_at",
        )
        rows = (
            (
                p["id"],
                p["order_id"],
                EDITION_ID,
                p["provider"],
                p["state"],
                p["amount"],
                p["currency"],
                f"TW15-{p['order_id']:07d}",
                p["received_on"],
                p["failure_message"],
                p["settled_at"],
                p["created_at"],
                LATER,
            )
            for p in self.payments
        )
        return "payments", columns, rows

    def _refunds(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "order_id",
            "payment_id",
            "edition_id",
            "state",
            "amount",
            "currency",
            "reason",
            "automatic",
            "failure_message",
            "created_at",
            "updated_at",
        )
        rows = (
            (
                r["id"],
                r["order_id"],
                r["payment_id"],
                EDITION_ID,
                r["state"],
                r["amount"],
                r["currency"],
                "cancelled",
                False,
                r["failure_message"],
                r["created_at"],
                LATER,
            )
            for r in self.refunds
        )
        return "refunds", columns, rows

    def _check_ins(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "person_id",
            "registration_id",
            "category",
            "day",
            "point",
            "point_ref",
            "scanned_at",
        )

        def scan(day: date) -> datetime:
            return local(day, 8, 30) + timedelta(seconds=self.rng.randrange(9 * 3600))

        def rows() -> Iterator[tuple[Any, ...]]:
            rng = self.rng
            ids = itertools.count(1)
            # Gate: people come on 1-4 days; the scan is of a live registration if they have
            # one, and a few cancelled registrations were scanned before being cancelled.
            people = list(self.person_registrations.items())
            rng.shuffle(people)
            day_weights = (3, 3, 2, 2)  # how many people come on 1, 2, 3 or 4 days
            mean_days = sum(n * w for n, w in enumerate(day_weights, start=1)) / sum(day_weights)
            live_people = sum(1 for _, regs in people if any(r.status != "cancelled" for r in regs))
            # A little more than needed, so that the target is reached before the end.
            attend = min(1.0, self.gate_target / (live_people * mean_days) * 1.05)
            written = 0
            for person_id, registrations in people:
                if written >= self.gate_target:
                    break
                live = [r for r in registrations if r.status != "cancelled"]
                registration = live[0] if live else registrations[0]
                chance = attend if live else 0.05
                if rng.random() >= chance:
                    continue
                days = rng.sample(DAYS, rng.choices((1, 2, 3, 4), weights=day_weights)[0])
                for day in sorted(days)[: self.gate_target - written]:
                    yield (
                        next(ids),
                        EDITION_ID,
                        person_id,
                        registration.id,
                        registration.category,
                        day,
                        "gate",
                        "",
                        scan(day),
                    )
                    written += 1
            for session, registration in self.session_check_ins:
                yield (
                    next(ids),
                    EDITION_ID,
                    registration.person_id,
                    registration.id,
                    registration.category,
                    session["day"],
                    "session",
                    str(session["id"]),
                    session["starts_at"] - timedelta(minutes=rng.randint(0, 10)),
                )

        return "check_ins", columns, rows()

    def _forum_rooms(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "name",
            "capacity",
            "location",
            "position",
            "created_at",
            "updated_at",
        )
        rows = [
            (r["id"], EDITION_ID, r["name"], r["capacity"], "Hall A", r["id"], CREATED, LATER)
            for r in self.rooms
        ]
        return "forum_rooms", columns, rows

    def _forum_sessions(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "title",
            "description",
            "kind",
            "room_id",
            "starts_at",
            "ends_at",
            "capacity",
            "access",
            "seats_taken",
            "cancelled_at",
            "created_at",
            "updated_at",
        )
        rows = [
            (
                s["id"],
                EDITION_ID,
                f"Session {s['id']}",
                "",
                s["kind"],
                s["room_id"],
                s["starts_at"],
                s["ends_at"],
                s["capacity"],
                s["access"],
                s["seats_taken"],
                local(START, 8) - timedelta(days=3) if s["cancelled"] else None,
                CREATED + timedelta(days=s["id"] % 90),
                LATER,
            )
            for s in self.sessions
        ]
        return "forum_sessions", columns, rows

    def _speakers(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "email",
            "full_name",
            "job_title",
            "organisation",
            "country",
            "bio",
            "status",
            "token_version",
            "invited_at",
            "confirmed_at",
            "person_id",
            "registration_id",
            "created_at",
            "updated_at",
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            invited = CREATED + timedelta(days=30)
            speaker_id = 0
            for r in self.by_category["speaker"]:
                speaker_id += 1
                yield (
                    speaker_id,
                    EDITION_ID,
                    f"p{r.person_id}@bench.example",
                    "Speaker",
                    "CEO",
                    "Company",
                    self.person_country[r.person_id],
                    "",
                    "confirmed",
                    1,
                    invited,
                    invited + timedelta(days=5),
                    r.person_id,
                    r.id,
                    invited,
                    LATER,
                )
            others = round(len(self.by_category["speaker"]) * 0.22)
            for index in range(others):
                speaker_id += 1
                status = ("invited", "declined", "withdrawn")[index % 3]
                yield (
                    speaker_id,
                    EDITION_ID,
                    f"speaker{speaker_id}@bench.example",
                    "Speaker",
                    "CTO",
                    "Company",
                    None,
                    "",
                    status,
                    1,
                    invited,
                    None,
                    None,
                    None,
                    invited,
                    LATER,
                )

        return "speakers", columns, rows()

    def _seat_reservations(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "session_id",
            "person_id",
            "registration_id",
            "status",
            "waiting_since",
            "confirmed_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        )
        moment = local(START, 8) - timedelta(days=10)
        rows = (
            (
                i,
                session_id,
                r.person_id,
                r.id,
                status,
                moment if status == "waiting" else None,
                moment if status != "waiting" else None,
                moment + timedelta(days=2) if status == "cancelled" else None,
                moment,
                LATER,
            )
            for i, (session_id, r, status) in enumerate(self.reservations, start=1)
        )
        return "seat_reservations", columns, rows

    def _session_ratings(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = ("id", "session_id", "person_id", "score", "comment", "created_at")

        def rows() -> Iterator[tuple[Any, ...]]:
            rng = self.rng
            rating_id = 0
            for session, r in self.session_check_ins:
                if rng.random() < 0.25:
                    rating_id += 1
                    score = rng.choices((1, 2, 3, 4, 5), weights=(5, 8, 20, 40, 27))[0]
                    yield (
                        rating_id,
                        session["id"],
                        r.person_id,
                        score,
                        "",
                        session["ends_at"] + timedelta(hours=2),
                    )

        return "session_ratings", columns, rows()

    def _surveys(self) -> list[tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]]:
        """Invitations to one contact per exhibitor and a fifth of registered people; answers."""
        rng = self.rng
        invitation_columns = (
            "id",
            "edition_id",
            "audience",
            "person_id",
            "organisation_id",
            "token_version",
            "sent_at",
            "created_at",
            "updated_at",
        )
        response_columns = (
            "id",
            "invitation_id",
            "edition_id",
            "audience",
            "segment",
            "recommend_score",
            "satisfaction",
            "would_return",
            "comment",
            "created_at",
            "updated_at",
        )
        sent = local(END, 18) + timedelta(days=2)
        invitations: list[tuple[Any, ...]] = []
        responses: list[tuple[Any, ...]] = []
        bands = {o["id"]: o["band"] for o in self.organisations}
        contacts: dict[int, int] = {}
        for r in self.by_category["exhibitor_staff"]:
            contacts.setdefault(r.organisation_id or 0, r.person_id)
        contact_people = set(contacts.values())
        for org_id, person_id in sorted(contacts.items()):
            invitations.append(
                (
                    len(invitations) + 1,
                    EDITION_ID,
                    "exhibitor",
                    person_id,
                    org_id,
                    1,
                    sent,
                    sent,
                    LATER,
                )
            )
            if rng.random() < 0.45:
                score = rng.choices(range(11), weights=(1, 1, 1, 2, 2, 4, 6, 12, 22, 25, 24))[0]
                responses.append(
                    (
                        len(responses) + 1,
                        len(invitations),
                        EDITION_ID,
                        "exhibitor",
                        bands[org_id],
                        None if rng.random() < 0.05 else score,
                        rng.choices((1, 2, 3, 4, 5), weights=(4, 8, 22, 41, 25))[0],
                        rng.random() < 0.7,
                        "",
                        sent + timedelta(days=rng.randint(0, 20)),
                        LATER,
                    )
                )
        registered = [r for r in self.registrations if r.status != "cancelled"]
        chosen: set[int] = set()
        for r in rng.sample(registered, round(len(registered) * 0.2)):
            if r.person_id in chosen or r.person_id in contact_people:
                continue
            chosen.add(r.person_id)
            invitations.append(
                (
                    len(invitations) + 1,
                    EDITION_ID,
                    "participant",
                    r.person_id,
                    None,
                    1,
                    sent,
                    sent,
                    LATER,
                )
            )
            if rng.random() < 0.3:
                responses.append(
                    (
                        len(responses) + 1,
                        len(invitations),
                        EDITION_ID,
                        "participant",
                        r.category,
                        None,
                        rng.choices((1, 2, 3, 4, 5), weights=(3, 7, 25, 40, 25))[0],
                        rng.random() < 0.75,
                        "",
                        sent + timedelta(days=rng.randint(0, 20)),
                        LATER,
                    )
                )
        return [
            ("survey_invitations", invitation_columns, invitations),
            ("survey_responses", response_columns, responses),
        ]

    def _media_applications(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "person_id",
            "status",
            "full_name",
            "job_title",
            "nationality",
            "phone",
            "outlet_name",
            "outlet_type",
            "outlet_country",
            "outlet_website",
            "role",
            "press_card_number",
            "bylines",
            "submitted_at",
            "late",
            "info_request",
            "decided_at",
            "rejection_reason",
            "decision_note",
            "registration_id",
            "created_at",
            "updated_at",
        )
        rng = self.rng
        approved = self.by_category["media"]
        others = rng.sample(
            [r.person_id for r in self.by_category["visitor"][:50_000]], round(len(approved) * 0.4)
        )
        applicants: list[tuple[int, str, _Registration | None]] = [
            (r.person_id, "approved", r) for r in approved
        ]
        for index, person_id in enumerate(others):
            status = (
                "rejected"
                if index % 4 != 3
                else rng.choice(("submitted", "in_review", "info_requested", "draft"))
            )
            applicants.append((person_id, status, None))
        outlets = ("print", "online", "tv", "radio", "news_agency", "photo_agency", "freelance")
        rows = []
        for app_id, (person_id, status, registration) in enumerate(applicants, start=1):
            submitted = self._before_edition(90)
            decided = submitted + timedelta(days=3) if status in ("approved", "rejected") else None
            rows.append(
                (
                    app_id,
                    EDITION_ID,
                    person_id,
                    status,
                    "Journalist",
                    "Reporter",
                    self.person_country[person_id],
                    "",
                    f"Outlet {app_id % 700}",
                    rng.choice(outlets),
                    self.country(),
                    "",
                    "reporter",
                    "",
                    [],
                    None if status == "draft" else submitted,
                    False,
                    "",
                    decided,
                    "insufficient_evidence" if status == "rejected" else None,
                    "",
                    registration.id if registration else None,
                    submitted,
                    LATER,
                )
            )
        return "media_applications", columns, rows

    def _vip_invitations(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "full_name",
            "title",
            "form_of_address",
            "category",
            "country",
            "organisation",
            "email",
            "focal_point_name",
            "status",
            "token_version",
            "sent_at",
            "responded_at",
            "arrival_flight",
            "departure_flight",
            "dietary_needs",
            "accessibility_needs",
            "person_id",
            "registration_id",
            "created_at",
            "updated_at",
        )
        rng = self.rng
        sent = CREATED + timedelta(days=40)
        rows = []
        vips = self.by_category["vip"]
        for r in vips:
            # A cancelled VIP registration: the invitation was declined after accepting.
            status = "declined" if r.status == "cancelled" else "accepted"
            rows.append(
                (
                    len(rows) + 1,
                    EDITION_ID,
                    "H.E. VIP",
                    "Minister",
                    "H.E.",
                    r.protocol_category,
                    self.person_country[r.person_id],
                    "Government",
                    f"p{r.person_id}@bench.example",
                    "",
                    status,
                    1,
                    sent,
                    sent + timedelta(days=9),
                    "",
                    "",
                    "",
                    "",
                    r.person_id,
                    r.id,
                    sent,
                    LATER,
                )
            )
        protocol = ("VVIP", "UN", "MIN", "DMIN", "REG", "AMB", "CEO")
        for index in range(round(len(vips) * 0.35)):
            status = ("declined", "invited", "invited", "revoked")[index % 4]
            rows.append(
                (
                    len(rows) + 1,
                    EDITION_ID,
                    "H.E. Guest",
                    "Minister",
                    "H.E.",
                    rng.choice(protocol),
                    self.country(),
                    "Government",
                    f"guest{index}@bench.example",
                    "",
                    status,
                    1,
                    sent,
                    sent + timedelta(days=12) if status == "declined" else None,
                    "",
                    "",
                    "",
                    "",
                    None,
                    None,
                    sent,
                    LATER,
                )
            )
        return "vip_invitations", columns, rows

    def _cost_lines(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = (
            "id",
            "edition_id",
            "category",
            "amount",
            "incurred_on",
            "note",
            "created_at",
            "updated_at",
        )
        rng = self.rng
        categories = {
            "venue": 250_000,
            "construction": 120_000,
            "staff": 40_000,
            "marketing": 30_000,
            "travel": 8_000,
            "other": 5_000,
        }
        rows = []
        for line_id in range(1, self._count(240, minimum=12) + 1):
            category = list(categories)[line_id % len(categories)]
            amount = money(categories[category] * rng.uniform(0.2, 1.5) * self.scale)
            rows.append(
                (
                    line_id,
                    EDITION_ID,
                    category,
                    amount,
                    START - timedelta(days=rng.randint(0, 200)),
                    "",
                    CREATED,
                    LATER,
                )
            )
        return "cost_lines", columns, rows

    def _traffic_days(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        """A year of site-wide days up to the last day, and a month after (outside the window)."""
        columns = (
            "id",
            "day",
            "page_views",
            "unique_visitors",
            "source",
            "created_at",
            "updated_at",
        )
        rng = self.rng
        first = END - timedelta(days=364)
        rows = []
        for offset in range(365 + 30):
            day = first + timedelta(days=offset)
            closeness = max(0.0, 1 - abs((day - START).days) / 60)
            views = round((4_000 + 60_000 * closeness**2) * self.scale * rng.uniform(0.8, 1.2))
            rows.append((offset + 1, day, views, round(views * 0.3), "imported", LATER, LATER))
        return "traffic_days", columns, rows

    def _traffic_page_days(self) -> tuple[str, Sequence[str], Iterable[tuple[Any, ...]]]:
        columns = ("id", "day", "path", "page_views", "unique_visitors")
        paths = [f"/editions/{SLUG}/page-{index}" for index in range(self.sizes.pages)]
        first = END - timedelta(days=364)

        def rows() -> Iterator[tuple[Any, ...]]:
            rng = self.rng
            ids = itertools.count(1)
            for offset in range(365):
                day = first + timedelta(days=offset)
                for rank, path in enumerate(paths, start=1):
                    views = int(rng.paretovariate(1.2) * 2000 / rank) + 1
                    yield (next(ids), day, path, views, max(1, views // 3))

        return "traffic_page_days", columns, rows()


# ---------------------------------------------------------------------- loading


def _batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class BulkLoader:
    """Writes generated rows: COPY on PostgreSQL, Core executemany on SQLite."""

    def __init__(self, connection: Connection, metadata: Any) -> None:
        self.connection = connection
        self.metadata = metadata
        self.postgresql = connection.dialect.name == "postgresql"

    def load(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        if self.postgresql:
            return self._copy(table, columns, rows)
        insert = self.metadata.tables[table].insert()
        count = 0
        for batch in _batched(rows, SQLITE_BATCH_ROWS):
            self.connection.execute(insert, [dict(zip(columns, row, strict=True)) for row in batch])
            count += len(batch)
        return count

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        raw = self.connection.connection.driver_connection
        count = 0
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, list | dict) else v for v in row])
                count += 1
        return count

    def reset_sequences(self, tables: Iterable[str]) -> None:
        """After explicit ids, the next id a PostgreSQL sequence hands out is past them."""
        if not self.postgresql:
            return
        for table in tables:
            sequence = self.connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
            )
            if sequence:
                self.connection.execute(
                    # Table names are ours (the generator's), not input.
                    text(f"SELECT setval('{sequence}', (SELECT coalesce(max(id), 1) FROM {table}))")  # noqa: S608
                )
