"""Visitor registration without an account, e-mail confirmation, and what a person does next.

Registering
-----------
`register_visitor` runs in one transaction under a row lock on the PassType
(SELECT ... FOR UPDATE): the sale rules and the capacity are checked and the
`issued` counter raised while every other registration for that pass queues,
so capacity is never exceeded; the UNIQUE (person, edition, category) backs
the one-registration rule. An invitation code or a promo code is used in the
same transaction (codes.use_invitation / consume_promo), so a refused
registration uses nothing.

The registration starts PENDING and a signed, expiring confirmation link is
mailed. Following it proves the address: a free pass (price 0, a 100%
discount, or an invitation) is then CONFIRMED and the badge is mailed with the
person's manage link. A paid pass stays PENDING: the person logs in (or
chooses a password for a new account), `start_payment` / `pay_with_new_account`
open an order for the pass, and payments' settlement calls `confirm_paid`
once the order is paid. Cancelling a pass still to be paid cancels its order;
a paid one is refunded by organizers, never automatically.

The person's own actions
------------------------
Changing details (a change to what the badge prints re-issues the badge),
cancelling (frees the capacity place) and erasure (anonymises the person in
place so every KPI count stays, cancels registrations still to come, and
scrubs the name and address from the audit log, the mail outbox and
invitation codes). The views resolve *who* the person is (logged in, or a
valid manage link) and pass it; the services check every registration
against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Text, cast, delete, or_, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.audit import AuditEntry
from telecom.core.countries import is_valid_country
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import OutboxAttachment, OutboxMessage, queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    InvitationCode,
    JobFunction,
    PassType,
    Person,
    PromoCode,
    Registration,
    RegistrationStatus,
    VisitPurpose,
)
from telecom.participants.services import passes, people
from telecom.payments.models import Order

_CONFIRM_SALT = "registration-confirm"
ERASED_NAME = "Erased participant"
ERASED_TEXT = "[erased]"
REGISTRATION_AUDIT_FIELDS = (
    "person_id", "edition_id", "category", "status", "pass_type_id", "valid_from",
    "valid_until", "forum_access", "purpose", "email_confirmed_at", "confirmed_at",
    "cancelled_at", "invitation_code_id", "promo_code_id",
)  # fmt: skip
# Audited for a change of details: never the values themselves (personal data),
# only which fields changed.
DETAIL_FIELDS = (
    "full_name", "organisation_name", "job_function", "country", "accessibility_needs",
)  # fmt: skip
BADGE_FIELDS = ("full_name", "organisation_name", "country")  # what the badge prints


class RegistrationError(ValidationError):
    """A refused value, with the form field it belongs to."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


class AlreadyRegistered(Conflict):
    """The address already holds a registration in this category; a fresh mail went out."""


@dataclass
class VisitorData:
    full_name: str
    email: str
    country: str
    purpose: VisitPurpose | str
    consent: bool
    organisation_name: str = ""
    job_function: JobFunction | str | None = None
    sector: str | None = None
    day: date | None = None
    accessibility_needs: str = ""
    invitation_code: str = ""
    promo_code: str = ""
    locale: str | None = None


@dataclass
class DetailsData:
    full_name: str
    organisation_name: str = ""
    job_function: JobFunction | str | None = None
    country: str = ""
    accessibility_needs: str = ""


# --- Validation -------------------------------------------------------------------------


def _valid_email(email: str) -> str:
    email = people.normalise_email(email)
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 320 or " " in email:
        raise RegistrationError("email", _("Enter a valid e-mail address."))
    if domain.endswith(".invalid"):
        raise RegistrationError("email", _("Enter a valid e-mail address."))
    return email


