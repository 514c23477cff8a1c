"""The organizer's strategic-plan pages: the overview with live and entered values, and
editing a KPI's baseline, targets and values per edition."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from telecom.core.audit import AuditEntry
from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.kpi.engine import compute_kpis
from telecom.plan.models import PlanKpi, PlanKpiTarget, PlanKpiValue
from telecom.plan.services import load_plan
from tests.core import path_for, rules_under
from tests.helpers import csrf_token_from, html, log_in, make_edition, make_organizer, make_user
from tests.kpi.support import build_edition
from tests.plan.support import kpi_by_engine_key, kpi_of

OVERVIEW = "/organizer/plan/"


def kpi_url(kpi: PlanKpi) -> str:
    return f"/organizer/plan/kpis/{kpi.id}"


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def cell(page: str, kpi: PlanKpi, slug: str) -> str:
    """The text of the overview's cell for `kpi` and edition `slug`."""
    row = re.search(rf'<tr id="kpi-{kpi.id}">(.*?)</tr>', page, re.S)
    assert row, f"no row for KPI {kpi.id}"
    found = re.search(rf'<td[^>]*data-edition="{slug}"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert found, f"no cell for {slug}"
    return text(found.group(1))


def grouped(value: Decimal) -> str:
    """A number as the English pages write it: thousands grouped, no padding zeros."""
    return format(value.normalize(), ",f")


def post(client: FlaskClient, kpi: PlanKpi, data: dict[str, str]) -> TestResponse:
    token = csrf_token_from(html(client.get(kpi_url(kpi))))
    return client.post(kpi_url(kpi), data={"csrf_token": token, **data})


@pytest.fixture
def organizer(app: Flask, client: FlaskClient) -> FlaskClient:
    load_plan()
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


def test_the_overview_lists_objectives_outputs_results_and_kpis(organizer: FlaskClient) -> None:
    page = html(organizer.get(OVERVIEW))

    headings = re.findall(r'<h2 class="h4" id="objective-\d-title">(.*?)</h2>', page)
    assert len(headings) == 6
    assert text(headings[5]).startswith("Objective 6: Providing a platform where stakeholders")
    assert '<h3 class="h6">Outputs</h3>' in page
    assert "<li>ITU TELECOM World 2015</li>" in page
    assert "<li>New business model</li>" in page
    assert "Key performance indicators" in page
    assert "No major security incidents in a year" in page


def test_objective_6_shows_live_engine_values_per_edition(organizer: FlaskClient) -> None:
    built = build_edition()
    make_edition("empty-world-2016", name="Empty 2016",
                 start_date=date(2016, 10, 10), end_date=date(2016, 10, 13))  # fmt: skip
    figures = compute_kpis(built.edition).kpis

    page = html(organizer.get(OVERVIEW))

    slug = "kpi-world-2015"
    assert cell(page, kpi_by_engine_key("candidate_venues"), slug) == "3"
    assert cell(page, kpi_by_engine_key("exhibitors"), slug) == "4"
    assert cell(page, kpi_by_engine_key("exhibition_size"), slug) == "35 m²"
    assert cell(page, kpi_by_engine_key("trade_visitors"), slug) == "3"
    assert cell(page, kpi_by_engine_key("vips"), slug) == "1"
    assert cell(page, kpi_by_engine_key("forum"), slug) == "2"
    assert cell(page, kpi_by_engine_key("accredited_media"), slug) == "2"
    assert cell(page, kpi_by_engine_key("total_participants"), slug) == "6"
    assert cell(page, kpi_by_engine_key("web_traffic"), slug) == grouped(
        Decimal(figures.web_traffic.page_views)
    )
    assert cell(page, kpi_by_engine_key("financial_result"), slug) == (
        f"{grouped(figures.financial_result.result)} CHF"
    )
    # An edition with no records yet: zeros, computed all the same.
    assert cell(page, kpi_by_engine_key("trade_visitors"), "empty-world-2016") == "0"
    # Older edition first.
    assert page.index('data-edition="kpi-world-2015"') < page.index('data-edition="empty-world')


def value_fields(edition: Edition, value: str, note: str = "") -> dict[str, str]:
    return {
        "form": "value",
        "edition": edition.slug,
        f"edition-{edition.id}-value": value,
        f"edition-{edition.id}-note": note,
    }


def test_other_kpis_show_the_values_organizers_entered(organizer: FlaskClient) -> None:
    older = make_edition("telecom-world-2013", name="ITU TELECOM World 2013",
                         start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip
    newer = make_edition()
    kpi = kpi_of(2, 4)  # Membership satisfaction

    saved = post(organizer, kpi, value_fields(newer, "1250.5", "MCG survey"))

    assert saved.status_code == 302
    page = html(organizer.get(OVERVIEW))
    assert cell(page, kpi, "telecom-world-2015") == "1,250.5 MCG survey"
    assert cell(page, kpi, "telecom-world-2013") == "—"
    edit = html(organizer.get(kpi_url(kpi)))
    assert f'name="edition-{newer.id}-value" type="text" value="1250.5"' in edit
    assert f'name="edition-{older.id}-value" type="text" value=""' in edit
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "set_value"))
    assert entry is not None and entry.after == {"value": "1250.5", "note": "MCG survey"}
    assert entry.edition_id == newer.id and entry.actor_label == "organizer@example.org"


