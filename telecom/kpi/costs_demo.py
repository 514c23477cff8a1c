"""Costs and sponsorship demo data: the other half of the demo editions' financial result.

Cost lines per category for TELECOM World 2013 (Bangkok) and 2015 (Budapest),
and a few sponsorship deals recorded as orders (most paid by bank transfer,
one still awaiting its transfer). The amounts are illustrative, chosen so
that with the booth revenue of the payments demo 2013 ends with a small
deficit and 2015 with a small surplus; they are not ITU's accounts.

Inserted as history, like the payments demo: no mail, no services; cost
lines carry the demo organizer as their author, deals get their invoice
(numbered like any other) and their recorded transfer. Idempotent: a cost
line with the same category, date and note, or a deal with the same
description, is not made twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, TurnoverBand
from telecom.extensions import db
from telecom.kpi.models import CostCategory, CostLine
from telecom.payments import documents
from telecom.payments.models import (
    Order,
    OrderLine,
    OrderLineKind,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
)
from telecom.payments.services import new_reference
from telecom.payments.settings import settings_for

C = CostCategory
# (category, amount, incurred on, note) per edition slug.
DEMO_COSTS: dict[str, list[tuple[CostCategory, str, date, str]]] = {
    "telecom-world-2013": [
        (C.VENUE, "380000.00", date(2013, 6, 28), "IMPACT Exhibition Centre: hall rental"),
        (C.VENUE, "80000.00", date(2013, 11, 25), "Venue services: cleaning, security, power"),
        (C.CONSTRUCTION, "160000.00", date(2013, 11, 12), "Shell scheme and pavilion build"),
        (C.CONSTRUCTION, "30000.00", date(2013, 11, 8), "Signage and wayfinding"),
        (C.STAFF, "75000.00", date(2013, 11, 22), "Temporary event staff"),
        (C.STAFF, "55000.00", date(2013, 11, 22), "Interpreters, six UN languages"),
        (C.MARKETING, "60000.00", date(2013, 7, 15), "Digital campaign"),
        (C.MARKETING, "20000.00", date(2013, 9, 2), "Print and trade media"),
        (C.TRAVEL, "70000.00", date(2013, 11, 15), "Staff missions Geneva-Bangkok"),
        (C.TRAVEL, "35000.00", date(2013, 10, 30), "Speaker travel support"),
        (C.OTHER, "10000.00", date(2013, 5, 10), "Event insurance"),
        (C.OTHER, "25000.00", date(2013, 11, 14), "Wi-Fi and IT services"),
    ],
    "telecom-world-2015": [
        (C.VENUE, "420000.00", date(2015, 6, 30), "HUNGEXPO: halls A, F and G"),
        (C.VENUE, "95000.00", date(2015, 10, 16), "Venue services: cleaning, security, power"),
        (C.CONSTRUCTION, "180000.00", date(2015, 10, 5), "Shell scheme and pavilion build"),
        (C.CONSTRUCTION, "35000.00", date(2015, 9, 25), "Signage and wayfinding"),
        (C.STAFF, "85000.00", date(2015, 10, 15), "Temporary event staff"),
        (C.STAFF, "60000.00", date(2015, 10, 15), "Interpreters, six UN languages"),
        (C.MARKETING, "55000.00", date(2015, 6, 15), "Digital campaign"),
        (C.MARKETING, "25000.00", date(2015, 9, 1), "Print and trade media"),
        (C.TRAVEL, "40000.00", date(2015, 10, 10), "Staff missions Geneva-Budapest"),
        (C.TRAVEL, "30000.00", date(2015, 9, 30), "Speaker travel support"),
        (C.OTHER, "12000.00", date(2015, 4, 15), "Event insurance"),
        (C.OTHER, "28000.00", date(2015, 10, 8), "Wi-Fi and IT services"),
    ],
}

# (description, amount, ordered on, transfer received on or None while awaited).
DEMO_DEALS: dict[str, list[tuple[str, str, date, date | None]]] = {
    "telecom-world-2013": [
        ("Gold sponsor", "120000.00", date(2013, 6, 3), date(2013, 7, 1)),
        ("Silver sponsor", "60000.00", date(2013, 7, 8), date(2013, 8, 5)),
        ("Coffee-break sponsor", "20000.00", date(2013, 9, 2), date(2013, 9, 30)),
    ],
    "telecom-world-2015": [
        ("Platinum sponsor", "150000.00", date(2015, 5, 4), date(2015, 6, 1)),
        ("Gold sponsor", "100000.00", date(2015, 6, 8), date(2015, 7, 6)),
        ("Networking reception sponsor", "50000.00", date(2015, 8, 3), date(2015, 8, 31)),
        ("Lanyard sponsor", "25000.00", date(2015, 9, 14), None),
    ],
}
COUNT_KEYS = ("cost lines", "sponsorship deals")


def _at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _load_costs(edition: Edition, organizer_id: int | None, created: Counter) -> None:
    existing = {
        (category, day, note)
        for category, day, note in db.session.execute(
            select(CostLine.category, CostLine.incurred_on, CostLine.note).where(
                CostLine.edition_id == edition.id
            )
        )
    }
    for category, amount, day, note in DEMO_COSTS.get(edition.slug, []):
        if (category, day, note) in existing:
            continue
        db.session.add(
            CostLine(
                edition_id=edition.id, category=category, amount=Decimal(amount),
                incurred_on=day, note=note, created_by_id=organizer_id,
                created_at=_at_nine(day), updated_at=_at_nine(day),
            )
        )  # fmt: skip
        created["cost lines"] += 1


def _sponsors(edition: Edition, count: int) -> list[Organisation]:
    """The edition's largest exhibitors (by turnover band, then name): the likely sponsors."""
    bands = [TurnoverBand.OVER_10B, TurnoverBand.FROM_1B_TO_10B, TurnoverBand.FROM_100M_TO_1B]
    found: list[Organisation] = []
    for band in bands:
        found += db.session.scalars(
            select(Organisation)
            .where(
                Organisation.edition_id == edition.id,
                Organisation.turnover_band == band,
                Organisation.pavilion_kind.is_(None),
                Organisation.pavilion_id.is_(None),
            )
            .order_by(Organisation.legal_name)
            .limit(count - len(found))
        )
        if len(found) >= count:
            break
    return found


