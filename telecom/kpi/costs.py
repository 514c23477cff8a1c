"""Cost lines of an edition: recorded on screen or imported from CSV (the financial-result KPI).

Organizers only (checked here for every call). A cost line has a category,
an amount in the edition's currency (more than zero, at most two decimals),
the day it was incurred and a note. Every change is audit-logged. The CSV
import (category,amount,incurred_on,note) is all or nothing: when any line is
wrong nothing is saved and the problems come back with their line numbers.
Notes are stored as typed; exports neutralise text that looks like a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.csv_import import ImportRejected, LineError, extra_cells_message, read_rows
from telecom.core.dates import parse_iso_date
from telecom.core.db import atomic, commit
from telecom.core.errors import NotFound, ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.kpi.models import COST_CATEGORY_LABELS, CostCategory, CostLine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds
NOTE_LENGTH = 300
# A cost is dated within the life of an edition's organisation, not in another century.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

COST_FIELDS = ("category", "amount", "incurred_on", "note")
IMPORT_COLUMNS = ("category", "amount", "incurred_on", "note")
REQUIRED_COLUMNS = ("category", "amount", "incurred_on")
MAX_IMPORT_BYTES = 512 * 1024
MAX_IMPORT_ROWS = 5000


class CostInvalid(ValidationError):
    """The cost line was refused; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("The cost line was not saved: correct the fields marked below."))
        self.errors = errors


@dataclass(frozen=True)
class CostData:
    category: CostCategory
    amount: Decimal
    incurred_on: date
    note: str


@dataclass(frozen=True)
class CostTotals:
    by_category: dict[CostCategory, Decimal]
    total: Decimal
    lines: int


def _organizer(actor: User | None) -> User:
    return require_role(actor, Role.ORGANIZER)


# --------------------------------------------------------------------------- validation


def _category(value: object) -> tuple[CostCategory | None, str | None]:
    text = (value.value if isinstance(value, CostCategory) else str(value or "")).strip().lower()
    try:
        return CostCategory(text), None
    except ValueError:
        pass
    # A spreadsheet may carry the label shown on screen ("Venue") rather than the code.
    for category, label in COST_CATEGORY_LABELS.items():
        if text and text == str(label).lower():
            return category, None
    codes = ", ".join(category.value for category in CostCategory)
    if not text:
        return None, _("Choose a category: one of %(codes)s.", codes=codes)
    return None, _(
        "“%(value)s” is not a cost category: use one of %(codes)s.", value=value, codes=codes
    )


