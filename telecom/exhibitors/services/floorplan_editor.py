"""Organizers lay out halls and booths.

A booth must lie inside its hall and overlap no other booth of that hall; its
code is unique in the edition (codes are stored in capitals). A booth that is
held or booked keeps its geometry, type and price unless the organizer
confirms explicitly; a booth with any booking, past or present, is never
deleted (block it instead, with `booking.set_blocked`). Every change is
audited; each service is one transaction and rolls back when it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    OPEN_SIDE_LAYOUTS,
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
)
from telecom.exhibitors.services.booking import BoothStatus, booth_status, lock_booth
from telecom.exhibitors.services.floorplan import natural_key, normalise_code, plain
from telecom.extensions import db

HALL_FIELDS = ("code", "name", "width", "depth")
BOOTH_FIELDS = (
    "code", "hall_id", "x", "y", "width", "depth", "booth_type", "open_sides",
    "pavilion_id", "price_override",
)  # fmt: skip
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,19}$")
MAX_METRES = Decimal("2000")  # no exhibition hall is two kilometres long
MAX_PRICE = Decimal("9999999999.99")  # Numeric(12, 2)
CENTIMETRE = Decimal("0.01")

# What an organizer changes, in words, for the "this booth is booked" message.
FIELD_LABELS = {
    "code": _l("code"),
    "hall_id": _l("hall"),
    "x": _l("position"),
    "y": _l("position"),
    "width": _l("size"),
    "depth": _l("size"),
    "booth_type": _l("type"),
    "open_sides": _l("open sides"),
    "pavilion_id": _l("pavilion"),
    "price_override": _l("price"),
}


class BookedBoothChange(Conflict):
    """A change to a held or booked booth that the organizer has not confirmed."""


F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------------------
# Numbers and codes
# ---------------------------------------------------------------------------


def check_code(code: str, what: str) -> None:
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            _(
                "The %(what)s code “%(code)s” is not valid: use up to 20 letters, digits, "
                "dots, hyphens or slashes, starting with a letter or digit.",
                what=what,
                code=code,
            )
        )


def metres(value: Decimal | None, label: str, *, allow_zero: bool) -> Decimal:
    """Validate a length in metres (at most centimetre precision)."""
    if value is None or not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(_("Give the %(label)s in metres.", label=label))
    if value < 0:
        raise ValidationError(_("The %(label)s cannot be negative.", label=label))
    if value == 0 and not allow_zero:
        raise ValidationError(_("The %(label)s must be more than 0 m.", label=label))
    if value > MAX_METRES:
        raise ValidationError(
            _("The %(label)s cannot exceed %(max)s m.", label=label, max=plain(MAX_METRES))
        )
    if value != value.quantize(CENTIMETRE):
        raise ValidationError(
            _("Give the %(label)s to the centimetre at most (two decimals).", label=label)
        )
    return value.quantize(CENTIMETRE)


def money_amount(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("The price override must be an amount of 0 or more."))
    if value > MAX_PRICE or value != value.quantize(CENTIMETRE):
        raise ValidationError(
            _("The price override must have at most two decimals and fewer than 11 digits.")
        )
    return value.quantize(CENTIMETRE)


def parse_decimal(text: str) -> Decimal:
    """A number typed by a person or read from a CSV cell; ValueError when it is none."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


