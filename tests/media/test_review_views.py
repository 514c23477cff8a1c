"""Media reviewers work through the queue, read the evidence in the browser and decide;
organizers allow late applications and set the application window.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaSettings,
    OutletType,
    RejectionReason,
)
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from tests.core import form_values, visible_text
from tests.helpers import csrf_token_from, html, log_in, make_edition, make_organizer, make_user
from tests.media.support_review import (
    MEDIA_LIST,
    PDF_BYTES,
    QUEUE,
    SETTINGS,
    add_document,
    application_url,
    document_url,
    make_application,
    make_reviewer,
    png_bytes,
    status_of,
)

S = ApplicationStatus


@pytest.fixture
def edition(app) -> Edition:  # type: ignore[no-untyped-def]
    return make_edition()


@pytest.fixture
def reviewer(client, edition):  # type: ignore[no-untyped-def]
    user = make_reviewer()
    log_in(client, "reviewer@example.org")
    return user


def names_listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The applicants' names in the queue's table, top to bottom."""
    table = re.search(r'<table[^>]*id="applications".*?</table>', html(response), re.S)
    assert table, "the queue has no table"
    return re.findall(r'<a href="[^"]*/applications/\d+">([^<]+)</a>', table.group(0))


def post_action(client, application: MediaApplication, action: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    """Press one of the decision buttons of the application's page, as a browser would."""
    page = client.get(application_url(application))
    assert page.status_code == 200
    return client.post(
        f"{application_url(application)}/{action}",
        data={"csrf_token": csrf_token_from(html(page)), **(data or {})},
    )


def flashed(client, response) -> str:  # type: ignore[no-untyped-def]
    """What the user reads on the page the action led to."""
    assert response.status_code == 302, response.status_code
    return visible_text(client.get(response.headers["Location"]))


# --------------------------------------------------------------------------- the queue


@pytest.fixture
def crowd(edition):  # type: ignore[no-untyped-def]
    """Four submitted applications that differ in one way each, and one draft."""
    return {
        "anna": make_application(
            edition, "anna@print.example", full_name="Anna Print", outlet_name="Pester Lloyd",
            outlet_type=OutletType.PRINT, outlet_country="HU",
            submitted_at=datetime(2015, 8, 20, 10, 0, tzinfo=UTC),
        ),
        "bert": make_application(
            edition, "bert@tv.example", full_name="Bert Television", outlet_name="ZDF",
            outlet_type=OutletType.TV, outlet_country="DE", status=S.IN_REVIEW,
            submitted_at=datetime(2015, 9, 2, 10, 0, tzinfo=UTC),
            evidence=(DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD,
                      DocumentKind.PHOTO),
        ),
        "cleo": make_application(
            edition, "cleo@radio.example", full_name="Cleo Radio", outlet_name="Radio Kenya",
            outlet_type=OutletType.RADIO, outlet_country="KE", late=True,
            submitted_at=datetime(2015, 10, 5, 10, 0, tzinfo=UTC),
        ),
        "dora": make_application(
            edition, "dora@wire.example", full_name="Dora Wire", outlet_name="Agence Wire",
            outlet_type=OutletType.NEWS_AGENCY, outlet_country="FR", status=S.RESUBMITTED,
            submitted_at=datetime(2015, 9, 15, 10, 0, tzinfo=UTC), evidence=(),
        ),
        "draft": make_application(
            edition, "eve@draft.example", full_name="Eve Draft", status=S.DRAFT,
        ),
    }  # fmt: skip


def test_the_queue_shows_submitted_applications_first_come_first_served(client, reviewer, crowd):
    response = client.get(QUEUE)

    assert response.status_code == 200
    # Oldest submission first; the draft is the applicant's own business.
    assert names_listed(response) == ["Anna Print", "Bert Television", "Dora Wire", "Cleo Radio"]
    page = html(response)
    row = re.search(rf'<tr id="application-{crowd["bert"].id}">.*?</tr>', page, re.S)
    assert row
    cells = [
        visible_text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    ]
    assert cells[:4] == ["Bert Television", "ZDF", "Television", "Germany"]
    assert cells[5:] == ["", "In review", "2"]  # not late; letter + press card (not the photo)
    assert cells[4].startswith("Sep 2, 2015")
    cleo = re.search(rf'<tr id="application-{crowd["cleo"].id}">.*?</tr>', page, re.S)
    assert cleo and "Late" in cleo.group(0)


def visible_text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "in_review"}, ["Bert Television"]),
        ({"status": "submitted"}, ["Anna Print", "Cleo Radio"]),
        ({"outlet_type": "radio"}, ["Cleo Radio"]),
        ({"country": "FR"}, ["Dora Wire"]),
        ({"submitted_from": "2015-09-02"}, ["Bert Television", "Dora Wire", "Cleo Radio"]),
        ({"submitted_to": "2015-09-02"}, ["Anna Print", "Bert Television"]),
        (
            {"submitted_from": "2015-09-01", "submitted_to": "2015-09-30"},
            ["Bert Television", "Dora Wire"],
        ),
        ({"late": "yes"}, ["Cleo Radio"]),
        ({"late": "no"}, ["Anna Print", "Bert Television", "Dora Wire"]),
        ({"search": "lloyd"}, ["Anna Print"]),
        ({"search": "dora@wire"}, ["Dora Wire"]),
        ({"search": "Eve"}, []),  # drafts stay hidden, even when searched for
    ],
    ids=lambda value: urlencode(value) if isinstance(value, dict) else None,
)
def test_each_filter_narrows_the_queue(client, reviewer, crowd, filters, expected):
    response = client.get(f"{QUEUE}?{urlencode(filters)}")

    assert response.status_code == 200
    assert names_listed(response) == expected
    # The form shows what is being filtered on.
    shown = form_values(response)
    for name, value in filters.items():
        assert shown.get(name) == value


