"""Media accreditation: applications with evidence documents and their review history.

Accreditation is granted to an individual working journalist, per edition and
case by case, on evidence (a letter of assignment, a press card, bylined work),
as ITU and the UN accredit media. An approved application holds the
applicant's Registration of category media, which carries the badge and counts
toward the "accredited media" KPI.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from telecom.extensions import db


class OutletType(enum.StrEnum):
    PRINT = "print"
    ONLINE = "online"
    TV = "tv"
    RADIO = "radio"
    NEWS_AGENCY = "news_agency"
    PHOTO_AGENCY = "photo_agency"
    FREELANCE = "freelance"

    @property
    def label(self) -> str:
        return str(OUTLET_TYPE_LABELS[self])


OUTLET_TYPE_LABELS = {
    OutletType.PRINT: _l("Print"),
    OutletType.ONLINE: _l("Online"),
    OutletType.TV: _l("Television"),
    OutletType.RADIO: _l("Radio"),
    OutletType.NEWS_AGENCY: _l("News agency"),
    OutletType.PHOTO_AGENCY: _l("Photo agency"),
    OutletType.FREELANCE: _l("Freelance"),
}


class MediaRole(enum.StrEnum):
    REPORTER = "reporter"
    EDITOR_IN_CHIEF = "editor_in_chief"
    PHOTOGRAPHER = "photographer"
    CAMERA_OPERATOR = "camera_operator"
    TECHNICIAN = "technician"

    @property
    def label(self) -> str:
        return str(MEDIA_ROLE_LABELS[self])


MEDIA_ROLE_LABELS = {
    MediaRole.REPORTER: _l("Reporter"),
    MediaRole.EDITOR_IN_CHIEF: _l("Editor-in-chief"),
    MediaRole.PHOTOGRAPHER: _l("Photographer"),
    MediaRole.CAMERA_OPERATOR: _l("Camera operator"),
    MediaRole.TECHNICIAN: _l("Technician"),
}


class ApplicationStatus(enum.StrEnum):
    """submitted → in review → information requested → resubmitted → approved / rejected.

    A draft is what the applicant is still writing; an approval can be revoked.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return str(APPLICATION_STATUS_LABELS[self])


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Draft"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.IN_REVIEW: _l("In review"),
    ApplicationStatus.INFO_REQUESTED: _l("Information requested"),
    ApplicationStatus.RESUBMITTED: _l("Resubmitted"),
    ApplicationStatus.APPROVED: _l("Approved"),
    ApplicationStatus.REJECTED: _l("Rejected"),
    ApplicationStatus.REVOKED: _l("Revoked"),
}


class RejectionReason(enum.StrEnum):
    NOT_JOURNALIST = "not_journalist"
    MARKETING_ROLE = "marketing_role"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    PRESS_CARD_EXPIRED = "press_card_expired"
    DUPLICATE = "duplicate"
    DEADLINE_PASSED = "deadline_passed"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(REJECTION_REASON_LABELS[self])


REJECTION_REASON_LABELS = {
    RejectionReason.NOT_JOURNALIST: _l("Not a working journalist"),
    RejectionReason.MARKETING_ROLE: _l("Marketing, PR or sales role"),
    RejectionReason.INSUFFICIENT_EVIDENCE: _l("Insufficient evidence"),
    RejectionReason.PRESS_CARD_EXPIRED: _l("Press card expired"),
    RejectionReason.DUPLICATE: _l("Duplicate application"),
    RejectionReason.DEADLINE_PASSED: _l("Deadline passed"),
    RejectionReason.OTHER: _l("Other"),
}


class DocumentKind(enum.StrEnum):
    LETTER_OF_ASSIGNMENT = "letter_of_assignment"
    PRESS_CARD = "press_card"
    PHOTO = "photo"  # the badge photo

    @property
    def label(self) -> str:
        return str(DOCUMENT_KIND_LABELS[self])


DOCUMENT_KIND_LABELS = {
    DocumentKind.LETTER_OF_ASSIGNMENT: _l("Letter of assignment"),
    DocumentKind.PRESS_CARD: _l("Press card"),
    DocumentKind.PHOTO: _l("Photo for the badge"),
}


class MediaSettings(IdMixin, TimestampMixin, db.Model):
    """Per edition: when applications are accepted, and how long evidence is kept.

    The dates are days in the edition's time zone, both included.
    """

    __tablename__ = "media_settings"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    applications_open_on: Mapped[date | None] = mapped_column(Date)
    applications_close_on: Mapped[date | None] = mapped_column(Date)
    # Evidence files per application (the badge photo included).
    max_documents: Mapped[int] = mapped_column(Integer, nullable=False, default=6)
    # Evidence files are deleted this many days after the edition's last day.
    retention_days: Mapped[int] = mapped_column(Integer, nullable=False, default=90)
    contact_email: Mapped[str] = mapped_column(
        String(320), nullable=False, default="media@telecom-world.example"
    )


class MediaApplication(IdMixin, TimestampMixin, db.Model):
    """One journalist's application for one edition (one per person and edition)."""

    __tablename__ = "media_applications"
    __table_args__ = (UniqueConstraint("edition_id", "person_id"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # The account that applies and follows the application.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), nullable=False, default=ApplicationStatus.DRAFT, index=True
    )

    # The applicant as on the badge.
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    nationality: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")

    outlet_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    outlet_type: Mapped[OutletType | None] = mapped_column(str_enum(OutletType), index=True)
    outlet_country: Mapped[str | None] = mapped_column(String(2), index=True)
    outlet_website: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    role: Mapped[MediaRole | None] = mapped_column(str_enum(MediaRole))
    press_card_number: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    press_card_expires_on: Mapped[date | None] = mapped_column(Date)
    # Links to up to three bylined pieces from the last twelve months.
    bylines: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Submitted after applications closed, with an organizer's permission.
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    late_allowed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The last request for more information, shown to the applicant.
    info_request: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(str_enum(RejectionReason))
    # The decision's explanation: the text of "other", a revocation's reason.
    decision_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    documents_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    documents: Mapped[list[MediaDocument]] = relationship(
        back_populates="application",
        order_by="MediaDocument.id",
        cascade="all, delete-orphan",
    )
    steps: Mapped[list[MediaReviewStep]] = relationship(
        order_by="MediaReviewStep.id", cascade="all, delete-orphan"
    )


class MediaDocument(IdMixin, db.Model):
    """An evidence file; the bytes live under UPLOAD_DIR, outside static/."""

    __tablename__ = "media_documents"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("media_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind), nullable=False)
    # Random; None once the file is purged (the row stays as a record of what was shown).
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    # The applicant's file name, cleaned, for display only.
    original_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[MediaApplication] = relationship(back_populates="documents")


class MediaReviewStep(IdMixin, db.Model):
    """One step of the review: who moved the application from what to what, and why."""

    __tablename__ = "media_review_steps"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("media_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus))
    to_status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), nullable=False
    )
    reason: Mapped[RejectionReason | None] = mapped_column(str_enum(RejectionReason))
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