def test_an_empty_value_and_note_remove_the_entry(organizer: FlaskClient) -> None:
    edition = make_edition()
    kpi = kpi_of(4, 2)
    post(organizer, kpi, value_fields(edition, "3"))

    cleared = post(organizer, kpi, value_fields(edition, "  ", ""))

    assert cleared.status_code == 302
    assert count(PlanKpiValue) == 0
    assert cell(html(organizer.get(OVERVIEW)), kpi, edition.slug) == "—"


def test_a_value_posted_for_an_engine_bound_kpi_is_refused_clearly(organizer: FlaskClient) -> None:
    edition = make_edition()
    kpi = kpi_by_engine_key("trade_visitors")
    page = html(organizer.get(kpi_url(kpi)))
    assert "cannot be entered by hand" in page
    assert 'name="form" value="value"' not in page  # no value form to fill in

    refused = post(organizer, kpi, value_fields(edition, "999999"))

    assert refused.status_code == 400
    assert "is computed by the platform from each edition" in unescape(html(refused))
    assert count(PlanKpiValue) == 0
    assert cell(html(organizer.get(OVERVIEW)), kpi, edition.slug) == "0"


def test_the_baseline_is_saved_with_its_note_and_logged(organizer: FlaskClient) -> None:
    kpi = kpi_of(1, 1)

    saved = post(organizer, kpi, {"form": "baseline", "baseline": " 12.5 ",
                                  "baseline_note": "Budget 2012-2013"})  # fmt: skip

    assert saved.status_code == 302
    db.session.refresh(kpi)
    assert kpi.baseline == Decimal("12.5") and kpi.baseline_note == "Budget 2012-2013"
    page = html(organizer.get(OVERVIEW))
    assert "12.5" in text(re.search(rf'<tr id="kpi-{kpi.id}">(.*?)</tr>', page, re.S).group(1))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update_baseline"))
    assert entry is not None
    assert entry.before == {"baseline": None, "baseline_note": ""}
    assert entry.after == {"baseline": "12.5", "baseline_note": "Budget 2012-2013"}
    assert "History" in html(organizer.get(kpi_url(kpi)))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12,5", "use a point for decimals"),
        ("1,250", "use a point for decimals"),
        ("abc", "is not a number"),
        ("1e400", "is not a number"),
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("1_000", "is not a number"),
        ("123456789012345", "at most 14 digits before the point"),
        ("-99999999999999999999", "at most 14 digits before the point"),
        ("1.23456", "At most 4 digits after the point"),
        ("12345678901.23456", "At most 4 digits after the point"),
        ("12345678901234.56", "too many digits: at most 15 in all"),
    ],
)
def test_a_bad_baseline_gets_a_message_and_keeps_what_was_saved(
    organizer: FlaskClient, typed: str, message: str
) -> None:
    kpi = kpi_of(1, 1)
    post(organizer, kpi, {"form": "baseline", "baseline": "7", "baseline_note": "kept"})

    refused = post(organizer, kpi, {"form": "baseline", "baseline": typed, "baseline_note": "x"})

    assert refused.status_code == 400
    page = unescape(html(refused))
    assert message in page
    assert f'value="{typed}"' in page  # what was typed stays in the box
    db.session.refresh(kpi)
    assert kpi.baseline == Decimal("7") and kpi.baseline_note == "kept"


