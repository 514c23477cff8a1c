"""Sending an edition's surveys, and resending one personal link.

From the start of the edition's last day (edition-local) an organizer sends

- the exhibitor survey: one invitation per exhibiting organisation (the KPI
  engine's rule, `is_exhibitor`), to its contact e-mail, or to the first
  account managing it when the organisation has no contact address; the
  person is found or created by that address;
- the participant survey: one invitation per person who attended (at least
  one check-in, gate or session, on a registration that is not cancelled):
  the people the "total participants attended" KPI counts.

Sending is idempotent: it invites only the people not invited yet, so an
organizer can send again after late check-ins are uploaded. An invitation is
unique per edition, audience and person (a UNIQUE constraint), so one
address acting for two exhibiting organisations is asked once, for the first
one. Two organizers pressing the button at once queue behind the edition's
row lock; the second finds the first's invitations.

The invitations are inserted in batches (one INSERT ... RETURNING per
batch, one transaction for the whole send), and each mail is written to the
outbox in the recipient's language in that same transaction. A send may
queue thousands of mails, so they are left to the outbox delivery (`flask
--app wsgi outbox deliver` on a timer) instead of being sent during the
organizer's request; a resend of one link is delivered at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit, outbox
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound
from telecom.core.models import utcnow
from telecom.core.templating import format_timestamp
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, OrganisationMember
from telecom.extensions import db
from telecom.participants.models import CheckIn, Person, Registration, RegistrationStatus
from telecom.participants.services.people import find_or_create_person, normalise_email
from telecom.surveys.models import SurveyAudience, SurveyInvitation
from telecom.surveys.services import (
    is_exhibitor,
    require_organizer,
    sending_is_open,
    sending_opens_at,
)
from telecom.surveys.services.tokens import survey_url, token_for, url_for_token

__all__ = [
    "BATCH_SIZE",
    "SendReport",
    "attendees",
    "get_invitation",
    "resend_invitation",
    "send_survey",
]

BATCH_SIZE = 500
MAIL_TEMPLATE = "survey_invitation.txt"
INVITATION_AUDIT_FIELDS = ("audience", "person_id", "organisation_id", "token_version", "sent_at")


@dataclass(frozen=True)
class SendReport:
    audience: SurveyAudience
    sent: int  # invitations created and mailed now
    already_invited: int  # people (or organisations) invited by an earlier send
    # Exhibitors without any address to write to; attendees whose data was erased.
    unreachable: int = 0
    # Exhibiting organisations whose contact already answers for another one.
    shared_contact: int = 0


@dataclass(frozen=True)
class _Recipient:
    person_id: int
    email: str
    name: str
    locale: str | None
    organisation_id: int | None = None
    organisation_name: str = ""


# --- Helpers -----------------------------------------------------------------------------------


def _too_early(edition: Edition, audience: SurveyAudience) -> Conflict:
    opens = format_timestamp(sending_opens_at(edition), edition.timezone)
    if audience == SurveyAudience.EXHIBITOR:
        message = _(
            "The exhibitor survey can be sent from the start of the edition's last day, "
            "%(moment)s (%(zone)s).",
            moment=opens,
            zone=edition.timezone,
        )
    else:
        message = _(
            "The participant survey can be sent from the start of the edition's last day, "
            "%(moment)s (%(zone)s).",
            moment=opens,
            zone=edition.timezone,
        )
    return Conflict(message)


def _lock_edition(edition: Edition) -> None:
    # Serialises concurrent sends of one edition: the second sees the first's rows.
    db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())


def _invited(edition: Edition, audience: SurveyAudience) -> tuple[set[int], set[int]]:
    """(person ids, organisation ids) already invited to this edition's survey."""
    rows = db.session.execute(
        select(SurveyInvitation.person_id, SurveyInvitation.organisation_id).where(
            SurveyInvitation.edition_id == edition.id, SurveyInvitation.audience == audience
        )
    ).all()
    return {person for person, _org in rows}, {org for _person, org in rows if org is not None}


