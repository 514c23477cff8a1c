"""Protocol staff's side of invitations: create, edit, import, send, resend, remind, revoke.

Every function checks that the actor is protocol staff or an organizer. Each
status change locks the invitation row (`lock_invitation`), checks
ALLOWED_TRANSITIONS, writes the audit entry and queues the mail in one
transaction, so two members of staff acting at once get one outcome and the
second a clear "not possible" message.

    draft ──send──► invited ──(RSVP)──► accepted / declined
      │                │                     │
      └──────────── revoke (from any status but revoked) ──► revoked (final)

Resend (invited, accepted, declined) mails a new link and kills the old one;
remind (invited only) mails the current link again. The VIP's answer
(accept, decline) lives in rsvp.py.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pycountry
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit, csv_import
from telecom.core.dates import parse_iso_date
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration
from telecom.protocol.models import (
    InvitationStatus,
    ProtocolCategory,
    ProtocolSettings,
    VipInvitation,
)
from telecom.protocol.services import ProtocolError, lock_invitation, require_protocol_staff
from telecom.protocol.services.tokens import rsvp_link_expires_at, rsvp_url

__all__ = [
    "ALLOWED_TRANSITIONS",
    "IMPORT_COLUMNS",
    "MAX_IMPORT_ROWS",
    "ImportRejected",
    "ImportResult",
    "InvitationData",
    "RowError",
    "create_invitation",
    "get_invitation",
    "import_invitations",
    "parse_country",
    "remind",
    "resend",
    "revoke",
    "send_invitation",
    "update_invitation",
]

S = InvitationStatus

# Protocol staff's transitions; the VIP's own (invited → accepted / declined, declined →
# accepted, accepted → declined) are rsvp.py's. Revoked is final.
ALLOWED_TRANSITIONS: dict[InvitationStatus, set[InvitationStatus]] = {
    S.DRAFT: {S.INVITED, S.REVOKED},
    S.INVITED: {S.REVOKED},
    S.ACCEPTED: {S.REVOKED},
    S.DECLINED: {S.REVOKED},
    S.REVOKED: set(),
}
# Statuses from which each mailing action is possible (resend and remind keep the status).
RESEND_STATUSES = frozenset({S.INVITED, S.ACCEPTED, S.DECLINED})
REMIND_STATUSES = frozenset({S.INVITED})

ACTION_LABELS = {
    "update": _l("Edit"),
    "send": _l("Send the invitation"),
    "resend": _l("Send a new link"),
    "remind": _l("Send a reminder"),
    "revoke": _l("Revoke"),
}

AUDIT_FIELDS = (
    "full_name", "title", "form_of_address", "category", "country", "organisation", "email",
    "focal_point_name", "took_office_on", "status", "token_version", "sent_at", "reminded_at",
    "revoked_at",
)  # fmt: skip
DATA_FIELDS = (
    "full_name", "title", "form_of_address", "category", "country", "organisation", "email",
    "focal_point_name", "took_office_on",
)  # fmt: skip

MAX_LENGTHS = {
    "full_name": 200,
    "title": 300,
    "form_of_address": 60,
    "organisation": 200,
    "email": 320,
    "focal_point_name": 200,
}
MAX_REASON_LENGTH = 4000
EARLIEST_TOOK_OFFICE = date(1900, 1, 1)


# --- Input ----------------------------------------------------------------------------------


@dataclass
class InvitationData:
    """What protocol staff type (or import) for one invitation.

    `country` is an ISO 3166 code or an English country name; a VIP who
    represents no country (a UN agency head, an industry leader) gives the
    organisation instead. `email` is the VIP's own or their focal point's,
    who is then named in `focal_point_name`.
    """

    full_name: str = ""
    title: str = ""
    form_of_address: str = ""
    category: ProtocolCategory | None = None
    country: str | None = ""
    organisation: str = ""
    email: str = ""
    focal_point_name: str = ""
    took_office_on: date | None = None


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, for names typed in different ways."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


@cache
def _country_lookup() -> dict[str, str]:
    """Folded ISO codes and English names (ISO and CLDR forms) → alpha-2 code."""
    english = Locale.parse("en").territories
    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        candidates = [
            code, country.alpha_3, country.name, english.get(code, ""),
            getattr(country, "official_name", ""), getattr(country, "common_name", ""),
        ]  # fmt: skip
        for candidate in candidates:
            if candidate:
                names.setdefault(_fold(candidate), code)
    return names


def parse_country(value: str | None) -> str | None:
    """The alpha-2 code of an ISO code (2 or 3 letters) or an English name; None if unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _country_lookup().get(_fold(value))


