"""The journalist's side: write the application, add evidence, submit, follow it.

One application per person and edition (the UNIQUE (edition, person)
constraint decides between two requests at once). The applying account is
linked to its Person, who receives the media Registration on approval.

Files are stored before the database commit and deleted again when the
commit fails; a file the applicant removes (or a replaced photo) is deleted
only after the commit succeeded, so a failure never loses a file the
application still names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.countries import is_valid_country
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, Forbidden, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import discard_pending
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    MediaReviewStep,
    MediaRole,
    OutletType,
)
from telecom.media.services import ApplicationsClosed, MediaError
from telecom.media.services.settings import application_window, media_settings
from telecom.media.services.workflow import (
    EDITABLE_STATUSES,
    application_url,
    check_transition,
    lock_application,
    mail_applicant,
    transition,
)
from telecom.participants.models import Person
from telecom.participants.services import people

MAX_BYLINES = 3
MAX_URL_LENGTH = 500
_PHONE = re.compile(r"^\+?[0-9 ().\-/]{4,40}$")

# (field, column length) of the free-text fields.
TEXT_LIMITS = {
    "full_name": 200,
    "job_title": 200,
    "outlet_name": 200,
    "press_card_number": 60,
}
REQUIRED_FIELDS = ("full_name", "outlet_name", "outlet_type", "outlet_country", "role")
FIELD_LABELS = {
    "full_name": _l("Full name"),
    "job_title": _l("Job title"),
    "outlet_name": _l("Outlet"),
    "press_card_number": _l("Press card number"),
}
# Changed by the applicant: audited by name only (the values are personal data).
DETAIL_FIELDS = (
    "full_name", "job_title", "nationality", "phone", "outlet_name", "outlet_type",
    "outlet_country", "outlet_website", "role", "press_card_number", "press_card_expires_on",
    "bylines",
)  # fmt: skip


@dataclass
class ApplicationData:
    """What the applicant types; the services check it (the form's checks are a courtesy)."""

    full_name: str = ""
    job_title: str = ""
    nationality: str | None = None
    phone: str = ""
    outlet_name: str = ""
    outlet_type: OutletType | str | None = None
    outlet_country: str | None = None
    outlet_website: str = ""
    role: MediaRole | str | None = None
    press_card_number: str = ""
    press_card_expires_on: date | None = None
    bylines: list[str] = field(default_factory=list)
    consent: bool = False


# --- Validation -------------------------------------------------------------------------


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _country(value: object, name: str, *, required: bool) -> str | None:
    code = _text(value).upper()
    if not code:
        if required:
            raise MediaError(_("Choose the outlet's country."), name)
        return None
    if not is_valid_country(code):
        raise MediaError(_("Choose a country from the list."), name)
    return code


def _web_address(value: str, name: str) -> str:
    """An http(s) address with a host name; anything else is refused with a clear message."""
    if len(value) > MAX_URL_LENGTH:
        raise MediaError(
            _("A web address can have at most %(count)d characters.", count=MAX_URL_LENGTH), name
        )
    parts = urlsplit(value)
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or "." not in host
        or any(c.isspace() for c in value)
    ):
        raise MediaError(
            _(
                "Give a full web address starting with https:// (or http://): %(value)s",
                value=value,
            ),
            name,
        )
    return value


