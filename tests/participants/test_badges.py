"""Badge codes: signed, not forgeable, verifiable offline; re-issuing; who may download a badge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import struct

import pytest
from flask import Flask
from sqlalchemy import select

from telecom import create_app
from telecom.core.audit import AuditEntry
from telecom.core.errors import NotFound
from telecom.extensions import db
from telecom.participants.models import RegistrationStatus
from telecom.participants.services import badges
from telecom.participants.services.badges import BadgeClaim, badge_code, is_current, verify_code
from telecom.participants.services.people import manage_link_token
from tests.concurrency import race
from tests.helpers import html, log_in, make_edition, make_organizer, make_user, submit_form
from tests.participants.badge_support import make_registration

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
CODE_SHAPE = re.compile(r"^TW1-[A-Z2-7]{16}-[A-Z2-7]{26}$")


@pytest.fixture
def edition(app: Flask):
    return make_edition()


@pytest.fixture
def registration(edition):
    return make_registration(edition)


def _parts(code: str) -> tuple[str, str, str]:
    prefix, payload, signature = code.split("-")
    return prefix, payload, signature


def _b32decode(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


# --- The code --------------------------------------------------------------------------


def test_a_badge_code_round_trips_to_its_registration(registration) -> None:
    code = badge_code(registration)

    assert CODE_SHAPE.match(code), code
    claim = verify_code(code)
    assert claim == BadgeClaim(
        registration_id=registration.id, edition_id=registration.edition_id, version=1
    )
    assert is_current(claim, registration)


def test_the_code_fits_a_small_alphanumeric_qr_symbol(registration) -> None:
    qr = badges.badge_qr(badge_code(registration))

    assert qr.mode == "alphanumeric"
    assert qr.version == 3  # 29 x 29 modules
    assert qr.error == "Q"


def test_an_offline_scanner_verifies_a_code_with_the_documented_algorithm(
    app: Flask, registration
) -> None:
    """An independent implementation of the module doc's recipe accepts the code."""
    key = hmac.new(app.config["SECRET_KEY"].encode(), b"telecom.badge.v1", hashlib.sha256).digest()
    assert badges.scanner_key() == key
    assert key != app.config["SECRET_KEY"].encode()

    prefix, payload_text, signature_text = _parts(badge_code(registration))
    expected = hmac.new(key, f"{prefix}-{payload_text}".encode(), hashlib.sha256).digest()[:16]
    assert hmac.compare_digest(expected, _b32decode(signature_text))
    assert struct.unpack(">IIH", _b32decode(payload_text)) == (
        registration.id,
        registration.edition_id,
        registration.badge_version,
    )


def test_surrounding_whitespace_and_lowercase_are_tolerated(registration) -> None:
    """Keyboard-wedge USB scanners add a newline and, with Caps Lock, send lowercase."""
    code = badge_code(registration)
    claim = verify_code(code)

    assert verify_code(f"  {code}\r\n") == claim
    assert verify_code(code.lower()) == claim
    assert verify_code(f"\t{code.lower()} ") == claim
    assert badges.normalise_code(f" {code.lower()}\n") == code


def _with_payload(code: str, payload_code: str) -> str:
    """`code`'s signature on another code's payload."""
    return "-".join([_parts(code)[0], _parts(payload_code)[1], _parts(code)[2]])


def test_a_changed_registration_id_edition_or_version_is_rejected(registration) -> None:
    code = badge_code(registration)
    reg_id, edition_id, version = registration.id, registration.edition_id, 1

    for other in [
        badges.code_for(reg_id + 1, edition_id, version),
        badges.code_for(reg_id, edition_id + 1, version),
        badges.code_for(reg_id, edition_id, version + 1),
    ]:
        assert verify_code(other) is not None  # genuine in its own right
        assert verify_code(_with_payload(code, other)) is None


def test_every_single_character_change_is_rejected(registration) -> None:
    code = badge_code(registration)
    for position, char in enumerate(code):
        if char == "-":
            continue
        for replacement in BASE32:
            if replacement != char:
                forged = code[:position] + replacement + code[position + 1 :]
                assert verify_code(forged) is None, forged


def test_truncated_or_padded_codes_are_rejected(registration) -> None:
    code = badge_code(registration)
    prefix, payload, signature = _parts(code)

    for forged in [
        code[:-1],
        code[:-10],
        code[1:],
        f"{prefix}-{payload}",
        f"{prefix}-{payload}-",
        f"{prefix}-{payload}-{signature[:22]}",  # a 112-bit signature
        code + "A",
        code + "=",
        code + "======",
        "A" + code,
        code.replace("-", ""),
        code.replace("-", " "),
        code.replace("-", "--", 1),
        code[:20] + " " + code[20:],
        f"TW2-{payload}-{signature}",
        f"-{payload}-{signature}",
        f"{prefix}-{payload}-{signature}-{signature}",
    ]:
        assert verify_code(forged) is None, forged