# ---------------------------------------------------------------------------
# Geometry rules, shared by the forms and the CSV import
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    code: str
    x: Decimal
    y: Decimal
    width: Decimal
    depth: Decimal

    @property
    def right(self) -> Decimal:
        return self.x + self.width

    @property
    def bottom(self) -> Decimal:
        return self.y + self.depth

    def overlaps(self, other: Rect) -> bool:
        """Sharing an edge is fine; sharing any area is not."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def describe(self) -> str:
        return _(
            "%(code)s (x %(x1)s–%(x2)s m, y %(y1)s–%(y2)s m)",
            code=self.code, x1=plain(self.x), x2=plain(self.right),
            y1=plain(self.y), y2=plain(self.bottom),
        )  # fmt: skip


def outside_hall_message(rect: Rect, hall_code: str, width: Decimal, depth: Decimal) -> str | None:
    if rect.right <= width and rect.bottom <= depth:
        return None
    return _(
        "Booth %(code)s does not fit in hall %(hall)s: it would reach x %(right)s m and "
        "y %(bottom)s m, but the hall is %(width)s m × %(depth)s m.",
        code=rect.code, hall=hall_code, right=plain(rect.right), bottom=plain(rect.bottom),
        width=plain(width), depth=plain(depth),
    )  # fmt: skip


def overlap_message(rect: Rect, other: Rect) -> str:
    return _(
        "Booth %(code)s would overlap booth %(other)s.", code=rect.code, other=other.describe()
    )


def find_overlaps(rects: Iterable[Rect]) -> list[tuple[Rect, Rect]]:
    """Every overlapping pair, by a sweep along x (fast for a thousand booths)."""
    ordered = sorted(rects, key=lambda r: (r.x, r.y, r.code))
    pairs: list[tuple[Rect, Rect]] = []
    active: list[Rect] = []
    for rect in ordered:
        active = [other for other in active if other.right > rect.x]
        pairs.extend((other, rect) for other in active if other.overlaps(rect))
        active.append(rect)
    return pairs


# ---------------------------------------------------------------------------
# Halls
# ---------------------------------------------------------------------------


@dataclass
class HallData:
    code: str
    name: str
    width: Decimal | None
    depth: Decimal | None


def list_halls(edition: Edition) -> list[tuple[Hall, int]]:
    """The halls with how many booths each has."""
    counts = dict(
        db.session.execute(
            select(Booth.hall_id, func.count(Booth.id))
            .where(Booth.edition_id == edition.id)
            .group_by(Booth.hall_id)
        ).all()
    )
    halls = db.session.scalars(select(Hall).where(Hall.edition_id == edition.id)).all()
    ordered = sorted(halls, key=lambda hall: natural_key(hall.code))
    return [(hall, counts.get(hall.id, 0)) for hall in ordered]


def get_hall(edition: Edition, hall_id: int) -> Hall:
    hall = db.session.get(Hall, hall_id)
    if hall is None or hall.edition_id != edition.id:
        raise NotFound(_("There is no such hall in this edition."))
    return hall


def _clean_hall(data: HallData) -> HallData:
    code = normalise_code(data.code)
    check_code(code, _("hall"))
    name = (data.name or "").strip()
    if not name:
        raise ValidationError(_("Give the hall a name."))
    if len(name) > 100:
        raise ValidationError(_("The hall name is longer than 100 characters."))
    return HallData(
        code=code,
        name=name,
        width=metres(data.width, _("hall width"), allow_zero=False),
        depth=metres(data.depth, _("hall depth"), allow_zero=False),
    )


def _hall_code_taken(edition_id: int, code: str, exclude_id: int | None = None) -> bool:
    query = select(Hall.id).where(Hall.edition_id == edition_id, Hall.code == code)
    if exclude_id is not None:
        query = query.where(Hall.id != exclude_id)
    return db.session.scalar(query) is not None


def _commit_or_conflict(message: str) -> None:
    try:
        commit()
    except IntegrityError:
        raise Conflict(message) from None


@atomic
def create_hall(edition: Edition, data: HallData, *, actor: User | None) -> Hall:
    """Add a hall. `actor=None` is the system (demo data, CLI)."""
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    data = _clean_hall(data)
    if _hall_code_taken(edition.id, data.code):
        raise Conflict(_("This edition already has a hall %(code)s.", code=data.code))
    hall = Hall(edition_id=edition.id, **vars(data))
    db.session.add(hall)
    db.session.flush()
    audit.record(
        "create", hall, actor=actor, edition_id=edition.id,
        after=audit.snapshot(hall, HALL_FIELDS),
    )  # fmt: skip
    _commit_or_conflict(_("This edition already has a hall %(code)s.", code=data.code))
    return hall


def _lock_hall(hall: Hall) -> Hall:
    locked = db.session.scalar(
        select(Hall)
        .where(Hall.id == hall.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such hall in this edition."))
    return locked


@atomic
def update_hall(hall: Hall, data: HallData, *, actor: User) -> Hall:
    """Rename or resize a hall; every booth must still fit in it."""
    require_role(actor, Role.ORGANIZER)
    data = _clean_hall(data)
    hall = _lock_hall(hall)
    if _hall_code_taken(hall.edition_id, data.code, exclude_id=hall.id):
        raise Conflict(_("This edition already has a hall %(code)s.", code=data.code))
    assert data.width is not None and data.depth is not None
    booths = db.session.execute(
        select(Booth.code, Booth.x, Booth.y, Booth.width, Booth.depth).where(
            Booth.hall_id == hall.id
        )
    ).all()
    outside = [
        row.code
        for row in booths
        if outside_hall_message(Rect(*row), data.code, data.width, data.depth) is not None
    ]
    if outside:
        outside.sort(key=natural_key)
        raise ValidationError(
            _(
                "Hall %(code)s cannot be %(width)s m × %(depth)s m: these booths would lie "
                "outside it: %(booths)s. Move or resize them first.",
                code=data.code, width=plain(data.width), depth=plain(data.depth),
                booths=", ".join(outside),
            )
        )  # fmt: skip
    before = audit.snapshot(hall, HALL_FIELDS)
    for name, value in vars(data).items():
        setattr(hall, name, value)
    after = audit.snapshot(hall, HALL_FIELDS)
    if before != after:
        audit.record(
            "update", hall, actor=actor, edition_id=hall.edition_id, before=before, after=after
        )
    _commit_or_conflict(_("This edition already has a hall %(code)s.", code=data.code))
    return hall


@atomic
def delete_hall(hall: Hall, *, actor: User) -> None:
    """Delete an empty hall (a hall with booths keeps them: delete those first)."""
    require_role(actor, Role.ORGANIZER)
    hall = _lock_hall(hall)
    booths = db.session.scalar(select(func.count(Booth.id)).where(Booth.hall_id == hall.id))
    if booths:
        raise Conflict(
            _(
                "Hall %(code)s still has %(n)d booths; delete or move them first.",
                code=hall.code,
                n=booths,
            )
        )
    audit.record(
        "delete", hall, actor=actor, edition_id=hall.edition_id,
        before=audit.snapshot(hall, HALL_FIELDS),
    )  # fmt: skip
    db.session.delete(hall)
    commit()


# ---------------------------------------------------------------------------
# Booths
# ---------------------------------------------------------------------------


@dataclass
class BoothData:
    code: str
    hall_id: int | None
    x: Decimal | None
    y: Decimal | None
    width: Decimal | None
    depth: Decimal | None
    booth_type: BoothType | str | None
    open_sides: int | None
    pavilion_id: int | None = None
    price_override: Decimal | None = None


def pavilions(edition: Edition) -> list[Organisation]:
    """Organisations that are pavilions, which booths can be reserved for."""
    rows = db.session.scalars(
        select(Organisation).where(
            Organisation.edition_id == edition.id, Organisation.pavilion_kind.is_not(None)
        )
    ).all()
    return sorted(rows, key=lambda organisation: organisation.display_name.lower())


def get_booth(edition: Edition, booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.edition_id != edition.id:
        raise NotFound(_("There is no such booth in this edition."))
    return booth


def _clean_booth(edition: Edition, data: BoothData) -> tuple[BoothData, Hall]:
    code = normalise_code(data.code)
    check_code(code, _("booth"))
    hall = db.session.get(Hall, data.hall_id) if data.hall_id else None
    if hall is None or hall.edition_id != edition.id:
        raise ValidationError(_("Choose one of the edition's halls."))
    try:
        booth_type = BoothType(data.booth_type)
    except ValueError:
        raise ValidationError(_("Choose a booth type from the list.")) from None
    if data.open_sides not in OPEN_SIDE_LAYOUTS:
        raise ValidationError(_("A booth has 1 to 4 open sides."))
    if data.pavilion_id is not None:
        pavilion = db.session.get(Organisation, data.pavilion_id)
        if pavilion is None or pavilion.edition_id != edition.id or not pavilion.is_pavilion:
            raise ValidationError(_("Choose a pavilion of this edition, or none."))
    cleaned = BoothData(
        code=code,
        hall_id=hall.id,
        x=metres(data.x, _("x position"), allow_zero=True),
        y=metres(data.y, _("y position"), allow_zero=True),
        width=metres(data.width, _("booth width"), allow_zero=False),
        depth=metres(data.depth, _("booth depth"), allow_zero=False),
        booth_type=booth_type,
        open_sides=data.open_sides,
        pavilion_id=data.pavilion_id,
        price_override=money_amount(data.price_override),
    )
    return cleaned, hall


def _check_placement(edition: Edition, data: BoothData, hall: Hall, exclude_id: int | None) -> None:
    """Unique code, inside the hall, no overlap: raise with a message naming the culprit."""
    query = select(Booth.id).where(Booth.edition_id == edition.id, Booth.code == data.code)
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(_("This edition already has a booth %(code)s.", code=data.code))
    assert data.x is not None and data.y is not None
    assert data.width is not None and data.depth is not None
    rect = Rect(data.code, data.x, data.y, data.width, data.depth)
    message = outside_hall_message(rect, hall.code, hall.width, hall.depth)
    if message:
        raise ValidationError(message)
    neighbours = db.session.execute(
        select(Booth.code, Booth.x, Booth.y, Booth.width, Booth.depth).where(
            Booth.hall_id == hall.id, Booth.id != (exclude_id or -1)
        )
    ).all()
    for row in sorted(neighbours, key=lambda row: natural_key(row.code)):
        other = Rect(*row)
        if rect.overlaps(other):
            raise ValidationError(overlap_message(rect, other))


def live_booking(booth: Booth, now: datetime | None = None) -> tuple[BoothBooking, str] | None:
    """The booth's held or booked booking (an expired hold is none) and its organisation."""
    now = now or utcnow()
    row = db.session.execute(
        select(BoothBooking, Organisation.display_name)
        .join(Organisation, Organisation.id == BoothBooking.organisation_id)
        .where(BoothBooking.booth_id == booth.id, BoothBooking.state.in_(ACTIVE_BOOKING_STATES))
    ).first()
    if row is None:
        return None
    booking, name = row
    if booth_status(booth, booking, now) in (BoothStatus.HELD, BoothStatus.BOOKED):
        return booking, name
    return None