def _details(
    full_name: str, organisation_name: str, job_function: object, country: str, needs: str
) -> dict[str, Any]:
    full_name = (full_name or "").strip()
    organisation_name = (organisation_name or "").strip()
    needs = (needs or "").strip()
    country = (country or "").strip().upper()
    if not full_name:
        raise RegistrationError("full_name", _("Give your full name as it should be printed."))
    if len(full_name) > 200:
        raise RegistrationError("full_name", _("The name can have at most 200 characters."))
    if len(organisation_name) > 200:
        raise RegistrationError(
            "organisation_name", _("The organisation can have at most 200 characters.")
        )
    if len(needs) > 1000:
        raise RegistrationError(
            "accessibility_needs", _("Describe your needs in at most 1000 characters.")
        )
    if not is_valid_country(country):
        raise RegistrationError("country", _("Choose a country from the list."))
    function = None
    if job_function not in (None, ""):
        try:
            function = JobFunction(job_function)
        except ValueError:
            raise RegistrationError(
                "job_function", _("Choose a job function from the list.")
            ) from None
    return {
        "full_name": full_name,
        "organisation_name": organisation_name,
        "job_function": function,
        "country": country,
        "accessibility_needs": needs,
    }


def _validated(data: VisitorData) -> tuple[str, dict[str, Any], VisitPurpose, str | None]:
    from telecom.exhibitors.models import Sector

    email = _valid_email(data.email)
    details = _details(
        data.full_name, data.organisation_name, data.job_function, data.country,
        data.accessibility_needs,
    )  # fmt: skip
    try:
        purpose = VisitPurpose(data.purpose)
    except ValueError:
        raise RegistrationError("purpose", _("Say why you are visiting.")) from None
    sector = data.sector or None
    if sector is not None and sector not in {s.value for s in Sector}:
        raise RegistrationError("sector", _("Choose a sector from the list."))
    if not data.consent:
        raise RegistrationError(
            "consent", _("We need your consent to keep these details for the registration.")
        )
    return email, details, purpose, sector


# --- Signed links ------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT)


def confirmation_token(registration: Registration) -> str:
    return str(_serializer().dumps({"r": registration.id, "e": registration.person.email}))


def _queue_confirmation(registration: Registration, edition: Edition, pass_type: PassType) -> None:
    person = registration.person
    queue_mail(
        person.email,
        _l("Confirm your registration for %(edition)s", edition=edition.name),
        "registration_confirm.txt",
        locale=person.locale,
        person=person,
        edition=edition,
        pass_type=pass_type,
        confirm_url=url_for(
            "participants.confirm_registration",
            token=confirmation_token(registration),
            _external=True,
        ),
        valid_days=current_app.config["EMAIL_CONFIRM_MAX_AGE"] // (24 * 3600),
    )


def _queue_badge(registration: Registration, edition: Edition, *, reissued: bool = False) -> None:
    from telecom.participants.services import badges

    person = registration.person
    queue_mail(
        person.email,
        _l("Your badge for %(edition)s", edition=edition.name)
        if not reissued
        else _l("Your new badge for %(edition)s", edition=edition.name),
        "registration_badge.txt",
        locale=person.locale,
        attachments=[badges.badge_attachment(registration)],
        person=person,
        edition=edition,
        registration=registration,
        reissued=reissued,
        manage_url=people.manage_url(person),
    )


# --- Registering --------------------------------------------------------------------------


def _lock_pass(edition: Edition, pass_type_id: int) -> PassType:
    pass_type = db.session.scalar(
        select(PassType)
        .where(PassType.id == pass_type_id, PassType.edition_id == edition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pass_type is None:
        raise NotFound(_("There is no such pass."))
    return pass_type


def _existing(person: Person, edition: Edition, category: str) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.person_id == person.id,
            Registration.edition_id == edition.id,
            Registration.category == category,
        )
        # Lock only the registration: its person comes by an outer join,
        # which PostgreSQL cannot lock.
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )


