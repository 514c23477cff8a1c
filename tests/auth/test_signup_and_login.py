"""Sign-up, e-mail confirmation, log-in, log-out, rate limiting and session safety."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from telecom.auth.models import User
from telecom.auth.services import get_user_by_email
from telecom.core.db import commit
from telecom.core.outbox import OutboxMessage
from telecom.extensions import db
from tests.helpers import (
    DEFAULT_PASSWORD,
    body_of,
    csrf_token_from,
    first_link,
    html,
    is_logged_in,
    log_in,
    make_user,
    submit_form,
)

NEW_PASSWORD = "a sufficiently long secret"


def sign_up(client: FlaskClient, **fields: str) -> TestResponse:
    data = {
        "full_name": "Grace Hopper",
        "email": "grace@example.org",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    data.update(fields)
    return submit_form(client, "/account/signup", data)


def try_log_in(client: FlaskClient, email: str, password: str, url: str = "/account/login"):
    return submit_form(client, url, {"email": email, "password": password})


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def input_value(page: str, name: str) -> str | None:
    """The value an <input name=...> is re-rendered with, if any."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"the page has no input {name!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


# --- sign-up -----------------------------------------------------------------


def test_sign_up_mails_a_link_that_confirms_the_account_before_login(client, mail):
    response = sign_up(client)

    assert response.status_code == 200
    page = html(response)
    assert "Check your e-mail" in page
    assert "We have sent a message to grace@example.org" in page
    user = get_user_by_email("grace@example.org")
    assert user is not None
    assert user.full_name == "Grace Hopper"
    assert not user.email_confirmed

    [message] = mail.wait_for(1)
    assert message["To"] == "grace@example.org"
    assert "Confirm your e-mail address" in message["Subject"]
    assert "Hello Grace Hopper," in body_of(message)
    link = first_link(message)
    assert urlsplit(link).path.startswith("/account/confirm/")

    # Not yet: the account exists but the address is unproven.
    refused = try_log_in(client, "grace@example.org", NEW_PASSWORD)
    assert refused.status_code == 200
    assert "Please confirm your e-mail address first" in html(refused)
    assert "ask for a new confirmation link" in html(refused)
    assert not is_logged_in(client)

    confirmed = client.get(link, follow_redirects=True)
    assert confirmed.status_code == 200
    assert confirmed.request.path == "/account/login"
    assert "your e-mail address is confirmed" in html(confirmed)
    db.session.expire_all()
    assert get_user_by_email("grace@example.org").email_confirmed

    log_in(client, "grace@example.org", NEW_PASSWORD)
    account = client.get("/account/")
    assert account.status_code == 200
    assert "Grace Hopper" in html(account)
    assert "grace@example.org" in html(account)


def test_following_the_confirmation_link_twice_is_harmless(client, mail):
    sign_up(client)
    link = first_link(mail.wait_for(1)[0])
    assert client.get(link).status_code == 302
    again = client.get(link, follow_redirects=True)
    assert again.status_code == 200
    assert "your e-mail address is confirmed" in html(again)


def test_password_is_stored_as_an_argon2_hash(client):
    sign_up(client)
    user = get_user_by_email("grace@example.org")
    assert user.password_hash.startswith("$argon2")
    assert NEW_PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password_again": "something else entirely"}, "The passwords differ."),
        ({"password": "short", "password_again": "short"}, "between 10 and 200 characters"),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"full_name": ""}, "This field is required."),
        (
            {"password": "grace@example.org", "password_again": "grace@example.org"},
            "The password must not be your e-mail address.",
        ),
    ],
    ids=["mismatch", "short", "bad-email", "no-name", "password-is-email"],
)
def test_bad_sign_up_input_is_explained_and_keeps_what_was_typed(client, mail, fields, message):
    response = sign_up(client, **fields)

    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert "is-invalid" in page
    # What the person typed is still there (passwords are never echoed back).
    assert input_value(page, "full_name") == fields.get("full_name", "Grace Hopper")
    assert input_value(page, "email") == fields.get("email", "grace@example.org")
    assert not input_value(page, "password")
    assert not input_value(page, "password_again")
    assert user_count() == 0
    assert mail.messages == []