def test_values_the_queue_cannot_read_are_ignored(client, reviewer, crowd):
    nonsense = {
        "status": "deleted", "outlet_type": "blog", "country": "ZZ", "late": "perhaps",
        "submitted_from": "2015-13-45", "submitted_to": "yesterday", "page": "-3",
        "search": "",
    }  # fmt: skip

    response = client.get(f"{QUEUE}?{urlencode(nonsense)}")

    assert response.status_code == 200
    assert names_listed(response) == ["Anna Print", "Bert Television", "Dora Wire", "Cleo Radio"]
    assert "Not a date: this filter was ignored." in visible_text(response)
    # Repeated or oddly typed parameters are not errors either.
    assert client.get(f"{QUEUE}?status=&status=x&late=YES&page=999").status_code == 200


def test_the_queue_pages_through_many_applications(client, reviewer, edition):
    for number in range(52):
        make_application(
            edition, f"journalist{number:02d}@example.org", full_name=f"Journalist {number:02d}",
            submitted_at=datetime(2015, 9, 1, 8, number, tzinfo=UTC), evidence=(),
            with_account=False,
        )  # fmt: skip

    first = client.get(QUEUE)
    second = client.get(f"{QUEUE}?page=2")

    assert len(names_listed(first)) == 50
    assert names_listed(second) == ["Journalist 50", "Journalist 51"]
    assert "Page 2 of 2" in visible_text(second)
    assert "52 applications" in visible_text(first)


# --------------------------------------------------------------------------- one application


