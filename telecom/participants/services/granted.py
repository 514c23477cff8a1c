"""Registrations other domains grant: media accreditation, VIP invitations, speakers.

These have no pass and no e-mail confirmation: the approval, acceptance or
confirmation that grants them is the proof. They run inside the caller's
transaction (the caller holds its own row lock, say on the application, so two
grants of one registration cannot race) and queue no mail: the caller's own
message says why the badge comes and attaches it
(`badges.badge_attachment(registration)`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services.registration import REGISTRATION_AUDIT_FIELDS

# Granted registrations that open forum session doors unless the caller says
# otherwise: leaders and their delegations, accredited journalists, speakers.
FORUM_CATEGORIES = frozenset(
    {
        RegistrationCategory.VIP,
        RegistrationCategory.DELEGATION,
        RegistrationCategory.MEDIA,
        RegistrationCategory.SPEAKER,
    }
)

_AUDIT_FIELDS = (*REGISTRATION_AUDIT_FIELDS, "badge_version", "photo_file", "protocol_category")


def _locked(
    person: Person, edition: Edition, category: RegistrationCategory
) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.person_id == person.id,
            Registration.edition_id == edition.id,
            Registration.category == category,
        )
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )


def grant_registration(
    person: Person,
    edition: Edition,
    category: RegistrationCategory,
    *,
    actor: User | None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    forum_access: bool | None = None,
    photo_file: str | None = None,
    protocol_category: str | None = None,
) -> Registration:
    """A confirmed registration of `person` in `category`, with a badge; flushed, not committed.

    Valid for the whole edition unless told otherwise; forum access by default
    for the categories in FORUM_CATEGORIES. A cancelled registration
    of the same category comes back with a new badge version, so a badge
    printed before the cancellation stays invalid.
    """
    now = utcnow()
    registration = _locked(person, edition, category)
    before = None
    if registration is None:
        registration = Registration(
            person_id=person.id, edition_id=edition.id, category=category, badge_version=1
        )
        db.session.add(registration)
    else:
        before = audit.snapshot(registration, _AUDIT_FIELDS)
        if registration.status == RegistrationStatus.CANCELLED:
            registration.badge_version += 1
    registration.person = person
    registration.status = RegistrationStatus.CONFIRMED
    registration.pass_type_id = None
    registration.valid_from = valid_from or edition.start_date
    registration.valid_until = valid_until or edition.end_date
    registration.forum_access = (
        category in FORUM_CATEGORIES if forum_access is None else forum_access
    )
    registration.email_confirmed_at = registration.email_confirmed_at or now
    registration.confirmed_at = now
    registration.cancelled_at = None
    if photo_file is not None:
        registration.photo_file = photo_file
    if protocol_category is not None:
        registration.protocol_category = protocol_category
    db.session.flush()
    after = audit.snapshot(registration, _AUDIT_FIELDS)
    if before != after:
        audit.record(
            "grant_registration", registration, actor=actor, edition_id=edition.id,
            before=before, after=after,
        )  # fmt: skip
    return registration


def withdraw_registration(registration_id: int, *, actor: User | None) -> Registration | None:
    """Cancel a granted registration (its badge stops working); flushed, not committed.

    None when there is no such registration; a cancelled one stays as it is.
    """
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return registration
    before = audit.snapshot(registration, _AUDIT_FIELDS)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    audit.record(
        "withdraw_registration", registration, actor=actor, edition_id=registration.edition_id,
        before=before, after=audit.snapshot(registration, _AUDIT_FIELDS),
    )  # fmt: skip
    return registration
