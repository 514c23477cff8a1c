"""The booking flow as exhibitors and organizers use it in the browser."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask_babel import format_datetime
from sqlalchemy import select

from telecom.core.audit import AuditEntry
from telecom.core.models import utcnow
from telecom.exhibitors.models import (
    BookingState,
    BoothBooking,
    CoExhibitorStatus,
    PavilionKind,
    RateCategory,
)
from telecom.exhibitors.services import booking
from telecom.extensions import db
from tests.core import action_token, text_of, visible_text
from tests.exhibitors.factories import (
    audit_actions,
    confirmed,
    expire,
    hold,
    make_booth,
    make_organisation,
    save_settings,
    state_of,
)
from tests.helpers import log_in, make_user


def booth_url(show, code: str) -> str:  # type: ignore[no-untyped-def]
    return f"/editions/{show.edition.slug}/booths/{show.booth(code).id}"


def bookings_url(show, organisation=None) -> str:  # type: ignore[no-untyped-def]
    organisation = organisation or show.acme
    return f"/editions/{show.edition.slug}/exhibitors/{organisation.id}/bookings"


def admin_url(show, rest: str = "bookings") -> str:  # type: ignore[no-untyped-def]
    return f"/organizer/editions/{show.edition.slug}/{rest}"


def post_hold(client, show, code: str, organisation=None):  # type: ignore[no-untyped-def]
    token = action_token(client, booth_url(show, code))
    data = {"csrf_token": token}
    if organisation is not None:
        data["organisation_id"] = str(organisation.id)
    return client.post(f"{booth_url(show, code)}/hold", data=data)


def flashes(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return visible_text(client.get(url))


def plain(text: str) -> str:
    """Amounts as Babel writes them in English ("CHF18,630.00"), spaces evened out."""
    return text.replace("\xa0", " ").replace("CHF ", "CHF")


def in_edition_time(value) -> str:  # type: ignore[no-untyped-def]
    """How the pages write a UTC instant: in the edition's time zone (Budapest)."""
    text = format_datetime(value.astimezone(ZoneInfo("Europe/Budapest")).replace(tzinfo=None))
    return re.sub(r"\s+", " ", text)  # as visible_text() evens out spaces


# --- The booth page -----------------------------------------------------------------


def test_the_booth_page_shows_the_booth_and_its_price_before_any_hold(show, client):
    page = client.get(booth_url(show, "F-201"))

    assert page.status_code == 200
    text = visible_text(page)
    assert "Booth F-201" in text
    assert "F – Hall F" in text
    assert "6 × 6 m (36 sqm)" in text
    assert "Space only" in text
    assert "Island (4 open sides)" in text
    assert "Available" in text
    # 36 sqm × 450 = 16,200 + 15 % island surcharge 2,430 = 18,630 (standard rate)
    assert "36 sqm × CHF450.00 per sqm" in plain(text)
    assert "Open-side surcharge (15 %)" in text
    assert "Total CHF18,630.00" in plain(text)
    assert "Log in to hold this booth" in text
    assert db.session.scalar(select(BoothBooking.id)) is None


def test_a_member_sees_the_price_at_the_organisations_rate(show, client):
    show.acme.rate_category = RateCategory.SME
    db.session.commit()
    log_in(client, "ada@acme.example")

    text = plain(visible_text(client.get(booth_url(show, "F-201"))))

    assert "Price for Acme Telecom (SME rate)" in text
    assert "Rate discount (20 %)" in text
    assert "− CHF3,726.00" in text
    assert "Total CHF14,904.00" in text
    assert "Hold this booth" in text


def test_an_unknown_booth_or_a_booth_of_another_edition_is_not_found(show, client):
    assert client.get(f"/editions/{show.edition.slug}/booths/999999").status_code == 404
    assert (
        client.get(f"/editions/no-such-edition/booths/{show.booth('F-101').id}").status_code == 404
    )


def test_a_visitor_is_asked_to_log_in_before_holding(show, client):
    response = post_hold(client, show, "F-101", show.acme)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query)["next"] == [booth_url(show, "F-101")]
    assert db.session.scalar(select(BoothBooking.id)) is None


def test_someone_without_an_organisation_is_invited_to_register_one(show, client):
    make_user("new@example.org")
    log_in(client, "new@example.org")

    page = client.get(booth_url(show, "F-101"))

    assert "Register your organisation" in visible_text(page)
    assert f'href="/editions/{show.edition.slug}/exhibitors/register"' in page.text
    response = post_hold(client, show, "F-101", show.acme)
    assert response.status_code == 302
    assert "Register your organisation for this edition first." in flashes(
        client, booth_url(show, "F-101")
    )
    assert db.session.scalar(select(BoothBooking.id)) is None


