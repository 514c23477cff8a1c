"""The strategic-plan model: loading it, reading it with its values, and organizers' edits.

`load_plan()` writes `telecom.plan.data.PLAN` to the database and can run any
number of times: rows are matched by objective number and position, missing
ones are created, changed texts are updated, nothing is ever deleted (an
organizer's baselines, targets and values stay attached to their KPI).

Values per edition: a KPI bound to the engine (Objective 6, `engine_key` set)
takes the headline figure of `compute_kpis(edition)` for that KPI group, live,
computed once per edition per call; any other KPI takes the value an
organizer entered (`PlanKpiValue`), or none. Only organizers read or change
the plan; every change writes an audit entry on the KPI.

Numbers are `Numeric(18, 4)`: at most 14 digits before the point and 4 after,
and 15 significant digits in all (what SQLite's doubles hold exactly).
`parse_number` is the one place typed text becomes such a number, for the
forms and any other caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.kpi.engine import compute_kpis
from telecom.kpi.figures import HEADLINES, Headline, figures, headline_value
from telecom.plan.data import PLAN, ObjectiveSpec
from telecom.plan.models import (
    PlanExpectedResult,
    PlanKpi,
    PlanKpiTarget,
    PlanKpiValue,
    PlanObjective,
    PlanOutput,
)

if TYPE_CHECKING:
    from telecom.auth.models import User

INTEGER_DIGITS = 14  # Numeric(18, 4): 18 digits, 4 of them after the point
DECIMAL_PLACES = 4
SIGNIFICANT_DIGITS = 15
FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_LENGTH = 300
# Digits with an optional point and sign: no thousands separators, no exponent,
# no "NaN" or "Infinity" (all of which Decimal() would take).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_LIMIT = Decimal(10) ** INTEGER_DIGITS

Source = Literal["engine", "entered"]


# --------------------------------------------------------------------------- numbers


def parse_number(text: str | None) -> Decimal | None:
    """Typed text as a number the plan can store; None when blank; ValidationError otherwise."""
    typed = (text or "").strip()
    if not typed:
        return None
    if "," in typed and _NUMBER.fullmatch(typed.replace(",", ".", 1)):
        raise ValidationError(
            _(
                "“%(value)s”: use a point for decimals and no thousands separator, "
                "for example 1250.5.",
                value=typed[:40],
            )
        )
    if not _NUMBER.fullmatch(typed):
        raise ValidationError(
            _(
                "“%(value)s” is not a number: type digits, with a point for decimals, "
                "for example 1250 or 12.5.",
                value=typed[:40],
            )
        )
    try:
        value = Decimal(typed)
    except InvalidOperation:  # the pattern lets only valid numbers through; kept as a guard
        raise ValidationError(_("“%(value)s” is not a number.", value=typed[:40])) from None
    return check_number(value)


def check_number(value: Decimal | None) -> Decimal | None:
    """`value` when the database can hold it exactly; ValidationError otherwise."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(_("Enter a number, for example 1250 or 12.5."))
    if abs(value) >= _LIMIT:
        raise ValidationError(
            _(
                "The number is too large: at most %(digits)d digits before the point.",
                digits=INTEGER_DIGITS,
            )
        )
    # Padding zeros ("1.50000") are harmless; a fifth significant decimal would be lost.
    significant = value.normalize().as_tuple()
    if isinstance(significant.exponent, int) and significant.exponent < -DECIMAL_PLACES:
        raise ValidationError(
            _("At most %(places)d digits after the point.", places=DECIMAL_PLACES)
        )
    # SQLite keeps a Numeric as a double, exact up to 15 significant digits; refusing
    # more keeps a number the same on every database rather than rounding it silently.
    if len(significant.digits) > SIGNIFICANT_DIGITS:
        raise ValidationError(
            _(
                "The number has too many digits: at most %(count)d in all.",
                count=SIGNIFICANT_DIGITS,
            )
        )
    return value


