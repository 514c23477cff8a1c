"""Loading Tables 7.1 and 7.2 of the plan chapter: what is created, and that it is idempotent."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.extensions import db
from telecom.kpi.figures import HEADLINES
from telecom.plan.models import (
    PlanExpectedResult,
    PlanKpi,
    PlanKpiTarget,
    PlanObjective,
    PlanOutput,
)
from telecom.plan.services import load_plan, plan_objectives, set_target, update_baseline
from tests.helpers import make_organizer
from tests.plan.support import kpi_of

# Counted by hand in Table 7.2 of the chapter: (outputs, expected results, KPIs) per objective.
COUNTS = {1: (1, 4, 4), 2: (7, 8, 9), 3: (3, 4, 4), 4: (4, 4, 5), 5: (2, 5, 6), 6: (4, 6, 10)}
ENGINE_KEYS = [
    "candidate_venues", "exhibitors", "exhibition_size", "trade_visitors", "vips", "forum",
    "accredited_media", "total_participants", "web_traffic", "financial_result",
]  # fmt: skip


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_plan_has_six_objectives_with_the_tables_outputs_results_and_kpis(app: Flask) -> None:
    created = load_plan()

    assert created == {
        "plan_objectives": 6,
        "plan_outputs": 21,  # the 21 rows of Table 7.1
        "plan_expected_results": 31,
        "plan_kpis": 38,
    }
    objectives = plan_objectives()
    assert [o.number for o in objectives] == [1, 2, 3, 4, 5, 6]
    assert {
        o.number: (len(o.outputs), len(o.expected_results), len(o.kpis)) for o in objectives
    } == COUNTS
    first, _, _, _, _, sixth = objectives
    assert first.title.startswith("Overall management and coordination of the activities")
    assert [output.title for output in sixth.outputs][:2] == [
        "ITU TELECOM World 2013",
        "ITU TELECOM World 2015",
    ]
    assert "IIA standards" in first.expected_results[1].text  # footnote mark gone
    assert sixth.expected_results[-1].text.startswith("Expanded customer portfolio")
    assert objectives[1].kpis[-1].text == "Increasing total readership numbers"


def test_objective_6_kpis_are_bound_to_the_engine_in_the_tables_order(app: Flask) -> None:
    load_plan()

    sixth = plan_objectives()[5]

    assert [kpi.engine_key for kpi in sixth.kpis] == ENGINE_KEYS
    assert [headline.group for headline in HEADLINES][:10] == ENGINE_KEYS
    assert [kpi.text for kpi in sixth.kpis][:4] == [
        "Candidate venues",
        "Satisfaction and number of exhibitors categorized in terms of their annual turnover",
        "Size of exhibition",
        "Trade visitors",
    ]
    units = {kpi.engine_key: kpi.unit for kpi in sixth.kpis}
    assert units["exhibition_size"] == "sqm"
    assert units["financial_result"] == "currency"
    assert units["trade_visitors"] == "count"
    others = db.session.scalars(
        select(PlanKpi).join(PlanObjective).where(PlanObjective.number != 6)
    ).all()
    assert len(others) == 28 and all(kpi.engine_key is None for kpi in others)


def test_loading_twice_creates_nothing_and_keeps_what_organizers_entered(app: Flask) -> None:
    load_plan()
    organizer = make_organizer()
    kpi = kpi_of(2, 4)  # Membership satisfaction
    update_baseline(kpi, Decimal("71.5"), "2011 survey", actor=organizer)
    set_target(kpi_of(2, 4), 2015, Decimal("80"), "", actor=organizer)
    entries = count(AuditEntry)

    again = load_plan()

    assert again == dict.fromkeys(again, 0)
    assert (count(PlanObjective), count(PlanOutput), count(PlanExpectedResult), count(PlanKpi)) == (
        6, 21, 31, 38,
    )  # fmt: skip
    assert count(AuditEntry) == entries  # nothing changed, nothing logged
    kpi = kpi_of(2, 4)
    assert kpi.baseline == Decimal("71.5") and kpi.baseline_note == "2011 survey"
    assert count(PlanKpiTarget) == 1


def test_a_changed_text_is_updated_in_place_and_logged(app: Flask) -> None:
    load_plan()
    kpi = kpi_of(6, 3)
    kpi_id = kpi.id
    kpi.text = "Size of the show"
    objective = db.session.scalar(select(PlanObjective).where(PlanObjective.number == 4))
    assert objective is not None
    objective.outputs[0].title = "Old wording"
    db.session.commit()

    created = load_plan()

    assert created == dict.fromkeys(created, 0)
    assert kpi_of(6, 3).id == kpi_id  # the same row, so its targets and values stay
    assert kpi_of(6, 3).text == "Size of exhibition"
    assert plan_objectives()[3].outputs[0].title == "Budget and accounting guidelines in place"
    updates = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "plan_objectives", AuditEntry.action == "update"
        )
    ).all()
    assert len(updates) == 2
    assert {entry.actor_label for entry in updates} == {"system"}


def test_the_first_load_is_logged_per_objective(app: Flask) -> None:
    load_plan()

    created = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "plan_objectives", AuditEntry.action == "create"
        )
    ).all()

    assert len(created) == 6
    assert all(len(entry.after["kpis"]) > 0 for entry in created if entry.after)


def test_the_cli_command_loads_the_plan_and_says_so(app: Flask) -> None:
    from telecom.plan.cli import plan_cli

    runner = app.test_cli_runner()
    first = runner.invoke(plan_cli, ["load"])
    second = runner.invoke(plan_cli, ["load"])

    assert first.exit_code == 0, first.output
    assert "6 objectives, 21 outputs, 31 expected results, 38 kpis created" in first.output
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    assert count(PlanObjective) == 6
