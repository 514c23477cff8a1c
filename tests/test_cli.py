"""The flask commands: accounts, API tokens, demo data and mail delivery."""

from __future__ import annotations

import re

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core.outbox import OutboxMessage, OutboxStatus
from telecom.core.permissions import Role
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.extensions import db
from tests.helpers import first_link, log_in, make_edition, make_user, submit_form


def flask(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- users create ------------------------------------------------------------


def test_users_create_makes_a_confirmed_account_with_the_roles(app):
    result = flask(
        app,
        "users", "create",
        "--email", "Staff@Example.org",
        "--password", "a long cli password",
        "--name", "Sam Staff",
        "--role", "organizer",
        "--role", "checkin_staff",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Created staff@example.org with roles: checkin_staff, organizer" in result.output
    user = get_user_by_email("staff@example.org")
    assert user is not None
    assert user.full_name == "Sam Staff"
    assert user.roles == {Role.ORGANIZER, Role.CHECKIN_STAFF}
    assert user.email_confirmed
    assert user.password_hash.startswith("$argon2")

    # The account works straight away, and it is an organizer's.
    client = app.test_client()
    log_in(client, "staff@example.org", "a long cli password")
    assert client.get("/organizer/").status_code == 200


def test_users_create_without_roles_makes_a_participant_named_after_the_address(app):
    result = flask(app, "users", "create", "--email", "p@example.org", "--password", "0123456789")
    assert result.exit_code == 0, result.output
    user = get_user_by_email("p@example.org")
    assert user.roles == {Role.PARTICIPANT}
    assert user.full_name == "p@example.org"


def test_users_create_refuses_a_duplicate_address(app):
    make_user("ada@example.org", full_name="Ada Lovelace")

    result = flask(
        app, "users", "create", "--email", "ADA@example.org", "--password", "another password"
    )

    assert result.exit_code == 1
    assert "Error: An account with this e-mail address already exists." in result.output
    assert count(User) == 1
    db.session.expire_all()
    assert get_user_by_email("ada@example.org").full_name == "Ada Lovelace"


def test_users_create_rejects_an_unknown_role(app):
    result = flask(
        app,
        "users", "create",
        "--email", "x@example.org",
        "--password", "a long cli password",
        "--role", "superuser",
    )  # fmt: skip

    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert "superuser" in result.output
    assert count(User) == 0


def test_users_create_rejects_a_short_password(app):
    result = flask(app, "users", "create", "--email", "x@example.org", "--password", "short")
    assert result.exit_code == 1
    assert "The password must be at least 10 characters long." in result.output
    assert count(User) == 0


def test_users_create_needs_email_and_password(app):
    result = flask(app, "users", "create", "--email", "x@example.org")
    assert result.exit_code == 2
    assert "Missing option '--password'" in result.output
    assert count(User) == 0


# --- users token -------------------------------------------------------------


def test_users_token_prints_a_token_that_works_against_the_api(app):
    make_edition()
    make_user("robot@example.org")

    result = flask(app, "users", "token", "--email", "robot@example.org", "--name", "Scanner")

    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert re.fullmatch(r"tw_[A-Za-z0-9_-]{40,}", secret)
    response = app.test_client().get(
        "/api/v1/editions", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    [edition] = response.get_json()["editions"]
    assert edition["slug"] == "telecom-world-2015"
    assert edition["city"] == "Budapest"
    # Each run prints a new token.
    second = flask(app, "users", "token", "--email", "robot@example.org").output.strip()
    assert second != secret


def test_users_token_for_an_unknown_address_is_an_error(app):
    result = flask(app, "users", "token", "--email", "nobody@example.org")
    assert result.exit_code == 1
    assert "No account with the e-mail address nobody@example.org." in result.output
    assert "tw_" not in result.output


# --- demo --------------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    return count(User), count(Edition), count(CandidateVenue)


def test_demo_loads_once_and_a_second_run_creates_nothing(app):
    first = flask(app, "demo")
    assert first.exit_code == 0, first.output
    assert "Demo data loaded (6 users, 2 editions, 4 candidate venues, " in first.output
    after_first = _counts()
    assert after_first == (6, 2, 4)

    second = flask(app, "demo")

    assert second.exit_code == 0, second.output
    summary = next(line for line in second.output.splitlines() if "Demo data loaded" in line)
    created = [int(word) for word in summary.replace("(", " ").split() if word.isdigit()]
    assert created and set(created) == {0}, summary
    assert _counts() == after_first


def test_demo_prints_an_organizer_login_that_works(app):
    result = flask(app, "demo")

    match = re.search(r"Organizer login: (\S+) / (\S+)", result.output)
    assert match, result.output
    email, password = match.groups()
    assert email == app.config["DEMO_ORGANIZER_EMAIL"]
    client = app.test_client()
    log_in(client, email, password)
    assert client.get("/organizer/").status_code == 200


def test_demo_2015_edition_has_the_four_candidate_venues(app):
    flask(app, "demo")

    edition = db.session.scalar(select(Edition).where(Edition.slug == "telecom-world-2015"))
    assert edition is not None
    assert edition.city == "Budapest"
    candidates = {c.country: c for c in edition.candidate_venues}
    assert set(candidates) == {"HU", "MX", "IT", "HK"}
    assert candidates["HU"].city == "Budapest"
    assert candidates["HU"].status == CandidateStatus.CHOSEN
    assert candidates["MX"].city.startswith("Mexico")
    assert candidates["HK"].city == "Hong Kong"
    assert [c.country for c in candidates.values() if c.status == CandidateStatus.CHOSEN] == ["HU"]


def test_demo_keeps_editions_that_already_exist(app):
    make_edition(name="Edited by an organizer")

    result = flask(app, "demo")

    assert result.exit_code == 0, result.output
    assert "1 editions" in result.output
    db.session.expire_all()
    kept = db.session.scalar(select(Edition).where(Edition.slug == "telecom-world-2015"))
    assert kept.name == "Edited by an organizer"
    assert count(Edition) == 2


def test_demo_refuses_to_run_in_production_without_force(app):
    app.config["ENV_NAME"] = "production"
    result = flask(app, "demo")
    assert result.exit_code == 1
    assert "Refusing to load demo data in production" in result.output
    assert _counts() == (0, 0, 0)


# --- outbox deliver ----------------------------------------------------------


def test_outbox_deliver_sends_mail_queued_while_no_server_was_configured(app, mail):
    smtp_server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = ""  # offline: the confirmation stays in the outbox
    client = app.test_client()
    response = submit_form(
        client,
        "/account/signup",
        {
            "full_name": "Grace Hopper",
            "email": "grace@example.org",
            "password": "a long enough secret",
            "password_again": "a long enough secret",
        },
    )
    assert response.status_code == 200
    assert mail.messages == []
    [queued] = db.session.scalars(select(OutboxMessage)).all()
    assert queued.status == OutboxStatus.PENDING

    offline = flask(app, "outbox", "deliver")
    assert offline.exit_code == 1
    assert "MAIL_SERVER is not set" in offline.output

    app.config["MAIL_SERVER"] = smtp_server
    result = flask(app, "outbox", "deliver")

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed." in result.output
    [message] = mail.wait_for(1)
    assert message["To"] == "grace@example.org"
    client.get(first_link(message))
    log_in(client, "grace@example.org", "a long enough secret")
    # Delivered once: a second run has nothing left to send.
    assert "0 sent, 0 failed." in flask(app, "outbox", "deliver").output
    assert len(mail.messages) == 1
