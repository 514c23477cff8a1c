"""On-site check-in: one badge scan at the gate or at a forum session door.

`scan()` is the one place the rules live; the JSON API (scanner apps, offline
batches) and the scanner page both call it.

Exactness comes from the database, not from reading first: a person is
admitted at most once per day and point because the check-in INSERT is
decided by the UNIQUE constraint on check_ins (person, edition, day, point,
point_ref). Thirty concurrent scans of one badge all try to insert; one row
wins, the others are answered "already checked in".

Idempotency comes from the UNIQUE scan_id of scan_attempts: a scanner that
re-uploads a scan (a retried request, an offline batch sent twice) gets the
result stored the first time and no new row.

Audit: check-ins are high-volume (thousands per hour at the gates), so no
audit entry is written per scan. The scan_attempts table is the log of every
scan (who scanned what, where, when, with which result), and check_ins the
log of admissions.

The scan path is kept short because gates scan thousands of badges an hour: on
PostgreSQL a welcome or duplicate scan is one statement (the registration and
person read, and the check-in and attempt inserted, in one data-modifying CTE)
and the COMMIT; other databases use the same rules in three statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    ScanAttempt,
    ScanResult,
)

if TYPE_CHECKING:
    from telecom.auth.models import User

# A scanner's clock may run a little ahead of the server's; beyond this a
# "future" scan is a misconfigured device, and its day would be wrong.
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_SCAN_ID_LENGTH = 64  # scan_attempts.scan_id
MAX_STORED_CODE_LENGTH = 200  # scan_attempts.code
MAX_CODE_LENGTH = 2000  # anything longer is not a badge; refuse rather than verify it
MAX_POINT_REF_LENGTH = 40  # check_ins.point_ref
_SCAN_ID = re.compile(r"^[A-Za-z0-9._:-]+$")
_SESSION_REF = re.compile(r"^[A-Za-z0-9._-]+$")

CHECKIN_ROLES = (Role.CHECKIN_STAFF, Role.ORGANIZER)
_CHECK_IN_KEY = ("person_id", "edition_id", "day", "point", "point_ref")  # its UNIQUE constraint

# Results for which the scanned badge named a registration of this edition,
# so the screen may show who it is.
_SHOWS_PERSON = {
    ScanResult.WELCOME,
    ScanResult.ALREADY_CHECKED_IN,
    ScanResult.NOT_VALID_TODAY,
    ScanResult.CANCELLED,
    ScanResult.NO_ACCESS,
}


@dataclass(frozen=True)
class ScanOutcome:
    """What the scanner shows. Display fields are plain values, read before commit."""

    result: ScanResult
    message: str
    registration: ScannedRegistration | None
    scan_id: str
    scanned_at: datetime
    day: date
    point: CheckInPoint
    point_ref: str
    replayed: bool = False  # the scan_id was seen before: this is the stored result
    person_name: str = ""
    category: str = ""  # RegistrationCategory value
    category_label: str = ""
    organisation: str = ""

    @property
    def admitted(self) -> bool:
        return self.result == ScanResult.WELCOME

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape the API and the scanner page answer with."""
        data: dict[str, Any] = {
            "scan_id": self.scan_id,
            "result": self.result.value,
            "admitted": self.admitted,
            "message": self.message,
            "day": self.day.isoformat(),
            "point": "gate" if self.point == CheckInPoint.GATE else self.point_ref,
            "replayed": self.replayed,
        }
        if self.person_name:
            data["person"] = {
                "name": self.person_name,
                "category": self.category,
                "category_label": self.category_label,
                "organisation": self.organisation,
            }
        return data


@dataclass(frozen=True)
class ScannedRegistration:
    """What a scan needs of the badge's registration and person: plain values, read in the
    same statement as the admission on PostgreSQL (no ORM objects on the hot path)."""

    id: int
    person_id: int
    edition_id: int
    category: RegistrationCategory
    status: RegistrationStatus
    badge_version: int
    valid_from: date | None
    valid_until: date | None
    forum_access: bool
    full_name: str
    organisation_name: str