def plain(value: Decimal | None) -> str | None:
    """A stored number as a decimal string without padding zeros ("12.5", "1200")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def parse_year(text: str | int | None) -> int:
    """A target's year, 2000 to 2100; ValidationError otherwise."""
    typed = str(text if text is not None else "").strip()
    if not re.fullmatch(r"\d{4}", typed) or not FIRST_YEAR <= int(typed) <= LAST_YEAR:
        raise ValidationError(
            _(
                "Type the year as four digits, from %(first)d to %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return int(typed)


def _note(text: str | None) -> str:
    note = (text or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note is too long: at most %(count)d characters.", count=NOTE_LENGTH)
        )
    return note


# --------------------------------------------------------------------------- loading


PLAN_COUNT_KEYS = ("plan_objectives", "plan_outputs", "plan_expected_results", "plan_kpis")


@dataclass
class PlanLoad:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLAN_COUNT_KEYS, 0))
    updated_objectives: int = 0

    @property
    def changed(self) -> bool:
        return self.updated_objectives > 0 or any(self.created.values())


def load_plan() -> dict[str, int]:
    """Write the plan to the database; the counts of rows created (all zero the second time)."""
    return sync_plan().created


def sync_plan(actor: User | None = None) -> PlanLoad:
    """Create what is missing and update changed texts, as one transaction with audit entries."""
    try:
        return _sync_plan(actor)
    except IntegrityError:
        # Another process loaded the plan at the same moment; its rows are there now.
        db.session.rollback()
        return _sync_plan(actor)


def _sync_plan(actor: User | None) -> PlanLoad:
    result = PlanLoad()
    existing = {
        objective.number: objective
        for objective in db.session.scalars(
            select(PlanObjective).options(
                selectinload(PlanObjective.outputs),
                selectinload(PlanObjective.expected_results),
                selectinload(PlanObjective.kpis),
            )
        )
    }
    for spec in PLAN:
        objective = existing.get(spec.number)
        before = None if objective is None else _objective_snapshot(objective)
        if objective is None:
            objective = PlanObjective(number=spec.number, title=spec.title)
            db.session.add(objective)
            result.created["plan_objectives"] += 1
        _sync_objective(objective, spec, result)
        db.session.flush()
        after = _objective_snapshot(objective)
        if before is None:
            audit.record("create", objective, actor=actor, after=after)
        elif before != after:
            result.updated_objectives += 1
            audit.record("update", objective, actor=actor, before=before, after=after)
    commit()
    return result


def _sync_objective(objective: PlanObjective, spec: ObjectiveSpec, result: PlanLoad) -> None:
    objective.title = spec.title
    outputs = {item.position: item for item in objective.outputs}
    for position, title in enumerate(spec.outputs, start=1):
        if position in outputs:
            outputs[position].title = title
        else:
            objective.outputs.append(PlanOutput(position=position, title=title))
            result.created["plan_outputs"] += 1
    results = {item.position: item for item in objective.expected_results}
    for position, text in enumerate(spec.expected_results, start=1):
        if position in results:
            results[position].text = text
        else:
            objective.expected_results.append(PlanExpectedResult(position=position, text=text))
            result.created["plan_expected_results"] += 1
    kpis = {item.position: item for item in objective.kpis}
    for position, kpi_spec in enumerate(spec.kpis, start=1):
        kpi = kpis.get(position)
        if kpi is None:
            kpi = PlanKpi(position=position, baseline_note="")
            objective.kpis.append(kpi)
            result.created["plan_kpis"] += 1
        kpi.text, kpi.engine_key, kpi.unit = kpi_spec.text, kpi_spec.engine_key, kpi_spec.unit


def _objective_snapshot(objective: PlanObjective) -> dict[str, Any]:
    return {
        "title": objective.title,
        "outputs": [item.title for item in objective.outputs],
        "expected_results": [item.text for item in objective.expected_results],
        "kpis": [
            {"text": kpi.text, "engine_key": kpi.engine_key, "unit": kpi.unit}
            for kpi in objective.kpis
        ],
    }


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class EditionValue:
    """A KPI's value for one edition: live from the engine, or as an organizer entered it."""

    edition: Edition
    value: Decimal | None
    source: Source
    note: str = ""


