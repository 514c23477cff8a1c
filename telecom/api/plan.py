"""Strategic-plan API: GET /api/v1/plan, for organizers.

The whole plan: objectives (by number) with their outputs, expected results
and KPIs (in the plan's order); each KPI with its baseline, targets (by year)
and its value for every edition (oldest first). Objective 6's values come
live from the KPI engine (`"source": "engine"`, the headline figure of
`compute_kpis(edition)`, as `/editions/<slug>/kpis` gives it); the others are
what organizers entered (`"source": "entered"`, null when nothing was). Numbers
are decimal strings or null.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from telecom.api.auth import api_user, token_required
from telecom.api.views import bp
from telecom.core.permissions import Role, require_role
from telecom.plan.models import PlanKpi
from telecom.plan.services import EditionValue, PlanView, plain, view_plan


def _value_json(entry: EditionValue) -> dict[str, Any]:
    if entry.source == "engine":
        # As the engine gives it ("1450.00" for money), like /editions/<slug>/kpis.
        value = None if entry.value is None else format(entry.value, "f")
    else:
        value = plain(entry.value)
    return {
        "edition": entry.edition.slug,
        "value": value,
        "source": entry.source,
        "note": entry.note,
    }


def _kpi_json(kpi: PlanKpi, plan: PlanView) -> dict[str, Any]:
    return {
        "id": kpi.id,
        "text": kpi.text,
        "engine_key": kpi.engine_key,
        "unit": kpi.unit,
        "baseline": plain(kpi.baseline),
        "baseline_note": kpi.baseline_note,
        "targets": [
            {"year": target.year, "value": plain(target.value), "note": target.note}
            for target in kpi.targets
        ],
        "values": [_value_json(entry) for entry in plan.values_of(kpi)],
    }


def plan_json(plan: PlanView) -> dict[str, Any]:
    return {
        "objectives": [
            {
                "number": objective.number,
                "title": objective.title,
                "outputs": [output.title for output in objective.outputs],
                "expected_results": [result.text for result in objective.expected_results],
                "kpis": [_kpi_json(kpi, plan) for kpi in objective.kpis],
            }
            for objective in plan.objectives
        ]
    }


@bp.route("/plan")
@token_required
def plan():  # type: ignore[no-untyped-def]
    # Forbidden becomes a JSON 403 (the app's handlers, path /api/).
    user = require_role(api_user(), Role.ORGANIZER)
    return jsonify(plan_json(view_plan(actor=user)))