_SCANNED_COLUMNS = (
    Registration.id, Registration.person_id, Registration.edition_id, Registration.category,
    Registration.status, Registration.badge_version, Registration.valid_from,
    Registration.valid_until, Registration.forum_access, Person.full_name,
    Person.organisation_name,
)  # fmt: skip


def _scanned(row: Any) -> ScannedRegistration:
    return ScannedRegistration(
        id=row.id,
        person_id=row.person_id,
        edition_id=row.edition_id,
        category=RegistrationCategory(row.category),
        status=RegistrationStatus(row.status),
        badge_version=row.badge_version,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        forum_access=row.forum_access,
        full_name=row.full_name,
        organisation_name=row.organisation_name,
    )


def _load_scanned(registration_id: int) -> ScannedRegistration | None:
    row = db.session.execute(
        select(*_SCANNED_COLUMNS)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.id == registration_id)
    ).first()
    return _scanned(row) if row is not None else None


@dataclass(frozen=True)
class _Decision:
    result: ScanResult
    registration: ScannedRegistration | None = None
    claim: Any = None
    reason: str = ""


# ---------------------------------------------------------------------------
# Input parsing shared by the API and the scanner page


def parse_point(value: object) -> tuple[CheckInPoint, str]:
    """ "gate" or a forum session id (as given) -> (point, point_ref)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_('Give the point: "gate" or a forum session id.'))
    text = value.strip()
    if text.lower() == "gate":
        return CheckInPoint.GATE, ""
    if len(text) > MAX_POINT_REF_LENGTH or not _SESSION_REF.match(text):
        raise ValidationError(
            _(
                'The point must be "gate" or a forum session id (letters, digits, '
                '".", "_" or "-", at most %(max)d characters).',
                max=MAX_POINT_REF_LENGTH,
            )
        )
    return CheckInPoint.SESSION, text


EARLIEST_SCAN = datetime(2000, 1, 1, tzinfo=UTC)


def parse_scanned_at(value: object) -> datetime:
    """An ISO 8601 timestamp with its UTC offset; naive or unparseable times are refused."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                _(
                    "scanned_at is not a valid ISO 8601 time "
                    "(for example 2015-10-12T09:30:00+02:00)."
                )
            ) from None
    else:
        raise ValidationError(_("scanned_at is required (ISO 8601 with a UTC offset)."))
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        # A time without an offset could be any of 24 hours; guessing shifts days.
        raise ValidationError(_("scanned_at must include its UTC offset (or Z)."))
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:
        raise ValidationError(
            _("scanned_at is out of range: check the scanner's clock and time zone.")
        ) from None
    if moment < EARLIEST_SCAN:
        # Before any edition run with this platform: a misconfigured scanner clock (and
        # time-zone arithmetic near year 1 overflows).
        raise ValidationError(
            _("scanned_at is before 2000: check the scanner's clock and time zone.")
        )
    return moment


def _resolve_point(point: CheckInPoint | str, point_ref: str) -> tuple[CheckInPoint, str]:
    """Accept (GATE, ""), (SESSION, "<id>") or the API's single "gate" | "<id>" string."""
    if isinstance(point, CheckInPoint):
        if point == CheckInPoint.GATE:
            return CheckInPoint.GATE, ""
        resolved, ref = parse_point(point_ref)
        if resolved != CheckInPoint.SESSION:
            raise ValidationError(_("Give the forum session id."))
        return resolved, ref
    return parse_point(point)


def check_scan_id(scan_id: object) -> str:
    if not isinstance(scan_id, str) or not scan_id.strip():
        raise ValidationError(_("scan_id is required: a unique id for each scan."))
    scan_id = scan_id.strip()
    if len(scan_id) > MAX_SCAN_ID_LENGTH or not _SCAN_ID.match(scan_id):
        raise ValidationError(
            _(
                "scan_id must be at most %(max)d letters, digits, '.', '_', ':' or '-' "
                "(a UUID is ideal).",
                max=MAX_SCAN_ID_LENGTH,
            )
        )
    return scan_id