def test_a_second_spelling_of_the_same_signature_is_rejected(registration) -> None:
    """26 base32 characters carry 130 bits: the 2 spare bits must be zero."""
    code = badge_code(registration)
    last = BASE32.index(code[-1])
    assert last & 0b11 == 0
    other_spelling = code[:-1] + BASE32[last | 0b01]
    assert _b32decode(_parts(other_spelling)[2]) == _b32decode(_parts(code)[2])

    assert verify_code(other_spelling) is None


def test_a_code_signed_with_another_key_is_rejected(app: Flask, registration) -> None:
    code = badge_code(registration)
    other_app = create_app(
        "testing",
        SECRET_KEY="another-secret-key-of-sufficient-length-9876543210",
        SQLALCHEMY_DATABASE_URI="sqlite://",
    )
    with other_app.app_context():
        assert (
            badges.scanner_key()
            != hmac.new(
                app.config["SECRET_KEY"].encode(), b"telecom.badge.v1", hashlib.sha256
            ).digest()
        )
        assert verify_code(code) is None
        foreign = badges.code_for(registration.id, registration.edition_id, 1)
    assert foreign != code
    assert verify_code(foreign) is None


def test_codes_from_a_rotated_key_still_verify_while_it_is_a_fallback(
    app: Flask, registration
) -> None:
    code = badge_code(registration)
    rotated = create_app(
        "testing",
        SECRET_KEY="the-new-secret-key-of-sufficient-length-0123456789",
        SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]],
        SQLALCHEMY_DATABASE_URI="sqlite://",
    )
    with rotated.app_context():
        assert verify_code(code) == BadgeClaim(registration.id, registration.edition_id, 1)
        # New badges are signed with the new key.
        assert badges.code_for(registration.id, registration.edition_id, 1) != code


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "\n",
        "hello",
        "TW1",
        "TW1--",
        "TW1-" + "A" * 16 + "-" + "A" * 26,  # the right shape, no valid signature
        "TW1-" + "0" * 16 + "-" + "1" * 26,  # 0, 1, 8 and 9 are not base32
        "TW1-" + "Ä" * 16 + "-" + "É" * 26,
        "https://example.org/badge?c=1",
        "\x00" * 47,
        "A" * 100_000,
    ],
)
def test_garbage_is_rejected(app: Flask, garbage: str) -> None:
    assert verify_code(garbage) is None


def test_random_codes_of_the_right_shape_are_rejected(app: Flask) -> None:
    rng = random.Random(5)
    for _ in range(2000):
        payload = "".join(rng.choice(BASE32) for _ in range(16))
        signature = "".join(rng.choice(BASE32) for _ in range(25)) + rng.choice("AEIMQUY4")
        assert verify_code(f"TW1-{payload}-{signature}") is None


def test_codes_are_not_guessable(edition) -> None:
    first = make_registration(edition, "first@example.org")
    second = make_registration(edition, "second@example.org")
    first_code, second_code = badge_code(first), badge_code(second)

    assert _parts(first_code)[2] != _parts(second_code)[2]
    assert len(_b32decode(_parts(first_code)[2])) * 8 >= 128
    # The payload is not secret, but the signature of one badge says nothing
    # about another: the signatures differ in about half their bits.
    a = int.from_bytes(_b32decode(_parts(first_code)[2]))
    b = int.from_bytes(_b32decode(_parts(second_code)[2]))
    assert 30 <= (a ^ b).bit_count() <= 98


def test_a_code_is_current_only_for_its_own_registration_and_edition(edition, registration):
    other_edition = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    elsewhere = make_registration(other_edition, registration.person.email)
    claim = verify_code(badge_code(registration))

    assert is_current(claim, registration)
    assert not is_current(claim, elsewhere)
    assert not is_current(verify_code(badge_code(elsewhere)), registration)


# --- Re-issuing -------------------------------------------------------------------------