@dataclass(frozen=True)
class PlanView:
    objectives: list[PlanObjective]
    editions: list[Edition]  # oldest first
    values: dict[int, list[EditionValue]]  # by KPI id, one per edition in `editions` order

    def values_of(self, kpi: PlanKpi) -> list[EditionValue]:
        return self.values.get(kpi.id, [])


HEADLINE_OF: dict[str, Headline] = {headline.group: headline for headline in HEADLINES}


def editions_in_order() -> list[Edition]:
    """Every edition, oldest first (then by slug): the columns of the plan's values."""
    return list(db.session.scalars(select(Edition).order_by(Edition.start_date, Edition.slug)))


def plan_objectives() -> list[PlanObjective]:
    """The objectives with their outputs, results, KPIs, targets and values, by number."""
    return list(
        db.session.scalars(
            select(PlanObjective)
            .order_by(PlanObjective.number)
            .options(
                selectinload(PlanObjective.outputs),
                selectinload(PlanObjective.expected_results),
                selectinload(PlanObjective.kpis).selectinload(PlanKpi.targets),
                selectinload(PlanObjective.kpis).selectinload(PlanKpi.values),
            )
        )
    )


def view_plan(*, actor: User | None) -> PlanView:
    """The whole plan with every KPI's value for every edition (organizers only)."""
    require_role(actor, Role.ORGANIZER)
    objectives = plan_objectives()
    kpis = [kpi for objective in objectives for kpi in objective.kpis]
    editions = editions_in_order()
    return PlanView(objectives, editions, _values(kpis, editions))


def get_kpi(kpi_id: int, *, actor: User | None) -> PlanKpi:
    require_role(actor, Role.ORGANIZER)
    kpi = db.session.get(PlanKpi, kpi_id)
    if kpi is None:
        raise NotFound(_("There is no such KPI in the strategic plan."))
    return kpi


def kpi_values(kpi: PlanKpi, *, actor: User | None) -> list[EditionValue]:
    """One KPI's value for every edition, oldest first."""
    require_role(actor, Role.ORGANIZER)
    return _values([kpi], editions_in_order())[kpi.id]


def _values(kpis: Sequence[PlanKpi], editions: Sequence[Edition]) -> dict[int, list[EditionValue]]:
    engine = _engine_values(
        {kpi.engine_key for kpi in kpis if kpi.engine_key is not None}, editions
    )
    values: dict[int, list[EditionValue]] = {}
    for kpi in kpis:
        if kpi.engine_key is not None:
            values[kpi.id] = [
                EditionValue(edition, engine.get((edition.id, kpi.engine_key)), "engine")
                for edition in editions
            ]
            continue
        entered = {row.edition_id: row for row in kpi.values}
        values[kpi.id] = [
            EditionValue(
                edition,
                entered[edition.id].value if edition.id in entered else None,
                "entered",
                entered[edition.id].note if edition.id in entered else "",
            )
            for edition in editions
        ]
    return values


def _engine_values(
    groups: Iterable[str], editions: Sequence[Edition]
) -> dict[tuple[int, str], Decimal | None]:
    """The headline figure of each KPI group per edition; the engine runs once per edition."""
    wanted = [HEADLINE_OF[group] for group in sorted(groups) if group in HEADLINE_OF]
    if not wanted:
        return {}
    values: dict[tuple[int, str], Decimal | None] = {}
    for edition in editions:
        rows = figures(compute_kpis(edition))
        for headline in wanted:
            value = headline_value(rows, headline)
            number = (
                Decimal(value)
                if isinstance(value, int | Decimal) and not isinstance(value, bool)
                else None
            )
            values[(edition.id, headline.group)] = number
    return values


# --------------------------------------------------------------------------- editing