def check_code(code: object) -> str:
    if not isinstance(code, str):
        raise ValidationError(_("code must be the text read from the badge."))
    code = code.strip()
    if not code:
        raise ValidationError(_("Scan a badge or type its code."))
    if len(code) > MAX_CODE_LENGTH:
        raise ValidationError(_("This code is far too long to be a badge."))
    if "\x00" in code:
        # No badge holds a NUL, and PostgreSQL cannot store one in the scan attempt.
        raise ValidationError(_("code must be the text read from the badge."))
    return code


def _edition_day(edition: Edition, moment: datetime) -> date:
    """The calendar day of a moment where the event happens (its time zone)."""
    return moment.astimezone(edition.tz).date()


# ---------------------------------------------------------------------------
# The scan


def _badges():  # type: ignore[no-untyped-def]
    # Imported lazily: the badge token code lives with the badges feature.
    from telecom.participants.services import badges

    return badges


def _judge(
    edition: Edition,
    claim: Any,
    registration: ScannedRegistration | None,
    day: date,
    point: CheckInPoint,
) -> _Decision:
    """Every rule that does not need the check-in row itself, on the badge's registration."""
    if registration is None:
        return _Decision(ScanResult.UNKNOWN, claim=claim, reason="unreadable")
    if registration.edition_id != edition.id:
        return _Decision(ScanResult.WRONG_EDITION, claim=claim)
    if claim.version != registration.badge_version:
        return _Decision(ScanResult.UNKNOWN, registration, claim, reason="replaced")
    if registration.status == RegistrationStatus.CANCELLED:
        return _Decision(ScanResult.CANCELLED, registration, claim)
    if registration.status != RegistrationStatus.CONFIRMED:
        return _Decision(ScanResult.UNKNOWN, registration, claim, reason="pending")
    if not edition.start_date <= day <= edition.end_date:
        return _Decision(ScanResult.NOT_VALID_TODAY, registration, claim, reason="closed")
    if (registration.valid_from is not None and day < registration.valid_from) or (
        registration.valid_until is not None and day > registration.valid_until
    ):
        return _Decision(ScanResult.NOT_VALID_TODAY, registration, claim, reason="pass")
    if point == CheckInPoint.SESSION and not registration.forum_access:
        return _Decision(ScanResult.NO_ACCESS, registration, claim)
    return _Decision(ScanResult.WELCOME, registration, claim)


def _insert_check_in(values: dict[str, Any]) -> int | None:
    """Insert the check-in unless one exists for the same person, day and point.

    The UNIQUE constraint decides, so the answer is exact under concurrency:
    a concurrent insert of the same key waits for the first transaction and
    then does nothing. ON CONFLICT DO NOTHING is one statement where a
    savepoint around a failing INSERT costs three round trips.
    """
    table = CheckIn.__table__
    dialect = db.session.get_bind().dialect.name
    key = list(_CHECK_IN_KEY)
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = (
            insert(table).values(**values).on_conflict_do_nothing(index_elements=key)
        ).returning(table.c.id)
        return db.session.execute(statement).scalar()
    try:  # any other database: let the constraint raise inside a savepoint
        with db.session.begin_nested():
            return db.session.execute(
                table.insert().values(**values).returning(table.c.id)
            ).scalar()
    except IntegrityError:
        return None


def _insert_attempt(values: dict[str, Any]) -> int | None:
    """Store the attempt; None when its scan_id is already stored (a replay)."""
    table = ScanAttempt.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = (
            insert(table).values(**values).on_conflict_do_nothing(index_elements=["scan_id"])
        ).returning(table.c.id)
        return db.session.execute(statement).scalar()
    try:
        with db.session.begin_nested():
            return db.session.execute(
                table.insert().values(**values).returning(table.c.id)
            ).scalar()
    except IntegrityError:
        return None


