"""Organizer views of an edition's exhibitors: the filtered list, its CSV/XLSX
export, and the edition summary (booths by status, net sqm, exhibitors by
turnover band and country). Aggregates run in SQL; query counts do not grow
with the number of exhibitors.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import load_only, selectinload

from telecom.auth.models import User
from telecom.core.countries import country_name
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Organisation,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services.booking import BoothStatus, active_bookings_by_booth, booth_status
from telecom.exhibitors.services.organisations import (
    LISTED_BOOKING_STATES,
    _booked_organisations,
    _enum_or_none,
    _name_matches,
    booths_of,
    listed_condition,
)
from telecom.extensions import db


@dataclass
class OrganisationFilters:
    q: str = ""
    country: str = ""
    sector: str = ""
    turnover_band: str = ""
    rate_category: str = ""
    status: str = ""  # exhibitor, pavilion, co_pending, co_approved, co_rejected
    booking: str = ""  # booked, held, none


ORGANISATION_STATUS_FILTERS = {
    "exhibitor": _l("Exhibitor (no pavilion)"),
    "pavilion": _l("Pavilion"),
    "co_pending": _l("Co-exhibitor awaiting approval"),
    "co_approved": _l("Approved co-exhibitor"),
    "co_rejected": _l("Rejected co-exhibitor"),
}
BOOKING_FILTERS = {
    "booked": _l("Has a confirmed or paid booking"),
    "held": _l("Holds a booth"),
    "none": _l("No booking"),
}


def organisations_query(
    edition: Edition, filters: OrganisationFilters, *, actor: User | None,
    now: datetime | None = None,
) -> Select[Any]:  # fmt: skip
    """Every organisation of the edition matching the filters (organizers only)."""
    require_role(actor, Role.ORGANIZER)
    now = now or utcnow()
    query = select(Organisation).where(Organisation.edition_id == edition.id)
    text = (filters.q or "").strip()
    if text:
        query = query.where(_name_matches(text))
    if filters.country:
        query = query.where(Organisation.country == filters.country.strip().upper())
    for column, enum_class, value in (
        (Organisation.sector, Sector, filters.sector),
        (Organisation.turnover_band, TurnoverBand, filters.turnover_band),
        (Organisation.rate_category, RateCategory, filters.rate_category),
    ):
        if value:
            member = _enum_or_none(enum_class, value)
            query = query.where(column == member) if member else query.where(false())
    co_statuses = {
        "co_pending": CoExhibitorStatus.PENDING,
        "co_approved": CoExhibitorStatus.APPROVED,
        "co_rejected": CoExhibitorStatus.REJECTED,
    }
    if filters.status == "exhibitor":
        query = query.where(
            Organisation.pavilion_kind.is_(None), Organisation.pavilion_id.is_(None)
        )
    elif filters.status == "pavilion":
        query = query.where(Organisation.pavilion_kind.is_not(None))
    elif filters.status in co_statuses:
        query = query.where(
            Organisation.pavilion_id.is_not(None),
            Organisation.co_exhibitor_status == co_statuses[filters.status],
        )
    live_hold = and_(BoothBooking.state == BookingState.HELD, BoothBooking.held_until > now)
    if filters.booking == "booked":
        query = query.where(Organisation.id.in_(_booked_organisations(edition.id)))
    elif filters.booking == "held":
        query = query.where(
            Organisation.id.in_(
                select(BoothBooking.organisation_id).where(
                    BoothBooking.edition_id == edition.id, live_hold
                )
            )
        )
    elif filters.booking == "none":
        live = or_(BoothBooking.state.in_(LISTED_BOOKING_STATES), live_hold)
        query = query.where(
            Organisation.id.not_in(
                select(BoothBooking.organisation_id).where(
                    BoothBooking.edition_id == edition.id, live
                )
            )
        )
    return query.options(selectinload(Organisation.pavilion)).order_by(
        func.lower(Organisation.display_name), Organisation.id
    )


def booked_area_of(organisation_ids: Sequence[int]) -> dict[int, Decimal]:
    """Net sqm of confirmed/paid booths per organisation (one grouped query)."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(BoothBooking.organisation_id, func.sum(Booth.width * Booth.depth))
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(
            BoothBooking.organisation_id.in_(list(organisation_ids)),
            BoothBooking.state.in_(LISTED_BOOKING_STATES),
        )
        .group_by(BoothBooking.organisation_id)
    ).all()
    return {org_id: _sqm(area) for org_id, area in rows}


