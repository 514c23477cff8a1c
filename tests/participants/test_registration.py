"""Visitor registration without an account: the form, the mailed confirmation link, the badge,
and every refusal (sale window, withdrawn pass, capacity, duplicate, invitation only).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, ValidationError
from telecom.core.models import utcnow
from telecom.extensions import db
from telecom.participants.models import (
    DiscountKind,
    InvitationCode,
    JobFunction,
    Person,
    PromoCode,
    Registration,
    RegistrationStatus,
    VisitPurpose,
)
from telecom.participants.services import codes, passes
from telecom.participants.services import registration as registrations
from telecom.participants.services.registration import AlreadyRegistered, RegistrationError
from tests.concurrency import run_at_once
from tests.core import visible_text
from tests.helpers import html, submit_form
from tests.participants.registration_support import (
    attachments,
    confirmation_link,
    count_registrations,
    form_data,
    issued,
    mail_text,
    make_fair,
    make_pass,
    manage_link,
    path_of,
    register,
    visitor,
)


@pytest.fixture
def fair(app):  # type: ignore[no-untyped-def]
    return make_fair()


def reload(registration: Registration) -> Registration:
    db.session.expire_all()
    fresh = db.session.get(Registration, registration.id)
    assert fresh is not None
    return fresh


# --- The whole story through the pages and a real SMTP server --------------------------


def test_a_visitor_registers_confirms_by_the_mailed_link_and_receives_the_badge(client, fair, mail):
    listing = client.get(f"/editions/{fair.slug}/register")
    assert listing.status_code == 200
    assert "Full pass" in visible_text(listing) and "Free" in visible_text(listing)
    assert f"/editions/{fair.slug}/register" in html(client.get(f"/editions/{fair.slug}"))

    url = f"/editions/{fair.slug}/register/{fair.free_pass.id}"
    response = submit_form(client, url, form_data("  Vera@Visitor.Example "))

    assert response.status_code == 200
    assert "We have sent a message to vera@visitor.example" in visible_text(response)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.PENDING
    assert registration.email_confirmed_at is None
    person = registration.person
    assert person.email == "vera@visitor.example"
    assert person.job_function == JobFunction.TECHNICAL
    assert person.sector == "operator" and person.country == "KE"
    assert person.consent_at is not None
    assert registration.purpose == VisitPurpose.PROFESSIONAL
    assert (registration.valid_from, registration.valid_until) == (
        fair.edition.start_date,
        fair.edition.end_date,
    )
    assert issued(fair.free_pass.id) == 1

    [confirm_mail] = mail.wait_for(1)
    assert confirm_mail["To"] == "vera@visitor.example"
    assert not attachments(confirm_mail)  # no badge before the address is proven
    link = confirmation_link(confirm_mail)

    page = client.get(path_of(link))

    assert page.status_code == 200
    assert "your registration for ITU TELECOM World Next is confirmed" in visible_text(page)
    registration = reload(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email_confirmed_at is not None and registration.confirmed_at is not None
    badge_mail = mail.wait_for(2)[1]
    assert badge_mail["To"] == "vera@visitor.example"
    [(filename, pdf)] = attachments(badge_mail)
    assert filename.endswith(".pdf") and pdf.startswith(b"%PDF")
    assert "/my/registrations/" in manage_link(badge_mail)

    # The page's badge link works for someone without an account.
    badge_links = [a for a in html(page).split('"') if a.startswith("/badges/")]
    assert badge_links, "the confirmed page links to the badge"
    badge = client.get(badge_links[0].replace("&amp;", "&"))
    assert badge.status_code == 200 and badge.data.startswith(b"%PDF")

    # The link works once: following it again changes nothing and sends nothing.
    again = client.get(path_of(link))
    assert again.status_code == 200
    assert len(mail.messages) == 2


def test_the_audit_log_records_registration_without_personal_data(fair, mail):
    registration = register(fair)
    registrations.confirm_registration(confirmation_link(mail.wait_for(1)[0]).rsplit("/", 1)[1])

    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "registrations",
            AuditEntry.object_id == str(registration.id),
        )
    ).all()
    assert [e.action for e in entries] == ["register", "confirm_registration"]
    text = str([(e.before, e.after, e.actor_label) for e in entries])
    assert "vera" not in text.lower() and "Safari" not in text


def test_a_forged_or_expired_confirmation_link_is_refused_clearly(client, fair, app, mail):
    register(fair)
    link = path_of(confirmation_link(mail.wait_for(1)[0]))

    forged = client.get(link[:-3] + "abc")
    assert forged.status_code == 400
    assert "This confirmation link is not valid." in visible_text(forged)

    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    expired = client.get(link)
    assert expired.status_code == 400
    assert "has expired" in visible_text(expired)
    assert count_registrations(fair.edition.id, RegistrationStatus.PENDING) == 1


# --- Refusals ------------------------------------------------------------------------------


def test_registration_waits_for_the_sale_window_and_stops_at_its_end(fair):
    pass_type = make_pass(
        fair.edition, fair.organizer, name="Early bird",
        sale_starts_at=utcnow() + timedelta(days=2), sale_ends_at=utcnow() + timedelta(days=9),
    )  # fmt: skip

    with pytest.raises(RegistrationError) as refused:
        register(fair, pass_type=pass_type)
    assert "Registration for this pass opens on" in refused.value.message
    assert pass_type not in passes.passes_for_sale(fair.edition)

    with pytest.raises(RegistrationError) as refused:
        registrations.register_visitor(
            fair.edition, pass_type.id, visitor(), now=utcnow() + timedelta(days=10)
        )
    assert refused.value.message == "Registration for this pass has closed."

    registration = registrations.register_visitor(
        fair.edition, pass_type.id, visitor(), now=utcnow() + timedelta(days=3)
    )
    assert registration.pass_type_id == pass_type.id
    assert count_registrations(fair.edition.id) == 1


def test_a_withdrawn_pass_is_refused_on_its_page_and_by_the_service(client, fair):
    passes.set_active(fair.free_pass, False, actor=fair.organizer)

    page = client.get(f"/editions/{fair.slug}/register/{fair.free_pass.id}")
    assert page.status_code == 200
    assert "This pass is no longer offered." in visible_text(page)
    assert 'name="email"' not in html(page)
    with pytest.raises(RegistrationError, match="no longer offered"):
        register(fair)
    assert count_registrations(fair.edition.id) == 0


def test_capacity_is_never_exceeded_and_the_page_says_fully_booked(client, app):
    fair = make_fair(capacity=2)
    register(fair, "a@visitor.example")
    register(fair, "b@visitor.example")

    with pytest.raises(Conflict, match="fully booked"):
        register(fair, "c@visitor.example")

    assert issued(fair.free_pass.id) == 2
    assert count_registrations(fair.edition.id) == 2
    assert db.session.scalar(select(func.count(Person.id))) == 2  # the refused one left nothing
    assert "Fully booked" in visible_text(client.get(f"/editions/{fair.slug}/register"))
    page = client.get(f"/editions/{fair.slug}/register/{fair.free_pass.id}")
    assert "is fully booked" in visible_text(page)


def test_a_second_registration_of_the_same_address_gets_a_message_and_a_fresh_link(
    client, fair, mail
):
    register(fair)
    url = f"/editions/{fair.slug}/register/{fair.free_pass.id}"

    response = submit_form(client, url, form_data("VERA@visitor.example", full_name="Someone Else"))

    assert response.status_code == 200
    assert "already registered for ITU TELECOM World Next" in visible_text(response)
    second = mail.wait_for(2)[1]
    assert second["To"] == "vera@visitor.example"
    assert count_registrations(fair.edition.id) == 1
    assert issued(fair.free_pass.id) == 1
    person = db.session.scalars(select(Person)).one()
    assert person.full_name == "Vera Visitor"  # a stranger cannot rename her

    # The fresh link works; once confirmed, a further attempt mails the manage link instead.
    registrations.confirm_registration(confirmation_link(second).rsplit("/", 1)[1])
    with pytest.raises(AlreadyRegistered):
        register(fair, pass_type=make_pass(fair.edition, fair.organizer, name="Other pass"))
    reminder = mail.wait_for(4)[3]
    assert "already registered" in mail_text(reminder)
    assert "/my/registrations/" in manage_link(reminder)


def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(client, fair):
    url = f"/editions/{fair.slug}/register/{fair.free_pass.id}"

    response = submit_form(client, url, form_data(consent="", country="XX", full_name="Vera V."))

    assert response.status_code == 200
    page = visible_text(response)
    assert "We need your consent to register you." in page
    assert 'value="Vera V."' in html(response)
    assert count_registrations(fair.edition.id) == 0

    with pytest.raises(RegistrationError) as refused:
        register(fair, country="XX")
    assert refused.value.field == "country"


def test_an_invitation_only_pass_needs_a_valid_unused_code_and_is_then_free(client, fair, mail):
    leaders = make_pass(
        fair.edition, fair.organizer, name="Leaders' pass", price=Decimal("900"),
        invitation_only=True, forum_access=True,
    )  # fmt: skip
    [invitation] = codes.create_organizer_invitations(
        fair.edition, leaders.id, 1, actor=fair.organizer
    )

    with pytest.raises(RegistrationError) as refused:
        register(fair, pass_type=leaders)
    assert refused.value.field == "invitation_code"
    assert "by invitation only" in refused.value.message
    with pytest.raises(RegistrationError, match="not valid"):
        register(fair, pass_type=leaders, invitation_code="INV-NOPE-NOPE")

    # The invitation link leads straight to the pass, the code filled in.
    response = client.get(f"/editions/{fair.slug}/register?code={invitation.code.lower()}")
    assert response.status_code == 302
    form_page = client.get(response.headers["Location"])
    assert f'value="{invitation.code}"' in html(form_page)

    registration = register(fair, pass_type=leaders, invitation_code=invitation.code.lower())
    assert registration.forum_access
    db.session.expire_all()
    assert db.session.get(InvitationCode, invitation.id).used_at is not None
    assert reload(registration).invitation_code_id == invitation.id

    registrations.confirm_registration(confirmation_link(mail.wait_for(1)[0]).rsplit("/", 1)[1])
    assert reload(registration).status == RegistrationStatus.CONFIRMED  # invited: nothing to pay

    with pytest.raises(RegistrationError, match="already been used"):
        register(fair, "other@visitor.example", pass_type=leaders, invitation_code=invitation.code)
    assert issued(leaders.id) == 1


def test_a_day_pass_admits_the_chosen_day_only(client, fair):
    day_pass = make_pass(fair.edition, fair.organizer, name="Day pass", days_valid=1)
    second_day = fair.edition.start_date + timedelta(days=1)
    url = f"/editions/{fair.slug}/register/{day_pass.id}"

    missing = submit_form(client, url, form_data())
    assert "Choose a day." in visible_text(missing)

    response = submit_form(client, url, form_data(day=second_day.isoformat()))
    assert response.status_code == 200
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.valid_from, registration.valid_until) == (second_day, second_day)


# --- Paid passes and promo codes ------------------------------------------------------------


def test_a_paid_pass_waits_for_payment_after_the_email_is_confirmed(client, fair, mail):
    paid = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("250"))
    registration = register(fair, pass_type=paid)

    page = client.get(path_of(confirmation_link(mail.wait_for(1)[0])))

    assert "Payment comes next" in visible_text(page)
    assert "250" in visible_text(page)
    registration = reload(registration)
    assert registration.email_confirmed_at is not None
    assert registration.status == RegistrationStatus.PENDING
    assert len(mail.messages) == 1  # no badge yet


def test_confirm_paid_confirms_once_and_mails_the_badge(fair, mail):
    paid = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("250"))
    registration = register(fair, pass_type=paid)
    registrations.confirm_registration(confirmation_link(mail.wait_for(1)[0]).rsplit("/", 1)[1])

    assert registrations.confirm_paid(reload(registration), actor=None) is True
    db.session.commit()  # the payments side commits its own transaction

    registration = reload(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None
    db.session.expire_all()
    from telecom.core.db import commit
    from telecom.core.outbox import deliver

    commit()
    deliver()
    badge_mail = mail.wait_for(2)[1]
    assert attachments(badge_mail)[0][1].startswith(b"%PDF")

    # Twice (a webhook and the buyer's return racing) confirms once, mails once.
    assert registrations.confirm_paid(registration, actor=None) is True
    commit()
    assert len(mail.messages) == 2


def test_confirm_paid_says_false_for_a_cancelled_registration(fair):
    paid = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("250"))
    registration = register(fair, pass_type=paid)
    registrations.cancel_registration(registration.person, registration.id)

    assert registrations.confirm_paid(reload(registration), actor=None) is False
    assert reload(registration).status == RegistrationStatus.CANCELLED


def test_promo_codes_discount_and_a_full_discount_makes_the_pass_free(fair, mail):
    paid = make_pass(fair.edition, fair.organizer, name="Forum pass", price=Decimal("200"))
    for code, value in (("HALF", "50"), ("FREEPASS", "100")):
        codes.create_promo(
            fair.edition,
            codes.PromoData(code=code, kind=DiscountKind.PERCENT, value=value, max_uses=1),
            actor=fair.organizer,
        )

    half = register(fair, "half@visitor.example", pass_type=paid, promo_code="half")
    free = register(fair, "free@visitor.example", pass_type=paid, promo_code="FREEPASS")
    with pytest.raises(RegistrationError) as refused:
        register(fair, "late@visitor.example", pass_type=paid, promo_code="HALF")
    assert refused.value.field == "promo_code"

    for message in mail.wait_for(2):
        registrations.confirm_registration(confirmation_link(message).rsplit("/", 1)[1])
    assert reload(half).status == RegistrationStatus.PENDING
    assert registrations.amount_due(reload(half)) == Decimal("100.00")
    assert reload(free).status == RegistrationStatus.CONFIRMED
    db.session.expire_all()
    assert {p.code: p.uses for p in db.session.scalars(select(PromoCode))} == {
        "HALF": 1,
        "FREEPASS": 1,
    }


# --- Concurrency on PostgreSQL --------------------------------------------------------------


def test_twenty_concurrent_registrations_for_five_places_give_exactly_five(app, racing_app):
    fair = make_fair(capacity=5)
    edition_id, pass_id = fair.edition.id, fair.free_pass.id

    def registering(n: int):  # type: ignore[no-untyped-def]
        def call() -> int:
            from telecom.events.models import Edition

            edition = db.session.get(Edition, edition_id)
            return registrations.register_visitor(
                edition, pass_id, visitor(f"racer{n}@visitor.example")
            ).id

        return call

    results, errors = run_at_once(racing_app, [registering(n) for n in range(20)])

    assert len(results) == 5, errors
    assert len(errors) == 15
    assert all(isinstance(e, Conflict) and "fully booked" in e.message for e in errors), errors
    assert count_registrations(edition_id) == 5
    assert issued(pass_id) == 5


def test_the_same_address_registering_twice_at_once_gets_one_registration(app, racing_app):
    fair = make_fair()
    edition_id, pass_id = fair.edition.id, fair.free_pass.id

    def call() -> int:
        from telecom.events.models import Edition

        edition = db.session.get(Edition, edition_id)
        return registrations.register_visitor(edition, pass_id, visitor()).id

    results, errors = run_at_once(racing_app, [call] * 6)

    assert len(results) == 1, errors
    assert all(isinstance(e, ValidationError | Conflict) for e in errors), errors
    assert count_registrations(edition_id) == 1
    assert issued(pass_id) == 1
