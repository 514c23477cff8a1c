"""Protocol staff look after VIP and delegation badges: they may print and re-issue those,
and no other badge.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.errors import NotFound
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import RegistrationCategory
from telecom.participants.services import badges
from tests.helpers import log_in, make_edition, make_user
from tests.participants.badge_support import make_registration

PROTOCOL_CATEGORIES = [RegistrationCategory.VIP, RegistrationCategory.DELEGATION]
OTHER_CATEGORIES = [c for c in RegistrationCategory if c not in PROTOCOL_CATEGORIES]


def _protocol_officer():
    return make_user("pia@telecom-world.example", roles={Role.PROTOCOL}, full_name="Pia Protocol")


@pytest.mark.parametrize("category", PROTOCOL_CATEGORIES)
def test_protocol_staff_reissue_vip_and_delegation_badges(
    app: Flask, category: RegistrationCategory
) -> None:
    edition = make_edition()
    registration = make_registration(edition, "amina@mict.example.gov", category=category)
    old = badges.badge_code(registration)
    pia = _protocol_officer()

    badges.reissue_badge(registration, actor=pia)

    assert registration.badge_version == 2
    assert not badges.is_current(badges.verify_code(old), registration)
    assert badges.is_current(badges.verify_code(badges.badge_code(registration)), registration)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reissue_badge")).one()
    assert entry.actor_id == pia.id
    assert badges.get_badge_registration(registration.id, actor=pia) == registration


@pytest.mark.parametrize("category", OTHER_CATEGORIES)
def test_protocol_staff_cannot_touch_other_badges(
    app: Flask, category: RegistrationCategory
) -> None:
    edition = make_edition()
    registration = make_registration(edition, "vera@example.org", category=category)
    pia = _protocol_officer()

    with pytest.raises(NotFound):
        badges.reissue_badge(registration, actor=pia)
    with pytest.raises(NotFound):
        badges.get_badge_registration(registration.id, actor=pia)

    db.session.expire_all()
    assert registration.badge_version == 1


def test_other_staff_roles_cannot_reissue_a_vip_badge(app: Flask) -> None:
    edition = make_edition()
    registration = make_registration(
        edition, "amina@mict.example.gov", category=RegistrationCategory.VIP
    )
    for role in (Role.CHECKIN_STAFF, Role.MEDIA_REVIEWER, Role.PARTICIPANT):
        someone = make_user(f"{role.value}@example.org", roles={role})
        with pytest.raises(NotFound):
            badges.reissue_badge(registration, actor=someone)
    assert registration.badge_version == 1


def test_protocol_staff_download_a_vip_badge_but_not_a_visitors(app: Flask) -> None:
    edition = make_edition()
    vip = make_registration(edition, "amina@mict.example.gov", category=RegistrationCategory.VIP)
    visitor = make_registration(edition, "vera@example.org")
    _protocol_officer()
    client = app.test_client()
    log_in(client, "pia@telecom-world.example")

    response = client.get(f"/badges/{vip.id}.pdf")
    assert response.status_code == 200
    assert response.get_data().startswith(b"%PDF")
    assert client.get(f"/badges/{visitor.id}.pdf").status_code == 404