def register_visitor(
    edition: Edition, pass_type_id: int, data: VisitorData, *, now: datetime | None = None
) -> Registration:
    """Register someone (no account needed) for a pass; PENDING until the mailed link is followed.

    Raises RegistrationError (with the form field), Conflict (sold out, a code
    used up meanwhile) or AlreadyRegistered (after mailing a fresh link).
    """
    email, details, purpose, sector = _validated(data)
    for attempt in (1, 2):
        try:
            return _register(edition, pass_type_id, data, email, details, purpose, sector, now)
        except IntegrityError:
            # The same new address registered at the same moment (the unique
            # e-mail or registration caught it): look again, now that it exists.
            db.session.rollback()
            if attempt == 2:
                raise Conflict(
                    _("We could not save your registration just now. Please try again.")
                ) from None
        except AlreadyRegistered:
            raise
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _register(
    edition: Edition,
    pass_type_id: int,
    data: VisitorData,
    email: str,
    details: dict[str, Any],
    purpose: VisitPurpose,
    sector: str | None,
    now: datetime | None,
) -> Registration:
    from telecom.participants.services import codes

    now = now or utcnow()
    pass_type = _lock_pass(edition, pass_type_id)  # every registration for this pass queues here
    refusal = passes.sale_refusal(pass_type, edition, now)
    if refusal is not None:
        raise RegistrationError(None, refusal)
    category = passes.public_category(pass_type)
    first, last = passes.validity_for(pass_type, data.day)

    invitation: InvitationCode | None = None
    promo: PromoCode | None = None
    if data.invitation_code.strip():
        try:
            invitation = codes.check_invitation(edition, pass_type, data.invitation_code)
        except ValidationError as error:
            raise RegistrationError("invitation_code", error.message) from None
    elif pass_type.invitation_only:
        raise RegistrationError(
            "invitation_code", _("This pass is by invitation only: enter your invitation code.")
        )
    if data.promo_code.strip() and invitation is None:
        try:
            promo, _price = codes.quote_promo(edition, pass_type, data.promo_code, now=now)
        except ValidationError as error:
            raise RegistrationError("promo_code", error.message) from None

    person = people.find_person(email)
    existing = _existing(person, edition, category) if person is not None else None
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        _answer_duplicate(existing, edition)

    if pass_type.capacity is not None and pass_type.issued >= pass_type.capacity:
        raise Conflict(_("Sorry, the %(pass)s is fully booked.", **{"pass": pass_type.name}))
    pass_type.issued += 1

    person = people.find_or_create_person(email, **details, sector=sector, locale=data.locale)
    person.consent_at = now
    if person.locale is None and data.locale:
        person.locale = data.locale

    if existing is None:
        before = None
        registration = Registration(person_id=person.id, edition_id=edition.id, category=category)
        db.session.add(registration)
    else:
        # A cancelled registration comes back (one per person, edition and category).
        before = audit.snapshot(existing, REGISTRATION_AUDIT_FIELDS)
        registration = existing
    registration.person = person
    registration.status = RegistrationStatus.PENDING
    registration.pass_type_id = pass_type.id
    registration.valid_from, registration.valid_until = first, last
    registration.forum_access = pass_type.forum_access
    registration.purpose = purpose
    registration.email_confirmed_at = None
    registration.confirmed_at = None
    registration.cancelled_at = None
    registration.invitation_code_id = None
    registration.promo_code_id = promo.id if promo is not None else None
    registration.order_id = None
    db.session.flush()
    if invitation is not None:
        codes.use_invitation(invitation, registration)
    if promo is not None:
        codes.consume_promo(promo)
    audit.record(
        "register", registration, actor=None, edition_id=edition.id, before=before,
        after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS),
    )  # fmt: skip
    _queue_confirmation(registration, edition, pass_type)
    commit()
    return registration


def _answer_duplicate(existing: Registration, edition: Edition) -> None:
    """A second registration for the same address: mail a fresh link, refuse clearly.

    Nothing of the new attempt is kept (it is rolled back first); the mail
    goes to the registered address, so the form reveals no more than that
    the address is registered.
    """
    registration_id = existing.id
    db.session.rollback()
    registration = db.session.get(Registration, registration_id)
    assert registration is not None
    pass_type = (
        db.session.get(PassType, registration.pass_type_id) if registration.pass_type_id else None
    )
    if registration.email_confirmed_at is None and pass_type is not None:
        _queue_confirmation(registration, edition, pass_type)
    else:
        person = registration.person
        queue_mail(
            person.email,
            _l("Your registration for %(edition)s", edition=edition.name),
            "registration_reminder.txt",
            locale=person.locale,
            person=person,
            edition=edition,
            manage_url=people.manage_url(person),
        )
    commit()
    raise AlreadyRegistered(
        _(
            "This e-mail address is already registered for %(edition)s. We have sent a new "
            "message to it with the link to confirm or manage the registration.",
            edition=edition.name,
        )
    )


# --- Confirming ---------------------------------------------------------------------------


