"""Pass types: what a visitor can register for at an edition, defined by organizers.

A pass admits its holder on the days from `valid_from` to `valid_until`
(within the edition's dates). With `days_valid` set below the number of those
days, the visitor chooses the first day and the pass covers that many
consecutive days (1 = a day pass). `capacity` bounds the places held by
pending and confirmed registrations; the `issued` counter is only changed
under a row lock on the pass type (see services.registration).

Sale windows are entered in the edition's time zone and stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import PassType, RegistrationCategory

CENT = Decimal("0.01")
MAX_PRICE = Decimal("9999999999.99")  # what Numeric(12, 2) holds
MAX_CAPACITY = 1_000_000
MAX_EXHIBITOR_INVITATIONS = 10_000
PASS_AUDIT_FIELDS = (
    "name", "description", "categories", "price", "valid_from", "valid_until", "days_valid",
    "capacity", "sale_starts_at", "sale_ends_at", "forum_access", "invitation_only",
    "exhibitor_invitations", "active",
)  # fmt: skip

FIELD_LABELS = {
    "name": _l("Name"),
    "description": _l("Description"),
    "categories": _l("Categories"),
    "price": _l("Price"),
    "valid_from": _l("Valid from"),
    "valid_until": _l("Valid until"),
    "days_valid": _l("Days admitted"),
    "capacity": _l("Capacity"),
    "sale_starts_at": _l("Sale starts"),
    "sale_ends_at": _l("Sale ends"),
    "exhibitor_invitations": _l("Invitation codes per exhibitor"),
}


class PassTypeError(ValidationError):
    """A refused value, with the field it belongs to (for the form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PassTypeData:
    name: str
    valid_from: date
    valid_until: date
    categories: list[RegistrationCategory] = field(
        default_factory=lambda: [RegistrationCategory.VISITOR]
    )
    description: str = ""
    price: Decimal = Decimal("0")
    days_valid: int | None = None
    capacity: int | None = None
    # Naive values are wall-clock times in the edition's time zone (as typed in
    # the form); aware values are taken as they are.
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    forum_access: bool = False
    invitation_only: bool = False
    exhibitor_invitations: int = 0
    active: bool = True


def categories_of(pass_type: PassType) -> list[RegistrationCategory]:
    """The categories the pass may be issued to; the first is a public registration's."""
    return [RegistrationCategory(c) for c in pass_type.categories.split(",") if c]


def public_category(pass_type: PassType) -> RegistrationCategory:
    categories = categories_of(pass_type)
    return categories[0] if categories else RegistrationCategory.VISITOR


def pass_days(pass_type: PassType) -> list[date]:
    """Every day in the pass's validity range."""
    span = (pass_type.valid_until - pass_type.valid_from).days + 1
    return [pass_type.valid_from + timedelta(days=n) for n in range(max(span, 0))]


def chooses_days(pass_type: PassType) -> bool:
    """Whether the visitor picks the (first) day: the pass covers fewer days than its range."""
    return pass_type.days_valid is not None and pass_type.days_valid < len(pass_days(pass_type))


def start_days(pass_type: PassType) -> list[date]:
    """The days a visitor may choose as the first day of a pass that covers fewer days."""
    days = pass_days(pass_type)
    if not chooses_days(pass_type):
        return days[:1]
    assert pass_type.days_valid is not None
    return days[: len(days) - pass_type.days_valid + 1]


def validity_for(pass_type: PassType, day: date | None) -> tuple[date, date]:
    """The (first, last) day a registration admits, from the chosen first day if any."""
    if not chooses_days(pass_type):
        return pass_type.valid_from, pass_type.valid_until
    assert pass_type.days_valid is not None
    if day is None or day not in start_days(pass_type):
        raise PassTypeError("day", _("Choose a day from the list."))
    return day, day + timedelta(days=pass_type.days_valid - 1)


def remaining(pass_type: PassType) -> int | None:
    """Places left; None when unlimited."""
    if pass_type.capacity is None:
        return None
    return max(0, pass_type.capacity - pass_type.issued)


def to_utc(edition: Edition, value: datetime | None) -> datetime | None:
    """A naive wall-clock time in the edition's zone (or an aware time) as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=edition.tz)
    return value.astimezone(UTC)


def to_local(edition: Edition, value: datetime | None) -> datetime | None:
    """A UTC timestamp as a naive wall-clock time in the edition's zone (for forms)."""
    if value is None:
        return None
    return value.astimezone(edition.tz).replace(tzinfo=None)


def sale_refusal(pass_type: PassType, edition: Edition, now: datetime | None = None) -> str | None:
    """Why the pass cannot be registered for now, or None when it can (capacity aside)."""
    now = now or utcnow()
    if not pass_type.active:
        return _("This pass is no longer offered.")
    if pass_type.sale_starts_at is not None and now < pass_type.sale_starts_at:
        from telecom.core.templating import format_timestamp

        return _(
            "Registration for this pass opens on %(time)s (%(zone)s).",
            time=format_timestamp(pass_type.sale_starts_at, edition.timezone),
            zone=edition.timezone,
        )
    if pass_type.sale_ends_at is not None and now >= pass_type.sale_ends_at:
        return _("Registration for this pass has closed.")
    if now.astimezone(edition.tz).date() > pass_type.valid_until:
        return _("Registration for this pass has closed.")
    return None


def passes_for_sale(edition: Edition, now: datetime | None = None) -> list[PassType]:
    """The active passes whose sale window is open now (sold-out ones included, to say so)."""
    passes = db.session.scalars(
        select(PassType)
        .where(PassType.edition_id == edition.id, PassType.active.is_(True))
        .order_by(PassType.price, PassType.name)
    )
    return [p for p in passes if sale_refusal(p, edition, now) is None]


def list_pass_types(edition: Edition, *, actor: User) -> list[PassType]:
    require_role(actor, Role.ORGANIZER)
    return list(
        db.session.scalars(
            select(PassType)
            .where(PassType.edition_id == edition.id)
            .order_by(PassType.active.desc(), PassType.name)
        )
    )


def get_pass_type(edition: Edition, pass_type_id: int) -> PassType:
    """A pass type of this edition (public information), or NotFound."""
    pass_type = db.session.get(PassType, pass_type_id)
    if pass_type is None or pass_type.edition_id != edition.id:
        raise NotFound(_("There is no such pass."))
    return pass_type


def _text(value: str | None) -> str:
    return (value or "").strip()


def _whole(name: str, value: object, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PassTypeError(name, _("%(field)s must be a whole number.", field=FIELD_LABELS[name]))
    if not lowest <= value <= highest:
        raise PassTypeError(
            name,
            _(
                "%(field)s must be between %(low)d and %(high)d.",
                field=FIELD_LABELS[name], low=lowest, high=highest,
            ),
        )  # fmt: skip
    return value


def _validated(edition: Edition, data: PassTypeData, pass_type: PassType | None) -> PassTypeData:
    name = _text(data.name)
    description = _text(data.description)
    if not name:
        raise PassTypeError("name", _("Give the pass a name."))
    if len(name) > 100:
        raise PassTypeError("name", _("The name can have at most 100 characters."))
    if len(description) > 2000:
        raise PassTypeError("description", _("The description can have at most 2000 characters."))

    try:
        categories = [RegistrationCategory(c) for c in data.categories]
    except ValueError:
        raise PassTypeError("categories", _("Choose categories from the list.")) from None
    if not categories:
        raise PassTypeError("categories", _("Choose at least one category."))
    if len(set(categories)) != len(categories):
        raise PassTypeError("categories", _("Choose each category once."))

    try:
        price = Decimal(data.price)
    except (InvalidOperation, TypeError, ValueError):
        raise PassTypeError("price", _("The price must be a number.")) from None
    if not price.is_finite():
        raise PassTypeError("price", _("The price must be a number."))
    if price < 0 or price > MAX_PRICE:
        raise PassTypeError("price", _("The price must be 0 (free) or more, and realistic."))
    if price != price.quantize(CENT):
        raise PassTypeError("price", _("The price can have at most two decimals."))

    if not isinstance(data.valid_from, date) or not isinstance(data.valid_until, date):
        raise PassTypeError("valid_from", _("Give the first and last day the pass admits."))
    if not edition.start_date <= data.valid_from <= edition.end_date:
        raise PassTypeError("valid_from", _("The pass must start within the edition's dates."))
    if not edition.start_date <= data.valid_until <= edition.end_date:
        raise PassTypeError("valid_until", _("The pass must end within the edition's dates."))
    if data.valid_until < data.valid_from:
        raise PassTypeError("valid_until", _("The last day cannot come before the first day."))
    span = (data.valid_until - data.valid_from).days + 1

    days_valid = data.days_valid
    if days_valid is not None:
        days_valid = _whole("days_valid", days_valid, 1, span)
        if days_valid == span:
            days_valid = None  # every day of the range: nothing to choose

    capacity = data.capacity
    if capacity is not None:
        capacity = _whole("capacity", capacity, 1, MAX_CAPACITY)
        if pass_type is not None and capacity < pass_type.issued:
            raise PassTypeError(
                "capacity",
                _(
                    "%(n)d places are already taken: the capacity cannot be lower.",
                    n=pass_type.issued,
                ),
            )

    starts = to_utc(edition, data.sale_starts_at)
    ends = to_utc(edition, data.sale_ends_at)
    if starts is not None and ends is not None and ends <= starts:
        raise PassTypeError("sale_ends_at", _("The sale must end after it starts."))

    invitations = _whole(
        "exhibitor_invitations", data.exhibitor_invitations, 0, MAX_EXHIBITOR_INVITATIONS
    )
    return PassTypeData(
        name=name,
        description=description,
        categories=categories,
        price=price.quantize(CENT),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        days_valid=days_valid,
        capacity=capacity,
        sale_starts_at=starts,
        sale_ends_at=ends,
        forum_access=bool(data.forum_access),
        invitation_only=bool(data.invitation_only),
        exhibitor_invitations=invitations,
        active=bool(data.active),
    )


def _name_taken(edition: Edition, name: str, pass_type: PassType | None) -> bool:
    query = select(func.count(PassType.id)).where(
        PassType.edition_id == edition.id, func.lower(PassType.name) == name.lower()
    )
    if pass_type is not None:
        query = query.where(PassType.id != pass_type.id)
    return bool(db.session.scalar(query))


def _apply(pass_type: PassType, data: PassTypeData) -> None:
    pass_type.name = data.name
    pass_type.description = data.description
    pass_type.categories = ",".join(c.value for c in data.categories)
    pass_type.price = data.price
    pass_type.valid_from = data.valid_from
    pass_type.valid_until = data.valid_until
    pass_type.days_valid = data.days_valid
    pass_type.capacity = data.capacity
    pass_type.sale_starts_at = data.sale_starts_at
    pass_type.sale_ends_at = data.sale_ends_at
    pass_type.forum_access = data.forum_access
    pass_type.invitation_only = data.invitation_only
    pass_type.exhibitor_invitations = data.exhibitor_invitations
    pass_type.active = data.active


def _save(edition: Edition) -> None:
    try:
        commit()
    except IntegrityError:
        # Another organizer saved the same name at the same moment.
        raise PassTypeError("name", _("This edition already has a pass with this name.")) from None


@atomic
def create_pass_type(edition: Edition, data: PassTypeData, *, actor: User) -> PassType:
    require_role(actor, Role.ORGANIZER)
    data = _validated(edition, data, None)
    if _name_taken(edition, data.name, None):
        raise PassTypeError("name", _("This edition already has a pass with this name."))
    pass_type = PassType(edition_id=edition.id, issued=0)
    _apply(pass_type, data)
    db.session.add(pass_type)
    db.session.flush()
    audit.record(
        "create_pass_type", pass_type, actor=actor, edition_id=edition.id,
        after=audit.snapshot(pass_type, PASS_AUDIT_FIELDS),
    )  # fmt: skip
    _save(edition)
    return pass_type


def _locked(pass_type_id: int) -> PassType:
    locked = db.session.scalar(
        select(PassType)
        .where(PassType.id == pass_type_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such pass."))
    return locked


@atomic
def update_pass_type(pass_type: PassType, data: PassTypeData, *, actor: User) -> PassType:
    """Change a pass; under its row lock, so the capacity never drops below places taken."""
    require_role(actor, Role.ORGANIZER)
    edition = db.session.get(Edition, pass_type.edition_id)
    assert edition is not None
    pass_type = _locked(pass_type.id)
    data = _validated(edition, data, pass_type)
    if _name_taken(edition, data.name, pass_type):
        raise PassTypeError("name", _("This edition already has a pass with this name."))
    before = audit.snapshot(pass_type, PASS_AUDIT_FIELDS)
    _apply(pass_type, data)
    audit.record(
        "update_pass_type", pass_type, actor=actor, edition_id=edition.id,
        before=before, after=audit.snapshot(pass_type, PASS_AUDIT_FIELDS),
    )  # fmt: skip
    _save(edition)
    return pass_type


@atomic
def set_active(pass_type: PassType, active: bool, *, actor: User) -> PassType:
    """Take a pass off sale (or offer it again); registrations already made stay valid."""
    require_role(actor, Role.ORGANIZER)
    pass_type = _locked(pass_type.id)
    if pass_type.active == active:
        return pass_type
    before = audit.snapshot(pass_type, ("active",))
    pass_type.active = active
    audit.record(
        "activate_pass_type" if active else "deactivate_pass_type", pass_type, actor=actor,
        edition_id=pass_type.edition_id, before=before, after={"active": active},
    )  # fmt: skip
    commit()
    return pass_type


def data_of(pass_type: PassType, edition: Edition) -> PassTypeData:
    """A pass type as form data, sale times in the edition's zone."""
    return PassTypeData(
        name=pass_type.name,
        description=pass_type.description,
        categories=categories_of(pass_type),
        price=pass_type.price,
        valid_from=pass_type.valid_from,
        valid_until=pass_type.valid_until,
        days_valid=pass_type.days_valid,
        capacity=pass_type.capacity,
        sale_starts_at=to_local(edition, pass_type.sale_starts_at),
        sale_ends_at=to_local(edition, pass_type.sale_ends_at),
        forum_access=pass_type.forum_access,
        invitation_only=pass_type.invitation_only,
        exhibitor_invitations=pass_type.exhibitor_invitations,
        active=pass_type.active,
    )