def test_the_application_page_shows_every_field_and_the_evidence_inline(client, reviewer, edition):
    application = make_application(
        edition,
        bylines=["https://daily.example/5g", "javascript:alert(1)"],
        evidence=(DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PHOTO),
    )
    card = add_document(application, DocumentKind.PRESS_CARD, png_bytes((200, 10, 10)))
    letter, photo = application.documents[0], application.documents[1]

    response = client.get(application_url(application))

    assert response.status_code == 200
    page = html(response)
    text = visible_text(response)
    for value in (
        "Jana Journalist", "jana@daily.example", "Technology correspondent", "Reporter",
        "Hungary", "+36 1 555 0100", "Daily Danube", "Print", "PC-2015-0042",
        "Dec 31, 2016", "Submitted", "Letter of assignment", "Press card", "Photo for the badge",
    ):  # fmt: skip
        assert value in text, value
    # The evidence is shown in the page: the PDF in a frame, images as images.
    assert f'<iframe src="{document_url(letter)}"' in page
    assert f'<img src="{document_url(card)}"' in page
    assert f'<img src="{document_url(photo)}"' in page
    # Bylines open elsewhere, without handing our page to the other site.
    assert (
        '<a href="https://daily.example/5g" target="_blank" rel="noopener noreferrer nofollow">'
        in page
    )
    assert 'href="javascript:' not in page
    assert "javascript:alert(1)" in text
    # The history so far: the applicant's submission.
    history = page[page.index('id="history"') :]
    assert "Draft → Submitted" in visible_text_of(history)


def test_the_document_route_serves_the_file_inline_and_safely(client, reviewer, edition):
    application = make_application(edition)
    letter, photo = application.documents

    response = client.get(document_url(letter))

    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"

    image = client.get(document_url(photo))
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")

    # The page holding the frame keeps the site's own policy (it is not framed itself).
    assert client.get(application_url(application)).headers["X-Frame-Options"] == "DENY"


def test_a_document_is_only_found_under_its_own_application(client, reviewer, edition):
    jana = make_application(edition)
    other = make_application(edition, "omar@example.org", full_name="Omar Other")
    draft = make_application(edition, "dan@example.org", full_name="Dan Draft", status=S.DRAFT)

    wrong_pairs = [
        f"{QUEUE}/{other.id}/documents/{jana.documents[0].id}",
        f"{QUEUE}/{draft.id}/documents/{draft.documents[0].id}",
        f"{QUEUE}/{jana.id}/documents/999999",
        f"{QUEUE}/999999/documents/{jana.documents[0].id}",
    ]
    for path in wrong_pairs:
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"%PDF" not in response.data
    assert client.get(f"{QUEUE}/{draft.id}").status_code == 404


def test_a_purged_file_is_announced_not_shown(client, reviewer, edition):
    application = make_application(edition)
    letter = application.documents[0]
    letter.stored_name = None
    letter.purged_at = datetime(2016, 1, 14, 12, 0, tzinfo=UTC)
    commit()

    page = client.get(application_url(application))
    response = client.get(document_url(letter))

    assert "This file was deleted on" in visible_text(page)
    assert f'<iframe src="{document_url(letter)}"' not in html(page)
    assert response.status_code == 404
    assert "deleted" in visible_text(response)


# --------------------------------------------------------------------------- decisions


def buttons(client, application: MediaApplication) -> set[str]:  # type: ignore[no-untyped-def]
    page = html(client.get(application_url(application)))
    return set(re.findall(rf'action="{re.escape(application_url(application))}/([a-z-]+)"', page))


def test_only_the_actions_allowed_now_are_offered(client, reviewer, edition):
    cases = {
        S.SUBMITTED: {"take"},
        S.RESUBMITTED: {"take"},
        S.IN_REVIEW: {"request-information", "approve", "reject"},
        S.INFO_REQUESTED: set(),
        S.APPROVED: {"revoke"},
        S.REJECTED: set(),
        S.REVOKED: set(),
    }
    for number, (status, expected) in enumerate(cases.items()):
        application = make_application(
            edition, f"case{number}@example.org", status=status, evidence=(), with_account=False
        )
        assert buttons(client, application) == expected, status