def test_a_reissued_badge_makes_the_old_code_stale(app: Flask, registration) -> None:
    organizer = make_organizer()
    old_code = badge_code(registration)

    badges.reissue_badge(registration, actor=organizer)

    db.session.expire_all()
    assert registration.badge_version == 2
    new_code = badge_code(registration)
    assert new_code != old_code
    old_claim = verify_code(old_code)
    assert old_claim is not None and old_claim.version == 1  # genuine, but no longer current
    assert not is_current(old_claim, registration)
    assert is_current(verify_code(new_code), registration)

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reissue_badge")).one()
    assert (entry.object_type, entry.object_id) == ("registrations", str(registration.id))
    assert entry.before == {"badge_version": 1}
    assert entry.after == {"badge_version": 2}
    assert entry.actor_id == organizer.id
    assert entry.edition_id == registration.edition_id


def test_a_person_reissues_their_own_badge_logged_in_or_by_manage_link(registration) -> None:
    user = make_user(registration.person.email)

    badges.reissue_badge(registration, actor=user)
    badges.reissue_badge(registration, actor=None, person=registration.person)

    db.session.expire_all()
    assert registration.badge_version == 3
    labels = db.session.scalars(
        select(AuditEntry.actor_label)
        .where(AuditEntry.action == "reissue_badge")
        .order_by(AuditEntry.id)
    ).all()
    assert labels == [user.email, "system"]


def test_concurrent_reissues_each_count(app: Flask, racing_app: Flask, registration) -> None:
    """Under the row lock, eight desks re-issuing at once end at version 9, not fewer."""
    organizer_id = make_organizer().id
    registration_id = registration.id

    def job():  # type: ignore[no-untyped-def]
        from telecom.auth.models import User
        from telecom.participants.models import Registration

        mine = db.session.get(Registration, registration_id)
        actor = db.session.get(User, organizer_id)
        return lambda: badges.reissue_badge(mine, actor=actor)

    outcomes = race(racing_app, [job for _ in range(8)])

    assert [o.error for o in outcomes] == [None] * 8
    db.session.expire_all()
    assert registration.badge_version == 9
    # Each re-issue saw the version the previous one left: 1->2, 2->3, ... 8->9.
    steps = db.session.execute(
        select(AuditEntry.before, AuditEntry.after).where(AuditEntry.action == "reissue_badge")
    ).all()
    assert sorted((b["badge_version"], a["badge_version"]) for b, a in steps) == [
        (version, version + 1) for version in range(1, 9)
    ]


def test_others_cannot_reissue_a_badge(edition, registration) -> None:
    stranger = make_user("stranger@example.org")
    someone_else = make_registration(edition, "other@example.org").person

    for actor, person in [(stranger, None), (None, None), (None, someone_else)]:
        with pytest.raises(NotFound):
            badges.reissue_badge(registration, actor=actor, person=person)

    db.session.expire_all()
    assert registration.badge_version == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reissue_badge")) is None


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
def test_a_registration_without_a_badge_cannot_have_it_reissued(edition, status) -> None:
    registration = make_registration(edition, status=status)

    with pytest.raises(NotFound):
        badges.reissue_badge(registration, actor=make_organizer())

    db.session.expire_all()
    assert registration.badge_version == 1


def test_an_organizer_reissues_a_badge_at_the_desk(app: Flask, edition, registration) -> None:
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")
    old_code = badge_code(registration)
    page = f"/organizer/editions/{edition.slug}/participants/registrations/{registration.id}"

    response = submit_form(client, f"{page}/reissue-badge", form_page=page, follow_redirects=True)

    assert response.status_code == 200
    assert "A new badge was issued for Vera Visitor" in html(response)
    db.session.expire_all()
    assert registration.badge_version == 2
    assert not is_current(verify_code(old_code), registration)

    printed = client.get(f"{page}/badge.pdf")
    assert printed.status_code == 200
    assert printed.data.startswith(b"%PDF")


def test_the_reissue_route_needs_the_form_token(app: Flask, edition, registration) -> None:
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")
    url = (
        f"/organizer/editions/{edition.slug}/participants/registrations/"
        f"{registration.id}/reissue-badge"
    )

    response = client.post(url, data={})

    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert registration.badge_version == 1


def test_only_organizers_reach_the_desk_routes(app: Flask, edition, registration) -> None:
    make_user(registration.person.email)  # even the badge's own person
    client = app.test_client()
    log_in(client, registration.person.email)
    base = f"/organizer/editions/{edition.slug}/participants/registrations/{registration.id}"

    assert client.get(f"{base}/badge.pdf").status_code == 403
    assert client.post(f"{base}/reissue-badge").status_code in (400, 403)
    db.session.expire_all()
    assert registration.badge_version == 1


def test_the_desk_print_route_stays_within_its_edition(app: Flask, edition) -> None:
    other_edition = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    elsewhere = make_registration(other_edition, "elsewhere@example.org")
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")

    url = f"/organizer/editions/{edition.slug}/participants/registrations/{elsewhere.id}/badge.pdf"
    assert client.get(url).status_code == 404


