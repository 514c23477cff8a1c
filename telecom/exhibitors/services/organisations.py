"""Organisations: registration, profile, members, pavilions and co-exhibitors,
and the public directory (the organizer list, exports and summary are in
reports.py).

Who may do what:
- any logged-in account registers an organisation and becomes its first member;
- members (and organizers) edit it, add colleagues, and, for a pavilion,
  invite co-exhibitors and edit those co-exhibitors' profiles;
- only organizers set the rate category and approve or reject co-exhibitors.
Everyone else gets NotFound, so nobody learns which organisations exist.

An organisation is *listed* (in the directory, and counted as an exhibitor)
when it has a confirmed or paid booking, or is an approved co-exhibitor of a
pavilion (UFI rule: co-exhibitors count as exhibitors).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from telecom.auth.models import User, UserRole, normalise_email
from telecom.core import audit, storage
from telecom.core.countries import country_name, is_valid_country
from telecom.core.db import commit
from telecom.core.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationError
from telecom.core.outbox import queue_mail
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Hall,
    Organisation,
    OrganisationMember,
    PavilionKind,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services.access import (
    can_manage,
    is_member,
    is_organizer,
    recipients,
)
from telecom.extensions import db

LOGO_KIND = "logos"
LISTED_BOOKING_STATES = (BookingState.CONFIRMED, BookingState.PAID)
ORGANISATION_FIELDS = (
    "legal_name", "display_name", "country", "sector", "turnover_band", "rate_category",
    "website", "billing_address", "vat_number", "description", "contact_name",
    "contact_email", "contact_phone", "logo_file", "pavilion_kind", "pavilion_id",
    "co_exhibitor_status",
)  # fmt: skip
# Column sizes, checked here too so that PostgreSQL never sees an overlong value.
MAX_LENGTHS = {
    "legal_name": 200, "display_name": 200, "website": 300, "billing_address": 2000,
    "vat_number": 50, "description": 5000, "contact_name": 200, "contact_email": 320,
    "contact_phone": 50,
}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./\- ]*$")
FIELD_LABELS = {
    "legal_name": _l("Legal name"),
    "display_name": _l("Display name"),
    "website": _l("Website"),
    "billing_address": _l("Billing address"),
    "vat_number": _l("VAT / tax number"),
    "description": _l("Description"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact e-mail"),
    "contact_phone": _l("Contact phone"),
}


def _field_error(error: ServiceError, field_name: str) -> ServiceError:
    """Tag an error with the form field it is about, so the view can show it there."""
    error.field = field_name  # type: ignore[attr-defined]
    return error


@dataclass
class OrganisationData:
    legal_name: str
    display_name: str
    country: str
    sector: Sector
    turnover_band: TurnoverBand
    website: str = ""
    billing_address: str = ""
    vat_number: str = ""
    description: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    pavilion_kind: PavilionKind | None = None


@dataclass
class CoExhibitorData:
    legal_name: str
    display_name: str
    country: str
    sector: Sector
    turnover_band: TurnoverBand
    contact_name: str = ""
    contact_email: str = ""


# --------------------------------------------------------------------------- checks


def clean_website(value: str) -> str:
    """ "www.example.org" → "https://www.example.org"; only http(s) addresses with a host."""
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in {"http", "https"}
        or "." not in host
        or any(ch.isspace() for ch in value)
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise _field_error(
            ValidationError(_("Enter a web address such as https://www.example.org.")), "website"
        )
    return value


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _check_lengths(values: dict[str, Any]) -> None:
    for name, limit in MAX_LENGTHS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise _field_error(
                ValidationError(
                    _(
                        "%(field)s is too long: at most %(n)d characters.",
                        field=FIELD_LABELS[name],
                        n=limit,
                    )
                ),
                name,
            )


def _clean_common(data: OrganisationData | CoExhibitorData) -> None:
    data.legal_name = _one_line(data.legal_name)
    data.display_name = _one_line(data.display_name) or data.legal_name
    data.country = (data.country or "").strip().upper()
    data.contact_name = _one_line(data.contact_name)
    data.contact_email = normalise_email(data.contact_email or "")
    if not data.legal_name:
        raise _field_error(ValidationError(_("Give the organisation's legal name.")), "legal_name")
    if not is_valid_country(data.country):
        raise _field_error(ValidationError(_("Choose a country from the list.")), "country")
    try:
        data.sector = Sector(data.sector)
    except ValueError:
        raise _field_error(ValidationError(_("Choose a sector from the list.")), "sector") from None
    try:
        data.turnover_band = TurnoverBand(data.turnover_band)
    except ValueError:
        raise _field_error(
            ValidationError(_("Choose an annual-turnover band from the list.")), "turnover_band"
        ) from None
    if data.contact_email and not _EMAIL.match(data.contact_email):
        raise _field_error(ValidationError(_("Enter a valid e-mail address.")), "contact_email")


def _clean(data: OrganisationData) -> OrganisationData:
    _clean_common(data)
    data.website = clean_website(data.website)
    data.vat_number = _one_line(data.vat_number)
    data.contact_phone = _one_line(data.contact_phone)
    data.billing_address = (data.billing_address or "").strip()
    data.description = (data.description or "").strip()
    if not _PHONE.match(data.contact_phone):
        raise _field_error(
            ValidationError(_("A phone number may contain digits, spaces and + ( ) - . / only.")),
            "contact_phone",
        )
    if data.pavilion_kind is not None:
        data.pavilion_kind = PavilionKind(data.pavilion_kind)
    _check_lengths(vars(data))
    return data


def _legal_name_taken(edition_id: int, legal_name: str, exclude_id: int | None = None) -> bool:
    query = select(Organisation.id).where(
        Organisation.edition_id == edition_id,
        func.lower(Organisation.legal_name) == legal_name.lower(),
    )
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _duplicate(legal_name: str) -> ServiceError:
    return _field_error(
        Conflict(
            _(
                "An organisation with the legal name %(name)s is already registered for this "
                "edition. If it is yours, ask one of its contacts to add you as a member.",
                name=legal_name,
            )
        ),
        "legal_name",
    )


# --------------------------------------------------------------------------- access


def can_edit(user: User | None, organisation: Organisation) -> bool:
    """Members and organizers; for a co-exhibitor, also its pavilion's members."""
    if can_manage(user, organisation):
        return True
    return organisation.pavilion is not None and is_member(user, organisation.pavilion)