# On PostgreSQL a welcome or duplicate scan is ONE statement: read the badge's
# registration and person, and only when the registration admits today insert the
# check-in (ON CONFLICT: already in) and the attempt (ON CONFLICT on scan_id: a
# replay), returning what the screen shows and when the person was first admitted.
# A scan that does not admit inserts nothing here and stores its attempt after
# the rules in Python have named the reason.
_SCAN_SQL = """
WITH reg AS (
    SELECT r.id, r.person_id, r.edition_id, r.category, r.status, r.badge_version,
           r.valid_from, r.valid_until, r.forum_access, p.full_name, p.organisation_name
    FROM registrations AS r JOIN people AS p ON p.id = r.person_id
    WHERE r.id = :registration_id
),
admissible AS (
    SELECT * FROM reg
    WHERE edition_id = :edition_id AND badge_version = :version AND status = 'confirmed'
      AND (valid_from IS NULL OR valid_from <= :day)
      AND (valid_until IS NULL OR valid_until >= :day)
      AND (:point = 'gate' OR forum_access)
),
admitted AS (
    INSERT INTO check_ins (edition_id, person_id, registration_id, category, day, point,
                           point_ref, scanned_at, staff_id)
    SELECT :edition_id, person_id, id, category, :day, :point, :point_ref, :scanned_at,
           :staff_id
    FROM admissible
    ON CONFLICT (person_id, edition_id, day, point, point_ref) DO NOTHING
    RETURNING id
),
attempt AS (
    INSERT INTO scan_attempts (edition_id, scan_id, code, point, point_ref, result,
                               registration_id, check_in_id, scanned_at, received_at,
                               staff_id)
    SELECT :edition_id, :scan_id, :code, :point, :point_ref,
           CASE WHEN admitted.id IS NULL THEN 'already_checked_in' ELSE 'welcome' END,
           admissible.id, admitted.id, :scanned_at, :received_at, :staff_id
    FROM admissible LEFT JOIN admitted ON true
    ON CONFLICT (scan_id) DO NOTHING
    RETURNING id, check_in_id
)
SELECT reg.*,
       EXISTS (SELECT 1 FROM admissible) AS admissible,
       (SELECT id FROM attempt) AS attempt_id,
       (SELECT check_in_id FROM attempt) AS check_in_id,
       (SELECT c.scanned_at FROM check_ins AS c
        WHERE c.person_id = reg.person_id AND c.edition_id = :edition_id AND c.day = :day
          AND c.point = :point AND c.point_ref = :point_ref) AS first_at
FROM reg
"""


@lru_cache(maxsize=1)
def _scan_statement():  # type: ignore[no-untyped-def]
    """Built once per process: constructing it per scan costs CPU."""
    from sqlalchemy import text

    return text(_SCAN_SQL)


def _first_check_in_at(
    edition: Edition, person_id: int, day: date, point, point_ref
) -> datetime | None:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(CheckIn.scanned_at).where(
            CheckIn.person_id == person_id,
            CheckIn.edition_id == edition.id,
            CheckIn.day == day,
            CheckIn.point == point,
            CheckIn.point_ref == point_ref,
        )
    )