def _normalise_email(value: str) -> str:
    return value.strip().lower()


def _problems(
    data: InvitationData, skip: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cleaned values and every problem as (field, message); fields in `skip` are not checked."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []

    def problem(name: str, message: str) -> None:
        if name not in skip:
            problems.append((name, message))

    for name, limit in MAX_LENGTHS.items():
        raw = getattr(data, name)
        text = " ".join(raw.split()) if isinstance(raw, str) else ""
        if len(text) > limit:
            problem(name, _("Write at most %(count)d characters.", count=limit))
        values[name] = text
    if not values["full_name"]:
        problem("full_name", _("Give the VIP's name."))

    category = data.category
    if isinstance(category, str) and not isinstance(category, ProtocolCategory):
        category = _category_or_none(category)
    if category is None:
        problem("category", _("Choose the protocol category."))
    values["category"] = category

    country_text = data.country.strip() if isinstance(data.country, str) else ""
    country = parse_country(country_text) if country_text else None
    if country_text and country is None:
        problem(
            "country",
            _(
                "“%(value)s” is not a country we know: give its ISO code (such as HU) or its "
                "English name.",
                value=country_text,
            ),
        )
    elif country is None and not values["organisation"]:
        problem(
            "country",
            _("Give the country, or the organisation of a VIP who represents no country."),
        )
    values["country"] = country

    email = _normalise_email(values["email"])
    if not email:
        problem("email", _("Give the e-mail address of the VIP or of their focal point."))
    elif len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problem("email", _("Enter a valid e-mail address."))
    values["email"] = email

    took_office = data.took_office_on
    if took_office is not None and not isinstance(took_office, date):
        problem("took_office_on", _("Give the date as YYYY-MM-DD, for example 2014-06-30."))
        took_office = None
    elif took_office is not None and not EARLIEST_TOOK_OFFICE <= took_office <= date.today():
        problem(
            "took_office_on",
            _("The date of taking office must be a past date, for example 2014-06-30."),
        )
    values["took_office_on"] = took_office
    return values, problems


def _validated(data: InvitationData) -> dict[str, Any]:
    values, problems = _problems(data)
    if problems:
        name, message = problems[0]
        raise ProtocolError(message, name)
    return values


def _category_or_none(text: str) -> ProtocolCategory | None:
    try:
        return ProtocolCategory(text.strip().upper())
    except ValueError:
        return None


def _category_codes() -> str:
    return ", ".join(category.value for category in ProtocolCategory)


def _lock_edition(edition: Edition) -> None:
    # Two members of staff adding the same VIP at once queue here, so the
    # second one's duplicate check sees the first one's invitation.
    db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())


def _person_key(full_name: str, email: str) -> tuple[str, str]:
    # A focal point may answer for several VIPs: the same address alone is no duplicate.
    return (_fold(full_name), _normalise_email(email))


def _live_invitations_by_person(
    edition_id: int, exclude_id: int | None = None
) -> dict[tuple[str, str], VipInvitation]:
    query = select(VipInvitation).where(
        VipInvitation.edition_id == edition_id, VipInvitation.status != S.REVOKED
    )
    if exclude_id is not None:
        query = query.where(VipInvitation.id != exclude_id)
    return {
        _person_key(invitation.full_name, invitation.email): invitation
        for invitation in db.session.scalars(query)
    }


def _duplicate_message(existing: VipInvitation) -> str:
    return _(
        "%(name)s is already invited to this edition with this e-mail address (invitation "
        "“%(status)s”).",
        name=existing.full_name,
        status=existing.status.label,
    )


def _check_not_duplicate(
    edition_id: int, values: dict[str, Any], exclude_id: int | None = None
) -> None:
    key = _person_key(values["full_name"], values["email"])
    existing = _live_invitations_by_person(edition_id, exclude_id).get(key)
    if existing is not None:
        raise ProtocolError(_duplicate_message(existing), "full_name")


# --- Reading --------------------------------------------------------------------------------


