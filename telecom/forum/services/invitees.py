"""The invitee list of an invitation-only session: who may reserve a seat in it.

Organizers add people by the e-mail address they registered for the edition
with (an invitee must be able to show a badge at the door), and remove them.
The list is kept whatever the session's access: switching a session to
"invitation only" later uses the list already made. Removing someone does not
cancel a seat they already reserved; the organizer sees the seat holders on
the session's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound
from telecom.extensions import db
from telecom.forum.models import ForumSession, SessionInvitee
from telecom.forum.services import ForumError, lock_session, require_organizer
from telecom.participants.models import Person, Registration, RegistrationStatus
from telecom.participants.services.people import normalise_email

if TYPE_CHECKING:
    from telecom.auth.models import User

MAX_EMAIL_LENGTH = 320


def list_invitees(session: ForumSession, *, actor: User | None) -> list[Person]:
    """The people on the session's invitee list, by name; organizers only."""
    require_organizer(actor)
    return list(
        db.session.scalars(
            select(Person)
            .join(SessionInvitee, SessionInvitee.person_id == Person.id)
            .where(SessionInvitee.session_id == session.id)
            .order_by(Person.full_name, Person.email, Person.id)
        )
    )


def _registered_person(session: ForumSession, email: str) -> Person:
    """The person with this address holding a live registration of the session's edition."""
    person = db.session.scalar(select(Person).where(Person.email == email))
    registered = person is not None and person.erased_at is None and db.session.scalar(
        select(Registration.id).where(
            Registration.person_id == person.id,
            Registration.edition_id == session.edition_id,
            Registration.status != RegistrationStatus.CANCELLED,
        ).limit(1)
    )  # fmt: skip
    if not registered:
        raise ForumError(
            _(
                "Nobody with the address %(email)s is registered for this edition. Invitees "
                "must register first (they need a badge to enter).",
                email=email,
            ),
            "email",
        )
    assert person is not None
    return person


@atomic
def add_invitee(session: ForumSession, email: str, *, actor: User | None) -> Person:
    """Put a registered person on the session's invitee list; Conflict when already on it."""
    actor = require_organizer(actor)
    address = normalise_email(email) if isinstance(email, str) else ""
    if not address or "@" not in address or len(address) > MAX_EMAIL_LENGTH:
        raise ForumError(_("Enter a valid e-mail address."), "email")
    # The session's lock puts two organizers adding the same person one after the other.
    session = lock_session(session)
    if session.cancelled_at is not None:
        raise Conflict(_("This session is cancelled; it can no longer be changed."))
    person = _registered_person(session, address)
    already = db.session.scalar(
        select(SessionInvitee.id).where(
            SessionInvitee.session_id == session.id, SessionInvitee.person_id == person.id
        )
    )
    if already is not None:
        raise Conflict(
            _("%(name)s is already on the invitee list.", name=person.full_name or person.email)
        )
    db.session.add(SessionInvitee(session_id=session.id, person_id=person.id))
    audit.record(
        "add_invitee", session, actor=actor, edition_id=session.edition_id,
        after={"person_id": person.id, "email": person.email},
    )  # fmt: skip
    try:
        commit()
    except IntegrityError:
        # The unique (session, person) pair backs the check above up.
        raise Conflict(
            _("%(name)s is already on the invitee list.", name=person.full_name or person.email)
        ) from None
    return person


@atomic
def remove_invitee(session: ForumSession, person_id: int, *, actor: User | None) -> Person:
    """Take a person off the session's invitee list (a seat they reserved is kept)."""
    actor = require_organizer(actor)
    session = lock_session(session)
    invitee = db.session.scalar(
        select(SessionInvitee).where(
            SessionInvitee.session_id == session.id, SessionInvitee.person_id == person_id
        )
    )
    if invitee is None:
        raise NotFound(_("This person is not on the session's invitee list."))
    person = db.session.get(Person, person_id)
    assert person is not None
    db.session.delete(invitee)
    audit.record(
        "remove_invitee", session, actor=actor, edition_id=session.edition_id,
        before={"person_id": person.id, "email": person.email},
    )  # fmt: skip
    commit()
    return person
