"""Edition and candidate-venue rules. Organizers only; every change audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.countries import is_valid_country, is_valid_timezone
from telecom.core.db import commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.money import is_valid_currency
from telecom.core.permissions import Role, require_role
from telecom.core.process_cache import ProcessCache
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EDITION_FIELDS = (
    "slug", "name", "city", "country", "venue", "start_date", "end_date",
    "timezone", "currency", "campaign_start", "campaign_end",
)  # fmt: skip
CANDIDATE_FIELDS = ("city", "country", "venue", "score", "notes", "status")
SCORE_STEP = Decimal("0.01")


@dataclass
class EditionData:
    slug: str
    name: str
    city: str
    country: str
    venue: str
    start_date: date
    end_date: date
    timezone: str = "UTC"
    currency: str = "CHF"
    campaign_start: date | None = None
    campaign_end: date | None = None


@dataclass
class CandidateData:
    city: str
    country: str
    venue: str = ""
    score: Decimal | None = None
    notes: str = ""
    status: CandidateStatus = CandidateStatus.BID_RECEIVED


def list_editions() -> list[Edition]:
    """Editions, newest first: public information."""
    return list(db.session.scalars(select(Edition).order_by(Edition.start_date.desc())))


def get_edition(slug: str) -> Edition:
    edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise NotFound(_("There is no edition %(slug)s.", slug=slug))
    return edition


# Read on every scan; see telecom.core.process_cache for the trade-off.
_scanning_editions: ProcessCache[Edition] = ProcessCache("EDITION_CACHE_SECONDS")


def get_edition_for_scanning(slug: str) -> Edition:
    """The edition, from a copy this process keeps for EDITION_CACHE_SECONDS.

    Scanners post every badge to the check-in API, which needs only the
    edition's id, dates and time zone; those change rarely, so looking the
    edition up on each scan is a database round trip spent on nothing. An
    edit of the dates reaches the scanners within the cache time. With
    EDITION_CACHE_SECONDS = 0 (the tests' setting) this is get_edition.
    """
    cached = _scanning_editions.get(slug)
    if cached is not None:
        return cached
    edition = get_edition(slug)
    _scanning_editions.put(slug, edition)
    return edition


def _validate_edition(data: EditionData) -> None:
    if not SLUG_PATTERN.match(data.slug):
        raise ValidationError(
            _("The slug may contain only lower-case letters, digits and single hyphens.")
        )
    if not is_valid_country(data.country):
        raise ValidationError(_("Choose a country from the list."))
    if not is_valid_timezone(data.timezone):
        raise ValidationError(_("Choose a time zone from the list."))
    if not is_valid_currency(data.currency):
        raise ValidationError(_("Choose a currency from the list."))
    if data.end_date < data.start_date:
        raise ValidationError(_("The edition cannot end before it starts."))
    if (data.campaign_start is None) != (data.campaign_end is None):
        raise ValidationError(_("Give both the start and the end of the campaign window."))
    if data.campaign_start and data.campaign_end and data.campaign_end < data.campaign_start:
        raise ValidationError(_("The campaign window cannot end before it starts."))


def _normalise_edition(data: EditionData) -> EditionData:
    data.slug = data.slug.strip().lower()
    data.country = data.country.strip().upper()
    data.currency = data.currency.strip().upper()
    for name in ("name", "city", "venue", "timezone"):
        setattr(data, name, getattr(data, name).strip())
    return data


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    query = select(Edition.id).where(Edition.slug == slug)
    if exclude_id is not None:
        query = query.where(Edition.id != exclude_id)
    return db.session.scalar(query) is not None


def create_edition(data: EditionData, *, actor: User | None) -> Edition:
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    data = _normalise_edition(data)
    _validate_edition(data)
    if _slug_taken(data.slug):
        raise Conflict(_("Another edition already uses the slug %(slug)s.", slug=data.slug))
    edition = Edition(**vars(data))
    db.session.add(edition)
    db.session.flush()
    audit.record(
        "create", edition, actor=actor, edition_id=edition.id,
        after=audit.snapshot(edition, EDITION_FIELDS),
    )  # fmt: skip
    commit()
    return edition


def _has_money(edition: Edition) -> bool:
    from telecom.exhibitors.models import BoothBooking
    from telecom.payments.models import Order

    return any(
        db.session.scalar(select(model.id).where(model.edition_id == edition.id).limit(1))
        is not None
        for model in (Order, BoothBooking)
    )


def update_edition(edition: Edition, data: EditionData, *, actor: User) -> Edition:
    require_role(actor, Role.ORGANIZER)
    data = _normalise_edition(data)
    _validate_edition(data)
    if _slug_taken(data.slug, exclude_id=edition.id):
        raise Conflict(_("Another edition already uses the slug %(slug)s.", slug=data.slug))
    if data.currency != edition.currency and _has_money(edition):
        # Orders, bookings and prices are in the old currency; mixing two in
        # one edition would make its financial result meaningless.
        raise Conflict(
            _(
                "The currency cannot change once the edition has orders or bookings "
                "(they are in %(currency)s).",
                currency=edition.currency,
            )
        )
    before = audit.snapshot(edition, EDITION_FIELDS)
    for field, value in vars(data).items():
        setattr(edition, field, value)
    after = audit.snapshot(edition, EDITION_FIELDS)
    if before != after:
        audit.record(
            "update", edition, actor=actor, edition_id=edition.id, before=before, after=after
        )
    commit()
    return edition


def get_candidate(edition: Edition, candidate_id: int) -> CandidateVenue:
    candidate = db.session.get(CandidateVenue, candidate_id)
    if candidate is None or candidate.edition_id != edition.id:
        raise NotFound(_("There is no such candidate venue for this edition."))
    return candidate


def _validate_candidate(data: CandidateData) -> CandidateData:
    data.city = data.city.strip()
    data.venue = data.venue.strip()
    data.notes = data.notes.strip()
    data.country = data.country.strip().upper()
    if not data.city:
        raise ValidationError(_("Give the candidate's city."))
    if not is_valid_country(data.country):
        raise ValidationError(_("Choose a country from the list."))
    if data.score is not None:
        # NaN cannot even be compared (InvalidOperation), so test finiteness first.
        if not data.score.is_finite() or not (Decimal(0) <= data.score <= Decimal(100)):
            raise ValidationError(_("The score must be between 0 and 100."))
        # The column is Numeric(5, 2): keep (and audit) the value the database
        # stores, so re-saving "80" over "80.00" is not recorded as a change.
        data.score = data.score.quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
    return data


def _unchoose_others(edition: Edition, keep: CandidateVenue, actor: User | None) -> None:
    """Only one bid can win: a newly chosen candidate demotes the previous one."""
    db.session.flush()
    # Organizers choosing at the same moment queue on the edition row; the
    # second then sees (and demotes) the first one's winner instead of
    # tripping the unique index.
    db.session.execute(select(Edition.id).where(Edition.id == edition.id).with_for_update())
    currently_chosen = db.session.scalars(
        select(CandidateVenue)
        .where(
            CandidateVenue.edition_id == edition.id,
            CandidateVenue.status == CandidateStatus.CHOSEN,
            CandidateVenue.id != keep.id,
        )
        .execution_options(populate_existing=True)
    ).all()
    for other in currently_chosen:
        other.status = CandidateStatus.NOT_SELECTED
        audit.record(
            "update", other, actor=actor, edition_id=edition.id,
            before={"status": CandidateStatus.CHOSEN.value},
            after={"status": CandidateStatus.NOT_SELECTED.value},
        )  # fmt: skip
    # The old winner must be written before the new one, or the partial
    # unique index sees two chosen rows at once.
    db.session.flush()


def add_candidate(edition: Edition, data: CandidateData, *, actor: User | None) -> CandidateVenue:
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    data = _validate_candidate(data)
    candidate = CandidateVenue(
        edition=edition, **{**vars(data), "status": CandidateStatus.BID_RECEIVED}
    )
    db.session.add(candidate)
    if data.status == CandidateStatus.CHOSEN:
        _unchoose_others(edition, candidate, actor)
        candidate.status = CandidateStatus.CHOSEN
    else:
        candidate.status = data.status
    db.session.flush()
    audit.record(
        "create", candidate, actor=actor, edition_id=edition.id,
        after=audit.snapshot(candidate, CANDIDATE_FIELDS),
    )  # fmt: skip
    commit()
    return candidate


def update_candidate(candidate: CandidateVenue, data: CandidateData, *, actor: User) -> None:
    require_role(actor, Role.ORGANIZER)
    data = _validate_candidate(data)
    before = audit.snapshot(candidate, CANDIDATE_FIELDS)
    if data.status == CandidateStatus.CHOSEN and candidate.status != CandidateStatus.CHOSEN:
        _unchoose_others(candidate.edition, candidate, actor)
    for field, value in vars(data).items():
        setattr(candidate, field, value)
    after = audit.snapshot(candidate, CANDIDATE_FIELDS)
    if before != after:
        audit.record(
            "update", candidate, actor=actor, edition_id=candidate.edition_id,
            before=before, after=after,
        )  # fmt: skip
    commit()


def choose_candidate(candidate: CandidateVenue, *, actor: User) -> None:
    data = CandidateData(**{**audit_fields_of(candidate), "status": CandidateStatus.CHOSEN})
    update_candidate(candidate, data, actor=actor)


def audit_fields_of(candidate: CandidateVenue) -> dict[str, Any]:
    return {field: getattr(candidate, field) for field in CANDIDATE_FIELDS}


def delete_candidate(candidate: CandidateVenue, *, actor: User) -> None:
    require_role(actor, Role.ORGANIZER)
    audit.record(
        "delete", candidate, actor=actor, edition_id=candidate.edition_id,
        before=audit.snapshot(candidate, CANDIDATE_FIELDS),
    )  # fmt: skip
    db.session.delete(candidate)
    commit()