def _message(
    edition: Edition,
    decision: _Decision,
    day: date,
    first_at: datetime | None = None,
) -> str:
    registration = decision.registration
    name = registration.full_name if registration is not None else ""
    result = decision.result
    if result == ScanResult.WELCOME:
        return _("Welcome, %(name)s.", name=name)
    if result == ScanResult.ALREADY_CHECKED_IN:
        if first_at is not None:
            return _(
                "Already checked in today, at %(time)s.",
                time=first_at.astimezone(edition.tz).strftime("%H:%M"),
            )
        return _("Already checked in today.")
    if result == ScanResult.NOT_VALID_TODAY:
        if decision.reason == "closed":
            return _("The event is not open on %(day)s.", day=format_date(day))
        return _(
            "This badge is not valid on %(day)s: it is valid from %(start)s to %(end)s.",
            day=format_date(day),
            start=format_date(registration.valid_from or edition.start_date),
            end=format_date(registration.valid_until or edition.end_date),
        )
    if result == ScanResult.CANCELLED:
        return _("This registration was cancelled.")
    if result == ScanResult.WRONG_EDITION:
        return _("This badge is for another edition of the event.")
    if result == ScanResult.NO_ACCESS:
        return _("This badge does not give access to forum sessions.")
    if decision.reason == "replaced":
        return _("This badge was replaced by a newer one; the old badge no longer works.")
    if decision.reason == "pending":
        return _("This registration is not confirmed yet.")
    return _("Unknown or invalid code.")


def _outcome(
    edition: Edition,
    decision: _Decision,
    *,
    scan_id: str,
    scanned_at: datetime,
    day: date,
    point: CheckInPoint,
    point_ref: str,
    replayed: bool,
    first_at: datetime | None = None,
) -> ScanOutcome:
    registration = decision.registration
    display: dict[str, str] = {}
    if registration is not None and decision.result in _SHOWS_PERSON:
        display = {
            "person_name": registration.full_name,
            "category": registration.category.value,
            "category_label": registration.category.label,
            "organisation": registration.organisation_name,
        }
    return ScanOutcome(
        result=decision.result,
        message=_message(edition, decision, day, first_at),
        registration=registration,
        scan_id=scan_id,
        scanned_at=scanned_at,
        day=day,
        point=point,
        point_ref=point_ref,
        replayed=replayed,
        **display,
    )


def _replayed(
    edition: Edition, scan_id: str, stored_code: str, point: CheckInPoint, point_ref: str
) -> ScanOutcome:
    """The result stored the first time this scan_id was uploaded."""
    attempt = db.session.scalar(select(ScanAttempt).where(ScanAttempt.scan_id == scan_id))
    if attempt is None:  # pragma: no cover - the conflicting row was just seen
        raise Conflict(_("This scan could not be stored; send it again."))
    if (
        attempt.edition_id != edition.id
        or attempt.code != stored_code
        or attempt.point != point
        or attempt.point_ref != point_ref
    ):
        raise Conflict(
            _(
                "scan_id %(scan_id)s was already used for a different scan; "
                "every scan needs its own scan_id.",
                scan_id=scan_id,
            )
        )
    registration = (
        _load_scanned(attempt.registration_id) if attempt.registration_id is not None else None
    )
    claim = _badges().verify_code(attempt.code)
    reason = ""
    if attempt.result == ScanResult.UNKNOWN and registration is not None and claim is not None:
        reason = "replaced" if claim.version != registration.badge_version else "pending"
    elif attempt.result == ScanResult.NOT_VALID_TODAY:
        day = _edition_day(edition, attempt.scanned_at)
        reason = "closed" if not edition.start_date <= day <= edition.end_date else "pass"
    decision = _Decision(ScanResult(attempt.result), registration, claim, reason)
    day = _edition_day(edition, attempt.scanned_at)
    first_at = None
    if decision.result == ScanResult.ALREADY_CHECKED_IN and registration is not None:
        first_at = _first_check_in_at(edition, registration.person_id, day, point, point_ref)
    return _outcome(
        edition,
        decision,
        scan_id=scan_id,
        scanned_at=attempt.scanned_at,
        day=day,
        point=point,
        point_ref=point_ref,
        replayed=True,
        first_at=first_at,
    )