def _require_edit(user: User | None, organisation: Organisation) -> None:
    if not can_edit(user, organisation):
        raise NotFound(_("There is no such organisation."))


def _require_account(user: User | None) -> User:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to register an organisation."))
    return user


def get_organisation(edition: Edition, organisation_id: int, *, actor: User | None) -> Organisation:
    """An organisation of this edition that `actor` may manage; else NotFound."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.edition_id != edition.id:
        raise NotFound(_("There is no such organisation."))
    _require_edit(actor, organisation)
    return organisation


def my_organisations(edition: Edition, *, actor: User | None) -> list[Organisation]:
    """The organisations the account manages at this edition, by name."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(OrganisationMember.user_id == actor.id, Organisation.edition_id == edition.id)
            .options(selectinload(Organisation.co_exhibitors))
            .order_by(func.lower(Organisation.display_name), Organisation.id)
        )
    )


def members_of(organisation: Organisation) -> list[tuple[OrganisationMember, User]]:
    rows = db.session.execute(
        select(OrganisationMember, User)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.organisation_id == organisation.id)
        .order_by(User.email)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _grant_contact_role(user: User, *, actor: User | None) -> None:
    if user.has_role(Role.EXHIBITOR_CONTACT):
        return
    before = {"roles": sorted(user.roles)}
    user.role_links.append(UserRole(role=Role.EXHIBITOR_CONTACT))
    audit.record(
        "grant_role", user, actor=actor, before=before, after={"roles": sorted(user.roles)}
    )


