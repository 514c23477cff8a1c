"""Satisfaction-survey demo data for the past demo editions.

For 2015 (Budapest) and 2013 (Bangkok), as if the organizer had sent both
surveys on the afternoon of the last day:

- an exhibitor invitation for every exhibiting organisation (the KPI
  engine's rule, `services.is_exhibitor`), to its contact address, and about
  60 % of them answered over the following three weeks. Larger companies are
  a little happier: the share of promoters (9-10 on the recommendation
  question) grows and the share of detractors (0-6) shrinks with the
  turnover band, and the overall satisfaction (1-5) and "would exhibit
  again" follow the recommendation score. For 2015 this gives a mean
  satisfaction near 4 and an NPS between +20 and +40;
- a participant invitation for every person who attended (a check-in on a
  registration that is not cancelled) and about 25 % answered, grouped by
  their main registration category (services.CATEGORY_PRIORITY); VIPs and
  speakers a little happier than the crowd.

About a third of the answers carry a short comment drawn from a fixed list
matching the score. Everything is drawn from a `random.Random` seeded per
edition, over exhibitors and people in a fixed order (by name and e-mail),
so every fresh database gets the same answers. Only what is missing is added:
an organisation contact is found or inserted by e-mail, an invitation is
skipped when that person already has one for the edition and audience, and
only new invitations get answers. Bulk inserts, one commit per edition; no
mail is queued (the demo's surveys were "sent" years ago).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from telecom.auth.models import User
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, OrganisationMember, TurnoverBand
from telecom.extensions import db
from telecom.participants.models import Person, Registration, RegistrationStatus
from telecom.participants.services.people import normalise_email
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services import CATEGORY_PRIORITY, is_exhibitor
from telecom.surveys.services.sending import attendees

__all__ = ["COUNT_KEYS", "SPECS", "SurveyDemoSpec", "load_survey_demo"]

COUNT_KEYS = ("people", "survey_invitations", "survey_responses")
BATCH_SIZE = 1000


@dataclass(frozen=True)
class SurveyDemoSpec:
    seed: int
    exhibitor_share: float  # of the invited exhibitors, answered
    participant_share: float  # of the invited attendees, answered
    comment_share: float
    # Shares of promoters and detractors for the smallest band; each band up adds / removes.
    promoters: float
    detractors: float
    band_step: float
    sent_at: time  # local time on the last day


SPECS = {
    "telecom-world-2015": SurveyDemoSpec(
        seed=2015_0901, exhibitor_share=0.6, participant_share=0.25, comment_share=0.35,
        promoters=0.45, detractors=0.17, band_step=0.05, sent_at=time(16, 0),
    ),
    "telecom-world-2013": SurveyDemoSpec(
        seed=2013_0901, exhibitor_share=0.55, participant_share=0.22, comment_share=0.3,
        promoters=0.36, detractors=0.24, band_step=0.05, sent_at=time(15, 30),
    ),
}  # fmt: skip

BAND_RANK = {band: rank for rank, band in enumerate(TurnoverBand)}
# Participants by category: how much happier than the crowd (added to the 1-5 draw's mean).
CATEGORY_LIFT = {"vip": 0.35, "delegation": 0.25, "speaker": 0.3, "media": 0.1}

EXHIBITOR_COMMENTS = {
    "good": (
        "Excellent contacts with government delegations; we will be back.",
        "Well organised, and the leaders' summit brought the right people to our booth.",
        "Very good networking and a strong forum programme.",
        "The matchmaking with ministers' delegations was worth the trip.",
        "Smooth registration and badge pick-up, friendly staff.",
        "Great mix of regulators, operators and start-ups.",
    ),
    "mixed": (
        "Good event, but visitor numbers on the last day were low.",
        "Useful meetings; the hall signage could be clearer.",
        "Worth it, though catering queues were long at lunchtime.",
        "Interesting sessions, some of them overlapped with each other.",
        "Fine overall; Wi-Fi in the halls was unreliable.",
    ),
    "poor": (
        "Too few trade visitors came to our hall for the price of the space.",
        "Our booth was far from the main flow of visitors.",
        "Build-up was rushed and the shell scheme arrived late.",
        "Expected more business contacts; mostly students visited.",
    ),
}
PARTICIPANT_COMMENTS = {
    "good": (
        "Inspiring leaders' summit and very open panel discussions.",
        "I met three potential partners in the exhibition halls.",
        "Smooth badge pick-up and friendly volunteers.",
        "The forum sessions on spectrum policy were excellent.",
        "Good mix of government, industry and start-ups.",
    ),
    "mixed": (
        "Interesting sessions, but several of them overlapped.",
        "The halls were hard to find from the forum rooms.",
        "Good content; the catering queues were long at lunchtime.",
        "Wi-Fi in the forum rooms was unreliable.",
    ),
    "poor": (
        "Too many sessions were full by the time I arrived.",
        "Long queues at the entrance on the first morning.",
        "Fewer exhibitors in my sector than I expected.",
    ),
}


def _sent_at(edition: Edition, spec: SurveyDemoSpec) -> datetime:
    local = datetime.combine(edition.end_date, spec.sent_at, edition.tz)
    return local.astimezone(UTC)


def _answered_at(rng: random.Random, sent: datetime) -> datetime:
    # Most answers come in the first days, a tail over three weeks.
    hours = min(rng.expovariate(1 / 60), 21 * 24)
    return sent + timedelta(hours=hours, minutes=rng.randrange(60))


def _exhibitor_scores(
    rng: random.Random, spec: SurveyDemoSpec, band: TurnoverBand
) -> tuple[int, int, bool, str]:
    """(recommend 0-10, satisfaction 1-5, would exhibit again, sentiment) for one exhibitor."""
    rank = BAND_RANK[band]
    promoter_share = spec.promoters + spec.band_step * rank
    detractor_share = max(0.04, spec.detractors - spec.band_step * rank)
    draw = rng.random()
    if draw < promoter_share:
        recommend = rng.choices((9, 10), (6, 4))[0]
        satisfaction = rng.choices((5, 4), (65, 35))[0]
        again, mood = rng.random() < 0.95, "good"
    elif draw < 1 - detractor_share:
        recommend = rng.choices((7, 8), (45, 55))[0]
        satisfaction = rng.choices((4, 3, 5), (65, 20, 15))[0]
        again, mood = rng.random() < 0.8, "mixed"
    else:
        recommend = rng.choices((2, 3, 4, 5, 6), (1, 2, 3, 4, 5))[0]
        satisfaction = rng.choices((3, 2, 1), (50, 35, 15))[0]
        again, mood = rng.random() < 0.35, "poor"
    return recommend, satisfaction, again, mood


def _participant_scores(rng: random.Random, category: str) -> tuple[int, bool, str]:
    """(satisfaction 1-5, would come again, sentiment) for one attendee."""
    lift = CATEGORY_LIFT.get(category, 0.0)
    satisfaction = max(1, min(5, round(rng.gauss(3.9 + lift, 0.85))))
    again = rng.random() < {5: 0.93, 4: 0.85, 3: 0.55}.get(satisfaction, 0.2)
    mood = "good" if satisfaction >= 4 else "mixed" if satisfaction == 3 else "poor"
    return satisfaction, again, mood


def _comment(
    rng: random.Random, spec: SurveyDemoSpec, comments: dict[str, tuple[str, ...]], mood: str
) -> str:
    if rng.random() >= spec.comment_share:
        return ""
    return rng.choice(comments[mood])


def _contacts(edition: Edition, created: Counter) -> list[tuple[Organisation, int]]:
    """Each exhibiting organisation (by name) with its contact person's id; people added."""
    organisations = list(
        db.session.scalars(
            select(Organisation).where(is_exhibitor(edition)).order_by(Organisation.legal_name)
        )
    )
    member_email: dict[int, str] = {}
    for organisation_id, email in db.session.execute(
        select(OrganisationMember.organisation_id, User.email)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.organisation_id.in_([o.id for o in organisations]))
        .order_by(OrganisationMember.id)
    ):
        member_email.setdefault(organisation_id, email)
    address = {
        o.id: normalise_email(o.contact_email.strip() or member_email.get(o.id, ""))
        for o in organisations
    }
    wanted = sorted({email for email in address.values() if email})

    def known() -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(wanted), BATCH_SIZE):
            found.update(
                db.session.execute(
                    select(Person.email, Person.id).where(
                        Person.email.in_(wanted[start : start + BATCH_SIZE])
                    )
                ).all()
            )
        return found

    people = known()
    by_email = {address[o.id]: o for o in reversed(organisations) if address[o.id]}
    rows = [
        {"email": email, "full_name": by_email[email].contact_name,
         "organisation_name": by_email[email].display_name, "accessibility_needs": "",
         "created_at": by_email[email].created_at, "updated_at": by_email[email].created_at}
        for email in wanted
        if email not in people
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(Person), rows)
        created["people"] += len(rows)
        people = known()
    return [(o, people[address[o.id]]) for o in organisations if address[o.id]]


