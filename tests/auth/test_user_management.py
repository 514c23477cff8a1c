"""Organizers find accounts and decide what each may do."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.core.permissions import Role
from telecom.extensions import db
from tests.helpers import DEFAULT_PASSWORD, log_in, make_organizer, make_user, submit_form


def organizer_client(app) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    make_organizer("boss@example.org")
    log_in(client, "boss@example.org")
    return client


def reload(user_id: int) -> User:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def test_organizer_finds_accounts_by_name_email_and_role(app):
    client = organizer_client(app)
    make_user("amina@operator.example", full_name="Amina Diallo")
    make_user("checker@example.org", full_name="Carl Checker", roles={Role.CHECKIN_STAFF})
    make_user("a_b@example.org", full_name="Underscore Person")
    make_user("axb@example.org", full_name="Lookalike Person")

    by_name = client.get("/organizer/users/?q=DIALLO").get_data(as_text=True)
    assert "amina@operator.example" in by_name
    assert "checker@example.org" not in by_name

    by_role = client.get("/organizer/users/?role=checkin_staff").get_data(as_text=True)
    assert "checker@example.org" in by_role
    assert "amina@operator.example" not in by_role

    # A LIKE wildcard typed by the organizer is taken literally.
    literal = client.get("/organizer/users/?q=a_b").get_data(as_text=True)
    assert "a_b@example.org" in literal
    assert "axb@example.org" not in literal

    unknown_role = client.get("/organizer/users/?role=emperor")
    assert unknown_role.status_code == 200
    assert "amina@operator.example" in unknown_role.get_data(as_text=True)


def test_organizer_grants_roles_and_the_change_is_audited(app):
    client = organizer_client(app)
    person = make_user("reviewer-to-be@example.org")

    response = submit_form(
        client,
        f"/organizer/users/{person.id}",
        {"roles": ["participant", "media_reviewer", "checkin_staff"], "active": "y"},
    )

    assert response.status_code == 302
    assert reload(person.id).roles == {Role.PARTICIPANT, Role.MEDIA_REVIEWER, Role.CHECKIN_STAFF}
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "users",
            AuditEntry.object_id == str(person.id),
            AuditEntry.action == "update_access",
        )
    )
    assert entry is not None
    assert entry.actor_label == "boss@example.org"
    assert entry.before["roles"] == ["participant"]
    assert entry.after["roles"] == ["checkin_staff", "media_reviewer", "participant"]


def test_deactivating_an_account_ends_its_session_and_blocks_log_in(app):
    client = organizer_client(app)
    person = make_user("leaving@example.org")
    their_browser = app.test_client()
    log_in(their_browser, "leaving@example.org")
    assert their_browser.get("/account/").status_code == 200

    submit_form(client, f"/organizer/users/{person.id}", {"roles": ["participant"]})

    assert reload(person.id).active is False
    assert their_browser.get("/account/").status_code == 302
    refused = submit_form(
        their_browser,
        "/account/login",
        {"email": "leaving@example.org", "password": DEFAULT_PASSWORD},
    )
    assert refused.status_code == 200
    assert "deactivated" in refused.get_data(as_text=True)


def test_organizer_cannot_lock_themselves_out(app):
    client = organizer_client(app)
    boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert boss is not None

    no_role = submit_form(client, f"/organizer/users/{boss.id}", {"roles": [], "active": "y"})
    assert "You cannot remove your own organizer role." in no_role.get_data(as_text=True)

    inactive = submit_form(client, f"/organizer/users/{boss.id}", {"roles": ["organizer"]})
    assert "You cannot deactivate your own account." in inactive.get_data(as_text=True)

    boss = reload(boss.id)
    assert boss.roles == {Role.ORGANIZER}
    assert boss.active is True


def test_unknown_account_is_a_friendly_404(app):
    client = organizer_client(app)
    response = client.get("/organizer/users/999999")
    assert response.status_code == 404
    assert "There is no such account." in response.get_data(as_text=True)


def test_an_invented_role_is_refused_without_changing_anything(app):
    client = organizer_client(app)
    person = make_user("plain@example.org")

    response = submit_form(
        client, f"/organizer/users/{person.id}", {"roles": ["emperor"], "active": "y"}
    )

    assert response.status_code == 200
    assert reload(person.id).roles == {Role.PARTICIPANT}
