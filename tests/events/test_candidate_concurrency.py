"""Organizers choosing different winners at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from telecom.events import services
from telecom.events.models import CandidateStatus, CandidateVenue
from telecom.extensions import db
from tests.helpers import make_edition, make_organizer

CITIES = ["Budapest", "Mexico City", "Rome", "Hong Kong", "Dubai", "Geneva", "Busan", "Bangkok"]


def test_simultaneous_choices_leave_exactly_one_winner(app: Flask, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set TEST_DATABASE_URL)")
    organizer = make_organizer()
    edition = make_edition()
    candidate_ids = [
        services.add_candidate(
            edition, services.CandidateData(city=city, country="HU"), actor=None
        ).id
        for city in CITIES
    ]
    organizer_id, edition_slug = organizer.id, edition.slug
    barrier = threading.Barrier(len(candidate_ids))
    errors: list[BaseException] = []

    def choose(candidate_id: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(type(organizer), organizer_id)
                own_edition = services.get_edition(edition_slug)
                candidate = services.get_candidate(own_edition, candidate_id)
                barrier.wait(timeout=10)
                services.choose_candidate(candidate, actor=actor)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=choose, args=(cid,)) for cid in candidate_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    db.session.expire_all()
    statuses = db.session.scalars(
        select(CandidateVenue.status).where(CandidateVenue.edition_id == edition.id)
    ).all()
    assert statuses.count(CandidateStatus.CHOSEN) == 1
    assert statuses.count(CandidateStatus.NOT_SELECTED) == len(CITIES) - 1
