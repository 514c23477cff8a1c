"""Badges: the signed code in the QR, re-issuing, and the printable PDF.

The badge code
--------------
A badge's QR code carries a short signed token, such as (signature illustrative)

    TW1-AAAAAAIAAAABAAAB-5K3Q7WJXNE4UDFQ2ZB6HMOLR3A

made of three parts joined by "-":

* ``TW1``: the format and its version (Telecom World, format 1);
* the payload: 10 bytes, base32 (RFC 4648, uppercase, no padding, so 16
  characters): the registration id (unsigned 32-bit, big-endian), the
  edition id (unsigned 32-bit) and the badge version (unsigned 16-bit);
* the signature: the first 16 bytes (128 bits) of
  HMAC-SHA256(badge key, ASCII text "TW1-<payload>"), base32 without padding
  (26 characters).

Only uppercase letters, digits and "-" appear, so the QR code uses the
alphanumeric mode and stays small (version 3, 29x29 modules, at error
correction level Q, which survives a quarter of the symbol being damaged).

The badge key is derived from the application's SECRET_KEY for this one
purpose, so knowing it reveals nothing else the secret protects (sessions,
e-mail links):

    badge key = HMAC-SHA256(key=SECRET_KEY as UTF-8, message=b"telecom.badge.v1")

How an offline scanner verifies a code
--------------------------------------
Organizers provision each scanner device with `scanner_key()` (32 bytes,
e.g. hex-encoded) and, for offline operation, the list of registrations with
their current badge versions. The device then:

1. trims surrounding whitespace and upper-cases the code (keyboard-wedge USB
   scanners with Caps Lock or another layout send lowercase);
2. checks the shape: exactly "TW1-" + 16 + "-" + 26 base32 characters;
3. recomputes HMAC-SHA256(badge key, "TW1-" + payload text), keeps the first
   16 bytes, and compares them with the decoded signature in constant time;
4. unpacks the payload and accepts the badge only when the edition is the
   one being scanned and the version equals the registration's current
   badge version (a re-issued badge bumps it, so the lost badge's code stops
   matching), as `is_current()` does here.

A code signed with the previous SECRET_KEY still verifies while that key is
listed in SECRET_KEY_FALLBACKS (Flask's key rotation), so rotating the secret
does not void every printed badge at once; new badges use the current key.

Who may act
-----------
A badge belongs to its person: a logged-in user linked to the Person or with
the same e-mail address, or whoever holds a valid manage link for that person
(the caller checks the link and passes the person), and to organizers; VIP and
delegation badges also to protocol staff, who print them for the VIPs. Others
learn nothing: they get "not found", as for a registration that does not
exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from telecom.auth.models import User
from telecom.core import audit, storage
from telecom.core.countries import country_name
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.permissions import Role, has_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    PassType,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)

CODE_PREFIX = "TW1"
KEY_PURPOSE = b"telecom.badge.v1"
SIGNATURE_BYTES = 16  # 128 bits: guessing a valid code takes ~2**127 tries
_PAYLOAD = struct.Struct(">IIH")  # registration id, edition id, badge version
_PAYLOAD_CHARS = 16  # 10 bytes in base32, no padding
_SIGNATURE_CHARS = 26  # 16 bytes in base32, no padding
CODE_LENGTH = len(CODE_PREFIX) + 1 + _PAYLOAD_CHARS + 1 + _SIGNATURE_CHARS
MAX_BADGE_VERSION = 0xFFFF

# Error correction Q: a badge gets bent, scratched and half-covered by a lanyard.
QR_ERROR = "q"
QR_BORDER = 4  # the quiet zone the QR specification asks for, in modules

LAYOUTS = ("a6", "a4")
STYLESHEET = Path(__file__).with_name("badge_pdf.css")
# The upload folder (telecom/core/storage.py) of the photos printed on badges
# (Registration.photo_file): media accreditation puts the applicant's photo there.
BADGE_PHOTOS_KIND = "badge_photos"
_PHOTO_TYPES = {"image/png", "image/jpeg", "image/webp"}


# --- The signed code ------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeClaim:
    """What a correctly signed badge code says; `is_current` says if it still holds."""

    registration_id: int
    edition_id: int
    version: int


def _derive(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(raw, KEY_PURPOSE, hashlib.sha256).digest()


def scanner_key() -> bytes:
    """The key a scanner device needs to verify badge codes offline (see the module doc).

    Derived from SECRET_KEY for badges only: a device holding it can check
    (and, being a secret, could also make) badge codes, but learns nothing
    about sessions or e-mail links.
    """
    return _derive(current_app.config["SECRET_KEY"])


def _verification_keys() -> list[bytes]:
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [scanner_key(), *(_derive(secret) for secret in fallbacks if secret)]


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str, length: int) -> bytes | None:
    """Decode unpadded base32 of `length` bytes; None unless `text` is its one canonical form."""
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    # A 26-character signature has 2 spare bits; refusing any other spelling
    # keeps exactly one valid code per badge.
    if len(data) != length or _b32(data) != text:
        return None
    return data


def _signature(key: bytes, signed_text: str) -> bytes:
    return hmac.new(key, signed_text.encode("ascii"), hashlib.sha256).digest()[:SIGNATURE_BYTES]


def code_for(registration_id: int, edition_id: int, version: int) -> str:
    """The badge code for these values, signed with the current key."""
    if not (0 < registration_id <= 0xFFFFFFFF and 0 < edition_id <= 0xFFFFFFFF):
        raise ValueError("ids out of range for a badge code")
    if not 0 < version <= MAX_BADGE_VERSION:
        raise ValueError("badge version out of range for a badge code")
    signed_text = f"{CODE_PREFIX}-{_b32(_PAYLOAD.pack(registration_id, edition_id, version))}"
    return f"{signed_text}-{_b32(_signature(scanner_key(), signed_text))}"


def badge_code(registration: Registration) -> str:
    """The signed code printed (and encoded in the QR) on this registration's badge."""
    return code_for(registration.id, registration.edition_id, registration.badge_version)