def get_invitation(edition: Edition, invitation_id: int, *, actor: User | None) -> VipInvitation:
    """An invitation of this edition; NotFound for another edition's id."""
    require_protocol_staff(actor)
    invitation = db.session.scalar(
        select(VipInvitation).where(
            VipInvitation.id == invitation_id, VipInvitation.edition_id == edition.id
        )
    )
    if invitation is None:
        raise NotFound(_("There is no such invitation."))
    return invitation


def _edition_of(invitation: VipInvitation) -> Edition:
    edition = db.session.get(Edition, invitation.edition_id)
    assert edition is not None
    return edition


def _settings(edition: Edition) -> ProtocolSettings:
    # Imported here: the settings module belongs to the meeting-rooms side.
    from telecom.protocol.services.settings import protocol_settings

    return protocol_settings(edition)


# --- Creating and editing -------------------------------------------------------------------


@atomic
def create_invitation(
    edition: Edition, data: InvitationData, *, actor: User | None
) -> VipInvitation:
    """A new invitation, not sent yet (draft)."""
    actor = require_protocol_staff(actor)
    values = _validated(data)
    _lock_edition(edition)
    _check_not_duplicate(edition.id, values)
    invitation = VipInvitation(
        edition_id=edition.id, status=S.DRAFT, token_version=1, created_by_id=actor.id, **values
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "create", invitation, actor=actor, edition_id=edition.id,
        after=audit.snapshot(invitation, AUDIT_FIELDS),
    )  # fmt: skip
    commit()
    return invitation


def _refusal(invitation: VipInvitation, action: str) -> Conflict:
    return Conflict(
        _(
            "“%(action)s” is not possible: the invitation is “%(status)s”. Reload the page to "
            "see where it stands.",
            action=ACTION_LABELS[action],
            status=invitation.status.label,
        )
    )


@atomic
def update_invitation(
    invitation: VipInvitation, data: InvitationData, *, actor: User | None
) -> VipInvitation:
    """Correct an invitation's details (any status but revoked).

    A changed category follows onto the VIP's registration of an accepted
    invitation, so the badge and the KPI by category stay right.
    """
    actor = require_protocol_staff(actor)
    values = _validated(data)
    _lock_edition(_edition_of(invitation))
    invitation = lock_invitation(invitation)
    if invitation.status == S.REVOKED:
        raise _refusal(invitation, "update")
    _check_not_duplicate(invitation.edition_id, values, exclude_id=invitation.id)
    before = audit.snapshot(invitation, AUDIT_FIELDS)
    for name in DATA_FIELDS:
        setattr(invitation, name, values[name])
    db.session.flush()
    after = audit.snapshot(invitation, AUDIT_FIELDS)
    if before != after:
        audit.record(
            "update", invitation, actor=actor, edition_id=invitation.edition_id,
            before=before, after=after,
        )  # fmt: skip
    if invitation.registration_id is not None:
        registration = db.session.get(Registration, invitation.registration_id)
        if registration is not None and registration.protocol_category != invitation.category.value:
            old = registration.protocol_category
            registration.protocol_category = invitation.category.value
            db.session.flush()
            audit.record(
                "update_protocol_category", registration, actor=actor,
                edition_id=invitation.edition_id, before={"protocol_category": old},
                after={"protocol_category": registration.protocol_category},
            )  # fmt: skip
    commit()
    return invitation


# --- CSV import -----------------------------------------------------------------------------

# Column → InvitationData field. "name" is the one column named differently.
IMPORT_COLUMNS = {
    "name": "full_name",
    "title": "title",
    "form_of_address": "form_of_address",
    "category": "category",
    "country": "country",
    "organisation": "organisation",
    "email": "email",
    "focal_point_name": "focal_point_name",
    "took_office_on": "took_office_on",
}
REQUIRED_COLUMNS = ("name", "category", "email")
# Other spellings people type in a header (compared after folding case, spaces and dashes).
COLUMN_ALIASES = {
    "full_name": "name",
    "organization": "organisation",
    "e_mail": "email",
    "email_address": "email",
    "focal_point": "focal_point_name",
    "took_office": "took_office_on",
    "date_of_taking_office": "took_office_on",
}
FIELD_COLUMNS = {data_field: column for column, data_field in IMPORT_COLUMNS.items()}
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@dataclass
class RowError:
    """A problem in the file: its line (1 = the header), the column, the message."""

    line: int
    field: str
    message: str


