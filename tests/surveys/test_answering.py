"""Answering through the personal link: once, checked, anonymous, and private."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.exhibitors.models import TurnoverBand
from telecom.extensions import db
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services import AlreadyAnswered, SurveyError, answering, sending
from telecom.surveys.services.tokens import survey_token
from tests.helpers import csrf_token_from, html, make_organizer
from tests.surveys.support import World, build_world, count, invitation_of

EXHIBITOR, PARTICIPANT = SurveyAudience.EXHIBITOR, SurveyAudience.PARTICIPANT
GIANT = "giant@exhibitors.example.org"
GOOD_EXHIBITOR_ANSWER = {
    "recommend_score": "9",
    "satisfaction": "4",
    "would_return": "yes",
    "comment": "Well organised; the hall was too warm.",
}


@pytest.fixture
def world(app: Flask) -> World:
    world = build_world()
    organizer = make_organizer()
    sending.send_survey(world.edition, EXHIBITOR, actor=organizer)
    sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    return world


def link(invitation: SurveyInvitation) -> str:
    return f"/surveys/{survey_token(invitation)}"


def post_answer(client: FlaskClient, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token_from(html(page)), **data})


def test_an_exhibitor_answers_once_and_is_thanked(world: World, client: FlaskClient) -> None:
    invitation = invitation_of(world.edition, EXHIBITOR, GIANT)
    url = link(invitation)

    response = post_answer(client, url, GOOD_EXHIBITOR_ANSWER)

    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    thanks = client.get(url)
    assert "Thank you for your answers." in html(thanks)
    assert 'id="survey-form"' not in html(thanks)
    (saved,) = db.session.scalars(select(SurveyResponse)).all()
    assert (saved.recommend_score, saved.satisfaction, saved.would_return) == (9, 4, True)
    assert saved.comment == "Well organised; the hall was too warm."
    assert (saved.audience, saved.segment) == (EXHIBITOR, "over_10b")
    assert saved.edition_id == world.edition.id and saved.invitation_id == invitation.id


def test_a_second_answer_is_refused_and_changes_nothing(world: World, client: FlaskClient) -> None:
    url = link(invitation_of(world.edition, EXHIBITOR, GIANT))
    page = client.get(url)
    token = csrf_token_from(html(page))
    client.post(url, data={"csrf_token": token, **GOOD_EXHIBITOR_ANSWER})

    # The same form sent again (a second tab, the back button).
    again = client.post(
        url,
        data={"csrf_token": token, "recommend_score": "0", "satisfaction": "1",
              "would_return": "no", "comment": "Changed my mind"},
    )  # fmt: skip

    assert again.status_code == 200
    assert "You have already answered this survey, thank you." in html(again)
    (saved,) = db.session.scalars(select(SurveyResponse)).all()
    db.session.refresh(saved)
    assert (saved.recommend_score, saved.satisfaction, saved.comment) == (
        9, 4, "Well organised; the hall was too warm.",
    )  # fmt: skip
    with pytest.raises(AlreadyAnswered):
        answering.answer(
            invitation_of(world.edition, EXHIBITOR, GIANT),
            answering.SurveyAnswer(satisfaction=5, would_return=True, recommend_score=10),
        )
    assert count(SurveyResponse) == 1


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"recommend_score": "11", "satisfaction": "0", "would_return": "maybe"},
            ["Choose how likely you are to recommend the event, from 0",
             "Choose your overall satisfaction, from 1", "Say whether you would exhibit again."],
        ),
        (
            {},
            ["Choose how likely you are to recommend the event, from 0",
             "Choose your overall satisfaction, from 1", "Say whether you would exhibit again."],
        ),
        (
            {"recommend_score": "-1", "satisfaction": "4.5", "would_return": "yes"},
            ["Choose how likely you are to recommend the event, from 0",
             "Choose your overall satisfaction, from 1"],
        ),
        (
            {**GOOD_EXHIBITOR_ANSWER, "comment": "x" * 2001},
            ["Please shorten the comment to 2000 characters at most (it has 2001)."],
        ),
    ],
    ids=["out-of-range", "missing", "negative-and-fraction", "comment-too-long"],
)  # fmt: skip
def test_bad_answers_are_explained_and_nothing_is_saved(
    world: World, client: FlaskClient, data: dict[str, str], messages: list[str]
) -> None:
    url = link(invitation_of(world.edition, EXHIBITOR, GIANT))

    response = post_answer(client, url, data)

    assert response.status_code == 200
    page = html(response)
    for message in messages:
        assert message in page
    assert 'id="survey-form"' in page
    assert count(SurveyResponse) == 0
    assert count(AuditEntry, AuditEntry.action == "answer_survey") == 0


def test_a_refused_form_keeps_what_was_chosen(world: World, client: FlaskClient) -> None:
    url = link(invitation_of(world.edition, EXHIBITOR, GIANT))

    response = post_answer(
        client, url, {"recommend_score": "7", "would_return": "no", "comment": "Keep me"}
    )

    page = html(response)
    checked = re.findall(r'<input checked[^>]*name="([a-z_]+)"[^>]*value="([^"]+)"', page)
    assert sorted(checked) == [("recommend_score", "7"), ("would_return", "no")]
    assert "Keep me" in page
    assert "Choose your overall satisfaction" in page


def test_a_participant_answers_in_their_main_category(world: World, client: FlaskClient) -> None:
    # Sam holds a visitor and a speaker registration: speaker ranks first.
    for email, satisfaction in (("sam@people.example.org", "5"), ("vera@people.example.org", "3")):
        url = link(invitation_of(world.edition, PARTICIPANT, email))
        page = html(client.get(url))
        assert "Would you come again?" in page and "recommend" not in page
        response = post_answer(client, url, {"satisfaction": satisfaction, "would_return": "no"})
        assert response.status_code == 302

    saved = {r.segment: r for r in db.session.scalars(select(SurveyResponse))}
    assert set(saved) == {"speaker", "visitor"}
    assert saved["speaker"].satisfaction == 5 and saved["speaker"].recommend_score is None
    assert saved["visitor"].would_return is False and saved["visitor"].comment == ""


def test_a_participant_is_not_asked_to_recommend(world: World) -> None:
    invitation = invitation_of(world.edition, PARTICIPANT, "mina@people.example.org")

    response = answering.answer(
        invitation, answering.SurveyAnswer(satisfaction=4, would_return=True, recommend_score=10)
    )

    assert response.recommend_score is None and response.segment == "vip"


def test_the_service_names_every_refused_field(world: World) -> None:
    invitation = invitation_of(world.edition, EXHIBITOR, GIANT)

    with pytest.raises(SurveyError) as refused:
        answering.answer(
            invitation,
            answering.SurveyAnswer(satisfaction=True, would_return=None, recommend_score=10.0),
        )

    assert set(refused.value.errors) == {"recommend_score", "satisfaction", "would_return"}
    assert count(SurveyResponse) == 0


def test_the_answer_keeps_the_band_the_organisation_had(world: World) -> None:
    invitation = invitation_of(world.edition, EXHIBITOR, "coex-member@exhibitors.example.org")
    answering.answer(
        invitation, answering.SurveyAnswer(satisfaction=3, would_return=False, recommend_score=6)
    )

    world.organisations["coex"].turnover_band = TurnoverBand.OVER_10B
    db.session.commit()

    (saved,) = db.session.scalars(select(SurveyResponse)).all()
    assert saved.segment == "10m_100m"


def test_the_audit_says_that_it_was_answered_and_nothing_of_the_answer(
    world: World, client: FlaskClient
) -> None:
    invitation = invitation_of(world.edition, EXHIBITOR, GIANT)
    post_answer(client, link(invitation), GOOD_EXHIBITOR_ANSWER)

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer_survey"))

    assert entry is not None
    assert (entry.object_type, entry.object_id) == ("survey_invitations", str(invitation.id))
    assert entry.actor_id is None and entry.edition_id == world.edition.id
    assert entry.after == {"answered": True}
    assert "hall was too warm" not in str(entry.before) + str(entry.after)


def test_the_page_keeps_its_address_private(world: World, client: FlaskClient) -> None:
    url = link(invitation_of(world.edition, EXHIBITOR, GIANT))

    for response in (client.get(url), client.get(url[:-3] + "xyz")):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response.headers["Cache-Control"]


def test_a_tampered_or_replaced_link_gets_a_plain_404(world: World, client: FlaskClient) -> None:
    invitation = invitation_of(world.edition, EXHIBITOR, GIANT)
    good = link(invitation)
    _payload, signature = survey_token(invitation).split(".")
    other = invitation_of(world.edition, PARTICIPANT, "vera@people.example.org")
    forged = f"/surveys/{survey_token(other).split('.')[0]}.{signature}"
    old = good
    renewed = sending.resend_invitation(
        world.edition, invitation.id, actor=make_organizer("o2@example.org")
    )
    token = csrf_token_from(html(client.get(link(renewed))))

    pages = {
        "cut": client.get(good[:-4]),
        "forged": client.get(forged),
        "nonsense": client.get("/surveys/not-a-token"),
        "replaced": client.get(old),
        "posted to a replaced link": client.post(
            old, data={"csrf_token": token, **GOOD_EXHIBITOR_ANSWER}
        ),
    }

    texts = set()
    for name, response in pages.items():
        assert response.status_code == 404, name
        texts.add(html(response).split('id="refusal">')[1].split("<")[0])
        assert "Giant" not in html(response) and GIANT not in html(response)
    # One message for every case: nothing tells a stranger what the link was.
    assert len(texts) == 1
    assert "This survey link does not work" in texts.pop()
    assert count(SurveyResponse) == 0
