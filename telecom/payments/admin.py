"""The organizer's side of payments: lists, exports, bank transfers, overdue
transfers, cancellations, refunds and the per-edition payment settings.

Every service checks the organizer role itself (the views only translate
refusals) and runs as one transaction. Lists load what their rows show with a
fixed number of statements (selectinload plus one lookup per kind of name),
so the pages and exports do not slow down as orders accumulate.

Bank transfers: an organizer records money that arrived on the edition's
account against an order awaiting transfer. An order still open (the buyer
paid against a pro-forma, or straight from the hold mail) is accepted too:
recording moves it to "awaiting transfer" with its bank-transfer invoice
first, so the money is always received against an invoice and the open
basket is closed (a later hold starts a new order, and the total the buyer
owes cannot change under the payment). The first money received secures the
order's held booths (confirmed bookings), so the deadline sweep no longer
releases them; the order is paid, and its booths become paid bookings, when
the sum reaches the total.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.edition_settings import save_settings
from telecom.core.errors import Conflict, NotFound, ServiceError, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    BoothBooking,
    Organisation,
)
from telecom.extensions import db
from telecom.payments import documents, settlement
from telecom.payments.models import (
    CENT,
    ZERO,
    Document,
    Order,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentSettings,
    PaymentState,
    Refund,
    RefundState,
)
from telecom.payments.settings import settings_for

log = logging.getLogger(__name__)

MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


# --------------------------------------------------------------------------- helpers


def _organizer(actor: User | None) -> User:
    return require_role(actor, Role.ORGANIZER)


def edition_today(edition: Edition, now: datetime | None = None) -> date:
    """Today's date where the edition takes place (bank dates are local dates)."""
    return (now or utcnow()).astimezone(ZoneInfo(edition.timezone)).date()


def _start_of(day: date, edition: Edition) -> datetime:
    return edition.day_starts_at(day)


def end_of_day(day: date, edition: Edition) -> datetime:
    return edition.day_ends_at(day)


class FieldError(ValidationError):
    """A refused value, with the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals, or a FieldError saying why."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FieldError(field, _("Enter the amount as a number, for example 1250.00.")) from None
    if not amount.is_finite():
        raise FieldError(field, _("Enter the amount as a number, for example 1250.00."))
    if amount <= ZERO:
        raise FieldError(field, _("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise FieldError(field, _("The amount can have at most two decimals."))
    if amount > MAX_AMOUNT:
        raise FieldError(field, _("The amount is too large."))
    return amount.quantize(CENT)


def get_edition_order(edition: Edition, order_id: int, *, actor: User | None) -> Order:
    """An order of this edition, for an organizer (NotFound for any other order)."""
    _organizer(actor)
    order = db.session.get(Order, order_id)
    if order is None or order.edition_id != edition.id:
        raise NotFound(_("There is no such order."))
    return order


def _locked_order(order: Order) -> Order:
    # populate_existing: the state read here is the one the lock protects.
    return settlement.lock_order(order.id)


# --------------------------------------------------------------------------- lists


@dataclass
class OrderFilters:
    state: OrderState | None = None
    provider: PaymentProvider | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""


@dataclass
class PaymentFilters:
    state: PaymentState | None = None
    provider: PaymentProvider | None = None
    created_from: date | None = None
    created_to: date | None = None


def _date_range(column: Any, edition: Edition, start: date | None, end: date | None) -> list[Any]:
    """Conditions for `column` within [start, end], both days included, in the edition's zone."""
    conditions = []
    if start is not None:
        conditions.append(column >= _start_of(start, edition))
    if end is not None:
        conditions.append(column < _start_of(end + timedelta(days=1), edition))
    return conditions