class ImportRejected(ProtocolError):
    """Some rows are wrong: nothing was imported; `errors` lists every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "Nothing was imported: the file has %(num)d problem, listed below with its "
                "line number. Correct it and import the file again.",
                "Nothing was imported: the file has %(num)d problems, listed below with their "
                "line numbers. Correct them and import the file again.",
                len(errors),
            ),
            "file",
        )
        self.errors = errors


@dataclass
class ImportResult:
    created: int
    invitations: list[VipInvitation] = field(default_factory=list)


def _file_error(message: str) -> ProtocolError:
    return ProtocolError(message, "file")


def _decode(data: bytes) -> str:
    try:
        return csv_import.decode(data, max_bytes=MAX_IMPORT_BYTES)
    except ValidationError as error:
        raise _file_error(error.message) from None


def _delimiter(first_line: str) -> str:
    # Excel writes ";" where the decimal separator is a comma; a header holds no commas.
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _column_name(header: str) -> str:
    folded = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return COLUMN_ALIASES.get(folded, folded)


def _columns_text() -> str:
    return ", ".join(IMPORT_COLUMNS)


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names and the non-blank rows with the line each starts on."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # strict: an unclosed quote is an error, not a value swallowing the rest of the file.
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True
    )
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [_column_name(cell) for cell in record]
                continue
            rows.append((start, record))
            if len(rows) > MAX_IMPORT_ROWS:
                raise _file_error(
                    _(
                        "The file has more than %(count)d rows: import at most %(count)d at a "
                        "time.",
                        count=MAX_IMPORT_ROWS,
                    )
                )
    except csv.Error:
        raise _file_error(
            _(
                "Line %(line)d could not be read as CSV (check its quotes). Nothing was imported.",
                line=line,
            )
        ) from None
    if header is None:
        raise _file_error(_("The file is empty."))
    unknown = [name for name in header if name and name not in IMPORT_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing and not set(header) & set(IMPORT_COLUMNS):
        raise _file_error(
            _(
                "The first line must name the columns: %(columns)s (name, category and email "
                "are required).",
                columns=_columns_text(),
            )
        )
    if unknown:
        raise _file_error(
            _(
                "Unknown column “%(column)s” in the first line. The columns are: %(columns)s.",
                column=unknown[0],
                columns=_columns_text(),
            )
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise _file_error(
            _("The column “%(column)s” appears twice in the first line.", column=repeated[0])
        )
    if missing:
        raise _file_error(
            _(
                "The first line has no column “%(column)s”. The columns are: %(columns)s.",
                column=missing[0],
                columns=_columns_text(),
            )
        )
    if not rows:
        raise _file_error(_("The file has a header line but no invitations."))
    return header, rows


def _row_data(header: list[str], cells: list[str]) -> tuple[InvitationData, list[tuple[str, str]]]:
    """The row as InvitationData, and the problems found while converting its cells."""
    values = {
        name: cells[index].strip() if index < len(cells) else ""
        for index, name in enumerate(header)
        if name
    }
    problems: list[tuple[str, str]] = []
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        problems.append(
            ("", _(
                "This line has %(found)d values but the header names %(expected)d columns "
                "(a value with a comma or semicolon needs quotes).",
                found=len(cells), expected=len(header),
            ))
        )  # fmt: skip
    category = None
    category_text = values.get("category", "")
    if not category_text:
        problems.append(
            ("category", _(
                "The category is missing: use one of the codes %(codes)s.",
                codes=_category_codes(),
            ))
        )  # fmt: skip
    else:
        category = _category_or_none(category_text)
        if category is None:
            problems.append(
                ("category", _(
                    "“%(value)s” is not a protocol category. Use one of the codes %(codes)s "
                    "(a head of delegation is not a protocol category).",
                    value=category_text, codes=_category_codes(),
                ))
            )  # fmt: skip
    took_office: date | None = None
    date_text = values.get("took_office_on", "")
    if date_text:
        took_office = parse_iso_date(date_text)
        if took_office is None:
            problems.append(
                ("took_office_on", _(
                    "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2014-06-30.",
                    value=date_text,
                ))
            )  # fmt: skip
    data = InvitationData(
        full_name=values.get("name", ""),
        title=values.get("title", ""),
        form_of_address=values.get("form_of_address", ""),
        category=category,
        country=values.get("country", ""),
        organisation=values.get("organisation", ""),
        email=values.get("email", ""),
        focal_point_name=values.get("focal_point_name", ""),
        took_office_on=took_office,
    )
    return data, problems


@atomic
def import_invitations(edition: Edition, csv_bytes: bytes, *, actor: User | None) -> ImportResult:
    """Draft invitations from a CSV file: every row is checked first, and when any row is
    wrong nothing is imported (ImportRejected lists every problem with its line).

    Columns (first line, any case; "," or ";" or tab between values): name, title,
    form_of_address, category (VVIP, UN, MIN, DMIN, REG, AMB, CEO), country (ISO code or
    English name), organisation, email, focal_point_name, took_office_on (YYYY-MM-DD).
    UTF-8, with or without a byte-order mark; at most MAX_IMPORT_ROWS rows.
    """
    actor = require_protocol_staff(actor)
    if not isinstance(csv_bytes, bytes | bytearray):
        raise _file_error(_("Choose a CSV file to import."))
    header, rows = _read_rows(_decode(bytes(csv_bytes)))
    _lock_edition(edition)
    existing = _live_invitations_by_person(edition.id)
    seen: dict[tuple[str, str], int] = {}
    errors: list[RowError] = []
    accepted: list[dict[str, Any]] = []
    for line, cells in rows:
        data, conversion = _row_data(header, cells)
        # Converted columns (category, took_office_on) carry the same name as their field.
        values, problems = _problems(data, skip=frozenset(name for name, _m in conversion))
        row_errors = [RowError(line, name, message) for name, message in conversion] + [
            RowError(line, FIELD_COLUMNS.get(name, name), message) for name, message in problems
        ]
        if not row_errors:
            key = _person_key(values["full_name"], values["email"])
            if key in seen:
                row_errors.append(
                    RowError(line, "name", _(
                        "The same person with the same e-mail address is already on line "
                        "%(line)d.", line=seen[key],
                    ))
                )  # fmt: skip
            elif key in existing:
                row_errors.append(RowError(line, "name", _duplicate_message(existing[key])))
            seen.setdefault(key, line)
        errors.extend(row_errors)
        if not row_errors:
            accepted.append(values)
    if errors:
        order = {column: index for index, column in enumerate(IMPORT_COLUMNS)}
        raise ImportRejected(
            sorted(errors, key=lambda error: (error.line, order.get(error.field, -1)))
        )
    invitations = [
        VipInvitation(
            edition_id=edition.id,
            status=S.DRAFT,
            token_version=1,
            created_by_id=actor.id,
            **values,
        )
        for values in accepted
    ]
    db.session.add_all(invitations)
    db.session.flush()
    for invitation in invitations:
        audit.record(
            "import", invitation, actor=actor, edition_id=edition.id,
            after=audit.snapshot(invitation, AUDIT_FIELDS),
        )  # fmt: skip
    commit()
    return ImportResult(created=len(invitations), invitations=invitations)


# --- Mail -----------------------------------------------------------------------------------


def vip_display_name(invitation: VipInvitation) -> str:
    """Form of address and name, as the invitation addresses the VIP: "H.E. Mr Ivan Petrov"."""
    return " ".join(part for part in (invitation.form_of_address, invitation.full_name) if part)


def _mail(invitation: VipInvitation, subject: LazyString, template: str, **context: Any) -> None:
    """Queue a message to the invitation's address (the VIP's, or the focal point's)."""
    edition = _edition_of(invitation)
    focal_point = invitation.focal_point_name.strip()
    queue_mail(
        invitation.email,
        subject,
        template,
        edition=edition,
        invitation=invitation,
        vip_name=vip_display_name(invitation),
        focal_point=focal_point,
        addressee=focal_point or vip_display_name(invitation),
        contact_email=_settings(edition).contact_email,
        **context,
    )