def _locked(kpi: PlanKpi) -> PlanKpi:
    """The KPI row locked for this transaction: one organizer's edit of a KPI at a time."""
    locked = db.session.scalar(
        select(PlanKpi)
        .where(PlanKpi.id == kpi.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such KPI in the strategic plan."))
    return locked


def _save() -> None:
    try:
        commit()
    except IntegrityError:
        raise Conflict(
            _("Someone else changed this KPI at the same moment. Reload the page and try again.")
        ) from None


@atomic
def update_baseline(
    kpi: PlanKpi, value: Decimal | None, note: str | None, *, actor: User | None
) -> PlanKpi:
    """Set (or clear, with None) the KPI's baseline and its note."""
    actor = require_role(actor, Role.ORGANIZER)
    value, note = check_number(value), _note(note)
    kpi = _locked(kpi)
    before = {"baseline": plain(kpi.baseline), "baseline_note": kpi.baseline_note}
    after = {"baseline": plain(value), "baseline_note": note}
    if before != after:
        kpi.baseline, kpi.baseline_note = value, note
        audit.record("update_baseline", kpi, actor=actor, before=before, after=after)
    _save()
    return kpi


@atomic
def set_target(
    kpi: PlanKpi, year: int, value: Decimal | None, note: str | None, *, actor: User | None
) -> PlanKpiTarget:
    """Add the KPI's target for `year`, or change it when the year already has one."""
    actor = require_role(actor, Role.ORGANIZER)
    year, value, note = parse_year(year), check_number(value), _note(note)
    kpi = _locked(kpi)
    target = db.session.scalar(
        select(PlanKpiTarget).where(PlanKpiTarget.kpi_id == kpi.id, PlanKpiTarget.year == year)
    )
    after = {"year": year, "value": plain(value), "note": note}
    if target is None:
        target = PlanKpiTarget(kpi_id=kpi.id, year=year, value=value, note=note)
        db.session.add(target)
        audit.record("add_target", kpi, actor=actor, after=after)
    else:
        before = {"year": year, "value": plain(target.value), "note": target.note}
        if before != after:
            target.value, target.note = value, note
            audit.record("change_target", kpi, actor=actor, before=before, after=after)
    _save()
    return target


@atomic
def remove_target(kpi: PlanKpi, year: int, *, actor: User | None) -> None:
    actor = require_role(actor, Role.ORGANIZER)
    year = parse_year(year)
    kpi = _locked(kpi)
    target = db.session.scalar(
        select(PlanKpiTarget).where(PlanKpiTarget.kpi_id == kpi.id, PlanKpiTarget.year == year)
    )
    if target is None:
        raise NotFound(_("This KPI has no target for %(year)d.", year=year))
    before = {"year": year, "value": plain(target.value), "note": target.note}
    db.session.delete(target)
    audit.record("remove_target", kpi, actor=actor, before=before)
    _save()


def require_entered_kpi(kpi: PlanKpi) -> None:
    """ValidationError for a KPI bound to the engine: its values are computed, never typed.

    A number typed by hand could only contradict the platform's own records.
    """
    if kpi.engine_key is not None:
        raise ValidationError(
            _(
                "“%(kpi)s” is computed by the platform from each edition's records; "
                "its value cannot be entered by hand.",
                kpi=kpi.text,
            )
        )


@atomic
def set_value(
    kpi: PlanKpi,
    edition: Edition,
    value: Decimal | None,
    note: str | None,
    *,
    actor: User | None,
) -> PlanKpiValue | None:
    """Enter the KPI's value for an edition; no value and no note removes the entry."""
    actor = require_role(actor, Role.ORGANIZER)
    require_entered_kpi(kpi)
    value, note = check_number(value), _note(note)
    kpi = _locked(kpi)
    row = db.session.scalar(
        select(PlanKpiValue).where(
            PlanKpiValue.kpi_id == kpi.id, PlanKpiValue.edition_id == edition.id
        )
    )
    before = None if row is None else {"value": plain(row.value), "note": row.note}
    after = {"value": plain(value), "note": note}
    if value is None and not note:
        if row is not None:
            db.session.delete(row)
            audit.record("clear_value", kpi, actor=actor, edition_id=edition.id, before=before)
        _save()
        return None
    if row is None:
        row = PlanKpiValue(
            kpi_id=kpi.id, edition_id=edition.id, value=value, note=note, entered_by_id=actor.id
        )
        db.session.add(row)
        audit.record("set_value", kpi, actor=actor, edition_id=edition.id, after=after)
    elif before != after:
        row.value, row.note, row.entered_by_id = value, note, actor.id
        audit.record(
            "set_value", kpi, actor=actor, edition_id=edition.id, before=before, after=after
        )
    _save()
    return row