def _locales(person_ids: Sequence[int]) -> dict[int, str | None]:
    """Each person's language: their own, else that of the account they hold."""
    found: dict[int, str | None] = {}
    for chunk in _chunks(list(person_ids), BATCH_SIZE):
        for person_id, locale in db.session.execute(
            select(Person.id, func.coalesce(Person.locale, User.locale))
            .outerjoin(User, User.id == Person.user_id)
            .where(Person.id.in_(chunk))
        ):
            found[person_id] = locale
    return found


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _exhibitor_recipients(edition: Edition) -> tuple[list[_Recipient], int, int, int]:
    """(recipients, organisations already invited, unreachable, sharing a contact)."""
    invited_people, invited_orgs = _invited(edition, SurveyAudience.EXHIBITOR)
    organisations = list(
        db.session.scalars(
            select(Organisation).where(is_exhibitor(edition)).order_by(Organisation.id)
        )
    )
    # Organisations without a contact address: the account that manages them, first added first.
    member_email: dict[int, str] = {}
    for organisation_id, email in db.session.execute(
        select(OrganisationMember.organisation_id, User.email)
        .join(User, User.id == OrganisationMember.user_id)
        .where(
            OrganisationMember.organisation_id.in_(
                [o.id for o in organisations if not o.contact_email.strip()]
            )
        )
        .order_by(OrganisationMember.id)
    ):
        member_email.setdefault(organisation_id, email)

    recipients: list[_Recipient] = []
    already = unreachable = shared = 0
    taken = set(invited_people)
    for organisation in organisations:
        if organisation.id in invited_orgs:
            already += 1
            continue
        address = organisation.contact_email.strip() or member_email.get(organisation.id, "")
        if not address:
            unreachable += 1
            continue
        person = find_or_create_person(
            normalise_email(address),
            full_name=organisation.contact_name.strip(),
            organisation_name=organisation.display_name,
        )
        if person.erased_at is not None:
            unreachable += 1
            continue
        if person.id in taken:
            shared += 1
            continue
        taken.add(person.id)
        recipients.append(
            _Recipient(
                person_id=person.id,
                email=person.email,
                name=person.full_name,
                locale=None,
                organisation_id=organisation.id,
                organisation_name=organisation.display_name,
            )
        )
    return recipients, already, unreachable, shared