def _lock_registration(registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )


def is_free(registration: Registration) -> bool:
    """Whether nothing is to be paid: a free pass, an invitation, or a 100% discount."""
    if registration.invitation_code_id is not None:
        return True
    pass_type = (
        db.session.get(PassType, registration.pass_type_id) if registration.pass_type_id else None
    )
    if pass_type is None or pass_type.price <= 0:
        return True
    if registration.promo_code_id is not None:
        from telecom.participants.services import codes

        promo = db.session.get(PromoCode, registration.promo_code_id)
        if promo is not None and codes.discounted(pass_type.price, promo) <= 0:
            return True
    return False


def amount_due(registration: Registration) -> Decimal:
    """What the pass costs this registration (after its promo code); 0 when free."""
    if is_free(registration):
        return Decimal("0.00")
    pass_type = db.session.get(PassType, registration.pass_type_id)
    assert pass_type is not None
    if registration.promo_code_id is not None:
        from telecom.participants.services import codes

        promo = db.session.get(PromoCode, registration.promo_code_id)
        if promo is not None:
            return codes.discounted(pass_type.price, promo)
    return Decimal(pass_type.price)


def _registration_of_link(token: str) -> Registration:
    """The registration a confirmation link names, locked; ValidationError when unusable."""
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(
            _(
                "This confirmation link has expired. Register again with the same address "
                "to get a new one."
            )
        ) from None
    except BadSignature:
        raise ValidationError(_("This confirmation link is not valid.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("This confirmation link is not valid."))
    registration = _lock_registration(data.get("r"))  # type: ignore[arg-type]
    if registration is None or registration.person.email != data.get("e"):
        raise ValidationError(_("This confirmation link is not valid."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration was cancelled."))
    return registration


@atomic
def confirm_registration(token: str, *, now: datetime | None = None) -> Registration:
    """Follow the mailed link: the address is proven; a free pass is confirmed and its badge sent.

    Following the link again changes nothing and sends nothing.
    """
    registration = _registration_of_link(token)
    if registration.email_confirmed_at is not None:
        return registration
    now = now or utcnow()
    edition = db.session.get(Edition, registration.edition_id)
    assert edition is not None
    before = audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS)
    registration.email_confirmed_at = now
    if registration.status == RegistrationStatus.PENDING and is_free(registration):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    audit.record(
        "confirm_registration", registration, actor=None, edition_id=edition.id, before=before,
        after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS),
    )  # fmt: skip
    if registration.status == RegistrationStatus.CONFIRMED:
        db.session.flush()
        _queue_badge(registration, edition)
    commit()
    return registration


def confirm_paid(
    registration: Registration, *, actor: User | None, now: datetime | None = None
) -> bool:
    """Mark a pending paid registration CONFIRMED and mail its badge, in the caller's transaction.

    For the payments side: call it inside the transaction that records the
    payment (the badge mail leaves when that transaction commits). True when
    the registration is confirmed (already confirmed: nothing changes, no
    second mail); False when it was cancelled meanwhile, so the payment must
    be refunded by the caller.
    """
    locked = _lock_registration(registration.id)
    if locked is None or locked.status == RegistrationStatus.CANCELLED:
        return False
    if locked.status == RegistrationStatus.CONFIRMED:
        return True
    now = now or utcnow()
    edition = db.session.get(Edition, locked.edition_id)
    assert edition is not None
    before = audit.snapshot(locked, REGISTRATION_AUDIT_FIELDS)
    locked.status = RegistrationStatus.CONFIRMED
    locked.confirmed_at = now
    audit.record(
        "confirm_paid", locked, actor=actor, edition_id=edition.id, before=before,
        after=audit.snapshot(locked, REGISTRATION_AUDIT_FIELDS),
    )  # fmt: skip
    db.session.flush()
    _queue_badge(locked, edition)
    return True


# --- Paying for a pass --------------------------------------------------------------------
#
# Payments need an account (the order's buyer). After the confirmation link
# proved the address, the visitor either logs in to the account that already
# has it, or chooses a password for a new one; the order for the pass is then
# opened (once: following the link again finds the same order) and the
# registration is confirmed when the order is paid (payments.settlement).


def awaits_payment(registration: Registration) -> bool:
    """Address confirmed, pass not free, not yet paid: the payment step comes next."""
    return (
        registration.status == RegistrationStatus.PENDING
        and registration.email_confirmed_at is not None
        and not is_free(registration)
    )


def payer_account(registration: Registration) -> User | None:
    """The account that pays: the one linked to the person, else the one with their address."""
    from telecom.auth.services import get_user_by_email

    person = registration.person
    if person.user_id is not None:
        return db.session.get(User, person.user_id)
    return get_user_by_email(person.email)


def is_payer(user: User | None, registration: Registration) -> bool:
    """Whether `user` is the person of the registration (so may pay for it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    person = registration.person
    if person.user_id is not None:
        return person.user_id == user.id
    # An account whose address is confirmed is the person with that address.
    return bool(user.email_confirmed) and people.normalise_email(user.email) == person.email


def _payable(registration_id: int) -> Registration:
    locked = _lock_registration(registration_id)
    if locked is None:
        raise NotFound(_("There is no such registration."))
    if locked.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("This registration was cancelled."))
    if locked.status == RegistrationStatus.CONFIRMED:
        raise Conflict(_("This registration is already confirmed: there is nothing to pay."))
    if locked.email_confirmed_at is None:
        raise ValidationError(_("Confirm your e-mail address first, with the link we sent you."))
    if is_free(locked):
        raise Conflict(_("This pass is free: there is nothing to pay."))
    return locked


def _open_order(registration: Registration, buyer: User) -> Order:
    """Link the person to the buyer's account and open (or find) the pass's order."""
    from telecom.payments.services import add_pass_line

    person = registration.person
    if person.user_id is None:
        person.user_id = buyer.id
        audit.record("link_account", person, actor=buyer, after={"user_id": buyer.id})
    before = audit.snapshot(registration, ("order_id",))
    line = add_pass_line(registration, buyer=buyer, amount=amount_due(registration))
    after = audit.snapshot(registration, ("order_id",))
    if after != before:
        audit.record(
            "order_pass", registration, actor=buyer, edition_id=registration.edition_id,
            before=before, after=after,
        )  # fmt: skip
    return line.order


@atomic
def start_payment(registration: Registration, *, buyer: User) -> Order:
    """The order the logged-in person pays their pass with (opened once, then the same one).

    Refused (nothing changed) unless `buyer` is the registration's person and
    the pass is confirmed by e-mail, still to be paid and not cancelled.
    """
    if not is_payer(buyer, registration):
        raise NotFound(_("There is no such registration."))
    locked = _payable(registration.id)  # two clicks at once queue here: one order
    order = _open_order(locked, buyer)
    commit()
    return order


@atomic
def pay_with_new_account(token: str, password: str) -> tuple[User, Order]:
    """Create the person's account from their confirmation link, and the order for the pass.

    The link has just proved the address, so the account is created
    confirmed. Refused (nothing saved) when the address already has an
    account (the person logs in instead), the password is too weak, or the
    pass needs no payment.
    """
    from telecom.auth.services import create_user

    registration = _registration_of_link(token)
    locked = _payable(registration.id)
    person = locked.person
    if payer_account(locked) is not None:
        raise Conflict(
            _("An account with this e-mail address already exists. Log in to pay for the pass.")
        )
    user = create_user(
        email=person.email, full_name=person.full_name, password=password, confirmed=True
    )
    if person.locale in current_app.config["SUPPORTED_LOCALES"]:
        user.locale = person.locale
    db.session.flush()
    order = _open_order(locked, user)
    commit()
    return user, order


def cancellation_notice(registration: Registration) -> str | None:
    """What to tell a person who cancels a paid pass (None when nothing was paid).

    Cancelling never refunds by itself: organizers refund from the order.
    """
    from telecom.payments.models import OrderState

    if registration.order_id is None:
        return None
    order = db.session.get(Order, registration.order_id)
    if order is None or order.state != OrderState.PAID:
        return None
    return _(
        "Your payment for this pass is not refunded automatically. To ask for a refund, "
        "contact the organizers quoting order %(reference)s.",
        reference=order.reference,
    )


def _end_unpaid_order(registration: Registration, actor: User | None) -> None:
    """A cancelled registration still to be paid ends its order line (and so its order)."""
    from telecom.payments.services import end_pass_line
    from telecom.payments.settlement import lock_order

    if registration.order_id is None:
        return
    lock_order(registration.order_id)  # already held when cancel_registration took it first
    end_pass_line(registration, actor=actor)


# --- The person's own registrations -------------------------------------------------------


def own_registration(person: Person, registration_id: int) -> Registration:
    """One of the person's registrations; NotFound for anyone else's (as if it did not exist)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.person_id != person.id:
        raise NotFound(_("There is no such registration."))
    return registration


def _release_place(registration: Registration) -> None:
    """Give the pass's capacity place back, under the pass's row lock."""
    if registration.pass_type_id is None:
        return
    pass_type = db.session.scalar(
        select(PassType)
        .where(PassType.id == registration.pass_type_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pass_type is not None and pass_type.issued > 0:
        pass_type.issued -= 1


def _cancel(registration: Registration, actor: User | None, now: datetime) -> None:
    before = audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS)
    _release_place(registration)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    audit.record(
        "cancel_registration", registration, actor=actor, edition_id=registration.edition_id,
        before=before, after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS),
    )  # fmt: skip
    _end_unpaid_order(registration, actor)


def cancel_for_order(registration_id: int, *, actor: User | None) -> None:
    """An organizer cancelled the order paying for this registration: cancel it too.

    In the caller's transaction (the order is already locked and cancelled);
    the buyer hears about the order's cancellation, so no mail here.
    """
    locked = _lock_registration(registration_id)
    if locked is None or locked.status == RegistrationStatus.CANCELLED:
        return
    _cancel(locked, actor, utcnow())


@atomic
def cancel_registration(
    person: Person, registration_id: int, *, actor: User | None = None
) -> Registration:
    """The person cancels one of their passes; its capacity place is free again."""
    registration = own_registration(person, registration_id)
    if registration.pass_type_id is None:
        # Staff, media, VIP and speaker registrations belong to whoever made them.
        raise Conflict(
            _("This registration was made for you by others: ask them or the organizers.")
        )
    # Lock order: the pass, then the registration, as registering does.
    db.session.execute(
        select(PassType.id).where(PassType.id == registration.pass_type_id).with_for_update()
    )
    if registration.order_id is not None:
        # The order before the registration: settling a payment takes them in
        # that order, so the two cannot wait on each other.
        from telecom.payments.settlement import lock_order

        lock_order(registration.order_id)
    locked = _lock_registration(registration.id)
    assert locked is not None
    if locked.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("This registration is already cancelled."))
    edition = db.session.get(Edition, locked.edition_id)
    assert edition is not None
    _cancel(locked, actor, utcnow())
    queue_mail(
        locked.person.email,
        _l("Your registration for %(edition)s is cancelled", edition=edition.name),
        "registration_cancelled.txt",
        locale=locked.person.locale,
        person=locked.person,
        edition=edition,
        refund_notice=cancellation_notice(locked),
    )
    commit()
    return locked


def details_of(person: Person) -> DetailsData:
    return DetailsData(
        full_name=person.full_name,
        organisation_name=person.organisation_name,
        job_function=person.job_function,
        country=person.country or "",
        accessibility_needs=person.accessibility_needs,
    )


def update_details(
    person: Person, data: DetailsData, *, actor: User | None = None
) -> list[Registration]:
    """Change the person's details; returns the registrations whose badge was re-issued.

    A change to what the badge prints (name, organisation, country) re-issues
    every confirmed badge (the old codes stop working) and mails the new ones.
    The details are saved first, in their own transaction, so each new badge
    prints them; each re-issue then commits on its own (badges.reissue_badge).
    """
    from telecom.participants.services import badges

    try:
        details = _details(
            data.full_name, data.organisation_name, data.job_function, data.country,
            data.accessibility_needs,
        )  # fmt: skip
        if person.erased_at is not None:
            raise NotFound(_("There is no such person."))
        before = {name: getattr(person, name) for name in DETAIL_FIELDS}
        changed = [name for name in DETAIL_FIELDS if before[name] != details[name]]
        if not changed:
            return []
        for name in changed:
            setattr(person, name, details[name])
        # Which fields changed, never their values: the audit log outlives an erasure.
        audit.record("update_details", person, actor=actor, after={"changed": changed})
        commit()
    except BaseException:
        db.session.rollback()
        raise
    if not set(changed) & set(BADGE_FIELDS):
        return []
    now = utcnow()
    reissued = []
    for registration in people.registrations_of(person):
        edition = db.session.get(Edition, registration.edition_id)
        if (
            registration.status != RegistrationStatus.CONFIRMED
            or edition is None
            or edition.end_date < now.astimezone(edition.tz).date()
        ):
            continue  # a badge of a past edition is not printed again
        registration = badges.reissue_badge(registration, actor=actor, person=person)
        _queue_badge(registration, edition, reissued=True)
        commit()
        reissued.append(registration)
    return reissued


# --- Erasure ------------------------------------------------------------------------------


def _scrub(value: Any, email: str, name: str) -> Any:
    """The JSON value with the address (inside any string) and the name (a whole value) erased."""
    if isinstance(value, str):
        if email in value.lower() or (name and value.strip().lower() == name.lower()):
            return ERASED_TEXT
        return value
    if isinstance(value, list):
        return [_scrub(v, email, name) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, email, name) for k, v in value.items()}
    return value