def test_sign_up_with_an_existing_address_looks_the_same_but_mails_the_owner(app, mail):
    owner = make_user("ada@example.org", full_name="Ada Lovelace")
    owner_hash = owner.password_hash

    newcomer = sign_up(app.test_client(), email="new@example.org")
    intruder = sign_up(app.test_client(), full_name="Mallory", email="ADA@example.org")

    assert newcomer.status_code == intruder.status_code == 200

    def normalised(response: TestResponse, address: str) -> str:
        page = html(response).replace(address, "ADDRESS")
        return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', page)

    assert normalised(intruder, "ADA@example.org") == normalised(newcomer, "new@example.org")

    messages = mail.wait_for(2)
    [to_owner] = [m for m in messages if m["To"] == "ada@example.org"]
    assert "Someone tried to sign up with your address" in to_owner["Subject"]
    body = body_of(to_owner)
    assert "Hello Ada Lovelace," in body
    assert "http://localhost/account/login" in body
    assert "http://localhost/account/reset" in body
    assert "/account/confirm/" not in body

    # The account was not touched: same name, same password, still one account.
    db.session.expire_all()
    owner = get_user_by_email("ada@example.org")
    assert owner.full_name == "Ada Lovelace"
    assert owner.password_hash == owner_hash
    assert user_count() == 2  # Ada and the newcomer
    log_in(app.test_client(), "ada@example.org", DEFAULT_PASSWORD)


