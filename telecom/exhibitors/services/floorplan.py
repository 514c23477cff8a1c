"""The floor plan as visitors see it, and the accessible booth list behind it.

`floor_plan()` gathers everything the public plan and the booth list need in
a fixed number of SQL statements (halls; booths with their pavilion's name;
live bookings with their organisation's name; the edition's settings),
whatever the number of booths. Status comes from `booking.booth_status`, so an
expired hold is "available" here exactly as it is to the booking service.
Prices are the standard rate from `pricing.price_booth`.

Organizers edit halls and booths through `floorplan_editor`, and whole plans
through `floorplan_csv`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import format_currency, format_decimal, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from telecom.core.models import utcnow
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
from telecom.exhibitors.services.booking import BoothStatus, booth_status
from telecom.exhibitors.services.pricing import BoothPrice, price_booth
from telecom.exhibitors.services.settings import settings_for
from telecom.extensions import db

# ---------------------------------------------------------------------------
# Numbers and codes
# ---------------------------------------------------------------------------


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 3.00 → "3", 2.50 → "2.5"."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def natural_key(code: str) -> tuple[Any, ...]:
    """Sort F2 before F10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


# ---------------------------------------------------------------------------
# The plan as the public sees it
# ---------------------------------------------------------------------------


# The plan repeats the same sentences for every booth: translate each once per
# request (a gettext call costs tens of microseconds; a thousand booths use
# a dozen each), then fill in the values.
MESSAGES = {
    "size": _l("%(width)s m × %(depth)s m"),
    "area": _l("%(area)s sqm"),
    "title": _l("Booth %(code)s — %(status)s"),
    "price": _l("Price: %(price)s"),
    "exhibitor": _l("Exhibitor: %(name)s"),
    "held": _l("Held by an exhibitor who is completing the booking."),
    "pavilion": _l("Reserved for the pavilion: %(name)s"),
    "aria": _l("Booth %(code)s, %(status)s, %(size)s, %(area)s, %(price)s"),
    "aria_exhibitor": _l("exhibitor %(name)s"),
    "aria_highlighted": _l("highlighted"),
}


class Formatter:
    """Locale-aware words, numbers and prices, memoised for one request."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._numbers: dict[Decimal, str] = {}
        self._prices: dict[Decimal, str] = {}
        self._texts: dict[Any, str] = {}

    def text(self, key: str) -> str:
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = str(MESSAGES[key])
        return found

    def label(self, member: BoothStatus | BoothType) -> str:
        # Keyed by type too: a StrEnum member equals its value ("held" == HELD).
        key = (type(member), member)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = member.label
        return found

    def open_sides(self, sides: int) -> str:
        key = ("open_sides", sides)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = ngettext(
                "%(layout)s, %(num)d open side",
                "%(layout)s, %(num)d open sides",
                sides,
                layout=str(OPEN_SIDE_LAYOUTS[sides]),
            )
        return found

    def number(self, value: Decimal) -> str:
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = format_decimal(value, format="#,##0.##")
        return text

    def price(self, value: Decimal) -> str:
        text = self._prices.get(value)
        if text is None:
            text = self._prices[value] = format_currency(value, self.currency)
        return text

    def size(self, width: Decimal, depth: Decimal) -> str:
        key = ("size", width, depth)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = self.text("size") % {
                "width": self.number(width),
                "depth": self.number(depth),
            }
        return found


class SvgBox(NamedTuple):
    x: str
    y: str
    width: str
    height: str
    cx: str
    cy: str
    font_size: str


def svg_number(value: float) -> str:
    """A coordinate for SVG: at most three decimals, no trailing zeros (fast)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


