"""Organizers record an edition's costs on screen or by CSV; the financial result uses them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Forbidden
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.kpi import compute_kpis
from telecom.kpi import costs as cost_services
from telecom.kpi.models import CostCategory, CostLine
from tests.core import form_values, visible_text
from tests.helpers import csrf_token_from, html, log_in, make_edition, make_organizer, make_user

COSTS = "/organizer/editions/telecom-world-2015/kpis/costs"
IMPORT = COSTS + "/import"


@pytest.fixture
def edition(app):
    return make_edition()


@pytest.fixture
def organizer(app, client: FlaskClient, edition):
    user = make_organizer()
    log_in(client, "organizer@example.org")
    return user


def token(client: FlaskClient, url: str = COSTS) -> str:
    return csrf_token_from(html(client.get(url)))


def add(client: FlaskClient, **typed: str):
    values = {"category": "venue", "amount": "1250.00", "incurred_on": "2015-06-30", "note": ""}
    return client.post(COSTS, data={"csrf_token": token(client), **values, **typed})


def stored() -> list[tuple[CostCategory, Decimal, date, str]]:
    db.session.expire_all()
    return [
        (line.category, line.amount, line.incurred_on, line.note)
        for line in db.session.scalars(select(CostLine).order_by(CostLine.id))
    ]


def add_form_values(response) -> dict[str, str]:
    """What the add form would submit (it names its action, which form_values skips)."""
    return form_values("<form" + html(response).split('id="add-cost"', 1)[1])


def audit_of(line_id: int) -> list[tuple[str, dict | None, dict | None]]:
    return [
        (e.action, e.before, e.after)
        for e in db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "cost_lines", AuditEntry.object_id == str(line_id))
            .order_by(AuditEntry.id)
        )
    ]


def test_an_organizer_adds_costs_and_sees_totals_by_category(client, organizer):
    first = add(client, category="venue", amount="850000", note="HUNGEXPO halls F and G")
    add(client, category="marketing", amount="120000.50", incurred_on="2015-05-02")
    add(client, category="venue", amount="0.25", incurred_on="2015-07-01")

    assert first.status_code == 302
    assert stored() == [
        (CostCategory.VENUE, Decimal("850000.00"), date(2015, 6, 30), "HUNGEXPO halls F and G"),
        (CostCategory.MARKETING, Decimal("120000.50"), date(2015, 5, 2), ""),
        (CostCategory.VENUE, Decimal("0.25"), date(2015, 7, 1), ""),
    ]
    page = client.get(COSTS)
    totals = visible_text(page).split("Totals", 1)[1].replace("CHF ", "CHF")
    assert "Venue CHF850,000.25" in totals
    assert "Marketing CHF120,000.50" in totals
    assert "Travel CHF0.00" in totals
    assert "Total CHF970,000.75" in totals
    # Listed by date.
    lines = html(page).split('id="cost-lines"', 1)[1]
    assert lines.index("2015-05-02") < lines.index("2015-06-30") < lines.index("2015-07-01")
    line_id = db.session.scalar(select(CostLine.id).where(CostLine.amount == Decimal("0.25")))
    assert audit_of(line_id) == [
        ("create", None, {"category": "venue", "amount": "0.25", "incurred_on": "2015-07-01",
                          "note": ""}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "messages"),
    [
        ({"amount": "-5"}, ["The amount must be more than zero."]),
        ({"amount": "0"}, ["The amount must be more than zero."]),
        ({"amount": "12.345"}, ["The amount can have at most two decimals."]),
        ({"amount": "1,250"}, ["Enter the amount as a number"]),
        ({"amount": ""}, ["Give the amount"]),
        ({"incurred_on": "2015-13-01"}, ["“2015-13-01” is not a date"]),
        ({"incurred_on": "30/06/2015"}, ["“30/06/2015” is not a date"]),
        ({"incurred_on": "1815-06-18"}, ["The date must be between 1990 and 2100."]),
        ({"category": ""}, ["Choose a category"]),
        ({"category": "catering"}, ["“catering” is not a cost category"]),
        ({"note": "x" * 301}, ["The note can have at most 300 characters."]),
        (
            {"amount": "-1", "incurred_on": "tomorrow"},
            ["The amount must be more than zero.", "“tomorrow” is not a date"],
        ),
    ],
)
def test_a_wrong_value_is_explained_and_nothing_is_saved(client, organizer, typed, messages):
    response = add(client, **typed)

    assert response.status_code == 400
    text = visible_text(response)
    assert "The cost line was not saved: correct the fields marked below." in text
    for message in messages:
        assert message in text
    assert stored() == []
    # What was typed stays on the form.
    shown = add_form_values(response)
    for name in ("amount", "incurred_on", "note"):
        if name in typed:
            assert shown[name] == typed[name]


def test_an_organizer_edits_a_cost_line(client, organizer, edition):
    line = cost_services.add_cost(
        edition, category="staff", amount="5000", incurred_on="2015-03-01", note="Temps",
        actor=organizer,
    )  # fmt: skip
    url = f"{COSTS}/{line.id}"
    page = client.get(url)
    assert form_values(page) | {"csrf_token": ""} == {
        "csrf_token": "", "category": "staff", "amount": "5000.00", "incurred_on": "2015-03-01",
        "note": "Temps",
    }  # fmt: skip

    refused = client.post(url, data={**form_values(page), "amount": "5000.001"})
    assert refused.status_code == 400
    assert "at most two decimals" in visible_text(refused)
    assert stored() == [(CostCategory.STAFF, Decimal("5000.00"), date(2015, 3, 1), "Temps")]

    saved = client.post(url, data={**form_values(page), "amount": "5200", "category": "travel"})

    assert saved.status_code == 302
    assert stored() == [(CostCategory.TRAVEL, Decimal("5200.00"), date(2015, 3, 1), "Temps")]
    assert audit_of(line.id)[-1] == (
        "update",
        {"category": "staff", "amount": "5000.00", "incurred_on": "2015-03-01", "note": "Temps"},
        {"category": "travel", "amount": "5200.00", "incurred_on": "2015-03-01", "note": "Temps"},
    )


def test_an_organizer_deletes_a_cost_line(client, organizer, edition):
    line_id = cost_services.add_cost(
        edition, category="other", amount="99.90", incurred_on="2015-03-01", actor=organizer
    ).id

    response = client.post(f"{COSTS}/{line_id}/delete", data={"csrf_token": token(client)})

    assert response.status_code == 302
    assert stored() == []
    assert audit_of(line_id)[-1][0:2] == (
        "delete",
        {"category": "other", "amount": "99.90", "incurred_on": "2015-03-01", "note": ""},
    )


def test_deleting_without_the_form_token_changes_nothing(client, organizer, edition):
    line = cost_services.add_cost(
        edition, category="other", amount="10", incurred_on="2015-03-01", actor=organizer
    )

    response = client.post(f"{COSTS}/{line.id}/delete", data={})

    assert response.status_code in (302, 400)
    assert len(stored()) == 1


def test_a_cost_line_of_another_edition_is_not_found(client, organizer, edition):
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013",
                         start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip
    line = cost_services.add_cost(
        other, category="venue", amount="10", incurred_on="2013-03-01", actor=organizer
    )

    assert client.get(f"{COSTS}/{line.id}").status_code == 404
    deleted = client.post(f"{COSTS}/{line.id}/delete", data={"csrf_token": token(client)})
    assert deleted.status_code == 404
    assert len(stored()) == 1


def upload(client: FlaskClient, content: str | bytes):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        IMPORT,
        data={"csrf_token": token(client), "file": (io.BytesIO(data), "costs.csv")},
        content_type="multipart/form-data",
    )


def test_cost_lines_are_imported_from_csv(client, organizer, edition):
    content = (
        "\ufeffCategory;Amount;Incurred_on;Note\r\n"
        "venue;850000.00;2015-06-30;HUNGEXPO\r\n"
        "Construction;310000;2015-09-15;\r\n"
        'marketing;1.5;2015-04-01;"=HYPERLINK(""http://x.example"")"\r\n'
    )

    response = upload(client, content)

    assert response.status_code == 302
    assert stored() == [
        (CostCategory.VENUE, Decimal("850000.00"), date(2015, 6, 30), "HUNGEXPO"),
        (CostCategory.CONSTRUCTION, Decimal("310000.00"), date(2015, 9, 15), ""),
        # Stored as typed: exports neutralise formulas, the database keeps the text.
        (CostCategory.MARKETING, Decimal("1.50"), date(2015, 4, 1),
         '=HYPERLINK("http://x.example")'),
    ]  # fmt: skip
    assert "3 cost lines imported." in visible_text(client.get(response.headers["Location"]))
    imports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cost_import")).all()
    assert [(e.edition_id, e.after) for e in imports] == [
        (edition.id, {"lines": 3, "total": "1160001.50"})
    ]


def test_a_cost_file_with_a_bad_line_imports_nothing(client, organizer):
    content = (
        "category,amount,incurred_on,note\n"
        "venue,100,2015-06-30,ok\n"
        "venue,-100,2015-06-30,negative\n"
        "catering,100,2015-06-30,unknown category\n"
        "staff,10.001,2015-02-30,two problems\n"
    )

    response = upload(client, content)

    assert response.status_code == 400
    text = visible_text(response)
    assert "Nothing was imported: the file has 4 problems" in text
    assert "Line 3: amount: The amount must be more than zero." in text
    assert "Line 4: category: “catering” is not a cost category" in text
    assert "Line 5: amount: The amount can have at most two decimals." in text
    assert "Line 5: incurred_on: “2015-02-30” is not a date" in text
    assert "Line 2:" not in text
    assert stored() == []


def test_a_cost_file_without_the_required_columns_is_refused(client, organizer):
    response = upload(client, "category,amount\nvenue,100\n")

    assert response.status_code == 400
    assert "The first line has no column “incurred_on”" in visible_text(response)
    assert stored() == []


def test_cost_pages_are_for_organizers_only(app, client, edition):
    anonymous = client.get(COSTS)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]

    make_user("exhibitor@example.org", roles={Role.EXHIBITOR_CONTACT})
    log_in(client, "exhibitor@example.org")
    csrf = csrf_token_from(html(client.get("/")))

    assert client.get(COSTS).status_code == 403
    posted = client.post(COSTS, data={"csrf_token": csrf, "category": "venue", "amount": "1",
                                      "incurred_on": "2015-01-01"})  # fmt: skip
    assert posted.status_code == 403
    assert stored() == []


def test_the_services_check_the_role_themselves(app, edition):
    exhibitor = make_user("exhibitor@example.org", roles={Role.EXHIBITOR_CONTACT})

    with pytest.raises(Forbidden):
        cost_services.add_cost(edition, category="venue", amount="1", incurred_on="2015-01-01",
                               actor=exhibitor)  # fmt: skip
    with pytest.raises(Forbidden):
        cost_services.list_costs(edition, actor=exhibitor)
    assert stored() == []


def test_the_financial_result_is_revenue_minus_the_costs_incurred(app, edition):
    organizer = make_organizer()
    for category, amount, day in [
        ("venue", "850000.00", "2015-06-30"),
        ("staff", "120000.40", "2015-10-14"),
        ("travel", "30000.35", "2015-10-20"),
    ]:
        cost_services.add_cost(
            edition, category=category, amount=amount, incurred_on=day, actor=organizer
        )

    result = compute_kpis(edition).kpis.financial_result
    as_of = compute_kpis(edition, date(2015, 10, 14)).kpis.financial_result

    assert result.costs == Decimal("1000000.75")
    assert result.costs_by_category["travel"] == Decimal("30000.35")
    assert result.result == result.revenue - Decimal("1000000.75")
    assert as_of.costs == Decimal("970000.40")  # the travel cost came later
    assert "costs" not in compute_kpis(edition).not_collected


def test_the_demo_gives_2013_a_small_deficit_and_2015_a_small_surplus(app):
    from telecom.demo import load_demo_data
    from telecom.events.services import get_edition
    from telecom.kpi.costs_demo import load_costs_demo

    load_demo_data()
    editions = [get_edition("telecom-world-2013"), get_edition("telecom-world-2015")]
    for edition in editions:
        load_costs_demo(edition)  # the demo command may already have loaded them

    again = [load_costs_demo(edition) for edition in editions]
    old, new = (compute_kpis(edition).kpis.financial_result for edition in editions)

    assert again == [{"cost lines": 0, "sponsorship deals": 0}] * 2
    assert (old.costs, new.costs) == (Decimal("1000000.00"), Decimal("1065000.00"))
    assert all(value > 0 for value in old.costs_by_category.values())
    assert all(value > 0 for value in new.costs_by_category.values())
    # Paid deals are sponsorship revenue; the one still awaiting its transfer is not.
    assert (old.revenue_by_stream["sponsorship"], new.revenue_by_stream["sponsorship"]) == (
        Decimal("200000.00"),
        Decimal("300000.00"),
    )
    assert old.result < 0 < new.result
    assert -0.1 < float(old.result / old.revenue) < 0 < float(new.result / new.revenue) < 0.15