def normalise_code(code: str) -> str:
    """The canonical spelling of a typed or scanned code: trimmed and uppercase."""
    return code.strip().upper()


def verify_code(code: str) -> BadgeClaim | None:
    """The claim of a genuine code, or None when it is unreadable or forged.

    Tolerant only where a reader or a typist differs harmlessly: surrounding
    whitespace and lowercase. Anything else (another prefix, a character
    more or less, a changed payload, another key) is None. Whether the badge
    is still the current one is `is_current`'s question.
    """
    if not isinstance(code, str) or len(code) > 4 * CODE_LENGTH:
        return None
    text = normalise_code(code)
    if len(text) != CODE_LENGTH:
        return None
    parts = text.split("-")
    if len(parts) != 3 or parts[0] != CODE_PREFIX:
        return None
    _prefix, payload_text, signature_text = parts
    if len(payload_text) != _PAYLOAD_CHARS or len(signature_text) != _SIGNATURE_CHARS:
        return None
    payload = _unb32(payload_text, _PAYLOAD.size)
    signature = _unb32(signature_text, SIGNATURE_BYTES)
    if payload is None or signature is None:
        return None
    signed_text = f"{CODE_PREFIX}-{payload_text}"
    # Check every key (no early exit) so timing does not tell which one matched.
    genuine = False
    for key in _verification_keys():
        genuine |= hmac.compare_digest(_signature(key, signed_text), signature)
    if not genuine:
        return None
    registration_id, edition_id, version = _PAYLOAD.unpack(payload)
    return BadgeClaim(registration_id=registration_id, edition_id=edition_id, version=version)


def is_current(claim: BadgeClaim, registration: Registration) -> bool:
    """Whether a genuine claim is this registration's badge as it is now.

    False for another registration, another edition, or an older badge
    version (the badge was re-issued: lost, or the name changed).
    """
    return (
        claim.registration_id == registration.id
        and claim.edition_id == registration.edition_id
        and claim.version == registration.badge_version
    )


# --- Who may see and re-issue a badge -------------------------------------------------

