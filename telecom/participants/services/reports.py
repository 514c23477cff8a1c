"""Organizer views of an edition's participants: the searchable registration
list, one registration's full record, and the CSV/XLSX exports of
registrations and check-ins.

Every function is for organizers only. The related rows a page shows (pass
names, organisations, check-in counts) are fetched in one grouped statement
per kind for the whole page, so statement counts do not grow with rows.

Erased people (Person.erased_at set) keep their registrations and check-ins
for the counts, but are shown as "Erased participant" and never matched by an
e-mail (or name) search.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.core.countries import country_name
from telecom.core.errors import NotFound
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation, Sector
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    InvitationCode,
    PassType,
    Person,
    PromoCode,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    ScanAttempt,
)

ERASED_NAME = _l("Erased participant")
CHECKED_IN_FILTERS = {"yes": _l("Checked in"), "no": _l("Not checked in")}
# Rows fetched per round trip by the registrations export (bounded memory).
EXPORT_BATCH_ROWS = 1000


@dataclass
class RegistrationFilters:
    q: str = ""
    category: str = ""
    status: str = ""
    pass_type: str = ""  # a PassType id
    country: str = ""
    checked_in: str = ""  # "yes", "no" or ""


def display_name(person: Person) -> str:
    return str(ERASED_NAME) if person.erased_at is not None else person.full_name


def display_email(person: Person) -> str:
    return "" if person.erased_at is not None else person.email


def sector_label(value: str | None) -> str:
    member = _enum_or_none(Sector, value or "")
    return member.label if member is not None else (value or "")


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _enum_or_none(enum_class: type[enum.Enum], value: str) -> Any:
    try:
        return enum_class(value)
    except ValueError:
        return None


# A registration (badge) number as printed or typed: "123", "#123", "No. 000123".
_NUMBER = re.compile(r"^(?:no\.?|#)?\s*0*(\d{1,9})$", re.IGNORECASE)


def _search(text: str) -> Any:
    number = _NUMBER.match(text)
    if number:
        return Registration.id == int(number.group(1))
    pattern = _like(text)
    not_erased = Person.erased_at.is_(None)
    # Never correlated: the export joins organisations in the outer query too.
    organisation_names = (
        select(Organisation.id)
        .where(func.lower(Organisation.display_name).like(pattern, escape="\\"))
        .correlate(None)
    )
    return or_(
        and_(not_erased, func.lower(Person.full_name).like(pattern, escape="\\")),
        and_(not_erased, func.lower(Person.email).like(pattern, escape="\\")),
        func.lower(Person.organisation_name).like(pattern, escape="\\"),
        Registration.organisation_id.in_(organisation_names),
    )


def registrations_query(
    edition: Edition, filters: RegistrationFilters, *, actor: User | None
) -> Select[Any]:
    """The edition's registrations matching the filters, by name (organizers only)."""
    require_role(actor, Role.ORGANIZER)
    query = (
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .options(contains_eager(Registration.person))
        .where(Registration.edition_id == edition.id)
    )
    text = (filters.q or "").strip()
    if text:
        query = query.where(_search(text))
    for column, enum_class, value in (
        (Registration.category, RegistrationCategory, filters.category),
        (Registration.status, RegistrationStatus, filters.status),
    ):
        if value:
            member = _enum_or_none(enum_class, value)
            query = query.where(column == member) if member is not None else query.where(false())
    if filters.pass_type:
        if filters.pass_type.isdigit():
            query = query.where(Registration.pass_type_id == int(filters.pass_type))
        else:
            query = query.where(false())
    if filters.country:
        query = query.where(Person.country == filters.country.strip().upper())
    if filters.checked_in in CHECKED_IN_FILTERS:
        checked = exists().where(CheckIn.registration_id == Registration.id)
        query = query.where(checked if filters.checked_in == "yes" else ~checked)
    # Erased people sort last (their stored name is anonymised anyway).
    return query.order_by(
        Person.erased_at.is_not(None), func.lower(Person.full_name), Registration.id
    )


