"""Helpers of the organizer payments tests: a show with bank details, orders in
each state, and URLs of the organizer pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.db import commit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.extensions import db
from telecom.payments import documents, settlement
from telecom.payments.models import (
    Order,
    OrderLine,
    OrderLineKind,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentSettings,
    PaymentState,
)
from telecom.payments.services import open_order
from tests.exhibitors.factories import Show, hold
from tests.helpers import log_in

IBAN = "CH9300762011623852957"  # the standard Swiss example IBAN; its checksum holds


def bank_settings(edition: Edition, **values: object) -> PaymentSettings:
    """Payment settings with bank details, stored directly (the settings page has its tests)."""
    settings = db.session.scalar(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = PaymentSettings(edition_id=edition.id)
        db.session.add(settings)
    defaults = {
        "bank_account_holder": "International Telecommunication Union",
        "bank_name": "Test Bank Geneva",
        "bank_iban": IBAN,
        "bank_bic": "UBSWCHZH80A",
        "transfer_days": 30,
        "bank_transfer_enabled": True,
    }
    for name, value in {**defaults, **values}.items():
        setattr(settings, name, value)
    commit()
    return settings


def fresh(order: Order | int) -> Order:
    db.session.expire_all()
    found = db.session.get(Order, order if isinstance(order, int) else order.id)
    assert found is not None
    return found


def held_order(show: Show, *codes: str, organisation: Organisation | None = None) -> Order:
    """The open order of the organisation's holds on `codes` (Acme by default)."""
    organisation = organisation or show.acme
    actor = show.ada if organisation.id == show.acme.id else show.bob
    for code in codes:
        hold(show, code, organisation, actor)
    order = open_order(organisation)
    assert order is not None
    return order


def awaiting_order(show: Show, *codes: str, organisation: Organisation | None = None) -> Order:
    """An order awaiting transfer with its invoice, as the buyer choosing transfer leaves it."""
    order = held_order(show, *(codes or ("F-101",)), organisation=organisation)
    try:
        from telecom.payments.transfer import choose_bank_transfer
    except ImportError:  # the buyer side is built at the same time; do what it does
        settlement.set_order_state(order, OrderState.AWAITING_TRANSFER, actor=None)
        order.transfer_due_at = utcnow() + timedelta(days=30)
        documents.issue_invoice(order, actor=None, paid=False)
        commit()
    else:
        buyer = show.ada if order.organisation_id == show.acme.id else show.bob
        choose_bank_transfer(order, actor=buyer)
    return fresh(order)


def direct_order(
    edition: Edition,
    organisation: Organisation | None,
    *,
    amount: str = "1000.00",
    state: OrderState = OrderState.PAID,
    provider: PaymentProvider = PaymentProvider.BANK_TRANSFER,
    reference: str | None = None,
) -> Order:
    """An order with one line and, unless open, one succeeded payment: rows only, no services.

    For list and export tests that need many orders quickly.
    """
    count = db.session.scalar(select(db.func.count(Order.id))) or 0
    order = Order(
        edition_id=edition.id,
        organisation_id=organisation.id if organisation else None,
        state=state,
        currency=edition.currency,
        reference=reference or f"TW15-TEST-{count + 1:04d}",
        tax_rate=Decimal("0.00"),
        tax_label="VAT",
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderLine(order_id=order.id, kind=OrderLineKind.BOOTH, description="Booth X",
                  quantity=1, unit_price=Decimal(amount))
    )  # fmt: skip
    if state != OrderState.OPEN:
        db.session.add(
            Payment(order_id=order.id, edition_id=edition.id, provider=provider,
                    state=PaymentState.SUCCEEDED, amount=Decimal(amount),
                    currency=edition.currency, reference="bank ref",
                    stripe_payment_intent_id=f"pi_list_{order.id}"
                    if provider == PaymentProvider.CARD else None)
        )  # fmt: skip
    commit()
    return order


def base_url(show: Show) -> str:
    return f"/organizer/editions/{show.edition.slug}/payments"


def order_url(show: Show, order: Order | int) -> str:
    return f"{base_url(show)}/orders/{order if isinstance(order, int) else order.id}"


def organizer_client(app, show: Show) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, show.organizer.email)
    return client
