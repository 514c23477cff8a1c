"""A person's own registrations: by account or manage link; change details, cancel, erase."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Text, cast, func, or_, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, NotFound
from telecom.core.outbox import OutboxMessage
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    InvitationCode,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services import badges, codes, people
from telecom.participants.services import registration as registrations
from tests.core import action_token, fill_and_submit, visible_text
from tests.helpers import log_in, make_edition, make_user
from tests.participants.registration_support import (
    attachments,
    confirmation_link,
    issued,
    make_fair,
    manage_link,
    path_of,
    register,
)


@pytest.fixture
def fair(app):  # type: ignore[no-untyped-def]
    return make_fair(capacity=1)


def confirmed(fair, mail, email: str = "vera@visitor.example") -> Registration:  # type: ignore[no-untyped-def]
    sent = len(mail.messages)
    registration = register(fair, email)
    message = [m for m in mail.wait_for(sent + 1) if m["To"] == email][-1]
    registrations.confirm_registration(confirmation_link(message).rsplit("/", 1)[1])
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def manage_path(person: Person) -> str:
    return f"/my/registrations/{people.manage_link_token(person)}"


# --- Seeing them ----------------------------------------------------------------------------


def test_a_logged_in_user_sees_the_registrations_made_with_their_address(client, fair):
    registration = register(fair)
    make_user("vera@visitor.example", full_name="Vera Visitor")
    make_user("eve@example.org")

    assert client.get("/my/registrations").status_code == 302  # log in first
    log_in(client, "vera@visitor.example")
    page = visible_text(client.get("/my/registrations"))
    assert "Full pass" in page and "Pending" in page
    assert "Confirm your e-mail address" in page

    # Another account sees nothing of Vera's.
    eve = client.application.test_client()
    log_in(eve, "eve@example.org")
    assert "You have no registrations yet." in visible_text(eve.get("/my/registrations"))
    assert f'data-registration-id="{registration.id}"' not in eve.get("/my/registrations").text


def test_the_manage_link_shows_the_registrations_with_the_badge(client, fair, mail):
    registration = confirmed(fair, mail)
    link = manage_link(mail.wait_for(2)[1])

    page = client.get(path_of(link))

    assert page.status_code == 200
    text = visible_text(page)
    assert "Vera Visitor" in text and "Confirmed" in text and "Download badge" in text
    badge_url = f"/badges/{registration.id}.pdf?token="
    assert badge_url in page.get_data(as_text=True)

    forged = client.get(path_of(link)[:-4] + "AAAA")
    assert forged.status_code == 404
    assert "This link is not valid or has expired" in visible_text(forged)


def test_an_expired_manage_link_is_refused(client, fair, app):
    registration = register(fair)
    app.config["MANAGE_LINK_MAX_AGE"] = -1
    assert client.get(manage_path(registration.person)).status_code == 404


# --- Changing details -----------------------------------------------------------------------


def test_changing_the_printed_name_reissues_the_badge_and_mails_it(client, fair, mail):
    registration = confirmed(fair, mail)
    old_code = badges.badge_code(registration)
    token = people.manage_link_token(registration.person)

    response = fill_and_submit(
        client, f"/my/details?token={token}", {"full_name": "Vera V. Visitor"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.person.full_name == "Vera V. Visitor"
    assert registration.badge_version == 2
    old_claim = badges.verify_code(old_code)
    assert old_claim is not None and not badges.is_current(old_claim, registration)
    new_mail = mail.wait_for(3)[2]
    assert "issued again" in new_mail.get_body(preferencelist=("plain",)).get_content()
    [(filename, pdf)] = attachments(new_mail)
    assert filename.endswith("-v2.pdf") and pdf.startswith(b"%PDF")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update_details")
    ).one()
    assert entry.after == {"changed": ["full_name"]}  # which field, not the name itself


def test_changing_only_the_accessibility_needs_keeps_the_badge(fair, mail):
    registration = confirmed(fair, mail)
    data = registrations.details_of(registration.person)
    data.accessibility_needs = "Wheelchair access"

    reissued = registrations.update_details(registration.person, data)

    assert reissued == []
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).badge_version == 1
    assert len(mail.messages) == 2


# --- Cancelling -----------------------------------------------------------------------------


def test_cancelling_frees_the_place_for_someone_else(client, fair, mail):
    registration = register(fair)
    with pytest.raises(Conflict, match="fully booked"):
        register(fair, "second@visitor.example")
    path = manage_path(registration.person)
    token = people.manage_link_token(registration.person)

    response = client.post(
        f"/my/registrations/{registration.id}/cancel?token={token}",
        data={"csrf_token": action_token(client, path)},
    )

    assert response.status_code == 302
    db.session.expire_all()
    cancelled = db.session.get(Registration, registration.id)
    assert cancelled.status == RegistrationStatus.CANCELLED and cancelled.cancelled_at
    assert issued(fair.free_pass.id) == 0
    assert "Cancelled" in visible_text(client.get(path))
    assert register(fair, "second@visitor.example").status == RegistrationStatus.PENDING
    assert issued(fair.free_pass.id) == 1


def test_nobody_cancels_someone_elses_registration(client, app):
    fair = make_fair()
    vera = register(fair)
    eve = register(fair, "eve@example.org")

    with pytest.raises(NotFound):
        registrations.cancel_registration(eve.person, vera.id)
    token = people.manage_link_token(eve.person)
    response = client.post(
        f"/my/registrations/{vera.id}/cancel?token={token}",
        data={"csrf_token": action_token(client, manage_path(eve.person))},
    )
    assert response.status_code == 404
    # Without the CSRF token nothing happens either.
    client.post(f"/my/registrations/{eve.id}/cancel?token={token}")
    db.session.expire_all()
    assert db.session.get(Registration, vera.id).status == RegistrationStatus.PENDING
    assert db.session.get(Registration, eve.id).status == RegistrationStatus.PENDING


# --- Erasure --------------------------------------------------------------------------------


def _past_visit(email: str, country: str) -> Registration:
    """A registration at the 2015 edition with gate check-ins on two days."""
    from telecom.events.models import Edition

    edition_2015 = db.session.scalar(select(Edition).where(Edition.slug == "telecom-world-2015"))
    person = people.find_or_create_person(
        email, full_name=email.split("@")[0].title(), country=country
    )
    registration = Registration(
        person_id=person.id, edition_id=edition_2015.id, category=RegistrationCategory.VISITOR,
        status=RegistrationStatus.CONFIRMED, valid_from=edition_2015.start_date,
        valid_until=edition_2015.end_date,
    )  # fmt: skip
    db.session.add(registration)
    db.session.flush()
    for offset in (0, 1):
        day = date(2015, 10, 12) + timedelta(days=offset)
        db.session.add(
            CheckIn(
                edition_id=edition_2015.id, person_id=person.id, registration_id=registration.id,
                category=RegistrationCategory.VISITOR, day=day, point=CheckInPoint.GATE,
                scanned_at=datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC),
            )
        )  # fmt: skip
    db.session.commit()
    return registration


def _counts(edition_id: int) -> dict[str, object]:
    db.session.expire_all()
    by_country = db.session.execute(
        select(Registration.category, Person.country, func.count(Registration.id))
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.edition_id == edition_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.category, Person.country)
        .order_by(Person.country)
    ).all()
    check_ins = db.session.execute(
        select(
            CheckIn.category,
            Person.country,
            func.count(CheckIn.id),
            func.count(func.distinct(CheckIn.person_id)),
        )
        .join(Person, Person.id == CheckIn.person_id)
        .where(CheckIn.edition_id == edition_id)
        .group_by(CheckIn.category, Person.country)
        .order_by(Person.country)
    ).all()
    return {
        "registrations": [tuple(r) for r in by_country],
        "check_ins": [tuple(r) for r in check_ins],
    }


def test_erasure_keeps_the_counts_and_removes_name_and_address_everywhere(client, fair, mail):
    edition_2015 = make_edition()
    future = confirmed(fair, mail)  # at the coming edition
    person = future.person
    past = _past_visit("vera@visitor.example", "KE")
    _past_visit("otto@other.example", "DE")
    # An organizer once mailed her an invitation code: its audit entry and mail name her.
    codes.create_organizer_invitations(
        fair.edition, fair.free_pass.id, 1, actor=fair.organizer,
        invitee_email="vera@visitor.example",
    )  # fmt: skip
    before = _counts(edition_2015.id)
    assert before["registrations"] == [("visitor", "DE", 1), ("visitor", "KE", 1)]
    token = people.manage_link_token(person)

    response = fill_and_submit(client, f"/my/erase?token={token}", {"confirm": "y"})

    assert response.status_code == 200
    assert "Your data is erased" in visible_text(response)
    db.session.expire_all()
    erased = db.session.get(Person, person.id)
    assert erased.full_name == "Erased participant"
    assert erased.email == f"erased-{person.id}@erased.invalid"
    assert erased.organisation_name == "" and erased.job_function is None
    assert erased.accessibility_needs == "" and erased.erased_at is not None
    assert erased.country == "KE"  # kept for the counts
    # Counts per category and country, registrations and check-ins, are unchanged.
    assert _counts(edition_2015.id) == before
    assert db.session.get(Registration, past.id).status == RegistrationStatus.CONFIRMED
    # The coming edition's registration is cancelled and its place freed.
    assert db.session.get(Registration, future.id).status == RegistrationStatus.CANCELLED
    assert issued(fair.free_pass.id) == 0

    # Neither the name nor the address is left in people, audit entries, mail or codes.
    for secret in ("vera@visitor.example", "Vera Visitor"):
        assert not db.session.scalar(
            select(func.count(Person.id)).where(
                or_(Person.email == secret, Person.full_name == secret)
            )
        )
        assert not db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                or_(
                    cast(AuditEntry.before, Text).contains(secret),
                    cast(AuditEntry.after, Text).contains(secret),
                    AuditEntry.actor_label == secret,
                )
            )
        ), secret
        assert not db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                or_(
                    OutboxMessage.recipient == secret,
                    OutboxMessage.body_text.contains(secret),
                )
            )
        ), secret
    assert not db.session.scalar(
        select(func.count(InvitationCode.id)).where(
            InvitationCode.invitee_email == "vera@visitor.example"
        )
    )
    erase_entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "erase_person")
    ).one()
    assert erase_entry.after == {"erased": True} and erase_entry.actor_label == "system"

    # Old links stop working; the badge is gone.
    assert client.get(f"/my/registrations/{token}").status_code == 404
    assert client.get(f"/badges/{past.id}.pdf?token={token}").status_code == 404


def test_erasure_needs_the_confirmation_box_and_a_logged_in_user_can_erase_too(client, fair):
    registration = register(fair)
    make_user("vera@visitor.example")
    log_in(client, "vera@visitor.example")

    refused = fill_and_submit(client, "/my/erase", {})
    assert "Tick the box to confirm the erasure." in visible_text(refused)
    db.session.expire_all()
    assert db.session.get(Person, registration.person_id).erased_at is None

    fill_and_submit(client, "/my/erase", {"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Person, registration.person_id).erased_at is not None
    assert "You have no registrations yet." in visible_text(client.get("/my/registrations"))