def test_a_reviewer_takes_an_application_asks_for_more_and_the_applicant_is_told(
    client, reviewer, edition, mail
):
    application = make_application(edition)

    taken = post_action(client, application, "take")

    assert "You are reviewing this application." in flashed(client, taken)
    assert status_of(application.id) == S.IN_REVIEW
    page = visible_text(client.get(application_url(application)))
    assert "Reviewer Rita Reviewer" in page

    empty = post_action(client, application, "request-information", {"info-message": "  "})
    assert empty.status_code == 400
    assert "Say what the applicant should add or correct." in visible_text(empty)
    assert status_of(application.id) == S.IN_REVIEW

    asked = post_action(
        client, application, "request-information",
        {"info-message": "Please add your press card.\nThe letter is unsigned."},
    )  # fmt: skip

    assert "asked for more information" in flashed(client, asked)
    assert status_of(application.id) == S.INFO_REQUESTED
    page = client.get(application_url(application))
    assert "Please add your press card.<br>The letter is unsigned." in html(page)
    assert "In review → Information requested" in visible_text(page)
    messages = mail.wait_for(2)
    assert [m["To"] for m in messages] == ["jana@daily.example"] * 2
    assert "Please add your press card." in messages[-1].get_body(("plain",)).get_content()


def test_approving_grants_the_media_registration_and_mails_the_badge(
    client, reviewer, edition, mail
):
    application = make_application(edition, status=S.IN_REVIEW)

    approved = post_action(client, application, "approve")

    assert "Accreditation approved" in flashed(client, approved)
    assert status_of(application.id) == S.APPROVED
    stored = db.session.get(MediaApplication, application.id)
    registration = db.session.get(Registration, stored.registration_id)
    assert registration.category == RegistrationCategory.MEDIA
    assert registration.status == RegistrationStatus.CONFIRMED
    (message,) = mail.wait_for(1)
    assert message["To"] == "jana@daily.example"
    assert any(part.get_content_type() == "application/pdf" for part in message.iter_attachments())
    assert buttons(client, application) == {"revoke"}

    missing = post_action(client, application, "revoke", {"revoke-reason": ""})
    assert missing.status_code == 400
    assert "Give the reason for revoking the accreditation." in visible_text(missing)

    revoked = post_action(
        client, application, "revoke", {"revoke-reason": "Works for the sponsor's PR agency."}
    )

    assert "Accreditation revoked" in flashed(client, revoked)
    assert status_of(application.id) == S.REVOKED
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED
    assert "Works for the sponsor's PR agency." in visible_text(
        client.get(application_url(application))
    )


def test_rejecting_needs_a_reason_and_a_note_for_other(client, reviewer, edition, mail):
    application = make_application(edition, status=S.IN_REVIEW)

    no_reason = post_action(client, application, "reject", {"reject-reason": ""})
    other_without_note = post_action(
        client, application, "reject", {"reject-reason": "other", "reject-note": ""}
    )
    unknown_reason = post_action(client, application, "reject", {"reject-reason": "too-late"})

    assert no_reason.status_code == 400
    assert "Choose a reason." in visible_text(no_reason)
    assert other_without_note.status_code == 400
    assert "Explain the reason when you choose “Other”." in visible_text(other_without_note)
    assert unknown_reason.status_code == 400
    assert status_of(application.id) == S.IN_REVIEW
    # What was chosen is still there to correct.
    assert '<option selected value="other">' in html(other_without_note)

    rejected = post_action(
        client, application, "reject",
        {"reject-reason": RejectionReason.MARKETING_ROLE.value, "reject-note": "Sales manager."},
    )  # fmt: skip

    assert "Application rejected" in flashed(client, rejected)
    assert status_of(application.id) == S.REJECTED
    page = visible_text(client.get(application_url(application)))
    assert "Marketing, PR or sales role" in page
    assert "Sales manager." in page
    assert mail.wait_for(1)[0]["To"] == "jana@daily.example"


def test_a_forbidden_step_is_refused_with_a_clear_message_and_changes_nothing(
    client, reviewer, edition
):
    application = make_application(edition, status=S.REJECTED)
    token = csrf_token_from(html(client.get(QUEUE)))

    for action, data in (
        ("approve", {}),
        ("take", {}),
        ("revoke", {"revoke-reason": "Because."}),
        ("request-information", {"info-message": "More please."}),
        ("reject", {"reject-reason": "duplicate"}),
    ):
        response = client.post(
            f"{application_url(application)}/{action}", data={"csrf_token": token, **data}
        )
        text = flashed(client, response)
        assert "is not possible: the application is “Rejected”" in text, action
        assert status_of(application.id) == S.REJECTED

    stored = db.session.get(MediaApplication, application.id)
    assert [step.to_status for step in stored.steps] == [S.SUBMITTED]


