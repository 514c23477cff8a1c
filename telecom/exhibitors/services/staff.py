"""Exhibitor staff: the people an exhibitor names to work on its booth.

Each staff member is a Person (unique by normalised e-mail, reused when one
exists) with a Registration of category exhibitor staff for the edition,
confirmed at once and tied to the organisation. The number allowed grows with
the space booked:

    allowed = staff_base + floor(booked sqm / staff_sqm_per_extra)

where booked sqm is the area of the organisation's confirmed and paid
bookings (holds do not count). An organisation with no confirmed or paid
booking is not (yet) an exhibitor and may name nobody.

Pavilions: the pavilion books and pays for the space, so the quota belongs to
the pavilion. Its approved co-exhibitors name staff from that same quota, and
the pavilion's own staff and all its co-exhibitors' staff together count
against it. A co-exhibitor that is not (or no longer) approved may name nobody.

The check and the insert run under a row lock on the quota's owner (the
pavilion, or the organisation itself), so concurrent additions, from the
pavilion and its co-exhibitors alike, queue and cannot exceed the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Organisation,
)
from telecom.exhibitors.services.access import require_manage
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)

STAFF_AUDIT_FIELDS = ("person_id", "edition_id", "category", "status", "organisation_id")
BOOKED_STATES = (BookingState.CONFIRMED, BookingState.PAID)


@dataclass
class StaffData:
    full_name: str
    email: str
    job_title: str = ""


@dataclass(frozen=True)
class StaffQuota:
    booked_sqm: Decimal
    allowed: int
    used: int
    shared_with_pavilion: bool  # the quota is the pavilion's, shared with co-exhibitors

    @property
    def remaining(self) -> int:
        return max(0, self.allowed - self.used)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def quota_owner(organisation: Organisation) -> Organisation:
    """Whose booked space (and quota) the organisation's staff count against."""
    if organisation.pavilion_id is not None and organisation.pavilion is not None:
        return organisation.pavilion
    return organisation


def _sharing_ids(owner: Organisation) -> list[int]:
    """The owner and every co-exhibitor of its pavilion: their staff share one quota."""
    co_exhibitor_ids = db.session.scalars(
        select(Organisation.id).where(Organisation.pavilion_id == owner.id)
    ).all()
    return [owner.id, *co_exhibitor_ids]


def booked_sqm(owner: Organisation) -> Decimal:
    area = db.session.scalar(
        select(func.coalesce(func.sum(Booth.width * Booth.depth), 0))
        .select_from(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(BoothBooking.organisation_id == owner.id, BoothBooking.state.in_(BOOKED_STATES))
    )
    return Decimal(area or 0)


def _staff_count(organisation_ids: list[int], edition_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.edition_id == edition_id,
                Registration.category == RegistrationCategory.EXHIBITOR_STAFF,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.organisation_id.in_(organisation_ids),
            )
        )
        or 0
    )


def _may_name_staff(organisation: Organisation) -> bool:
    if organisation.pavilion_id is None:
        return True
    return organisation.co_exhibitor_status == CoExhibitorStatus.APPROVED


def staff_quota(organisation: Organisation) -> StaffQuota:
    """How many staff the organisation may name, and how many are named."""
    owner = quota_owner(organisation)
    edition = db.session.get(Edition, organisation.edition_id)
    assert edition is not None
    settings = settings_for(edition)
    area = booked_sqm(owner)
    if area > 0 and _may_name_staff(organisation):
        allowed = settings.staff_base + int(area // settings.staff_sqm_per_extra)
    else:
        allowed = 0
    return StaffQuota(
        booked_sqm=area,
        allowed=allowed,
        used=_staff_count(_sharing_ids(owner), organisation.edition_id),
        shared_with_pavilion=owner.id != organisation.id or owner.is_pavilion,
    )


def list_staff(organisation: Organisation, *, actor: User) -> list[Registration]:
    """The organisation's confirmed staff, by name."""
    require_manage(actor, organisation)
    return list(
        db.session.scalars(
            select(Registration)
            .join(Person, Person.id == Registration.person_id)
            .where(
                Registration.organisation_id == organisation.id,
                Registration.edition_id == organisation.edition_id,
                Registration.category == RegistrationCategory.EXHIBITOR_STAFF,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Person.full_name, Person.email)
        )
    )


def _validated(data: StaffData) -> StaffData:
    full_name = data.full_name.strip()
    email = normalise_email(data.email)
    job_title = data.job_title.strip()
    if not full_name:
        raise ValidationError(_("Give the staff member's full name."))
    if len(full_name) > 200 or len(job_title) > 200:
        raise ValidationError(_("The name and the job title can have at most 200 characters."))
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 320 or " " in email:
        raise ValidationError(_("Enter a valid e-mail address."))
    return StaffData(full_name=full_name, email=email, job_title=job_title)


def _lock(organisation_id: int) -> None:
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )


