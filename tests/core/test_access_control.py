"""Everything under /organizer is for organizers only, and every form needs its token.

The crawl walks every URL rule the app registers under /organizer, so a page
added later is checked without anyone remembering to add it here; a new URL
variable that the crawl cannot fill makes it fail loudly.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from telecom.auth import services as auth_services
from telecom.auth.models import User, UserRole
from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.errors import Forbidden
from telecom.core.models import utcnow
from telecom.core.permissions import Role
from telecom.events import services
from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Organisation,
    PavilionKind,
)
from telecom.extensions import db
from telecom.forum.models import (
    ForumRoom,
    ForumSession,
    SessionAccess,
    SessionInvitee,
    SessionKind,
    Speaker,
    Track,
)
from telecom.kpi.models import CostCategory, CostLine
from telecom.participants.models import (
    DiscountKind,
    InvitationCode,
    PassType,
    Person,
    PromoCode,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.payments.models import (
    Order,
    OrderLine,
    OrderLineKind,
    Payment,
    PaymentSettings,
)
from telecom.payments.services import new_order
from telecom.plan.models import PlanKpi
from telecom.plan.services import load_plan
from tests.core import action_token, form_values, path_for, rules_under, visible_text
from tests.exhibitors.factories import make_booth, make_hall, make_organisation
from tests.helpers import (
    csrf_token_from,
    log_in,
    make_edition,
    make_organizer,
    make_user,
    submit_form,
)

FORM_EXPIRED = "Form expired"


@pytest.fixture
def url_values(app) -> dict[str, object]:
    """An existing object for every URL variable an organizer route can have."""
    edition = make_edition()
    candidate = services.add_candidate(
        edition, services.CandidateData(city="Dubai", country="AE", venue="DWTC"), actor=None
    )
    account = make_user("account-under-review@example.org", full_name="Account Under Review")
    hall = make_hall(edition)
    booth = make_booth(hall, "F-101")
    make_booth(hall, "F-102", x="3")
    exhibitor = make_organisation(edition, "Acme Telecom")
    pavilion = make_organisation(edition, "Hungary Pavilion", pavilion_kind=PavilionKind.NATIONAL)
    co_exhibitor = make_organisation(
        edition, "Budapest Start-up", pavilion=pavilion,
        co_exhibitor_status=CoExhibitorStatus.PENDING,
    )  # fmt: skip
    booking = BoothBooking(
        edition_id=edition.id, booth_id=booth.id, organisation_id=exhibitor.id,
        state=BookingState.HELD, held_until=utcnow() + timedelta(hours=1),
        price=Decimal("4500.00"), currency=edition.currency,
    )  # fmt: skip
    db.session.add(booking)
    db.session.flush()
    order = new_order(edition.id, organisation_id=exhibitor.id, buyer=None, currency="CHF")
    order.lines.append(
        OrderLine(kind=OrderLineKind.BOOTH, description="Booth F-101 (F)",
                  booth_booking_id=booking.id, unit_price=booking.price)
    )  # fmt: skip
    pass_type = PassType(
        edition_id=edition.id, name="Exhibition pass", valid_from=edition.start_date,
        valid_until=edition.end_date, exhibitor_invitations=2,
    )  # fmt: skip
    db.session.add(pass_type)
    db.session.flush()
    visitor = Person(email="visitor@example.org", full_name="Vera Visitor", country="HU")
    db.session.add(visitor)
    db.session.flush()
    registration = Registration(
        person_id=visitor.id, edition_id=edition.id, category=RegistrationCategory.VISITOR,
        status=RegistrationStatus.CONFIRMED, pass_type_id=pass_type.id,
    )  # fmt: skip
    invitation = InvitationCode(
        edition_id=edition.id, pass_type_id=pass_type.id, code="INV-TEST-CODE"
    )
    promo = PromoCode(
        edition_id=edition.id, code="EARLY", kind=DiscountKind.PERCENT, value=Decimal("10"),
        max_uses=5,
    )  # fmt: skip
    db.session.add_all([registration, invitation, promo])
    room = ForumRoom(edition_id=edition.id, name="Room 1", capacity=120, position=1)
    track = Track(edition_id=edition.id, name="Digital inclusion")
    db.session.add_all([room, track])
    db.session.flush()
    forum_session = ForumSession(
        edition_id=edition.id, title="Bridging the digital divide", kind=SessionKind.PANEL,
        room_id=room.id, track_id=track.id, access=SessionAccess.INVITATION,
        starts_at=edition.day_starts_at(edition.start_date) + timedelta(hours=10),
        ends_at=edition.day_starts_at(edition.start_date) + timedelta(hours=11),
    )  # fmt: skip
    speaker = Speaker(
        edition_id=edition.id, email="speaker@example.org", full_name="Sam Speaker",
        invited_at=utcnow(),
    )  # fmt: skip
    db.session.add_all([forum_session, speaker])
    db.session.flush()
    db.session.add(SessionInvitee(session_id=forum_session.id, person_id=visitor.id))
    cost_line = CostLine(
        edition_id=edition.id, category=CostCategory.VENUE, amount=Decimal("10.00"),
        incurred_on=date(2015, 1, 1),
    )  # fmt: skip
    db.session.add(cost_line)
    load_plan()
    commit()
    return {
        "cost_id": cost_line.id,
        "kpi_id": db.session.scalar(select(PlanKpi.id).order_by(PlanKpi.id)),
        "fmt": "csv",
        "pass_type_id": pass_type.id,
        "action": "deactivate",
        "registration_id": registration.id,
        "invitation_id": invitation.id,
        "promo_id": promo.id,
        "order_id": order.id,
        "kind": "csv",
        "hall_id": hall.id,
        "booth_id": booth.id,
        "organisation_id": co_exhibitor.id,
        "booking_id": booking.id,
        "slug": edition.slug,
        "candidate_id": candidate.id,
        "user_id": account.id,
        "room_id": room.id,
        "track_id": track.id,
        "session_id": forum_session.id,
        "speaker_id": speaker.id,
        "person_id": visitor.id,
        # make_edition() wrote an audit entry for the edition
        "object_type": "editions",
        "object_id": str(edition.id),
    }


def organizer_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/organizer")


def get_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/organizer", "GET")


def post_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/organizer", "POST")


def page_token(client: FlaskClient) -> str:
    """A valid CSRF token for this client's session, from the public home page."""
    return csrf_token_from(client.get("/").get_data(as_text=True))


