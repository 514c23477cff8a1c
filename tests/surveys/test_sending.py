"""Sending the surveys: who is asked, once, from the edition's last day, by mail with a link."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core import outbox
from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, Forbidden
from telecom.core.models import utcnow
from telecom.core.outbox import OutboxMessage, OutboxStatus
from telecom.extensions import db
from telecom.kpi.engine import compute_kpis
from telecom.participants.models import Person
from telecom.surveys.models import SurveyAudience, SurveyInvitation
from telecom.surveys.services import sending
from tests.helpers import (
    MailSink,
    html,
    log_in,
    make_edition,
    make_organizer,
    make_user,
    submit_form,
)
from tests.surveys.support import (
    DAY2,
    V,
    World,
    build_world,
    count,
    invitation_of,
    invited_emails,
)

EXHIBITOR, PARTICIPANT = SurveyAudience.EXHIBITOR, SurveyAudience.PARTICIPANT
LINK = re.compile(r"http://localhost(/surveys/[A-Za-z0-9_.\-]+)")


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(message.get_content())
    assert match, "the mail has no survey link"
    return match.group(1)


def test_the_exhibitor_survey_goes_to_each_exhibiting_organisation_once(
    app: Flask, client: FlaskClient, mail: MailSink
) -> None:
    world = build_world()
    organizer = make_organizer()

    report = sending.send_survey(world.edition, EXHIBITOR, actor=organizer)

    # Alpha, Giant and Coex (through its member account); Twin shares Alpha's contact,
    # Silent has no address; Holder (held booking) and Refused are not exhibitors.
    assert (report.sent, report.already_invited) == (3, 0)
    assert (report.unreachable, report.shared_contact) == (1, 1)
    assert invited_emails(world.edition, EXHIBITOR) == {
        "alpha.contact@exhibitors.example.org",
        "giant@exhibitors.example.org",
        "coex-member@exhibitors.example.org",
    }
    giant = invitation_of(world.edition, EXHIBITOR, "giant@exhibitors.example.org")
    assert giant.organisation_id == world.organisations["giant"].id
    # A contact with no person record yet becomes one, named after the organisation's contact.
    person = db.session.scalar(select(Person).where(Person.email == "giant@exhibitors.example.org"))
    assert person is not None and person.full_name == "Giant Contact"

    # The mails wait in the outbox for its delivery, then arrive with a working link.
    assert mail.messages == []
    sent, failed = outbox.deliver()
    assert (sent, failed) == (3, 0)
    mail.wait_for(3)
    (message,) = mail.to("giant@exhibitors.example.org")
    assert "survey" in message["Subject"].lower()
    text = message.get_content()
    assert "Dear Giant Contact," in text and "Giant" in text
    page = client.get(link_in(message))
    assert page.status_code == 200
    assert "How likely are you to recommend" in html(page)


def test_the_participant_survey_goes_to_everyone_who_came(
    app: Flask, client: FlaskClient, mail: MailSink
) -> None:
    world = build_world()
    organizer = make_organizer()

    report = sending.send_survey(world.edition, PARTICIPANT, actor=organizer)

    # Fred never came, Axel's registration was cancelled; Fiona came only to a session.
    assert invited_emails(world.edition, PARTICIPANT) == {
        f"{key}@people.example.org" for key in ("vera", "sam", "mina", "fiona")
    }
    assert (report.sent, report.already_invited, report.unreachable) == (4, 0, 0)
    # The people the "total participants attended" KPI counts.
    assert report.sent == compute_kpis(world.edition).kpis.total_participants.attended
    assert count(SurveyInvitation, SurveyInvitation.audience == EXHIBITOR) == 0

    outbox.deliver()
    mail.wait_for(4)
    (message,) = mail.to("sam@people.example.org")
    assert message.get_content().startswith("Dear Sam,")
    page = client.get(link_in(message))
    assert page.status_code == 200
    assert "Overall, how satisfied are you" in html(page)
    assert "recommend" not in html(page)  # the NPS question is for exhibitors
    # Each mail is written in its recipient's language.
    (russian,) = mail.to("mina@people.example.org")
    assert russian.get_content().startswith("Уважаемый(ая) Mina!")


def test_sending_again_invites_only_those_not_invited_yet(app: Flask, mail: MailSink) -> None:
    world = build_world()
    organizer = make_organizer()
    sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    first_links = {i.id: i.token_version for i in db.session.scalars(select(SurveyInvitation))}

    # A late upload of scans: Fred's check-in arrives after the first send.
    world.check_in("fred", V, DAY2)
    db.session.commit()
    report = sending.send_survey(world.edition, PARTICIPANT, actor=organizer)

    assert (report.sent, report.already_invited) == (1, 4)
    assert "fred@people.example.org" in invited_emails(world.edition, PARTICIPANT)
    # Nobody invited before got a second invitation, mail or link.
    assert {
        i.id: i.token_version
        for i in db.session.scalars(select(SurveyInvitation))
        if i.id in first_links
    } == first_links
    recipients = [m.recipient for m in db.session.scalars(select(OutboxMessage))]
    assert sorted(recipients).count("vera@people.example.org") == 1
    assert recipients.count("fred@people.example.org") == 1

    again = sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    assert (again.sent, again.already_invited) == (0, 5)
    exhibitors = sending.send_survey(world.edition, EXHIBITOR, actor=organizer)
    repeat = sending.send_survey(world.edition, EXHIBITOR, actor=organizer)
    assert (repeat.sent, repeat.already_invited) == (0, exhibitors.sent)


def test_each_send_is_audited_with_its_counts(app: Flask) -> None:
    world = build_world()
    organizer = make_organizer()

    sending.send_survey(world.edition, PARTICIPANT, actor=organizer)

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "send_survey"))
    assert entry is not None
    assert entry.actor_id == organizer.id and entry.edition_id == world.edition.id
    assert entry.after == {
        "audience": "participant", "sent": 4, "already_invited": 0, "unreachable": 0,
        "shared_contact": 0,
    }  # fmt: skip


def test_surveys_cannot_be_sent_before_the_last_day_of_the_edition(
    app: Flask, client: FlaskClient
) -> None:
    today = utcnow().date()
    world = build_world("survey-world-next", start_date=today, end_date=today + timedelta(days=3))
    organizer = make_organizer()

    with pytest.raises(Conflict, match="from the start of the edition's last day"):
        sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    assert count(SurveyInvitation) == 0

    log_in(client, "organizer@example.org")
    page = html(client.get("/organizer/editions/survey-world-next/surveys/"))
    assert 'id="send-exhibitor"' not in page and 'id="send-participant"' not in page
    last_day = (today + timedelta(days=3)).strftime("%b %-d, %Y")
    print(page[page.find("<main") :][:6000])
    assert "can be sent from the start of the edition" in page
    assert last_day in page


def test_the_organizer_sends_from_the_page_and_is_told_how_many(
    app: Flask, client: FlaskClient, mail: MailSink
) -> None:
    world = build_world()
    make_organizer()
    log_in(client, "organizer@example.org")
    overview = f"/organizer/editions/{world.edition.slug}/surveys/"

    response = submit_form(
        client,
        f"/organizer/editions/{world.edition.slug}/surveys/send",
        {"audience": "participant"},
        form_page=overview,
        follow_redirects=True,
    )

    page = html(response)
    assert "4 invitations sent" in page and "0 already invited before" in page
    assert '<dd class="col-sm-9" id="participant-invited">4</dd>' in page
    again = submit_form(
        client,
        f"/organizer/editions/{world.edition.slug}/surveys/send",
        {"audience": "participant"},
        form_page=overview,
        follow_redirects=True,
    )
    assert "0 invitations sent" in html(again) and "4 already invited before" in html(again)
    pending = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    assert len(pending) == 4


def test_a_send_without_the_form_token_changes_nothing(app: Flask, client: FlaskClient) -> None:
    world = build_world()
    make_organizer()
    log_in(client, "organizer@example.org")

    response = client.post(
        f"/organizer/editions/{world.edition.slug}/surveys/send",
        data={"audience": "participant"},
    )

    assert response.status_code == 400 and "Form expired" in html(response)
    assert count(SurveyInvitation) == 0


def test_only_organizers_may_send(app: Flask) -> None:
    world = build_world()
    participant = make_user("someone@example.org")

    with pytest.raises(Forbidden):
        sending.send_survey(world.edition, EXHIBITOR, actor=participant)
    with pytest.raises(Forbidden):
        sending.send_survey(world.edition, EXHIBITOR, actor=None)
    assert count(SurveyInvitation) == 0


def test_a_resend_mails_a_new_link_and_the_old_one_dies(
    app: Flask, client: FlaskClient, mail: MailSink
) -> None:
    world = build_world()
    organizer = make_organizer()
    sending.send_survey(world.edition, PARTICIPANT, actor=organizer)
    outbox.deliver()
    (first,) = mail.wait_for(4) and mail.to("vera@people.example.org")
    old_link = link_in(first)
    invitation = invitation_of(world.edition, PARTICIPANT, "vera@people.example.org")

    log_in(client, "organizer@example.org")
    listing = (
        f"/organizer/editions/{world.edition.slug}/surveys/invitations"
        "?audience=participant&email=VERA"
    )
    page = client.get(listing)
    assert "vera@people.example.org" in html(page) and "sam@people.example.org" not in html(page)
    response = submit_form(
        client,
        f"/organizer/editions/{world.edition.slug}/surveys/invitations/{invitation.id}/resend",
        {"next": listing},
        form_page=listing,
        follow_redirects=True,
    )

    assert "A new survey link was sent to vera@people.example.org" in html(response)
    mail.wait_for(5)
    new_mails = mail.to("vera@people.example.org")
    assert len(new_mails) == 2
    new_link = link_in(new_mails[1])
    assert new_link != old_link
    assert "replaces the link we sent before" in new_mails[1].get_content()
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    db.session.expire_all()
    assert db.session.get(SurveyInvitation, invitation.id).token_version == 2  # type: ignore[union-attr]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resend_survey_link"))
    assert entry is not None and entry.after["token_version"] == 2  # type: ignore[index]


def test_an_invitation_of_another_edition_cannot_be_resent_from_this_one(app: Flask) -> None:
    world = build_world()
    other = World(make_edition("survey-world-2013", start_date=date(2013, 11, 19),
                               end_date=date(2013, 11, 22), timezone="Asia/Bangkok"))  # fmt: skip
    other.person("olga")
    other.register("olga", V)
    other.check_in("olga", V, date(2013, 11, 20))
    db.session.commit()
    organizer = make_organizer()
    sending.send_survey(other.edition, PARTICIPANT, actor=organizer)
    foreign = db.session.scalars(select(SurveyInvitation)).first()
    assert foreign is not None

    with pytest.raises(Exception, match="no such survey invitation"):
        sending.resend_invitation(world.edition, foreign.id, actor=organizer)
    db.session.expire_all()
    assert db.session.get(SurveyInvitation, foreign.id).token_version == 1  # type: ignore[union-attr]