def _load_deals(edition: Edition, organizer_id: int | None, created: Counter) -> None:
    deals = DEMO_DEALS.get(edition.slug, [])
    recorded = set(
        db.session.scalars(
            select(OrderLine.description)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.edition_id == edition.id, OrderLine.kind == OrderLineKind.SPONSORSHIP)
        )
    )
    sponsors = _sponsors(edition, len(deals))
    settings = settings_for(edition)
    for (description, amount, ordered_on, received_on), sponsor in zip(
        deals, sponsors, strict=False
    ):
        if description in recorded:
            continue
        ordered_at = _at_nine(ordered_on)
        paid_at = _at_nine(received_on) if received_on else None
        order = Order(
            edition_id=edition.id, organisation_id=sponsor.id,
            state=OrderState.PAID if received_on else OrderState.AWAITING_TRANSFER,
            currency=edition.currency, reference=new_reference(edition.start_date.year),
            tax_rate=settings.tax_rate, tax_label=settings.tax_label,
            transfer_due_at=ordered_at + timedelta(days=settings.transfer_days),
            paid_at=paid_at, created_at=ordered_at, updated_at=paid_at or ordered_at,
        )  # fmt: skip
        db.session.add(order)
        db.session.flush()
        db.session.add(
            OrderLine(
                order_id=order.id, kind=OrderLineKind.SPONSORSHIP, description=description,
                quantity=1, unit_price=Decimal(amount), created_at=ordered_at,
                updated_at=ordered_at,
            )
        )  # fmt: skip
        db.session.flush()
        db.session.refresh(order)
        invoice = documents.issue_invoice(order, actor=None, paid=False)
        invoice.issued_at = ordered_at
        if paid_at is not None:
            db.session.add(
                Payment(
                    order_id=order.id, edition_id=edition.id,
                    provider=PaymentProvider.BANK_TRANSFER, state=PaymentState.SUCCEEDED,
                    amount=order.gross_total, currency=order.currency,
                    reference=f"Transfer {order.reference}", received_on=received_on,
                    recorded_by_id=organizer_id, settled_at=paid_at, created_at=paid_at,
                    updated_at=paid_at,
                )
            )  # fmt: skip
        created["sponsorship deals"] += 1


def load_costs_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's costs and sponsorship deals; counts created."""
    created: Counter = Counter()
    organizer_id = db.session.scalar(
        select(User.id).where(User.email == current_app.config["DEMO_ORGANIZER_EMAIL"])
    )
    _load_costs(edition, organizer_id, created)
    _load_deals(edition, organizer_id, created)
    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}