def _categories(edition: Edition, person_ids: list[int]) -> dict[int, str]:
    """Each person's main live registration category (CATEGORY_PRIORITY)."""
    held: dict[int, set[str]] = {}
    for start in range(0, len(person_ids), BATCH_SIZE):
        for person_id, category in db.session.execute(
            select(Registration.person_id, Registration.category).where(
                Registration.edition_id == edition.id,
                Registration.status != RegistrationStatus.CANCELLED,
                Registration.person_id.in_(person_ids[start : start + BATCH_SIZE]),
            )
        ):
            held.setdefault(person_id, set()).add(str(getattr(category, "value", category)))
    ranked = [category.value for category in CATEGORY_PRIORITY]
    return {
        person_id: next((c for c in ranked if c in categories), "")
        for person_id, categories in held.items()
    }


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        db.session.execute(insert(model), rows[start : start + BATCH_SIZE])


def load_survey_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's survey invitations and answers; return counts."""
    created: Counter = Counter()
    spec = SPECS.get(edition.slug)
    if spec is None or edition.end_date >= utcnow().date():
        return dict.fromkeys(COUNT_KEYS, 0)
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    sent = _sent_at(edition, spec)
    invited = set(
        db.session.execute(
            select(SurveyInvitation.audience, SurveyInvitation.person_id).where(
                SurveyInvitation.edition_id == edition.id
            )
        ).all()
    )
    invited = {(SurveyAudience(audience), person) for audience, person in invited}

    # Who is asked, in a fixed order, with what they will answer (or None).
    plan: list[tuple[SurveyAudience, int, int | None, dict[str, Any] | None]] = []
    for organisation, person_id in _contacts(edition, created):
        if (SurveyAudience.EXHIBITOR, person_id) in invited:
            continue
        invited.add((SurveyAudience.EXHIBITOR, person_id))
        answer = None
        if rng.random() < spec.exhibitor_share:
            recommend, satisfaction, again, mood = _exhibitor_scores(
                rng, spec, organisation.turnover_band
            )
            answer = {"segment": organisation.turnover_band.value, "recommend_score": recommend,
                      "satisfaction": satisfaction, "would_return": again,
                      "comment": _comment(rng, spec, EXHIBITOR_COMMENTS, mood)}  # fmt: skip
        plan.append((SurveyAudience.EXHIBITOR, person_id, organisation.id, answer))

    came = db.session.execute(
        select(Person.id)
        .where(Person.id.in_(attendees(edition)), Person.erased_at.is_(None))
        .order_by(Person.email)
    ).scalars()
    people = [p for p in came if (SurveyAudience.PARTICIPANT, p) not in invited]
    categories = _categories(edition, people)
    for person_id in people:
        answer = None
        if rng.random() < spec.participant_share:
            category = categories.get(person_id, "")
            satisfaction, again, mood = _participant_scores(rng, category)
            answer = {"segment": category, "recommend_score": None, "satisfaction": satisfaction,
                      "would_return": again,
                      "comment": _comment(rng, spec, PARTICIPANT_COMMENTS, mood)}  # fmt: skip
        plan.append((SurveyAudience.PARTICIPANT, person_id, None, answer))

    if not plan:
        db.session.commit()
        return {key: created[key] for key in COUNT_KEYS}
    _insert(
        SurveyInvitation,
        [{"edition_id": edition.id, "audience": audience, "person_id": person_id,
          "organisation_id": organisation_id, "token_version": 1, "sent_at": sent,
          "created_at": sent, "updated_at": sent}
         for audience, person_id, organisation_id, _answer in plan],
    )  # fmt: skip
    created["survey_invitations"] += len(plan)
    ids = {
        (SurveyAudience(audience), person_id): invitation_id
        for invitation_id, audience, person_id in db.session.execute(
            select(
                SurveyInvitation.id, SurveyInvitation.audience, SurveyInvitation.person_id
            ).where(SurveyInvitation.edition_id == edition.id)
        )
    }
    responses = []
    for audience, person_id, _organisation_id, answer in plan:
        if answer is None:
            continue
        answered = _answered_at(rng, sent)
        responses.append(
            {"invitation_id": ids[(audience, person_id)], "edition_id": edition.id,
             "audience": audience, "created_at": answered, "updated_at": answered, **answer}
        )  # fmt: skip
    _insert(SurveyResponse, responses)
    created["survey_responses"] += len(responses)
    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}


def load_survey_demos() -> dict[str, int]:
    """Every demo edition that exists; counts of records created, summed."""
    created: Counter = Counter()
    for slug in SPECS:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is not None:
            created.update(load_survey_demo(edition))
    return {key: created[key] for key in COUNT_KEYS}