def test_the_largest_numbers_the_database_holds_are_accepted(organizer: FlaskClient) -> None:
    kpi = kpi_of(1, 1)

    for typed in ("-99999999999999", "99999999999.9999", "0.0001", "1.50000"):
        saved = post(organizer, kpi, {"form": "baseline", "baseline": typed})

        assert saved.status_code == 302, typed
        db.session.refresh(kpi)
        assert kpi.baseline == Decimal(typed)


def test_targets_are_added_changed_and_removed(organizer: FlaskClient) -> None:
    kpi = kpi_of(6, 4)  # Trade visitors: targets are allowed on engine-bound KPIs too

    added = post(organizer, kpi, {"form": "target", "year": "2015", "value": "9000", "note": ""})
    post(organizer, kpi, {"form": "target", "year": "2013", "value": "", "note": "to be set"})
    changed = post(organizer, kpi, {"form": "target", "year": "2015", "value": "9500.25",
                                    "note": "after Council"})  # fmt: skip

    assert added.status_code == changed.status_code == 302
    targets = db.session.scalars(
        select(PlanKpiTarget).where(PlanKpiTarget.kpi_id == kpi.id).order_by(PlanKpiTarget.year)
    ).all()
    assert [(t.year, t.value, t.note) for t in targets] == [
        (2013, None, "to be set"),
        (2015, Decimal("9500.25"), "after Council"),
    ]
    page = html(organizer.get(OVERVIEW))
    row = text(re.search(rf'<tr id="kpi-{kpi.id}">(.*?)</tr>', page, re.S).group(1))
    assert "2013: — (to be set)" in row and "2015: 9,500.25 (after Council)" in row
    prefilled = html(organizer.get(f"{kpi_url(kpi)}?year=2015"))
    assert 'name="value" type="text" value="9500.25"' in prefilled

    removed = post(organizer, kpi, {"form": "remove_target", "year": "2013"})

    assert removed.status_code == 302
    assert count(PlanKpiTarget) == 1
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "plan_kpis")
        .order_by(AuditEntry.id)
    ).all()  # fmt: skip
    assert actions == ["add_target", "add_target", "change_target", "remove_target"]


@pytest.mark.parametrize("year", ["1999", "2101", "abc", "", "15", "2015.0"])
def test_a_bad_target_year_is_refused(organizer: FlaskClient, year: str) -> None:
    kpi = kpi_of(3, 1)

    refused = post(organizer, kpi, {"form": "target", "year": year, "value": "5"})

    assert refused.status_code == 400
    assert "Type the year as four digits, from 2000 to 2100." in html(refused)
    assert count(PlanKpiTarget) == 0


def test_a_bad_target_value_is_refused_with_the_year_kept(organizer: FlaskClient) -> None:
    kpi = kpi_of(3, 1)

    refused = post(organizer, kpi, {"form": "target", "year": "2015", "value": "12,5"})

    assert refused.status_code == 400
    page = unescape(html(refused))
    assert "use a point for decimals" in page
    assert 'name="year" type="text" value="2015"' in page
    assert count(PlanKpiTarget) == 0