@dataclass
class BoothInfo:
    """One booth as the plan and the list show it (no ORM object: cheap to build)."""

    id: int
    code: str
    hall_id: int
    hall_code: str
    x: Decimal
    y: Decimal
    width: Decimal
    depth: Decimal
    booth_type: BoothType
    open_sides: int
    pavilion_id: int | None
    pavilion_name: str | None
    price_override: Decimal | None
    blocked: bool
    blocked_reason: str
    price: BoothPrice
    status: BoothStatus
    # The organisation of a live booking. The public sees it only once booked
    # (`exhibitor`); organizers also see who holds a booth.
    organisation_id: int | None
    organisation_name: str | None
    booking_id: int | None
    booking_state: BookingState | None
    held_until: datetime | None
    fmt: Formatter = field(repr=False)

    @property
    def area(self) -> Decimal:
        return self.width * self.depth

    @property
    def exhibitor(self) -> str | None:
        return self.organisation_name if self.status == BoothStatus.BOOKED else None

    @property
    def layout_label(self) -> str:
        return str(OPEN_SIDE_LAYOUTS[self.open_sides])

    @property
    def type_label(self) -> str:
        return self.fmt.label(self.booth_type)

    @property
    def size_label(self) -> str:
        return self.fmt.size(self.width, self.depth)

    @property
    def area_label(self) -> str:
        return self.fmt.text("area") % {"area": self.fmt.number(self.area)}

    @property
    def open_sides_label(self) -> str:
        return self.fmt.open_sides(self.open_sides)

    @property
    def price_label(self) -> str:
        return self.fmt.price(self.price.total)

    @property
    def status_label(self) -> str:
        return self.fmt.label(self.status)

    # SVG geometry: plain numbers in metres, never locale-formatted.
    @property
    def svg_x(self) -> str:
        return self.svg.x

    @property
    def svg_y(self) -> str:
        return self.svg.y

    @property
    def svg_width(self) -> str:
        return self.svg.width

    @property
    def svg_depth(self) -> str:
        return self.svg.height

    @property
    def svg(self) -> SvgBox:
        """x, y, width, height, centre and a label size that fits (at most 1.2 m high)."""
        # Memoised by hand: functools.cached_property takes a lock on every read.
        box = self.__dict__.get("_svg")
        if box is None:
            box = self.__dict__["_svg"] = self._svg_box()
        return box

    def _svg_box(self) -> SvgBox:
        x, y, width, depth = float(self.x), float(self.y), float(self.width), float(self.depth)
        font = min(1.2, width / max(len(self.code), 2) * 1.6, depth / 2)
        return SvgBox(
            svg_number(x), svg_number(y), svg_number(width), svg_number(depth),
            svg_number(x + width / 2), svg_number(y + depth / 2), svg_number(font),
        )  # fmt: skip

    def summary_lines(self) -> list[str]:
        """What hovering or focusing the booth shows, line by line."""
        text = self.fmt.text
        lines = [
            text("title") % {"code": self.code, "status": self.status_label},
            f"{self.size_label} ({self.area_label})",
            f"{self.type_label} · {self.open_sides_label}",
            text("price") % {"price": self.price_label},
        ]
        if self.status == BoothStatus.BOOKED and self.exhibitor:
            lines.append(text("exhibitor") % {"name": self.exhibitor})
        elif self.status == BoothStatus.HELD:
            lines.append(text("held"))
        if self.pavilion_name:
            lines.append(text("pavilion") % {"name": self.pavilion_name})
        return lines

    def aria_label(self, highlighted: bool = False) -> str:
        text = self.fmt.text
        label = text("aria") % {
            "code": self.code,
            "status": self.status_label.lower(),
            "size": self.size_label,
            "area": self.area_label,
            "price": self.price_label,
        }
        if self.exhibitor:
            label += ", " + text("aria_exhibitor") % {"name": self.exhibitor}
        if highlighted:
            label += ", " + text("aria_highlighted")
        return label


@dataclass
class HallPlan:
    id: int
    code: str
    name: str
    width: Decimal
    depth: Decimal
    booths: list[BoothInfo]
    fmt: Formatter = field(repr=False)

    @property
    def size_label(self) -> str:
        return self.fmt.size(self.width, self.depth)

    @property
    def view_box(self) -> str:
        return f"0 0 {plain(self.width)} {plain(self.depth)}"

    @property
    def svg_width(self) -> str:
        return plain(self.width)

    @property
    def svg_depth(self) -> str:
        return plain(self.depth)


@dataclass
class FloorPlan:
    edition: Edition
    currency: str
    halls: list[HallPlan]
    fmt: Formatter

    def booths(self) -> Iterator[BoothInfo]:
        for hall in self.halls:
            yield from hall.booths

    def hall(self, code: str | None) -> HallPlan | None:
        code = normalise_code(code or "")
        return next((hall for hall in self.halls if hall.code == code), None)

    def booth(self, code: str | None) -> BoothInfo | None:
        code = normalise_code(code or "")
        return next((booth for booth in self.booths() if booth.code == code), None)

    def counts(self) -> dict[BoothStatus, int]:
        found = Counter(booth.status for booth in self.booths())
        return {status: found.get(status, 0) for status in BoothStatus}


