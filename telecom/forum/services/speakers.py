"""Speakers: invited by an organizer, confirmed by themselves through a personal link.

The organizer invites a speaker by e-mail (`invite_speaker`); the message
carries a personal link to the speaker's page (views/speaker.py) where they
confirm with their profile (name, job title, organisation, country, bio and a
photo, published in the programme) or decline. No account is needed: whoever
holds the link may answer for the speaker, and nothing else.

The link is a signed token (itsdangerous, salt "forum-speaker") carrying the
speaker's id and `token_version`. A resend or a withdrawal bumps the version,
so every link mailed before stops working; `speaker_from_token` tells apart a
tampered link, a superseded one and a withdrawn invitation, with a message
the speaker can act on.

Statuses: invited → confirmed | declined; confirmed → declined (the speaker
can no longer come); declined → confirmed (plans changed) until the edition
ends; any but withdrawn → withdrawn (the organizer takes the invitation back).
One Speaker row per e-mail and edition (UNIQUE): inviting the same address
twice is a Conflict, except that a withdrawn speaker may be invited again
(the same row comes back to life, with a new link).

Confirming finds or creates the Person by the speaker's e-mail and grants a
confirmed Registration of category speaker with forum access, its badge
carrying a copy of the photo, and mails the badge. Declining or being
withdrawn cancels that registration (its badge stops scanning) and deletes
the photos: they were given to be published, and nothing is published now.

Photos follow the media upload rules (media.documents.prepare_upload: JPEG or
PNG judged by their bytes, the same size limit, re-encoded without EXIF or
any other metadata). Two copies are stored: one for the programme in the
"speaker_photos" folder (at most PROGRAMME_PHOTO_SIZE) and one for the badge
in the badge-photos folder. Files are written before the commit and deleted
again when the transaction fails; replaced files are deleted after it.

Every change runs under the speaker's row lock (`lock_speaker`) and writes an
audit entry in the same transaction.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from telecom.auth.models import User
from telecom.core import audit, storage
from telecom.core.countries import is_valid_country
from telecom.core.db import commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import discard_pending, queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession, SessionSpeaker, Speaker, SpeakerStatus
from telecom.forum.services import ForumError, require_organizer
from telecom.media import documents
from telecom.media.models import DocumentKind
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services import people
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from telecom.participants.services.granted import grant_registration, withdraw_registration

__all__ = [
    "MAX_BIO_LENGTH",
    "PROGRAMME_PHOTO_SIZE",
    "SPEAKER_PHOTOS_KIND",
    "SPEAKER_SALT",
    "SpeakerInvite",
    "SpeakerProfile",
    "confirm",
    "decline",
    "get_speaker",
    "invite_speaker",
    "list_speakers",
    "lock_speaker",
    "public_speakers",
    "resend_invitation",
    "speaker_from_token",
    "speaker_photo",
    "speaker_sessions",
    "speaker_token",
    "speaker_url",
    "update_profile",
    "withdraw",
]

S = SpeakerStatus
SPEAKER_SALT = "forum-speaker"
SPEAKER_PHOTOS_KIND = "speaker_photos"
# Far longer than any token we issue; anything longer is refused before it is decoded.
MAX_TOKEN_LENGTH = 300
MAX_NAME_LENGTH = 200  # speakers.full_name / job_title / organisation
MAX_EMAIL_LENGTH = 320
# About 300 words: what a programme prints beside a photo.
MAX_BIO_LENGTH = 2000
MAX_NOTE_LENGTH = 2000
# The programme shows a portrait at most a few hundred pixels wide; 800 x 1000
# is sharp on any screen and keeps the public page light.
PROGRAMME_PHOTO_SIZE = (800, 1000)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

AUDIT_FIELDS = (
    "email", "full_name", "job_title", "organisation", "country", "bio", "photo_file",
    "status", "token_version", "invited_at", "confirmed_at", "person_id", "registration_id",
)  # fmt: skip
# The states from which each action may start.
CONFIRMABLE = frozenset({S.INVITED, S.DECLINED})
DECLINABLE = frozenset({S.INVITED, S.CONFIRMED})
RESENDABLE = frozenset({S.INVITED, S.CONFIRMED, S.DECLINED})


@dataclass
class SpeakerInvite:
    """Whom the organizer invites: the address the link goes to, and what is known of them."""

    email: str
    full_name: str
    job_title: str = ""
    organisation: str = ""
    country: str | None = None


@dataclass
class SpeakerProfile:
    """What the speaker writes for the programme (the photo travels beside it)."""

    full_name: str
    job_title: str = ""
    organisation: str = ""
    country: str | None = None
    bio: str = ""


# --- The personal link ------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SPEAKER_SALT)


def speaker_token(speaker: Speaker) -> str:
    """The signed token of the speaker's current link version."""
    return str(_serializer().dumps([speaker.id, speaker.token_version]))