def test_holding_a_booth_shows_the_countdown_on_the_bookings_page(show, client):
    log_in(client, "ada@acme.example")

    page = client.get(booth_url(show, "F-101"))  # one organisation: no choice to make
    assert f'<input type="hidden" name="organisation_id" value="{show.acme.id}">' in page.text
    response = post_hold(client, show, "F-101", show.acme)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(bookings_url(show))
    held = db.session.scalar(select(BoothBooking))
    assert held.state == BookingState.HELD
    assert held.organisation_id == show.acme.id
    page = client.get(bookings_url(show))
    assert page.status_code == 200
    text = visible_text(page)
    assert "Booth F-101 is held for Acme Telecom until" in text
    expiry = in_edition_time(held.held_until)
    assert f"Held until {expiry} (Europe/Budapest)" in text
    assert re.search(r"(30|29) minutes left", text)
    assert f'data-expires-at="{held.held_until.isoformat()}"' in page.text
    assert "This hold has expired; the booth is available again." in text_of(page)
    assert '<script src="/static/js/countdown.js">' in page.text
    assert "CHF4,680.00" in plain(text)
    # and the booth page now says so
    assert "Acme Telecom already has this booth (Held)." in visible_text(
        client.get(booth_url(show, "F-101"))
    )


def test_a_member_of_several_organisations_chooses_which_one_holds(show, client):
    initech = make_organisation(show.edition, "Initech", members=(show.ada,))
    log_in(client, "ada@acme.example")
    page = client.get(booth_url(show, "F-101"))
    assert re.search(r'<select [^>]*name="organisation_id"', page.text)

    post_hold(client, show, "F-101", initech)

    assert db.session.scalar(select(BoothBooking.organisation_id)) == initech.id


def test_an_expired_hold_is_released_when_the_page_is_next_read(show, client):
    held = hold(show, "F-101")
    expire(held)
    log_in(client, "ada@acme.example")

    text = visible_text(client.get(bookings_url(show)))

    assert state_of(held.id) == BookingState.RELEASED
    assert "No current bookings" in text
    assert "Past bookings" in text
    assert "The hold expired." in text
    assert "Available" in visible_text(client.get(booth_url(show, "F-101")))


def test_an_exhibitor_releases_a_hold(show, client):
    held = hold(show, "F-101")
    log_in(client, "ada@acme.example")
    token = action_token(client, bookings_url(show))

    response = client.post(f"{bookings_url(show)}/{held.id}/release", data={"csrf_token": token})

    assert response.status_code == 302
    assert state_of(held.id) == BookingState.RELEASED
    assert "Booth F-101 is released." in flashes(client, bookings_url(show))
    assert "Released by the exhibitor." in visible_text(client.get(bookings_url(show)))


def test_releasing_needs_the_csrf_token(show, client):
    held = hold(show, "F-101")
    log_in(client, "ada@acme.example")
    client.post(f"{bookings_url(show)}/{held.id}/release", data={})
    assert state_of(held.id) == BookingState.HELD