# The badges protocol staff look after (telecom/protocol): VIPs and their delegations.
PROTOCOL_CATEGORIES = frozenset({RegistrationCategory.VIP, RegistrationCategory.DELEGATION})


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def is_own_registration(user: User | None, registration: Registration) -> bool:
    """A logged-in user linked to the registration's person, or with the same confirmed e-mail.

    A person linked to an account belongs to that account only; an unlinked
    one (registered before the account existed) to the account that proved
    it owns the address.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    person = registration.person
    if person.user_id is not None:
        return person.user_id == user.id
    return bool(getattr(user, "email_confirmed", False)) and _normalise_email(
        user.email
    ) == _normalise_email(person.email)


def may_handle_badge(
    registration: Registration, *, actor: User | None, person: Person | None = None
) -> bool:
    """Organizers; protocol staff for VIP and delegation badges; the registration's own
    person logged in, or proven by a manage link.

    `person` is the person a valid manage link names: the caller checked the
    link (people.person_from_manage_token), so only who it names matters here.
    """
    if has_role(actor, Role.ORGANIZER):
        return True
    if registration.category in PROTOCOL_CATEGORIES and has_role(actor, Role.PROTOCOL):
        # The protocol desk prints and re-prints the badges of the VIPs it looks after.
        return True
    if is_own_registration(actor, registration):
        return True
    return person is not None and person.id == registration.person_id


def _not_found() -> NotFound:
    return NotFound(_("There is no such badge."))


def _require_badge(registration: Registration) -> None:
    """Only a confirmed registration of a person who was not erased has a badge."""
    if registration.person.erased_at is not None:
        raise _not_found()
    if registration.status == RegistrationStatus.PENDING:
        raise NotFound(
            _(
                "This registration is not confirmed yet, so it has no badge. Confirm your "
                "e-mail address (and pay, for a paid pass); the badge is sent when it is "
                "confirmed."
            )
        )
    if registration.status == RegistrationStatus.CANCELLED:
        raise NotFound(_("This registration was cancelled, so it has no badge."))


def get_badge_registration(
    registration_id: int,
    *,
    actor: User | None,
    person: Person | None = None,
    edition: Edition | None = None,
) -> Registration:
    """The registration whose badge `actor` (or the manage link's `person`) may have.

    NotFound for anyone else, exactly as for a registration that does not
    exist; then NotFound with the reason when the registration has no badge
    (pending, cancelled, erased). `edition` restricts it to one edition (the
    organizer pages are per edition).
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or (edition is not None and registration.edition_id != edition.id):
        raise _not_found()
    if not may_handle_badge(registration, actor=actor, person=person):
        raise _not_found()
    _require_badge(registration)
    return registration


REISSUE_AUDIT_FIELDS = ("badge_version",)


@atomic
def reissue_badge(
    registration: Registration, *, actor: User | None, person: Person | None = None
) -> Registration:
    """Give the registration a new badge code; the old badge stops working.

    For a lost badge or a name change. Allowed to organizers (protocol staff
    for VIP and delegation badges) and to the registration's own person:
    logged in as `actor`, or, with `actor` None, through a manage link whose
    checked `person` is passed. The version is
    bumped under a row lock so two re-issues at once each count.
    """
    if not may_handle_badge(registration, actor=actor, person=person):
        raise _not_found()
    locked = db.session.scalars(
        select(Registration)
        .where(Registration.id == registration.id)
        # OF: lock the registration row only (the person comes by an outer join,
        # which PostgreSQL refuses to lock).
        .with_for_update(of=Registration)
        .execution_options(populate_existing=True)
    ).one()
    _require_badge(locked)
    if locked.badge_version >= MAX_BADGE_VERSION:
        raise Conflict(_("This badge cannot be re-issued any more."))
    before = audit.snapshot(locked, REISSUE_AUDIT_FIELDS)
    locked.badge_version += 1
    audit.record(
        "reissue_badge",
        locked,
        actor=actor,
        edition_id=locked.edition_id,
        before=before,
        after=audit.snapshot(locked, REISSUE_AUDIT_FIELDS),
    )
    commit()
    return locked


# --- The printable badge --------------------------------------------------------------


@dataclass(frozen=True)
class BadgeColour:
    background: str
    text: str


# One colour per category, used by the PDF stylesheet (and anyone else who
# colour-codes categories). The category's name is always printed on the band
# too: colour is never the only cue.
CATEGORY_COLOURS: dict[RegistrationCategory, BadgeColour] = {
    RegistrationCategory.VISITOR: BadgeColour("#1f5fad", "#ffffff"),
    RegistrationCategory.EXHIBITOR_STAFF: BadgeColour("#1a7f37", "#ffffff"),
    RegistrationCategory.MEDIA: BadgeColour("#f08a24", "#111111"),
    RegistrationCategory.VIP: BadgeColour("#111111", "#e0b84c"),
    RegistrationCategory.SPEAKER: BadgeColour("#6b3fa0", "#ffffff"),
    RegistrationCategory.DELEGATION: BadgeColour("#6e7781", "#ffffff"),
    RegistrationCategory.FORUM_DELEGATE: BadgeColour("#0f7c80", "#ffffff"),
    RegistrationCategory.ORGANIZER_STAFF: BadgeColour("#c62828", "#ffffff"),
}


def _category_css() -> str:
    return "\n".join(
        f".band.category-{category.value} {{ background: {colour.background}; "
        f"color: {colour.text}; }}"
        for category, colour in CATEGORY_COLOURS.items()
    )


def badge_qr(code: str) -> segno.QRCode:
    """The QR symbol printed on the badge for `code`."""
    return segno.make_qr(code, error=QR_ERROR)


def _days(registration: Registration, edition: Edition) -> tuple[date, date]:
    """The days the badge admits: the registration's, else its pass's, else the edition's."""
    if registration.valid_from and registration.valid_until:
        return registration.valid_from, registration.valid_until
    if registration.pass_type_id is not None:
        pass_type = db.session.get(PassType, registration.pass_type_id)
        if pass_type is not None:
            return pass_type.valid_from, pass_type.valid_until
    return edition.start_date, edition.end_date


def _days_text(first: date, last: date) -> str:
    # ISO dates read the same in every language and on every printer's desk.
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} – {last.isoformat()}"


