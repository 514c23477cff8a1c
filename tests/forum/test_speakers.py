"""Speaker services: invitation by organizers, the personal link, confirmation with a photo,
decline, withdrawal, profile updates, and what the public programme may show.

Mail is read from the local SMTP sink; photos are checked by decoding what
was stored; registrations and badges are the participants' real ones.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, Forbidden, NotFound
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.forum.models import SpeakerStatus
from telecom.forum.services import ForumError, speakers
from telecom.media.documents import BADGE_PHOTO_SIZE
from telecom.participants.models import RegistrationCategory, RegistrationStatus
from telecom.participants.services import badges, people
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from tests.concurrency import run_at_once
from tests.forum.support_speakers import (
    EXECUTABLE,
    SPEAKER_EMAIL,
    big_jpeg,
    future_edition,
    image_of,
    invite,
    jpeg_with_exif,
    link_in,
    mails_to,
    organizer,
    past_edition,
    pdf_attachments,
    png_with_exif,
    profile,
    read_stored,
    registration_of,
    reload,
    session_with,
    stored_files,
    text_of_mail,
)
from tests.helpers import make_user

PHOTOS = speakers.SPEAKER_PHOTOS_KIND


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return future_edition()


@pytest.fixture
def olga(app):  # type: ignore[no-untyped-def]
    return organizer()


@pytest.fixture
def grace(edition, olga, mail):  # type: ignore[no-untyped-def]
    """Grace Okafor has been invited (the invitation mail went out)."""
    return invite(edition, olga, job_title="CTO", organisation="NetLab Africa", country="NG")


def token_of(mail, address: str = SPEAKER_EMAIL, index: int = -1) -> str:  # type: ignore[no-untyped-def]
    return link_in(mails_to(mail, address)[index]).rsplit("/", 1)[-1]


def confirmed(speaker, photo: bytes | None = None):  # type: ignore[no-untyped-def]
    return speakers.confirm(
        speaker, profile(), photo=photo or png_with_exif(300, 400), photo_name="grace.png"
    )


def audit_actions(speaker) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "speakers", AuditEntry.object_id == str(speaker.id))
            .order_by(AuditEntry.id)
        )
    )


# --- Inviting -------------------------------------------------------------------------------


def test_an_invitation_mails_a_personal_link_that_opens_the_speaker(edition, olga, mail):
    speaker = invite(edition, olga, email="  Grace.Okafor@NetLab.example ", country="ng")
    assert speaker.email == SPEAKER_EMAIL
    assert speaker.status == SpeakerStatus.INVITED
    assert speaker.country == "NG"
    assert speaker.invited_at is not None

    (message,) = mails_to(mail, SPEAKER_EMAIL)
    assert message["Subject"] == "Invitation to speak at ITU TELECOM World Next"
    body = text_of_mail(message)
    assert "Dear Grace Okafor," in body
    assert "delighted to invite you to speak at the forum" in body
    assert "olga.organizer@itu.example" in body  # whom to ask
    path = link_in(message)
    assert path.startswith("/speakers/")
    assert speakers.speaker_from_token(path.rsplit("/", 1)[-1]).id == speaker.id
    assert audit_actions(speaker) == ["invite_speaker"]


def test_only_organizers_invite_resend_withdraw_and_list(app, edition, olga, grace):
    delegate = make_user("del@example.org")
    reviewer = make_user("rev@example.org", roles={Role.MEDIA_REVIEWER})
    data = speakers.SpeakerInvite(email="x@example.org", full_name="X")
    for actor in (None, delegate, reviewer):
        with pytest.raises(Forbidden):
            speakers.invite_speaker(edition, data, actor=actor)
        with pytest.raises(Forbidden):
            speakers.resend_invitation(grace, actor=actor)
        with pytest.raises(Forbidden):
            speakers.withdraw(grace, actor=actor)
        with pytest.raises(Forbidden):
            speakers.list_speakers(edition, actor=actor)
        with pytest.raises(Forbidden):
            speakers.get_speaker(edition, grace.id, actor=actor)
        # Someone who is not an organizer cannot answer on the speaker's behalf either.
        if actor is not None:
            with pytest.raises(Forbidden):
                speakers.confirm(grace, profile(), photo=png_with_exif(), actor=actor)
    assert [s.email for s in speakers.list_speakers(edition, actor=olga)] == [SPEAKER_EMAIL]
    assert reload(grace).status == SpeakerStatus.INVITED


def test_one_invitation_per_address_and_edition(edition, olga, grace, mail):
    with pytest.raises(Conflict) as refused:
        invite(edition, olga, email="GRACE.OKAFOR@netlab.example", full_name="G. Okafor")
    assert "grace.okafor@netlab.example is already invited to speak" in refused.value.message
    # Another edition may invite her too.
    other = future_edition("telecom-world-later", days_ahead=400)
    assert invite(other, olga).edition_id == other.id
    assert len(mails_to(mail, SPEAKER_EMAIL, 2)) == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "Enter the speaker's e-mail address."),
        ({"email": "grace@"}, "email", "Enter a valid e-mail address."),
        ({"full_name": "   "}, "full_name", "Enter the speaker's name."),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"job_title": "x" * 201}, "job_title", "Write at most 200 characters."),
    ],
)
def test_an_invitation_with_bad_details_names_the_field(edition, olga, changes, field, message):
    values = {"email": "ok@example.org", "full_name": "Ok", **changes}
    with pytest.raises(ForumError) as refused:
        speakers.invite_speaker(edition, speakers.SpeakerInvite(**values), actor=olga)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert speakers.list_speakers(edition, actor=olga) == []


def test_concurrent_invitations_of_one_address_make_one_speaker(
    app, mail, racing_app, edition, olga
):
    edition_id, organizer_id = edition.id, olga.id

    def invite_once() -> object:
        from telecom.auth.models import User
        from telecom.events.models import Edition

        actor = db.session.get(User, organizer_id)
        target = db.session.get(Edition, edition_id)
        return speakers.invite_speaker(
            target, speakers.SpeakerInvite(email=SPEAKER_EMAIL, full_name="Grace"), actor=actor
        )

    results, errors = run_at_once(racing_app, [invite_once] * 6)
    assert len(results) == 1
    assert len(errors) == 5 and all(isinstance(error, Conflict) for error in errors)
    assert len(speakers.list_speakers(edition, actor=olga)) == 1


# --- The personal link ----------------------------------------------------------------------


def test_a_tampered_or_foreign_link_is_not_valid(app, grace, mail):
    token = token_of(mail)
    not_valid = "This speaker link is not valid."
    foreign = URLSafeSerializer("another secret", salt=speakers.SPEAKER_SALT).dumps([grace.id, 1])
    other_salt = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="protocol-rsvp").dumps(
        [grace.id, 1]
    )
    odd_payload = URLSafeSerializer(
        current_app.config["SECRET_KEY"], salt=speakers.SPEAKER_SALT
    ).dumps({"id": grace.id})
    nobody = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=speakers.SPEAKER_SALT).dumps(
        [grace.id + 1000, 1]
    )
    for bad in (
        token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        token[:10],
        "",
        None,
        "x" * 1000,
        foreign,
        other_salt,
        odd_payload,
        nobody,
    ):
        with pytest.raises(NotFound) as refused:
            speakers.speaker_from_token(bad)
        assert refused.value.message.startswith(not_valid), bad
    assert speakers.speaker_from_token(token).id == grace.id


def test_a_resend_replaces_the_link(grace, olga, mail):
    old = token_of(mail)
    speakers.resend_invitation(grace, actor=olga)
    messages = mails_to(mail, SPEAKER_EMAIL, 2)
    assert messages[-1]["Subject"] == "ITU TELECOM World Next: your personal speaker link"
    assert "It replaces the link we sent before" in text_of_mail(messages[-1])
    new = token_of(mail)
    assert new != old
    with pytest.raises(NotFound) as refused:
        speakers.speaker_from_token(old)
    assert "replaced by a newer one" in refused.value.message
    assert speakers.speaker_from_token(new).id == grace.id
    assert audit_actions(grace) == ["invite_speaker", "resend_speaker_link"]


def test_a_withdrawn_invitation_kills_the_link_and_cannot_be_resent(grace, olga, mail):
    token = token_of(mail)
    speakers.withdraw(grace, actor=olga)
    assert reload(grace).status == SpeakerStatus.WITHDRAWN
    with pytest.raises(NotFound) as refused:
        speakers.speaker_from_token(token)
    assert "withdrawn this invitation" in refused.value.message
    with pytest.raises(Conflict):
        speakers.resend_invitation(grace, actor=olga)
    with pytest.raises(Conflict):
        speakers.withdraw(grace, actor=olga)
    with pytest.raises(Conflict):
        speakers.confirm(grace, profile(), photo=png_with_exif())


def test_a_withdrawn_speaker_can_be_invited_again_with_a_new_link(edition, grace, olga, mail):
    first = token_of(mail)
    speakers.withdraw(grace, actor=olga)
    again = invite(edition, olga, full_name="Grace N. Okafor")
    assert again.id == grace.id
    assert again.status == SpeakerStatus.INVITED
    assert again.full_name == "Grace N. Okafor"
    with pytest.raises(NotFound):
        speakers.speaker_from_token(first)
    assert speakers.speaker_from_token(token_of(mail)).id == grace.id


# --- Confirming -----------------------------------------------------------------------------


def test_confirming_with_a_photo_grants_a_speaker_badge_with_forum_access(app, grace, mail):
    speakers.confirm(grace, profile(), photo=png_with_exif(300, 400), photo_name="grace.png")
    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.CONFIRMED
    assert speaker.confirmed_at is not None
    assert (speaker.full_name, speaker.job_title, speaker.organisation, speaker.country) == (
        "Dr Grace Okafor", "Chief Technology Officer", "NetLab Africa", "NG",
    )  # fmt: skip
    assert speaker.bio.startswith("Grace leads NetLab's research on rural 5G.\n\nShe chairs")

    # The photo is kept without its camera details and location.
    assert stored_files(app, PHOTOS) == [speaker.photo_file]
    stored = read_stored(app, PHOTOS, speaker.photo_file)
    assert stored.startswith(b"\x89PNG")
    assert not image_of(stored).getexif()
    assert b"Leaky Camera Co" not in stored and b"secret comment" not in stored
    assert image_of(stored).size == (300, 400)

    # The person, and a confirmed speaker registration with forum access and the photo.
    person = people.find_person(SPEAKER_EMAIL)
    assert person is not None and person.full_name == "Dr Grace Okafor"
    registration = registration_of(speaker)
    assert registration is not None
    assert registration.person_id == person.id == speaker.person_id
    assert registration.category == RegistrationCategory.SPEAKER
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.forum_access is True
    assert registration.photo_file in stored_files(app, BADGE_PHOTOS_KIND)
    assert badges.badge_photo_data_uri(registration) is not None

    # The badge is mailed as a PDF.
    message = mails_to(mail, SPEAKER_EMAIL, 2)[-1]
    assert (
        message["Subject"] == "ITU TELECOM World Next: thank you for confirming, here is your badge"
    )
    body = text_of_mail(message)
    assert "Thank you for confirming that you will speak" in body
    assert "/speakers/" in body
    (pdf,) = pdf_attachments(message)
    assert pdf.startswith(b"%PDF")
    assert audit_actions(grace) == ["invite_speaker", "confirm_speaker"]


def test_a_large_jpeg_is_scaled_for_the_programme_and_the_badge(app, grace, mail):
    speakers.confirm(grace, profile(), photo=big_jpeg(2400, 1800), photo_name="big.jpg")
    speaker = reload(grace)
    assert speaker.photo_file.endswith(".jpg")
    programme = image_of(read_stored(app, PHOTOS, speaker.photo_file))
    assert programme.format == "JPEG"
    assert programme.size == (800, 600)
    badge = image_of(read_stored(app, BADGE_PHOTOS_KIND, registration_of(speaker).photo_file))
    assert badge.width <= BADGE_PHOTO_SIZE[0] and badge.height <= BADGE_PHOTO_SIZE[1]


def test_a_jpeg_with_exif_is_cleaned_too(app, grace, mail):
    speakers.confirm(grace, profile(), photo=jpeg_with_exif(60, 80), photo_name="me.jpg")
    stored = read_stored(app, PHOTOS, reload(grace).photo_file)
    assert stored.startswith(b"\xff\xd8\xff")
    assert not image_of(stored).getexif()
    assert b"Leaky Camera Co" not in stored and b"secret comment" not in stored


@pytest.mark.parametrize(
    ("photo", "name", "message"),
    [
        (EXECUTABLE, "grace.png", "The photo must be a JPEG or PNG image."),
        (b"%PDF-1.4\n%%EOF\n", "grace.pdf", "The photo must be a JPEG or PNG image."),
        (b"", "grace.png", "The file is empty."),
        (png_with_exif()[:60], "cut.png", "This image is damaged or incomplete"),
    ],
)
def test_a_refused_photo_names_the_photo_field_and_changes_nothing(
    app, grace, mail, photo, name, message
):
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(), photo=photo, photo_name=name)
    assert refused.value.field == "photo"
    assert refused.value.message.startswith(message)
    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.INVITED
    assert speaker.bio == "" and speaker.photo_file is None and speaker.registration_id is None
    assert stored_files(app, PHOTOS) == stored_files(app, BADGE_PHOTOS_KIND) == []
    assert len(mails_to(mail, SPEAKER_EMAIL)) == 1


def test_a_photo_over_the_media_limit_is_refused_clearly(app, grace, mail):
    app.config["MEDIA_MAX_UPLOAD_BYTES"] = 64 * 1024
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(), photo=b"\x89PNG\r\n\x1a\n" + b"\0" * 70_000)
    assert refused.value.field == "photo"
    assert refused.value.message == "The file is too large (0.1 MB); at most 0.1 MB is accepted."
    assert reload(grace).status == SpeakerStatus.INVITED


def test_confirming_needs_a_photo_a_name_and_a_biography(grace, mail):
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(), photo=None)
    assert refused.value.field == "photo"
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(bio="  \n "), photo=png_with_exif())
    assert refused.value.field == "bio"
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(bio="x" * 2001), photo=png_with_exif())
    assert refused.value.field == "bio"
    assert "at most 2000 characters long; it has 2001" in refused.value.message
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(full_name=""), photo=png_with_exif())
    assert refused.value.field == "full_name"
    with pytest.raises(ForumError) as refused:
        speakers.confirm(grace, profile(country="ZZ"), photo=png_with_exif())
    assert refused.value.field == "country"
    assert reload(grace).status == SpeakerStatus.INVITED


def test_confirming_twice_is_refused(grace, mail):
    confirmed(grace)
    with pytest.raises(Conflict) as refused:
        confirmed(reload(grace))
    assert refused.value.message == "This speaker has already confirmed."


def test_an_existing_person_keeps_their_details_and_gets_the_badge(app, grace, mail):
    person = people.find_or_create_person(SPEAKER_EMAIL, full_name="Grace Okafor")
    db.session.commit()
    confirmed(grace)
    registration = registration_of(grace)
    assert registration.person_id == person.id
    # Typing a name on the speaker page does not rename a person we already know.
    assert people.find_person(SPEAKER_EMAIL).full_name == "Grace Okafor"
    assert len(pdf_attachments(mails_to(mail, SPEAKER_EMAIL, 2)[-1])) == 1


def test_nothing_can_be_confirmed_after_the_edition(app, olga, mail):
    edition = past_edition()
    speaker = invite(edition, olga)
    with pytest.raises(Conflict) as refused:
        speakers.confirm(speaker, profile(), photo=png_with_exif())
    assert "is over" in refused.value.message
    assert reload(speaker).status == SpeakerStatus.INVITED
    assert stored_files(app, PHOTOS) == []


# --- Declining and withdrawing --------------------------------------------------------------


def test_declining_an_invitation_keeps_the_note_for_the_organizers(grace, mail):
    speakers.decline(grace, note="Travelling to another conference that week.")
    assert reload(grace).status == SpeakerStatus.DECLINED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "decline_speaker"))
    assert entry.after["note"] == "Travelling to another conference that week."
    with pytest.raises(Conflict) as refused:
        speakers.decline(reload(grace))
    assert refused.value.message == "This invitation to speak has already been declined."


def test_a_confirmed_speaker_who_declines_loses_the_badge_and_the_photos(app, edition, grace, mail):
    confirmed(grace)
    registration = registration_of(grace)
    speakers.decline(reload(grace), note="Sick")
    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.DECLINED
    assert speaker.photo_file is None
    assert registration_of(speaker).status == RegistrationStatus.CANCELLED
    assert stored_files(app, PHOTOS) == stored_files(app, BADGE_PHOTOS_KIND) == []
    assert speakers.public_speakers(edition) == []

    # Plans change again: the same link confirms, with a new badge version.
    version = registration.badge_version
    confirmed(speaker)
    again = registration_of(grace)
    assert again.id == registration.id
    assert again.status == RegistrationStatus.CONFIRMED
    assert again.badge_version == version + 1


def test_withdrawing_a_confirmed_speaker_cancels_the_registration(app, edition, grace, olga, mail):
    confirmed(grace)
    speaker = reload(grace)
    assert speakers.speaker_photo(edition, speaker.id)
    speakers.withdraw(speaker, actor=olga)
    speaker = reload(grace)
    assert speaker.status == SpeakerStatus.WITHDRAWN
    assert registration_of(speaker).status == RegistrationStatus.CANCELLED
    assert stored_files(app, PHOTOS) == []
    with pytest.raises(NotFound):
        speakers.speaker_photo(edition, speaker.id)
    assert speakers.public_speakers(edition) == []
    assert audit_actions(grace)[-1] == "withdraw_speaker"


# --- Updating the profile -------------------------------------------------------------------


def test_a_confirmed_speaker_updates_the_profile_without_a_new_badge(app, grace, mail):
    confirmed(grace)
    photo = reload(grace).photo_file
    speakers.update_profile(reload(grace), profile(bio="A shorter biography."), photo=None)
    speaker = reload(grace)
    assert speaker.bio == "A shorter biography."
    assert speaker.photo_file == photo
    assert len(mails_to(mail, SPEAKER_EMAIL, 2)) == 2  # no new badge for a text change
    assert audit_actions(grace)[-1] == "update_speaker_profile"


def test_a_new_photo_replaces_both_copies_and_the_badge_is_mailed_again(app, grace, mail):
    confirmed(grace)
    old_photo = reload(grace).photo_file
    old_badge_photo = registration_of(grace).photo_file
    speakers.update_profile(reload(grace), profile(), photo=jpeg_with_exif(90, 120))
    speaker = reload(grace)
    assert speaker.photo_file != old_photo and speaker.photo_file.endswith(".jpg")
    assert stored_files(app, PHOTOS) == [speaker.photo_file]
    assert stored_files(app, BADGE_PHOTOS_KIND) == [registration_of(grace).photo_file]
    assert old_badge_photo not in stored_files(app, BADGE_PHOTOS_KIND)
    message = mails_to(mail, SPEAKER_EMAIL, 3)[-1]
    assert message["Subject"] == "ITU TELECOM World Next: your speaker badge with your new photo"
    assert len(pdf_attachments(message)) == 1


def test_a_refused_new_photo_keeps_the_old_one(app, grace, mail):
    confirmed(grace)
    before = reload(grace).photo_file
    with pytest.raises(ForumError) as refused:
        speakers.update_profile(reload(grace), profile(bio="New"), photo=EXECUTABLE)
    assert refused.value.field == "photo"
    speaker = reload(grace)
    assert speaker.photo_file == before
    assert speaker.bio != "New"
    assert stored_files(app, PHOTOS) == [before]


def test_only_a_confirmed_speaker_updates_a_profile(grace, mail):
    with pytest.raises(Conflict):
        speakers.update_profile(grace, profile(), photo=None)


# --- What the programme shows ---------------------------------------------------------------


def test_the_programme_shows_confirmed_speakers_and_their_photos_only(app, edition, olga, mail):
    grace = invite(edition, olga)
    ahmed = invite(edition, olga, email="ahmed@example.org", full_name="Ahmed Benali")
    invite(edition, olga, email="lin@example.org", full_name="Lin Wei")
    confirmed(grace)
    speakers.confirm(ahmed, profile(full_name="Ahmed Benali"), photo=jpeg_with_exif())
    assert [s.full_name for s in speakers.public_speakers(edition)] == [
        "Ahmed Benali", "Dr Grace Okafor",
    ]  # fmt: skip
    assert speakers.speaker_photo(edition, grace.id).startswith(b"\x89PNG")
    lin = speakers.list_speakers(edition, actor=olga, status="invited")
    assert [s.full_name for s in lin] == ["Lin Wei"]
    with pytest.raises(NotFound):
        speakers.speaker_photo(edition, lin[0].id)
    other = future_edition("telecom-world-other", days_ahead=500)
    with pytest.raises(NotFound):
        speakers.speaker_photo(other, grace.id)
    with pytest.raises(ForumError):
        speakers.list_speakers(edition, actor=olga, status="famous")
    assert {s.status for s in speakers.list_speakers(edition, actor=olga, status="confirmed")} == {
        SpeakerStatus.CONFIRMED
    }


def test_the_invitation_lists_the_speakers_sessions_in_local_time(edition, olga, mail):
    speaker = invite(edition, olga, email="panel@example.org", full_name="Panel Speaker")
    day = edition.start_date + timedelta(days=1)
    session_with(edition, speaker, title="Rural 5G", day=day, hour=10, minute=30)
    speakers.resend_invitation(speaker, actor=olga)
    body = text_of_mail(mails_to(mail, "panel@example.org", 2)[-1])
    assert "Rural 5G" in body
    assert "10:30" in body
    assert "Hall A" in body
