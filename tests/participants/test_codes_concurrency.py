"""Concurrent redemptions on PostgreSQL: a code with N uses is used exactly N times."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.db import commit
from telecom.core.errors import Conflict, ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.extensions import db
from telecom.participants.models import (
    DiscountKind,
    InvitationCode,
    PassType,
    PromoCode,
    Registration,
)
from telecom.participants.services import codes
from tests.concurrency import run_at_once
from tests.participants.codes_support import make_codes_show, make_person, make_registration


def _redeem_promo(edition_id: int, pass_type_id: int, code: str) -> Callable[[], Decimal]:
    def job() -> Decimal:
        edition = db.session.get(Edition, edition_id)
        pass_type = db.session.get(PassType, pass_type_id)
        try:
            promo, price = codes.quote_promo(edition, pass_type, code)
            codes.consume_promo(promo)
            commit()
        except BaseException:
            db.session.rollback()
            raise
        return price

    return job


def test_25_buyers_racing_for_a_5_use_promo_code_get_exactly_5_uses(app, racing_app):
    cs = make_codes_show()
    data = codes.PromoData(code="FIVE", kind=DiscountKind.PERCENT, value="50", max_uses=5)
    promo = codes.create_promo(cs.edition, data, actor=cs.organizer)
    jobs = [_redeem_promo(cs.edition.id, cs.full_pass.id, "FIVE") for _ in range(25)]

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 5, errors
    assert results == [Decimal("125.00")] * 5
    # Losers are refused with the clear message (from the quote or the UPDATE), never a 500.
    assert all("used up" in getattr(error, "message", "") for error in errors), errors
    db.session.expire_all()
    assert db.session.get(PromoCode, promo.id).uses == 5


def _use_invitation(edition_id: int, pass_type_id: int, code: str, registration_id: int):  # type: ignore[no-untyped-def]
    def job() -> int:
        edition = db.session.get(Edition, edition_id)
        pass_type = db.session.get(PassType, pass_type_id)
        registration = db.session.get(Registration, registration_id)
        try:
            invitation = codes.check_invitation(edition, pass_type, code)
            codes.use_invitation(invitation, registration)
            commit()
        except BaseException:
            db.session.rollback()
            raise
        return registration_id

    return job


def test_10_invitees_racing_for_one_invitation_code_one_wins(app, racing_app):
    cs = make_codes_show()
    invitation = codes.create_invitations(cs.show.acme, cs.full_pass.id, 1, actor=cs.show.ada)[0]
    registrations = [
        make_registration(
            cs.edition, make_person(f"guest{n}@customer.example"), pass_type=cs.full_pass
        ).id
        for n in range(10)
    ]
    jobs = [
        _use_invitation(cs.edition.id, cs.full_pass.id, invitation.code, registration_id)
        for registration_id in registrations
    ]

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 1, errors
    assert all("already been used" in getattr(error, "message", "") for error in errors), errors
    assert all(isinstance(error, Conflict | ValidationError) for error in errors)
    db.session.expire_all()
    holders = db.session.scalars(
        select(Registration.id).where(Registration.invitation_code_id == invitation.id)
    ).all()
    assert holders == results
    assert db.session.get(InvitationCode, invitation.id).used_at is not None


def _create(user_id: int, organisation_id: int, pass_type_id: int) -> Callable[[], int]:
    def job() -> int:
        actor = db.session.get(User, user_id)
        organisation = db.session.get(Organisation, organisation_id)
        return len(codes.create_invitations(organisation, pass_type_id, 1, actor=actor))

    return job


def test_members_creating_codes_at_once_stop_at_the_quota(app, racing_app):
    cs = make_codes_show()  # quota: 3 codes for the full pass
    jobs = [_create(cs.show.ada.id, cs.show.acme.id, cs.full_pass.id) for _ in range(12)]

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 3, errors
    assert all("You can create 0 more" in error.message for error in errors), errors
    db.session.expire_all()
    assert db.session.scalar(select(func.count(InvitationCode.id))) == 3