def _transition(
    invitation: VipInvitation,
    target: InvitationStatus,
    action: str,
    *,
    actor: User,
    changes: dict[str, Any] | None = None,
    note: dict[str, Any] | None = None,
) -> None:
    """Move a locked invitation to `target` (or keep its status), with the audit entry."""
    if target != invitation.status and target not in ALLOWED_TRANSITIONS[invitation.status]:
        raise _refusal(invitation, action)
    before = audit.snapshot(invitation, AUDIT_FIELDS)
    for name, value in (changes or {}).items():
        setattr(invitation, name, value)
    invitation.status = target
    db.session.flush()
    audit.record(
        action, invitation, actor=actor, edition_id=invitation.edition_id, before=before,
        after={**audit.snapshot(invitation, AUDIT_FIELDS), **(note or {})},
    )  # fmt: skip


def _link_context(invitation: VipInvitation) -> dict[str, Any]:
    edition = _edition_of(invitation)
    expires = rsvp_link_expires_at(invitation).astimezone(edition.tz).date()
    return {"rsvp_url": rsvp_url(invitation), "link_valid_until": expires}


# --- Sending --------------------------------------------------------------------------------


@atomic
def send_invitation(invitation: VipInvitation, *, actor: User | None) -> VipInvitation:
    """Draft → invited: the personal RSVP link goes to the VIP or their focal point."""
    actor = require_protocol_staff(actor)
    invitation = lock_invitation(invitation)
    if invitation.status != S.DRAFT:
        raise _refusal(invitation, "send")
    _transition(invitation, S.INVITED, "send", actor=actor, changes={"sent_at": utcnow()})
    edition = _edition_of(invitation)
    _mail(
        invitation,
        _l("Invitation to %(edition)s", edition=edition.name),
        "protocol_invitation.txt",
        replaces_earlier=False,
        **_link_context(invitation),
    )
    commit()
    return invitation


