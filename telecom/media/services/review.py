"""The reviewers' side: the queue, the decisions, late permissions, the media list.

Every function checks the role itself (media reviewers and organizers;
allowing a late application is for organizers), so the HTML views, the CLI and
the tests obey the same rule. Each decision locks the application row, checks
ALLOWED_TRANSITIONS (workflow.py), writes the review step and the audit entry,
and queues the applicant's mail in their language, in one transaction: of two
reviewers deciding at once, the second gets a clear "not possible" message.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core import audit, storage
from telecom.core.countries import country_name, is_valid_country
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.models import utcnow
from telecom.core.outbox import discard_pending
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    OutletType,
    RejectionReason,
)
from telecom.media.services import MediaError
from telecom.media.services.applications import applicant_person_for, live_documents
from telecom.media.services.workflow import (
    ALLOWED_TRANSITIONS,
    applicant_person,
    application_url,
    check_transition,
    lock_application,
    mail_applicant,
    transition,
)
from telecom.participants.models import Person, RegistrationCategory
from telecom.participants.services.granted import grant_registration, withdraw_registration

__all__ = [
    "ALLOWED_TRANSITIONS",
    "MediaSummary",
    "QueueFilters",
    "allow_late",
    "approve",
    "get_for_review",
    "media_list_table",
    "media_summary",
    "reject",
    "request_information",
    "review_queue",
    "revoke",
    "take_for_review",
]

REVIEW_ROLES = (Role.MEDIA_REVIEWER, Role.ORGANIZER)
MAX_MESSAGE_LENGTH = 4000
MAX_SEARCH_LENGTH = 200
S = ApplicationStatus


def _require_reviewer(actor: User | None) -> User:
    return require_role(actor, *REVIEW_ROLES)


def _not_own(application: MediaApplication, actor: User) -> None:
    """Nobody decides on their own application, whatever their role."""
    if application.user_id is not None and application.user_id == actor.id:
        raise Forbidden(_("You cannot review your own application: ask another reviewer."))


def _edition_of(application: MediaApplication) -> Edition:
    edition = db.session.get(Edition, application.edition_id)
    assert edition is not None
    return edition


def _text(value: object, name: str, *, required: str | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text and required is not None:
        raise MediaError(required, name)
    if len(text) > MAX_MESSAGE_LENGTH:
        raise MediaError(_("Write at most %(count)d characters.", count=MAX_MESSAGE_LENGTH), name)
    return text


# --- The queue ----------------------------------------------------------------------------


@dataclass
class QueueFilters:
    """The queue's filters as typed in the URL; a value that makes no sense is ignored."""

    status: str = ""
    outlet_type: str = ""
    country: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    late: str = ""
    search: str = ""


_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}


def _enum_or_none(enum_class: type, value: object) -> Any:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return enum_class(value.strip())
    except ValueError:
        return None


def _day_or_none(value: object) -> date | None:
    # A datetime is a date too; take its day. Anything else is ignored.
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def review_queue(edition: Edition, filters: QueueFilters, *, actor: User | None) -> Select[Any]:
    """Submitted applications (never drafts), first come first served, filtered.

    Dates are days in the edition's time zone, both included; the search looks
    in the name, the outlet and the e-mail address.
    """
    _require_reviewer(actor)
    query = select(MediaApplication).where(
        MediaApplication.edition_id == edition.id, MediaApplication.status != S.DRAFT
    )
    status = _enum_or_none(ApplicationStatus, filters.status)
    if status is not None and status != S.DRAFT:
        query = query.where(MediaApplication.status == status)
    outlet_type = _enum_or_none(OutletType, filters.outlet_type)
    if outlet_type is not None:
        query = query.where(MediaApplication.outlet_type == outlet_type)
    country = filters.country.strip().upper() if isinstance(filters.country, str) else ""
    if country and is_valid_country(country):
        query = query.where(MediaApplication.outlet_country == country)
    first = _day_or_none(filters.submitted_from)
    if first is not None:
        query = query.where(MediaApplication.submitted_at >= edition.day_starts_at(first))
    last = _day_or_none(filters.submitted_to)
    if last is not None:
        query = query.where(MediaApplication.submitted_at <= edition.day_ends_at(last))
    late = filters.late.strip().lower() if isinstance(filters.late, str) else ""
    if late in _YES:
        query = query.where(MediaApplication.late.is_(True))
    elif late in _NO:
        query = query.where(MediaApplication.late.is_(False))
    search = filters.search.strip()[:MAX_SEARCH_LENGTH] if isinstance(filters.search, str) else ""
    if search:
        query = query.join(Person, Person.id == MediaApplication.person_id).where(
            or_(
                MediaApplication.full_name.icontains(search, autoescape=True),
                MediaApplication.outlet_name.icontains(search, autoescape=True),
                Person.email.icontains(search, autoescape=True),
            )
        )
    return query.order_by(MediaApplication.submitted_at, MediaApplication.id)