def test_removing_a_target_that_is_not_there_says_so(organizer: FlaskClient) -> None:
    refused = post(organizer, kpi_of(3, 1), {"form": "remove_target", "year": "2030"})

    assert refused.status_code == 404
    assert "This KPI has no target for 2030." in html(refused)


def test_a_bad_value_stays_beside_its_edition(organizer: FlaskClient) -> None:
    first = make_edition("telecom-world-2013", name="ITU TELECOM World 2013",
                         start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip
    second = make_edition()
    kpi = kpi_of(5, 1)

    refused = post(organizer, kpi, value_fields(second, "abc", "n" * 301))

    assert refused.status_code == 400
    page = unescape(html(refused))
    assert f'id="edition-{second.id}-value-errors"' in page
    assert f'id="edition-{first.id}-value-errors"' not in page
    assert "At most 300 characters." in page
    assert count(PlanKpiValue) == 0


def test_a_long_note_is_refused(organizer: FlaskClient) -> None:
    kpi = kpi_of(1, 1)

    refused = post(organizer, kpi, {"form": "baseline", "baseline": "1",
                                    "baseline_note": "x" * 301})  # fmt: skip

    assert refused.status_code == 400
    assert "At most 300 characters." in html(refused)
    db.session.refresh(kpi)
    assert kpi.baseline is None


def test_an_unknown_form_or_kpi_is_a_clear_answer(organizer: FlaskClient) -> None:
    kpi = kpi_of(1, 1)

    unknown_form = post(organizer, kpi, {"form": "delete_everything"})
    unknown_kpi = organizer.get("/organizer/plan/kpis/999999")

    assert unknown_form.status_code == 400
    assert "unknown form" in html(unknown_form)
    assert unknown_kpi.status_code == 404


def test_a_post_without_its_token_is_refused(organizer: FlaskClient) -> None:
    kpi = kpi_of(1, 1)

    refused = organizer.post(kpi_url(kpi), data={"form": "baseline", "baseline": "5"})

    assert refused.status_code == 400
    db.session.refresh(kpi)
    assert kpi.baseline is None


def test_the_overview_says_when_the_plan_is_not_loaded(app: Flask, client: FlaskClient) -> None:
    make_organizer()
    log_in(client, "organizer@example.org")

    page = html(client.get(OVERVIEW))

    assert "flask --app wsgi plan load" in page


def test_only_organizers_reach_the_plan(app: Flask, client: FlaskClient) -> None:
    load_plan()
    kpi = kpi_of(1, 1)
    anonymous = client.get(OVERVIEW)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]

    make_user("participant@example.org")
    log_in(client, "participant@example.org")
    token = csrf_token_from(html(client.get("/")))

    assert client.get(OVERVIEW).status_code == 403
    assert client.get(kpi_url(kpi)).status_code == 403
    posted = client.post(kpi_url(kpi), data={"csrf_token": token, "form": "baseline",
                                             "baseline": "5"})  # fmt: skip
    assert posted.status_code == 403
    db.session.refresh(kpi)
    assert kpi.baseline is None


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_every_plan_page_refuses_anonymous_users_and_other_roles(
    app: Flask, client: FlaskClient
) -> None:
    load_plan()
    values = {"kpi_id": kpi_of(6, 1).id}
    rules = rules_under(app, "/organizer/plan")
    assert {rule.endpoint for rule in rules} == {"plan_admin.overview", "plan_admin.kpi"}
    for rule in rules:
        path = path_for(app, rule, values)
        assert client.get(path).status_code == 302, path
    make_user("staff@example.org", roles={Role.CHECKIN_STAFF, Role.MEDIA_REVIEWER})
    log_in(client, "staff@example.org")
    for rule in rules:
        path = path_for(app, rule, values)
        assert client.get(path).status_code == 403, path
