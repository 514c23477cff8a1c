"""The journalist's pages: the landing page, the application, its documents, submitting,
answering a request for more information; who may see what; uploads that go wrong."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    RejectionReason,
)
from telecom.media.services import review
from tests.core import action_token, form_values, visible_text
from tests.helpers import body_of, log_in, make_user
from tests.media.support_applicant import (
    EXECUTABLE,
    JOURNALIST,
    PDF,
    SLUG,
    TYPED,
    application_path,
    document_path,
    edit,
    landing_path,
    media_edition,
    multipart_body,
    own_application,
    pdf_of_size,
    png,
    post_raw,
    snapshot,
    start,
    stored_files,
    submit,
    upload,
)


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return media_edition()


@pytest.fixture
def jane(app):  # type: ignore[no-untyped-def]
    return make_user(JOURNALIST, full_name="Jane Reporter")


@pytest.fixture
def small_uploads(app):  # type: ignore[no-untyped-def]
    """A 64 KiB file limit, so the size tests need no megabytes of data."""
    app.config["MEDIA_MAX_UPLOAD_BYTES"] = 64 * 1024
    return 64 * 1024


def logged_in(client, email: str = JOURNALIST):  # type: ignore[no-untyped-def]
    log_in(client, email)
    return client


def drafted(client) -> MediaApplication:  # type: ignore[no-untyped-def]
    """Jane has saved a draft."""
    response = start(client)
    assert response.status_code == 302, visible_text(response)
    application = own_application()
    assert application is not None
    return application


def complete_draft(client) -> MediaApplication:  # type: ignore[no-untyped-def]
    """Jane's draft with her photo and press card: ready to submit."""
    application = drafted(client)
    assert upload(client, "photo", png(), "me.png", declared_type="image/png").status_code == 302
    assert upload(client, "press_card", PDF, "card.pdf").status_code == 302
    return application


# --- The landing page ----------------------------------------------------------------------


def test_the_landing_page_says_who_can_be_accredited_and_when(client, edition):
    page = visible_text(client.get(landing_path()))
    assert "working journalists of bona fide media outlets" in page
    assert "granted to individuals, case by case, for this edition only" in page
    assert "A team from one outlet applies individually" in page
    assert "Freelancers need both a press card and a letter of assignment" in page
    assert "Applications are open." in page
    assert f'href="{application_path()}"' in client.get(landing_path()).text
    # The public edition page links to it.
    assert f'href="{landing_path()}"' in client.get(f"/editions/{SLUG}").text


def test_the_landing_page_shows_the_window_dates(app, client):
    today = date.today()
    media_edition(opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=20))
    page = visible_text(client.get(landing_path()))
    assert "Applications are open until" in page
    assert "(included)" in page


def test_a_closed_window_is_explained_and_no_form_is_offered(app, client, jane):
    closed_on = date.today() - timedelta(days=2)
    media_edition(opens_on=date.today() - timedelta(days=30), closes_on=closed_on)
    landing = visible_text(client.get(landing_path()))
    assert "Applications for media accreditation closed on" in landing
    assert "Apply for accreditation" not in landing

    logged_in(client)
    page = client.get(application_path())
    assert "closed on" in visible_text(page)
    assert 'name="full_name"' not in page.text
    # A crafted post is refused by the service, with the same explanation.
    token = action_token(client, landing_path())
    response = client.post(application_path(), data={**TYPED, "csrf_token": token})
    assert "closed on" in visible_text(response)
    assert own_application() is None


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, edition, jane):
    response = client.get(application_path())
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query)["next"] == [application_path()]

    for path in (document_path(1), f"{application_path()}/documents/1/remove"):
        assert client.get(path).status_code in (302, 405)
    assert urlsplit(client.get(document_path(1)).headers["Location"]).path == "/account/login"


# --- Starting and editing ------------------------------------------------------------------


