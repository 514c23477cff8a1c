"""The journalist's side: writing, evidence, completeness, submission, the window and late
applications, one application per person, and nobody else's application.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.audit import entries_for_object
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    OutletType,
)
from telecom.media.services import ApplicationsClosed, MediaError, applications, review
from telecom.media.services.review import QueueFilters, review_queue
from telecom.participants.models import Person
from tests.concurrency import run_at_once
from tests.helpers import MailSink, make_edition
from tests.media.support_services import (
    PDF,
    close_applications,
    complete_draft,
    data,
    draft,
    journalist,
    organizer,
    png,
    reviewer,
    set_window,
    submitted,
    text_of,
    today,
)

S = ApplicationStatus


def stored_files(app: Flask) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "media_documents"
    return (
        sorted(p.name for p in folder.glob("*") if not p.name.startswith("."))
        if folder.exists()
        else []
    )


# --- Writing the application -------------------------------------------------------------


def test_a_journalist_starts_a_draft_linked_to_their_person(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()

    application = draft(edition, jana, bylines=["", " https://nation.example.com/a ", ""])

    assert application.status == S.DRAFT
    assert application.user_id == jana.id
    assert application.outlet_type == OutletType.PRINT and application.outlet_country == "KE"
    assert application.bylines == ["https://nation.example.com/a"]  # empty lines ignored
    assert application.consent_at is not None
    person = db.session.get(Person, application.person_id)
    assert person is not None
    assert person.email == "jana@example.org" and person.user_id == jana.id
    assert person.full_name == "Jana Journalist" and person.organisation_name == "Daily Nation"
    assert applications.own_application(edition, actor=jana) == application
    assert applications.get_own_application(edition, actor=jana) == application
    assert applications.application_data(application).outlet_name == "Daily Nation"
    assert [e.action for e in entries_for_object("media_applications", application.id)] == [
        "create"
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"outlet_name": ""}, "outlet_name"),
        ({"outlet_type": None}, "outlet_type"),
        ({"outlet_type": "blog"}, "outlet_type"),
        ({"outlet_country": ""}, "outlet_country"),
        ({"outlet_country": "XX"}, "outlet_country"),
        ({"role": ""}, "role"),
        ({"role": "influencer"}, "role"),
        ({"nationality": "Kenya"}, "nationality"),
        ({"phone": "call me maybe"}, "phone"),
        ({"outlet_website": "nation.example.com"}, "outlet_website"),
        ({"outlet_website": "javascript:alert(1)"}, "outlet_website"),
        ({"outlet_website": "ftp://nation.example.com"}, "outlet_website"),
        ({"bylines": ["https://a.example/1", "not a link"]}, "bylines"),
        ({"bylines": [f"https://a.example/{n}" for n in range(4)]}, "bylines"),
        ({"press_card_expires_on": "2030-01-01"}, "press_card_expires_on"),
    ],
)
def test_bad_details_are_refused_beside_their_field(  # type: ignore[no-untyped-def]
    app: Flask, overrides, field
) -> None:
    edition = make_edition()
    jana = journalist()

    with pytest.raises(MediaError) as refused:
        draft(edition, jana, **overrides)

    assert refused.value.field == field
    assert refused.value.message
    assert applications.own_application(edition, actor=jana) is None


def test_the_journalist_updates_the_draft_and_only_changed_field_names_are_audited(
    app: Flask,
) -> None:
    edition = make_edition()
    jana = journalist()
    application = draft(edition, jana)

    applications.update_application(
        application, data(outlet_name="The Standard", nationality=""), actor=jana
    )

    assert application.outlet_name == "The Standard" and application.nationality is None
    update = entries_for_object("media_applications", application.id)[0]
    assert update.action == "update"
    assert update.after == {"changed": ["nationality", "outlet_name"]}
    assert "The Standard" not in str(update.after)  # personal data stays out of the log


def test_an_anonymous_or_unconfirmed_account_cannot_apply(app: Flask) -> None:
    from tests.helpers import make_user

    edition = make_edition()
    with pytest.raises(Forbidden):
        applications.start_application(edition, data(), actor=None)
    unconfirmed = make_user("new@example.org", confirmed=False)
    with pytest.raises(Forbidden, match="Confirm your e-mail"):
        applications.start_application(edition, data(), actor=unconfirmed)


# --- One application per person ----------------------------------------------------------


def test_one_application_per_person_and_edition(app: Flask) -> None:
    edition = make_edition()
    other_edition = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    jana = journalist()
    draft(edition, jana)

    with pytest.raises(Conflict, match="already have an application"):
        draft(edition, jana, outlet_name="Another outlet")

    assert db.session.scalar(select(func.count()).select_from(MediaApplication)) == 1
    # Another edition is another accreditation.
    assert draft(other_edition, jana).edition_id == other_edition.id


def test_a_person_linked_to_another_account_is_refused(app: Flask) -> None:
    edition = make_edition()
    owner = journalist("owner@example.org", "Owen Owner")
    newcomer = journalist("jana@example.org")
    # The person with Jana's address is managed by another account.
    db.session.add(Person(email="jana@example.org", full_name="Jana", user_id=owner.id))
    db.session.commit()

    with pytest.raises(Forbidden, match="managed by another account"):
        draft(edition, newcomer)

    assert applications.own_application(edition, actor=newcomer) is None


def test_two_requests_starting_the_same_application_at_once_make_one(  # type: ignore[no-untyped-def]
    app: Flask, racing_app: Flask
) -> None:
    edition = make_edition()
    jana = journalist()
    edition_id, jana_id = edition.id, jana.id

    def start() -> object:
        from telecom.events.models import Edition

        racer_edition = db.session.get(Edition, edition_id)
        racer = db.session.get(User, jana_id)
        return applications.start_application(racer_edition, data(), actor=racer)

    results, errors = run_at_once(racing_app, [start] * 4)

    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(e, Conflict) for e in errors), errors
    assert all("already have an application" in e.message for e in errors)  # type: ignore[attr-defined]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MediaApplication)) == 1
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


# --- Nobody else's application ------------------------------------------------------------


def test_applicant_b_cannot_reach_applicant_as_application(app: Flask) -> None:
    edition = make_edition()
    anna, ben = journalist("anna@example.org", "Anna A"), journalist("ben@example.org", "Ben B")
    anna_application = complete_draft(edition, anna)
    document_id = anna_application.documents[0].id

    assert applications.own_application(edition, actor=ben) is None
    with pytest.raises(NotFound):
        applications.get_own_application(edition, actor=ben)
    with pytest.raises(NotFound):
        applications.update_application(anna_application, data(full_name="Ben B"), actor=ben)
    with pytest.raises(NotFound):
        applications.add_document(anna_application, DocumentKind.PHOTO, png(), "b.png", actor=ben)
    with pytest.raises(NotFound):
        applications.remove_document(anna_application, document_id, actor=ben)
    with pytest.raises(NotFound):
        applications.submit_application(anna_application, actor=ben)
    # Nor can a reviewer act as the applicant.
    with pytest.raises(NotFound):
        applications.submit_application(anna_application, actor=reviewer())

    db.session.expire_all()
    assert anna_application.full_name == "Jana Journalist"
    assert anna_application.status == S.DRAFT and len(anna_application.documents) == 2


# --- Documents ----------------------------------------------------------------------------


def test_documents_are_added_and_a_new_photo_replaces_the_old_one(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = draft(edition, jana)

    first = applications.add_document(application, DocumentKind.PHOTO, png(), "me.png", actor=jana)
    old_file = first.stored_name
    letter = applications.add_document(
        application, "letter_of_assignment", PDF, "C:\\docs\\letter.pdf", actor=jana
    )
    second = applications.add_document(
        application, DocumentKind.PHOTO, png((200, 10, 10)), "me2.png", actor=jana
    )

    db.session.expire_all()
    kinds = [(d.kind, d.original_name) for d in application.documents]
    assert kinds == [
        (DocumentKind.LETTER_OF_ASSIGNMENT, "letter.pdf"),
        (DocumentKind.PHOTO, "me2.png"),
    ]
    assert letter.content_type == "application/pdf" and letter.size == len(PDF)
    assert old_file not in stored_files(app)
    assert sorted([letter.stored_name, second.stored_name]) == stored_files(app)


def test_a_refused_file_changes_nothing(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = draft(edition, jana)

    with pytest.raises(MediaError) as refused:
        applications.add_document(
            application, DocumentKind.PHOTO, b"<html><script>x</script></html>", "me.png",
            actor=jana,
        )  # fmt: skip
    assert refused.value.field == "photo"
    with pytest.raises(MediaError) as refused:
        applications.add_document(
            application, DocumentKind.LETTER_OF_ASSIGNMENT, b"", "l.pdf", actor=jana
        )
    assert refused.value.field == "letter_of_assignment" and "empty" in refused.value.message
    with pytest.raises(MediaError) as refused:
        applications.add_document(application, "passport", PDF, "p.pdf", actor=jana)
    assert refused.value.field == "kind"

    db.session.expire_all()
    assert application.documents == []
    assert stored_files(app) == []


def test_an_application_holds_at_most_the_configured_number_of_documents(app: Flask) -> None:
    edition = make_edition()
    set_window(edition, None, None, max_documents=3)
    jana = journalist()
    application = complete_draft(edition, jana)  # photo + letter
    applications.add_document(application, DocumentKind.PRESS_CARD, PDF, "card.pdf", actor=jana)

    with pytest.raises(MediaError, match="at most 3 documents"):
        applications.add_document(application, DocumentKind.PRESS_CARD, PDF, "back.pdf", actor=jana)
    # Replacing the photo is still possible: it does not add a file.
    applications.add_document(application, DocumentKind.PHOTO, png(), "new.png", actor=jana)

    db.session.expire_all()
    assert len(application.documents) == 3
    assert len(stored_files(app)) == 3


def test_the_applicant_removes_a_document_and_its_file(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana)
    letter = next(d for d in application.documents if d.kind == DocumentKind.LETTER_OF_ASSIGNMENT)
    letter_id, letter_file = letter.id, letter.stored_name

    applications.remove_document(application, letter_id, actor=jana)

    db.session.expire_all()
    assert [d.kind for d in application.documents] == [DocumentKind.PHOTO]
    assert letter_file not in stored_files(app)
    with pytest.raises(NotFound):
        applications.remove_document(application, letter_id, actor=jana)


def test_documents_cannot_change_once_submitted(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = submitted(edition, jana)
    photo_id = application.documents[0].id

    with pytest.raises(Conflict, match="can no longer be changed"):
        applications.add_document(application, DocumentKind.PRESS_CARD, PDF, "card.pdf", actor=jana)
    with pytest.raises(Conflict, match="can no longer be changed"):
        applications.remove_document(application, photo_id, actor=jana)
    with pytest.raises(Conflict, match="can no longer be changed"):
        applications.update_application(application, data(outlet_name="Other"), actor=jana)

    db.session.expire_all()
    assert len(application.documents) == 2 and application.outlet_name == "Daily Nation"


# --- Completeness -------------------------------------------------------------------------


def test_submitting_without_a_photo_names_the_photo(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana)
    photo = next(d for d in application.documents if d.kind == DocumentKind.PHOTO)
    applications.remove_document(application, photo.id, actor=jana)

    with pytest.raises(MediaError, match="photo") as refused:
        applications.submit_application(application, actor=jana)

    assert refused.value.field == "photo"
    db.session.expire_all()
    assert application.status == S.DRAFT and application.submitted_at is None


def test_evidence_is_a_letter_or_a_press_card(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana, letter=False)

    with pytest.raises(MediaError, match="letter of assignment signed by your editor") as refused:
        applications.submit_application(application, actor=jana)
    assert refused.value.field == "letter_of_assignment"

    # A press card alone is enough for a staff journalist, with its expiry date.
    applications.add_document(application, DocumentKind.PRESS_CARD, png(), "card.png", actor=jana)
    with pytest.raises(MediaError) as refused:
        applications.submit_application(application, actor=jana)
    assert refused.value.field == "press_card_expires_on"

    applications.update_application(
        application, data(press_card_expires_on=today(edition)), actor=jana
    )  # valid through today
    applications.submit_application(application, actor=jana)
    assert application.status == S.SUBMITTED


def test_an_expired_press_card_is_refused_at_submission(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    yesterday = today(edition) - timedelta(days=1)
    application = complete_draft(edition, jana, press_card_expires_on=yesterday)
    applications.add_document(application, DocumentKind.PRESS_CARD, PDF, "card.pdf", actor=jana)

    with pytest.raises(MediaError, match="Your press card expired on") as refused:
        applications.submit_application(application, actor=jana)

    assert refused.value.field == "press_card_expires_on"
    db.session.expire_all()
    assert application.status == S.DRAFT


@pytest.mark.parametrize(
    ("documents", "missing"),
    [
        ([DocumentKind.LETTER_OF_ASSIGNMENT], "press_card"),
        ([DocumentKind.PRESS_CARD], "letter_of_assignment"),
    ],
)
def test_freelancers_need_both_a_letter_and_a_press_card(  # type: ignore[no-untyped-def]
    app: Flask, documents, missing
) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(
        edition, jana, letter=False, outlet_type=OutletType.FREELANCE,
        press_card_expires_on=today(edition) + timedelta(days=300),
    )  # fmt: skip
    for kind in documents:
        applications.add_document(application, kind, PDF, f"{kind}.pdf", actor=jana)

    with pytest.raises(MediaError, match="Freelancers need both") as refused:
        applications.submit_application(application, actor=jana)
    assert refused.value.field == missing

    applications.add_document(application, DocumentKind(missing), PDF, "more.pdf", actor=jana)
    applications.submit_application(application, actor=jana)
    assert application.status == S.SUBMITTED


def test_consent_is_needed_to_submit(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana, consent=False)
    assert application.consent_at is None

    with pytest.raises(MediaError, match="consent") as refused:
        applications.submit_application(application, actor=jana)

    assert refused.value.field == "consent"


# --- Submitting ---------------------------------------------------------------------------


def test_submitting_acknowledges_by_mail_and_reaches_the_reviewers(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana)

    applications.submit_application(application, actor=jana)

    assert application.status == S.SUBMITTED and application.submitted_at is not None
    assert application.late is False
    [step] = applications.history(application)
    assert (step.from_status, step.to_status, step.actor_id) == (S.DRAFT, S.SUBMITTED, jana.id)
    entry = entries_for_object("media_applications", application.id)[0]
    assert entry.action == "submit"
    assert (entry.before["status"], entry.after["status"]) == ("draft", "submitted")
    [message] = mail.wait_for(1)
    assert message["To"] == "jana@example.org"
    assert "application received" in message["Subject"]
    body = text_of(message)
    assert "We have received your application for media accreditation" in body
    assert f"http://localhost/editions/{edition.slug}/media" in body
    queue = db.session.scalars(review_queue(edition, QueueFilters(), actor=reviewer())).all()
    assert queue == [application]


def test_the_applicant_answers_a_request_for_information_and_resubmits(
    app: Flask, mail: MailSink
) -> None:
    edition = make_edition()
    jana, rita = journalist(), reviewer()
    application = submitted(edition, jana)
    first_submitted_at = application.submitted_at
    review.take_for_review(application, actor=rita)
    review.request_information(application, "Please add your press card.", actor=rita)

    applications.update_application(
        application, data(press_card_expires_on=date(2099, 1, 1)), actor=jana
    )
    applications.add_document(application, DocumentKind.PRESS_CARD, PDF, "card.pdf", actor=jana)
    applications.submit_application(application, actor=jana)

    assert application.status == S.RESUBMITTED
    assert application.submitted_at == first_submitted_at  # first come, first served
    assert [step.to_status for step in applications.history(application)] == [
        S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.RESUBMITTED,
    ]  # fmt: skip
    messages = mail.wait_for(4)
    assert "We have received your updated application" in text_of(messages[-1])


# --- The window and late applications -----------------------------------------------------


def test_a_closed_window_refuses_with_a_clear_message(app: Flask) -> None:
    edition = make_edition()
    closed_on = close_applications(edition)
    jana = journalist()

    with pytest.raises(ApplicationsClosed) as refused:
        draft(edition, jana)

    assert "closed on" in refused.value.message
    assert closed_on.strftime("%b %-d, %Y") in refused.value.message
    assert "press@telecom-world.example" in refused.value.message
    assert applications.own_application(edition, actor=jana) is None


def test_applications_not_open_yet_are_refused(app: Flask) -> None:
    edition = make_edition()
    opens_on = today(edition) + timedelta(days=3)
    set_window(edition, opens_on, opens_on + timedelta(days=30))

    with pytest.raises(ApplicationsClosed, match="open on"):
        draft(edition, journalist())


def test_a_draft_cannot_be_submitted_after_the_close(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    application = complete_draft(edition, jana)
    close_applications(edition)

    with pytest.raises(ApplicationsClosed, match="closed on"):
        applications.submit_application(application, actor=jana)

    db.session.expire_all()
    assert application.status == S.DRAFT


def test_an_organizer_lets_one_account_apply_late(app: Flask, mail: MailSink) -> None:
    edition = make_edition()
    close_applications(edition)
    jana, other = journalist(), journalist("other@example.org", "Otto Other")
    olga = organizer()

    allowed = review.allow_late(edition, " JANA@example.org ", actor=olga)

    assert allowed.status == S.DRAFT and allowed.late_allowed_by_id == olga.id
    [message] = mail.wait_for(1)
    assert message["To"] == "jana@example.org"
    assert "you may still apply" in message["Subject"]
    assert f"http://localhost/editions/{edition.slug}/media" in text_of(message)
    assert entries_for_object("media_applications", allowed.id)[0].action == "allow_late"

    # The account fills in the draft the organizer made, and submits it: late.
    application = draft(edition, jana)
    assert application.id == allowed.id
    applications.add_document(application, DocumentKind.PHOTO, png(), "me.png", actor=jana)
    applications.add_document(
        application, DocumentKind.LETTER_OF_ASSIGNMENT, PDF, "l.pdf", actor=jana
    )
    applications.submit_application(application, actor=jana)
    assert application.status == S.SUBMITTED and application.late is True
    assert "after applications closed" in text_of(mail.wait_for(2)[-1])

    # Reviewers can find late applications.
    rita = reviewer()
    late = db.session.scalars(review_queue(edition, QueueFilters(late="yes"), actor=rita)).all()
    assert late == [application]
    assert (
        db.session.scalars(review_queue(edition, QueueFilters(late="no"), actor=rita)).all() == []
    )

    # Nobody else got in.
    with pytest.raises(ApplicationsClosed):
        draft(edition, other)


def test_allowing_late_needs_an_organizer_and_an_account(app: Flask) -> None:
    edition = make_edition()
    close_applications(edition)
    journalist()

    with pytest.raises(Forbidden):
        review.allow_late(edition, "jana@example.org", actor=reviewer())
    with pytest.raises(MediaError, match="no account with this e-mail") as refused:
        review.allow_late(edition, "nobody@example.org", actor=organizer())
    assert refused.value.field == "email"
    with pytest.raises(MediaError) as refused:
        review.allow_late(edition, "  ", actor=organizer())
    assert refused.value.field == "email"


def test_allowing_late_after_submission_is_refused(app: Flask) -> None:
    edition = make_edition()
    jana = journalist()
    submitted(edition, jana)
    close_applications(edition)

    with pytest.raises(Conflict, match="already submitted"):
        review.allow_late(edition, "jana@example.org", actor=organizer())