def _bylines(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        return []
    links = [_text(link) for link in value]
    links = [link for link in links if link]
    if len(links) > MAX_BYLINES:
        raise MediaError(
            _("Give at most %(count)d links to bylined pieces.", count=MAX_BYLINES), "bylines"
        )
    return [_web_address(link, "bylines") for link in links]


def _choice(value: object, enum_class: type, name: str, missing: str, wrong: str) -> Any:
    if value is None or value == "":
        raise MediaError(missing, name)
    try:
        return enum_class(value)
    except ValueError:
        raise MediaError(wrong, name) from None


def _validated(data: ApplicationData) -> dict[str, Any]:
    """The column values of valid data; MediaError naming the field otherwise."""
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        text = _text(getattr(data, name))
        if len(text) > limit:
            raise MediaError(
                _(
                    "%(field)s can have at most %(count)d characters.",
                    field=FIELD_LABELS[name], count=limit,
                ),
                name,
            )  # fmt: skip
        values[name] = text
    if not values["full_name"]:
        raise MediaError(
            _("Give your full name as it should be printed on the badge."), "full_name"
        )
    if not values["outlet_name"]:
        raise MediaError(_("Give the name of the outlet you work for."), "outlet_name")
    values["outlet_type"] = _choice(
        data.outlet_type, OutletType, "outlet_type",
        _("Choose the type of outlet."), _("Choose a type of outlet from the list."),
    )  # fmt: skip
    values["outlet_country"] = _country(data.outlet_country, "outlet_country", required=True)
    values["role"] = _choice(
        data.role, MediaRole, "role",
        _("Choose your role."), _("Choose a role from the list."),
    )  # fmt: skip
    values["nationality"] = _country(data.nationality, "nationality", required=False)
    phone = _text(data.phone)
    if phone and not _PHONE.match(phone):
        raise MediaError(
            _("Give the phone number with digits only (and +, spaces or dashes)."), "phone"
        )
    values["phone"] = phone
    website = _text(data.outlet_website)
    values["outlet_website"] = _web_address(website, "outlet_website") if website else ""
    values["bylines"] = _bylines(data.bylines)
    expires = data.press_card_expires_on
    if expires is not None and (not isinstance(expires, date) or isinstance(expires, datetime)):
        raise MediaError(_("Give the press card's expiry date."), "press_card_expires_on")
    values["press_card_expires_on"] = expires
    return values


def application_data(application: MediaApplication) -> ApplicationData:
    """The saved application, to prefill the form."""
    return ApplicationData(
        full_name=application.full_name,
        job_title=application.job_title,
        nationality=application.nationality,
        phone=application.phone,
        outlet_name=application.outlet_name,
        outlet_type=application.outlet_type,
        outlet_country=application.outlet_country,
        outlet_website=application.outlet_website,
        role=application.role,
        press_card_number=application.press_card_number,
        press_card_expires_on=application.press_card_expires_on,
        bylines=list(application.bylines or []),
        consent=application.consent_at is not None,
    )


# --- Who is applying ----------------------------------------------------------------------


def _require_account(actor: User | None) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Log in to apply for media accreditation."))
    if not actor.email_confirmed:
        raise Forbidden(
            _("Confirm your e-mail address first: follow the link we sent you when you signed up.")
        )
    return actor


def _not_found() -> NotFound:
    return NotFound(_("There is no such application."))


def _require_owner(application: MediaApplication, actor: User | None) -> User:
    """Only the account that applies; anyone else learns nothing (not found)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise _not_found()
    if application.user_id is None or application.user_id != actor.id:
        raise _not_found()
    return actor


def applicant_person_for(user: User, *, full_name: str = "", **details: Any) -> Person:
    """The person the account is: linked to it, else found (or created) by its address and linked.

    A person linked to another account is refused: their accreditation is not
    this account's to ask for.
    """
    person = db.session.scalar(select(Person).where(Person.user_id == user.id))
    if person is not None:
        return person
    person = people.find_or_create_person(
        user.email, full_name=full_name or user.full_name, locale=user.locale, **details
    )
    if person.user_id is not None and person.user_id != user.id:
        raise Forbidden(
            _(
                "The person with this e-mail address is managed by another account, so this "
                "account cannot apply for them. Log in with that account."
            )
        )
    if person.user_id is None:
        person.user_id = user.id
        audit.record("link_account", person, actor=user, after={"user_id": user.id})
    return person


def _application_of_person(edition: Edition, person_id: int) -> MediaApplication | None:
    return db.session.scalar(
        select(MediaApplication).where(
            MediaApplication.edition_id == edition.id, MediaApplication.person_id == person_id
        )
    )


def own_application(edition: Edition, *, actor: User | None) -> MediaApplication | None:
    """The account's application to this edition, if it has one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(MediaApplication).where(
            MediaApplication.edition_id == edition.id, MediaApplication.user_id == actor.id
        )
    )


