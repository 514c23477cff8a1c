"""People: one row per human, found by normalised e-mail, and the link that manages them.

A visitor registers without an account, so the mailed *manage link* is how
they come back: a signed, expiring token naming the person and the e-mail
address it was issued for. Changing or erasing the address kills every link
issued before, because the address in the token no longer matches.

Logged-in users reach the same page: the person linked to their account, or
(for a person registered before the account existed) the one with their
confirmed e-mail address.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from telecom.auth.models import User
from telecom.extensions import db
from telecom.participants.models import Person, Registration

_MANAGE_SALT = "participant-manage"
MANAGE_LINK_MAX_AGE = 30 * 24 * 3600  # a month: long enough to reach the event from the mail

# The details a caller may give find_or_create_person (Person columns).
PERSON_DETAILS = (
    "full_name",
    "organisation_name",
    "job_title",
    "country",
    "job_function",
    "sector",
    "accessibility_needs",
    "locale",
)


def normalise_email(email: str) -> str:
    """The one canonical form of an address: trimmed and lower-cased."""
    return email.strip().lower()


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


def find_or_create_person(email: str, **details: Any) -> Person:
    """The person with this address, created (and flushed) when new; in the caller's transaction.

    An existing person keeps what they already told us: whoever types an
    address into a public form has not proven they own it, so only blank
    details are filled in. Two requests creating the same person at once meet
    the unique e-mail; the caller retries (the second then finds the first).
    """
    unknown = set(details) - set(PERSON_DETAILS)
    if unknown:
        raise TypeError(f"unknown person details: {sorted(unknown)}")
    email = normalise_email(email)
    person = find_person(email)
    if person is None:
        person = Person(email=email, **{"full_name": "", **details})
        db.session.add(person)
        db.session.flush()
        return person
    for name, value in details.items():
        if value not in (None, "") and getattr(person, name) in (None, ""):
            setattr(person, name, value)
    return person


def person_for_user(user: User | None) -> Person | None:
    """The person a logged-in user is: linked to the account, else by its (confirmed) address."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    person = db.session.scalar(select(Person).where(Person.user_id == user.id))
    if person is not None:
        return person
    if not user.email_confirmed:
        return None
    return db.session.scalar(
        select(Person).where(
            Person.email == normalise_email(user.email), Person.erased_at.is_(None)
        )
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_MANAGE_SALT)


def manage_link_token(person: Person) -> str:
    """A signed token: whoever holds the mail may see and manage this person's registrations."""
    return str(_serializer().dumps({"p": person.id, "e": person.email}))


def manage_url(person: Person) -> str:
    return url_for(
        "participants.manage_registrations", token=manage_link_token(person), _external=True
    )


def person_from_manage_token(token: str | None) -> Person | None:
    """The person the token names; None when forged, expired, or the address changed since."""
    if not token:
        return None
    max_age = current_app.config.get("MANAGE_LINK_MAX_AGE", MANAGE_LINK_MAX_AGE)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict):
        return None
    person = db.session.get(Person, data.get("p"))
    if person is None or person.erased_at is not None or person.email != data.get("e"):
        return None
    return person


def registrations_of(person: Person) -> list[Registration]:
    """The person's registrations, most recent edition first."""
    from telecom.events.models import Edition

    return list(
        db.session.scalars(
            select(Registration)
            .join(Edition, Edition.id == Registration.edition_id)
            .where(Registration.person_id == person.id)
            .order_by(Edition.start_date.desc(), Registration.id)
        )
    )