def booked_change_message(
    code: str, booking: BoothBooking, organisation: str, changed: Iterable[str]
) -> str:
    words = list(dict.fromkeys(str(FIELD_LABELS[name]) for name in changed))
    return _(
        "Booth %(code)s is %(state)s by %(organisation)s: changing its %(fields)s affects "
        "their booking. Tick “I know this booth is booked” to apply the change anyway.",
        code=code,
        state=(_("held") if booking.state == BookingState.HELD else _("booked")),
        organisation=organisation,
        fields=", ".join(words),
    )


@atomic
def create_booth(edition: Edition, data: BoothData, *, actor: User | None) -> Booth:
    """Add a booth to a hall. `actor=None` is the system (demo data, CLI)."""
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    data, hall = _clean_booth(edition, data)
    _lock_hall(hall)  # booths of one hall are placed one at a time
    _check_placement(edition, data, hall, exclude_id=None)
    booth = Booth(edition_id=edition.id, **vars(data))
    db.session.add(booth)
    db.session.flush()
    audit.record(
        "create", booth, actor=actor, edition_id=edition.id,
        after=audit.snapshot(booth, BOOTH_FIELDS),
    )  # fmt: skip
    _commit_or_conflict(_("This edition already has a booth %(code)s.", code=data.code))
    return booth