@pytest.mark.parametrize("case", ["taken", "blocked", "pavilion", "limit"])
def test_a_refused_hold_says_why_and_changes_nothing(show, client, case):
    if case == "taken":
        hold(show, "F-101", show.globex, show.bob)
        message = "Sorry, this booth was just taken by another exhibitor."
    elif case == "blocked":
        message = "Booth F-101 is not available."
    elif case == "pavilion":
        pavilion = make_organisation(show.edition, "Pavilion", pavilion_kind=PavilionKind.NATIONAL)
        show.booth("F-101").pavilion_id = pavilion.id
        db.session.commit()
        message = "Booth F-101 is reserved for a pavilion."
    else:
        save_settings(show.edition, max_active_holds=1)
        hold(show, "F-102")
        message = "You already hold 1 booths, the most allowed at once."
    log_in(client, "ada@acme.example")
    token = action_token(client, booth_url(show, "F-101"))
    if case == "blocked":
        booking.set_blocked(show.booth("F-101"), True, actor=show.organizer, reason="x")
    before = db.session.scalars(select(BoothBooking.id)).all()

    response = client.post(
        f"{booth_url(show, 'F-101')}/hold",
        data={"csrf_token": token, "organisation_id": str(show.acme.id)},
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == booth_url(show, "F-101")
    assert message in flashes(client, booth_url(show, "F-101"))
    db.session.expire_all()
    assert db.session.scalars(select(BoothBooking.id)).all() == before


def test_a_co_exhibitor_is_told_that_the_pavilion_books(show, client):
    pavilion = make_organisation(show.edition, "Pavilion", pavilion_kind=PavilionKind.NATIONAL)
    make_organisation(
        show.edition, "Small Co", members=(make_user("co@example.org"),), pavilion=pavilion,
        co_exhibitor_status=CoExhibitorStatus.APPROVED,
    )  # fmt: skip
    log_in(client, "co@example.org")
    text = visible_text(client.get(booth_url(show, "F-101")))
    assert "the pavilion books the booth" in text
    assert "Hold this booth" not in text


def test_a_held_or_booked_booth_cannot_be_held_from_its_page(show, client):
    hold(show, "F-101", show.globex, show.bob)
    confirmed(show, "F-102", show.globex)
    log_in(client, "ada@acme.example")

    held_page = visible_text(client.get(booth_url(show, "F-101")))
    booked_page = visible_text(client.get(booth_url(show, "F-102")))

    assert "Another exhibitor holds this booth" in held_page
    assert "Hold this booth" not in held_page
    assert "This booth is booked." in booked_page
    assert "Globex" in booked_page  # a booked booth shows its exhibitor


# --- Who may see what ------------------------------------------------------------------


def exhibitor_routes(show, held: BoothBooking, staff_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    base = f"/editions/{show.edition.slug}/exhibitors/{show.acme.id}"
    return [
        ("GET", f"{base}/bookings"),
        ("POST", f"{base}/bookings/{held.id}/release"),
        ("GET", f"{base}/staff"),
        ("POST", f"{base}/staff"),
        ("POST", f"{base}/staff/{staff_id}/remove"),
    ]


@pytest.fixture
def acme_things(show):  # type: ignore[no-untyped-def]
    from telecom.exhibitors.services import staff

    confirmed(show, "F-103")
    held = hold(show, "F-101")
    member = staff.add_staff(
        show.acme, staff.StaffData("Sam Staff", "sam@acme.example"), actor=show.ada
    )
    return held, member.id


def test_another_exhibitor_gets_not_found_on_every_route_of_an_organisation(
    show, client, acme_things
):
    held, staff_id = acme_things
    log_in(client, "bob@globex.example")
    token = action_token(client, bookings_url(show, show.globex))
    failures = []
    for method, path in exhibitor_routes(show, held, staff_id):
        data = {"csrf_token": token, "full_name": "Eve", "email": "eve@example.org"}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        if response.status_code != 404:
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, failures
    assert state_of(held.id) == BookingState.HELD


def test_another_exhibitor_cannot_reach_a_booking_through_its_own_organisation(
    show, client, acme_things
):
    held, staff_id = acme_things
    log_in(client, "bob@globex.example")
    token = action_token(client, bookings_url(show, show.globex))
    base = f"/editions/{show.edition.slug}/exhibitors/{show.globex.id}"

    release = client.post(f"{base}/bookings/{held.id}/release", data={"csrf_token": token})
    remove = client.post(f"{base}/staff/{staff_id}/remove", data={"csrf_token": token})

    assert (release.status_code, remove.status_code) == (404, 404)
    assert state_of(held.id) == BookingState.HELD


def test_an_organisation_is_not_found_under_another_edition(show, client):
    from tests.helpers import make_edition

    make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    log_in(client, "ada@acme.example")
    assert (
        client.get(f"/editions/telecom-world-2013/exhibitors/{show.acme.id}/bookings").status_code
        == 404
    )


def test_visitors_are_sent_to_log_in_from_an_organisations_pages(show, client, acme_things):
    held, staff_id = acme_things
    for method, path in exhibitor_routes(show, held, staff_id):
        response = client.get(path) if method == "GET" else client.post(path, data={})
        assert response.status_code in {302, 400}, path
        if method == "GET":
            assert urlsplit(response.headers["Location"]).path == "/account/login"


def test_exhibitors_cannot_open_the_organizer_pages(show, client):
    held = hold(show, "F-101")
    log_in(client, "ada@acme.example")
    for rest in ("bookings", f"bookings/{held.id}", "exhibition-settings"):
        assert client.get(admin_url(show, rest)).status_code == 403


def test_an_organizer_sees_an_exhibitors_bookings(show, client):
    hold(show, "F-101")
    log_in(client, "organizer@example.org")
    assert "F-101" in visible_text(client.get(bookings_url(show)))


# --- Organizer: the bookings list and its actions -------------------------------------


def test_the_organizer_list_filters_by_state_exhibitor_and_hall(show, client):
    from tests.exhibitors.factories import make_hall

    hall_g = make_hall(show.edition, "G", "Hall G")
    g_booth = make_booth(hall_g, "G-001")
    show.booths["G-001"] = g_booth
    hold(show, "F-101")
    confirmed(show, "F-102", show.globex)
    hold(show, "G-001", show.globex, show.bob)
    log_in(client, "organizer@example.org")

    def codes(query: str) -> list[str]:
        page = client.get(admin_url(show) + query)
        assert page.status_code == 200
        table = page.text.split('id="bookings-table"')[1].split("</table>")[0]
        return sorted(re.findall(r"<td>([FG]-\d+)</td>", table))

    assert codes("") == ["F-101", "F-102", "G-001"]
    assert codes("?state=held") == ["F-101", "G-001"]
    assert codes("?state=confirmed") == ["F-102"]
    assert codes(f"?organisation={show.globex.id}") == ["F-102", "G-001"]
    assert codes(f"?hall={hall_g.id}") == ["G-001"]
    assert codes(f"?state=held&organisation={show.globex.id}&hall={show.hall.id}") == []
    assert codes("?state=nonsense&hall=abc") == ["F-101", "F-102", "G-001"]


def test_the_organizer_list_releases_expired_holds_first(show, client):
    held = hold(show, "F-101")
    expire(held)
    log_in(client, "organizer@example.org")
    client.get(admin_url(show))
    assert state_of(held.id) == BookingState.RELEASED


def admin_post(client, show, path: str, data: dict, page: str | None = None):  # type: ignore[no-untyped-def]
    token = action_token(client, page or admin_url(show))
    return client.post(admin_url(show, path), data={"csrf_token": token, **data})


def test_the_organizer_confirms_a_hold_without_payment_with_a_note(show, client):
    held = hold(show, "F-101")
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{held.id}")

    response = admin_post(client, show, f"bookings/{held.id}/confirm",
                          {"note": "Platinum sponsor"}, page)  # fmt: skip

    assert response.status_code == 302
    assert state_of(held.id) == BookingState.CONFIRMED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "confirmed"))
    assert entry.actor_label == "organizer@example.org"
    assert entry.after["note"] == "Platinum sponsor"
    text = visible_text(client.get(page))
    assert "The booking of booth F-101 is confirmed." in text
    assert "confirmed" in text  # the history on the page


