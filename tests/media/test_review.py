"""Review: every transition and every forbidden one, the applicant's mail for each step,
the media registration and its badge, who may review, the queue's filters, the media list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import entries_for_object
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.permissions import Role
from telecom.core.spreadsheets import to_csv
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    MediaApplication,
    MediaReviewStep,
    OutletType,
    RejectionReason,
)
from telecom.media.services import MediaError, applications, review
from telecom.media.services.review import QueueFilters, review_queue
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    ScanResult,
)
from telecom.participants.services import badges, checkin
from tests.concurrency import run_at_once
from tests.helpers import MailSink, make_edition, make_user
from tests.media.support_services import (
    attachments_of,
    complete_draft,
    in_status,
    journalist,
    local_moment,
    organizer,
    reviewer,
    submitted,
    text_of,
)

S = ApplicationStatus
ACTIONS = ("submit", "take_for_review", "request_information", "approve", "reject", "revoke")

# What each action does from each status; every pair not listed is refused.
ALLOWED = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "take_for_review"): S.IN_REVIEW,
    (S.IN_REVIEW, "request_information"): S.INFO_REQUESTED,
    (S.IN_REVIEW, "approve"): S.APPROVED,
    (S.IN_REVIEW, "reject"): S.REJECTED,
    (S.INFO_REQUESTED, "submit"): S.RESUBMITTED,
    (S.RESUBMITTED, "take_for_review"): S.IN_REVIEW,
    (S.APPROVED, "revoke"): S.REVOKED,
}
AUDIT_ACTION = {"submit": "submit", (S.INFO_REQUESTED, "submit"): "resubmit"}


def act(action: str, application: MediaApplication, applicant: User, decider: User) -> None:
    if action == "submit":
        applications.submit_application(application, actor=applicant)
    elif action == "take_for_review":
        review.take_for_review(application, actor=decider)
    elif action == "request_information":
        review.request_information(application, "Which outlet sent you?", actor=decider)
    elif action == "approve":
        review.approve(application, actor=decider)
    elif action == "reject":
        review.reject(application, RejectionReason.MARKETING_ROLE, "", actor=decider)
    else:
        review.revoke(application, "Badge given to someone else.", actor=decider)


def steps_of(application: MediaApplication) -> list[tuple[S | None, S]]:
    return [(step.from_status, step.to_status) for step in applications.history(application)]


# --- The state machine ---------------------------------------------------------------------


def test_the_service_table_is_the_documented_state_machine() -> None:
    table = {
        (source, target)
        for source, targets in review.ALLOWED_TRANSITIONS.items()
        for target in targets
    }
    assert table == {(source, target) for (source, _action), target in ALLOWED.items()}
    assert set(review.ALLOWED_TRANSITIONS) == set(S)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", list(S), ids=[s.value for s in S])
def test_every_action_from_every_status(  # type: ignore[no-untyped-def]
    app: Flask, mail: MailSink, status: S, action: str
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(status, edition, jana, rita)
    assert application.status == status
    steps_before = steps_of(application)
    mails_before = len(mail.messages)
    audit_before = len(entries_for_object("media_applications", application.id))

    target = ALLOWED.get((status, action))
    if target is None:
        with pytest.raises(Conflict) as refused:
            act(action, application, jana, rita)
        assert f"the application is “{status.label}”" in refused.value.message
        db.session.expire_all()
        assert application.status == status
        assert steps_of(application) == steps_before
        assert len(entries_for_object("media_applications", application.id)) == audit_before
        assert len(mail.messages) == mails_before
        return

    act(action, application, jana, rita)

    db.session.expire_all()
    assert application.status == target
    assert steps_of(application) == [*steps_before, (status, target)]
    entry = entries_for_object("media_applications", application.id)[0]
    assert entry.action == ("resubmit" if status == S.INFO_REQUESTED else action)
    assert (entry.before["status"], entry.after["status"]) == (status.value, target.value)
    [message] = mail.wait_for(mails_before + 1)[mails_before:]
    assert message["To"] == "jana@example.org"


# --- The applicant's mail for each step ------------------------------------------------------


def test_taking_for_review_tells_the_applicant(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = submitted(edition, jana)

    review.take_for_review(application, actor=rita)

    assert application.reviewer_id == rita.id
    message = mail.wait_for(2)[-1]
    assert "being reviewed" in message["Subject"]
    assert "A media reviewer is now looking at your application" in text_of(message)


def test_a_request_for_information_mails_the_message_and_the_application_link(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)

    review.request_information(
        application, "  Please add a letter signed by your editor.  ", actor=rita
    )

    assert application.info_request == "Please add a letter signed by your editor."
    [step] = [s for s in applications.history(application) if s.to_status == S.INFO_REQUESTED]
    assert step.message == "Please add a letter signed by your editor." and step.actor_id == rita.id
    message = mail.wait_for(3)[-1]
    assert "more information needed" in message["Subject"]
    body = text_of(message)
    assert "Please add a letter signed by your editor." in body
    assert url_for("media.application", slug=edition.slug, _external=True) in body


def test_approval_grants_a_confirmed_media_registration_and_mails_the_badge(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)

    review.approve(application, actor=rita)

    assert application.status == S.APPROVED and application.decided_at is not None
    registration = db.session.get(Registration, application.registration_id)
    assert registration is not None
    person = db.session.get(Person, application.person_id)
    assert registration.person_id == person.id and person.user_id == jana.id
    assert registration.category == RegistrationCategory.MEDIA
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.valid_from, registration.valid_until) == (
        edition.start_date,
        edition.end_date,
    )
    # The badge photo is a copy of the applicant's photo, kept with the registration.
    assert registration.photo_file is not None
    assert (Path(app.config["UPLOAD_DIR"]) / "badge_photos" / registration.photo_file).exists()

    message = mail.wait_for(3)[-1]
    assert message["Subject"].endswith(": approved")
    body = text_of(message)
    assert "Your media accreditation to ITU TELECOM World 2015 is approved" in body
    assert url_for("participants.my_registrations", _external=True) in body
    [(filename, content_type, pdf)] = attachments_of(message)
    assert filename == badges.badge_filename(registration)
    assert content_type == "application/pdf" and pdf.startswith(b"%PDF")

    # The journalist has the badge, and it opens the gate.
    assert badges.get_badge_registration(registration.id, actor=jana) == registration
    staff = make_user("gate@example.org", roles={Role.CHECKIN_STAFF})
    outcome = checkin.scan(
        edition, code=badges.badge_code(registration), scan_id=str(uuid.uuid4()),
        scanned_at=local_moment(edition, edition.start_date, 9), point="gate", staff=staff,
    )  # fmt: skip
    assert outcome.result == ScanResult.WELCOME


def test_rejection_mails_the_reason_and_the_note(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)

    review.reject(application, "other", "We accredit only working journalists.", actor=rita)

    assert application.rejection_reason == RejectionReason.OTHER
    assert application.decision_note == "We accredit only working journalists."
    assert application.registration_id is None
    [step] = [s for s in applications.history(application) if s.to_status == S.REJECTED]
    assert step.reason == RejectionReason.OTHER
    message = mail.wait_for(3)[-1]
    assert message["Subject"].endswith(": not approved")
    body = text_of(message)
    assert "Reason: Other" in body
    assert "We accredit only working journalists." in body
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_rejection_with_a_listed_reason_needs_no_note(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)

    review.reject(application, RejectionReason.PRESS_CARD_EXPIRED, "", actor=rita)

    assert "Reason: Press card expired" in text_of(mail.wait_for(3)[-1])


def test_revocation_cancels_the_registration_and_the_badge_stops_working(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.APPROVED, edition, jana, rita)
    registration_id = application.registration_id
    registration = db.session.get(Registration, registration_id)
    code = badges.badge_code(registration)

    review.revoke(application, "The badge was handed to a marketing colleague.", actor=rita)

    assert application.status == S.REVOKED
    assert application.decision_note == "The badge was handed to a marketing colleague."
    db.session.expire_all()
    registration = db.session.get(Registration, registration_id)
    assert registration.status == RegistrationStatus.CANCELLED
    with pytest.raises(NotFound, match="cancelled"):
        badges.get_badge_registration(registration_id, actor=jana)
    staff = make_user("gate@example.org", roles={Role.CHECKIN_STAFF})
    outcome = checkin.scan(
        edition, code=code, scan_id=str(uuid.uuid4()),
        scanned_at=local_moment(edition, edition.start_date, 9), point="gate", staff=staff,
    )  # fmt: skip
    assert outcome.result == ScanResult.CANCELLED and not outcome.admitted
    message = mail.wait_for(4)[-1]
    assert message["Subject"].endswith(": revoked")
    body = text_of(message)
    assert "has been revoked" in body and "no longer works" in body
    assert "The badge was handed to a marketing colleague." in body


def test_mail_is_written_in_the_applicants_language(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)
    db.session.get(Person, application.person_id).locale = "fr"
    db.session.commit()

    review.approve(application, actor=rita)

    body = text_of(mail.wait_for(3)[-1])
    # The dates come from Babel's French data (CLDR), whatever catalogues are compiled.
    assert "12–15 oct. 2015, HUNGEXPO" in body  # "Oct 12 – 15, 2015" in English


# --- Decisions need what they need ------------------------------------------------------------


def test_decisions_without_their_text_are_refused_beside_the_field(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = in_status(S.IN_REVIEW, edition, jana, rita)

    with pytest.raises(MediaError) as refused:
        review.request_information(application, "   ", actor=rita)
    assert refused.value.field == "message"
    with pytest.raises(MediaError) as refused:
        review.reject(application, "not_a_reason", "", actor=rita)
    assert refused.value.field == "reason"
    with pytest.raises(MediaError) as refused:
        review.reject(application, RejectionReason.OTHER, " ", actor=rita)
    assert refused.value.field == "note"
    with pytest.raises(MediaError) as refused:
        review.request_information(application, "x" * 4001, actor=rita)
    assert refused.value.field == "message"

    review.approve(application, actor=rita)
    with pytest.raises(MediaError) as refused:
        review.revoke(application, "", actor=rita)
    assert refused.value.field == "reason"

    db.session.expire_all()
    assert application.status == S.APPROVED


# --- Who may review ---------------------------------------------------------------------------


def review_calls(edition, application) -> dict[str, Callable[[User], object]]:  # type: ignore[no-untyped-def]
    return {
        "queue": lambda u: review_queue(edition, QueueFilters(), actor=u),
        "get_for_review": lambda u: review.get_for_review(edition, application.id, actor=u),
        "take_for_review": lambda u: review.take_for_review(application, actor=u),
        "request_information": lambda u: review.request_information(application, "?", actor=u),
        "approve": lambda u: review.approve(application, actor=u),
        "reject": lambda u: review.reject(application, RejectionReason.DUPLICATE, "", actor=u),
        "revoke": lambda u: review.revoke(application, "why", actor=u),
        "allow_late": lambda u: review.allow_late(edition, "jana@example.org", actor=u),
        "media_list_table": lambda u: review.media_list_table(edition, actor=u),
        "media_summary": lambda u: review.media_summary(edition, actor=u),
    }


CALLS = list(review_calls(None, None))


@pytest.mark.parametrize("call", CALLS)
def test_an_applicant_without_the_reviewer_role_is_forbidden_everything(  # type: ignore[no-untyped-def]
    app: Flask, mail: MailSink, call: str
) -> None:
    edition = make_edition()
    jana, ben = journalist(), journalist("ben@example.org", "Ben B")
    application = submitted(edition, jana)
    submitted(edition, ben)

    for someone in (jana, ben, None):
        with pytest.raises(Forbidden):
            review_calls(edition, application)[call](someone)

    db.session.expire_all()
    assert application.status == S.SUBMITTED
    assert len(mail.messages) == 2  # the two acknowledgements, nothing more


def test_nobody_reviews_their_own_application(app: Flask) -> None:
    edition = make_edition()
    rita = reviewer()
    application = submitted(edition, rita)

    with pytest.raises(Forbidden, match="your own application"):
        review.take_for_review(application, actor=rita)

    review.take_for_review(application, actor=reviewer("roberto@example.org"))
    for decide in (
        lambda: review.approve(application, actor=rita),
        lambda: review.reject(application, RejectionReason.DUPLICATE, "", actor=rita),
        lambda: review.request_information(application, "?", actor=rita),
    ):
        with pytest.raises(Forbidden):
            decide()
    assert application.status == S.IN_REVIEW


def test_an_organizer_can_do_everything_a_reviewer_does(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    jana, olga = journalist(), organizer()

    application = in_status(S.RESUBMITTED, edition, jana, olga)
    review.take_for_review(application, actor=olga)
    review.approve(application, actor=olga)
    review.revoke(application, "Duplicate badge.", actor=olga)

    assert [target for _source, target in steps_of(application)] == [
        S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.RESUBMITTED, S.IN_REVIEW, S.APPROVED,
        S.REVOKED,
    ]  # fmt: skip
    assert review.get_for_review(edition, application.id, actor=olga) == application


def test_a_reviewer_gets_submitted_applications_of_this_edition_only(app: Flask) -> None:
    edition = make_edition()
    other = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    rita = reviewer()
    writing = complete_draft(edition, journalist())
    elsewhere = submitted(other, journalist("ben@example.org", "Ben B"))
    sent = submitted(edition, journalist("carla@example.org", "Carla C"))

    assert review.get_for_review(edition, sent.id, actor=rita) == sent
    for application_id in (writing.id, elsewhere.id, 999999):
        with pytest.raises(NotFound):
            review.get_for_review(edition, application_id, actor=rita)


# --- Two reviewers at once --------------------------------------------------------------------


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_reviewers_deciding_at_once_make_one_decision(  # type: ignore[no-untyped-def]
    app: Flask, mail: MailSink, racing_app: Flask, second: str
) -> None:
    # The racers read the applicant's photo from this test's upload folder.
    racing_app.config["UPLOAD_DIR"] = app.config["UPLOAD_DIR"]
    edition = make_edition()
    jana, rita, roberto = journalist(), reviewer(), reviewer("roberto@example.org")
    application = in_status(S.IN_REVIEW, edition, jana, rita)
    application_id, ids = application.id, (rita.id, roberto.id)
    mails_before = len(mail.messages)

    def decide(user_id: int, action: str) -> Callable[[], object]:
        def call() -> object:
            racer_application = db.session.get(MediaApplication, application_id)
            racer = db.session.get(User, user_id)
            if action == "approve":
                return review.approve(racer_application, actor=racer)
            return review.reject(racer_application, RejectionReason.DUPLICATE, "", actor=racer)

        return call

    results, errors = run_at_once(racing_app, [decide(ids[0], "approve"), decide(ids[1], second)])

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and "is not possible" in errors[0].message
    db.session.expire_all()
    decisions = db.session.scalars(
        select(MediaReviewStep.to_status).where(
            MediaReviewStep.application_id == application_id,
            MediaReviewStep.to_status.in_([S.APPROVED, S.REJECTED]),
        )
    ).all()
    assert len(decisions) == 1
    registrations = db.session.scalar(select(func.count()).select_from(Registration))
    assert registrations == (1 if decisions[0] == S.APPROVED else 0)
    # The refused approval left no badge photo behind.
    photos = Path(app.config["UPLOAD_DIR"]) / "badge_photos"
    assert len(list(photos.glob("*.png")) if photos.exists() else []) == registrations
    mail.wait_for(mails_before + 1)
    assert len(mail.messages) == mails_before + 1


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_filters_and_serves_first_come_first(app: Flask) -> None:
    edition = make_edition()  # Europe/Budapest
    rita = reviewer()
    day = date(2015, 9, 10)
    # Submitted first, though created last: 00:30 in Budapest is still the 9th in UTC.
    ben_app = complete_draft(
        edition, journalist("ben@example.org", "Ben B"), full_name="Ben Broadcaster",
        outlet_name="Magyar TV", outlet_type=OutletType.TV, outlet_country="HU",
    )  # fmt: skip
    jana_app = complete_draft(edition, journalist())
    applications.submit_application(
        jana_app, actor=db.session.get(User, jana_app.user_id),
        now=local_moment(edition, day + timedelta(days=1), 9),
    )  # fmt: skip
    applications.submit_application(
        ben_app, actor=db.session.get(User, ben_app.user_id),
        now=datetime(day.year, day.month, day.day, 0, 30, tzinfo=edition.tz),
    )  # fmt: skip
    review.take_for_review(ben_app, actor=rita)
    complete_draft(edition, journalist("carla@example.org", "Carla C"), full_name="Carla Draft")

    def queue(**filters: object) -> list[str]:
        query = review_queue(edition, QueueFilters(**filters), actor=rita)
        return [application.full_name for application in db.session.scalars(query)]

    both = ["Ben Broadcaster", "Jana Journalist"]
    assert queue() == both  # no draft, first submitted first
    assert queue(status="in_review") == ["Ben Broadcaster"]
    assert queue(status="submitted") == ["Jana Journalist"]
    assert queue(status="draft") == both  # drafts are never shown
    assert queue(outlet_type="tv") == ["Ben Broadcaster"]
    assert queue(country="ke") == ["Jana Journalist"]
    assert queue(submitted_from=day, submitted_to=day) == ["Ben Broadcaster"]
    assert queue(submitted_to=day - timedelta(days=1)) == []
    assert queue(submitted_from=day + timedelta(days=1)) == ["Jana Journalist"]
    assert queue(late="no") == both and queue(late="yes") == []
    assert queue(search="nation") == ["Jana Journalist"]  # outlet
    assert queue(search="BROADCAST") == ["Ben Broadcaster"]  # name
    assert queue(search="ben@example") == ["Ben Broadcaster"]  # e-mail
    assert queue(search="%") == []  # a wildcard is just a character
    # Nonsense is ignored, never an error.
    assert queue(
        status="nope", outlet_type="blog", country="Narnia", submitted_from="yesterday",
        submitted_to=12, late="maybe", search=None,
    ) == both  # fmt: skip


# --- The media list ---------------------------------------------------------------------------


def test_the_media_list_has_approved_accreditations_only(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    rita = reviewer()
    for email, name, outlet_type, country in [
        ("anna@example.org", "Anna Agency", OutletType.NEWS_AGENCY, "FR"),
        ("ben@example.org", "Ben Broadcaster", OutletType.TV, "HU"),
        ("carl@example.org", "=Carl Cmd", OutletType.TV, "HU"),
    ]:
        application = submitted(
            edition, journalist(email, name), full_name=name, outlet_type=outlet_type,
            outlet_country=country,
        )  # fmt: skip
        review.take_for_review(application, actor=rita)
        review.approve(application, actor=rita)
    rejected = submitted(edition, journalist("dora@example.org", "Dora"), full_name="Dora")
    review.take_for_review(rejected, actor=rita)
    review.reject(rejected, RejectionReason.NOT_JOURNALIST, "", actor=rita)
    submitted(edition, journalist("eve@example.org", "Eve"), full_name="Eve Waiting")

    headers, rows = review.media_list_table(edition, actor=rita)

    assert headers == ["Name", "Outlet", "Outlet type", "Outlet country", "Role", "Approved at"]
    assert [row[:5] for row in rows] == [
        ["=Carl Cmd", "Daily Nation", "Television", "Hungary", "Reporter"],
        ["Anna Agency", "Daily Nation", "News agency", "France", "Reporter"],
        ["Ben Broadcaster", "Daily Nation", "Television", "Hungary", "Reporter"],
    ]
    assert all(isinstance(row[5], datetime) and row[5].tzinfo is None for row in rows)
    csv_text = to_csv(headers, rows).decode("utf-8")
    assert "'=Carl Cmd" in csv_text  # no formula reaches a spreadsheet

    summary = review.media_summary(edition, actor=organizer())
    assert summary.total == 3
    assert summary.by_outlet_type == [(OutletType.TV, 2), (OutletType.NEWS_AGENCY, 1)]
    assert summary.by_country == [("HU", 2), ("FR", 1)]