def test_a_reviewer_cannot_decide_on_their_own_application(client, edition):
    make_reviewer()
    own = make_application(edition, "reviewer@example.org", with_account=False)
    from telecom.auth.services import get_user_by_email

    own.user_id = get_user_by_email("reviewer@example.org").id
    commit()
    log_in(client, "reviewer@example.org")

    response = post_action(client, own, "take")

    assert "You cannot review your own application" in flashed(client, response)
    assert status_of(own.id) == S.SUBMITTED


# --------------------------------------------------------------------------- late applications


def test_an_organizer_allows_a_late_application_from_the_queue(client, edition, mail):
    make_organizer()
    journalist = make_user("late@example.org", full_name="Lars Late")
    log_in(client, "organizer@example.org")

    unknown = client.post(
        f"{QUEUE}/allow-late",
        data={"csrf_token": csrf_token_from(html(client.get(QUEUE))),
              "late-email": "nobody@example.org"},
    )  # fmt: skip
    assert unknown.status_code == 400
    assert "There is no account with this e-mail address." in visible_text(unknown)

    response = client.post(
        f"{QUEUE}/allow-late",
        data={"csrf_token": csrf_token_from(html(client.get(QUEUE))),
              "late-email": " Late@Example.org "},
    )  # fmt: skip

    assert "may now apply although applications are closed" in flashed(client, response)
    db.session.rollback()
    draft = db.session.scalar(
        select(MediaApplication).where(MediaApplication.user_id == journalist.id)
    )
    assert draft is not None
    assert draft.status == S.DRAFT
    assert draft.late_allowed_by_id is not None
    assert mail.wait_for(1)[0]["To"] == "late@example.org"
    # Still a draft: the queue does not show it until it is submitted.
    assert names_listed(client.get(QUEUE)) == []


def test_a_reviewer_is_not_offered_late_permissions_and_cannot_grant_them(client, reviewer):
    make_user("late@example.org")
    page = client.get(QUEUE)
    assert "allow-late" not in html(page)

    response = client.post(
        f"{QUEUE}/allow-late",
        data={"csrf_token": csrf_token_from(html(page)), "late-email": "late@example.org"},
    )

    assert "You do not have permission to do this." in flashed(client, response)
    db.session.rollback()
    assert db.session.scalar(select(MediaApplication)) is None


# --------------------------------------------------------------------------- the media list


@pytest.fixture
def accredited(edition):  # type: ignore[no-untyped-def]
    approved = [
        ("ana@example.org", "Ana Print", OutletType.PRINT, "HU"),
        ("ben@example.org", "Ben Online", OutletType.ONLINE, "HU"),
        ("cat@example.org", '=HYPERLINK("http://evil.example")', OutletType.PRINT, "KE"),
    ]
    for email, name, outlet_type, country in approved:
        application = make_application(
            edition, email, full_name=name, outlet_type=outlet_type, outlet_country=country,
            status=S.APPROVED, evidence=(), with_account=False,
        )  # fmt: skip
        application.decided_at = datetime(2015, 10, 1, 8, 30, tzinfo=UTC)
    make_application(
        edition, "rex@example.org", full_name="Rex Rejected", status=S.REJECTED, evidence=(),
        with_account=False,
    )  # fmt: skip
    commit()


def test_the_media_list_counts_approved_accreditations_by_outlet_type_and_country(
    client, reviewer, accredited
):
    response = client.get(MEDIA_LIST)

    assert response.status_code == 200
    text = visible_text(response)
    assert "3 approved accreditations" in text
    assert "Print 2" in text and "Online 1" in text
    assert "Hungary 2" in text and "Kenya 1" in text
    assert "Ana Print" in text and "Rex Rejected" not in text
    assert "Oct 1, 2015" in text  # approved at 10:30 in Budapest