def orders_query(edition: Edition, filters: OrderFilters, *, actor: User | None) -> Select[Any]:
    """The edition's orders matching the filters, newest first (organizers only)."""
    _organizer(actor)
    query = (
        select(Order)
        .outerjoin(Organisation, Organisation.id == Order.organisation_id)
        .outerjoin(User, User.id == Order.buyer_id)
        .where(Order.edition_id == edition.id)
    )
    if filters.state is not None:
        query = query.where(Order.state == filters.state)
    if filters.provider is not None:
        query = query.where(
            exists().where(Payment.order_id == Order.id, Payment.provider == filters.provider)
        )
    query = query.where(*_date_range(Order.created_at, edition, filters.created_from,
                                     filters.created_to))  # fmt: skip
    text = (filters.q or "").strip()
    if text:
        pattern = f"%{_escape_like(text.lower())}%"
        query = query.where(
            or_(
                func.lower(Organisation.display_name).like(pattern, escape="\\"),
                func.lower(Organisation.legal_name).like(pattern, escape="\\"),
                func.lower(Order.reference).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(Organisation.contact_email).like(pattern, escape="\\"),
            )
        )
    return query.options(
        selectinload(Order.lines),
        selectinload(Order.payments),
        selectinload(Order.refunds),
        selectinload(Order.documents),
    ).order_by(Order.created_at.desc(), Order.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def payments_query(edition: Edition, filters: PaymentFilters, *, actor: User | None) -> Select[Any]:
    """The edition's payments matching the filters, newest first (organizers only)."""
    _organizer(actor)
    query = select(Payment).where(Payment.edition_id == edition.id)
    if filters.state is not None:
        query = query.where(Payment.state == filters.state)
    if filters.provider is not None:
        query = query.where(Payment.provider == filters.provider)
    query = query.where(*_date_range(Payment.created_at, edition, filters.created_from,
                                     filters.created_to))  # fmt: skip
    return query.options(selectinload(Payment.order), selectinload(Payment.refunds)).order_by(
        Payment.created_at.desc(), Payment.id.desc()
    )


def refunds_query(
    edition: Edition, *, actor: User | None, state: RefundState | None = None
) -> Select[Any]:
    """The edition's refunds, newest first (organizers only)."""
    _organizer(actor)
    query = select(Refund).where(Refund.edition_id == edition.id)
    if state is not None:
        query = query.where(Refund.state == state)
    return query.options(selectinload(Refund.order), selectinload(Refund.payment)).order_by(
        Refund.created_at.desc(), Refund.id.desc()
    )


@dataclass
class Buyer:
    """Who an order is for, as the lists show it."""

    name: str
    email: str
    organisation_id: int | None = None


def buyers_of(orders: Sequence[Order]) -> dict[int, Buyer]:
    """Buyer of each order (by order id), with two queries whatever the number of orders."""
    organisation_ids = {o.organisation_id for o in orders if o.organisation_id is not None}
    user_ids = {o.buyer_id for o in orders if o.buyer_id is not None}
    organisations = (
        {
            row.id: row
            for row in db.session.execute(
                select(Organisation.id, Organisation.display_name, Organisation.contact_email)
                .where(Organisation.id.in_(organisation_ids))
            )
        }
        if organisation_ids
        else {}
    )  # fmt: skip
    users = (
        {
            row.id: row
            for row in db.session.execute(
                select(User.id, User.full_name, User.email).where(User.id.in_(user_ids))
            )
        }
        if user_ids
        else {}
    )
    buyers = {}
    for order in orders:
        user = users.get(order.buyer_id) if order.buyer_id else None
        organisation = organisations.get(order.organisation_id) if order.organisation_id else None
        email = user.email if user else (organisation.contact_email if organisation else "")
        if organisation is not None:
            buyers[order.id] = Buyer(organisation.display_name, email, organisation.id)
        else:
            buyers[order.id] = Buyer(user.full_name if user else "", email)
    return buyers


def providers_of(order: Order) -> list[PaymentProvider]:
    """The payment methods an order saw, in a stable order."""
    used = {p.provider for p in order.payments}
    return [p for p in PaymentProvider if p in used]


def order_export_table(
    edition: Edition, filters: OrderFilters, *, actor: User | None
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the filtered orders, for CSV/XLSX (organizers only).

    Amounts stay Decimals: a CSV shows them as plain "1234.50", an XLSX as
    numbers; the currency has its own column.
    """
    orders = list(db.session.scalars(orders_query(edition, filters, actor=actor)))
    buyers = buyers_of(orders)
    headers = [
        _("Order ID"), _("Reference"), _("State"), _("Buyer"), _("Buyer e-mail"), _("Created"),
        _("Currency"), _("Net"), _("Tax rate (%)"), _("Tax"), _("Total"), _("Paid"),
        _("Refunded"), _("Balance due"), _("Payment methods"), _("Invoice"), _("Transfer due"),
        _("Paid on"), _("Cancelled on"),
    ]  # fmt: skip
    rows = []
    for order in orders:
        buyer = buyers[order.id]
        invoice = order.invoice
        rows.append([
            order.id, order.reference, order.state.label, buyer.name, buyer.email,
            order.created_at, order.currency, order.total, order.tax_rate, order.tax,
            order.gross_total, order.amount_paid, order.amount_refunded, order.balance_due,
            " ".join(p.label for p in providers_of(order)), invoice.number if invoice else "",
            order.transfer_due_at, order.paid_at, order.cancelled_at,
        ])  # fmt: skip
    return headers, rows


def payment_export_table(
    edition: Edition, filters: PaymentFilters, *, actor: User | None
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the filtered payments, for CSV/XLSX (organizers only)."""
    payments = list(db.session.scalars(payments_query(edition, filters, actor=actor)))
    buyers = buyers_of([p.order for p in payments])
    headers = [
        _("Payment ID"), _("Order ID"), _("Order reference"), _("Buyer"), _("Method"),
        _("State"), _("Currency"), _("Amount"), _("Refunded"), _("Created"), _("Received on"),
        _("Bank reference"), _("Stripe PaymentIntent"), _("Failure"),
    ]  # fmt: skip
    rows = [
        [
            p.id,
            p.order_id,
            p.order.reference,
            buyers[p.order_id].name,
            p.provider.label,
            p.state.label,
            p.currency,
            p.amount,
            p.refunded,
            p.created_at,
            p.received_on,
            p.reference,
            p.stripe_payment_intent_id or "",
            p.failure_message,
        ]
        for p in payments
    ]
    return headers, rows


def users_by_id(ids: Sequence[int | None]) -> dict[int, str]:
    """E-mail of each user id given (one query), for "recorded by" columns."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(wanted))).all())


# --------------------------------------------------------------------------- bank transfers


def _secure_held_bookings(order: Order, *, actor: User | None) -> None:
    """Money arrived: keep the order's held booths (confirmed) past the transfer deadline."""
    from telecom.exhibitors.services.booking import confirm_for_transfer

    for line in order.active_lines:
        if line.booth_booking_id is None:
            continue
        booking = db.session.get(BoothBooking, line.booth_booking_id)
        if booking is not None:
            confirm_for_transfer(booking, actor=actor)


def _to_awaiting_transfer(order: Order, edition: Edition, *, actor: User | None) -> None:
    """An open order paid by transfer against a pro-forma: invoice it as a transfer order."""
    from telecom.payments.transfer import transfer_deadline

    settings = settings_for(edition)
    now = utcnow()
    settlement.set_order_state(order, OrderState.AWAITING_TRANSFER, actor=actor, now=now,
                               reason="bank transfer recorded by an organizer")  # fmt: skip
    if order.transfer_due_at is None:
        # The same deadline the buyer would have had choosing bank transfer.
        before = audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS)
        order.transfer_due_at = transfer_deadline(now, settings.transfer_days, edition)
        audit.record(
            "set_transfer_deadline", order, actor=actor, edition_id=order.edition_id,
            before=before, after=audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS),
        )  # fmt: skip
    documents.issue_invoice(order, actor=actor, paid=False)