@dataclass
class RowDetails:
    """What a list or export row shows beside the registration, fetched per page."""

    pass_names: dict[int, str] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)
    check_in_days: dict[int, int] = field(default_factory=dict)

    def pass_name(self, registration: Registration) -> str:
        return self.pass_names.get(registration.pass_type_id or 0, "")

    def organisation(self, registration: Registration) -> str:
        if registration.organisation_id is not None:
            name = self.organisations.get(registration.organisation_id)
            if name:
                return name
        return registration.person.organisation_name

    def days(self, registration: Registration) -> int:
        return self.check_in_days.get(registration.id, 0)


def row_details(registrations: Sequence[Registration]) -> RowDetails:
    """Pass names, exhibitor names and gate check-in days: three statements at most."""
    details = RowDetails()
    pass_ids = {r.pass_type_id for r in registrations if r.pass_type_id is not None}
    if pass_ids:
        details.pass_names = dict(
            db.session.execute(
                select(PassType.id, PassType.name).where(PassType.id.in_(pass_ids))
            ).all()
        )
    organisation_ids = {r.organisation_id for r in registrations if r.organisation_id}
    if organisation_ids:
        details.organisations = dict(
            db.session.execute(
                select(Organisation.id, Organisation.display_name).where(
                    Organisation.id.in_(organisation_ids)
                )
            ).all()
        )
    ids = [r.id for r in registrations]
    if ids:
        details.check_in_days = dict(
            db.session.execute(
                select(CheckIn.registration_id, func.count(CheckIn.id))
                .where(CheckIn.registration_id.in_(ids), CheckIn.point == CheckInPoint.GATE)
                .group_by(CheckIn.registration_id)
            ).all()
        )
    return details


def pass_type_choices(edition: Edition) -> list[tuple[str, str]]:
    return [
        (str(pass_id), name)
        for pass_id, name in db.session.execute(
            select(PassType.id, PassType.name)
            .where(PassType.edition_id == edition.id)
            .order_by(PassType.name)
        )
    ]


# --------------------------------------------------------------------------- one registration


@dataclass
class RegistrationRecord:
    registration: Registration
    person: Person
    pass_type: PassType | None
    organisation: Organisation | None
    invitation: InvitationCode | None
    promo: PromoCode | None
    check_ins: list[CheckIn]
    scans: list[ScanAttempt]
    audit: list[AuditEntry]

    @property
    def name(self) -> str:
        return display_name(self.person)

    @property
    def email(self) -> str:
        return display_email(self.person)


def registration_record(
    edition: Edition, registration_id: int, *, actor: User | None
) -> RegistrationRecord:
    """Everything the organizer's detail page shows about one registration."""
    require_role(actor, Role.ORGANIZER)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition_id != edition.id:
        raise NotFound(_("There is no such registration."))
    get = db.session.get
    check_ins = list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.registration_id == registration.id)
            .order_by(CheckIn.scanned_at)
        )
    )
    scans = list(
        db.session.scalars(
            select(ScanAttempt)
            .where(ScanAttempt.registration_id == registration.id)
            .order_by(ScanAttempt.scanned_at.desc(), ScanAttempt.id.desc())
            .limit(200)
        )
    )
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    and_(
                        AuditEntry.object_type == "registrations",
                        AuditEntry.object_id == str(registration.id),
                    ),
                    and_(
                        AuditEntry.object_type == "people",
                        AuditEntry.object_id == str(registration.person_id),
                    ),
                )
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(200)
        )
    )
    return RegistrationRecord(
        registration=registration,
        person=registration.person,
        pass_type=get(PassType, registration.pass_type_id) if registration.pass_type_id else None,
        organisation=(
            get(Organisation, registration.organisation_id)
            if registration.organisation_id
            else None
        ),
        invitation=(
            get(InvitationCode, registration.invitation_code_id)
            if registration.invitation_code_id
            else None
        ),
        promo=get(PromoCode, registration.promo_code_id) if registration.promo_code_id else None,
        check_ins=check_ins,
        scans=scans,
        audit=entries,
    )