def get_own_application(edition: Edition, *, actor: User | None) -> MediaApplication:
    application = own_application(edition, actor=actor)
    if application is None:
        raise NotFound(_("You have not applied for media accreditation to this edition yet."))
    return application


def _already_applied() -> Conflict:
    return Conflict(
        _(
            "You already have an application for media accreditation to this edition (one per "
            "person): open it to continue or to follow it."
        )
    )


# --- Writing the application -------------------------------------------------------------


def _apply_values(
    application: MediaApplication, values: dict[str, Any], consent: bool
) -> list[str]:
    """Set the columns; return the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(application, name) != value]
    for name, value in values.items():
        setattr(application, name, value)
    if consent and application.consent_at is None:
        application.consent_at = utcnow()
        changed.append("consent")
    elif not consent and application.consent_at is not None:
        # Unticking the box withdraws the consent: the application cannot be submitted.
        application.consent_at = None
        changed.append("consent")
    return changed


def start_application(
    edition: Edition, data: ApplicationData, *, actor: User | None
) -> MediaApplication:
    """Create the account's draft application (one per person and edition).

    Refused with the window's message when applications are not open; an
    account an organizer allowed late already has its draft (`allow_late`),
    which this then fills in.
    """
    actor = _require_account(actor)
    values = _validated(data)
    for attempt in (1, 2):
        try:
            return _start(edition, values, data.consent, actor)
        except IntegrityError:
            # Another request created this person or this application at the same
            # moment; look again now that it exists (the second time, refuse).
            db.session.rollback()
            discard_pending(db.session)
            if attempt == 2:
                raise _already_applied() from None
        except BaseException:
            db.session.rollback()
            discard_pending(db.session)
            raise
    raise AssertionError("unreachable")


def _start(
    edition: Edition, values: dict[str, Any], consent: bool, actor: User
) -> MediaApplication:
    person = applicant_person_for(
        actor,
        full_name=values["full_name"],
        organisation_name=values["outlet_name"],
        job_title=values["job_title"],
        country=values["nationality"] or values["outlet_country"],
    )
    existing = _application_of_person(edition, person.id)
    if existing is not None:
        if (
            existing.status == ApplicationStatus.DRAFT
            and existing.user_id == actor.id
            and existing.late_allowed_by_id is not None
        ):
            # An organizer made this draft to let the account apply late.
            return _update(existing, values, consent, actor)
        raise _already_applied()
    window = application_window(edition)
    if not window.is_open:
        raise ApplicationsClosed(window.message or _("Applications are not open."))
    application = MediaApplication(
        edition_id=edition.id, person_id=person.id, user_id=actor.id, bylines=[]
    )
    db.session.add(application)
    _apply_values(application, values, consent)
    db.session.flush()
    audit.record(
        "create", application, actor=actor, edition_id=edition.id,
        after={"status": application.status.value, "person_id": person.id},
    )  # fmt: skip
    commit()
    return application


def _require_editable(application: MediaApplication) -> None:
    if application.status not in EDITABLE_STATUSES:
        raise Conflict(
            _(
                "Your application is “%(status)s”: it can no longer be changed.",
                status=application.status.label,
            )
        )


def _update(
    application: MediaApplication, values: dict[str, Any], consent: bool, actor: User
) -> MediaApplication:
    application = lock_application(application)
    _require_editable(application)
    changed = _apply_values(application, values, consent)
    if changed:
        audit.record(
            "update", application, actor=actor, edition_id=application.edition_id,
            after={"changed": sorted(changed)},
        )  # fmt: skip
    commit()
    return application


@atomic
def update_application(
    application: MediaApplication, data: ApplicationData, *, actor: User | None
) -> MediaApplication:
    """Save the applicant's changes (while a draft, or when more information was requested)."""
    actor = _require_owner(application, actor)
    _require_editable(application)
    return _update(application, _validated(data), data.consent, actor)


# --- Documents ----------------------------------------------------------------------------


