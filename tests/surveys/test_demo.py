"""The survey demo: plausible answers for the past demo editions, added once, without mail."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.outbox import OutboxMessage
from telecom.demo import load_demo_data
from telecom.events.services import get_edition
from telecom.extensions import db
from telecom.kpi.engine import Satisfaction, compute_kpis
from telecom.surveys.demo import load_survey_demo
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services.tokens import survey_token
from tests.helpers import html, make_edition
from tests.surveys.support import count


def pooled_mean(figures: list[Satisfaction]) -> Decimal:
    answers = sum(f.responses for f in figures)
    total = sum((f.mean_score or 0) * f.responses for f in figures)
    return Decimal(total) / answers


def test_the_demo_surveys_give_plausible_figures(app: Flask, client: FlaskClient) -> None:
    load_demo_data()  # loads the survey demo of both editions, among the rest
    edition = get_edition("telecom-world-2015")
    created = {
        "survey_invitations": count(SurveyInvitation, SurveyInvitation.edition_id == edition.id),
        "survey_responses": count(SurveyResponse, SurveyResponse.edition_id == edition.id),
    }

    kpis = compute_kpis(edition).kpis
    exhibitors, participants = kpis.exhibitors, kpis.participant_satisfaction
    # Everyone the KPIs count as exhibitor or attendee was asked, once.
    assert created["survey_invitations"] == exhibitors.total + kpis.total_participants.attended
    assert created["survey_responses"] == exhibitors.satisfaction.responses + participants.responses
    assert 0.5 <= exhibitors.satisfaction.responses / exhibitors.total <= 0.7
    assert Decimal("3.8") <= exhibitors.satisfaction.mean_score <= Decimal("4.2")  # type: ignore[operator]
    assert Decimal(20) <= exhibitors.satisfaction.nps <= Decimal(40)  # type: ignore[operator]
    # Larger companies a bit happier than the smallest band.
    bands = exhibitors.satisfaction.by_turnover_band
    large = pooled_mean([bands["100m_1b"], bands["1b_10b"], bands["over_10b"]])
    assert large > bands["under_10m"].mean_score  # type: ignore[operator]
    assert all(band.responses for band in bands.values())
    assert 0.2 <= participants.responses / kpis.total_participants.attended <= 0.3
    assert Decimal("3.6") <= participants.mean_score <= Decimal("4.3")  # type: ignore[operator]
    assert participants.nps is None  # participants are not asked to recommend
    assert participants.by_category["visitor"].responses > participants.by_category["vip"].responses
    # Some answers have comments; no mail was queued for the demo's old surveys.
    assert count(SurveyResponse, SurveyResponse.comment != "") > 0
    assert count(OutboxMessage, OutboxMessage.body_text.contains("/surveys/")) == 0

    # The demo links work like real ones: an answered invitation says so.
    answered = db.session.scalar(
        select(SurveyInvitation)
        .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.audience == SurveyAudience.EXHIBITOR)
        .limit(1)
    )
    assert answered is not None
    assert "You have answered this survey" in html(client.get(f"/surveys/{survey_token(answered)}"))

    # Loading again adds nothing; 2013 has its own, smaller set.
    assert set(load_survey_demo(edition).values()) == {0}
    earlier = get_edition("telecom-world-2013")
    earlier_responses = count(SurveyResponse, SurveyResponse.edition_id == earlier.id)
    assert 0 < earlier_responses < created["survey_responses"]
    assert (
        compute_kpis(get_edition("telecom-world-2013")).not_collected.count(
            "exhibitor_satisfaction"
        )
        == 0
    )


def test_other_editions_get_no_demo_surveys(app: Flask) -> None:
    edition = make_edition("telecom-world-2031")

    assert set(load_survey_demo(edition).values()) == {0}
    assert count(SurveyInvitation) == 0