def get_for_review(
    edition: Edition, application_id: int, *, actor: User | None
) -> MediaApplication:
    """A submitted application of this edition; NotFound for a draft or another edition's id."""
    _require_reviewer(actor)
    application = db.session.scalar(
        select(MediaApplication).where(
            MediaApplication.id == application_id,
            MediaApplication.edition_id == edition.id,
            MediaApplication.status != S.DRAFT,
        )
    )
    if application is None:
        raise NotFound(_("There is no such application."))
    return application


def applicant_email(application: MediaApplication) -> str:
    """The address the reviewer may write to (the applying account's, else the person's)."""
    user = db.session.get(User, application.user_id) if application.user_id else None
    return user.email if user is not None else applicant_person(application).email


# --- Decisions ----------------------------------------------------------------------------


@atomic
def take_for_review(application: MediaApplication, *, actor: User | None) -> MediaApplication:
    """Submitted or resubmitted → in review, by this reviewer."""
    actor = _require_reviewer(actor)
    application = lock_application(application)
    _not_own(application, actor)
    transition(
        application, S.IN_REVIEW, action="take_for_review", actor=actor,
        changes={"reviewer_id": actor.id},
    )  # fmt: skip
    edition = _edition_of(application)
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: your application is being reviewed",
           edition=edition.name),
        "media_in_review.txt",
        application_url=application_url(edition),
    )  # fmt: skip
    commit()
    return application


@atomic
def request_information(
    application: MediaApplication, message: str, *, actor: User | None
) -> MediaApplication:
    """In review → information requested: the applicant is told what to add."""
    actor = _require_reviewer(actor)
    message = _text(message, "message", required=_("Say what the applicant should add or explain."))
    application = lock_application(application)
    _not_own(application, actor)
    transition(
        application, S.INFO_REQUESTED, action="request_information", actor=actor,
        message=message, changes={"info_request": message, "reviewer_id": actor.id},
    )  # fmt: skip
    edition = _edition_of(application)
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: more information needed",
           edition=edition.name),
        "media_info_requested.txt",
        message=message,
        application_url=application_url(edition),
    )  # fmt: skip
    commit()
    return application


def approve(application: MediaApplication, *, actor: User | None) -> MediaApplication:
    """In review → approved: a confirmed media Registration, its badge mailed to the applicant."""
    from telecom.participants.services import badges

    actor = _require_reviewer(actor)
    badge_photo: str | None = None
    try:
        application = lock_application(application)
        _not_own(application, actor)
        check_transition(application, S.APPROVED, "approve")
        person = applicant_person(application)
        if person.erased_at is not None:
            raise Conflict(
                _("The applicant erased their personal data: there is nobody to accredit.")
            )
        edition = _edition_of(application)
        photos = live_documents(application, DocumentKind.PHOTO)
        if photos:
            # A copy: the evidence is purged after the event, the badge photo stays with the badge.
            badge_photo = documents.copy_badge_photo(photos[-1])
        registration = grant_registration(
            person, edition, RegistrationCategory.MEDIA, actor=actor, photo_file=badge_photo
        )
        transition(
            application, S.APPROVED, action="approve", actor=actor,
            changes={
                "registration_id": registration.id, "decided_at": utcnow(),
                "reviewer_id": actor.id,
            },
        )  # fmt: skip
        mail_applicant(
            application,
            _l("Media accreditation for %(edition)s: approved", edition=edition.name),
            "media_approved.txt",
            attachments=[badges.badge_attachment(registration)],
            registrations_url=url_for("participants.my_registrations", _external=True),
        )
        commit()
    except BaseException:
        db.session.rollback()
        discard_pending(db.session)
        if badge_photo is not None:
            storage.delete(badges.BADGE_PHOTOS_KIND, badge_photo)
        raise
    return application


@atomic
def reject(
    application: MediaApplication,
    reason: RejectionReason | str,
    note: str = "",
    *,
    actor: User | None,
) -> MediaApplication:
    """In review → rejected, with a reason from the list (and a note, required for "other")."""
    actor = _require_reviewer(actor)
    try:
        reason = RejectionReason(reason)
    except ValueError:
        raise MediaError(_("Choose a reason from the list."), "reason") from None
    note = _text(
        note,
        "note",
        required=_("Explain the reason in the note.") if reason == RejectionReason.OTHER else None,
    )
    application = lock_application(application)
    _not_own(application, actor)
    transition(
        application, S.REJECTED, action="reject", actor=actor, reason=reason, message=note,
        changes={
            "rejection_reason": reason, "decision_note": note, "decided_at": utcnow(),
            "reviewer_id": actor.id,
        },
    )  # fmt: skip
    edition = _edition_of(application)
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: not approved", edition=edition.name),
        "media_rejected.txt",
        reason=reason,
        note=note,
    )
    commit()
    return application