@atomic
def scan(
    edition: Edition,
    *,
    code: str,
    scan_id: str,
    scanned_at: datetime | str,
    point: CheckInPoint | str,
    point_ref: str = "",
    staff: User,
) -> ScanOutcome:
    """Judge one scan, admit the person when allowed, store the attempt; one transaction.

    Raises ValidationError for a malformed scan (nothing is stored), Conflict
    for a scan_id reused with a different code, Forbidden for a user who is
    not check-in staff or an organizer.
    """
    require_role(staff, *CHECKIN_ROLES)
    scan_id = check_scan_id(scan_id)
    code = check_code(code)
    moment = parse_scanned_at(scanned_at)
    now = utcnow()
    if moment > now + MAX_CLOCK_SKEW:
        raise ValidationError(
            _("scanned_at is in the future: check the scanner's clock and time zone.")
        )
    point, point_ref = _resolve_point(point, point_ref)
    # Badge codes are uppercase; a keyboard-wedge scanner with Caps Lock sends
    # lowercase. Stored canonically so a replay compares like with like.
    stored_code = code.upper()[:MAX_STORED_CODE_LENGTH]
    day = _edition_day(edition, moment)

    claim = _badges().verify_code(code)
    if claim is None:
        decision = _Decision(ScanResult.UNKNOWN, reason="unreadable")
    elif claim.edition_id != edition.id:
        # The signature is ours, so this is a genuine badge of another edition.
        decision = _Decision(ScanResult.WRONG_EDITION, claim=claim)
    else:
        decision = None
    attempt_values: dict[str, Any] = {
        "edition_id": edition.id,
        "scan_id": scan_id,
        "code": stored_code,
        "point": point,
        "point_ref": point_ref,
        "registration_id": None,
        "check_in_id": None,
        "scanned_at": moment,
        "received_at": now,
        "staff_id": staff.id,
    }
    first_at: datetime | None = None
    attempt_id: int | None = None
    stored = False
    event_open = edition.start_date <= day <= edition.end_date
    if decision is None and event_open and db.session.get_bind().dialect.name == "postgresql":
        row = db.session.execute(
            _scan_statement(),
            {
                "registration_id": claim.registration_id,
                "edition_id": edition.id,
                "version": claim.version,
                "day": day,
                "point": point.value,
                "point_ref": point_ref,
                "scanned_at": moment,
                "received_at": now,
                "staff_id": staff.id,
                "scan_id": scan_id,
                "code": stored_code,
            },
        ).first()
        registration = _scanned(row) if row is not None else None
        if row is not None and row.admissible:
            stored = True
            attempt_id = row.attempt_id
            first_at = row.first_at
            result = (
                ScanResult.WELCOME
                if row.check_in_id is not None
                else (ScanResult.ALREADY_CHECKED_IN)
            )
            decision = _Decision(result, registration, claim)
        else:
            decision = _judge(edition, claim, registration, day, point)
    elif decision is None:
        decision = _judge(edition, claim, _load_scanned(claim.registration_id), day, point)

    registration = decision.registration
    if not stored:
        attempt_values["registration_id"] = registration.id if registration else None
        attempt_values["result"] = decision.result
        if decision.result == ScanResult.WELCOME:
            # Any database but PostgreSQL: the same rule in two statements.
            assert registration is not None
            check_in_id = _insert_check_in(
                {
                    "edition_id": edition.id,
                    "person_id": registration.person_id,
                    "registration_id": registration.id,
                    "category": registration.category,
                    "day": day,
                    "point": point,
                    "point_ref": point_ref,
                    "scanned_at": moment,
                    "staff_id": staff.id,
                }
            )
            attempt_values["check_in_id"] = check_in_id
            if check_in_id is None:
                attempt_values["result"] = ScanResult.ALREADY_CHECKED_IN
                decision = _Decision(ScanResult.ALREADY_CHECKED_IN, registration, claim)
                first_at = _first_check_in_at(
                    edition, registration.person_id, day, point, point_ref
                )
        attempt_id = _insert_attempt(attempt_values)
    if attempt_id is None:
        # The scan_id was stored before (or just now, by a concurrent upload of
        # the same scan): undo this attempt's check-in, answer what was stored.
        db.session.rollback()
        return _replayed(edition, scan_id, stored_code, point, point_ref)
    outcome = _outcome(
        edition,
        decision,
        scan_id=scan_id,
        scanned_at=moment,
        day=day,
        point=point,
        point_ref=point_ref,
        replayed=False,
        first_at=first_at,
    )
    commit()
    return outcome