def live_documents(
    application: MediaApplication, kind: DocumentKind | None = None
) -> list[MediaDocument]:
    """The documents whose files still exist (not purged), optionally of one kind."""
    return [
        document
        for document in application.documents
        if document.stored_name is not None and (kind is None or document.kind == kind)
    ]


def _document_kind(kind: object) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise MediaError(_("Choose what the document is from the list."), "kind") from None


def add_document(
    application: MediaApplication,
    kind: DocumentKind | str,
    data: bytes,
    filename: str,
    *,
    actor: User | None,
) -> MediaDocument:
    """Add an evidence file (or the badge photo, which replaces the previous one).

    A refused file (wrong type, too large, too many) changes nothing.
    """
    actor = _require_owner(application, actor)
    kind = _document_kind(kind)
    _require_editable(application)
    try:
        # Re-encoding an image takes a while: do it before taking the row lock.
        prepared = documents.prepare_upload(kind, data, filename)
    except MediaError:
        raise
    except ValidationError as error:
        raise MediaError(error.message, kind.value) from None
    stored: str | None = None
    replaced: str | None = None
    try:
        application = lock_application(application)
        _require_editable(application)
        live = live_documents(application)
        # One badge photo: a new one replaces the old.
        old_photos = live_documents(application, kind) if kind == DocumentKind.PHOTO else []
        limit = media_settings(db.session.get(Edition, application.edition_id)).max_documents
        if len(live) - len(old_photos) >= limit:
            raise MediaError(
                _(
                    "An application can have at most %(count)d documents. Remove one before "
                    "adding another.",
                    count=limit,
                ),
                kind.value,
            )
        stored = documents.store_prepared(prepared)
        document = MediaDocument(
            kind=kind,
            stored_name=stored,
            content_type=prepared.content_type,
            size=len(prepared.data),
            original_name=(prepared.original_name or "")[:200],
        )
        application.documents.append(document)
        for old in old_photos:
            replaced = old.stored_name
            application.documents.remove(old)
        db.session.flush()
        audit.record(
            "add_document", application, actor=actor, edition_id=application.edition_id,
            after={"document_id": document.id, "kind": kind.value, "size": document.size,
                   "content_type": document.content_type,
                   "replaced": [old.id for old in old_photos]},
        )  # fmt: skip
        commit()
    except BaseException:
        db.session.rollback()
        discard_pending(db.session)
        if stored is not None:
            documents.delete_stored(stored)
        raise
    if replaced is not None:
        documents.delete_stored(replaced)
    return document


def remove_document(application: MediaApplication, document_id: int, *, actor: User | None) -> None:
    """Remove one of the application's documents (while it can be changed)."""
    actor = _require_owner(application, actor)
    try:
        application = lock_application(application)
        document = next((d for d in live_documents(application) if d.id == document_id), None)
        if document is None:
            raise NotFound(_("There is no such document."))
        _require_editable(application)
        stored = document.stored_name
        application.documents.remove(document)
        db.session.flush()
        audit.record(
            "remove_document", application, actor=actor, edition_id=application.edition_id,
            before={"document_id": document_id, "kind": document.kind.value},
        )  # fmt: skip
        commit()
    except BaseException:
        db.session.rollback()
        discard_pending(db.session)
        raise
    # Only now that the row is gone for good: a failed commit keeps the file.
    documents.delete_stored(stored)


# --- Submitting ---------------------------------------------------------------------------