@atomic
def revoke(application: MediaApplication, reason: str, *, actor: User | None) -> MediaApplication:
    """Approved → revoked: the media registration is cancelled, so the badge stops working."""
    actor = _require_reviewer(actor)
    reason = _text(reason, "reason", required=_("Say why the accreditation is revoked."))
    application = lock_application(application)
    _not_own(application, actor)
    check_transition(application, S.REVOKED, "revoke")
    if application.registration_id is not None:
        withdraw_registration(application.registration_id, actor=actor)
    transition(
        application, S.REVOKED, action="revoke", actor=actor, message=reason,
        changes={"decision_note": reason, "decided_at": utcnow()},
    )  # fmt: skip
    edition = _edition_of(application)
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: revoked", edition=edition.name),
        "media_revoked.txt",
        reason=reason,
    )
    commit()
    return application


@atomic
def allow_late(edition: Edition, email: str, *, actor: User | None) -> MediaApplication:
    """Let the account with this address apply after applications closed (organizers).

    Its draft is created (or its existing draft marked), so the applicant
    finds it on the application page; the account is mailed the link.
    """
    actor = require_role(actor, Role.ORGANIZER)
    address = email.strip() if isinstance(email, str) else ""
    if not address:
        raise MediaError(_("Give the e-mail address of the journalist's account."), "email")
    user = get_user_by_email(address)
    if user is None or not user.active:
        raise MediaError(
            _(
                "There is no account with this e-mail address. Ask the journalist to sign up "
                "first, then allow the late application again."
            ),
            "email",
        )
    person = applicant_person_for(user)
    application = db.session.scalar(
        select(MediaApplication)
        .where(MediaApplication.edition_id == edition.id, MediaApplication.person_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if application is not None and application.status != S.DRAFT:
        raise Conflict(
            _(
                "This journalist has already submitted an application (now “%(status)s”): "
                "there is nothing to allow.",
                status=application.status.label,
            )
        )
    if application is not None and application.user_id not in (None, user.id):
        raise Conflict(_("This person's application belongs to another account."))
    before = None
    if application is None:
        application = MediaApplication(
            edition_id=edition.id, person_id=person.id, user_id=user.id,
            full_name=person.full_name or user.full_name, bylines=[],
        )  # fmt: skip
        db.session.add(application)
    else:
        before = {"late_allowed_by_id": application.late_allowed_by_id}
    application.user_id = user.id
    application.late_allowed_by_id = actor.id
    db.session.flush()
    audit.record(
        "allow_late", application, actor=actor, edition_id=edition.id, before=before,
        after={"late_allowed_by_id": actor.id, "user_id": user.id},
    )  # fmt: skip
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: you may still apply", edition=edition.name),
        "media_late_allowed.txt",
        application_url=application_url(edition),
    )
    commit()
    return application


# --- The media list -----------------------------------------------------------------------


def _approved(edition: Edition) -> list[MediaApplication]:
    return list(
        db.session.scalars(
            select(MediaApplication)
            .where(MediaApplication.edition_id == edition.id, MediaApplication.status == S.APPROVED)
            .order_by(MediaApplication.full_name, MediaApplication.id)
        )
    )


def media_list_table(edition: Edition, *, actor: User | None) -> tuple[list[str], list[list[Any]]]:
    """Approved accreditations as (headers, rows) for telecom.core.spreadsheets (CSV/XLSX)."""
    _require_reviewer(actor)
    headers = [
        _("Name"), _("Outlet"), _("Outlet type"), _("Outlet country"), _("Role"),
        _("Approved at"),
    ]  # fmt: skip
    rows: list[list[Any]] = []
    for application in _approved(edition):
        approved_at = application.decided_at
        rows.append(
            [
                application.full_name,
                application.outlet_name,
                application.outlet_type.label if application.outlet_type else "",
                country_name(application.outlet_country),
                application.role.label if application.role else "",
                # Shown as the organizers read it: the edition's local time, to the minute.
                approved_at.astimezone(edition.tz).replace(tzinfo=None, second=0, microsecond=0)
                if approved_at is not None
                else None,
            ]
        )
    return headers, rows


@dataclass
class MediaSummary:
    """Approved accreditations, counted by outlet type and by outlet country (largest first)."""

    total: int = 0
    by_outlet_type: list[tuple[OutletType | None, int]] = field(default_factory=list)
    by_country: list[tuple[str | None, int]] = field(default_factory=list)


def media_summary(edition: Edition, *, actor: User | None) -> MediaSummary:
    _require_reviewer(actor)
    approved = _approved(edition)
    by_type = Counter(application.outlet_type for application in approved)
    by_country = Counter(application.outlet_country for application in approved)
    type_order = {kind: index for index, kind in enumerate(OutletType)}
    return MediaSummary(
        total=len(approved),
        by_outlet_type=sorted(
            by_type.items(), key=lambda item: (-item[1], type_order.get(item[0], len(type_order)))
        ),
        by_country=sorted(
            by_country.items(), key=lambda item: (-item[1], country_name(item[0]) or "")
        ),
    )