# --- Downloading one's badge ------------------------------------------------------------


def _is_pdf(response) -> bool:
    return response.status_code == 200 and response.data.startswith(b"%PDF")


def test_the_own_person_downloads_their_badge(app: Flask, registration) -> None:
    user = make_user(registration.person.email)
    registration.person.user_id = user.id
    db.session.commit()
    client = app.test_client()
    log_in(client, user.email)

    response = client.get(f"/badges/{registration.id}.pdf")

    assert _is_pdf(response)
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert f"badge-telecom-world-2015-{registration.id}" in response.headers["Content-Disposition"]


def test_an_account_with_the_same_confirmed_address_downloads_the_badge(
    app: Flask, registration
) -> None:
    """The person registered before creating an account: matched by e-mail."""
    make_user(registration.person.email.upper())
    client = app.test_client()
    log_in(client, registration.person.email)

    assert _is_pdf(client.get(f"/badges/{registration.id}.pdf"))


def test_a_person_linked_to_another_account_is_not_matched_by_address(
    app: Flask, registration
) -> None:
    owner = make_user("owner@example.org")
    registration.person.user_id = owner.id
    db.session.commit()
    make_user(registration.person.email)
    client = app.test_client()
    log_in(client, registration.person.email)

    assert client.get(f"/badges/{registration.id}.pdf").status_code == 404


def test_the_manage_link_token_opens_the_badge(app: Flask, edition, registration) -> None:
    client = app.test_client()
    token = manage_link_token(registration.person)

    response = client.get(f"/badges/{registration.id}.pdf", query_string={"token": token})
    assert _is_pdf(response)
    assert response.headers["Referrer-Policy"] == "no-referrer"

    a4 = client.get(f"/badges/{registration.id}.pdf", query_string={"token": token, "layout": "a4"})
    assert _is_pdf(a4)

    other = make_registration(edition, "other@example.org")
    other_token = manage_link_token(other.person)
    for bad in [other_token, token[:-3], "garbage", token + "x"]:
        refused = client.get(f"/badges/{registration.id}.pdf", query_string={"token": bad})
        assert refused.status_code == 404, bad


def test_organizers_download_any_badge(app: Flask, registration) -> None:
    make_organizer()
    client = app.test_client()
    log_in(client, "organizer@example.org")

    assert _is_pdf(client.get(f"/badges/{registration.id}.pdf"))
    assert _is_pdf(client.get(f"/badges/{registration.id}.pdf?layout=A4"))


def test_strangers_and_anonymous_visitors_get_not_found(app: Flask, registration) -> None:
    anonymous = app.test_client()
    assert anonymous.get(f"/badges/{registration.id}.pdf").status_code == 404

    make_user("stranger@example.org")
    stranger = app.test_client()
    log_in(stranger, "stranger@example.org")
    response = stranger.get(f"/badges/{registration.id}.pdf")
    assert response.status_code == 404
    assert "There is no such badge." in html(response)
    assert stranger.get(f"/badges/{registration.id + 1000}.pdf").status_code == 404


def test_a_pending_registration_has_no_badge_yet(app: Flask, edition) -> None:
    registration = make_registration(edition, status=RegistrationStatus.PENDING)
    make_user(registration.person.email)
    client = app.test_client()
    log_in(client, registration.person.email)

    response = client.get(f"/badges/{registration.id}.pdf")

    assert response.status_code == 404
    assert "not confirmed yet" in html(response)
    # A stranger does not learn that the registration exists, let alone its state.
    make_user("stranger@example.org")
    stranger = app.test_client()
    log_in(stranger, "stranger@example.org")
    assert "not confirmed" not in html(stranger.get(f"/badges/{registration.id}.pdf"))


def test_a_cancelled_registration_has_no_badge(app: Flask, edition) -> None:
    registration = make_registration(edition, status=RegistrationStatus.CANCELLED)
    token = manage_link_token(registration.person)

    response = app.test_client().get(
        f"/badges/{registration.id}.pdf", query_string={"token": token}
    )

    assert response.status_code == 404
    assert "cancelled" in html(response)


def test_an_unknown_layout_is_a_clear_error(app: Flask, registration) -> None:
    token = manage_link_token(registration.person)

    response = app.test_client().get(
        f"/badges/{registration.id}.pdf", query_string={"token": token, "layout": "letter"}
    )

    assert response.status_code == 400
    assert "Choose the A6 or the A4 badge layout." in html(response)