@atomic
def record_transfer(
    order: Order, *, amount: Decimal, received_on: date, reference: str, actor: User | None
) -> Payment:
    """Record a bank transfer received for an order (organizers only).

    Partial payments leave the order awaiting transfer with the balance due;
    the payment that reaches the total settles it (booths paid, invoice,
    receipt). More than the balance due is refused: an overpayment is
    returned to the payer by the bank, not kept on the order.
    """
    actor = _organizer(actor)
    amount = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise FieldError("reference", _("Give the bank reference of the transfer."))
    if len(reference) > 200:
        raise FieldError("reference", _("The bank reference can have at most 200 characters."))
    edition = db.session.get(Edition, order.edition_id)
    assert edition is not None
    if not isinstance(received_on, date):
        raise FieldError("received_on", _("Give the date the money arrived."))
    if received_on > edition_today(edition):
        raise FieldError("received_on", _("The date the money arrived cannot be in the future."))

    # Two organizers recording the last transfer at once queue here; the second
    # sees the first one's payment in the balance.
    order = _locked_order(order)
    if order.state == OrderState.PAID:
        raise Conflict(_("Order %(reference)s is already paid.", reference=order.reference))
    if order.state == OrderState.CANCELLED:
        raise Conflict(
            _("Order %(reference)s is cancelled; a transfer cannot be recorded against it.",
              reference=order.reference)
        )  # fmt: skip
    if not order.active_lines:
        raise Conflict(_("Order %(reference)s has nothing to pay.", reference=order.reference))
    balance = order.balance_due
    if amount > balance:
        raise FieldError(
            "amount",
            _(
                "%(amount)s is more than the balance due of %(balance)s %(currency)s. Record "
                "at most the balance; the bank returns any excess to the payer.",
                amount=amount, balance=balance, currency=order.currency,
            )
        )  # fmt: skip
    if order.state == OrderState.OPEN:
        _to_awaiting_transfer(order, edition, actor=actor)

    payment = Payment(
        order_id=order.id,
        edition_id=order.edition_id,
        provider=PaymentProvider.BANK_TRANSFER,
        state=PaymentState.PENDING,
        amount=amount,
        currency=order.currency,
        reference=reference,
        received_on=received_on,
        recorded_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "record_transfer", payment, actor=actor, edition_id=order.edition_id,
        after=audit.snapshot(payment, settlement.PAYMENT_AUDIT_FIELDS) | {"order_id": order.id},
    )  # fmt: skip
    payment = settlement.lock_payment(payment.id)
    settlement.complete_payment(payment, actor=actor)
    order = db.session.get(Order, order.id)  # the settled state, as complete_payment left it
    assert order is not None
    if order.state == OrderState.AWAITING_TRANSFER:
        _secure_held_bookings(order, actor=actor)
    commit()
    return payment