def _store_logo(logo: bytes | None) -> tuple[str | None, str | None]:
    if not logo:
        return None, None
    try:
        return storage.store_image(LOGO_KIND, logo)
    except ValidationError as error:
        raise _field_error(error, "logo") from None


# --------------------------------------------------------------------------- exhibitor side


def register_organisation(
    edition: Edition, data: OrganisationData, *, actor: User | None, logo: bytes | None = None
) -> Organisation:
    """Register an organisation for an edition; the account becomes its first member."""
    actor = _require_account(actor)
    data = _clean(data)
    if _legal_name_taken(edition.id, data.legal_name):
        raise _duplicate(data.legal_name)
    logo_file, logo_type = _store_logo(logo)
    try:
        organisation = Organisation(
            edition_id=edition.id,
            rate_category=RateCategory.STANDARD,
            logo_file=logo_file,
            logo_content_type=logo_type,
            **vars(data),
        )
        db.session.add(organisation)
        db.session.flush()
        db.session.add(OrganisationMember(organisation_id=organisation.id, user_id=actor.id))
        _grant_contact_role(actor, actor=actor)
        audit.record(
            "create", organisation, actor=actor, edition_id=edition.id,
            after=audit.snapshot(organisation, ORGANISATION_FIELDS) | {"member": actor.email},
        )  # fmt: skip
        commit()
    except IntegrityError:
        db.session.rollback()
        storage.delete(LOGO_KIND, logo_file)
        raise _duplicate(data.legal_name) from None
    except BaseException:
        db.session.rollback()
        storage.delete(LOGO_KIND, logo_file)
        raise
    return organisation