def speaker_url(speaker: Speaker) -> str:
    """The personal link mailed to the speaker."""
    return url_for("forum_speaker.invitation", token=speaker_token(speaker), _external=True)


def _not_valid() -> NotFound:
    return NotFound(
        _(
            "This speaker link is not valid. Please open the complete link from the "
            "invitation e-mail."
        )
    )


def speaker_from_token(token: str | None) -> Speaker:
    """The speaker the token opens; NotFound with a message the speaker can act on, otherwise.

    Tampered (or cut, or signed with another key): not valid. Withdrawn by the
    organizer: says so. Replaced by a newer link (a resend): says to use the
    latest e-mail.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _not_valid()
    try:
        payload = _serializer().loads(token)
    except BadData:  # a changed payload or signature, a truncation, another key or salt
        raise _not_valid() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise _not_valid()
    speaker_id, version = payload
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise _not_valid()
    if speaker.status == S.WITHDRAWN:
        raise NotFound(
            _(
                "The organizers have withdrawn this invitation to speak, so the link no longer "
                "works. If you think this is a mistake, please write to the person who invited "
                "you."
            )
        )
    if version != speaker.token_version:
        raise NotFound(
            _(
                "This link has been replaced by a newer one. Please use the link in the most "
                "recent e-mail from the forum organizers."
            )
        )
    return speaker


# --- Small helpers ----------------------------------------------------------------------------


def lock_speaker(speaker: Speaker | int) -> Speaker:
    """The speaker's row, locked for this transaction and re-read (another may have moved it)."""
    speaker_id = speaker if isinstance(speaker, int) else speaker.id
    locked = db.session.scalar(
        select(Speaker)
        .where(Speaker.id == speaker_id)
        .with_for_update(of=Speaker)
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such speaker."))
    return locked


def _edition_of(speaker: Speaker) -> Edition:
    edition = db.session.get(Edition, speaker.edition_id)
    assert edition is not None  # the foreign key cascades: a speaker always has an edition
    return edition


def _snapshot(speaker: Speaker) -> dict[str, Any]:
    return audit.snapshot(speaker, AUDIT_FIELDS)


def _require_organizer_if_given(actor: User | None) -> None:
    """None is the speaker through the link; anyone else acting must be an organizer."""
    if actor is not None:
        require_organizer(actor)


def _not_after_the_edition(edition: Edition) -> None:
    if edition.local_date(utcnow()) > edition.end_date:
        raise Conflict(
            _(
                "%(edition)s is over: the speaker's reply can no longer be changed.",
                edition=edition.name,
            )
        )


def _status_refusal(speaker: Speaker) -> Conflict:
    if speaker.status == S.WITHDRAWN:
        return Conflict(_("This invitation to speak has been withdrawn by the organizers."))
    if speaker.status == S.DECLINED:
        return Conflict(_("This invitation to speak has already been declined."))
    if speaker.status == S.CONFIRMED:
        return Conflict(_("This speaker has already confirmed."))
    return Conflict(
        _(
            "This is not possible: the speaker is “%(status)s”. Reload the page to see where "
            "things stand.",
            status=speaker.status.label,
        )
    )


def _text(value: object, field: str, limit: int, *, required: str | None = None) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text and required is not None:
        raise ForumError(required, field)
    if len(text) > limit:
        raise ForumError(_("Write at most %(count)d characters.", count=limit), field)
    return text


def _bio(value: object) -> str:
    # Paragraphs are kept (the programme shows them); spaces at the ends of lines are not.
    text = value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else ""
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise ForumError(
            _("Write a short biography: the programme shows it beside your name."), "bio"
        )
    if len(text) > MAX_BIO_LENGTH:
        raise ForumError(
            _(
                "The biography may be at most %(count)d characters long; it has %(length)d.",
                count=MAX_BIO_LENGTH,
                length=len(text),
            ),
            "bio",
        )
    return text


def _country(value: object) -> str | None:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not code:
        return None
    if not is_valid_country(code):
        raise ForumError(_("Choose a country from the list."), "country")
    return code


def _email(value: object) -> str:
    email = people.normalise_email(value) if isinstance(value, str) else ""
    if not email:
        raise ForumError(_("Enter the speaker's e-mail address."), "email")
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise ForumError(_("Enter a valid e-mail address."), "email")
    return email


def _check_invite(data: SpeakerInvite) -> SpeakerInvite:
    return SpeakerInvite(
        email=_email(data.email),
        full_name=_text(
            data.full_name, "full_name", MAX_NAME_LENGTH, required=_("Enter the speaker's name.")
        ),
        job_title=_text(data.job_title, "job_title", MAX_NAME_LENGTH),
        organisation=_text(data.organisation, "organisation", MAX_NAME_LENGTH),
        country=_country(data.country),
    )


def _check_profile(profile: SpeakerProfile) -> SpeakerProfile:
    return SpeakerProfile(
        full_name=_text(
            profile.full_name,
            "full_name",
            MAX_NAME_LENGTH,
            required=_("Enter your name as the programme should show it."),
        ),
        job_title=_text(profile.job_title, "job_title", MAX_NAME_LENGTH),
        organisation=_text(profile.organisation, "organisation", MAX_NAME_LENGTH),
        country=_country(profile.country),
        bio=_bio(profile.bio),
    )


def _locale_for(email: str) -> str | None:
    person = people.find_person(email)
    return person.locale if person is not None else None


def _mail(
    speaker: Speaker,
    edition: Edition,
    subject: Any,
    template: str,
    *,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    **context: Any,
) -> None:
    queue_mail(
        speaker.email,
        subject,
        template,
        locale=_locale_for(speaker.email),
        attachments=attachments,
        edition=edition,
        speaker=speaker,
        sessions=speaker_sessions(speaker),
        speaker_url=speaker_url(speaker),
        **context,
    )


def _invitation_mail(speaker: Speaker, edition: Edition, actor: User, *, again: bool) -> None:
    _mail(
        speaker,
        edition,
        _l("%(edition)s: your personal speaker link", edition=edition.name)
        if again
        else _l("Invitation to speak at %(edition)s", edition=edition.name),
        "forum_speaker_invitation.txt",
        replaces_earlier=again,
        contact_email=actor.email,
        contact_name=actor.full_name,
    )


def _rollback() -> None:
    db.session.rollback()
    discard_pending(db.session)


# --- Photos -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Photo:
    """An accepted photo, cleaned, in the two sizes we keep."""

    programme: bytes
    badge: bytes
    extension: str


def _resized(data: bytes, size: tuple[int, int], extension: str) -> bytes:
    """The picture scaled down to fit `size` (never up), saved with no metadata."""
    # `data` was decoded and re-encoded by prepare_upload: it is whole and plain.
    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode not in {"L", "LA", "RGB", "RGBA"}:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail(size, Image.Resampling.LANCZOS)
    image.info = {}
    out = io.BytesIO()
    if extension == "jpg":
        image.save(out, format="JPEG", quality=90)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _prepare_photo(data: bytes, filename: str) -> _Photo:
    """Judge the upload as the media photo is judged; ForumError on the "photo" field."""
    if not isinstance(data, bytes | bytearray):
        raise ForumError(_("Choose a photo to upload."), "photo")
    try:
        prepared = documents.prepare_upload(DocumentKind.PHOTO, bytes(data), filename or "")
    except ValidationError as error:
        raise ForumError(error.message, "photo") from None
    extension = prepared.extension
    return _Photo(
        programme=_resized(prepared.data, PROGRAMME_PHOTO_SIZE, extension),
        badge=_resized(prepared.data, documents.BADGE_PHOTO_SIZE, extension),
        extension=extension,
    )


class _Files:
    """Files written during one transaction: deleted again if it fails, old ones after it."""

    def __init__(self) -> None:
        self.new: list[tuple[str, str]] = []
        self.old: list[tuple[str, str | None]] = []

    def store(self, kind: str, data: bytes, extension: str) -> str:
        name = storage.store_bytes(kind, data, extension)
        self.new.append((kind, name))
        return name

    def failed(self) -> None:
        for kind, name in self.new:
            storage.delete(kind, name)

    def committed(self) -> None:
        for kind, name in self.old:
            storage.delete(kind, name)


def _badge_copy_of_stored(speaker: Speaker, files: _Files) -> str | None:
    """A badge copy of the programme photo already on file (None without a readable one)."""
    if not speaker.photo_file:
        return None
    try:
        data = storage.read(SPEAKER_PHOTOS_KIND, speaker.photo_file)
    except (NotFound, OSError):
        return None
    extension = speaker.photo_file.rsplit(".", 1)[-1]
    return files.store(
        BADGE_PHOTOS_KIND, _resized(data, documents.BADGE_PHOTO_SIZE, extension), extension
    )


# --- Reading ----------------------------------------------------------------------------------


def get_speaker(edition: Edition, speaker_id: int, *, actor: User | None) -> Speaker:
    """One speaker of the edition, for organizers; NotFound for another edition's."""
    require_organizer(actor)
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.edition_id != edition.id:
        raise NotFound(_("There is no such speaker."))
    return speaker


def list_speakers(
    edition: Edition, *, actor: User | None, status: SpeakerStatus | str = ""
) -> list[Speaker]:
    """The edition's speakers by name (optionally of one status), for organizers."""
    require_organizer(actor)
    query = (
        select(Speaker)
        .where(Speaker.edition_id == edition.id)
        .options(selectinload(Speaker.sessions).selectinload(SessionSpeaker.session))
        .order_by(Speaker.full_name, Speaker.id)
    )
    if status:
        try:
            wanted = SpeakerStatus(status)
        except ValueError:
            raise ForumError(_("Choose a status from the list."), "status") from None
        query = query.where(Speaker.status == wanted)
    return list(db.session.scalars(query))


def public_speakers(edition: Edition) -> list[Speaker]:
    """The confirmed speakers of the edition, by name: those the programme may show."""
    return list(
        db.session.scalars(
            select(Speaker)
            .where(Speaker.edition_id == edition.id, Speaker.status == S.CONFIRMED)
            .order_by(Speaker.full_name, Speaker.id)
        )
    )


def speaker_photo(edition: Edition, speaker_id: int) -> bytes:
    """A confirmed speaker's programme photo (public); NotFound for anyone or anything else.

    The stored name ends in .jpg or .png (`storage.content_type_of`), and the
    bytes start with the type's own signature.
    """
    speaker = db.session.get(Speaker, speaker_id)
    if (
        speaker is None
        or speaker.edition_id != edition.id
        or speaker.status != S.CONFIRMED
        or not speaker.photo_file
    ):
        raise NotFound(_("There is no such photo."))
    return storage.read(SPEAKER_PHOTOS_KIND, speaker.photo_file)


def speaker_sessions(speaker: Speaker) -> list[tuple[ForumSession, SessionSpeaker]]:
    """The sessions the speaker is on (not cancelled), by start time, with their role."""
    rows = db.session.execute(
        select(ForumSession, SessionSpeaker)
        .join(SessionSpeaker, SessionSpeaker.session_id == ForumSession.id)
        .where(SessionSpeaker.speaker_id == speaker.id, ForumSession.cancelled_at.is_(None))
        .order_by(ForumSession.starts_at, ForumSession.id)
    )
    return [(session, link) for session, link in rows]


# --- The organizer's side ---------------------------------------------------------------------


def _already_invited(existing: Speaker) -> Conflict:
    return Conflict(
        _(
            "%(email)s is already invited to speak at this edition (%(status)s). To mail "
            "the personal link again, send it from the list of speakers.",
            email=existing.email,
            status=existing.status.label,
        )
    )


def invite_speaker(edition: Edition, data: SpeakerInvite, *, actor: User | None) -> Speaker:
    """Invite a speaker: mails their personal link. Conflict when the address is already invited.

    A withdrawn speaker of the same address is invited again: their row comes
    back with the new details and a new link (the old ones stay dead).
    """
    actor = require_organizer(actor)
    cleaned = _check_invite(data)
    try:
        existing = db.session.scalar(
            select(Speaker)
            .where(Speaker.edition_id == edition.id, Speaker.email == cleaned.email)
            .with_for_update(of=Speaker)
            .execution_options(populate_existing=True)
        )
        before = None
        if existing is not None:
            if existing.status != S.WITHDRAWN:
                raise _already_invited(existing)
            speaker = existing
            before = _snapshot(speaker)
            speaker.token_version += 1
            speaker.confirmed_at = None
            speaker.bio = ""
        else:
            speaker = Speaker(edition_id=edition.id, email=cleaned.email, token_version=1)
            db.session.add(speaker)
        speaker.full_name = cleaned.full_name
        speaker.job_title = cleaned.job_title
        speaker.organisation = cleaned.organisation
        speaker.country = cleaned.country
        speaker.status = S.INVITED
        speaker.invited_at = utcnow()
        db.session.flush()
    except IntegrityError:
        # Two organizers inviting the same address at once: the second one is told.
        _rollback()
        raise Conflict(
            _(
                "%(email)s was invited to speak at this edition a moment ago by someone else.",
                email=cleaned.email,
            )
        ) from None
    except BaseException:
        _rollback()
        raise
    audit.record(
        "invite_speaker", speaker, actor=actor, edition_id=edition.id,
        before=before, after=_snapshot(speaker),
    )  # fmt: skip
    _invitation_mail(speaker, edition, actor, again=False)
    commit()
    return speaker


def resend_invitation(speaker: Speaker, *, actor: User | None) -> Speaker:
    """Mail a new personal link (invited, confirmed or declined); every earlier link dies."""
    actor = require_organizer(actor)
    try:
        speaker = lock_speaker(speaker)
        if speaker.status not in RESENDABLE:
            raise _status_refusal(speaker)
        before = _snapshot(speaker)
        speaker.token_version += 1
        speaker.invited_at = utcnow()
        db.session.flush()
        edition = _edition_of(speaker)
        audit.record(
            "resend_speaker_link", speaker, actor=actor, edition_id=edition.id,
            before=before, after=_snapshot(speaker),
        )  # fmt: skip
        _invitation_mail(speaker, edition, actor, again=True)
        commit()
    except BaseException:
        _rollback()
        raise
    return speaker


def _cancel_registration(speaker: Speaker, actor: User | None) -> None:
    if speaker.registration_id is not None:
        withdraw_registration(speaker.registration_id, actor=actor)


def _forget_photos(speaker: Speaker, files: _Files) -> None:
    """The photos were given for the programme: without a talk they are not kept."""
    files.old.append((SPEAKER_PHOTOS_KIND, speaker.photo_file))
    speaker.photo_file = None
    if speaker.registration_id is not None:
        registration = db.session.get(Registration, speaker.registration_id)
        if registration is not None and registration.photo_file:
            files.old.append((BADGE_PHOTOS_KIND, registration.photo_file))
            registration.photo_file = None


def withdraw(speaker: Speaker, *, actor: User | None) -> Speaker:
    """The organizer takes the invitation back: the link dies, the registration is cancelled."""
    actor = require_organizer(actor)
    files = _Files()
    try:
        speaker = lock_speaker(speaker)
        if speaker.status == S.WITHDRAWN:
            raise _status_refusal(speaker)
        before = _snapshot(speaker)
        _cancel_registration(speaker, actor)
        _forget_photos(speaker, files)
        speaker.status = S.WITHDRAWN
        speaker.token_version += 1
        db.session.flush()
        audit.record(
            "withdraw_speaker", speaker, actor=actor, edition_id=speaker.edition_id,
            before=before, after=_snapshot(speaker),
        )  # fmt: skip
        commit()
    except BaseException:
        _rollback()
        raise
    files.committed()
    return speaker


# --- The speaker's side -----------------------------------------------------------------------


def _speaker_person(speaker: Speaker, profile: SpeakerProfile) -> Person:
    return people.find_or_create_person(
        speaker.email,
        full_name=profile.full_name,
        organisation_name=profile.organisation,
        job_title=profile.job_title,
        country=profile.country,
    )


def _apply_profile(speaker: Speaker, profile: SpeakerProfile) -> None:
    speaker.full_name = profile.full_name
    speaker.job_title = profile.job_title
    speaker.organisation = profile.organisation
    speaker.country = profile.country
    speaker.bio = profile.bio


def _same_person_conflict() -> Conflict:
    return Conflict(
        _("Someone saved the same person at the same moment. Please submit the form again.")
    )


def confirm(
    speaker: Speaker,
    profile: SpeakerProfile,
    *,
    photo: bytes | None,
    photo_name: str = "",
    actor: User | None = None,
) -> Speaker:
    """Invited (or declined) → confirmed: the profile, the photo, a speaker registration.

    `photo` is required unless one is already on file. The registration has
    forum access and carries a badge copy of the photo; the badge is mailed to
    the speaker. `actor` None is the speaker through their link; an organizer
    may confirm on a speaker's behalf. Refused once the edition is over.
    Publication consent is asked by the page before this is called.
    """
    from telecom.participants.services import badges

    _require_organizer_if_given(actor)
    cleaned = _check_profile(profile)
    # Judged before any lock: decoding an image takes a moment and needs no row.
    prepared = _prepare_photo(photo, photo_name) if photo is not None else None
    files = _Files()
    try:
        speaker = lock_speaker(speaker)
        if speaker.status not in CONFIRMABLE:
            raise _status_refusal(speaker)
        edition = _edition_of(speaker)
        _not_after_the_edition(edition)
        if prepared is None and not speaker.photo_file:
            raise ForumError(
                _("Upload a photo (JPEG or PNG): the programme shows it beside your name."),
                "photo",
            )
        before = _snapshot(speaker)
        if prepared is not None:
            files.old.append((SPEAKER_PHOTOS_KIND, speaker.photo_file))
            speaker.photo_file = files.store(
                SPEAKER_PHOTOS_KIND, prepared.programme, prepared.extension
            )
            badge_photo = files.store(BADGE_PHOTOS_KIND, prepared.badge, prepared.extension)
        else:
            badge_photo = _badge_copy_of_stored(speaker, files)
        person = _speaker_person(speaker, cleaned)
        previous = (
            db.session.get(Registration, speaker.registration_id)
            if speaker.registration_id is not None
            else None
        )
        if (
            badge_photo is not None
            and previous is not None
            and previous.person_id == person.id
            and previous.photo_file
        ):
            # grant_registration puts the new copy on this same registration.
            files.old.append((BADGE_PHOTOS_KIND, previous.photo_file))
        registration = grant_registration(
            person, edition, RegistrationCategory.SPEAKER, actor=actor,
            forum_access=True, photo_file=badge_photo,
        )  # fmt: skip
        _apply_profile(speaker, cleaned)
        speaker.status = S.CONFIRMED
        speaker.confirmed_at = utcnow()
        speaker.person_id = person.id
        speaker.registration_id = registration.id
        db.session.flush()
        audit.record(
            "confirm_speaker", speaker, actor=actor, edition_id=edition.id,
            before=before, after=_snapshot(speaker),
        )  # fmt: skip
        _mail(
            speaker,
            edition,
            _l("%(edition)s: thank you for confirming, here is your badge", edition=edition.name),
            "forum_speaker_confirmed.txt",
            attachments=[badges.badge_attachment(registration)],
            updated=False,
            person=person,
        )
        commit()
    except IntegrityError:
        # Two confirmations creating the same person at once; the second one retries.
        _rollback()
        files.failed()
        raise _same_person_conflict() from None
    except BaseException:
        _rollback()
        files.failed()
        raise
    files.committed()
    return speaker


def update_profile(
    speaker: Speaker,
    profile: SpeakerProfile,
    *,
    photo: bytes | None = None,
    photo_name: str = "",
    actor: User | None = None,
) -> Speaker:
    """A confirmed speaker changes their profile; a new photo also goes on a new badge copy.

    `photo` None keeps the photo on file. With a new photo the badge is mailed
    again (it prints the photo); text changes need no new badge.
    """
    from telecom.participants.services import badges

    _require_organizer_if_given(actor)
    cleaned = _check_profile(profile)
    prepared = _prepare_photo(photo, photo_name) if photo is not None else None
    files = _Files()
    try:
        speaker = lock_speaker(speaker)
        if speaker.status != S.CONFIRMED:
            raise Conflict(_("Only a confirmed speaker's profile can be changed; reload the page."))
        edition = _edition_of(speaker)
        _not_after_the_edition(edition)
        before = _snapshot(speaker)
        _apply_profile(speaker, cleaned)
        registration = None
        if prepared is not None:
            files.old.append((SPEAKER_PHOTOS_KIND, speaker.photo_file))
            speaker.photo_file = files.store(
                SPEAKER_PHOTOS_KIND, prepared.programme, prepared.extension
            )
            registration = _new_badge_photo(speaker, prepared, files, actor)
        db.session.flush()
        after = _snapshot(speaker)
        if after != before:
            audit.record(
                "update_speaker_profile", speaker, actor=actor, edition_id=edition.id,
                before=before, after=after,
            )  # fmt: skip
        if registration is not None:
            _mail(
                speaker,
                edition,
                _l("%(edition)s: your speaker badge with your new photo", edition=edition.name),
                "forum_speaker_confirmed.txt",
                attachments=[badges.badge_attachment(registration)],
                updated=True,
                person=registration.person,
            )
        commit()
    except BaseException:
        _rollback()
        files.failed()
        raise
    files.committed()
    return speaker


_REGISTRATION_PHOTO_FIELDS = ("photo_file",)


def _new_badge_photo(
    speaker: Speaker, prepared: _Photo, files: _Files, actor: User | None
) -> Registration | None:
    """Put the new photo on the speaker's badge; the registration, or None without a live one."""
    if speaker.registration_id is None:
        return None
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.id == speaker.registration_id)
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    )
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    before = audit.snapshot(registration, _REGISTRATION_PHOTO_FIELDS)
    files.old.append((BADGE_PHOTOS_KIND, registration.photo_file))
    registration.photo_file = files.store(BADGE_PHOTOS_KIND, prepared.badge, prepared.extension)
    db.session.flush()
    audit.record(
        "update_badge_photo", registration, actor=actor, edition_id=registration.edition_id,
        before=before, after=audit.snapshot(registration, _REGISTRATION_PHOTO_FIELDS),
    )  # fmt: skip
    return registration


def decline(speaker: Speaker, note: str = "", *, actor: User | None = None) -> Speaker:
    """Invited or confirmed → declined: a confirmed speaker's badge stops working.

    The photos are deleted (nothing will be published); the note (why) is
    kept in the audit entry for the organizers. A declined speaker may still
    confirm through their link until the edition ends.
    """
    _require_organizer_if_given(actor)
    note = _text(note, "note", MAX_NOTE_LENGTH)
    files = _Files()
    try:
        speaker = lock_speaker(speaker)
        if speaker.status not in DECLINABLE:
            raise _status_refusal(speaker)
        edition = _edition_of(speaker)
        _not_after_the_edition(edition)
        before = _snapshot(speaker)
        _cancel_registration(speaker, actor)
        _forget_photos(speaker, files)
        speaker.status = S.DECLINED
        speaker.confirmed_at = None
        db.session.flush()
        audit.record(
            "decline_speaker", speaker, actor=actor, edition_id=edition.id,
            before=before, after={**_snapshot(speaker), "note": note},
        )  # fmt: skip
        commit()
    except BaseException:
        _rollback()
        raise
    files.committed()
    return speaker