@atomic
def update_booth(
    booth: Booth, data: BoothData, *, actor: User, confirm_booked: bool = False
) -> Booth:
    """Change a booth. A held or booked booth changes only with `confirm_booked`."""
    require_role(actor, Role.ORGANIZER)
    edition = db.session.get(Edition, booth.edition_id)
    assert edition is not None
    data, hall = _clean_booth(edition, data)
    # Lock the halls (old and new, in id order), then the booth: hold_booth
    # locks the booth too, so no hold slips in between the check and the write.
    for hall_id in sorted({booth.hall_id, hall.id}):
        db.session.execute(select(Hall.id).where(Hall.id == hall_id).with_for_update())
    booth = lock_booth(booth.id)
    _check_placement(edition, data, hall, exclude_id=booth.id)
    before = audit.snapshot(booth, BOOTH_FIELDS)
    # Compare values, not text: 3.00 m equals 3 m.
    changed = [name for name in BOOTH_FIELDS if getattr(booth, name) != getattr(data, name)]
    if changed:
        found = live_booking(booth)
        if found is not None and not confirm_booked:
            raise BookedBoothChange(booked_change_message(booth.code, *found, changed))
        for name in changed:
            setattr(booth, name, getattr(data, name))
        after = audit.snapshot(booth, BOOTH_FIELDS)
        if found is not None:
            after["booked_change_confirmed"] = True
            after["booking_id"] = found[0].id
        audit.record(
            "update", booth, actor=actor, edition_id=booth.edition_id, before=before, after=after
        )
    _commit_or_conflict(_("This edition already has a booth %(code)s.", code=data.code))
    return booth


@atomic
def delete_booth(booth: Booth, *, actor: User) -> None:
    """Delete a booth that was never booked (bookings are history: block it instead)."""
    require_role(actor, Role.ORGANIZER)
    booth = lock_booth(booth.id)
    bookings = db.session.scalar(
        select(func.count(BoothBooking.id)).where(BoothBooking.booth_id == booth.id)
    )
    if bookings:
        raise Conflict(
            _(
                "Booth %(code)s has bookings (current or past) and cannot be deleted; "
                "block it to take it off sale.",
                code=booth.code,
            )
        )
    audit.record(
        "delete", booth, actor=actor, edition_id=booth.edition_id,
        before=audit.snapshot(booth, BOOTH_FIELDS),
    )  # fmt: skip
    db.session.delete(booth)
    commit()
