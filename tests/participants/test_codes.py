"""Invitation codes (exhibitor quota, organizer codes, single use) and promo codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.extensions import db
from telecom.participants.models import DiscountKind, InvitationCode, PromoCode
from telecom.participants.services import codes
from tests.helpers import body_of, html, log_in, make_edition, submit_form
from tests.participants.codes_support import (
    make_codes_show,
    make_pass,
    make_person,
    make_registration,
    reload,
)

CODE = re.compile(r"^INV-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


@pytest.fixture
def cs(app):  # type: ignore[no-untyped-def]
    return make_codes_show()


def invitations_url(cs, organisation=None) -> str:  # type: ignore[no-untyped-def]
    organisation = organisation or cs.show.acme
    return f"/editions/{cs.edition.slug}/exhibitors/{organisation.id}/invitations"


def code_count(**where: object) -> int:
    db.session.expire_all()
    query = select(func.count(InvitationCode.id))
    for name, value in where.items():
        query = query.where(getattr(InvitationCode, name) == value)
    return db.session.scalar(query) or 0


# --------------------------------------------------------------------------- invitation codes


def test_an_exhibitor_creates_codes_up_to_its_quota(cs, client):
    log_in(client, cs.show.ada.email)
    url = invitations_url(cs)
    page = client.get(url)
    assert page.status_code == 200
    quota = f'id="quota-{cs.full_pass.id}">.*<td class="text-end">3</td><td class="text-end">0</td>'
    assert re.search(quota, html(page))

    response = submit_form(client, url, {"pass_type": cs.full_pass.id, "count": 2})
    assert response.status_code == 302
    made = db.session.scalars(select(InvitationCode).order_by(InvitationCode.id)).all()
    assert len(made) == 2
    assert all(CODE.match(c.code) for c in made)
    assert len({c.code for c in made}) == 2
    assert {c.organisation_id for c in made} == {cs.show.acme.id}

    refused = submit_form(client, url, {"pass_type": cs.full_pass.id, "count": 2})
    assert refused.status_code == 400
    assert "You can create 1 more code(s) for the Full exhibition pass" in html(refused)
    assert code_count() == 2  # nothing half-made

    assert submit_form(client, url, {"pass_type": cs.full_pass.id, "count": 1}).status_code == 302
    assert code_count(organisation_id=cs.show.acme.id) == 3
    listing = html(client.get(url))
    for code in db.session.scalars(select(InvitationCode.code)):
        assert code in listing


def test_the_quota_is_per_organisation_and_revoking_frees_a_place(cs):
    codes.create_invitations(cs.show.acme, cs.full_pass.id, 3, actor=cs.show.ada)
    with pytest.raises(Conflict, match="You can create 0 more"):
        codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)

    first = db.session.scalars(select(InvitationCode).order_by(InvitationCode.id)).first()
    codes.revoke_invitation(cs.show.acme, first.id, actor=cs.show.ada)
    assert reload(InvitationCode, first.id).revoked_at is not None
    created = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)
    assert len(created) == 1
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "invitation_codes")
    ).all()
    assert sorted(set(actions)) == ["create_invitation", "revoke_invitation"]


def test_only_exhibitors_with_a_confirmed_booking_get_codes(cs, client):
    with pytest.raises(Conflict, match="once your booking is confirmed"):
        codes.create_invitations(cs.show.globex, cs.full_pass.id, 1, actor=cs.show.bob)
    log_in(client, cs.show.bob.email)
    page = html(client.get(invitations_url(cs, cs.show.globex)))
    assert "Invitation codes are available once your booking is confirmed." in page


def test_other_people_cannot_see_or_use_an_organisations_invitations(cs, client):
    log_in(client, cs.show.bob.email)
    assert client.get(invitations_url(cs)).status_code == 404
    with pytest.raises(NotFound):
        codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.bob)
    made = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    with pytest.raises(NotFound):
        codes.revoke_invitation(cs.show.globex, made.id, actor=cs.show.bob)
    anonymous = client.application.test_client()
    assert anonymous.get(invitations_url(cs)).status_code == 302  # to the log-in page


def test_exhibitors_cannot_invite_to_a_pass_without_exhibitor_invitations(cs):
    with pytest.raises(ValidationError, match="cannot invite guests to this pass"):
        codes.create_invitations(cs.show.acme, cs.leaders_pass.id, 1, actor=cs.show.ada)
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    foreign = make_pass(other, invitations=5)
    with pytest.raises(NotFound):
        codes.create_invitations(cs.show.acme, foreign.id, 1, actor=cs.show.ada)
    assert code_count() == 0


def test_a_code_is_mailed_to_the_invitee_with_the_registration_link(cs, client, mail):
    log_in(client, cs.show.ada.email)
    response = submit_form(
        client, invitations_url(cs),
        {"pass_type": cs.full_pass.id, "count": 1, "invitee_email": " Carla@Customer.Example "},
    )  # fmt: skip
    assert response.status_code == 302
    invitation = db.session.scalar(select(InvitationCode))
    assert invitation.invitee_email == "carla@customer.example"
    message = mail.wait_for(1)[0]
    assert message["To"] == "carla@customer.example"
    body = body_of(message)
    assert invitation.code in body
    assert "Acme Telecom invites you to ITU TELECOM World 2015" in body
    assert f"/editions/{cs.edition.slug}/register?code={invitation.code}" in body


def test_mailing_needs_one_code_at_a_time(cs):
    with pytest.raises(ValidationError, match="one code at a time"):
        codes.create_invitations(
            cs.show.acme, cs.full_pass.id, 2, actor=cs.show.ada, invitee_email="a@b.example"
        )
    with pytest.raises(ValidationError, match="valid e-mail"):
        codes.create_invitations(
            cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada, invitee_email="not an address"
        )
    assert code_count() == 0


def test_check_invitation_refuses_clearly_and_accepts_typed_variants(cs):
    made = codes.create_invitations(cs.show.acme, cs.full_pass.id, 2, actor=cs.show.ada)
    code, spare = made[0].code, made[1].code
    typed = " " + code.lower().replace("-", "- ", 1) + " "
    assert codes.check_invitation(cs.edition, cs.full_pass, typed).code == code

    with pytest.raises(ValidationError, match="not valid"):
        codes.check_invitation(cs.edition, cs.full_pass, "INV-AAAA-AAAA")
    with pytest.raises(ValidationError, match="not valid"):
        codes.check_invitation(cs.edition, cs.full_pass, "")
    with pytest.raises(ValidationError, match="is for the Full exhibition pass, not the Leaders"):
        codes.check_invitation(cs.edition, cs.leaders_pass, code)
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    with pytest.raises(ValidationError, match="not valid"):
        codes.check_invitation(other, None, code)

    codes.revoke_invitation(cs.show.acme, made[1].id, actor=cs.show.ada)
    with pytest.raises(ValidationError, match="withdrawn"):
        codes.check_invitation(cs.edition, cs.full_pass, spare)


def test_a_code_is_used_once_and_then_shows_the_invitees_name_only(cs, client):
    invitation = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    carla = make_person("carla@customer.example", "Carla Customer")
    registration = make_registration(cs.edition, carla, pass_type=cs.full_pass)

    found = codes.check_invitation(cs.edition, cs.full_pass, invitation.code)
    codes.use_invitation(found, registration)
    db.session.commit()
    assert reload(InvitationCode, invitation.id).used_at is not None
    assert registration.invitation_code_id == invitation.id

    with pytest.raises(ValidationError, match="already been used"):
        codes.check_invitation(cs.edition, cs.full_pass, invitation.code)
    dave = make_person("dave@customer.example", "Dave")
    second = make_registration(cs.edition, dave, pass_type=cs.full_pass)
    with pytest.raises(Conflict, match="already been used"):
        codes.use_invitation(reload(InvitationCode, invitation.id), second)
    db.session.rollback()
    with pytest.raises(Conflict, match="can no longer be revoked"):
        codes.revoke_invitation(cs.show.acme, invitation.id, actor=cs.show.ada)

    log_in(client, cs.show.ada.email)
    page = html(client.get(invitations_url(cs)))
    assert "by Carla Customer" in page
    assert "carla@customer.example" not in page


def test_a_used_code_of_an_erased_person_shows_no_name(cs, client):
    invitation = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    person = make_person("gone@customer.example", "Gone Person")
    registration = make_registration(cs.edition, person, pass_type=cs.full_pass)
    codes.use_invitation(invitation, registration)
    person.erased_at = datetime.now(UTC)
    person.full_name = "—"
    db.session.commit()
    log_in(client, cs.show.ada.email)
    assert "by Erased participant" in html(client.get(invitations_url(cs)))


def test_a_revoked_code_cannot_be_used(cs):
    invitation = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    codes.revoke_invitation(cs.show.acme, invitation.id, actor=cs.show.ada)
    registration = make_registration(
        cs.edition, make_person("x@customer.example"), pass_type=cs.full_pass
    )
    with pytest.raises(Conflict, match="withdrawn"):
        codes.use_invitation(reload(InvitationCode, invitation.id), registration)


def test_organizers_create_codes_for_the_invitation_only_pass(cs, client, mail):
    log_in(client, cs.organizer.email)
    url = f"/organizer/editions/{cs.edition.slug}/participants/invitations"
    response = submit_form(client, url, {"pass_type": cs.leaders_pass.id, "count": 5})
    assert response.status_code == 302
    assert code_count(pass_type_id=cs.leaders_pass.id) == 5
    assert db.session.scalar(select(func.count()).where(InvitationCode.organisation_id.is_(None)))
    codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)

    submit_form(client, url, {"pass_type": cs.leaders_pass.id, "count": 1,
                              "invitee_email": "minister@gov.example"})  # fmt: skip
    body = body_of(mail.wait_for(1)[0])
    assert "You are invited to ITU TELECOM World 2015 with a free Leaders' pass." in body
    page = html(client.get(url))
    assert page.count("<code>INV-") == 7
    assert "Acme Telecom" in page and "Organizers" in page

    leader = db.session.scalars(
        select(InvitationCode).where(InvitationCode.pass_type_id == cs.leaders_pass.id)
    ).first()
    revoke = submit_form(client, f"{url}/{leader.id}/revoke", form_page=url)
    assert revoke.status_code == 302
    assert reload(InvitationCode, leader.id).revoked_at is not None

    exhibitor = client.application.test_client()
    log_in(exhibitor, cs.show.ada.email)
    assert exhibitor.get(url).status_code == 403
    with pytest.raises(Exception, match="permission"):
        codes.create_organizer_invitations(cs.edition, cs.leaders_pass.id, 1, actor=cs.show.ada)


def test_the_exhibitor_page_revokes_an_unused_code(cs, client):
    invitation = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    log_in(client, cs.show.ada.email)
    url = invitations_url(cs)
    response = submit_form(client, f"{url}/{invitation.id}/revoke", form_page=url)
    assert response.status_code == 302
    assert reload(InvitationCode, invitation.id).revoked_at is not None
    assert "Revoked" in html(client.get(url))


def test_the_organisation_page_links_to_the_invitations(cs, client):
    log_in(client, cs.show.ada.email)
    page = html(client.get(f"/editions/{cs.edition.slug}/exhibitors/{cs.show.acme.id}/manage"))
    assert invitations_url(cs) in page


# --------------------------------------------------------------------------- promo codes


def promo_url(cs) -> str:  # type: ignore[no-untyped-def]
    return f"/organizer/editions/{cs.edition.slug}/participants/promo-codes"


def make_promo(cs, code="SAVE20", kind=DiscountKind.PERCENT, value="20", max_uses=3, **kw):  # type: ignore[no-untyped-def]
    data = codes.PromoData(code=code, kind=kind, value=Decimal(value), max_uses=max_uses, **kw)
    return codes.create_promo(cs.edition, data, actor=cs.organizer)


def test_an_organizer_creates_and_lists_promo_codes(cs, client):
    log_in(client, cs.organizer.email)
    response = submit_form(client, promo_url(cs), {
        "code": " early-bird ", "kind": "percent", "value": "12.5", "max_uses": "100",
        "valid_from": "2015-06-01T00:00", "valid_until": "2015-09-30T23:59",
        "pass_type": str(cs.full_pass.id), "active": "y",
    })  # fmt: skip
    assert response.status_code == 302
    promo = db.session.scalar(select(PromoCode))
    assert promo.code == "EARLY-BIRD"
    assert promo.kind == DiscountKind.PERCENT and promo.value == Decimal("12.50")
    assert promo.max_uses == 100 and promo.uses == 0
    assert promo.pass_type_id == cs.full_pass.id
    # Typed in Budapest time (CEST, UTC+2).
    assert promo.valid_from == datetime(2015, 5, 31, 22, 0, tzinfo=UTC)
    page = html(client.get(promo_url(cs)))
    assert "EARLY-BIRD" in page and "0 / 100" in page and "12.5 % off" in page

    amount = submit_form(client, promo_url(cs), {
        "code": "minus50", "kind": "amount", "value": "50", "max_uses": "2", "pass_type": "0",
        "active": "y",
    })  # fmt: skip
    assert amount.status_code == 302
    assert "50.00 CHF off" in html(client.get(promo_url(cs)))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "percent", "value": "120"}, "at most 100"),
        ({"kind": "percent", "value": "0"}, "more than zero"),
        ({"kind": "amount", "value": "-5"}, "more than zero"),
        ({"max_uses": "0"}, "can be used 1 to 1,000,000 times"),
        ({"code": "ab!"}, "3 to 40 letters"),
        ({"valid_from": "2015-09-01T00:00", "valid_until": "2015-08-01T00:00"}, "end after"),
        ({"value": "abc"}, "Not a valid decimal value"),
    ],
)
def test_a_wrong_promo_code_is_refused_clearly(cs, client, values, message):
    log_in(client, cs.organizer.email)
    form = {"code": "GOOD", "kind": "percent", "value": "10", "max_uses": "5", "pass_type": "0",
            "active": "y", **values}  # fmt: skip
    response = submit_form(client, promo_url(cs), form)
    assert response.status_code == 400
    assert message in html(response)
    assert db.session.scalar(select(func.count(PromoCode.id))) == 0


def test_a_promo_code_is_unique_per_edition(cs):
    make_promo(cs, "SAVE20")
    with pytest.raises(ValidationError, match="exists already"):
        make_promo(cs, "save20")
    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    data = codes.PromoData(code="SAVE20", kind="percent", value="5", max_uses=1)
    assert codes.create_promo(other, data, actor=cs.organizer).code == "SAVE20"


def test_quote_promo_rounds_half_up_and_never_goes_below_zero(cs):
    cheap = make_pass(cs.edition, "Day pass", price="10.05")
    make_promo(cs, "HALF", value="50")
    promo, price = codes.quote_promo(cs.edition, cheap, "half")
    assert promo.code == "HALF"
    assert price == Decimal("5.03")  # 5.025 rounds half-up, not to even
    make_promo(cs, "THIRD", value="33.33")
    assert codes.quote_promo(cs.edition, cs.full_pass, "THIRD")[1] == Decimal("166.68")
    make_promo(cs, "BIG", kind=DiscountKind.AMOUNT, value="500")
    assert codes.quote_promo(cs.edition, cheap, "BIG")[1] == Decimal("0.00")
    make_promo(cs, "TEN", kind=DiscountKind.AMOUNT, value="10")
    assert codes.quote_promo(cs.edition, cs.full_pass, "TEN")[1] == Decimal("240.00")


def test_quote_promo_refuses_invalid_codes_clearly(cs):
    now = datetime(2015, 7, 1, 12, tzinfo=UTC)
    make_promo(cs, "LATER", valid_from=now + timedelta(days=1))
    make_promo(cs, "OVER", valid_until=now - timedelta(seconds=1))
    make_promo(cs, "FULLONLY", pass_type_id=cs.full_pass.id)
    make_promo(cs, "ONCE", max_uses=1)
    off = make_promo(cs, "OFF")
    codes.set_promo_active(cs.edition, off.id, False, actor=cs.organizer)
    once = db.session.scalar(select(PromoCode).where(PromoCode.code == "ONCE"))
    codes.consume_promo(once)
    db.session.commit()

    for code, message in [
        ("NOPE", "not valid"), ("LATER", "not valid yet"), ("OVER", "expired"),
        ("ONCE", "used up"), ("OFF", "no longer valid"), ("", "not valid"),
    ]:  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            codes.quote_promo(cs.edition, cs.full_pass, code, now=now)
    with pytest.raises(ValidationError, match="does not apply to the Leaders' pass"):
        codes.quote_promo(cs.edition, cs.leaders_pass, "FULLONLY", now=now)
    assert codes.quote_promo(cs.edition, cs.full_pass, "fullonly", now=now)[1] == Decimal("200.00")


def test_consume_promo_stops_at_max_uses(cs):
    promo = make_promo(cs, "TWICE", max_uses=2)
    codes.consume_promo(promo)
    codes.consume_promo(promo)
    db.session.commit()
    with pytest.raises(Conflict, match=r"This promo code has been used up\."):
        codes.consume_promo(promo)
    db.session.rollback()
    assert reload(PromoCode, promo.id).uses == 2


def test_an_organizer_deactivates_and_reactivates_a_promo_code(cs, client):
    promo = make_promo(cs)
    log_in(client, cs.organizer.email)
    url = promo_url(cs)
    assert submit_form(client, f"{url}/{promo.id}/deactivate", form_page=url).status_code == 302
    assert reload(PromoCode, promo.id).active is False
    assert "Inactive" in html(client.get(url))
    assert submit_form(client, f"{url}/{promo.id}/activate", form_page=url).status_code == 302
    assert reload(PromoCode, promo.id).active is True
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "promo_codes")
    ).all()
    assert actions.count("deactivate_promo") == 1 and actions.count("activate_promo") == 1


def test_promo_pages_are_for_organizers_only(cs, client):
    log_in(client, cs.show.ada.email)
    assert client.get(promo_url(cs)).status_code == 403
    with pytest.raises(Exception, match="permission"):
        make_promo_as(cs, cs.show.ada)


def make_promo_as(cs, actor):  # type: ignore[no-untyped-def]
    data = codes.PromoData(code="HACK", kind="percent", value="100", max_uses=1)
    return codes.create_promo(cs.edition, data, actor=actor)