def attendees(edition: Edition) -> Select[tuple[int]]:
    """Ids of the people checked in (anywhere) on a live registration of the edition."""
    return (
        select(CheckIn.person_id)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(
            CheckIn.edition_id == edition.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .distinct()
    )


def _participant_recipients(edition: Edition) -> tuple[list[_Recipient], int, int]:
    """(recipients not invited yet, attendees already invited, erased attendees)."""
    invited = select(SurveyInvitation.person_id).where(
        SurveyInvitation.edition_id == edition.id,
        SurveyInvitation.audience == SurveyAudience.PARTICIPANT,
    )
    came = attendees(edition).subquery()
    already = db.session.scalar(
        select(func.count()).select_from(came).where(came.c.person_id.in_(invited))
    )
    recipients: list[_Recipient] = []
    erased = 0
    for person_id, email, name, erased_at in db.session.execute(
        select(Person.id, Person.email, Person.full_name, Person.erased_at)
        .where(Person.id.in_(select(came.c.person_id)), Person.id.not_in(invited))
        .order_by(Person.id)
    ):
        if erased_at is not None:
            erased += 1
            continue
        recipients.append(_Recipient(person_id=person_id, email=email, name=name, locale=None))
    return recipients, int(already or 0), erased


def _invitation_mail(
    edition: Edition,
    audience: SurveyAudience,
    recipient: _Recipient,
    link: str,
    *,
    again: bool,
) -> None:
    subject = (
        _l("%(edition)s: your new satisfaction survey link", edition=edition.name)
        if again
        else _l(
            "%(edition)s: how was it for you? A short satisfaction survey", edition=edition.name
        )
    )
    outbox.queue_mail(
        recipient.email,
        subject,
        MAIL_TEMPLATE,
        locale=recipient.locale,
        edition=edition,
        exhibitor=audience == SurveyAudience.EXHIBITOR,
        name=recipient.name,
        organisation_name=recipient.organisation_name,
        survey_url=link,
        again=again,
    )


# --- Services ----------------------------------------------------------------------------------


@atomic
def send_survey(
    edition: Edition, audience: SurveyAudience, *, actor: User | None, now: datetime | None = None
) -> SendReport:
    """Invite everyone of `audience` not invited yet and queue their mails; one transaction."""
    actor = require_organizer(actor)
    audience = SurveyAudience(audience)
    now = now or utcnow()
    if not sending_is_open(edition, now):
        raise _too_early(edition, audience)
    _lock_edition(edition)
    if audience == SurveyAudience.EXHIBITOR:
        recipients, already, unreachable, shared = _exhibitor_recipients(edition)
    else:
        recipients, already, unreachable = _participant_recipients(edition)
        shared = 0
    locales = _locales([r.person_id for r in recipients])

    for batch in _chunks(recipients, BATCH_SIZE):
        rows = [
            {
                "edition_id": edition.id,
                "audience": audience,
                "person_id": r.person_id,
                "organisation_id": r.organisation_id,
                "token_version": 1,
                "sent_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for r in batch
        ]
        try:
            ids = db.session.execute(
                insert(SurveyInvitation).returning(
                    SurveyInvitation.id, SurveyInvitation.person_id, sort_by_parameter_order=True
                ),
                rows,
            ).all()
        except IntegrityError:
            # Only possible if another send slipped past the lock (SQLite without it).
            raise Conflict(
                _("Someone else is sending this survey right now. Reload the page and try again.")
            ) from None
        for (invitation_id, person_id), recipient in zip(ids, batch, strict=True):
            assert person_id == recipient.person_id
            _invitation_mail(
                edition,
                audience,
                replace(recipient, locale=locales.get(recipient.person_id)),
                url_for_token(token_for(invitation_id, 1)),
                again=False,
            )

    report = SendReport(
        audience=audience,
        sent=len(recipients),
        already_invited=already,
        unreachable=unreachable,
        shared_contact=shared,
    )
    audit.record(
        "send_survey", edition, actor=actor, edition_id=edition.id,
        after={"audience": audience.value, "sent": report.sent,
               "already_invited": report.already_invited, "unreachable": report.unreachable,
               "shared_contact": report.shared_contact},
    )  # fmt: skip
    # Thousands of mails: the outbox delivery sends them, not this request.
    outbox.discard_pending(db.session)
    commit()
    return report


def get_invitation(edition: Edition, invitation_id: int, *, actor: User | None) -> SurveyInvitation:
    require_organizer(actor)
    invitation = db.session.get(SurveyInvitation, invitation_id)
    if invitation is None or invitation.edition_id != edition.id:
        raise NotFound(_("There is no such survey invitation."))
    return invitation


@atomic
def resend_invitation(
    edition: Edition, invitation_id: int, *, actor: User | None, now: datetime | None = None
) -> SurveyInvitation:
    """Mail a new personal link for one invitation; the link sent before stops working.

    Allowed whether or not the person answered: refusing would tell the
    organizer who answered, and the survey's answers are anonymous to them.
    A person who answered and opens the new link reads that their answer is in.
    """
    actor = require_organizer(actor)
    get_invitation(edition, invitation_id, actor=actor)
    invitation = db.session.scalar(
        select(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise NotFound(_("There is no such survey invitation."))
    person = db.session.get(Person, invitation.person_id)
    if person is None or person.erased_at is not None:
        raise Conflict(_("This person's data was erased: the survey cannot be sent to them."))
    before = audit.snapshot(invitation, INVITATION_AUDIT_FIELDS)
    invitation.token_version += 1
    invitation.sent_at = now or utcnow()
    db.session.flush()
    organisation = (
        db.session.get(Organisation, invitation.organisation_id)
        if invitation.organisation_id is not None
        else None
    )
    recipient = _Recipient(
        person_id=person.id,
        email=person.email,
        name=person.full_name,
        locale=_locales([person.id]).get(person.id),
        organisation_id=invitation.organisation_id,
        organisation_name=organisation.display_name if organisation else "",
    )
    audit.record(
        "resend_survey_link", invitation, actor=actor, edition_id=edition.id,
        before=before, after=audit.snapshot(invitation, INVITATION_AUDIT_FIELDS),
    )  # fmt: skip
    _invitation_mail(edition, invitation.audience, recipient, survey_url(invitation), again=True)
    commit()
    return invitation