def state_of_the_world() -> dict[str, object]:
    """What a forbidden request must not change."""
    db.session.rollback()
    return {
        "editions": db.session.execute(select(Edition.slug, Edition.city)).all(),
        "candidates": db.session.execute(
            select(CandidateVenue.id, CandidateVenue.city, CandidateVenue.status)
        ).all(),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        "bookings": db.session.execute(
            select(BoothBooking.id, BoothBooking.booth_id, BoothBooking.state)
        ).all(),
        "booths": db.session.execute(select(Booth.code, Booth.blocked, Booth.x)).all(),
        "orders": db.session.execute(select(Order.id, Order.state, Order.transfer_due_at)).all(),
        "payments": db.session.execute(select(Payment.id, Payment.state)).all(),
        "registrations": db.session.execute(
            select(Registration.id, Registration.status, Registration.badge_version)
        ).all(),
        "pass_types": db.session.execute(select(PassType.name, PassType.active)).all(),
        "invitations": db.session.execute(
            select(InvitationCode.code, InvitationCode.revoked_at)
        ).all(),
        "promos": db.session.execute(select(PromoCode.code, PromoCode.active)).all(),
        "payment_settings": db.session.execute(
            select(PaymentSettings.edition_id, PaymentSettings.tax_rate)
        ).all(),
        "organisations": db.session.execute(
            select(Organisation.legal_name, Organisation.co_exhibitor_status)
        ).all(),
        "accounts": db.session.execute(
            select(User.email, User.active, UserRole.role).join(UserRole).order_by(User.email)
        ).all(),
    }


def candidate_status(candidate_id: object) -> CandidateStatus | None:
    db.session.rollback()
    return db.session.scalar(select(CandidateVenue.status).where(CandidateVenue.id == candidate_id))


