"""Concurrent staff additions on PostgreSQL never exceed the quota."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.exhibitors.models import CoExhibitorStatus, Organisation, PavilionKind
from telecom.exhibitors.services import staff
from telecom.extensions import db
from telecom.participants.models import Registration, RegistrationStatus
from tests.concurrency import run_at_once
from tests.exhibitors.factories import confirmed, make_organisation, make_show
from tests.helpers import make_user


def confirmed_registrations() -> int:
    db.session.expire_all()
    return (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.status == RegistrationStatus.CONFIRMED
            )
        )
        or 0
    )


def adding(user_id: int, organisation_id: int, email: str) -> Callable[[], int]:
    def job() -> int:
        actor = db.session.get(User, user_id)
        organisation = db.session.get(Organisation, organisation_id)
        data = staff.StaffData(full_name=email.split("@")[0], email=email)
        return staff.add_staff(organisation, data, actor=actor).id

    return job


def test_concurrent_additions_stop_at_the_quota(app, racing_app):
    show = make_show()
    confirmed(show, "F-103")  # 18 sqm: 4 staff
    jobs = [adding(show.ada.id, show.acme.id, f"staff{n}@acme.example") for n in range(12)]

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 4, errors
    assert all("You have named all 4 staff" in error.message for error in errors), errors
    assert confirmed_registrations() == 4


def test_a_pavilion_and_its_co_exhibitors_adding_at_once_share_one_quota(app, racing_app):
    show = make_show()
    owner = make_user("hu@pavilion.example")
    pavilion = make_organisation(
        show.edition, "Hungary", members=(owner,), pavilion_kind=PavilionKind.NATIONAL
    )
    confirmed(show, "F-103", pavilion)  # 4 staff for everyone in the pavilion
    co_exhibitors = []
    for n in range(3):
        user = make_user(f"co{n}@example.org")
        co = make_organisation(
            show.edition, f"Co {n}", members=(user,), pavilion=pavilion,
            co_exhibitor_status=CoExhibitorStatus.APPROVED,
        )  # fmt: skip
        co_exhibitors.append((user.id, co.id))
    jobs = [adding(owner.id, pavilion.id, f"p{n}@pavilion.example") for n in range(3)]
    for user_id, co_id in co_exhibitors:
        jobs += [adding(user_id, co_id, f"c{co_id}-{n}@example.org") for n in range(3)]

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 4, errors
    assert confirmed_registrations() == 4


def test_the_same_new_person_added_by_two_exhibitors_at_once_gets_one_registration(
    app,
    racing_app,
):
    show = make_show()
    confirmed(show, "F-101")
    confirmed(show, "F-102", show.globex)
    jobs = [
        adding(show.ada.id, show.acme.id, "same@example.org"),
        adding(show.bob.id, show.globex.id, "same@example.org"),
    ] * 3

    results, errors = run_at_once(racing_app, jobs)

    assert len(results) == 1, errors
    assert all("already" in getattr(error, "message", "") for error in errors), (
        errors
    )  # a clear message, never a database error
    assert confirmed_registrations() == 1