def test_a_cancellation_without_a_reason_is_refused_on_the_form(show, client):
    booked = confirmed(show, "F-101")
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{booked.id}")

    response = admin_post(client, show, f"bookings/{booked.id}/cancel", {"reason": " "}, page)

    assert response.status_code == 400
    assert "Give a reason for the cancellation." in visible_text(response)
    assert state_of(booked.id) == BookingState.CONFIRMED


def test_the_organizer_cancels_a_booking_with_a_reason(show, client):
    booked = confirmed(show, "F-101")
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{booked.id}")

    admin_post(client, show, f"bookings/{booked.id}/cancel", {"reason": "Invoice unpaid"}, page)

    assert state_of(booked.id) == BookingState.CANCELLED
    assert audit_actions("booth_bookings", booked.id)[-1] == "cancelled"
    assert "Invoice unpaid" in visible_text(client.get(page))


def test_the_organizer_moves_a_booking_by_booth_code(show, client):
    held = hold(show, "F-101")
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{held.id}")
    assert '<option value="F-103">' in client.get(page).text  # suggestions

    admin_post(client, show, f"bookings/{held.id}/move", {"target": " f-103 "}, page)

    db.session.expire_all()
    assert db.session.get(BoothBooking, held.id).booth_id == show.booth("F-103").id
    assert audit_actions("booth_bookings", held.id)[-1] == "move"
    assert "The booking moved from booth F-101 to booth F-103." in flashes(client, page)


def test_moving_to_an_unknown_or_taken_booth_says_why(show, client):
    held = hold(show, "F-101")
    hold(show, "F-102", show.globex, show.bob)
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{held.id}")

    admin_post(client, show, f"bookings/{held.id}/move", {"target": "Z-999"}, page)
    assert "There is no booth Z-999 in this edition." in flashes(client, page)
    admin_post(client, show, f"bookings/{held.id}/move", {"target": "F-102"}, page)
    assert "Booth F-102 is already taken." in flashes(client, page)
    db.session.expire_all()
    assert db.session.get(BoothBooking, held.id).booth_id == show.booth("F-101").id


