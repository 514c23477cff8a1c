"""The organizer's survey pages: the engine's figures, anonymous comments, and who may see them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.kpi.engine import survey_satisfaction
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.surveys.services import answering, results, sending
from tests.concurrency import run_at_once
from tests.helpers import csrf_token_from, html, log_in, make_organizer, make_user
from tests.surveys.support import DAY2, V, World, build_world, count, invitation_of

EXHIBITOR, PARTICIPANT = SurveyAudience.EXHIBITOR, SurveyAudience.PARTICIPANT


def answer(world: World, audience: SurveyAudience, email: str, **values: object) -> None:
    answering.answer(
        invitation_of(world.edition, audience, email), answering.SurveyAnswer(**values)
    )


@pytest.fixture
def answered(app: Flask) -> World:
    """Three exhibitors and three participants answered, each with a comment."""
    world = build_world()
    organizer = make_organizer()
    sending.send_survey(world.edition, EXHIBITOR, actor=organizer)
    sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    answer(
        world,
        EXHIBITOR,
        "alpha.contact@exhibitors.example.org",
        recommend_score=10,
        satisfaction=5,
        would_return=True,
        comment="Alpha loved the leads",
    )
    answer(
        world,
        EXHIBITOR,
        "giant@exhibitors.example.org",
        recommend_score=6,
        satisfaction=3,
        would_return=False,
        comment="Giant found the hall too warm",
    )
    answer(
        world,
        EXHIBITOR,
        "coex-member@exhibitors.example.org",
        recommend_score=8,
        satisfaction=4,
        would_return=True,
        comment="Coex: good pavilion",
    )
    answer(
        world,
        PARTICIPANT,
        "vera@people.example.org",
        satisfaction=4,
        would_return=True,
        comment="Vera: great talks",
    )
    answer(world, PARTICIPANT, "sam@people.example.org", satisfaction=2, would_return=False)
    answer(world, PARTICIPANT, "mina@people.example.org", satisfaction=5, would_return=True,
           comment="Mina: perfect protocol")  # fmt: skip
    return world


@pytest.fixture
def organizer_client(client: FlaskClient, answered: World) -> FlaskClient:
    log_in(client, "organizer@example.org")
    return client


def cell(page: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}">([^<]*)<', page)
    assert match, f"no #{element_id} on the page"
    return match.group(1).strip()


def test_the_page_shows_the_engines_figures(answered: World, organizer_client: FlaskClient) -> None:
    page = html(organizer_client.get(f"/organizer/editions/{answered.edition.slug}/surveys/"))

    overall, by_band = survey_satisfaction(answered.edition, EXHIBITOR)
    assert (overall.responses, overall.mean_score, overall.nps) == (3, 4, 0)  # 1 promoter, 1 detr.
    assert cell(page, "exhibitor-invited") == "3"
    assert cell(page, "exhibitor-answered") == "3"
    assert cell(page, "exhibitor-rate") == "100.0 %"
    assert cell(page, "exhibitor-responses") == str(overall.responses)
    assert cell(page, "exhibitor-mean") == f"{overall.mean_score:.2f}"
    assert cell(page, "exhibitor-nps") == "+0.0"
    assert cell(page, "exhibitor-would-return") == str(overall.would_return)
    giant_row = page.split('id="exhibitor-segment-over_10b"')[1].split("</tr>")[0]
    assert "Over USD 10 B" in giant_row
    assert f"{by_band['over_10b'].mean_score:.2f}" in giant_row and "-100.0" in giant_row

    people, by_category = survey_satisfaction(answered.edition, PARTICIPANT)
    assert cell(page, "participant-invited") == "4"
    assert cell(page, "participant-answered") == "3"
    assert cell(page, "participant-rate") == "75.0 %"
    assert cell(page, "participant-mean") == f"{people.mean_score:.2f}"  # (4 + 2 + 5) / 3
    assert set(by_category) == {"visitor", "speaker", "vip"}
    speaker_row = page.split('id="participant-segment-speaker"')[1].split("</tr>")[0]
    assert "Speaker" in speaker_row and "2.00" in speaker_row
    assert 'id="participant-nps"' not in page  # no recommendation question for participants


def test_no_page_names_a_respondent(answered: World, organizer_client: FlaskClient) -> None:
    base = f"/organizer/editions/{answered.edition.slug}/surveys"
    overview = html(organizer_client.get(f"{base}/"))
    exhibitor_comments = html(organizer_client.get(f"{base}/comments?audience=exhibitor"))
    participant_comments = html(organizer_client.get(f"{base}/comments?audience=participant"))

    assert "Giant found the hall too warm" in exhibitor_comments
    assert "Mina: perfect protocol" in participant_comments
    for page in (overview, exhibitor_comments, participant_comments):
        for name in ("Giant Contact", "giant@", "Cora Member", "coex-member@", "Vera",
                     "vera@people", "Mina ", "mina@people", "Alpha Contact", "Sam"):  # fmt: skip
            assert name not in page.replace("Vera: great talks", "").replace(
                "Mina: perfect protocol", ""
            ), name
    # Newest first; Sam left no comment, so the list has two participant comments.
    assert participant_comments.index("Mina: perfect") < participant_comments.index("Vera: great")
    assert "2 comments" in participant_comments


def test_comments_are_paginated(answered: World, organizer_client: FlaskClient) -> None:
    organizer = make_organizer("second@example.org")
    for n in range(26):
        answered.person(f"late{n}")
        answered.register(f"late{n}", V)
        answered.check_in(f"late{n}", V, DAY2)
    db.session.commit()
    sending.send_survey(answered.edition, PARTICIPANT, actor=organizer)
    for n in range(26):
        answer(answered, PARTICIPANT, f"late{n}@people.example.org", satisfaction=3,
               would_return=True, comment=f"Comment number {n}")  # fmt: skip
    base = f"/organizer/editions/{answered.edition.slug}/surveys/comments?audience=participant"

    first = html(organizer_client.get(base))
    second = html(organizer_client.get(f"{base}&page=2"))

    assert "28 comments" in first and "Page 1 of 2" in first
    assert "Comment number 25" in first and "Comment number 0" not in first
    assert "Comment number 0" in second and "Vera: great talks" in second


def test_invitations_are_searched_by_address(
    answered: World, organizer_client: FlaskClient
) -> None:
    base = f"/organizer/editions/{answered.edition.slug}/surveys/invitations"

    exhibitors = html(organizer_client.get(base))
    found = html(organizer_client.get(f"{base}?audience=participant&email=%40people.example.org"))
    none = html(organizer_client.get(f"{base}?audience=participant&email=nobody%25"))

    assert "3 invitations" in exhibitors and "giant@exhibitors.example.org" in exhibitors
    assert "Giant" in exhibitors  # the organisation, to know whom a link is for
    assert "4 invitations" in found
    assert "0 invitations" in none and "No invitation matches." in none
    # Whether someone answered is not on the list (Vera did, Fiona did not).
    vera = found.split("vera@people.example.org")[1].split("</tr>")[0]
    fiona = found.split("fiona@people.example.org")[1].split("</tr>")[0]
    assert re.sub(r"\d+", "", vera).replace("Vera", "") == re.sub(r"\d+", "", fiona).replace(
        "Fiona", ""
    )


# --- Access ---------------------------------------------------------------------------------


def organizer_paths(world: World) -> list[tuple[str, str]]:
    invitation = invitation_of(world.edition, EXHIBITOR, "giant@exhibitors.example.org")
    base = f"/organizer/editions/{world.edition.slug}/surveys"
    return [
        ("GET", f"{base}/"),
        ("GET", f"{base}/comments?audience=exhibitor"),
        ("GET", f"{base}/invitations"),
        ("POST", f"{base}/send"),
        ("POST", f"{base}/invitations/{invitation.id}/resend"),
    ]


def form_data(client: FlaskClient) -> dict[str, str]:
    """A valid form token of this client's session (from the home page) and an audience."""
    return {"csrf_token": csrf_token_from(html(client.get("/"))), "audience": "participant"}


