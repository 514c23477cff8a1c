"""Organizers choosing different winners at the same moment (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from telecom.auth.models import User
from telecom.events import services
from telecom.events.models import CandidateStatus, CandidateVenue
from telecom.extensions import db
from tests.concurrency import Job, race
from tests.helpers import make_edition, make_organizer

CITIES = ["Budapest", "Mexico City", "Rome", "Hong Kong", "Dubai", "Geneva", "Busan", "Bangkok"]


def choose_job(organizer_id: int, slug: str, candidate_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        actor = db.session.get(User, organizer_id)
        candidate = services.get_candidate(services.get_edition(slug), candidate_id)
        return lambda: services.choose_candidate(candidate, actor=actor)

    return prepare


def test_simultaneous_choices_leave_exactly_one_winner(app: Flask, racing_app: Flask) -> None:
    organizer = make_organizer()
    edition = make_edition()
    candidate_ids = [
        services.add_candidate(
            edition, services.CandidateData(city=city, country="HU"), actor=None
        ).id
        for city in CITIES
    ]

    outcomes = race(
        racing_app, [choose_job(organizer.id, edition.slug, cid) for cid in candidate_ids]
    )

    assert [o.error for o in outcomes if o.error] == []
    db.session.expire_all()
    statuses = db.session.scalars(
        select(CandidateVenue.status).where(CandidateVenue.edition_id == edition.id)
    ).all()
    assert statuses.count(CandidateStatus.CHOSEN) == 1
    assert statuses.count(CandidateStatus.NOT_SELECTED) == len(CITIES) - 1