def _scrub_audit(email: str, name: str) -> None:
    """Replace the person's name and address wherever an audit entry recorded them.

    The database narrows the search (the JSON text contains the address, or
    the name as a whole JSON string, also in its ASCII-escaped form); each
    candidate is then cleaned value by value.
    """
    patterns = {email}
    if name:
        patterns |= {json.dumps(name), json.dumps(name, ensure_ascii=False)}
    conditions = [
        cast(column, Text).contains(pattern, autoescape=True)
        for pattern in patterns
        for column in (AuditEntry.before, AuditEntry.after)
    ]
    for entry in db.session.scalars(select(AuditEntry).where(or_(*conditions))):
        entry.before = _scrub(entry.before, email, name)
        entry.after = _scrub(entry.after, email, name)


def _scrub_outbox(email: str, erased_email: str) -> None:
    """Mail sent to the person keeps its row (delivery history) but not its content."""
    message_ids = list(
        db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == email))
    )
    if not message_ids:
        return
    db.session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(message_ids)))
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(message_ids))
    ):
        message.recipient = erased_email
        message.subject = ERASED_TEXT
        message.body_text = ERASED_TEXT


@atomic
def erase_person(person: Person, *, actor: User | None = None) -> Person:
    """Anonymise the person in place, keeping what the KPIs count.

    Kept: the row and its id, country, sector, registrations (category,
    status, days) and check-ins, so registrations and attendance still count
    per category and country. Removed: name, e-mail address, organisation, job,
    accessibility needs, the link to an account; the same name and address
    wherever our tables recorded them (audit entries, mail outbox, invitation
    codes). Registrations for editions not yet over are cancelled, freeing
    their places.
    """
    locked = db.session.scalar(
        select(Person)
        .where(Person.id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.erased_at is not None:
        raise NotFound(_("There is no such person."))
    now = utcnow()
    old_email, old_name = locked.email, locked.full_name
    erased_email = f"erased-{locked.id}@erased.invalid"

    for registration in people.registrations_of(locked):
        edition = db.session.get(Edition, registration.edition_id)
        if registration.status == RegistrationStatus.CANCELLED or edition is None:
            continue
        if edition.end_date >= now.astimezone(edition.tz).date():
            _cancel(registration, None, now)

    locked.full_name = ERASED_NAME
    locked.email = erased_email
    locked.organisation_name = ""
    locked.job_title = ""
    locked.job_function = None
    locked.accessibility_needs = ""
    locked.locale = None
    locked.user_id = None
    locked.erased_at = now
    db.session.flush()

    _scrub_audit(old_email, old_name.strip())
    _scrub_outbox(old_email, erased_email)
    for invitation in db.session.scalars(
        select(InvitationCode).where(InvitationCode.invitee_email == old_email)
    ):
        invitation.invitee_email = ""
    # No personal data here, and no actor label: the entry must not name who was erased.
    audit.record("erase_person", locked, actor=None, after={"erased": True})
    commit()
    return locked