# --------------------------------------------------------------------------- overdue transfers


def overdue_query(
    edition: Edition, *, actor: User | None, now: datetime | None = None
) -> Select[Any]:
    """Orders awaiting transfer past their deadline, oldest deadline first (organizers only).

    An order awaiting transfer always has a balance: the payment that
    covers the total settles it.
    """
    _organizer(actor)
    return (
        select(Order)
        .where(
            Order.edition_id == edition.id,
            Order.state == OrderState.AWAITING_TRANSFER,
            Order.transfer_due_at.is_not(None),
            Order.transfer_due_at < (now or utcnow()),
        )
        .options(
            selectinload(Order.lines),
            selectinload(Order.payments),
            selectinload(Order.refunds),
            selectinload(Order.documents),
        )
        .order_by(Order.transfer_due_at, Order.id)
    )


@atomic
def extend_transfer_deadline(order: Order, due: date, *, actor: User | None) -> datetime:
    """Give a transfer order until the end of `due` (edition time); its holds last as long."""
    from telecom.exhibitors.services.booking import extend_hold

    actor = _organizer(actor)
    edition = db.session.get(Edition, order.edition_id)
    assert edition is not None
    if not isinstance(due, date):
        raise FieldError("due", _("Give the new deadline."))
    if due <= edition_today(edition):
        raise FieldError("due", _("The new deadline must be after today."))
    order = _locked_order(order)
    if order.state != OrderState.AWAITING_TRANSFER:
        raise Conflict(_("Only an order awaiting a bank transfer has a deadline to extend."))
    until = end_of_day(due, edition)
    before = audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS)
    order.transfer_due_at = until
    audit.record(
        "extend_deadline", order, actor=actor, edition_id=order.edition_id,
        before=before, after=audit.snapshot(order, settlement.ORDER_AUDIT_FIELDS),
    )  # fmt: skip
    for line in order.active_lines:
        booking = (
            db.session.get(BoothBooking, line.booth_booking_id) if line.booth_booking_id else None
        )
        if booking is not None and booking.state == BookingState.HELD:
            extend_hold(booking, until, actor=actor)
    commit()
    return until


# --------------------------------------------------------------------------- cancel and refund


@dataclass
class RefundFailure:
    payment: Payment
    amount: Decimal
    message: str


@dataclass
class CancelOutcome:
    order: Order
    credit_note: Document | None
    refunds: list[Refund] = field(default_factory=list)
    failures: list[RefundFailure] = field(default_factory=list)