def test_a_journalist_starts_an_application_as_a_draft(client, edition, jane):
    logged_in(client)
    form = client.get(application_path())
    assert form.status_code == 200
    assert form_values(form)["full_name"] == "Jane Reporter"  # from the account
    # The consent box has the purpose and the retention beside it.
    assert "privacy-notice" in form.text
    assert "deleted 90 days after the event" in visible_text(form)

    response = start(client)
    assert response.status_code == 302
    page = client.get(application_path())
    text = visible_text(page)
    assert "Status: Draft" in text
    assert "Submit my application" in text
    application = own_application()
    assert application is not None
    assert application.status == ApplicationStatus.DRAFT
    assert application.outlet_name == "Daily Wire"
    assert application.bylines == [TYPED["byline_1"]]
    assert application.consent_at is not None
    # The edit form shows what is saved.
    values = form_values(page)
    assert values["outlet_name"] == "Daily Wire"
    assert values["byline_1"] == TYPED["byline_1"]


def test_a_refused_start_keeps_what_was_typed(client, edition, jane):
    logged_in(client)
    response = start(client, outlet_website="dailywire dot org")
    assert response.status_code == 200
    assert "Give a full web address starting with https://" in visible_text(response)
    values = form_values(response)
    assert values["outlet_website"] == "dailywire dot org"
    assert values["outlet_name"] == "Daily Wire"
    assert own_application() is None


def test_a_bad_link_is_shown_on_its_field_and_nothing_saved_is_lost(client, edition, jane):
    logged_in(client)
    application = drafted(client)
    before = snapshot(application.id)

    response = edit(client, outlet_name="Evening Wire", byline_2="not a link")
    assert response.status_code == 200
    assert "Please correct the fields marked below." in visible_text(response)
    # The message sits on the second link's field, and everything typed is still there.
    assert 'id="byline_2-errors"' in response.text
    values = form_values(response)
    assert values["byline_2"] == "not a link"
    assert values["outlet_name"] == "Evening Wire"
    assert snapshot(application.id) == before

    assert (
        edit(client, outlet_name="Evening Wire", byline_2="https://ew.example.org/x").status_code
        == 302
    )
    saved = own_application()
    assert saved is not None
    assert saved.outlet_name == "Evening Wire"
    assert saved.bylines == [TYPED["byline_1"], "https://ew.example.org/x"]


# --- Documents -----------------------------------------------------------------------------