# --------------------------------------------------------------------------- exports


def _local(moment: datetime | None, edition: Edition) -> datetime | None:
    """A timestamp as wall-clock time of the edition (spreadsheets have no time zones)."""
    if moment is None:
        return None
    return moment.astimezone(edition.tz).replace(tzinfo=None, microsecond=0)


def registrations_table(
    edition: Edition, filters: RegistrationFilters, *, actor: User | None
) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and rows of the filtered registration list, for CSV/XLSX.

    One statement whatever the number of rows: passes, exhibitors and gate
    days come by outer joins (no IN lists, which SQLite caps at 32,766 values).
    The rows are a generator fetching in batches (yield_per), so the streaming
    XLSX writer never holds a whole edition's registrations in memory; the
    permission check runs before, when the query is built.
    """
    gate_days = (
        select(CheckIn.registration_id, func.count(CheckIn.id).label("days"))
        .where(CheckIn.edition_id == edition.id, CheckIn.point == CheckInPoint.GATE)
        .group_by(CheckIn.registration_id)
        .subquery()
    )
    query = (
        registrations_query(edition, filters, actor=actor)
        .add_columns(PassType.name, Organisation.display_name, gate_days.c.days)
        .outerjoin(PassType, PassType.id == Registration.pass_type_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(gate_days, gate_days.c.registration_id == Registration.id)
    )
    headers = [
        _("Registration ID"), _("Name"), _("E-mail"), _("Organisation"), _("Job title"),
        _("Job function"), _("Country code"), _("Country"), _("Sector"), _("Category"),
        _("Status"), _("Pass"), _("Valid from"), _("Valid until"), _("Forum access"),
        _("Purpose of visit"), _("Registered (local time)"), _("Confirmed (local time)"),
        _("Days checked in"),
    ]  # fmt: skip
    return headers, _registration_rows(query, edition)


def _registration_rows(query: Select[Any], edition: Edition) -> Iterator[list[Any]]:
    found = db.session.execute(query.execution_options(yield_per=EXPORT_BATCH_ROWS))
    for r, pass_name, exhibitor, days in found:
        person = r.person
        erased = person.erased_at is not None
        yield [
            r.id,
            display_name(person),
            display_email(person),
            "" if erased else (exhibitor or person.organisation_name),
            "" if erased else person.job_title,
            person.job_function,
            person.country,
            country_name(person.country),
            sector_label(person.sector),
            r.category,
            r.status,
            pass_name or "",
            r.valid_from,
            r.valid_until,
            r.forum_access,
            r.purpose,
            _local(r.created_at, edition),
            _local(r.confirmed_at, edition),
            days or 0,
        ]


def check_ins_table(edition: Edition, *, actor: User | None) -> tuple[list[str], list[list[Any]]]:
    """Every check-in of the edition, without names or e-mails: one statement."""
    require_role(actor, Role.ORGANIZER)
    rows = db.session.execute(
        select(
            CheckIn.day,
            CheckIn.scanned_at,
            CheckIn.point,
            CheckIn.point_ref,
            CheckIn.category,
            Person.country,
            CheckIn.registration_id,
        )
        .join(Person, Person.id == CheckIn.person_id)
        .where(CheckIn.edition_id == edition.id)
        .order_by(CheckIn.scanned_at, CheckIn.id)
    ).all()
    headers = [
        _("Day"), _("Time (local)"), _("Point"), _("Session"), _("Category"),
        _("Country code"), _("Country"), _("Registration ID"),
    ]  # fmt: skip
    point_labels = {CheckInPoint.GATE: _("Gate"), CheckInPoint.SESSION: _("Forum session")}
    table = []
    for day, scanned_at, point, point_ref, category, country, registration_id in rows:
        local_time: time | None = None
        local = _local(scanned_at, edition)
        if local is not None:
            local_time = local.time()
        table.append(
            [
                day,
                local_time,
                point_labels.get(point, str(point)),
                point_ref,
                category,
                country,
                country_name(country),
                registration_id,
            ]
        )
    return headers, table
