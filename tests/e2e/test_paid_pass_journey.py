"""Browser journey: a visitor registers for a paid pass, chooses a password, pays by card.

Vera registers for the 250 CHF forum pass without an account, follows the
link from the mail the SMTP server received, chooses a password, lands on the
order for her pass and types the test card into the Card Element that
localstripe's fake Stripe.js mounts. The order is paid, her registration is
confirmed and her badge arrives by mail.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationStatus
from tests.e2e.test_card_payment_journey import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET
from tests.helpers import DEFAULT_PASSWORD, MailSink, make_organizer
from tests.participants.registration_support import confirmation_link, future_edition, make_pass
from tests.payments.localstripe_server import LocalStripe

pytestmark = pytest.mark.e2e

EMAIL = "vera@visitor.example"


@pytest.fixture
def forum_pass(app: Flask, mail: MailSink, live_server: str, localstripe: LocalStripe) -> str:
    """Card payments against localstripe, and an edition with a 250 CHF pass; its form's URL."""
    app.config.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe.url,
        STRIPE_JS_URL=localstripe.js_url,
    )
    localstripe.register_webhook(f"{live_server}/payments/stripe/webhook", WEBHOOK_SECRET)
    edition = future_edition()
    forum = make_pass(edition, make_organizer(), name="Forum pass", price=Decimal("250"))
    url = f"{live_server}/editions/{edition.slug}/register/{forum.id}"
    db.session.rollback()  # hold no transaction open while the server writes
    return url


def registration_status() -> RegistrationStatus:
    db.session.rollback()
    try:
        return db.session.scalars(select(Registration.status)).one()
    finally:
        db.session.rollback()


def test_a_visitor_pays_her_pass_by_card_and_gets_her_badge(
    forum_pass: str, mail: MailSink, page: Page
) -> None:
    page.goto(forum_pass)
    page.get_by_label("Full name").fill("Vera Visitor")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Professional: business, procurement or policy").check()
    page.get_by_label("I agree that the organizers keep these details").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    [message] = mail.wait_for(1)
    page.goto(confirmation_link(message))
    expect(page.get_by_role("status")).to_contain_text("Payment comes next")
    page.get_by_label("Choose a password").fill(DEFAULT_PASSWORD)
    page.get_by_label("Repeat the password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue to payment").click()

    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.locator(".order-line")).to_contain_text("Forum pass")
    element = page.locator("#card-element")
    expect(element.locator("input")).to_have_count(5)
    element.get_by_placeholder("number").fill("4242424242424242")
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("30")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("1211")
    page.locator("#card-pay-button").click()

    expect(page.locator(".order-state")).to_have_attribute("data-state", "paid", timeout=20000)
    expect(page.locator(".order-documents")).to_contain_text("Invoice")
    assert registration_status() == RegistrationStatus.CONFIRMED
    badge = next(m for m in mail.wait_for(3) if m["Subject"].startswith("Your badge"))
    assert badge["To"] == EMAIL
    assert any(part.get_filename() for part in badge.iter_attachments())