def _sqm(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def status_label(organisation: Organisation) -> str:
    if organisation.pavilion_id is not None and organisation.co_exhibitor_status:
        return _("Co-exhibitor (%(status)s)", status=organisation.co_exhibitor_status.label.lower())
    if organisation.pavilion_kind is not None:
        return organisation.pavilion_kind.label
    return _("Exhibitor")


def export_table(
    edition: Edition, filters: OrganisationFilters, *, actor: User | None
) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the filtered organisation list, for CSV/XLSX (organizers only)."""
    organisations = list(db.session.scalars(organisations_query(edition, filters, actor=actor)))
    booths = booths_of(organisations)
    areas = booked_area_of([o.id for o in organisations])
    headers = [
        _("ID"), _("Legal name"), _("Display name"), _("Country code"), _("Country"),
        _("Sector"), _("Annual turnover"), _("Rate category"), _("Status"), _("Pavilion"),
        _("Website"), _("Billing address"), _("VAT / tax number"), _("Contact name"),
        _("Contact e-mail"), _("Contact phone"), _("Booths"), _("Net sqm booked"),
        _("Registered"),
    ]  # fmt: skip
    rows = [
        [
            o.id,
            o.legal_name,
            o.display_name,
            o.country,
            country_name(o.country),
            o.sector.label,
            o.turnover_band.label,
            o.rate_category.label,
            status_label(o),
            o.pavilion.display_name if o.pavilion else "",
            o.website,
            o.billing_address,
            o.vat_number,
            o.contact_name,
            o.contact_email,
            o.contact_phone,
            " ".join(b.code for b in booths.get(o.id, [])),
            areas.get(o.id, Decimal("0.00")),
            o.created_at.date(),
        ]
        for o in organisations
    ]
    return headers, rows


@dataclass
class EditionSummary:
    booths: dict[BoothStatus, int] = field(default_factory=dict)
    booth_area: dict[BoothStatus, Decimal] = field(default_factory=dict)
    booths_total: int = 0
    net_sqm: Decimal = Decimal("0.00")
    exhibitors: int = 0
    direct_exhibitors: int = 0
    co_exhibitors: int = 0
    pavilions: int = 0
    countries: int = 0
    registered: int = 0
    pending_co_exhibitors: int = 0
    by_turnover: list[tuple[TurnoverBand, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)


def edition_summary(
    edition: Edition, *, actor: User | None, now: datetime | None = None
) -> EditionSummary:
    """The exhibition's figures (organizers only); a fixed number of queries."""
    require_role(actor, Role.ORGANIZER)
    now = now or utcnow()
    summary = EditionSummary()
    summary.booths = dict.fromkeys(BoothStatus, 0)
    summary.booth_area = dict.fromkeys(BoothStatus, Decimal("0.00"))
    live = active_bookings_by_booth(edition.id, now)
    booths = db.session.scalars(
        select(Booth)
        .where(Booth.edition_id == edition.id)
        .options(load_only(Booth.id, Booth.blocked, Booth.width, Booth.depth))
    )
    for booth in booths:
        status = booth_status(booth, live.get(booth.id), now)
        summary.booths[status] += 1
        summary.booth_area[status] += booth.width * booth.depth
        summary.booths_total += 1

    summary.net_sqm = _sqm(
        db.session.scalar(
            select(func.sum(Booth.width * Booth.depth))
            .join(BoothBooking, BoothBooking.booth_id == Booth.id)
            .where(
                Booth.edition_id == edition.id,
                BoothBooking.state.in_(LISTED_BOOKING_STATES),
            )
        )
    )

    in_edition = Organisation.edition_id == edition.id
    listed = listed_condition(edition.id)
    is_co = Organisation.pavilion_id.is_not(None)
    totals = db.session.execute(
        select(
            func.count(Organisation.id),
            func.coalesce(func.sum(case((listed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(listed, is_co), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(listed, Organisation.pavilion_kind.is_not(None)), 1), else_=0)),
                0,
            ),
            func.coalesce(
                func.sum(
                    case(
                        (and_(is_co, Organisation.co_exhibitor_status == CoExhibitorStatus.PENDING),
                         1),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(in_edition)
    ).one()  # fmt: skip
    (
        summary.registered,
        summary.exhibitors,
        summary.co_exhibitors,
        summary.pavilions,
        summary.pending_co_exhibitors,
    ) = (int(value or 0) for value in totals)
    summary.direct_exhibitors = summary.exhibitors - summary.co_exhibitors

    bands = dict(
        db.session.execute(
            select(Organisation.turnover_band, func.count(Organisation.id))
            .where(in_edition, listed)
            .group_by(Organisation.turnover_band)
        ).all()
    )
    summary.by_turnover = [(band, int(bands.get(band, 0))) for band in TurnoverBand]
    countries = db.session.execute(
        select(Organisation.country, func.count(Organisation.id))
        .where(in_edition, listed)
        .group_by(Organisation.country)
    ).all()
    summary.by_country = sorted(
        ((code, int(count)) for code, count in countries),
        key=lambda item: (-item[1], country_name(item[0])),
    )
    summary.countries = len(summary.by_country)
    return summary
