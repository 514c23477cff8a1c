"""Sponsorship deals, recorded as orders so that they count as revenue.

An organizer records a deal (an organisation of the edition, an amount, a
description such as "Gold sponsor"). It becomes an order of that
organisation with one SPONSORSHIP line, invoiced at once for payment by bank
transfer, as when a buyer chooses bank transfer (transfer.py): the order is
"awaiting transfer", its invoice (with the bank details, the payment
reference and the due date) is issued and e-mailed to the organisation's
contacts. The sponsor then pays like any invoiced buyer: an organizer records
the transfer on the order page (admin.record_transfer), which settles the
order; refunds and cancellation work as for any order. The KPI engine counts
a paid order whose lines are sponsorship in the "sponsorship" stream.

The order never passes through "open": an organisation may already have an
open order (its booth holds), and there is one open order per organisation.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.extensions import db
from telecom.payments import documents, settlement, transfer
from telecom.payments.admin import FieldError, parse_amount
from telecom.payments.models import Order, OrderLine, OrderLineKind, OrderState
from telecom.payments.services import LINE_FIELDS, new_reference
from telecom.payments.settings import settings_for

DESCRIPTION_LENGTH = 300  # OrderLine.description


def _organizer(actor: User | None) -> User:
    return require_role(actor, Role.ORGANIZER)


def sponsor_choices(edition: Edition, *, actor: User | None) -> list[Organisation]:
    """The organisations of the edition, by name: who can sign a deal."""
    _organizer(actor)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.edition_id == edition.id)
            .order_by(Organisation.display_name, Organisation.id)
        )
    )


def sponsorship_orders(edition: Edition, *, actor: User | None) -> list[Order]:
    """The edition's orders with a sponsorship line, newest first, with what the list shows."""
    _organizer(actor)
    has_sponsorship = exists().where(
        OrderLine.order_id == Order.id, OrderLine.kind == OrderLineKind.SPONSORSHIP
    )
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.edition_id == edition.id, has_sponsorship)
            .options(
                selectinload(Order.lines),
                selectinload(Order.payments),
                selectinload(Order.refunds),
                selectinload(Order.documents),
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )


@atomic
def record_sponsorship(
    edition: Edition,
    *,
    organisation_id: int | None,
    amount: object,
    description: str,
    actor: User | None,
) -> Order:
    """Record a sponsorship deal: an invoiced order awaiting the sponsor's bank transfer.

    Refused (FieldError naming the field, nothing saved) for an organisation
    of another edition, an amount that is not positive with at most two
    decimals, or an empty description; refused (ValidationError) while the
    edition's payment settings have no bank account to print on the invoice.
    """
    actor = _organizer(actor)
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.edition_id != edition.id:
        raise FieldError("organisation", _("Choose an organisation of this edition."))
    net: Decimal = parse_amount(amount)
    description = (description or "").strip()
    if not description:
        raise FieldError("description", _("Describe the deal, for example “Gold sponsor”."))
    if len(description) > DESCRIPTION_LENGTH:
        raise FieldError(
            "description",
            _("The description can have at most %(count)d characters.", count=DESCRIPTION_LENGTH),
        )
    settings = settings_for(edition)
    if not transfer.bank_transfer_offered(settings):
        raise ValidationError(
            _(
                "The sponsor's invoice must say where to pay: enter the bank account and "
                "allow bank transfers in this edition's payment settings first."
            )
        )

    now = utcnow()
    order = Order(
        edition_id=edition.id,
        organisation_id=organisation.id,
        buyer_id=None,
        state=OrderState.AWAITING_TRANSFER,
        currency=edition.currency,
        reference=new_reference(edition.start_date.year),
        tax_rate=settings.tax_rate,
        tax_label=settings.tax_label,
        transfer_due_at=transfer.transfer_deadline(now, settings.transfer_days, edition),
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "create", order, actor=actor, edition_id=edition.id,
        after=audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS)
        | {"organisation_id": organisation.id, "currency": order.currency,
           "reference": order.reference, "tax_rate": str(order.tax_rate),
           "kind": "sponsorship"},
    )  # fmt: skip
    line = OrderLine(
        order=order,
        kind=OrderLineKind.SPONSORSHIP,
        description=description,
        quantity=1,
        unit_price=net,
    )
    db.session.add(line)
    db.session.flush()
    audit.record(
        "add_line", order, actor=actor, edition_id=edition.id,
        after=audit.snapshot(line, LINE_FIELDS),
    )  # fmt: skip
    invoice = documents.issue_invoice(order, actor=actor, paid=False)
    transfer.mail_invoice(order, invoice, edition)
    commit()
    return order