def test_a_forbidden_transition_shows_the_services_message(show, client):
    held = hold(show, "F-101")
    log_in(client, "organizer@example.org")
    page = admin_url(show, f"bookings/{held.id}")
    token = action_token(client, page)  # the page still offers "Confirm"
    booking.cancel_booking(held, actor=show.organizer, reason="Sold elsewhere")

    response = client.post(admin_url(show, f"bookings/{held.id}/confirm"),
                           data={"csrf_token": token})  # fmt: skip

    assert response.status_code == 302
    assert "A booking that is cancelled cannot become confirmed." in flashes(client, page)
    assert state_of(held.id) == BookingState.CANCELLED


def test_the_organizer_holds_a_booth_for_an_exhibitor(show, client):
    log_in(client, "organizer@example.org")

    form = {"hold-booth": "F-201", "hold-organisation_id": str(show.globex.id)}
    response = admin_post(client, show, "bookings/hold", form)

    assert response.status_code == 302
    held = db.session.scalar(select(BoothBooking))
    assert (held.organisation_id, held.booth_id) == (show.globex.id, show.booth("F-201").id)
    assert held.created_by_id == show.organizer.id
    assert "Booth F-201 is held for Globex until" in flashes(client, admin_url(show))


def test_holding_for_an_exhibitor_reports_a_taken_booth_on_the_form(show, client):
    hold(show, "F-201")
    log_in(client, "organizer@example.org")

    form = {"hold-booth": "F-201", "hold-organisation_id": str(show.globex.id)}
    response = admin_post(client, show, "bookings/hold", form)

    assert response.status_code == 409
    assert "just taken" in visible_text(response)
    assert 'value="F-201"' in response.text  # what was typed is kept


def test_the_organizer_blocks_and_unblocks_a_booth(show, client):
    log_in(client, "organizer@example.org")

    admin_post(client, show, "booths/block", {"block-booth": "F-102", "block-reason": "Pillar"})
    db.session.expire_all()
    assert show.booth("F-102").blocked
    assert show.booth("F-102").blocked_reason == "Pillar"
    assert "F-102 – Pillar" in visible_text(client.get(admin_url(show)))

    admin_post(client, show, "booths/unblock", {"booth": "F-102"})
    db.session.expire_all()
    assert not show.booth("F-102").blocked
    assert audit_actions("booths", show.booth("F-102").id) == ["block", "unblock"]


def test_blocking_needs_a_reason_and_a_free_booth(show, client):
    hold(show, "F-101")
    log_in(client, "organizer@example.org")

    no_reason = admin_post(client, show, "booths/block", {"block-booth": "F-102"})
    taken = admin_post(client, show, "booths/block",
                       {"block-booth": "F-101", "block-reason": "Pillar"})  # fmt: skip

    assert no_reason.status_code == 400
    assert "Say why the booth is kept off sale." in visible_text(no_reason)
    assert taken.status_code == 409
    assert "Booth F-101 is held or booked; cancel the booking first." in visible_text(taken)
    db.session.expire_all()
    assert not show.booth("F-101").blocked and not show.booth("F-102").blocked


def test_organizer_actions_need_the_csrf_token(show, client):
    held = hold(show, "F-101")
    log_in(client, "organizer@example.org")
    client.post(admin_url(show, f"bookings/{held.id}/confirm"), data={})
    client.post(admin_url(show, "booths/block"), data={"block-booth": "F-102", "block-reason": "x"})
    assert state_of(held.id) == BookingState.HELD
    db.session.expire_all()
    assert not show.booth("F-102").blocked


def test_a_booking_of_another_edition_is_not_found_for_the_organizer(show, client):
    from tests.helpers import make_edition

    held = hold(show, "F-101")
    make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    log_in(client, "organizer@example.org")
    assert (
        client.get(f"/organizer/editions/telecom-world-2013/bookings/{held.id}").status_code == 404
    )


def test_a_countdown_is_shown_to_the_organizer_too(show, client):
    held = hold(show, "F-101", now=utcnow() - timedelta(minutes=10))
    log_in(client, "organizer@example.org")
    text = visible_text(client.get(admin_url(show, f"bookings/{held.id}")))
    assert re.search(r"(20|19) minutes left", text)


def test_an_organizer_on_a_booth_page_is_pointed_to_holding_for_an_exhibitor(show, client):
    log_in(client, "organizer@example.org")
    page = client.get(booth_url(show, "F-101"))
    assert "Hold it for an exhibitor" in visible_text(page)
    assert f'href="{admin_url(show)}"' in page.text
    assert "Register your organisation" not in visible_text(page)
