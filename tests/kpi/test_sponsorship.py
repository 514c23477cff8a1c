"""Sponsorship deals are recorded as invoiced orders; once paid they are sponsorship revenue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Forbidden, ValidationError
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.kpi import compute_kpis
from telecom.payments import admin
from telecom.payments.models import (
    Document,
    Order,
    OrderLineKind,
    OrderState,
)
from telecom.payments.sponsorship import record_sponsorship
from tests.core import visible_text
from tests.exhibitors.factories import make_organisation
from tests.helpers import csrf_token_from, html, log_in, make_edition, make_organizer, make_user
from tests.payments.admin_support import bank_settings

PAGE = "/organizer/editions/telecom-world-2015/kpis/sponsorships"


@pytest.fixture
def edition(app):
    return make_edition()


@pytest.fixture
def sponsor(edition):
    return make_organisation(edition, "Huawei", contact_email="partners@sponsor.example")


@pytest.fixture
def organizer(app, client: FlaskClient, edition):
    user = make_organizer()
    log_in(client, "organizer@example.org")
    return user


def post_deal(client: FlaskClient, **typed: object):
    token = csrf_token_from(html(client.get(PAGE)))
    return client.post(PAGE, data={"csrf_token": token, **typed})


def orders() -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).order_by(Order.id)))


def test_a_deal_is_invoiced_paid_by_transfer_and_counted_as_sponsorship(
    client, organizer, edition, sponsor, mail
):
    bank_settings(edition)

    response = post_deal(
        client, organisation=str(sponsor.id), amount="150000", description="Gold sponsor"
    )

    assert response.status_code == 302
    [order] = orders()
    assert (order.organisation_id, order.state, order.currency) == (
        sponsor.id,
        OrderState.AWAITING_TRANSFER,
        "CHF",
    )
    assert [(line.kind, line.description, line.amount) for line in order.lines] == [
        (OrderLineKind.SPONSORSHIP, "Gold sponsor", Decimal("150000.00"))
    ]
    invoice = order.invoice
    assert invoice is not None and invoice.gross == Decimal("150000.00")
    assert invoice.content["bank"]["iban"] == "CH9300762011623852957"
    [message] = mail.wait_for(1)
    assert message["To"] == "partners@sponsor.example"
    assert invoice.number in message["Subject"]
    assert any(part.get_filename() == f"{invoice.number}.pdf" for part in message.iter_parts())
    listed = client.get(PAGE)
    assert order.reference in visible_text(listed)
    assert f"/organizer/editions/telecom-world-2015/payments/orders/{order.id}" in html(listed)

    # Not revenue until the money arrives.
    assert compute_kpis(edition).kpis.financial_result.revenue_by_stream["sponsorship"] == 0

    admin.record_transfer(
        order, amount=Decimal("150000.00"), received_on=date(2015, 9, 1),
        reference="SWIFT 123", actor=organizer,
    )  # fmt: skip

    [paid] = orders()
    assert paid.state == OrderState.PAID
    result = compute_kpis(edition).kpis.financial_result
    assert result.revenue_by_stream["sponsorship"] == Decimal("150000.00")
    assert result.revenue_by_stream["booths"] == Decimal("0.00")
    assert result.revenue == Decimal("150000.00")
    # As of before the transfer arrived, it is not counted yet.
    before = compute_kpis(edition, date(2015, 8, 31)).kpis.financial_result
    assert before.revenue_by_stream["sponsorship"] == Decimal("0.00")


def test_a_deal_is_audited(app, edition, sponsor):
    bank_settings(edition)
    organizer = make_organizer()

    order = record_sponsorship(
        edition, organisation_id=sponsor.id, amount="2500.50", description="Coffee break",
        actor=organizer,
    )  # fmt: skip

    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "orders", AuditEntry.object_id == str(order.id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "add_line"]
    create = db.session.scalar(
        select(AuditEntry).where(AuditEntry.object_type == "orders", AuditEntry.action == "create")
    )
    assert create is not None and create.after["kind"] == "sponsorship"
    assert create.actor_label == "organizer@example.org"
    issued = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "issue")
    )
    assert issued == 1


def test_an_organisation_with_an_open_order_can_still_sign_a_deal(app, edition, sponsor):
    bank_settings(edition)
    organizer = make_organizer()
    open_order = Order(
        edition_id=edition.id, organisation_id=sponsor.id, state=OrderState.OPEN,
        currency="CHF", reference="TW15-OPEN-0001",
    )  # fmt: skip
    db.session.add(open_order)
    db.session.commit()

    deal = record_sponsorship(
        edition, organisation_id=sponsor.id, amount="1000", description="Lanyards",
        actor=organizer,
    )  # fmt: skip

    assert [(o.id, o.state) for o in orders()] == [
        (open_order.id, OrderState.OPEN),
        (deal.id, OrderState.AWAITING_TRANSFER),
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"organisation": ""}, "Choose an organisation of this edition."),
        ({"amount": "-10"}, "The amount must be more than zero."),
        ({"amount": "10.005"}, "The amount can have at most two decimals."),
        ({"amount": "lots"}, "Enter the amount as a number"),
        ({"description": ""}, "Describe the deal"),
    ],
)
def test_a_wrong_deal_is_explained_and_nothing_is_recorded(
    client, organizer, edition, sponsor, typed, message
):
    bank_settings(edition)
    values = {"organisation": str(sponsor.id), "amount": "5000", "description": "Silver sponsor"}

    response = post_deal(client, **{**values, **typed})

    assert response.status_code == 400
    assert message in visible_text(response)
    assert orders() == []
    assert db.session.scalar(select(func.count(Document.id))) == 0


def test_an_organisation_of_another_edition_is_refused(client, organizer, edition):
    bank_settings(edition)
    other = make_edition(
        "telecom-world-2013", name="ITU TELECOM World 2013",
        start_date=date(2013, 11, 19), end_date=date(2013, 11, 22),
    )  # fmt: skip
    outsider = make_organisation(other, "Elsewhere")

    response = post_deal(client, organisation=str(outsider.id), amount="10", description="x")

    assert response.status_code == 400
    assert "Choose an organisation of this edition." in visible_text(response)
    assert orders() == []


def test_without_bank_details_the_deal_is_refused_with_a_clear_message(
    client, organizer, edition, sponsor
):
    response = post_deal(
        client, organisation=str(sponsor.id), amount="5000", description="Silver sponsor"
    )

    assert response.status_code == 400
    assert "enter the bank account" in visible_text(response)
    assert orders() == []


def test_sponsorship_pages_are_for_organizers_only(app, client, edition, sponsor):
    bank_settings(edition)
    member = make_user("partner@sponsor.example", roles={Role.EXHIBITOR_CONTACT})
    log_in(client, "partner@sponsor.example")
    token = csrf_token_from(html(client.get("/")))

    assert client.get(PAGE).status_code == 403
    posted = client.post(
        PAGE,
        data={"csrf_token": token, "organisation": str(sponsor.id), "amount": "1",
              "description": "Free ride"},
    )  # fmt: skip
    assert posted.status_code == 403
    with pytest.raises(Forbidden):
        record_sponsorship(edition, organisation_id=sponsor.id, amount="1", description="x",
                           actor=member)  # fmt: skip
    assert orders() == []


def test_the_service_refuses_without_bank_details(app, edition, sponsor):
    organizer = make_organizer()

    with pytest.raises(ValidationError):
        record_sponsorship(edition, organisation_id=sponsor.id, amount="1", description="x",
                           actor=organizer)  # fmt: skip
    assert orders() == []
