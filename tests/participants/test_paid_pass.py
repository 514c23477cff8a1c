"""A paid pass goes through an order: confirm the address, get an account, pay, get the badge.

Vera registers for the 250 CHF forum pass without an account. Following the
mailed link she chooses a password (the link proved her address, so the
account is confirmed and she is logged in) and lands on the order for her
pass. Paying it (here by bank transfer, recorded by the organizer; by card in
tests/payments/test_paid_pass_card.py) confirms the registration and mails
her badge. A free pass, or a promo code that makes it free, needs none of
this; cancelling a pass still to be paid cancels its order.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.errors import Conflict, NotFound
from telecom.core.models import utcnow
from telecom.core.outbox import deliver
from telecom.extensions import db
from telecom.participants.models import (
    DiscountKind,
    PassType,
    Person,
    Registration,
    RegistrationStatus,
)
from telecom.participants.services import codes
from telecom.participants.services import registration as registrations
from telecom.payments import admin
from telecom.payments.models import (
    DocumentKind,
    Order,
    OrderLineKind,
    OrderState,
    PaymentState,
)
from tests.core import visible_text
from tests.helpers import (
    DEFAULT_PASSWORD,
    body_of,
    html,
    is_logged_in,
    log_in,
    make_user,
    submit_form,
)
from tests.participants.registration_support import (
    Fair,
    attachments,
    confirmation_link,
    make_fair,
    make_pass,
    path_of,
    register,
)
from tests.payments.buyer_support import save_payment_settings

EMAIL = "vera@visitor.example"


def paid_fair() -> tuple[Fair, int]:
    """A fair with a 250 CHF forum pass, 8.1 % VAT and a bank account for transfers."""
    fair = make_fair()
    save_payment_settings(fair.edition, tax_rate=Decimal("8.1"), tax_label="VAT", transfer_days=14)
    forum = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("250"))
    return fair, forum.id


def reload(registration: Registration) -> Registration:
    db.session.expire_all()
    found = db.session.get(Registration, registration.id)
    assert found is not None
    return found


def orders() -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).order_by(Order.id)))


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def link_path(mail) -> str:  # type: ignore[no-untyped-def]
    return path_of(confirmation_link(mail.wait_for(1)[0]))


def choose_password(client, path: str, password: str = DEFAULT_PASSWORD):  # type: ignore[no-untyped-def]
    return submit_form(client, path, {"password": password, "password_again": password})


def register_and_open_order(client, mail, fair: Fair, pass_id: int) -> tuple[Registration, Order]:  # type: ignore[no-untyped-def]
    registration = register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    response = choose_password(client, link_path(mail))
    assert response.status_code == 302, html(response)
    [order] = orders()
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.id}"
    return reload(registration), order


def subjects_to(mail, email: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["Subject"] for m in mail.messages if m["To"] == email]


# --- Free passes stay as they were ------------------------------------------------------------


def test_a_free_pass_is_confirmed_by_the_link_with_no_account_and_no_order(client, mail):
    fair = make_fair()
    registration = register(fair, EMAIL)

    page = client.get(link_path(mail))

    assert page.status_code == 200
    assert "You are registered" in visible_text(page)
    assert reload(registration).status == RegistrationStatus.CONFIRMED
    assert orders() == []
    assert user_count() == 1  # the organizer only


def test_a_promo_code_that_makes_the_pass_free_skips_payment(client, mail):
    fair, pass_id = paid_fair()
    codes.create_promo(
        fair.edition,
        codes.PromoData(code="GUEST", kind=DiscountKind.PERCENT, value="100", max_uses=5),
        actor=fair.organizer,
    )
    registration = register(
        fair, EMAIL, pass_type=db.session.get(PassType, pass_id), promo_code="guest"
    )
    page = client.get(link_path(mail))

    assert "You are registered" in visible_text(page)
    assert reload(registration).status == RegistrationStatus.CONFIRMED
    assert orders() == []
    badge = mail.wait_for(2)[1]
    assert attachments(badge)[0][1].startswith(b"%PDF")


# --- An account to pay with -------------------------------------------------------------------


def test_choosing_a_password_opens_the_order_for_the_pass(client, mail):
    fair, pass_id = paid_fair()
    registration = register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    path = link_path(mail)

    page = client.get(path)
    assert page.status_code == 200
    text = visible_text(page)
    assert "Payment comes next" in text and "250" in text
    assert "Choose a password to pay" in text

    short = choose_password(client, path, "short")
    assert short.status_code == 200
    assert "at least 10 characters" in visible_text(short)
    differ = submit_form(client, path, {"password": DEFAULT_PASSWORD, "password_again": "other"})
    assert "The passwords differ." in visible_text(differ)
    assert orders() == [] and user_count() == 1

    response = choose_password(client, path)

    assert response.status_code == 302
    [order] = orders()
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.id}"
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user is not None and user.email_confirmed and user.full_name == "Vera Visitor"
    assert is_logged_in(client)
    registration = reload(registration)
    assert registration.person.user_id == user.id
    assert registration.order_id == order.id
    assert registration.status == RegistrationStatus.PENDING
    assert order.organisation_id is None and order.buyer_id == user.id
    assert order.state == OrderState.OPEN
    [line] = order.lines
    assert line.kind == OrderLineKind.PASS
    assert line.registration_id == registration.id
    assert line.description == "Forum pass – ITU TELECOM World Next"
    assert line.unit_price == Decimal("250.00")
    assert order.gross_total == Decimal("270.25")

    order_page = client.get(f"/orders/{order.id}")
    assert order_page.status_code == 200
    shown = visible_text(order_page)
    assert "Forum pass – ITU TELECOM World Next" in shown
    assert "20.25" in shown and "270.25" in shown
    assert "Pay by bank transfer" in shown

    # The link again: the same order, no second one.
    again = client.get(path)
    assert again.status_code == 302
    assert urlsplit(again.headers["Location"]).path == f"/orders/{order.id}"
    assert len(orders()) == 1


def test_an_existing_account_logs_in_instead_of_making_a_second_one(client, app, mail):
    fair, pass_id = paid_fair()
    user = make_user(EMAIL, full_name="Vera V.")
    registration = register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    path = link_path(mail)

    page = client.get(path)
    text = visible_text(page)
    assert "There is already an account for vera@visitor.example" in text
    assert "Choose a password" not in text
    # Posting a password anyway creates nothing.
    client.post(path, data={"password": "x" * 12, "password_again": "x" * 12})
    assert user_count() == 2 and orders() == []

    login_url = next(
        a for a in page.get_data(as_text=True).split('"') if a.startswith("/account/login?")
    )
    assert parse_qs(urlsplit(login_url.replace("&amp;", "&")).query)["next"] == [path]
    logged_in = submit_form(
        client, login_url.replace("&amp;", "&"), {"email": EMAIL, "password": DEFAULT_PASSWORD}
    )
    assert logged_in.headers["Location"] == path  # back to the payment step

    response = client.get(path)
    [order] = orders()
    assert urlsplit(response.headers["Location"]).path == f"/orders/{order.id}"
    assert order.buyer_id == user.id
    assert reload(registration).person.user_id == user.id
    assert user_count() == 2


def test_someone_else_logged_in_is_told_to_log_in_as_the_person(client, mail):
    fair, pass_id = paid_fair()
    make_user("other@example.org")
    register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    log_in(client, "other@example.org")

    page = client.get(link_path(mail))

    assert page.status_code == 200
    assert "Log in as vera@visitor.example to pay" in visible_text(page)
    assert orders() == []


def test_start_payment_refuses_anyone_but_the_person(mail):
    fair, pass_id = paid_fair()
    stranger = make_user("other@example.org")
    registration = register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    registrations.confirm_registration(link_path(mail).rsplit("/", 1)[1])

    with pytest.raises(NotFound):
        registrations.start_payment(reload(registration), buyer=stranger)
    assert orders() == []


# --- Paying by bank transfer ------------------------------------------------------------------


def test_a_recorded_bank_transfer_confirms_the_registration_and_mails_the_badge(client, mail):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)

    chosen = submit_form(
        client, f"/orders/{order.id}/bank-transfer", form_page=f"/orders/{order.id}"
    )
    assert chosen.status_code == 302
    order = orders()[0]
    assert order.state == OrderState.AWAITING_TRANSFER
    assert order.invoice is not None
    deliver()
    invoice_mail = mail.wait_for(2)[1]
    assert invoice_mail["To"] == EMAIL and invoice_mail["Subject"].startswith("Invoice")
    assert reload(registration).status == RegistrationStatus.PENDING

    admin.record_transfer(
        order, amount=order.gross_total, received_on=fair.edition.local_date(utcnow()),
        reference="UBS 2026-001", actor=fair.organizer,
    )  # fmt: skip

    registration = reload(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None
    order = orders()[0]
    assert order.state == OrderState.PAID
    assert [p.state for p in order.payments] == [PaymentState.SUCCEEDED]
    assert [d.kind for d in order.documents] == [DocumentKind.INVOICE]
    deliver()
    messages = mail.wait_for(4)
    subjects = subjects_to(mail, EMAIL)
    assert any(s.startswith("Payment received") for s in subjects), subjects
    [badge] = [m for m in messages if m["Subject"].startswith("Your badge")]
    assert badge["To"] == EMAIL
    [(filename, pdf)] = attachments(badge)
    assert filename.endswith(".pdf") and pdf.startswith(b"%PDF")


# --- Cancelling -------------------------------------------------------------------------------


def test_cancelling_a_pass_still_to_be_paid_cancels_its_order(client, mail):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)
    person = db.session.get(Person, registration.person_id)

    registrations.cancel_registration(person, registration.id)

    order = orders()[0]
    assert order.state == OrderState.CANCELLED
    assert order.lines[0].cancelled_at is not None
    assert reload(registration).status == RegistrationStatus.CANCELLED
    assert order.documents == []


def test_cancelling_while_awaiting_transfer_credits_the_invoice_and_refuses_the_transfer(
    client, mail
):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)
    submit_form(client, f"/orders/{order.id}/bank-transfer", form_page=f"/orders/{order.id}")
    person = db.session.get(Person, registration.person_id)

    registrations.cancel_registration(person, registration.id)

    order = orders()[0]
    assert order.state == OrderState.CANCELLED
    assert [d.kind for d in order.documents] == [DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE]
    with pytest.raises(Conflict):
        admin.record_transfer(
            order, amount=Decimal("270.25"), received_on=fair.edition.local_date(utcnow()),
            reference="late", actor=fair.organizer,
        )  # fmt: skip
    assert reload(registration).status == RegistrationStatus.CANCELLED


def test_a_paid_pass_cancelled_is_not_refunded_automatically(client, mail):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)
    admin.record_transfer(
        order, amount=order.gross_total, received_on=fair.edition.local_date(utcnow()),
        reference="UBS 2026-002", actor=fair.organizer,
    )  # fmt: skip
    person = db.session.get(Person, registration.person_id)

    cancelled = registrations.cancel_registration(person, registration.id)

    order = orders()[0]
    assert order.state == OrderState.PAID
    assert order.refunds == [] and order.net_received == Decimal("270.25")
    notice = registrations.cancellation_notice(cancelled)
    assert notice is not None and "not refunded automatically" in notice
    assert order.reference in notice


def test_registering_again_after_cancelling_opens_a_new_order(client, mail):
    fair, pass_id = paid_fair()
    registration, first_order = register_and_open_order(client, mail, fair, pass_id)
    person = db.session.get(Person, registration.person_id)
    registrations.cancel_registration(person, registration.id)
    deliver()
    register(fair, EMAIL, pass_type=db.session.get(PassType, pass_id))
    deliver()
    fresh_link = confirmation_link(
        [m for m in mail.wait_for(3) if m["Subject"].startswith("Confirm")][-1]
    )

    response = client.get(path_of(fresh_link))  # still logged in from the first time

    [old, new] = orders()
    assert old.id == first_order.id and old.state == OrderState.CANCELLED
    assert new.state == OrderState.OPEN
    assert urlsplit(response.headers["Location"]).path == f"/orders/{new.id}"
    assert reload(registration).order_id == new.id


def test_an_organizer_cancelling_a_pass_order_cancels_the_registration_and_frees_the_place(
    client, mail
):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)
    taken = db.session.get(PassType, pass_id).issued

    admin.cancel_order(order, actor=fair.organizer, reason="Duplicate registration", refund=False)

    assert orders()[0].state == OrderState.CANCELLED
    assert reload(registration).status == RegistrationStatus.CANCELLED
    db.session.expire_all()
    assert db.session.get(PassType, pass_id).issued == taken - 1


def test_the_person_cancelling_a_paid_pass_is_told_it_is_not_refunded(client, mail):
    fair, pass_id = paid_fair()
    registration, order = register_and_open_order(client, mail, fair, pass_id)
    admin.record_transfer(
        order, amount=order.gross_total, received_on=fair.edition.local_date(utcnow()),
        reference="UBS 2026-003", actor=fair.organizer,
    )  # fmt: skip
    mail.messages.clear()

    page = submit_form(
        client, f"/my/registrations/{registration.id}/cancel", form_page="/my/registrations",
        follow_redirects=True,
    )  # fmt: skip

    assert "not refunded automatically" in visible_text(page)
    [cancelled] = [m for m in mail.wait_for(1) if "is cancelled" in m["Subject"]]
    assert "not refunded automatically" in body_of(cancelled)
