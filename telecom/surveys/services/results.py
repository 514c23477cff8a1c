"""What organizers read of an edition's surveys.

- Per audience: invited, answered and the response rate (SQL counts), and the
  satisfaction figures overall and by segment exactly as the KPI engine
  computes them (`telecom.kpi.engine.survey_satisfaction`), so the page and
  the KPI exports never disagree.
- The comments, newest first, with the segment and the scores only: no name,
  no organisation, no time (the audit log says when an invitation was
  answered, so a time beside a comment would name its author).
- The invitations, searchable by e-mail, for resending a link. Whether a
  person answered is not shown, for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, TurnoverBand
from telecom.extensions import db
from telecom.kpi.engine import Satisfaction, survey_satisfaction
from telecom.participants.models import Person, RegistrationCategory
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services import (
    CATEGORY_PRIORITY,
    require_organizer,
    sending_is_open,
    sending_opens_at,
)

__all__ = [
    "AudienceResults",
    "InvitationRow",
    "SegmentResults",
    "audience_results",
    "comments_query",
    "invitation_rows",
    "invitations_query",
    "segment_label",
]

ONE_PLACE = Decimal("0.1")
MAX_SEARCH_LENGTH = 320


@dataclass(frozen=True)
class SegmentResults:
    key: str  # the stored segment: a turnover band or registration category value, "" unknown
    label: str
    figures: Satisfaction


@dataclass(frozen=True)
class AudienceResults:
    audience: SurveyAudience
    invited: int
    answered: int
    response_rate: Decimal | None  # percent, one place; None before anyone was invited
    overall: Satisfaction
    segments: list[SegmentResults] = field(default_factory=list)
    opens_at: datetime | None = None
    open: bool = False


@dataclass(frozen=True)
class InvitationRow:
    invitation: SurveyInvitation
    email: str
    name: str
    organisation: str


def segment_label(audience: SurveyAudience, key: str) -> str:
    """The segment as readers know it: "Over USD 10 B", "Speaker"; "Not known" for ""."""
    try:
        if audience == SurveyAudience.EXHIBITOR:
            return str(TurnoverBand(key).label)
        return RegistrationCategory(key).label
    except ValueError:
        return _("Not known")


def _segment_order(audience: SurveyAudience) -> list[str]:
    if audience == SurveyAudience.EXHIBITOR:
        return [band.value for band in TurnoverBand]
    return [category.value for category in CATEGORY_PRIORITY]


def audience_results(
    edition: Edition, audience: SurveyAudience, *, actor: User | None
) -> AudienceResults:
    require_organizer(actor)
    audience = SurveyAudience(audience)
    invited = db.session.scalar(
        select(func.count(SurveyInvitation.id)).where(
            SurveyInvitation.edition_id == edition.id, SurveyInvitation.audience == audience
        )
    )
    invited = int(invited or 0)
    overall, by_segment = survey_satisfaction(edition, audience)
    answered = overall.responses
    rate = None
    if invited:
        rate = (Decimal(100 * answered) / Decimal(invited)).quantize(ONE_PLACE, ROUND_HALF_UP)
    order = _segment_order(audience)
    keys = sorted(by_segment, key=lambda k: (order.index(k) if k in order else len(order), k))
    return AudienceResults(
        audience=audience,
        invited=invited,
        answered=answered,
        response_rate=rate,
        overall=overall,
        segments=[SegmentResults(k, segment_label(audience, k), by_segment[k]) for k in keys],
        opens_at=sending_opens_at(edition),
        open=sending_is_open(edition),
    )


def comments_query(
    edition: Edition, audience: SurveyAudience, *, actor: User | None
) -> Select[Any]:
    """The answers with a comment, newest first (page it with core.pagination)."""
    require_organizer(actor)
    return (
        select(SurveyResponse)
        .where(
            SurveyResponse.edition_id == edition.id,
            SurveyResponse.audience == SurveyAudience(audience),
            SurveyResponse.comment != "",
        )
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
    )


def invitations_query(
    edition: Edition, audience: SurveyAudience, email: str = "", *, actor: User | None
) -> Select[Any]:
    """The invitations of one audience, by e-mail; `email` filters on part of the address."""
    require_organizer(actor)
    query = (
        select(SurveyInvitation)
        .join(Person, Person.id == SurveyInvitation.person_id)
        .where(
            SurveyInvitation.edition_id == edition.id,
            SurveyInvitation.audience == SurveyAudience(audience),
        )
        .order_by(Person.email, SurveyInvitation.id)
    )
    needle = email.strip().lower()[:MAX_SEARCH_LENGTH]
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Person.email).like(f"%{escaped}%", escape="\\"))
    return query


def invitation_rows(invitations: list[SurveyInvitation]) -> list[InvitationRow]:
    """The page's invitations with the person's address and name (two queries in all)."""
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({i.person_id for i in invitations}))
        )
    }
    organisations = dict(
        db.session.execute(
            select(Organisation.id, Organisation.display_name).where(
                Organisation.id.in_({i.organisation_id for i in invitations if i.organisation_id})
            )
        ).all()
    )
    rows = []
    for invitation in invitations:
        person = people.get(invitation.person_id)
        rows.append(
            InvitationRow(
                invitation=invitation,
                email=person.email if person else "",
                name=person.full_name if person else "",
                organisation=organisations.get(invitation.organisation_id or 0, ""),
            )
        )
    return rows