def _name_size(name: str, *, beside_photo: bool = False) -> str:
    # Beside a photo the name has about two thirds of the width.
    long, xlong = (16, 28) if beside_photo else (24, 40)
    if len(name) > xlong:
        return "name-xlong"
    if len(name) > long:
        return "name-long"
    return ""


def badge_photo_data_uri(registration: Registration) -> str | None:
    """The registration's badge photo as a data: URI, or None without a readable one.

    The PDF renderer fetches nothing (see `_fetcher`), so the photo travels in
    the HTML. A missing file (deleted at the end of the retention period, say)
    or a stored name that is not an image prints the badge without a photo:
    never an error, the badge matters more than the picture.
    """
    name = registration.photo_file
    if not name:
        return None
    try:
        data = storage.read(BADGE_PHOTOS_KIND, name)
    except (NotFound, OSError):
        return None
    content_type = storage.content_type_of(name)
    if not data or content_type not in _PHOTO_TYPES:
        return None
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def render_badge_html(registration: Registration, layout: str = "a6") -> str:
    """The HTML the badge PDF is drawn from (tests read it; the PDF shows the same)."""
    if layout not in LAYOUTS:
        raise ValidationError(_("Choose the A6 or the A4 badge layout."))
    _require_badge(registration)
    edition = db.session.get(Edition, registration.edition_id)
    assert edition is not None
    person = registration.person
    code = badge_code(registration)
    first, last = _days(registration, edition)
    photo_data_uri = badge_photo_data_uri(registration)
    # One language for every badge, like the gate staff who read it.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            "participants/badge_pdf.html",
            layout=layout,
            registration=registration,
            person=person,
            edition=edition,
            category_label=registration.category.label,
            country=country_name(person.country),
            days=_days_text(first, last),
            code=code,
            qr_data_uri=badge_qr(code).png_data_uri(scale=1, border=QR_BORDER),
            photo_data_uri=photo_data_uri,
            name_size=_name_size(person.full_name, beside_photo=photo_data_uri is not None),
        )


def _fetcher() -> URLFetcher:
    # The badge embeds its QR (and photo) as data: URLs and takes fonts from the system;
    # nothing else may be loaded, from the network or the disk.
    return URLFetcher(allowed_protocols={"data"})


def render_badge_pdf(registration: Registration, layout: str = "a6") -> bytes:
    """The badge as a PDF: "a6" (the badge itself) or "a4" (on A4 with cut marks)."""
    html = render_badge_html(registration, layout)
    fetcher = _fetcher()
    stylesheets = [
        CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher),
        CSS(string=_category_css(), url_fetcher=fetcher),
    ]
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets)
    assert pdf is not None
    return pdf


def badge_filename(registration: Registration) -> str:
    edition = db.session.get(Edition, registration.edition_id)
    slug = edition.slug if edition is not None else "edition"
    return f"badge-{slug}-{registration.id}-v{registration.badge_version}.pdf"


def badge_attachment(registration: Registration) -> tuple[str, str, bytes]:
    """The A6 badge as a mail attachment: (filename, content type, bytes)."""
    return badge_filename(registration), "application/pdf", render_badge_pdf(registration)
