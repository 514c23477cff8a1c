"""Password reset by e-mail link, and what a password change does to other sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

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

NEW_PASSWORD = "a brand new passphrase"


def login_status(client: FlaskClient, email: str, password: str) -> int:
    """302 when the log-in succeeds, 200 (the form again) when it is refused."""
    return submit_form(client, "/account/login", {"email": email, "password": password}).status_code


def request_reset(client: FlaskClient, email: str) -> TestResponse:
    return submit_form(client, "/account/reset", {"email": email})


def choose_password(
    client: FlaskClient, link: str, password: str, again: str | None = None
) -> TestResponse:
    return submit_form(
        client, link, {"password": password, "password_again": password if again is None else again}
    )


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_reset_link_sets_a_new_password(client, mail):
    make_user("ada@example.org", full_name="Ada Lovelace")

    response = request_reset(client, "ada@example.org")

    assert response.status_code == 200
    assert "Check your e-mail" in html(response)
    assert "If an account exists for ada@example.org" in html(response)
    [message] = mail.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert "Reset your TELECOM World password" in message["Subject"]
    assert "Hello Ada Lovelace," in body_of(message)
    assert "within 60 minutes" in body_of(message)
    link = first_link(message)
    assert urlsplit(link).path.startswith("/account/reset/")

    form = client.get(link)
    assert form.status_code == 200
    assert "Choose a new password" in html(form)

    changed = choose_password(client, link, NEW_PASSWORD)

    assert changed.status_code == 302
    assert urlsplit(changed.headers["Location"]).path == "/account/login"
    login_page = client.get("/account/login")
    assert "Your password has been changed. Please log in." in html(login_page)
    assert login_status(client, "ada@example.org", DEFAULT_PASSWORD) == 200
    assert login_status(client, "ada@example.org", NEW_PASSWORD) == 302
    assert is_logged_in(client)
    assert get_user_by_email("ada@example.org").password_hash.startswith("$argon2")


def test_reset_link_works_only_once(client, mail):
    make_user("ada@example.org")
    request_reset(client, "ada@example.org")
    link = first_link(mail.wait_for(1)[0])
    assert choose_password(client, link, NEW_PASSWORD).status_code == 302

    again = client.get(link, follow_redirects=True)

    assert again.status_code == 200
    assert again.request.path == "/account/reset"
    assert "This reset link has already been used or is no longer valid." in html(again)

    # Posting to the used link does not change the password either.
    token = csrf_token_from(html(client.get("/account/reset")))
    replay = client.post(
        link,
        data={
            "csrf_token": token,
            "password": "yet another passphrase",
            "password_again": "yet another passphrase",
        },
    )
    assert replay.status_code == 302
    assert urlsplit(replay.headers["Location"]).path == "/account/reset"
    assert login_status(client, "ada@example.org", "yet another passphrase") == 200
    assert login_status(client, "ada@example.org", NEW_PASSWORD) == 302


def test_unknown_address_gets_the_same_page_and_no_mail(app, mail):
    make_user("ada@example.org")

    known = request_reset(app.test_client(), "ada@example.org")
    mail.wait_for(1)
    outbox_before = outbox_count()
    unknown = request_reset(app.test_client(), "nobody@example.org")

    assert unknown.status_code == known.status_code == 200
    page = html(unknown)
    assert "If an account exists for nobody@example.org" in page
    assert (
        page.replace("nobody@example.org", "X").split("<main")[1].split("</main>")[0]
        == (html(known).replace("ada@example.org", "X").split("<main")[1].split("</main>")[0])
    )
    assert len(mail.messages) == 1
    assert mail.to("nobody@example.org") == []
    assert outbox_count() == outbox_before


def test_deactivated_account_gets_no_reset_mail(client, mail):
    user = make_user("ada@example.org")
    user.active = False
    commit()

    response = request_reset(client, "ada@example.org")

    assert response.status_code == 200
    assert "Check your e-mail" in html(response)
    assert mail.messages == []
    assert outbox_count() == 0


def test_reset_request_needs_a_valid_address(client, mail):
    response = request_reset(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid e-mail address." in html(response)
    assert mail.messages == []


def test_a_password_change_logs_out_other_sessions(app, mail):
    make_user("ada@example.org")
    laptop = app.test_client()
    phone = app.test_client()
    log_in(laptop, "ada@example.org")
    assert is_logged_in(laptop)
    version_before = get_user_by_email("ada@example.org").session_version

    request_reset(phone, "ada@example.org")
    link = first_link(mail.wait_for(1)[0])
    assert choose_password(phone, link, NEW_PASSWORD).status_code == 302

    db.session.expire_all()
    assert get_user_by_email("ada@example.org").session_version == version_before + 1
    assert not is_logged_in(laptop)
    log_in(laptop, "ada@example.org", NEW_PASSWORD)
    assert is_logged_in(laptop)


def test_a_password_change_also_ends_remembered_logins(app, mail):
    make_user("ada@example.org")
    browser = app.test_client()
    response = submit_form(
        browser,
        "/account/login",
        {"email": "ada@example.org", "password": DEFAULT_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    # The browser is closed: the session cookie is gone, the remember cookie stays.
    browser.delete_cookie("session")
    assert is_logged_in(browser)
    browser.delete_cookie("session")

    other = app.test_client()
    request_reset(other, "ada@example.org")
    assert choose_password(other, first_link(mail.wait_for(1)[0]), NEW_PASSWORD).status_code == 302

    assert not is_logged_in(browser)


def test_bad_new_password_is_explained_and_the_link_stays_usable(client, mail):
    make_user("ada@example.org")
    request_reset(client, "ada@example.org")
    link = first_link(mail.wait_for(1)[0])

    mismatch = choose_password(client, link, NEW_PASSWORD, "a different passphrase")
    assert mismatch.status_code == 200
    assert "The passwords differ." in html(mismatch)

    short = choose_password(client, link, "short")
    assert short.status_code == 200
    assert "between 10 and 200 characters" in html(short)

    same_as_email = choose_password(client, link, "ada@example.org")
    assert same_as_email.status_code == 200
    assert "The password must not be your e-mail address." in html(same_as_email)

    assert login_status(client, "ada@example.org", DEFAULT_PASSWORD) == 302
    submit_form(client, "/account/logout", form_page="/")
    assert choose_password(client, link, NEW_PASSWORD).status_code == 302
    assert login_status(client, "ada@example.org", NEW_PASSWORD) == 302


def test_garbled_reset_link_gives_a_clear_message(client, mail):
    make_user("ada@example.org")
    request_reset(client, "ada@example.org")
    link = first_link(mail.wait_for(1)[0])
    garbled = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")

    response = client.get(garbled, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/account/reset"
    assert "This reset link is not valid." in html(response)
    assert client.get("/account/reset/nonsense", follow_redirects=True).status_code == 200


def test_expired_reset_link_gives_a_clear_message(app, client, mail):
    make_user("ada@example.org")
    request_reset(client, "ada@example.org")
    link = first_link(mail.wait_for(1)[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is now too old

    response = client.get(link, follow_redirects=True)

    assert response.status_code == 200
    assert "This reset link has expired. Please ask for a new one." in html(response)
    assert login_status(client, "ada@example.org", DEFAULT_PASSWORD) == 302


def test_a_reset_confirms_an_unconfirmed_address(client, mail):
    make_user("ada@example.org", confirmed=False)
    assert login_status(client, "ada@example.org", DEFAULT_PASSWORD) == 200

    request_reset(client, "ada@example.org")
    choose_password(client, first_link(mail.wait_for(1)[0]), NEW_PASSWORD)

    assert login_status(client, "ada@example.org", NEW_PASSWORD) == 302


def test_reset_requests_are_rate_limited(client):
    make_user("ada@example.org")
    for attempt in range(5):
        assert request_reset(client, "ada@example.org").status_code == 200, attempt + 1

    limited = request_reset(client, "ada@example.org")

    assert limited.status_code == 429
    assert "Too many attempts" in html(limited)
    assert outbox_count() == 5


def test_mail_is_written_in_the_recipients_language(app, mail):
    person = make_user("francophone@example.org")
    person.locale = "fr"
    commit()
    # The request comes from an English browser; the mail follows the account.
    response = app.test_client().get("/account/reset", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    request_reset(app.test_client(), "francophone@example.org")

    message = mail.wait_for(1)[0]
    assert message["To"] == "francophone@example.org"
    assert "mot de passe" in message["Subject"]
    assert "Bonjour" in body_of(message)


def test_the_check_your_mail_page_states_the_real_link_lifetime(app, client):
    app.config["PASSWORD_RESET_MAX_AGE"] = 30 * 60
    make_user("timely@example.org")
    page = html(request_reset(client, "timely@example.org"))
    assert "expires in 30 minutes" in page