@atomic
def _cancel(order: Order, *, actor: User, reason: str) -> tuple[Order, Document | None]:
    from telecom.exhibitors.services.booking import cancel_for_order
    from telecom.payments.services import end_line

    order = _locked_order(order)
    if order.state == OrderState.CANCELLED:
        raise Conflict(_("Order %(reference)s is already cancelled.", reference=order.reference))
    # The order is cancelled first, so that ending its last line does not
    # cancel it a second time (with a generic reason) on the way.
    settlement.set_order_state(order, OrderState.CANCELLED, actor=actor, reason=reason)
    for line in list(order.active_lines):
        booking = (
            db.session.get(BoothBooking, line.booth_booking_id) if line.booth_booking_id else None
        )
        if booking is not None and booking.state in ACTIVE_BOOKING_STATES:
            cancel_for_order(booking, actor=actor, reason=reason)  # ends the line too
        if line.registration_id is not None:
            # A pass: its badge must stop working with the order.
            from telecom.participants.services import registration as registrations

            registrations.cancel_for_order(line.registration_id, actor=actor)
        end_line(line, actor=actor)  # a line whose booking had already ended
    credit_note = None
    invoice = order.invoice
    if invoice is not None:
        credited = sum((d.gross for d in order.credit_notes), ZERO)
        credit_note = documents.issue_credit_note(
            order, invoice.gross - credited, reason=reason, actor=actor
        )
    settlement.notify(
        order,
        _l("Order %(reference)s is cancelled", reference=order.reference),
        "order_cancelled.txt",
        reason=reason,
        credit_note=credit_note,
    )
    commit()
    return order, credit_note


def cancel_order(order: Order, *, actor: User | None, reason: str, refund: bool) -> CancelOutcome:
    """Cancel an order (organizers only): its booths are released, its invoice credited.

    With `refund`, every succeeded payment's refundable amount goes back
    through its provider, each in its own transaction after the
    cancellation has committed: a refused refund (Stripe down, say) never
    undoes the cancellation, and is reported per payment to be retried from
    the order page.
    """
    actor = _organizer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the cancellation."))
    if len(reason) > 200:
        raise ValidationError(_("The reason can have at most 200 characters."))
    order, credit_note = _cancel(order, actor=actor, reason=reason)
    outcome = CancelOutcome(order=order, credit_note=credit_note)
    if not refund:
        return outcome
    from telecom.payments.refunds import refund_payment

    payment_ids = [p.id for p in order.payments if p.refundable > ZERO]
    for payment_id in payment_ids:
        payment = db.session.get(Payment, payment_id)
        assert payment is not None
        amount = payment.refundable
        try:
            made = refund_payment(payment, amount, reason=reason, actor=actor, credit_note=False)
        except ServiceError as error:
            db.session.rollback()
            outcome.failures.append(RefundFailure(payment, amount, error.message))
        except Exception:  # the cancellation is committed: report, do not lose the others
            db.session.rollback()
            log.exception("refund of payment %s failed", payment_id)
            outcome.failures.append(
                RefundFailure(payment, amount, _("The refund could not be made; try again."))
            )
        else:
            outcome.refunds.append(made)
    return outcome


def refund_order_payment(
    order: Order, payment_id: int, amount: object, *, reason: str, actor: User | None
) -> Refund:
    """Refund (part of) one payment of an order, with a credit note (organizers only)."""
    from telecom.payments.refunds import refund_payment

    actor = _organizer(actor)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order_id != order.id:
        raise NotFound(_("There is no such payment."))
    value = parse_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", _("Give a reason for the refund."))
    if len(reason) > 500:
        raise FieldError("reason", _("The reason can have at most 500 characters."))
    if payment.state != PaymentState.SUCCEEDED:
        raise Conflict(_("Only a succeeded payment can be refunded."))
    if value > payment.refundable:
        raise FieldError(
            "amount",
            _("At most %(amount)s %(currency)s of this payment can be refunded.",
              amount=payment.refundable, currency=payment.currency)
        )  # fmt: skip
    return refund_payment(payment, value, reason=reason, actor=actor)


# --------------------------------------------------------------------------- payment settings


def payment_settings_of(edition: Edition, *, actor: User | None) -> PaymentSettings:
    """The edition's payment settings as the settings page shows them (organizers only)."""
    _organizer(actor)
    return settings_for(edition)


@dataclass
class PaymentSettingsData:
    tax_rate: Decimal
    tax_label: str
    issuer_name: str
    issuer_address: str
    issuer_tax_id: str
    bank_account_holder: str
    bank_name: str
    bank_iban: str
    bank_bic: str
    transfer_days: int
    bank_transfer_enabled: bool
    invoice_note: str


PAYMENT_SETTINGS_FIELDS = tuple(f.name for f in fields(PaymentSettingsData))

FIELD_LABELS = {
    "tax_rate": _l("Tax rate (%)"),
    "tax_label": _l("Tax label"),
    "issuer_name": _l("Issuer name"),
    "issuer_address": _l("Issuer address"),
    "issuer_tax_id": _l("Issuer tax / VAT number"),
    "bank_account_holder": _l("Account holder"),
    "bank_name": _l("Bank name"),
    "bank_iban": _l("IBAN"),
    "bank_bic": _l("BIC / SWIFT"),
    "transfer_days": _l("Days to pay by transfer"),
    "bank_transfer_enabled": _l("Buyers may pay by bank transfer"),
    "invoice_note": _l("Note printed on invoices"),
}

