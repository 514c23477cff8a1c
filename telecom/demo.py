"""Demo data: the 2013 and 2015 editions, the 2015 host bids, demo accounts,
and each edition's exhibition (telecom/exhibitors/demo.py), payments,
participants, media accreditations, VIPs (telecom/protocol/demo.py), the forum
(telecom/forum/demo.py), the satisfaction surveys (telecom/surveys/demo.py), cost lines
and sponsorship deals (telecom/kpi/costs_demo.py); the web traffic of both campaigns
(telecom/traffic/demo.py) and the strategic plan (telecom/plan/data.py).

Idempotent: every record is looked up by its natural key first, so running
`flask --app wsgi demo` again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.events import services as event_services
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.exhibitors.demo import load_exhibitions
from telecom.extensions import db
from telecom.forum.demo import load_forum_demo
from telecom.kpi.costs_demo import load_costs_demo
from telecom.media.demo import load_media_demo
from telecom.participants.demo import load_participants_demo
from telecom.payments.demo import load_payments_demo
from telecom.plan.services import load_plan
from telecom.protocol.demo import load_protocol_demo
from telecom.surveys.demo import load_survey_demo
from telecom.traffic.demo import load_traffic_demo

EDITIONS = [
    event_services.EditionData(
        slug="telecom-world-2013",
        name="ITU TELECOM World 2013",
        city="Bangkok",
        country="TH",
        venue="IMPACT Exhibition Centre",
        start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22),
        timezone="Asia/Bangkok",
        currency="CHF",
        campaign_start=date(2013, 5, 1),
        campaign_end=date(2013, 11, 30),
    ),
    event_services.EditionData(
        slug="telecom-world-2015",
        name="ITU TELECOM World 2015",
        city="Budapest",
        country="HU",
        venue="HUNGEXPO",
        start_date=date(2015, 10, 12),
        end_date=date(2015, 10, 15),
        timezone="Europe/Budapest",
        currency="CHF",
        campaign_start=date(2015, 4, 1),
        campaign_end=date(2015, 10, 31),
    ),
]

# The four bids for the 2015 edition. Cities other than Budapest and the
# scores are illustrative demo values, not ITU's evaluation.
CANDIDATES_2015 = [
    event_services.CandidateData(
        city="Budapest", country="HU", venue="HUNGEXPO", score=Decimal("86.50"),
        notes="Host-country agreement with the Government of Hungary.",
        status=CandidateStatus.CHOSEN,
    ),
    event_services.CandidateData(
        city="Mexico City", country="MX", venue="", score=Decimal("74.00"),
        status=CandidateStatus.NOT_SELECTED,
    ),
    event_services.CandidateData(
        city="Rome", country="IT", venue="", score=Decimal("71.25"),
        status=CandidateStatus.NOT_SELECTED,
    ),
    event_services.CandidateData(
        city="Hong Kong", country="HK", venue="", score=Decimal("78.00"),
        status=CandidateStatus.NOT_SELECTED,
    ),
]  # fmt: skip


@dataclass
class DemoAccount:
    email: str
    full_name: str
    roles: set[Role]


def _demo_accounts() -> list[DemoAccount]:
    return [
        DemoAccount(
            current_app.config["DEMO_ORGANIZER_EMAIL"], "Demo Organizer", {Role.ORGANIZER}
        ),
        DemoAccount("checkin@telecom-world.example", "Demo Check-in Staff", {Role.CHECKIN_STAFF}),
        DemoAccount("media-review@telecom-world.example", "Demo Media Reviewer",
                    {Role.MEDIA_REVIEWER}),
        DemoAccount("exhibitor@telecom-world.example", "Demo Exhibitor Contact",
                    {Role.EXHIBITOR_CONTACT}),
        DemoAccount("visitor@telecom-world.example", "Demo Participant", {Role.PARTICIPANT}),
        DemoAccount("protocol@telecom-world.example", "Demo Protocol Officer", {Role.PROTOCOL}),
    ]  # fmt: skip


def load_demo_data() -> dict[str, int]:
    """Create what is missing; return how many records of each kind were created."""
    created = {"users": 0, "editions": 0, "candidate_venues": 0}
    password = current_app.config["DEMO_ORGANIZER_PASSWORD"]
    for account in _demo_accounts():
        if auth_services.get_user_by_email(account.email) is None:
            auth_services.create_user(
                email=account.email, full_name=account.full_name, password=password,
                roles=account.roles, confirmed=True, actor=None,
            )  # fmt: skip
            commit()
            created["users"] += 1

    for data in EDITIONS:
        if db.session.scalar(select(Edition).where(Edition.slug == data.slug)) is None:
            event_services.create_edition(event_services.EditionData(**vars(data)), actor=None)
            created["editions"] += 1

    edition_2015 = event_services.get_edition("telecom-world-2015")
    existing = {
        (c.city, c.country)
        for c in db.session.scalars(
            select(CandidateVenue).where(CandidateVenue.edition_id == edition_2015.id)
        )
    }
    for candidate in CANDIDATES_2015:
        if (candidate.city, candidate.country) not in existing:
            event_services.add_candidate(
                edition_2015, event_services.CandidateData(**vars(candidate)), actor=None
            )
            created["candidate_venues"] += 1

    created.update(load_exhibitions())
    for edition in db.session.scalars(select(Edition).order_by(Edition.start_date)):
        for kind, count in load_payments_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_costs_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_participants_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_media_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_protocol_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_forum_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
        for kind, count in load_survey_demo(edition).items():
            created[kind] = created.get(kind, 0) + count
    created.update(load_traffic_demo())
    created.update(load_plan())
    return created


def demo_organizer() -> User | None:
    return auth_services.get_user_by_email(current_app.config["DEMO_ORGANIZER_EMAIL"])