def test_garbled_confirmation_link_gives_a_clear_message(client, mail):
    sign_up(client)
    link = first_link(mail.wait_for(1)[0])
    garbled = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")

    response = client.get(garbled, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/account/confirm"
    assert "This confirmation link is not valid." in html(response)
    assert not get_user_by_email("grace@example.org").email_confirmed


def test_nonsense_confirmation_token_gives_a_clear_message(client):
    response = client.get("/account/confirm/not-a-token-at-all", follow_redirects=True)
    assert response.status_code == 200
    assert "This confirmation link is not valid." in html(response)


def test_expired_confirmation_link_gives_a_clear_message(app, client, mail):
    sign_up(client)
    link = first_link(mail.wait_for(1)[0])
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1  # every link is now too old

    response = client.get(link, follow_redirects=True)

    assert response.status_code == 200
    assert "This confirmation link has expired." in html(response)
    assert not get_user_by_email("grace@example.org").email_confirmed


def test_a_new_confirmation_link_can_be_requested(client, mail):
    sign_up(client)
    mail.wait_for(1)

    response = submit_form(client, "/account/confirm", {"email": "grace@example.org"})

    assert response.status_code == 200
    assert "Check your e-mail" in html(response)
    second = mail.wait_for(2)[1]
    assert second["To"] == "grace@example.org"
    client.get(first_link(second))
    log_in(client, "grace@example.org", NEW_PASSWORD)


def test_a_confirmation_link_is_not_resent_to_unknown_addresses(client, mail):
    response = submit_form(client, "/account/confirm", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Check your e-mail" in html(response)
    assert mail.messages == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- log-in ------------------------------------------------------------------


def test_login_with_the_right_password_opens_the_account(client):
    make_user("ada@example.org", full_name="Ada Lovelace")
    response = log_in(client, "ada@example.org")
    assert urlsplit(response.headers["Location"]).path == "/"
    home = client.get("/")
    assert "Welcome, Ada Lovelace." in html(home)
    assert is_logged_in(client)
    assert get_user_by_email("ada@example.org").last_login_at is not None


def test_login_ignores_the_case_of_the_address(client):
    make_user("ada@example.org")
    log_in(client, "Ada@Example.ORG")
    assert is_logged_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.org", "not the password"), ("nobody@example.org", DEFAULT_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_get_one_message_and_no_session(client, email, password):
    make_user("ada@example.org")

    response = try_log_in(client, email, password)

    assert response.status_code == 200
    page = html(response)
    assert "Wrong e-mail address or password." in page
    assert input_value(page, "email") == email
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert not is_logged_in(client)


def test_deactivated_account_cannot_log_in(client):
    user = make_user("ada@example.org")
    user.active = False
    commit()

    response = try_log_in(client, "ada@example.org", DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert "This account has been deactivated." in html(response)
    assert not is_logged_in(client)


def test_deactivated_account_with_a_wrong_password_reveals_nothing(client):
    user = make_user("ada@example.org")
    user.active = False
    commit()
    response = try_log_in(client, "ada@example.org", "not the password")
    assert "Wrong e-mail address or password." in html(response)
    assert "deactivated" not in html(response)


def test_deactivating_an_account_ends_its_open_sessions(client):
    user = make_user("ada@example.org")
    log_in(client, "ada@example.org")
    assert is_logged_in(client)

    user.active = False
    commit()

    assert not is_logged_in(client)


def test_login_follows_a_same_site_next_path(client):
    make_user("ada@example.org")
    response = try_log_in(
        client, "ada@example.org", DEFAULT_PASSWORD, "/account/login?next=/account/"
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/"


def test_pages_that_need_a_login_send_you_back_after_it(client):
    make_user("ada@example.org")
    bounced = client.get("/account/")
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    assert urlsplit(login_url).path == "/account/login"

    response = try_log_in(client, "ada@example.org", DEFAULT_PASSWORD, login_url)

    assert urlsplit(response.headers["Location"]).path == "/account/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/account/",
        "https://evil.example",
        "https://evil.example/account/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_never_redirects_off_site(client, target):
    make_user("ada@example.org")
    page = client.get("/account/login", query_string={"next": target})
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={
            "csrf_token": csrf_token_from(html(page)),
            "email": "ada@example.org",
            "password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/"
    assert "evil" not in response.headers["Location"]

    # Already logged in: the login page also sends you home, not away.
    again = client.get("/account/login", query_string={"next": target})
    assert again.status_code == 302
    assert "evil" not in again.headers["Location"]


def test_login_form_needs_its_csrf_token(client):
    make_user("ada@example.org")
    response = client.post(
        "/account/login", data={"email": "ada@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert "security token" in html(response)
    assert not is_logged_in(client)


# --- rate limit --------------------------------------------------------------


def test_repeated_failed_logins_are_rate_limited(client):
    make_user("ada@example.org")
    for attempt in range(10):
        response = try_log_in(client, "ada@example.org", f"wrong guess number {attempt}")
        assert response.status_code == 200, f"attempt {attempt + 1} was not answered normally"
        assert "Wrong e-mail address or password." in html(response)

    # Even the right password is refused once the limit is reached.
    limited = try_log_in(client, "ada@example.org", DEFAULT_PASSWORD)

    assert limited.status_code == 429
    assert "Too many attempts" in html(limited)
    assert "Retry-After" in limited.headers
    assert not is_logged_in(client)
    # The page itself still opens; only attempts are limited.
    assert client.get("/account/login").status_code == 200


def test_the_login_rate_limit_counts_per_address(app):
    make_user("ada@example.org")
    attacker = app.test_client()
    for attempt in range(11):
        response = try_log_in(attacker, "ada@example.org", f"wrong guess number {attempt}")
    assert response.status_code == 429

    someone_else = app.test_client()
    page = someone_else.get("/account/login")
    response = someone_else.post(
        "/account/login",
        data={
            "csrf_token": csrf_token_from(html(page)),
            "email": "ada@example.org",
            "password": DEFAULT_PASSWORD,
        },
        environ_overrides={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 302


# --- log-out and session cookies ----------------------------------------------


def test_logout_is_a_post_with_csrf_and_ends_the_session(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")

    response = submit_form(client, "/account/logout", form_page="/", follow_redirects=True)

    assert response.status_code == 200
    assert "You are logged out." in html(response)
    bounced = client.get("/account/")
    assert bounced.status_code == 302
    assert urlsplit(bounced.headers["Location"]).path == "/account/login"


def test_logout_by_get_is_not_allowed(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    assert client.get("/account/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_without_csrf_token_is_refused(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    response = client.post("/account/logout")
    assert response.status_code == 400
    assert is_logged_in(client)


def _set_cookie_headers(response: TestResponse, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    make_user("ada@example.org")
    response = log_in(client, "ada@example.org")
    [cookie] = _set_cookie_headers(response, "session")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_remember_me_cookie_is_httponly_and_samesite_lax(client):
    make_user("ada@example.org")
    response = submit_form(
        client,
        "/account/login",
        {"email": "ada@example.org", "password": DEFAULT_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    [cookie] = _set_cookie_headers(response, "remember_token")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_login_starts_a_fresh_session(client):
    """Session fixation: whatever the session held before log-in is gone after it."""
    make_user("ada@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client, "ada@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session