def _amount(value: object) -> tuple[Decimal | None, str | None]:
    text = str(value if value is not None else "").strip()
    if not text:
        return None, _("Give the amount, for example 1250.00.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(text)
    except (InvalidOperation, ValueError):
        return None, _("Enter the amount as a number, for example 1250.00.")
    if not amount.is_finite():
        return None, _("Enter the amount as a number, for example 1250.00.")
    if amount <= ZERO:
        return None, _("The amount must be more than zero.")
    if amount > MAX_AMOUNT:  # before quantize(), which cannot hold a huge exponent
        return None, _("The amount is too large.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        return None, _("The amount can have at most two decimals.")
    return amount.quantize(CENT), None


def _incurred_on(value: object) -> tuple[date | None, str | None]:
    if isinstance(value, date):
        day: date = value
    else:
        text = str(value or "").strip()
        if not text:
            return None, _("Give the date the cost was incurred (YYYY-MM-DD).")
        parsed = parse_iso_date(text)
        if parsed is None:
            return None, _(
                "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2015-06-30.",
                value=text,
            )
        day = parsed
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None, _(
            "The date must be between %(first)d and %(last)d.",
            first=EARLIEST_YEAR,
            last=LATEST_YEAR,
        )
    return day, None


def check_cost(
    category: object, amount: object, incurred_on: object, note: object
) -> tuple[CostData | None, dict[str, str]]:
    """The cost line described by raw values, or None and a message per wrong field."""
    errors: dict[str, str] = {}
    parsed_category, problem = _category(category)
    if problem:
        errors["category"] = problem
    parsed_amount, problem = _amount(amount)
    if problem:
        errors["amount"] = problem
    parsed_day, problem = _incurred_on(incurred_on)
    if problem:
        errors["incurred_on"] = problem
    note_text = str(note or "").strip()
    if len(note_text) > NOTE_LENGTH:
        errors["note"] = _("The note can have at most %(count)d characters.", count=NOTE_LENGTH)
    if errors:
        return None, errors
    assert parsed_category is not None and parsed_amount is not None and parsed_day is not None
    return CostData(parsed_category, parsed_amount, parsed_day, note_text), {}


def _valid(category: object, amount: object, incurred_on: object, note: object) -> CostData:
    data, errors = check_cost(category, amount, incurred_on, note)
    if data is None:
        raise CostInvalid(errors)
    return data


# --------------------------------------------------------------------------- reading


def list_costs(edition: Edition, *, actor: User | None) -> list[CostLine]:
    """The edition's cost lines, by date then entry order."""
    _organizer(actor)
    return list(
        db.session.scalars(
            select(CostLine)
            .where(CostLine.edition_id == edition.id)
            .order_by(CostLine.incurred_on, CostLine.id)
        )
    )


def cost_totals(edition: Edition, *, actor: User | None) -> CostTotals:
    """Totals by category (every category, zero when empty) and overall, summed by the database."""
    _organizer(actor)
    by_category = dict.fromkeys(CostCategory, ZERO)
    lines = 0
    for category, count, total in db.session.execute(
        select(CostLine.category, func.count(CostLine.id), func.sum(CostLine.amount))
        .where(CostLine.edition_id == edition.id)
        .group_by(CostLine.category)
    ):
        lines += int(count)
        # SQLite sums Numeric through floats: back to exact cents.
        by_category[CostCategory(category)] = Decimal(str(total)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    return CostTotals(by_category=by_category, total=sum(by_category.values(), ZERO), lines=lines)


def get_cost(edition: Edition, cost_id: int, *, actor: User | None) -> CostLine:
    _organizer(actor)
    line = db.session.get(CostLine, cost_id)
    if line is None or line.edition_id != edition.id:
        raise NotFound(_("There is no such cost line."))
    return line


# --------------------------------------------------------------------------- changes


@atomic
def add_cost(
    edition: Edition,
    *,
    category: object,
    amount: object,
    incurred_on: object,
    note: object = "",
    actor: User | None,
) -> CostLine:
    actor = _organizer(actor)
    data = _valid(category, amount, incurred_on, note)
    line = CostLine(edition_id=edition.id, created_by_id=actor.id, **vars(data))
    db.session.add(line)
    db.session.flush()
    audit.record(
        "create", line, actor=actor, edition_id=edition.id,
        after=audit.snapshot(line, COST_FIELDS),
    )  # fmt: skip
    commit()
    return line


@atomic
def update_cost(
    line: CostLine,
    *,
    category: object,
    amount: object,
    incurred_on: object,
    note: object = "",
    actor: User | None,
) -> CostLine:
    actor = _organizer(actor)
    data = _valid(category, amount, incurred_on, note)
    before = audit.snapshot(line, COST_FIELDS)
    for name, value in vars(data).items():
        setattr(line, name, value)
    after = audit.snapshot(line, COST_FIELDS)
    if after != before:
        audit.record(
            "update", line, actor=actor, edition_id=line.edition_id, before=before, after=after
        )
    commit()
    return line


@atomic
def delete_cost(line: CostLine, *, actor: User | None) -> None:
    actor = _organizer(actor)
    audit.record(
        "delete", line, actor=actor, edition_id=line.edition_id,
        before=audit.snapshot(line, COST_FIELDS),
    )  # fmt: skip
    db.session.delete(line)
    commit()


@atomic
def import_costs(edition: Edition, data: bytes, *, actor: User | None) -> int:
    """Cost lines from CSV (category,amount,incurred_on,note); returns how many were added.

    Raises ImportRejected with every wrong line, or ValidationError for a
    file that cannot be read; then nothing is saved.
    """
    actor = _organizer(actor)
    rows = read_rows(
        data, columns=IMPORT_COLUMNS, required=REQUIRED_COLUMNS,
        max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS,
    )  # fmt: skip
    errors: list[LineError] = []
    accepted: list[CostData] = []
    for row in rows:
        if row.extra_cells:
            errors.append(extra_cells_message(row, len(row.values)))
            continue
        values = row.values
        parsed, problems = check_cost(
            values.get("category"), values.get("amount"), values.get("incurred_on"),
            values.get("note", ""),
        )  # fmt: skip
        if parsed is None:
            errors.extend(
                LineError(row.line, f"{name}: {message}") for name, message in problems.items()
            )
        else:
            accepted.append(parsed)
    if errors:
        raise ImportRejected(errors)
    lines = [CostLine(edition_id=edition.id, created_by_id=actor.id, **vars(d)) for d in accepted]
    db.session.add_all(lines)
    db.session.flush()
    for line in lines:
        audit.record(
            "create", line, actor=actor, edition_id=edition.id,
            after=audit.snapshot(line, COST_FIELDS) | {"source": "csv import"},
        )  # fmt: skip
    total = sum((line.amount for line in lines), ZERO)
    audit.record(
        "cost_import", edition, actor=actor, edition_id=edition.id,
        after={"lines": len(lines), "total": str(total)},
    )  # fmt: skip
    commit()
    return len(lines)


def cost_data(line: CostLine) -> dict[str, Any]:
    """A line's values as the edit form shows them."""
    return {
        "category": line.category.value,
        "amount": f"{line.amount:.2f}",
        "incurred_on": line.incurred_on,
        "note": line.note,
    }
