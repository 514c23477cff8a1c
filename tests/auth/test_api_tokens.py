"""Personal API tokens: created on the account page, used as bearer tokens, revoked."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from telecom.auth.models import ApiToken
from telecom.core.db import commit
from telecom.extensions import db
from tests.helpers import html, log_in, make_edition, make_user, submit_form

_NEW_TOKEN = re.compile(r'<code class="token-secret" id="new-token">([^<]+)</code>')


def create_token(client: FlaskClient, name: str = "Badge printer") -> tuple[TestResponse, str]:
    response = submit_form(client, "/account/tokens", {"name": name}, form_page="/account/")
    assert response.status_code == 200
    match = _NEW_TOKEN.search(html(response))
    assert match, "the new token is not shown"
    return response, match.group(1)


def get_editions(client: FlaskClient, token: str | None = None, *, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return client.get("/api/v1/editions", headers=headers)


def revoke(client: FlaskClient, token_id: int) -> TestResponse:
    return submit_form(client, f"/account/tokens/{token_id}/revoke", form_page="/account/")


def token_row(name: str = "Badge printer") -> ApiToken:
    db.session.expire_all()
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == name))
    assert token is not None
    return token


def assert_unauthorized(response: TestResponse) -> None:
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_is_shown_once_and_stored_only_as_a_hash(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")

    response, secret = create_token(client)

    assert "Copy it now: it will not be shown again." in html(response)
    assert secret.startswith("tw_")
    assert len(secret) > 40
    row = token_row()
    assert row.token_hash != secret
    assert secret not in row.token_hash
    assert secret not in (row.prefix, row.name)
    assert secret.startswith(row.prefix)

    later = client.get("/account/")
    assert later.status_code == 200
    assert secret not in html(later)
    assert "Badge printer" in html(later)
    assert f"{row.prefix}…" in html(later)


def test_bearer_token_reads_the_editions(client):
    make_edition()
    make_edition(
        "telecom-world-2013",
        name="ITU TELECOM World 2013",
        city="Bangkok",
        country="TH",
        venue="IMPACT",
        start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22),
        timezone="Asia/Bangkok",
    )
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    _, secret = create_token(client)
    api = client.application.test_client()  # no cookies: the token alone must do

    response = get_editions(api, secret)

    assert response.status_code == 200
    assert response.is_json
    editions = response.get_json()["editions"]
    assert isinstance(editions, list)
    assert [e["slug"] for e in editions] == ["telecom-world-2015", "telecom-world-2013"]
    budapest = editions[0]
    assert budapest["name"] == "ITU TELECOM World 2015"
    assert budapest["city"] == "Budapest"
    assert budapest["start_date"] == "2015-10-12"
    assert budapest["end_date"] == "2015-10-15"
    assert editions[1]["city"] == "Bangkok"
    assert token_row().last_used_at is not None


def test_missing_header_is_401_with_json_and_www_authenticate(client):
    response = get_editions(client)
    assert_unauthorized(response)
    assert "Authorization: Bearer" in response.get_json()["error"]


def test_a_browser_session_is_not_enough_for_the_api(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    assert_unauthorized(get_editions(client))


@pytest.mark.parametrize(
    ("scheme", "token"),
    [
        ("Bearer", "tw_thisTokenWasNeverIssued0123456789abcdefghij"),
        ("Bearer", "not-even-our-format"),
        ("Bearer", ""),
        ("Basic", "YWRhQGV4YW1wbGUub3JnOnNlY3JldA=="),
    ],
    ids=["unknown", "foreign-format", "empty", "basic-scheme"],
)
def test_bad_tokens_are_401(client, scheme, token):
    assert_unauthorized(get_editions(client, token, scheme=scheme))


def test_a_real_token_with_the_wrong_scheme_or_a_typo_is_401(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    _, secret = create_token(client)
    assert get_editions(client, secret).status_code == 200
    assert_unauthorized(get_editions(client, secret[:-1]))
    assert_unauthorized(get_editions(client, secret, scheme="Token"))


def test_revoked_token_is_401(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    _, secret = create_token(client)
    assert get_editions(client, secret).status_code == 200

    response = revoke(client, token_row().id)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/"
    account = html(client.get("/account/"))
    assert "The token has been revoked." in account
    assert "revoked" in account
    assert token_row().revoked_at is not None
    assert_unauthorized(get_editions(client, secret))


def test_another_user_cannot_revoke_your_token(app):
    make_user("ada@example.org")
    make_user("mallory@example.org", full_name="Mallory")
    ada = app.test_client()
    log_in(ada, "ada@example.org")
    _, secret = create_token(ada)
    token_id = token_row().id

    mallory = app.test_client()
    log_in(mallory, "mallory@example.org")
    response = revoke(mallory, token_id)

    assert response.status_code == 404
    assert "No such token." in html(response)
    assert token_row().revoked_at is None
    assert get_editions(app.test_client(), secret).status_code == 200
    # Nor does Mallory see it on her page.
    assert "Badge printer" not in html(mallory.get("/account/"))


def test_revoking_a_token_that_does_not_exist_is_404(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")
    assert revoke(client, 999_999).status_code == 404


def test_token_of_a_deactivated_account_is_401(client):
    user = make_user("ada@example.org")
    log_in(client, "ada@example.org")
    _, secret = create_token(client)
    user.active = False
    commit()
    assert_unauthorized(get_editions(client.application.test_client(), secret))


def test_creating_a_token_needs_a_name(client):
    make_user("ada@example.org")
    log_in(client, "ada@example.org")

    response = submit_form(client, "/account/tokens", {"name": ""}, form_page="/account/")

    assert response.status_code == 400
    assert "This field is required." in html(response)
    assert not _NEW_TOKEN.search(html(response))
    assert db.session.scalar(select(ApiToken)) is None


def test_creating_a_token_needs_a_login(client):
    response = submit_form(client, "/account/tokens", {"name": "sneaky"}, form_page="/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
    assert db.session.scalar(select(ApiToken)) is None


def test_anonymous_users_are_sent_to_log_in_for_the_account_page(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