def test_anonymous_visitors_are_sent_to_log_in(answered: World, client: FlaskClient) -> None:
    data = form_data(client)
    for method, path in organizer_paths(answered):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/account/login", path


def test_other_roles_are_refused(answered: World, client: FlaskClient) -> None:
    make_user("someone@example.org")
    log_in(client, "someone@example.org")
    versions = {i.id: i.token_version for i in db.session.scalars(select(SurveyInvitation))}
    data = form_data(client)

    for method, path in organizer_paths(answered):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 403, path
        assert "Giant found the hall" not in html(response)

    db.session.expire_all()
    assert {i.id: i.token_version for i in db.session.scalars(select(SurveyInvitation))} == versions


def test_the_services_refuse_a_non_organizer(answered: World) -> None:
    participant = make_user("someone@example.org")
    invitation = invitation_of(answered.edition, EXHIBITOR, "giant@exhibitors.example.org")

    for attempt in (
        lambda: results.audience_results(answered.edition, EXHIBITOR, actor=participant),
        lambda: results.comments_query(answered.edition, EXHIBITOR, actor=participant),
        lambda: results.invitations_query(answered.edition, EXHIBITOR, actor=participant),
        lambda: sending.resend_invitation(answered.edition, invitation.id, actor=participant),
    ):
        with pytest.raises(Forbidden):
            attempt()
        db.session.rollback()


# --- At the same moment (PostgreSQL) --------------------------------------------------------


def test_two_answers_at_once_make_one(app: Flask, racing_app: Flask) -> None:
    world = build_world()
    sending.send_survey(world.edition, EXHIBITOR, actor=make_organizer())
    invitation_id = invitation_of(world.edition, EXHIBITOR, "giant@exhibitors.example.org").id

    def submit(score: int):  # type: ignore[no-untyped-def]
        def call() -> object:
            invitation = db.session.get(SurveyInvitation, invitation_id)
            assert invitation is not None
            return answering.answer(
                invitation,
                answering.SurveyAnswer(recommend_score=score, satisfaction=4, would_return=True),
            )

        return call

    results_, errors = run_at_once(racing_app, [submit(n) for n in range(6)])

    assert len(results_) == 1
    assert len(errors) == 5 and all(isinstance(e, answering.AlreadyAnswered) for e in errors)
    db.session.expire_all()
    assert count(SurveyResponse) == 1


def test_two_sends_at_once_invite_each_person_once(app: Flask, racing_app: Flask) -> None:
    world = build_world()
    organizer_id = make_organizer().id
    edition_id = world.edition.id

    def send():  # type: ignore[no-untyped-def]
        from telecom.auth.models import User
        from telecom.events.models import Edition

        return sending.send_survey(
            db.session.get(Edition, edition_id),  # type: ignore[arg-type]
            PARTICIPANT,
            actor=db.session.get(User, organizer_id),
        )

    reports, errors = run_at_once(racing_app, [send, send, send])

    assert errors == []
    assert sorted(r.sent for r in reports) == [0, 0, 4]  # type: ignore[attr-defined]
    db.session.expire_all()
    assert count(SurveyInvitation) == 4