def test_the_crawl_covers_the_whole_organizer_area(app):
    endpoints = {rule.endpoint for rule in organizer_rules(app)}

    assert {
        "organizer.dashboard",
        "organizer.create_edition",
        "organizer.edition",
        "organizer.edit_edition",
        "organizer.add_candidate",
        "organizer.edit_candidate",
        "organizer.choose_candidate",
        "organizer.delete_candidate",
        "core.audit_log",
        "core.audit_object",
        "core.mailbox",
        "users.list_users",
        "users.edit_user",
    } <= endpoints
    assert {"organizer.choose_candidate", "organizer.delete_candidate"} <= {
        rule.endpoint for rule in post_rules(app) if "GET" not in (rule.methods or ())
    }


def test_anonymous_visitors_are_sent_to_log_in(app, client, url_values):
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code != 302 or location.path != "/account/login":
            failures.append(f"GET {path}: {response.status_code} {location.path}")
        elif parse_qs(location.query).get("next") != [path]:
            failures.append(f"GET {path}: login does not lead back ({location.query})")
    assert not failures, "\n".join(failures)


def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(app, client, url_values):
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in post_rules(app):
        path = path_for(app, rule, url_values)
        response = client.post(path, data={"csrf_token": token, "city": "Hijacked"})
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 302 or location != "/account/login":
            failures.append(f"POST {path}: {response.status_code} {location}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


@pytest.mark.parametrize(
    "roles",
    [None, {Role.CHECKIN_STAFF}, {Role.MEDIA_REVIEWER}, {Role.EXHIBITOR_CONTACT}],
    ids=["participant", "checkin_staff", "media_reviewer", "exhibitor_contact"],
)
def test_other_roles_are_refused_every_organizer_page(app, client, url_values, roles):
    make_user("someone@example.org", roles=roles)
    log_in(client, "someone@example.org")
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 403:
            failures.append(f"GET {path}: {response.status_code}")
        elif "Access denied" not in visible_text(response):
            failures.append(f"GET {path}: 403 without the friendly page")
    assert not failures, "\n".join(failures)


def test_participant_posts_are_refused_and_change_nothing(app, client, url_values):
    make_user("participant@example.org")
    log_in(client, "participant@example.org")
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in post_rules(app):
        path = path_for(app, rule, url_values)
        response = client.post(
            path,
            data={
                "csrf_token": token,
                "city": "Hijacked",
                "country": "HU",
                "name": "Hijacked",
                "slug": "hijacked",
                "venue": "X",
                "start_date": "2030-01-01",
                "end_date": "2030-01-02",
                "timezone": "UTC",
                "currency": "CHF",
            },
        )
        if response.status_code != 403:
            failures.append(f"POST {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


def test_participant_does_not_see_organizer_links(client, url_values):
    make_user("participant@example.org")
    log_in(client, "participant@example.org")

    html = client.get("/").get_data(as_text=True)

    assert 'href="/organizer/"' not in html
    assert 'href="/organizer/audit"' not in html


def test_organizer_opens_every_organizer_page(app, client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 200:
            failures.append(f"GET {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert 'href="/organizer/"' in client.get("/").get_data(as_text=True)


def test_organizer_post_only_routes_work(client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")
    token = action_token(client, "/organizer/editions/telecom-world-2015")
    base = f"/organizer/editions/telecom-world-2015/venues/{url_values['candidate_id']}"

    chosen = client.post(f"{base}/choose", data={"csrf_token": token})
    db.session.rollback()
    assert chosen.status_code == 302
    assert candidate_status(url_values["candidate_id"]) == CandidateStatus.CHOSEN

    deleted = client.post(f"{base}/delete", data={"csrf_token": token})
    db.session.rollback()
    assert deleted.status_code == 302
    assert db.session.get(CandidateVenue, url_values["candidate_id"]) is None


def test_log_in_leads_back_to_the_organizer_page_asked_for(client, url_values):
    make_organizer()
    wanted = "/organizer/editions/telecom-world-2015"
    login_url = client.get(wanted).headers["Location"]

    response = submit_form(
        client, login_url, {"email": "organizer@example.org", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_losing_the_organizer_role_takes_effect_at_once(client, url_values):
    organizer = make_organizer()
    log_in(client, "organizer@example.org")
    assert client.get("/organizer/").status_code == 200

    auth_services.update_access(organizer, roles={Role.PARTICIPANT}, active=True, actor=None)

    assert client.get("/organizer/").status_code == 403


def test_after_logging_out_organizer_pages_need_a_log_in_again(client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")
    client.post("/account/logout", data={"csrf_token": page_token(client)})

    response = client.get("/organizer/")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"


def test_services_refuse_a_participant_too(url_values):
    """The rule lives in the services, not only in the views."""
    participant = make_user("participant@example.org")
    edition = db.session.scalar(select(Edition))
    candidate = db.session.get(CandidateVenue, url_values["candidate_id"])
    assert edition is not None
    assert candidate is not None
    before = state_of_the_world()
    data = services.EditionData(
        slug="hijacked",
        name="Hijacked",
        city="X",
        country="HU",
        venue="X",
        start_date=edition.start_date,
        end_date=edition.end_date,
    )
    candidate_data = services.CandidateData(city="Hijacked", country="HU")

    attempts = [
        lambda: services.create_edition(data, actor=participant),
        lambda: services.update_edition(edition, data, actor=participant),
        lambda: services.add_candidate(edition, candidate_data, actor=participant),
        lambda: services.update_candidate(candidate, candidate_data, actor=participant),
        lambda: services.choose_candidate(candidate, actor=participant),
        lambda: services.delete_candidate(candidate, actor=participant),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
        db.session.rollback()
    assert state_of_the_world() == before


# --- CSRF ---------------------------------------------------------------------


def test_organizer_form_without_token_is_refused_and_saves_nothing(client):
    make_organizer()
    log_in(client, "organizer@example.org")
    typed = form_values(client.get("/organizer/editions/new"))
    typed.update(
        name="ITU TELECOM World 2031",
        slug="telecom-world-2031",
        city="Geneva",
        country="CH",
        venue="Palexpo",
        start_date="2031-09-08",
        end_date="2031-09-11",
    )
    del typed["csrf_token"]

    response = client.post("/organizer/editions/new", data=typed)

    assert response.status_code == 400
    text = visible_text(response)
    assert FORM_EXPIRED in text
    assert "reload the page and submit it again" in text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 0


def test_a_forged_or_foreign_token_is_refused(app, client):
    make_organizer()
    log_in(client, "organizer@example.org")
    someone_else = app.test_client()
    foreign_token = page_token(someone_else)

    for token in ("forged-token", foreign_token):
        response = client.post(
            "/organizer/editions/new",
            data={
                "csrf_token": token,
                "name": "X",
                "slug": "x",
                "city": "X",
                "country": "CH",
                "venue": "X",
                "start_date": "2031-01-01",
                "end_date": "2031-01-02",
                "timezone": "UTC",
                "currency": "CHF",
            },
        )
        assert response.status_code == 400
        assert FORM_EXPIRED in visible_text(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 0


def test_choose_button_without_token_changes_nothing(client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")
    path = f"/organizer/editions/telecom-world-2015/venues/{url_values['candidate_id']}/choose"

    response = client.post(path)

    assert response.status_code == 400
    assert FORM_EXPIRED in visible_text(response)
    db.session.rollback()
    assert candidate_status(url_values["candidate_id"]) == CandidateStatus.BID_RECEIVED


def test_login_without_token_is_refused_and_does_not_log_in(client):
    make_organizer()

    response = client.post(
        "/account/login",
        data={"email": "organizer@example.org", "password": "correct horse battery"},
    )

    assert response.status_code == 400
    assert FORM_EXPIRED in visible_text(response)
    assert client.get("/organizer/").status_code == 302


def test_json_clients_get_the_csrf_refusal_as_json(client):
    make_organizer()

    response = client.post(
        "/account/login",
        data={"email": "organizer@example.org", "password": "x"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.json is not None
    assert response.json["status"] == 400
    assert "security token" in response.json["error"]
