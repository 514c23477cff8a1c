"""The speaker's pages, opened with the personal link read from the invitation mail.

No account: the signed token in the address is the only key. A link that no
longer works (tampered, replaced by a resend, withdrawn) gets a clear page,
never a 500; confirming stores the photo without its metadata and mails the
badge; a refused photo or a missing field keeps what was typed; uploads are
capped before the body is read; every page is private (no referrer, no cache).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from telecom.extensions import db
from telecom.forum.models import Speaker, SpeakerStatus
from telecom.forum.services import speakers
from telecom.participants.models import Registration, RegistrationCategory, RegistrationStatus
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from tests.core import form_values, path_for, rules_under, visible_text
from tests.forum.support_speakers import (
    EXECUTABLE,
    PROFILE,
    SPEAKER_EMAIL,
    confirm_typed,
    future_edition,
    image_of,
    invite,
    jpeg_with_exif,
    latest_link,
    mails_to,
    multipart_body,
    organizer,
    pdf_attachments,
    png_with_exif,
    post_form,
    post_raw,
    read_stored,
    registration_of,
    reload,
    session_with,
    stored_files,
)
from tests.helpers import csrf_token_from

PHOTOS = speakers.SPEAKER_PHOTOS_KIND


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return future_edition()


@pytest.fixture
def olga(app):  # type: ignore[no-untyped-def]
    return organizer()


@pytest.fixture
def grace(edition, olga, mail):  # type: ignore[no-untyped-def]
    return invite(edition, olga, job_title="CTO", organisation="NetLab Africa", country="NG")


@pytest.fixture
def link(grace, mail) -> str:  # type: ignore[no-untyped-def]
    """The path of the link in the invitation mail."""
    return latest_link(mail)


@pytest.fixture
def small_uploads(app):  # type: ignore[no-untyped-def]
    """A 64 KiB file limit (the media setting), so size tests need no megabytes."""
    app.config["MEDIA_MAX_UPLOAD_BYTES"] = 64 * 1024
    return 64 * 1024


def assert_private(response) -> None:  # type: ignore[no-untyped-def]
    """The token in the address is never passed on or kept by a cache."""
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, no-store"


def confirm(client, link: str, photo=None, **typed: str):  # type: ignore[no-untyped-def]
    photo = photo if photo is not None else (png_with_exif(300, 400), "grace.png")
    return post_form(client, link, confirm_typed(**typed), photo=photo, declared_type="image/png")


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


# --- The journey ----------------------------------------------------------------------------


def test_invited_confirmed_and_badged_through_the_mailed_link(app, client, grace, link, mail):
    page = client.get(link)
    assert page.status_code == 200
    assert_private(page)
    text = visible_text(page)
    assert "Grace Okafor" in text and "ITU TELECOM World Next" in text
    assert "delighted to invite you to speak" in text
    # What the organizer knew is already filled in.
    values = form_values(page)
    shown = [values[name] for name in ("full_name", "job_title", "organisation", "country")]
    assert shown == ["Grace Okafor", "CTO", "NetLab Africa", "NG"]
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="consent"' in page.text

    response = confirm(client, link)
    assert response.status_code == 302, visible_text(response)
    assert response.headers["Location"].endswith(f"{link}/profile")
    profile_page = client.get(f"{link}/profile")
    assert_private(profile_page)
    assert "Thank you for confirming. Your speaker badge has been sent to" in visible_text(
        profile_page
    )

    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.CONFIRMED
    assert speaker.bio == PROFILE["bio"].replace("\r\n", "\n")
    stored = read_stored(app, PHOTOS, speaker.photo_file)
    assert not image_of(stored).getexif()
    assert b"Leaky Camera Co" not in stored

    registration = registration_of(speaker)
    assert registration.category == RegistrationCategory.SPEAKER
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.forum_access is True
    assert registration.photo_file in stored_files(app, BADGE_PHOTOS_KIND)

    badge_mail = mails_to(mail, SPEAKER_EMAIL, 2)[-1]
    (pdf,) = pdf_attachments(badge_mail)
    assert pdf.startswith(b"%PDF")
    assert latest_link(mail) == link  # the same link leads back to the profile

    # The invitation page now leads to the profile.
    again = client.get(link)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"{link}/profile")


def test_the_confirmed_speaker_sees_and_changes_the_profile_and_photo(app, client, link, mail):
    assert confirm(client, link).status_code == 302
    page = client.get(f"{link}/profile")
    values = form_values(page)
    assert values["full_name"] == "Dr Grace Okafor"
    assert values["bio"] == PROFILE["bio"]
    assert "Leave the field empty to keep your current photo." in visible_text(page)

    photo = client.get(f"{link}/photo")
    assert photo.status_code == 200
    assert photo.mimetype == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert_private(photo)
    assert not image_of(photo.data).getexif()

    # A text change: saved, no new badge.
    response = post_form(client, f"{link}/profile", {"bio": "Grace builds rural networks."})
    assert response.status_code == 302
    assert "Your profile is saved." in visible_text(client.get(f"{link}/profile"))
    assert reload_speaker().bio == "Grace builds rural networks."
    assert len(mails_to(mail, SPEAKER_EMAIL)) == 2

    # A new photo: a new badge comes by mail.
    response = post_form(
        client, f"{link}/profile", {}, photo=(jpeg_with_exif(90, 120), "new.jpg"),
        declared_type="image/jpeg",
    )  # fmt: skip
    assert response.status_code == 302
    assert "Your badge with the new photo has been sent" in visible_text(
        client.get(f"{link}/profile")
    )
    assert client.get(f"{link}/photo").mimetype == "image/jpeg"
    assert len(pdf_attachments(mails_to(mail, SPEAKER_EMAIL, 3)[-1])) == 1


def reload_speaker() -> Speaker:
    db.session.expire_all()
    speaker = db.session.scalar(select(Speaker).where(Speaker.email == SPEAKER_EMAIL))
    assert speaker is not None
    return speaker


def test_the_page_lists_the_speakers_sessions_in_local_time(client, edition, grace, link):
    day = edition.start_date + timedelta(days=2)
    session_with(edition, grace, title="Spectrum for rural 5G", day=day, hour=14, minute=15)
    text = visible_text(client.get(link))
    assert "Your sessions" in text
    assert "Spectrum for rural 5G" in text
    assert "2:15" in text or "14:15" in text
    assert "Hall A" in text


# --- Links that do not work -----------------------------------------------------------------


def test_a_tampered_link_gets_a_clear_page(client, link):
    spoiled = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    response = client.get(spoiled)
    assert response.status_code == 404
    assert_private(response)
    text = visible_text(response)
    assert "This speaker link does not work" in text
    assert "This speaker link is not valid." in text


def test_a_superseded_link_says_to_use_the_latest_mail(client, grace, olga, link, mail):
    speakers.resend_invitation(grace, actor=olga)
    response = client.get(link)
    assert response.status_code == 404
    assert "replaced by a newer one" in visible_text(response)
    new = latest_link(mail)
    assert new != link
    assert client.get(new).status_code == 200


def test_a_withdrawn_invitation_says_so_and_a_post_changes_nothing(client, grace, olga, link):
    token = csrf_token_from(client.get(link).text)
    speakers.withdraw(grace, actor=olga)
    response = client.get(link)
    assert response.status_code == 404
    assert "withdrawn this invitation to speak" in visible_text(response)
    posted = client.post(
        link,
        data={**confirm_typed(), "csrf_token": token,
              "photo": (io.BytesIO(png_with_exif()), "me.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert posted.status_code == 404
    assert reload(grace).status == SpeakerStatus.WITHDRAWN
    assert registrations() == []


def test_every_speaker_address_refuses_a_bad_link_clearly(app, client, grace, link):
    """Every route under /speakers (one added later too) with a tampered token: a clear 404,
    private headers, never a 500 and never a change."""
    token = link.rsplit("/", 1)[-1]
    spoiled = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    page_token = csrf_token_from(client.get(link).text)
    rules = rules_under(app, "/speakers/")
    assert {rule.endpoint for rule in rules} >= {
        "forum_speaker.invitation", "forum_speaker.profile", "forum_speaker.decline",
        "forum_speaker.photo",
    }  # fmt: skip
    for rule in rules:
        path = path_for(app, rule, {"token": spoiled})
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={**confirm_typed(), "csrf_token": page_token})
            assert response.status_code == 404, f"{method} {rule.rule}"
            assert_private(response)
            assert "This speaker link does not work" in visible_text(response)
    assert reload(grace).status == SpeakerStatus.INVITED


# --- Declining ------------------------------------------------------------------------------


def test_declining_from_the_invitation(client, grace, link):
    response = post_form(
        client, f"{link}/decline", {"note": "Another conference that week."}, form_page=link
    )
    assert response.status_code == 302
    page = client.get(link)
    text = visible_text(page)
    assert "you have declined" in text
    assert "You have declined this invitation. If your plans have changed" in text
    assert reload(grace).status == SpeakerStatus.DECLINED
    # No decline button any more; confirming is still possible.
    assert 'id="decline-form"' not in page.text
    assert 'id="confirm-form"' in page.text


def test_a_confirmed_speaker_cancels_and_the_badge_stops_working(app, client, grace, link):
    assert confirm(client, link).status_code == 302
    response = post_form(client, f"{link}/decline", {"note": ""}, form_page=f"{link}/profile")
    assert response.status_code == 302
    assert "Your participation is cancelled and your badge no longer works" in visible_text(
        client.get(link)
    )
    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.DECLINED
    assert registration_of(speaker).status == RegistrationStatus.CANCELLED
    assert stored_files(app, PHOTOS) == []
    assert client.get(f"{link}/photo").status_code == 404
    # The profile page is for confirmed speakers only.
    assert client.get(f"{link}/profile").status_code == 302


# --- Refusals keep what was typed -----------------------------------------------------------


def test_a_wrong_file_type_is_explained_and_the_profile_is_kept(app, client, grace, link):
    response = confirm(client, link, photo=(EXECUTABLE, "me.png"), bio="My own words.")
    assert response.status_code == 200
    assert_private(response)
    text = visible_text(response)
    assert "The photo must be a JPEG or PNG image. This file is not one" in text
    values = form_values(response)
    assert values["full_name"] == "Dr Grace Okafor"
    assert values["bio"] == "My own words."
    assert values["country"] == "NG"
    assert values["consent"] == "y"
    assert reload(grace).status == SpeakerStatus.INVITED
    assert stored_files(app, PHOTOS) == []


def test_a_photo_just_over_the_limit_gets_its_message_on_the_form(
    app, client, grace, link, small_uploads
):
    over = b"\x89PNG\r\n\x1a\n" + b"\0" * (small_uploads + 1)
    response = confirm(client, link, photo=(over, "huge.png"), bio="Kept bio.")
    assert response.status_code == 200
    assert "The file is too large" in visible_text(response)
    assert form_values(response)["bio"] == "Kept bio."
    assert reload(grace).status == SpeakerStatus.INVITED


def test_a_huge_body_gets_a_413_page_and_changes_nothing(app, client, grace, link, small_uploads):
    response = confirm(client, link, photo=(b"\x89PNG\r\n\x1a\n" + b"\0" * 2_000_000, "x.png"))
    assert response.status_code == 413
    assert_private(response)
    text = visible_text(response)
    assert "The photo is too large" in text
    assert "The photo may be at most 0.0625 MB. Nothing was saved." in text
    assert "Back to your speaker page" in text
    assert reload(grace).status == SpeakerStatus.INVITED
    assert stored_files(app, PHOTOS) == []


def test_a_body_announcing_more_than_the_cap_is_refused_before_it_is_read(
    client, grace, link, small_uploads
):
    token = csrf_token_from(client.get(link).text)
    body, content_type = multipart_body(token, confirm_typed(), png_with_exif())
    response = post_raw(client, link, body, content_type, content_length=100 * 1024 * 1024)
    assert response.status_code == 413
    assert reload(grace).status == SpeakerStatus.INVITED


def test_an_upload_that_breaks_off_changes_nothing(app, client, grace, link):
    token = csrf_token_from(client.get(link).text)
    body, content_type = multipart_body(token, confirm_typed(), png_with_exif(400, 400))
    response = post_raw(client, link, body[: len(body) // 2], content_type,
                        content_length=len(body))  # fmt: skip
    assert response.status_code == 400
    assert_private(response)
    assert "The upload broke off" in visible_text(response)
    assert reload(grace).status == SpeakerStatus.INVITED

    never_closed = body[: body.rindex(b"\r\n--")]
    response = post_raw(client, link, never_closed, content_type,
                        content_length=len(never_closed))  # fmt: skip
    assert response.status_code == 400
    assert "The upload broke off" in visible_text(response)
    assert reload(grace).status == SpeakerStatus.INVITED
    assert stored_files(app, PHOTOS) == []


def test_missing_fields_keep_the_typed_profile_and_ask_for_the_photo_again(client, grace, link):
    response = confirm(client, link, bio="", consent="")
    assert response.status_code == 200
    text = visible_text(response)
    assert "Write a short biography: the programme shows it beside your name." in text
    assert "Agree to the publication of your profile to confirm" in text
    assert "choose the photo again" in text
    assert form_values(response)["organisation"] == "NetLab Africa"
    assert reload(grace).status == SpeakerStatus.INVITED


def test_confirming_without_a_photo_is_explained(client, grace, link):
    response = post_form(client, link, confirm_typed())
    assert response.status_code == 200
    assert "Upload a photo (JPEG or PNG)" in visible_text(response)
    assert "choose the photo again" not in visible_text(response)
    assert reload(grace).status == SpeakerStatus.INVITED


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(client, grace, link):
    response = client.post(
        link,
        data={**confirm_typed(), "photo": (io.BytesIO(png_with_exif()), "me.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert_private(response)
    assert "Form expired" in visible_text(response)
    assert client.post(f"{link}/decline", data={"note": "x"}).status_code == 400
    assert reload(grace).status == SpeakerStatus.INVITED
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_a_second_confirmation_leads_to_the_profile(client, grace, link):
    assert confirm(client, link).status_code == 302
    page = client.get(f"{link}/profile")
    assert page.status_code == 200
    # The confirmation form posted again (a double click, the back button) changes nothing.
    response = client.post(
        link,
        data={**confirm_typed(), "csrf_token": csrf_token_from(page.text),
              "photo": (io.BytesIO(png_with_exif()), "again.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    assert "You have already confirmed" in visible_text(client.get(f"{link}/profile"))
    assert len(registrations()) == 1
