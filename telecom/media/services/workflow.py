"""The application's state machine, shared by the applicant's and the reviewers' services.

Every transition goes through `transition()`: it runs on the row locked by
`lock_application()` (SELECT ... FOR UPDATE, re-read from the database), checks
ALLOWED_TRANSITIONS, writes the MediaReviewStep and the audit entry. The caller
queues the applicant's mail with `mail_applicant()` and commits, all in one
transaction, so two reviewers acting at once queue on the lock and the second
one sees the first one's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.errors import Conflict, NotFound
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    MediaApplication,
    MediaReviewStep,
    RejectionReason,
)
from telecom.media.services.settings import media_settings
from telecom.participants.models import Person

S = ApplicationStatus

# submitted → in review → information requested → resubmitted → in review →
# approved / rejected; an approval can be revoked. Rejected and revoked are final.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, set[ApplicationStatus]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.IN_REVIEW},
    S.IN_REVIEW: {S.INFO_REQUESTED, S.APPROVED, S.REJECTED},
    S.INFO_REQUESTED: {S.RESUBMITTED},
    S.RESUBMITTED: {S.IN_REVIEW},
    S.APPROVED: {S.REVOKED},
    S.REJECTED: set(),
    S.REVOKED: set(),
}

# The applicant may change the application and its documents only here.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.INFO_REQUESTED})

ACTION_LABELS = {
    "submit": _l("Submit"),
    "resubmit": _l("Submit again"),
    "take_for_review": _l("Take for review"),
    "request_information": _l("Request more information"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "revoke": _l("Revoke"),
}

AUDIT_FIELDS = (
    "status", "reviewer_id", "submitted_at", "late", "late_allowed_by_id", "decided_at",
    "rejection_reason", "registration_id",
)  # fmt: skip


def lock_application(application: MediaApplication) -> MediaApplication:
    """The application's row, locked for this transaction and re-read: another may have moved it."""
    locked = db.session.scalar(
        select(MediaApplication)
        .where(MediaApplication.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such application."))
    return locked


def transition_refusal(application: MediaApplication, action: str) -> Conflict:
    return Conflict(
        _(
            "“%(action)s” is not possible: the application is “%(status)s”. Reload the page "
            "to see where it stands.",
            action=ACTION_LABELS[action],
            status=application.status.label,
        )
    )


def check_transition(application: MediaApplication, target: ApplicationStatus, action: str) -> None:
    if target not in ALLOWED_TRANSITIONS[application.status]:
        raise transition_refusal(application, action)


def transition(
    application: MediaApplication,
    target: ApplicationStatus,
    *,
    action: str,
    actor: User | None,
    reason: RejectionReason | None = None,
    message: str = "",
    changes: dict[str, Any] | None = None,
) -> MediaReviewStep:
    """Move a locked application to `target`, setting `changes` too; step and audit entry.

    Runs in the caller's transaction, which queues the mail and commits.
    """
    check_transition(application, target, action)
    before = audit.snapshot(application, AUDIT_FIELDS)
    source = application.status
    for name, value in (changes or {}).items():
        setattr(application, name, value)
    application.status = target
    step = MediaReviewStep(
        application_id=application.id,
        actor_id=actor.id if actor is not None else None,
        from_status=source,
        to_status=target,
        reason=reason,
        message=message,
    )
    db.session.add(step)
    db.session.flush()
    audit.record(
        action, application, actor=actor, edition_id=application.edition_id, before=before,
        after=audit.snapshot(application, AUDIT_FIELDS),
    )  # fmt: skip
    return step


def applicant_person(application: MediaApplication) -> Person:
    person = db.session.get(Person, application.person_id)
    assert person is not None
    return person


def application_url(edition: Edition) -> str:
    """The applicant's page (the applicant views register this endpoint)."""
    return url_for("media.application", slug=edition.slug, _external=True)


def mail_applicant(
    application: MediaApplication,
    subject: LazyString,
    template: str,
    *,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    **context: Any,
) -> None:
    """Queue a message to the applicant, in their language, in the caller's transaction.

    It goes to the account that applies (its address may have changed since)
    and, for an application whose account was deleted, to the person's address.
    """
    person = applicant_person(application)
    user = db.session.get(User, application.user_id) if application.user_id else None
    recipient = user.email if user is not None else person.email
    locale = person.locale or (user.locale if user is not None else None)
    edition = db.session.get(Edition, application.edition_id)
    assert edition is not None
    queue_mail(
        recipient,
        subject,
        template,
        locale=locale,
        attachments=attachments,
        name=application.full_name or person.full_name,
        edition=edition,
        application=application,
        contact_email=media_settings(edition).contact_email,
        **context,
    )
