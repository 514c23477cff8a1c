"""Survey invitations (one per person, edition and audience) and their single answer.

An invitation is created when an organizer sends an edition's survey; the
personal link carries a signed token of the invitation id and its version
(resending bumps the version, so the old link stops working). The answer
lives in its own row with a unique invitation id: one answer per person.
Exhibitor answers are grouped by the organisation's turnover band, participant
answers by registration category, both read at answer time and stored so that
later edits of the organisation or registration do not move old answers.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telecom.core.models import IdMixin, TimestampMixin, UTCDateTime, str_enum
from telecom.extensions import db


class SurveyAudience(enum.StrEnum):
    EXHIBITOR = "exhibitor"
    PARTICIPANT = "participant"

    @property
    def label(self) -> str:
        return str(SURVEY_AUDIENCE_LABELS[self])


SURVEY_AUDIENCE_LABELS = {
    SurveyAudience.EXHIBITOR: _l("Exhibitors"),
    SurveyAudience.PARTICIPANT: _l("Participants"),
}


class SurveyInvitation(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint(
            "edition_id", "audience", "person_id", name="uq_survey_invitations_person"
        ),
    )

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    audience: Mapped[SurveyAudience] = mapped_column(str_enum(SurveyAudience), nullable=False)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Exhibitor surveys: the exhibiting organisation the person answers for.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # Bumped by a resend: tokens carry it, so an older link no longer opens the survey.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[SurveyResponse | None] = relationship(
        back_populates="invitation", uselist=False, cascade="all, delete-orphan"
    )


class SurveyResponse(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint(
            "recommend_score IS NULL OR (recommend_score BETWEEN 0 AND 10)",
            name="ck_survey_responses_recommend_range",
        ),
        CheckConstraint(
            "satisfaction BETWEEN 1 AND 5", name="ck_survey_responses_satisfaction_range"
        ),
    )

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # Denormalised for the aggregates (no join through invitations on every KPI query).
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    audience: Mapped[SurveyAudience] = mapped_column(str_enum(SurveyAudience), nullable=False)
    # Exhibitors: the organisation's turnover band when answering; participants: the
    # registration category ("visitor", "vip", ...). Empty when unknown.
    segment: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    # Likelihood to recommend, 0-10 (NPS); asked of exhibitors only.
    recommend_score: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 1-5
    would_return: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="response")
