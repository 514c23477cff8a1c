"""Paying by bank transfer: the buyer asks for an invoice and pays it later.

Organisations often cannot pay by card. Choosing bank transfer turns the open
order into "awaiting transfer", issues its invoice (bank details, payment
reference, due date) and mails it as a PDF, and keeps the order's booths held
until the transfer deadline instead of the short card hold. An organizer
records the transfer when it arrives (settlement.settle_if_paid books the
booths then). If nothing arrives, `flask booths release-expired` releases the
holds after the deadline; the order, left without lines, is cancelled and its
invoice credited (services.end_line).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.exhibitors.models import BookingState, BoothBooking
from telecom.extensions import db
from telecom.payments import access, documents, settlement
from telecom.payments.models import (
    Document,
    Order,
    OrderState,
    PaymentProvider,
    PaymentSettings,
    PaymentState,
)
from telecom.payments.settings import settings_for

# A card attempt younger than this may still be in the buyer's hands (3-D
# Secure); an older one was abandoned and no longer blocks a transfer. Should
# it still succeed, settlement refunds the overpayment automatically.
CARD_ATTEMPT_GRACE = timedelta(minutes=15)


def transfer_deadline(now: datetime, days: int, edition: Edition) -> datetime:
    """The last moment to pay: the end of the day `days` days from today, edition time.

    A whole day reads better on an invoice ("due 26 October 2015") than a time
    of day, and the edition's own calendar is the one its bank dates follow
    (as the organizer's "extend deadline" does). Stored in UTC.
    """
    due_day = edition.local_date(now) + timedelta(days=days)
    return edition.day_ends_at(due_day).astimezone(UTC)


def bank_transfer_offered(settings: PaymentSettings) -> bool:
    """The edition takes transfers and has an account to send them to.

    Without an IBAN the invoice could not say where to pay, so the choice is
    not offered until the organizer enters the bank details.
    """
    return bool(settings.bank_transfer_enabled and settings.bank_iban.strip())


def _booth_bookings(order: Order) -> list[BoothBooking]:
    bookings = []
    for line in order.active_lines:
        if line.booth_booking_id is None:
            continue
        booking = db.session.get(BoothBooking, line.booth_booking_id)
        if booking is not None:
            bookings.append(booking)
    return bookings


def _refuse_unless_payable(order: Order, now: datetime) -> None:
    if order.state == OrderState.AWAITING_TRANSFER:
        raise Conflict(
            _("You already chose bank transfer for this order; its invoice has been sent.")
        )
    if order.state == OrderState.PAID:
        raise Conflict(_("This order is already paid."))
    if order.state != OrderState.OPEN:
        raise Conflict(_("This order was cancelled and can no longer be paid."))
    if not order.active_lines:
        raise ValidationError(_("This order is empty: there is nothing to pay for."))
    if any(
        p.provider == PaymentProvider.CARD
        and p.state == PaymentState.PENDING
        and p.created_at > now - CARD_ATTEMPT_GRACE
        for p in order.payments
    ):
        raise Conflict(
            _(
                "A card payment for this order is under way. Wait for its outcome before "
                "choosing bank transfer."
            )
        )
    for booking in _booth_bookings(order):
        if (
            booking.state == BookingState.HELD
            and booking.held_until is not None
            and booking.held_until <= now
        ):
            raise Conflict(
                _(
                    "The hold on booth %(code)s has run out. Reload the page: the booth may "
                    "be available to hold again.",
                    code=booking.booth.code,
                )
            )


@atomic
def choose_bank_transfer(order: Order, *, actor: User, now: datetime | None = None) -> Order:
    """The buyer pays `order` by bank transfer: invoice it, mail it, hold the booths.

    Refused, and nothing changed, when the actor is not on the buying side,
    the order is not open, empty, being paid by card, a hold ran out, or the
    edition does not take bank transfers.
    """
    if not access.is_buyer(actor, order):
        raise NotFound(_("There is no such order."))
    now = now or utcnow()
    # Under the order's lock: a card payment starting at the same moment, or
    # a second click, sees the new state and is refused.
    order = settlement.lock_order(order.id)
    _refuse_unless_payable(order, now)
    settings = settings_for(order.edition_id)
    if not bank_transfer_offered(settings):
        raise ValidationError(
            _("Bank transfer is not offered for this edition. Please pay by card.")
        )

    edition = db.session.get(Edition, order.edition_id)
    assert edition is not None
    settlement.set_order_state(order, OrderState.AWAITING_TRANSFER, actor=actor, now=now)
    deadline = transfer_deadline(now, settings.transfer_days, edition)
    before = audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS)
    order.transfer_due_at = deadline
    audit.record(
        "set_transfer_deadline", order, actor=actor, edition_id=order.edition_id,
        before=before, after=audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS),
    )  # fmt: skip

    from telecom.exhibitors.services.booking import extend_hold

    for booking in _booth_bookings(order):
        extend_hold(booking, deadline, actor=actor)

    invoice = documents.issue_invoice(order, actor=actor, paid=False)
    mail_invoice(order, invoice, edition)
    commit()
    return order


def mail_invoice(order: Order, invoice: Document, edition: Edition) -> None:
    """Queue the invoice, as a PDF, to everyone who follows the order."""
    from telecom.payments.pdf import render_document_pdf

    pdf = render_document_pdf(invoice)
    attachment = (f"{invoice.number}.pdf", "application/pdf", pdf)
    subject = _l(
        "Invoice %(number)s for order %(reference)s", number=invoice.number,
        reference=order.reference,
    )  # fmt: skip
    for email, locale in settlement.order_recipients(order):
        queue_mail(
            email, subject, "invoice_issued.txt", locale=locale, attachments=[attachment],
            order=order, invoice=invoice, edition=edition, bank=invoice.content.get("bank", {}),
            order_url=settlement.order_url(order),
        )  # fmt: skip