TEXT_LIMITS = {
    "tax_label": 40, "issuer_name": 200, "issuer_address": 1000, "issuer_tax_id": 60,
    "bank_account_holder": 200, "bank_name": 200, "invoice_note": 2000,
}  # fmt: skip
TRANSFER_DAYS = (1, 120)

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def normalise_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: two letters, two check digits, then the account; mod 97 of the rearranged
    number (letters as 10..35) is 1."""
    if not _IBAN_SHAPE.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def format_iban(iban: str) -> str:
    """CH93 0076 2011 6238 5295 7: grouped by four, as printed on paper."""
    iban = normalise_iban(iban)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


class PaymentSettingsError(ValidationError):
    """Refused values, one message per field (for the form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def payment_settings_data(settings: PaymentSettings) -> PaymentSettingsData:
    return PaymentSettingsData(
        **{name: getattr(settings, name) for name in PAYMENT_SETTINGS_FIELDS}
    )


def _validated_settings(data: PaymentSettingsData) -> PaymentSettingsData:
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        value = (getattr(data, name) or "").strip()
        setattr(data, name, value)
        if len(value) > limit:
            errors[name] = _("%(field)s can have at most %(n)d characters.",
                             field=FIELD_LABELS[name], n=limit)  # fmt: skip
    rate = data.tax_rate
    if (
        isinstance(rate, bool)
        or not isinstance(rate, Decimal | int)
        or not Decimal(rate).is_finite()
    ):
        errors["tax_rate"] = _("The tax rate must be a number.")
    else:
        rate = Decimal(rate)
        if not ZERO <= rate <= Decimal(100):
            errors["tax_rate"] = _("The tax rate must be between 0 and 100.")
        elif rate != rate.quantize(CENT):
            errors["tax_rate"] = _("The tax rate can have at most two decimals.")
        else:
            data.tax_rate = rate.quantize(CENT)
    if not data.tax_label and "tax_label" not in errors:
        errors["tax_label"] = _("Give the tax label printed on invoices, for example VAT.")
    if not data.issuer_name and "issuer_name" not in errors:
        errors["issuer_name"] = _("Give the name of the invoice issuer.")
    low, high = TRANSFER_DAYS
    days = data.transfer_days
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        errors["transfer_days"] = _("%(field)s must be a whole number between %(low)d and "
                                    "%(high)d.", field=FIELD_LABELS["transfer_days"],
                                    low=low, high=high)  # fmt: skip
    data.bank_iban = normalise_iban(data.bank_iban)
    if data.bank_iban and not iban_is_valid(data.bank_iban):
        errors["bank_iban"] = _(
            "This is not a valid IBAN: check the country code, the two check digits and the "
            "account number."
        )
    data.bank_bic = re.sub(r"\s+", "", data.bank_bic or "").upper()
    if data.bank_bic and not _BIC_SHAPE.match(data.bank_bic):
        errors["bank_bic"] = _(
            "A BIC has 8 or 11 characters: bank (4 letters), country (2 letters), location "
            "(2), optionally branch (3)."
        )
    data.bank_transfer_enabled = bool(data.bank_transfer_enabled)
    if data.bank_transfer_enabled:
        # An invoice asking for a transfer must say where to send it.
        if not data.bank_iban and "bank_iban" not in errors:
            errors["bank_iban"] = _("Give the IBAN buyers transfer to, or turn bank transfer off.")
        if not data.bank_account_holder and "bank_account_holder" not in errors:
            errors["bank_account_holder"] = _(
                "Give the account holder buyers transfer to, or turn bank transfer off."
            )
    if errors:
        raise PaymentSettingsError(errors)
    return data


@atomic
def update_payment_settings(
    edition: Edition, data: PaymentSettingsData, *, actor: User | None
) -> PaymentSettings:
    """Save an edition's payment settings (organizers only); nothing is saved on any error.

    The tax rate is copied into an order when it opens, so a new rate applies
    to orders opened after the change; existing orders keep theirs.
    """
    actor = _organizer(actor)
    return save_settings(
        PaymentSettings, edition, _validated_settings(data), PAYMENT_SETTINGS_FIELDS, actor=actor
    )