# ---------------------------------------------------------------------------
# Live counts for organizers


@dataclass(frozen=True)
class CategoryCount:
    category: RegistrationCategory
    entries_today: int
    people_so_far: int

    @property
    def label(self) -> str:
        return self.category.label


@dataclass(frozen=True)
class LiveCounts:
    today: date
    in_event: bool  # today is one of the edition's days
    entries_today: int  # gate check-ins today (one per person)
    people_so_far: int  # unique people with at least one check-in, any point
    visits_so_far: int  # gate check-ins over all days: daily entries
    session_entries_today: int
    scans_today: int
    refused_today: int  # scans today that admitted nobody and were not duplicates
    by_category: list[CategoryCount] = field(default_factory=list)
    by_result_today: dict[ScanResult, int] = field(default_factory=dict)


def live_counts(edition: Edition, *, actor: User, now: datetime | None = None) -> LiveCounts:
    """Today's and the edition's check-in figures, as SQL aggregates (no rows loaded)."""
    require_role(actor, Role.ORGANIZER)
    now = now or utcnow()
    today = _edition_day(edition, now)
    gate = CheckInPoint.GATE
    of_edition = CheckIn.edition_id == edition.id

    gate_today, sessions_today = db.session.execute(
        select(
            func.count(CheckIn.id).filter(CheckIn.point == gate),
            func.count(CheckIn.id).filter(CheckIn.point != gate),
        ).where(of_edition, CheckIn.day == today)
    ).one()
    people, visits = db.session.execute(
        select(
            func.count(func.distinct(CheckIn.person_id)),
            func.count(CheckIn.id).filter(CheckIn.point == gate),
        ).where(of_edition)
    ).one()

    entries_by_category = dict(
        db.session.execute(
            select(CheckIn.category, func.count(CheckIn.id))
            .where(of_edition, CheckIn.day == today, CheckIn.point == gate)
            .group_by(CheckIn.category)
        ).all()
    )
    people_by_category = dict(
        db.session.execute(
            select(CheckIn.category, func.count(func.distinct(CheckIn.person_id)))
            .where(of_edition)
            .group_by(CheckIn.category)
        ).all()
    )
    categories = [
        CategoryCount(
            category=category,
            entries_today=int(entries_by_category.get(category, 0)),
            people_so_far=int(people_by_category.get(category, 0)),
        )
        for category in RegistrationCategory
        if category in entries_by_category or category in people_by_category
    ]

    # "Today" in the edition's time zone, as a UTC range for the timestamp column.
    start = datetime.combine(today, datetime.min.time(), tzinfo=edition.tz)
    end = start + timedelta(days=1)
    by_result = {
        ScanResult(result): int(count)
        for result, count in db.session.execute(
            select(ScanAttempt.result, func.count(ScanAttempt.id))
            .where(
                ScanAttempt.edition_id == edition.id,
                ScanAttempt.scanned_at >= start.astimezone(UTC),
                ScanAttempt.scanned_at < end.astimezone(UTC),
            )
            .group_by(ScanAttempt.result)
        ).all()
    }
    scans = sum(by_result.values())
    refused = scans - by_result.get(ScanResult.WELCOME, 0)
    refused -= by_result.get(ScanResult.ALREADY_CHECKED_IN, 0)
    return LiveCounts(
        today=today,
        in_event=edition.start_date <= today <= edition.end_date,
        entries_today=int(gate_today or 0),
        people_so_far=int(people or 0),
        visits_so_far=int(visits or 0),
        session_entries_today=int(sessions_today or 0),
        scans_today=scans,
        refused_today=refused,
        by_category=categories,
        by_result_today=by_result,
    )