def update_organisation(
    organisation: Organisation,
    data: OrganisationData,
    *,
    actor: User | None,
    rate_category: RateCategory | None = None,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Change an organisation's profile. Only organizers may change its rate category."""
    _require_edit(actor, organisation)
    if (
        rate_category is not None
        and RateCategory(rate_category) != organisation.rate_category
        and not is_organizer(actor)
    ):
        raise _field_error(
            Forbidden(_("Only the organizers set the rate category, after checking eligibility.")),
            "rate_category",
        )
    data = _clean(data)
    if organisation.is_co_exhibitor and data.pavilion_kind is not None:
        raise _field_error(
            ValidationError(_("A co-exhibitor cannot be a pavilion itself.")), "pavilion_kind"
        )
    if organisation.is_pavilion and data.pavilion_kind is None and _has_co_exhibitors(organisation):
        raise _field_error(
            ValidationError(_("This pavilion has co-exhibitors; it cannot stop being a pavilion.")),
            "pavilion_kind",
        )
    if _legal_name_taken(organisation.edition_id, data.legal_name, exclude_id=organisation.id):
        raise _duplicate(data.legal_name)

    before = audit.snapshot(organisation, ORGANISATION_FIELDS)
    new_logo, new_type = _store_logo(logo)
    old_logo = organisation.logo_file if (new_logo or remove_logo) else None
    try:
        for name, value in vars(data).items():
            setattr(organisation, name, value)
        if rate_category is not None:
            organisation.rate_category = RateCategory(rate_category)
        if new_logo:
            organisation.logo_file, organisation.logo_content_type = new_logo, new_type
        elif remove_logo:
            organisation.logo_file = organisation.logo_content_type = None
        after = audit.snapshot(organisation, ORGANISATION_FIELDS)
        if before != after:
            audit.record(
                "update", organisation, actor=actor, edition_id=organisation.edition_id,
                before=before, after=after,
            )  # fmt: skip
        commit()
    except IntegrityError:
        db.session.rollback()
        storage.delete(LOGO_KIND, new_logo)
        raise _duplicate(data.legal_name) from None
    except BaseException:
        db.session.rollback()
        storage.delete(LOGO_KIND, new_logo)
        raise
    if old_logo:
        storage.delete(LOGO_KIND, old_logo)
    return organisation


def _has_co_exhibitors(pavilion: Organisation) -> bool:
    return (
        db.session.scalar(
            select(Organisation.id)
            .where(
                Organisation.pavilion_id == pavilion.id,
                Organisation.co_exhibitor_status != CoExhibitorStatus.REJECTED,
            )
            .limit(1)
        )
        is not None
    )


def add_member(organisation: Organisation, email: str, *, actor: User | None) -> User:
    """Let a colleague's existing account manage the organisation too."""
    from telecom.auth.services import get_user_by_email

    _require_edit(actor, organisation)
    email = normalise_email(email or "")
    user = get_user_by_email(email) if email else None
    if user is None or not user.active:
        raise _field_error(
            ValidationError(
                _(
                    "There is no account with the e-mail address %(email)s. Ask your colleague "
                    "to sign up first, then add them here.",
                    email=email,
                )
            ),
            "email",
        )
    if is_member(user, organisation):
        raise _field_error(Conflict(_("%(email)s is already a member.", email=user.email)), "email")
    db.session.add(OrganisationMember(organisation_id=organisation.id, user_id=user.id))
    _grant_contact_role(user, actor=actor)
    audit.record(
        "add_member", organisation, actor=actor, edition_id=organisation.edition_id,
        after={"member": user.email},
    )  # fmt: skip
    edition = db.session.get(Edition, organisation.edition_id)
    assert edition is not None
    queue_mail(
        user.email,
        _l("You can now manage %(name)s", name=organisation.display_name),
        "organisation_member_added.txt",
        locale=user.locale,
        user=user,
        organisation=organisation,
        edition=edition,
        added_by=actor,
        manage_url=url_for(
            "exhibitors.manage_organisation", slug=edition.slug,
            organisation_id=organisation.id, _external=True,
        ),
    )  # fmt: skip
    try:
        commit()
    except IntegrityError:  # the same colleague added twice at once
        raise _field_error(
            Conflict(_("%(email)s is already a member.", email=user.email)), "email"
        ) from None
    return user


def remove_member(organisation: Organisation, member_id: int, *, actor: User | None) -> None:
    """Remove a member; an organisation keeps at least one (a co-exhibitor may have none)."""
    _require_edit(actor, organisation)
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != organisation.id:
        raise NotFound(_("There is no such member."))
    count = db.session.scalar(
        select(func.count(OrganisationMember.id)).where(
            OrganisationMember.organisation_id == organisation.id
        )
    )
    if (count or 0) <= 1 and not organisation.is_co_exhibitor:
        raise ValidationError(
            _("An organisation keeps at least one member; add a colleague first.")
        )
    user = db.session.get(User, member.user_id)
    audit.record(
        "remove_member", organisation, actor=actor, edition_id=organisation.edition_id,
        before={"member": user.email if user else member.user_id},
    )  # fmt: skip
    db.session.delete(member)
    commit()


# --------------------------------------------------------------------------- pavilions


def invite_co_exhibitor(
    pavilion: Organisation, data: CoExhibitorData, *, actor: User | None
) -> Organisation:
    """A pavilion proposes a co-exhibitor; it waits for an organizer's approval."""
    if not can_manage(actor, pavilion):
        raise NotFound(_("There is no such organisation."))
    if not pavilion.is_pavilion:
        raise ValidationError(
            _(
                "Only a pavilion can invite co-exhibitors. Mark the organisation as a national "
                "or thematic pavilion first."
            )
        )
    _clean_common(data)
    _check_lengths(vars(data))
    if _legal_name_taken(pavilion.edition_id, data.legal_name):
        raise _duplicate(data.legal_name)
    co_exhibitor = Organisation(
        edition_id=pavilion.edition_id,
        pavilion_id=pavilion.id,
        co_exhibitor_status=CoExhibitorStatus.PENDING,
        rate_category=RateCategory.STANDARD,
        **vars(data),
    )
    db.session.add(co_exhibitor)
    try:
        db.session.flush()
        audit.record(
            "invite_co_exhibitor", co_exhibitor, actor=actor, edition_id=pavilion.edition_id,
            after=audit.snapshot(co_exhibitor, ORGANISATION_FIELDS)
            | {"pavilion": pavilion.display_name},
        )  # fmt: skip
        commit()
    except IntegrityError:
        db.session.rollback()
        raise _duplicate(data.legal_name) from None
    return co_exhibitor


def decide_co_exhibitor(
    co_exhibitor: Organisation, approve: bool, *, actor: User | None, reason: str = ""
) -> bool:
    """An organizer approves or rejects a co-exhibitor; returns False if nothing changed.

    The pavilion's contacts (and the co-exhibitor's own) hear of the decision.
    """
    actor = require_role(actor, Role.ORGANIZER)
    locked = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == co_exhibitor.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.pavilion is None:
        raise ValidationError(_("This organisation is not a co-exhibitor of a pavilion."))
    new_status = CoExhibitorStatus.APPROVED if approve else CoExhibitorStatus.REJECTED
    if locked.co_exhibitor_status == new_status:
        return False
    reason = (reason or "").strip()[:500]
    before = {"co_exhibitor_status": locked.co_exhibitor_status.value if
              locked.co_exhibitor_status else None}  # fmt: skip
    locked.co_exhibitor_status = new_status
    audit.record(
        "approve_co_exhibitor" if approve else "reject_co_exhibitor",
        locked, actor=actor, edition_id=locked.edition_id, before=before,
        after={"co_exhibitor_status": new_status.value, "reason": reason},
    )  # fmt: skip
    pavilion = locked.pavilion
    edition = db.session.get(Edition, locked.edition_id)
    subject = (
        _l("%(name)s is approved as a co-exhibitor", name=locked.display_name)
        if approve
        else _l("%(name)s was not accepted as a co-exhibitor", name=locked.display_name)
    )
    sent: set[str] = set()
    for email, locale in [*recipients(pavilion), *recipients(locked)]:
        if email in sent:
            continue
        sent.add(email)
        queue_mail(
            email, subject, "co_exhibitor_decision.txt", locale=locale, approved=approve,
            co_exhibitor=locked, pavilion=pavilion, edition=edition, reason=reason,
        )  # fmt: skip
    commit()
    return True


def co_exhibitors_of(pavilion: Organisation, *, only_approved: bool) -> list[Organisation]:
    query = select(Organisation).where(Organisation.pavilion_id == pavilion.id)
    if only_approved:
        query = query.where(Organisation.co_exhibitor_status == CoExhibitorStatus.APPROVED)
    return list(db.session.scalars(query.order_by(func.lower(Organisation.display_name))))


# --------------------------------------------------------------------------- directory


def _booked_organisations(edition_id: int) -> Select[Any]:
    return select(BoothBooking.organisation_id).where(
        BoothBooking.edition_id == edition_id, BoothBooking.state.in_(LISTED_BOOKING_STATES)
    )


def listed_condition(edition_id: int) -> ColumnElement[bool]:
    """SQL: the organisation exhibits (confirmed/paid booking, or approved co-exhibitor)."""
    return or_(
        Organisation.id.in_(_booked_organisations(edition_id)),
        and_(
            Organisation.pavilion_id.is_not(None),
            Organisation.co_exhibitor_status == CoExhibitorStatus.APPROVED,
        ),
    )


def is_listed(organisation: Organisation) -> bool:
    return (
        db.session.scalar(
            select(Organisation.id).where(
                Organisation.id == organisation.id, listed_condition(organisation.edition_id)
            )
        )
        is not None
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _name_matches(text: str) -> ColumnElement[bool]:
    pattern = _like_pattern(text)
    return or_(
        func.lower(Organisation.display_name).like(pattern, escape="\\"),
        func.lower(Organisation.legal_name).like(pattern, escape="\\"),
    )


def _enum_or_none(enum_class: Any, value: str | None) -> Any:
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


@dataclass
class DirectoryFilters:
    q: str = ""
    country: str = ""
    sector: str = ""
    hall: str = ""


def directory_query(edition: Edition, filters: DirectoryFilters) -> Select[Any]:
    """The exhibitors of an edition matching the filters, by name (public)."""
    query = select(Organisation).where(
        Organisation.edition_id == edition.id, listed_condition(edition.id)
    )
    text = (filters.q or "").strip()
    if text:
        query = query.where(_name_matches(text))
    if filters.country:
        query = query.where(Organisation.country == filters.country.strip().upper())
    sector = _enum_or_none(Sector, filters.sector)
    if filters.sector:
        query = query.where(Organisation.sector == sector) if sector else query.where(false())
    if filters.hall:
        in_hall = (
            select(BoothBooking.organisation_id)
            .join(Booth, Booth.id == BoothBooking.booth_id)
            .join(Hall, Hall.id == Booth.hall_id)
            .where(
                BoothBooking.edition_id == edition.id,
                BoothBooking.state.in_(LISTED_BOOKING_STATES),
                Hall.code == filters.hall,
            )
        )
        # A co-exhibitor is in the hall of its pavilion's booth.
        query = query.where(
            or_(Organisation.id.in_(in_hall), Organisation.pavilion_id.in_(in_hall))
        )
    return query.options(selectinload(Organisation.pavilion)).order_by(
        func.lower(Organisation.display_name), Organisation.id
    )


def directory_countries(edition: Edition) -> list[str]:
    """Countries that have exhibitors, for the directory's filter."""
    codes = db.session.scalars(
        select(Organisation.country)
        .where(Organisation.edition_id == edition.id, listed_condition(edition.id))
        .distinct()
    )
    return sorted(codes, key=country_name)


def edition_halls(edition: Edition) -> list[Hall]:
    return list(
        db.session.scalars(select(Hall).where(Hall.edition_id == edition.id).order_by(Hall.code))
    )


def booths_of(organisations: Sequence[Organisation]) -> dict[int, list[Booth]]:
    """Confirmed/paid booths of each organisation, in one query.

    An approved co-exhibitor shows its pavilion's booths.
    """
    pavilion_of = {
        o.id: o.pavilion_id
        for o in organisations
        if o.pavilion_id is not None and o.co_exhibitor_status == CoExhibitorStatus.APPROVED
    }
    ids = {o.id for o in organisations} | set(pavilion_of.values())
    if not ids:
        return {}
    rows = db.session.execute(
        select(BoothBooking.organisation_id, Booth)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(
            BoothBooking.organisation_id.in_(ids),
            BoothBooking.state.in_(LISTED_BOOKING_STATES),
        )
        .options(joinedload(Booth.hall))
        .order_by(Booth.code)
    ).all()
    by_org: dict[int, list[Booth]] = defaultdict(list)
    for organisation_id, booth in rows:
        by_org[organisation_id].append(booth)
    result = {}
    for organisation in organisations:
        pavilion_id = pavilion_of.get(organisation.id)
        result[organisation.id] = by_org[organisation.id] + (
            by_org[pavilion_id] if pavilion_id else []
        )
    return result


def get_exhibitor(edition: Edition, organisation_id: int, *, viewer: User | None) -> Organisation:
    """An exhibitor's public page; unlisted organisations only for those who manage them."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.edition_id != edition.id:
        raise NotFound(_("There is no such exhibitor."))
    if not is_listed(organisation) and not can_edit(viewer, organisation):
        raise NotFound(_("There is no such exhibitor."))
    return organisation


@dataclass
class Logo:
    data: bytes
    content_type: str
    etag: str
    public: bool


def get_logo(organisation_id: int, *, viewer: User | None) -> Logo:
    """A logo, for everyone when its organisation is listed, else for those who manage it."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not organisation.logo_file:
        raise NotFound(_("There is no such logo."))
    public = is_listed(organisation)
    if not public and not can_edit(viewer, organisation):
        raise NotFound(_("There is no such logo."))
    data = storage.read(LOGO_KIND, organisation.logo_file)
    return Logo(
        data=data,
        content_type=storage.content_type_of(organisation.logo_file),
        etag=organisation.logo_file.split(".")[0],
        public=public,
    )