@atomic
def resend(invitation: VipInvitation, *, actor: User | None) -> VipInvitation:
    """Mail a new personal link (invited, accepted or declined); every earlier link dies."""
    actor = require_protocol_staff(actor)
    invitation = lock_invitation(invitation)
    if invitation.status not in RESEND_STATUSES:
        raise _refusal(invitation, "resend")
    _transition(
        invitation, invitation.status, "resend", actor=actor,
        changes={"token_version": invitation.token_version + 1, "sent_at": utcnow()},
    )  # fmt: skip
    edition = _edition_of(invitation)
    _mail(
        invitation,
        _l("Invitation to %(edition)s: your personal link", edition=edition.name),
        "protocol_invitation.txt",
        replaces_earlier=True,
        **_link_context(invitation),
    )
    commit()
    return invitation


@atomic
def remind(invitation: VipInvitation, *, actor: User | None) -> VipInvitation:
    """Remind an invitation not answered yet (invited only); earlier links keep working."""
    actor = require_protocol_staff(actor)
    invitation = lock_invitation(invitation)
    if invitation.status not in REMIND_STATUSES:
        raise _refusal(invitation, "remind")
    _transition(invitation, S.INVITED, "remind", actor=actor, changes={"reminded_at": utcnow()})
    edition = _edition_of(invitation)
    _mail(
        invitation,
        _l("Reminder: invitation to %(edition)s", edition=edition.name),
        "protocol_reminder.txt",
        **_link_context(invitation),
    )
    commit()
    return invitation


@atomic
def revoke(invitation: VipInvitation, reason: str, *, actor: User | None) -> VipInvitation:
    """Any status but revoked → revoked: links die, registrations and meeting slots go.

    The reason stays in the audit log for protocol staff; the VIP receives a
    courteous notice without it (a sent invitation only: a draft was never
    seen by anyone outside).
    """
    # Imported here: the RSVP and meeting-room services import this module's neighbours.
    from telecom.protocol.services.meetings import release_all
    from telecom.protocol.services.rsvp import withdraw_all

    actor = require_protocol_staff(actor)
    reason = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not reason:
        raise ProtocolError(
            _("Say why the invitation is revoked (kept for protocol staff only)."), "reason"
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ProtocolError(
            _("Write at most %(count)d characters.", count=MAX_REASON_LENGTH), "reason"
        )
    invitation = lock_invitation(invitation)
    if invitation.status == S.REVOKED:
        raise _refusal(invitation, "revoke")
    was_sent = invitation.status != S.DRAFT
    withdraw_all(invitation, actor=actor)
    release_all(invitation, actor=actor)
    _transition(
        invitation, S.REVOKED, "revoke", actor=actor,
        changes={"revoked_at": utcnow(), "token_version": invitation.token_version + 1},
        note={"reason": reason},
    )  # fmt: skip
    if was_sent:
        edition = _edition_of(invitation)
        _mail(
            invitation,
            _l("Your invitation to %(edition)s", edition=edition.name),
            "protocol_revoked.txt",
        )
    commit()
    return invitation