def test_upload_a_pdf_download_it_and_remove_it(app, client, edition, jane):
    logged_in(client)
    drafted(client)

    response = upload(client, "letter_of_assignment", PDF, "letter.pdf")
    assert response.status_code == 302
    page = visible_text(client.get(application_path()))
    assert "Letter of assignment uploaded: letter.pdf." in page
    saved = own_application()
    assert saved is not None
    [document] = saved.documents
    assert document.kind == DocumentKind.LETTER_OF_ASSIGNMENT
    document_id = document.id
    assert len(stored_files(app)) == 1

    download = client.get(document_path(document_id))
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("inline")
    assert "letter.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"

    token = action_token(client, application_path())
    removed = client.post(
        f"{application_path()}/documents/{document_id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 302
    assert "The document is removed." in visible_text(client.get(application_path()))
    assert own_application().documents == []  # type: ignore[union-attr]
    assert stored_files(app) == []
    assert client.get(document_path(document_id)).status_code == 404


def test_a_photo_is_served_as_an_image(client, edition, jane):
    logged_in(client)
    drafted(client)
    assert upload(client, "photo", png(), "me.png", declared_type="image/png").status_code == 302
    [document] = own_application().documents  # type: ignore[union-attr]
    download = client.get(document_path(document.id))
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("inline")
    assert download.data.startswith(b"\x89PNG")


def test_a_file_name_in_any_language_is_kept_for_the_download(client, edition, jane):
    logged_in(client)
    drafted(client)
    assert (
        upload(client, "letter_of_assignment", PDF, "lettre d'affectation é.pdf").status_code == 302
    )
    [document] = own_application().documents  # type: ignore[union-attr]
    disposition = client.get(document_path(document.id)).headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''lettre%20d%27affectation%20%C3%A9.pdf" in disposition


@pytest.mark.parametrize(
    ("kind", "data", "filename", "declared", "message"),
    [
        ("letter_of_assignment", EXECUTABLE, "letter.pdf", "application/pdf",
         "The letter of assignment must be a PDF file"),
        ("photo", b"<html><script>alert(1)</script></html>", "me.png", "image/png",
         "The photo must be a JPEG or PNG image"),
        ("press_card", b"", "card.pdf", "application/pdf", "The file is empty"),
    ],
    ids=["executable-named-pdf", "html-declared-png", "empty"],
)  # fmt: skip
def test_a_refused_file_gets_a_message_and_changes_nothing(
    app, client, edition, jane, kind, data, filename, declared, message
):
    logged_in(client)
    application = drafted(client)
    assert upload(client, "press_card", PDF, "card.pdf").status_code == 302
    before, files = snapshot(application.id), stored_files(app)

    response = upload(client, kind, data, filename, declared_type=declared)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert snapshot(application.id) == before
    assert stored_files(app) == files


def test_choosing_no_file_or_no_kind_is_explained(client, edition, jane):
    logged_in(client)
    drafted(client)
    token = action_token(client, application_path())
    response = client.post(
        f"{application_path()}/documents",
        data={"csrf_token": token, "kind": "press_card"},
        content_type="multipart/form-data",
    )
    assert "Choose a file to upload." in visible_text(response)
    response = upload(client, "", PDF, "card.pdf")
    assert "Say which document this is." in visible_text(response)
    assert own_application().documents == []  # type: ignore[union-attr]


def test_one_byte_over_the_limit_reaches_the_form_with_a_clear_message(app, client, edition, jane):
    """With the default 5 MB limit: the request cap leaves room for the multipart framing."""
    logged_in(client)
    application = drafted(client)
    before = snapshot(application.id)
    limit = 5 * 1024 * 1024

    response = upload(client, "letter_of_assignment", pdf_of_size(limit + 1), "big.pdf")
    assert response.status_code == 200
    assert "The file is too large (5.1 MB); at most 5 MB is accepted." in visible_text(response)
    assert snapshot(application.id) == before
    assert stored_files(app) == []

    # Exactly at the limit is accepted.
    assert upload(client, "letter_of_assignment", pdf_of_size(limit), "ok.pdf").status_code == 302


def test_a_huge_body_gets_a_413_page_and_changes_nothing(app, client, edition, jane, small_uploads):
    logged_in(client)
    application = drafted(client)
    before = snapshot(application.id)

    response = upload(client, "letter_of_assignment", pdf_of_size(2 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    text = visible_text(response)
    assert "The file is too large" in text
    assert "Each file may be at most 0.0625 MB." in text
    assert "Back to your application" in text
    assert snapshot(application.id) == before
    assert stored_files(app) == []


def test_a_body_announcing_more_than_the_cap_is_refused_before_it_is_read(
    client, edition, jane, small_uploads
):
    logged_in(client)
    application = drafted(client)
    before = snapshot(application.id)
    token = action_token(client, application_path())
    body, content_type = multipart_body(token, "press_card", PDF, "card.pdf")
    response = post_raw(
        client, f"{application_path()}/documents", body, content_type,
        content_length=100 * 1024 * 1024,
    )  # fmt: skip
    assert response.status_code == 413
    assert "The file is too large" in visible_text(response)
    assert snapshot(application.id) == before


def test_a_truncated_upload_gets_a_clear_message_and_changes_nothing(app, client, edition, jane):
    logged_in(client)
    application = drafted(client)
    assert upload(client, "photo", png(), "me.png").status_code == 302
    before, files = snapshot(application.id), stored_files(app)
    token = action_token(client, application_path())
    body, content_type = multipart_body(token, "letter_of_assignment", pdf_of_size(20_000), "l.pdf")

    # The client announced the whole body but sent only half of it, then went away.
    cut = body[: len(body) // 2]
    response = post_raw(
        client, f"{application_path()}/documents", cut, content_type, content_length=len(body)
    )
    assert response.status_code == 400
    text = visible_text(response)
    assert "The upload broke off" in text
    assert "nothing was saved and your application is as it was" in text
    assert snapshot(application.id) == before
    assert stored_files(app) == files


def test_a_multipart_body_that_never_closes_gets_the_same_message(app, client, edition, jane):
    logged_in(client)
    application = drafted(client)
    before = snapshot(application.id)
    token = action_token(client, application_path())
    body, content_type = multipart_body(token, "letter_of_assignment", PDF, "letter.pdf")

    # Complete as announced, but the closing boundary is missing.
    broken = body[: body.rindex(b"\r\n--")]
    response = post_raw(
        client, f"{application_path()}/documents", broken, content_type, content_length=len(broken)
    )
    assert response.status_code == 400
    assert "The upload broke off" in visible_text(response)
    assert snapshot(application.id) == before
    assert stored_files(app) == []


# --- Submitting ----------------------------------------------------------------------------


def test_submitting_an_incomplete_application_says_what_is_missing(client, edition, jane):
    logged_in(client)
    application = drafted(client)

    response = submit(client)
    assert response.status_code == 200
    assert "Add a photo of yourself for the badge." in visible_text(response)

    assert upload(client, "photo", png(), "me.png").status_code == 302
    response = submit(client)
    assert "Add your evidence" in visible_text(response)

    assert upload(client, "press_card", PDF, "card.pdf").status_code == 302
    # A press card that has expired: the message sits on the expiry date's field.
    expired = (date.today() - timedelta(days=3)).isoformat()
    assert edit(client, press_card_expires_on=expired).status_code == 302
    response = submit(client)
    assert "Your press card expired on" in visible_text(response)
    assert 'id="press_card_expires_on-errors"' in response.text

    # Without consent nothing is sent either.
    future = (date.today() + timedelta(days=100)).isoformat()
    values = {**form_values(client.get(application_path())), "press_card_expires_on": future}
    values.pop("consent", None)
    assert client.post(application_path(), data=values).status_code == 302
    response = submit(client)
    assert "We need your consent" in visible_text(response)

    saved = own_application()
    assert saved is not None and saved.id == application.id
    assert saved.status == ApplicationStatus.DRAFT
    assert saved.submitted_at is None


def test_submitting_a_complete_application_acknowledges_it_by_mail(client, edition, jane, mail):
    logged_in(client)
    complete_draft(client)

    response = submit(client)
    assert response.status_code == 302
    page = client.get(application_path())
    text = visible_text(page)
    assert "Your application is submitted. We sent you an acknowledgement by e-mail." in text
    assert "Status: Submitted" in text
    assert "being reviewed" in text
    # Not editable any more: no edit form, no upload form, no remove buttons.
    assert 'name="full_name"' not in page.text
    assert 'id="upload-form"' not in page.text
    assert "/remove" not in page.text
    # The documents can still be opened.
    document = own_application().documents[0]  # type: ignore[union-attr]
    assert client.get(document_path(document.id)).status_code == 200

    [message] = [m for m in mail.wait_for(1) if m["To"] == JOURNALIST]
    assert "application received" in message["Subject"]
    assert "/editions/telecom-world-next/media/application" in body_of(message)

    # Editing after submission is refused and changes nothing.
    before = snapshot(own_application().id)  # type: ignore[union-attr]
    token = action_token(client, application_path())
    response = client.post(
        application_path(), data={**TYPED, "csrf_token": token, "outlet_name": "X"}
    )
    assert response.status_code == 302
    assert "can no longer be changed" in visible_text(client.get(application_path()))
    assert snapshot(own_application().id) == before  # type: ignore[union-attr]


def test_answering_a_request_for_information(client, edition, jane, mail):
    reviewer = make_user("rita@itu.example", roles={Role.MEDIA_REVIEWER}, full_name="Rita Reviewer")
    logged_in(client)
    application = drafted(client)
    assert upload(client, "photo", png(), "me.png").status_code == 302
    assert upload(client, "letter_of_assignment", PDF, "letter.pdf").status_code == 302
    assert submit(client).status_code == 302

    review.take_for_review(db.session.get(MediaApplication, application.id), actor=reviewer)
    review.request_information(
        db.session.get(MediaApplication, application.id),
        "Please add your press card and a link to a recent piece.",
        actor=reviewer,
    )

    page = client.get(application_path())
    text = visible_text(page)
    assert "Status: Information requested" in text
    assert "Please add your press card and a link to a recent piece." in text
    assert "Resubmit my application" in text
    assert 'name="full_name"' in page.text  # editable again

    assert edit(client, byline_2="https://dailywire.example.org/2015/06/itu").status_code == 302
    assert upload(client, "press_card", png(), "card.png").status_code == 302
    response = submit(client)
    assert response.status_code == 302
    page = visible_text(client.get(application_path()))
    assert "Your application is resubmitted." in page
    assert "Status: Resubmitted" in page
    # The history shows every step.
    history = page[page.index("History") :]
    for status in ("Submitted", "In review", "Information requested", "Resubmitted"):
        assert status in history

    saved = own_application()
    assert saved is not None
    assert saved.status == ApplicationStatus.RESUBMITTED
    assert {d.kind for d in saved.documents} == {
        DocumentKind.PHOTO,
        DocumentKind.LETTER_OF_ASSIGNMENT,
        DocumentKind.PRESS_CARD,
    }
    assert saved.bylines[-1] == "https://dailywire.example.org/2015/06/itu"


def test_the_decision_is_shown_and_the_application_is_read_only(client, edition, jane):
    reviewer = make_user("rita@itu.example", roles={Role.MEDIA_REVIEWER}, full_name="Rita Reviewer")
    logged_in(client)
    application = complete_draft(client)
    assert submit(client).status_code == 302
    review.take_for_review(db.session.get(MediaApplication, application.id), actor=reviewer)
    review.approve(db.session.get(MediaApplication, application.id), actor=reviewer)

    page = client.get(application_path())
    text = visible_text(page)
    assert "Status: Approved" in text
    assert "You are accredited." in text
    assert 'href="/my/registrations"' in page.text
    assert 'name="full_name"' not in page.text
    assert "Submit my application" not in text
    assert "Daily Wire" in text  # what was sent, read-only

    review.revoke(
        db.session.get(MediaApplication, application.id),
        "Press card reported stolen.",
        actor=reviewer,
    )
    text = visible_text(client.get(application_path()))
    assert "Status: Revoked" in text
    assert "your media badge is no longer valid" in text
    assert "Press card reported stolen." in text


def test_a_rejection_shows_its_reason(client, edition, jane):
    reviewer = make_user("rita@itu.example", roles={Role.MEDIA_REVIEWER}, full_name="Rita Reviewer")
    logged_in(client)
    application = complete_draft(client)
    assert submit(client).status_code == 302
    review.take_for_review(db.session.get(MediaApplication, application.id), actor=reviewer)
    review.reject(
        db.session.get(MediaApplication, application.id),
        RejectionReason.MARKETING_ROLE,
        actor=reviewer,
    )
    text = visible_text(client.get(application_path()))
    assert "Status: Rejected" in text
    assert "Reason: Marketing, PR or sales role." in text


# --- Who may see what ----------------------------------------------------------------------


def test_another_journalist_cannot_open_or_remove_the_files_by_guessing_ids(
    app, client, edition, jane
):
    logged_in(client)
    complete_draft(client)
    documents = own_application().documents  # type: ignore[union-attr]
    files = stored_files(app)

    make_user("bob@other.example", full_name="Bob Other")
    bob = app.test_client()
    log_in(bob, "bob@other.example")
    # Without an application of his own, and with one.
    for document in documents:
        assert bob.get(document_path(document.id)).status_code == 404
    start(bob, full_name="Bob Other")
    for document in documents:
        response = bob.get(document_path(document.id))
        assert response.status_code == 404
        assert PDF not in response.data
        token = action_token(bob, application_path())
        response = bob.post(
            f"{application_path()}/documents/{document.id}/remove", data={"csrf_token": token}
        )
        assert response.status_code == 404
    assert bob.get(document_path(documents[-1].id + 1000)).status_code == 404
    # Bob's page shows nothing of Jane's.
    assert "Daily Wire" not in visible_text(bob.get(application_path()))
    assert len(own_application().documents) == 2  # type: ignore[union-attr]
    assert stored_files(app) == files


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(app, client, edition, jane):
    logged_in(client)
    application = complete_draft(client)
    before, files = snapshot(application.id), stored_files(app)
    document_id = before["documents"][0][0]

    refused = [
        client.post(application_path(), data={**TYPED, "outlet_name": "Forged"}),
        client.post(
            f"{application_path()}/documents",
            data={"kind": "press_card", "file": (io.BytesIO(PDF), "x.pdf")},
            content_type="multipart/form-data",
        ),
        client.post(f"{application_path()}/documents/{document_id}/remove"),
        client.post(f"{application_path()}/submit"),
    ]
    for response in refused:
        assert response.status_code == 400
        assert "security token is missing or expired" in visible_text(response)
    assert snapshot(application.id) == before
    assert stored_files(app) == files


def test_the_landing_page_leads_an_applicant_back_to_their_application(client, edition, jane):
    logged_in(client)
    drafted(client)
    text = visible_text(client.get(landing_path()))
    assert "Your application" in text
    assert "Status: Draft" in text
