"""Passport details, encrypted at rest with Fernet keys from the configuration.

PROTOCOL_ENCRYPTION_KEYS holds comma-separated Fernet keys (32 url-safe
base64-encoded bytes each; `Fernet.generate_key()` makes one). The first key
encrypts; every key decrypts (MultiFernet), so a key is rotated by putting the
new one first and keeping the old one after it until the stored details have
been re-encrypted (`reencrypt_passport`) or are no longer needed.

Without keys (production unless configured) passport details are not collected:
`passport_encryption_available()` is False, the RSVP form says so, and
`encrypt_passport` refuses. The details are never logged, audited, mailed or
exported: only `rsvp.passport_for_staff` decrypts them, for protocol staff.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import gettext as _

from telecom.core.errors import Conflict
from telecom.protocol.services import ProtocolError

log = logging.getLogger(__name__)

_FORMAT_VERSION = 1


@dataclass
class PassportData:
    """A VIP's passport details; `nationality` is an ISO 3166-1 alpha-2 code."""

    number: str
    nationality: str
    issued_on: date | None
    expires_on: date | None
    full_name_as_in_passport: str

    def __repr__(self) -> str:
        # A stray log line or traceback of this object must not print the details.
        return "PassportData(<hidden>)"

    __str__ = __repr__


class PassportUnreadable(Conflict):
    """Stored passport details that the configured keys cannot decrypt."""


def _configured_keys() -> list[str]:
    value = current_app.config.get("PROTOCOL_ENCRYPTION_KEYS") or ""
    if isinstance(value, list | tuple):
        keys = [str(key).strip() for key in value]
    else:
        keys = [key.strip() for key in str(value).split(",")]
    return [key for key in keys if key]


def _cipher() -> MultiFernet | None:
    """The configured keys, or None when there are none or one is malformed."""
    keys = _configured_keys()
    if not keys:
        return None
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        # The log says what is wrong, never the key itself.
        log.warning(
            "PROTOCOL_ENCRYPTION_KEYS holds a malformed Fernet key: passport details are "
            "not collected until it is fixed"
        )
        return None


def passport_encryption_available() -> bool:
    """Whether passport details may be collected (valid keys are configured)."""
    return _cipher() is not None


def require_passport_encryption() -> None:
    """ProtocolError (field "number") unless passport details can be stored encrypted."""
    if _cipher() is None:
        raise ProtocolError(_unavailable_message(), "number")


def _unavailable_message() -> str:
    return _(
        "Passport details cannot be accepted at the moment: they are only stored encrypted, "
        "and encryption is not configured. Leave the passport details empty; protocol staff "
        "will ask for them if they are needed."
    )


def _to_json(details: PassportData) -> bytes:
    payload = {
        "v": _FORMAT_VERSION,
        "number": details.number,
        "nationality": details.nationality,
        "issued_on": details.issued_on.isoformat() if details.issued_on else None,
        "expires_on": details.expires_on.isoformat() if details.expires_on else None,
        "full_name_as_in_passport": details.full_name_as_in_passport,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _from_json(data: bytes) -> PassportData:
    payload = json.loads(data.decode("utf-8"))
    if not isinstance(payload, dict) or payload.get("v") != _FORMAT_VERSION:
        raise ValueError("unknown passport format")

    def day(value: object) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else None

    return PassportData(
        number=str(payload.get("number") or ""),
        nationality=str(payload.get("nationality") or ""),
        issued_on=day(payload.get("issued_on")),
        expires_on=day(payload.get("expires_on")),
        full_name_as_in_passport=str(payload.get("full_name_as_in_passport") or ""),
    )


def encrypt_passport(details: PassportData) -> bytes:
    """The details encrypted with the first configured key (a Fernet token, as bytes).

    ProtocolError (field "number") when encryption is not configured: the
    details are then refused rather than stored in clear.
    """
    require_passport_encryption()
    cipher = _cipher()
    assert cipher is not None
    return cipher.encrypt(_to_json(details))


def _unreadable() -> PassportUnreadable:
    return PassportUnreadable(
        _(
            "The stored passport details cannot be decrypted with the configured keys (the "
            "key they were encrypted with was removed or changed). Ask the administrator to "
            "add that key back to PROTOCOL_ENCRYPTION_KEYS, or ask the delegation for the "
            "details again."
        )
    )


def decrypt_passport(blob: bytes) -> PassportData:
    """The details in `blob`; PassportUnreadable (a clear Conflict) when no key opens it."""
    cipher = _cipher()
    if cipher is None:
        raise _unreadable()
    try:
        return _from_json(cipher.decrypt(bytes(blob)))
    except (InvalidToken, ValueError, TypeError, UnicodeDecodeError):
        # json.JSONDecodeError is a ValueError; nothing of the content goes to the log.
        log.warning("stored passport details could not be decrypted with the configured keys")
        raise _unreadable() from None


def reencrypt_passport(blob: bytes) -> bytes:
    """`blob` encrypted again with the first key (after a key rotation)."""
    cipher = _cipher()
    if cipher is None:
        raise _unreadable()
    try:
        return cipher.rotate(bytes(blob))
    except InvalidToken:
        raise _unreadable() from None