def test_the_media_list_exports_to_csv_safely(client, reviewer, accredited):
    response = client.get(f"{MEDIA_LIST}?format=csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Outlet", "Outlet type", "Outlet country", "Role", "Approved at"]
    names = [row[0] for row in rows[1:]]
    assert "Ana Print" in names and "Ben Online" in names
    assert '\'=HYPERLINK("http://evil.example")' in names  # never run as a formula
    assert "Rex Rejected" not in names
    ana = next(row for row in rows if row[0] == "Ana Print")
    assert ana[1:5] == ["Daily Danube", "Print", "Hungary", "Reporter"]
    assert ana[5].startswith("2015-10-01T10:30")


def test_the_media_list_exports_to_xlsx(client, reviewer, accredited):
    response = client.get(f"{MEDIA_LIST}?format=xlsx")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Name", "Outlet", "Outlet type", "Outlet country", "Role", "Approved at"]
    assert len(rows) == 4
    tricky = next(row for row in rows if str(row[0]).startswith("=HYPERLINK"))
    cell = next(c for c in sheet["A"] if c.value == tricky[0])
    assert cell.data_type == "s"  # text, not a formula
    ana = next(row for row in rows if row[0] == "Ana Print")
    assert ana[5] == datetime(2015, 10, 1, 10, 30)


def test_an_unknown_export_format_shows_the_page(client, reviewer, accredited):
    response = client.get(f"{MEDIA_LIST}?format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


# --------------------------------------------------------------------------- settings


def test_an_organizer_sets_the_application_window(client, edition):
    make_organizer()
    log_in(client, "organizer@example.org")
    page = client.get(SETTINGS)
    assert page.status_code == 200
    values = form_values(page)
    assert values["max_documents"] == "6" and values["retention_days"] == "90"

    values.update(
        applications_open_on="2015-06-01", applications_close_on="2015-09-30",
        max_documents="8", retention_days="60", contact_email="press@itu.example",
    )  # fmt: skip
    response = client.post(SETTINGS, data=values)

    assert "Media settings saved." in flashed(client, response)
    db.session.rollback()
    saved = db.session.scalar(select(MediaSettings).where(MediaSettings.edition_id == edition.id))
    assert saved is not None
    assert (saved.applications_open_on, saved.applications_close_on) == (
        date(2015, 6, 1), date(2015, 9, 30),
    )  # fmt: skip
    assert (saved.max_documents, saved.retention_days, saved.contact_email) == (
        8, 60, "press@itu.example",
    )  # fmt: skip
    assert form_values(client.get(SETTINGS))["applications_close_on"] == "2015-09-30"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"applications_open_on": "2015-09-30", "applications_close_on": "2015-06-01"},
         "Applications cannot close before they open"),
        ({"applications_open_on": "2015-02-30"}, "Not a valid date value."),
        ({"max_documents": "many"}, "Not a valid integer value."),
        ({"max_documents": "1"}, "must be between 3 and 30"),
        ({"retention_days": "-1"}, "must be between 0 and 3650"),
        ({"contact_email": "press at itu"}, "Enter a valid e-mail address."),
        ({"contact_email": ""}, "Give the address journalists can write to."),
    ],
    ids=["close-before-open", "bad-date", "not-a-number", "too-few", "negative", "email",
         "no-email"],
)  # fmt: skip
def test_settings_that_make_no_sense_are_refused_beside_the_field(client, edition, typed, message):
    make_organizer()
    log_in(client, "organizer@example.org")
    values = form_values(client.get(SETTINGS))
    values.update(typed)

    response = client.post(SETTINGS, data=values)

    assert response.status_code == 400
    text = visible_text(response)
    assert message in text
    assert "Nothing was saved" in text
    # The typed values stay on the form to correct them.
    shown = form_values(response)
    for name, value in typed.items():
        assert shown[name] == value
    db.session.rollback()
    assert db.session.scalar(select(MediaSettings)) is None