def _completeness(application: MediaApplication, edition: Edition, today: date) -> None:
    """Everything a reviewer needs; MediaError naming what is missing."""
    for name in ("full_name", "outlet_name"):
        if not getattr(application, name):
            raise MediaError(_("Fill in this field before submitting."), name)
    for name in ("outlet_type", "outlet_country", "role"):
        if getattr(application, name) is None:
            raise MediaError(_("Choose a value before submitting."), name)
    if not live_documents(application, DocumentKind.PHOTO):
        raise MediaError(_("Add a photo of yourself for the badge."), DocumentKind.PHOTO.value)
    letter = bool(live_documents(application, DocumentKind.LETTER_OF_ASSIGNMENT))
    press_card = bool(live_documents(application, DocumentKind.PRESS_CARD))
    if application.outlet_type == OutletType.FREELANCE:
        if not letter:
            raise MediaError(
                _(
                    "Freelancers need both a letter of assignment from the outlet that "
                    "commissioned them and a press card: add the letter of assignment."
                ),
                DocumentKind.LETTER_OF_ASSIGNMENT.value,
            )
        if not press_card:
            raise MediaError(
                _(
                    "Freelancers need both a letter of assignment from the outlet that "
                    "commissioned them and a press card: add the press card."
                ),
                DocumentKind.PRESS_CARD.value,
            )
    elif not letter and not press_card:
        raise MediaError(
            _(
                "Add your evidence: a letter of assignment signed by your editor, or your "
                "valid press card (or both)."
            ),
            DocumentKind.LETTER_OF_ASSIGNMENT.value,
        )
    if press_card:
        expires = application.press_card_expires_on
        if expires is None:
            raise MediaError(_("Give your press card's expiry date."), "press_card_expires_on")
        if expires < today:
            raise MediaError(
                _(
                    "Your press card expired on %(date)s. Add a valid press card, or a letter "
                    "of assignment instead.",
                    date=format_date(expires),
                ),
                "press_card_expires_on",
            )
    if application.consent_at is None:
        raise MediaError(
            _("We need your consent to process these details and documents for the accreditation."),
            "consent",
        )


@atomic
def submit_application(
    application: MediaApplication, *, actor: User | None, now: datetime | None = None
) -> MediaApplication:
    """Send the application to the reviewers (a draft), or send it back (information requested).

    After applications closed, a draft is accepted only when an organizer
    allowed this account late; it is then marked late.
    """
    actor = _require_owner(application, actor)
    now = now or utcnow()
    application = lock_application(application)
    edition = db.session.get(Edition, application.edition_id)
    assert edition is not None
    resubmit = application.status == ApplicationStatus.INFO_REQUESTED
    target = ApplicationStatus.RESUBMITTED if resubmit else ApplicationStatus.SUBMITTED
    action = "resubmit" if resubmit else "submit"
    check_transition(application, target, action)
    if not resubmit:
        window = application_window(edition, now)
        if not window.is_open and application.late_allowed_by_id is None:
            raise ApplicationsClosed(window.message or _("Applications are not open."))
        # Late means after the close (an organizer's permission also lets a draft in
        # before the opening day, which is not late).
        closes_on = window.closes_on
        changes = {
            "late": closes_on is not None and edition.local_date(now) > closes_on,
            "submitted_at": now,
        }
    else:
        changes = {}  # submitted_at stays the first submission: first come, first served
    _completeness(application, edition, edition.local_date(now))
    transition(application, target, action=action, actor=actor, changes=changes)
    mail_applicant(
        application,
        _l("Media accreditation for %(edition)s: application received", edition=edition.name),
        "media_submitted.txt",
        resubmitted=resubmit,
        application_url=application_url(edition),
    )
    commit()
    return application


def history(application: MediaApplication) -> list[MediaReviewStep]:
    """The application's steps, oldest first."""
    return list(
        db.session.scalars(
            select(MediaReviewStep)
            .where(MediaReviewStep.application_id == application.id)
            .order_by(MediaReviewStep.created_at, MediaReviewStep.id)
        )
    )


def privacy_notice(edition: Edition) -> str:
    """Why we ask for these details and how long we keep the documents (beside the consent box)."""
    settings = media_settings(edition)
    purge_on = edition.end_date + timedelta(days=settings.retention_days)
    return _(
        "We use these details and documents only to decide on your media accreditation for "
        "%(edition)s and to print your badge; they are seen by the media reviewers and the "
        "organizers. The documents are deleted %(days)d days after the event, on %(date)s; "
        "the decision is kept. Questions, or to withdraw your consent: %(contact)s.",
        edition=edition.name,
        days=settings.retention_days,
        date=format_date(purge_on),
        contact=settings.contact_email,
    )
