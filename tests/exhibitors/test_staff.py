"""Exhibitor staff: people and registrations, the quota by booked area, pavilions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.exhibitors.models import CoExhibitorStatus, PavilionKind
from telecom.exhibitors.services import booking, staff
from telecom.exhibitors.services.staff import StaffData
from telecom.extensions import db
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.core import action_token, fill_and_submit, visible_text
from tests.exhibitors.factories import (
    confirmed,
    hold,
    make_booth,
    make_organisation,
    save_settings,
)
from tests.helpers import log_in, make_user


def person(n: int, domain: str = "acme.example") -> StaffData:
    return StaffData(
        full_name=f"Staff Member {n}", email=f"staff{n}@{domain}", job_title="Engineer"
    )


def add(show, data: StaffData, organisation=None, actor=None) -> Registration:  # type: ignore[no-untyped-def]
    return staff.add_staff(organisation or show.acme, data, actor=actor or show.ada)


def confirmed_staff(organisation_id: int) -> int:
    db.session.expire_all()
    return (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.organisation_id == organisation_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        or 0
    )


# --- The quota ------------------------------------------------------------------------


def test_18_sqm_allow_4_staff_and_the_5th_is_refused(show):
    confirmed(show, "F-103")  # 6 × 3 = 18 sqm: 2 + 18 // 9 = 4

    quota = staff.staff_quota(show.acme)
    assert (quota.booked_sqm, quota.allowed, quota.used) == (18, 4, 0)
    for n in range(1, 5):
        add(show, person(n))

    with pytest.raises(Conflict, match="You have named all 4 staff allowed"):
        add(show, person(5))
    assert confirmed_staff(show.acme.id) == 4
    assert db.session.scalar(select(Person.id).where(Person.email == "staff5@acme.example")) is None


def test_the_quota_follows_the_settings(show):
    save_settings(show.edition, staff_base=1, staff_sqm_per_extra=6)
    confirmed(show, "F-103")  # 18 sqm: 1 + 3
    assert staff.staff_quota(show.acme).allowed == 4


def test_only_confirmed_and_paid_space_counts(show):
    hold(show, "F-201")  # 36 sqm held: does not count
    paid = hold(show, "F-101")  # 9 sqm
    booking.mark_paid(paid, actor=None)
    confirmed(show, "F-102")  # 9 sqm

    quota = staff.staff_quota(show.acme)
    assert quota.booked_sqm == 18
    assert quota.allowed == 4


def test_partial_multiples_round_down(show):
    confirmed(show, "F-101")  # 9 sqm → 3
    extra = make_booth(show.hall, "F-110", x="40", width="2", depth="4")  # 8 sqm
    show.booths["F-110"] = extra
    confirmed(show, "F-110")
    assert staff.staff_quota(show.acme).allowed == 2 + 17 // 9  # 3


def test_without_confirmed_space_nobody_can_be_named(show):
    hold(show, "F-101")
    assert staff.staff_quota(show.acme).allowed == 0
    with pytest.raises(Conflict, match="once a booking is confirmed"):
        add(show, person(1))


def test_a_cancelled_booking_takes_its_space_back(show):
    booked = confirmed(show, "F-103")
    booking.cancel_booking(booked, actor=show.organizer, reason="Unpaid")
    assert staff.staff_quota(show.acme).allowed == 0


# --- People and registrations ---------------------------------------------------------------


def test_a_staff_member_becomes_a_person_with_a_confirmed_staff_registration(show):
    confirmed(show, "F-101")

    registration = add(show, StaffData(" Grace Hopper ", " Grace@Acme.Example ", "CTO"))

    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.category == RegistrationCategory.EXHIBITOR_STAFF
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.organisation_id == show.acme.id
    assert registration.edition_id == show.edition.id
    assert registration.person.email == "grace@acme.example"
    assert registration.person.full_name == "Grace Hopper"
    assert registration.person.job_title == "CTO"
    assert registration.person.organisation_name == "Acme Telecom"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "add_staff"))
    assert entry.object_type == "registrations"
    assert entry.actor_label == "ada@acme.example"
    assert entry.after["email"] == "grace@acme.example"


def test_an_existing_person_is_reused_and_keeps_their_name(show):
    confirmed(show, "F-101")
    existing = Person(email="grace@acme.example", full_name="Rear Admiral Grace Hopper")
    db.session.add(existing)
    db.session.commit()

    registration = add(show, StaffData("G. Hopper", "GRACE@acme.example", "CTO"))

    assert registration.person_id == existing.id
    assert db.session.scalar(select(func.count(Person.id))) == 1
    db.session.expire_all()
    assert db.session.get(Person, existing.id).full_name == "Rear Admiral Grace Hopper"


def test_the_same_person_twice_is_refused_clearly(show):
    confirmed(show, "F-101")
    add(show, person(1))
    with pytest.raises(Conflict, match=r"staff1@acme\.example is already on your booth staff"):
        add(show, StaffData("Someone", "STAFF1@acme.example"))
    assert confirmed_staff(show.acme.id) == 1


def test_staff_of_another_exhibitor_cannot_be_added(show):
    confirmed(show, "F-101")
    confirmed(show, "F-102", show.globex)
    add(show, person(1), show.globex, show.bob)

    with pytest.raises(Conflict, match="already registered as staff of another exhibitor"):
        add(show, person(1))
    assert confirmed_staff(show.acme.id) == 0


def test_someone_registered_otherwise_can_also_be_staff(show):
    confirmed(show, "F-101")
    visitor = Person(email="vic@example.org", full_name="Vic Visitor")
    db.session.add(visitor)
    db.session.flush()
    db.session.add(
        Registration(
            person_id=visitor.id, edition_id=show.edition.id,
            category=RegistrationCategory.VISITOR, status=RegistrationStatus.CONFIRMED,
        )
    )  # fmt: skip
    db.session.commit()

    assert add(show, StaffData("Vic", "vic@example.org")).person_id == visitor.id


def test_removing_cancels_the_registration_and_frees_a_place(show):
    confirmed(show, "F-101")  # 9 sqm → 3
    members = [add(show, person(n)) for n in (1, 2, 3)]
    with pytest.raises(Conflict):
        add(show, person(4))

    staff.remove_staff(show.acme, members[0].id, actor=show.ada)

    db.session.expire_all()
    assert db.session.get(Registration, members[0].id).status == RegistrationStatus.CANCELLED
    assert add(show, person(4)).organisation_id == show.acme.id
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "registrations")
    ).all()
    assert actions.count("remove_staff") == 1


def test_someone_removed_can_be_named_again_even_by_another_exhibitor(show):
    confirmed(show, "F-101")
    confirmed(show, "F-102", show.globex)
    first = add(show, person(1))
    staff.remove_staff(show.acme, first.id, actor=show.ada)

    again = add(show, person(1), show.globex, show.bob)

    assert again.id == first.id  # one registration per person, edition and category
    assert again.organisation_id == show.globex.id
    assert again.status == RegistrationStatus.CONFIRMED


def test_invalid_staff_data_is_refused(show):
    confirmed(show, "F-101")
    with pytest.raises(ValidationError, match="full name"):
        add(show, StaffData(" ", "a@b.example"))
    with pytest.raises(ValidationError, match="valid e-mail"):
        add(show, StaffData("A", "not-an-address"))


def test_only_members_and_organizers_manage_staff(show):
    confirmed(show, "F-101")
    member = add(show, person(1))
    with pytest.raises(NotFound):
        add(show, person(2), show.acme, show.bob)
    with pytest.raises(NotFound):
        staff.remove_staff(show.acme, member.id, actor=show.bob)
    with pytest.raises(NotFound):
        staff.list_staff(show.acme, actor=show.bob)
    # Globex cannot reach Acme's staff through its own organisation either.
    with pytest.raises(NotFound):
        staff.remove_staff(show.globex, member.id, actor=show.bob)
    assert add(show, person(2), show.acme, show.organizer).organisation_id == show.acme.id


# --- Pavilions ----------------------------------------------------------------------------


@pytest.fixture
def pavilion(show):  # type: ignore[no-untyped-def]
    """A national pavilion with 18 sqm confirmed (4 staff) and two co-exhibitors."""
    owner = make_user("hu@pavilion.example")
    pav = make_organisation(
        show.edition, "Hungary", members=(owner,), pavilion_kind=PavilionKind.NATIONAL
    )
    confirmed(show, "F-103", pav)
    approved = make_organisation(
        show.edition, "Budapest Start-up", members=(make_user("co@startup.example"),),
        pavilion=pav, co_exhibitor_status=CoExhibitorStatus.APPROVED,
    )  # fmt: skip
    pending = make_organisation(
        show.edition, "Pending Co", members=(make_user("co@pending.example"),),
        pavilion=pav, co_exhibitor_status=CoExhibitorStatus.PENDING,
    )  # fmt: skip
    return pav, owner, approved, pending


def test_co_exhibitors_share_the_pavilions_quota(show, pavilion):
    pav, owner, approved, _pending = pavilion
    co_user = db.session.scalar(
        select(type(owner)).where(type(owner).email == "co@startup.example")
    )
    add(show, person(1, "pavilion.example"), pav, owner)
    add(show, person(2, "pavilion.example"), pav, owner)
    add(show, person(3, "startup.example"), approved, co_user)

    quota = staff.staff_quota(approved)
    assert (quota.allowed, quota.used, quota.shared_with_pavilion) == (4, 3, True)
    assert staff.staff_quota(pav).used == 3

    add(show, person(4, "startup.example"), approved, co_user)
    with pytest.raises(Conflict, match="all 4 staff"):
        add(show, person(5, "pavilion.example"), pav, owner)
    with pytest.raises(Conflict, match="all 4 staff"):
        add(show, person(6, "startup.example"), approved, co_user)


def test_a_co_exhibitor_not_yet_approved_names_nobody(show, pavilion):
    _pav, _owner, _approved, pending = pavilion
    assert staff.staff_quota(pending).allowed == 0
    with pytest.raises(Conflict, match="not approved your place in the pavilion"):
        add(show, person(1, "pending.example"), pending, show.organizer)


# --- The staff page -----------------------------------------------------------------------


def staff_url(show, organisation=None) -> str:  # type: ignore[no-untyped-def]
    organisation = organisation or show.acme
    return f"/editions/{show.edition.slug}/exhibitors/{organisation.id}/staff"


def test_a_member_names_and_removes_staff_on_the_page(show, client):
    confirmed(show, "F-103")
    log_in(client, "ada@acme.example")

    page = client.get(staff_url(show))
    assert "0 of 4 staff named." in visible_text(page)
    assert "Your confirmed space is 18 sqm." in visible_text(page)
    response = fill_and_submit(
        client, staff_url(show),
        {"full_name": "Grace Hopper", "email": "grace@acme.example", "job_title": "CTO"},
    )  # fmt: skip
    assert response.status_code == 302
    text = visible_text(client.get(staff_url(show)))
    assert "Grace Hopper is on your booth staff." in text
    assert "1 of 4 staff named." in text
    assert "grace@acme.example" in text

    registration = db.session.scalar(select(Registration))
    token = action_token(client, staff_url(show))
    client.post(f"{staff_url(show)}/{registration.id}/remove", data={"csrf_token": token})
    text = visible_text(client.get(staff_url(show)))
    assert "Grace Hopper is no longer on your booth staff." in text
    assert "0 of 4 staff named." in text


def test_the_page_explains_a_refusal_and_keeps_what_was_typed(show, client):
    confirmed(show, "F-101")
    confirmed(show, "F-102", show.globex)
    add(show, person(1), show.globex, show.bob)
    log_in(client, "ada@acme.example")

    response = fill_and_submit(
        client, staff_url(show), {"full_name": "Staff One", "email": "staff1@acme.example"}
    )

    assert response.status_code == 409
    assert "already registered as staff of another exhibitor" in visible_text(response)
    assert 'value="Staff One"' in response.text


def test_the_page_refuses_an_invalid_address(show, client):
    confirmed(show, "F-101")
    log_in(client, "ada@acme.example")
    response = fill_and_submit(client, staff_url(show), {"full_name": "X", "email": "nope"})
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in visible_text(response)
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_the_page_says_when_the_quota_is_full_or_not_open(show, client):
    log_in(client, "ada@acme.example")
    assert "Booth staff can be named once a booking is confirmed." in visible_text(
        client.get(staff_url(show))
    )
    confirmed(show, "F-101")
    for n in (1, 2, 3):
        add(show, person(n))
    text = visible_text(client.get(staff_url(show)))
    assert "You have named all the staff your booked space allows." in text
    assert "Add to booth staff" not in text


def test_the_bookings_page_links_the_staff_page(show, client):
    confirmed(show, "F-101")
    log_in(client, "ada@acme.example")
    page = client.get(f"/editions/{show.edition.slug}/exhibitors/{show.acme.id}/bookings")
    assert "Booth staff (0 of 3)" in visible_text(page)
    assert f'href="{staff_url(show)}"' in page.text