def floor_plan(edition: Edition, *, now: datetime | None = None) -> FloorPlan:
    """Every hall and booth of the edition with status and standard price.

    Four statements whatever the size of the plan: halls, booths (with the
    reserving pavilion's name), live bookings (with the organisation's name),
    and the settings.
    """
    now = now or utcnow()
    fmt = Formatter(edition.currency)
    halls = db.session.execute(
        select(Hall.id, Hall.code, Hall.name, Hall.width, Hall.depth).where(
            Hall.edition_id == edition.id
        )
    ).all()
    pavilion = aliased(Organisation)
    booth_rows = db.session.execute(
        select(
            Booth.id, Booth.code, Booth.hall_id, Booth.x, Booth.y, Booth.width, Booth.depth,
            Booth.booth_type, Booth.open_sides, Booth.pavilion_id, Booth.price_override,
            Booth.blocked, Booth.blocked_reason, pavilion.display_name.label("pavilion_name"),
        )
        .outerjoin(pavilion, pavilion.id == Booth.pavilion_id)
        .where(Booth.edition_id == edition.id)
    ).all()  # fmt: skip
    # Plain rows, not ORM objects: booth_status() reads only state and held_until.
    bookings = {
        row.booth_id: row
        for row in db.session.execute(
            select(
                BoothBooking.id, BoothBooking.booth_id, BoothBooking.state,
                BoothBooking.held_until, BoothBooking.organisation_id,
                Organisation.display_name.label("organisation_name"),
            )
            .join(Organisation, Organisation.id == BoothBooking.organisation_id)
            .where(
                BoothBooking.edition_id == edition.id,
                BoothBooking.state.in_(ACTIVE_BOOKING_STATES),
            )
        )
    }  # fmt: skip
    settings = settings_for(edition)

    hall_plans = {
        row.id: HallPlan(row.id, row.code, row.name, row.width, row.depth, [], fmt) for row in halls
    }
    prices: dict[tuple[Any, ...], BoothPrice] = {}  # a plan has few distinct booths
    for row in booth_rows:
        booking = bookings.get(row.id)
        status = booth_status(row, booking, now)  # type: ignore[arg-type]
        if status not in (BoothStatus.HELD, BoothStatus.BOOKED):
            booking = None  # an expired hold: nobody's booth any more
        key = (row.width, row.depth, row.booth_type, row.open_sides, row.price_override)
        price = prices.get(key)
        if price is None:
            price = prices[key] = price_booth(row, settings, edition.currency)  # type: ignore[arg-type]
        hall = hall_plans[row.hall_id]
        hall.booths.append(
            BoothInfo(
                id=row.id,
                code=row.code,
                hall_id=row.hall_id,
                hall_code=hall.code,
                x=row.x,
                y=row.y,
                width=row.width,
                depth=row.depth,
                booth_type=row.booth_type,
                open_sides=row.open_sides,
                pavilion_id=row.pavilion_id,
                pavilion_name=row.pavilion_name,
                price_override=row.price_override,
                blocked=row.blocked,
                blocked_reason=row.blocked_reason,
                price=price,
                status=status,
                organisation_id=booking.organisation_id if booking else None,
                organisation_name=booking.organisation_name if booking else None,
                booking_id=booking.id if booking else None,
                booking_state=booking.state if booking else None,
                held_until=booking.held_until if booking else None,
                fmt=fmt,
            )
        )
    ordered = sorted(hall_plans.values(), key=lambda hall: natural_key(hall.code))
    for hall in ordered:
        hall.booths.sort(key=lambda booth: natural_key(booth.code))
    return FloorPlan(edition=edition, currency=edition.currency, halls=ordered, fmt=fmt)


@dataclass
class BoothFilters:
    """What the booth list can be narrowed to; None means "any"."""

    hall: str | None = None
    booth_type: BoothType | None = None
    open_sides: int | None = None
    status: BoothStatus | None = None
    area_min: Decimal | None = None
    area_max: Decimal | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None

    def matches(self, booth: BoothInfo) -> bool:
        checks: list[Callable[[], bool]] = [
            lambda: self.hall is None or booth.hall_code == self.hall,
            lambda: self.booth_type is None or booth.booth_type == self.booth_type,
            lambda: self.open_sides is None or booth.open_sides == self.open_sides,
            lambda: self.status is None or booth.status == self.status,
            lambda: self.area_min is None or booth.area >= self.area_min,
            lambda: self.area_max is None or booth.area <= self.area_max,
            lambda: self.price_min is None or booth.price.total >= self.price_min,
            lambda: self.price_max is None or booth.price.total <= self.price_max,
        ]
        return all(check() for check in checks)


def filter_booths(plan: FloorPlan, filters: BoothFilters) -> list[BoothInfo]:
    return [booth for booth in plan.booths() if filters.matches(booth)]