def add_staff(organisation: Organisation, data: StaffData, *, actor: User) -> Registration:
    """Name a staff member; refused beyond the quota or if they already work a booth."""
    require_manage(actor, organisation)
    data = _validated(data)
    organisation_id = organisation.id
    for attempt in (1, 2):
        try:
            return _add_staff(organisation, data, actor=actor)
        except IntegrityError:
            # Someone added the same person at the same moment (the unique
            # e-mail or registration caught it): look again, now that it exists.
            db.session.rollback()
            if attempt == 2:
                raise
            organisation = db.session.get(Organisation, organisation_id)  # type: ignore[assignment]
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _add_staff(organisation: Organisation, data: StaffData, *, actor: User) -> Registration:
    owner = quota_owner(organisation)
    _lock(owner.id)  # every organisation sharing the quota queues here
    if not _may_name_staff(organisation):
        raise Conflict(
            _("The organizer has not approved your place in the pavilion yet; staff come after.")
        )
    quota = staff_quota(organisation)
    if quota.allowed == 0:
        raise Conflict(_("Booth staff can be named once a booking is confirmed."))

    person = db.session.scalar(select(Person).where(func.lower(Person.email) == data.email))
    registration = None
    if person is not None:
        registration = db.session.scalar(
            select(Registration)
            .where(
                Registration.person_id == person.id,
                Registration.edition_id == organisation.edition_id,
                Registration.category == RegistrationCategory.EXHIBITOR_STAFF,
            )
            # Lock only the registration: its person comes by an outer join,
            # which PostgreSQL cannot lock.
            .with_for_update(of=Registration)
            .execution_options(populate_existing=True)
        )
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        if registration.organisation_id == organisation.id:
            raise Conflict(_("%(email)s is already on your booth staff.", email=data.email))
        raise Conflict(
            _(
                "%(email)s is already registered as staff of another exhibitor at this "
                "edition. Each person can work for one exhibitor only.",
                email=data.email,
            )
        )
    if quota.used >= quota.allowed:
        raise Conflict(
            _(
                "You have named all %(n)d staff allowed for your booked space. Remove "
                "someone first, or book more space.",
                n=quota.allowed,
            )
        )

    if person is None:
        person = Person(
            email=data.email,
            full_name=data.full_name,
            job_title=data.job_title,
            organisation_name=organisation.display_name,
        )
        db.session.add(person)
        db.session.flush()
    else:
        # An existing person keeps their name (they may have an account);
        # only blanks are filled in.
        person.job_title = person.job_title or data.job_title
        person.organisation_name = person.organisation_name or organisation.display_name

    if registration is None:
        before = None
        registration = Registration(
            person_id=person.id,
            edition_id=organisation.edition_id,
            category=RegistrationCategory.EXHIBITOR_STAFF,
            status=RegistrationStatus.CONFIRMED,
            organisation_id=organisation.id,
        )
        db.session.add(registration)
    else:
        # A cancelled staff registration comes back (one per person, edition, category).
        before = audit.snapshot(registration, STAFF_AUDIT_FIELDS)
        registration.status = RegistrationStatus.CONFIRMED
        registration.organisation_id = organisation.id
    db.session.flush()
    audit.record(
        "add_staff", registration, actor=actor, edition_id=organisation.edition_id,
        before=before,
        after=audit.snapshot(registration, STAFF_AUDIT_FIELDS)
        | {"email": person.email, "full_name": person.full_name},
    )  # fmt: skip
    commit()
    return registration


def get_staff(organisation: Organisation, registration_id: int, *, actor: User) -> Registration:
    require_manage(actor, organisation)
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.organisation_id != organisation.id
        or registration.category != RegistrationCategory.EXHIBITOR_STAFF
        or registration.status != RegistrationStatus.CONFIRMED
    ):
        raise NotFound(_("There is no such staff member."))
    return registration


def remove_staff(organisation: Organisation, registration_id: int, *, actor: User) -> Person:
    """Take someone off the booth staff: their registration is cancelled."""
    registration = get_staff(organisation, registration_id, actor=actor)
    before = audit.snapshot(registration, STAFF_AUDIT_FIELDS)
    registration.status = RegistrationStatus.CANCELLED
    audit.record(
        "remove_staff", registration, actor=actor, edition_id=organisation.edition_id,
        before=before,
        after=audit.snapshot(registration, STAFF_AUDIT_FIELDS)
        | {"email": registration.person.email},
    )  # fmt: skip
    person = registration.person
    commit()
    return person
