"""Organizers editing the plan while others edit it or book on it (PostgreSQL, real transactions).

Each racer has its own app context, session and connection, loads what it needs,
then all call a service together at a barrier. Guarantees: two booths never end
up overlapping however many organizers place them at once; an edit or an import
that races a hold on the same booth is serialised with it, so a booked booth is
never changed without the confirmation (the hold's price always matches the
geometry it was placed on).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.errors import ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import Booth, BoothBooking, BoothType, Hall, Organisation
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import floorplan_csv
from telecom.exhibitors.services import floorplan_editor as editor
from telecom.extensions import db
from tests.concurrency import Job, race
from tests.exhibitors.floorplan_support import booth, hall, organisation, system_organizer
from tests.helpers import make_edition

pytestmark = pytest.mark.postgres_only

RACERS = 10


def test_organizers_placing_booths_on_the_same_spot_get_one_booth(racing_app, app):
    edition = make_edition()
    hall_f = hall(edition, "F", "60", "40")
    organizer_id = system_organizer().id
    edition_id, hall_id = edition.id, hall_f.id

    def place(n: int) -> Job:
        def prepare() -> Callable[[], object]:
            actor = db.session.get(User, organizer_id)
            target = db.session.get(Edition, edition_id)
            assert actor is not None and target is not None
            data = editor.BoothData(
                f"F{n}", hall_id, Decimal(n) / 10, Decimal(0), Decimal(3), Decimal(3),
                BoothType.SHELL_SCHEME, 1,
            )  # fmt: skip
            return lambda: editor.create_booth(target, data, actor=actor).code

        return prepare

    outcomes = race(racing_app, [place(n) for n in range(RACERS)])

    winners = [o.result for o in outcomes if o.error is None]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o.error, ValidationError) for o in outcomes if o.error is not None)
    assert all("would overlap booth" in o.error.message for o in outcomes if o.error)  # type: ignore[union-attr]
    db.session.expire_all()
    assert db.session.scalars(select(Booth.code).where(Booth.hall_id == hall_id)).all() == winners


def _hold_job(booth_id: int, organisation_id: int, organizer_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        org = db.session.get(Organisation, organisation_id)
        actor = db.session.get(User, organizer_id)
        assert org is not None and actor is not None
        return lambda: booking_services.hold_booth(booth_id, org, actor=actor).id

    return prepare


@pytest.mark.parametrize("round_", range(3))
def test_an_edit_racing_a_hold_is_serialised_with_it(racing_app, app, round_):
    edition = make_edition()
    hall_f = hall(edition)
    target = booth(edition, hall_f, "F1", "0", "0", "3", "3")  # 9 sqm: CHF 4,680.00
    exhibitor = organisation(edition, "Racer")
    organizer_id = system_organizer().id
    booth_id, hall_id = target.id, hall_f.id

    def edit() -> Callable[[], object]:
        actor = db.session.get(User, organizer_id)
        current = db.session.get(Booth, booth_id)
        assert actor is not None and current is not None
        data = editor.BoothData("F1", hall_id, Decimal(0), Decimal(0), Decimal(6), Decimal(3),
                                BoothType.SHELL_SCHEME, 1)  # fmt: skip
        return lambda: editor.update_booth(current, data, actor=actor).id

    edited, held = race(racing_app, [edit, _hold_job(booth_id, exhibitor.id, organizer_id)])

    assert held.error is None, held.error
    booking = db.session.get(BoothBooking, held.result)
    db.session.refresh(booking)
    if edited.error is None:
        # The edit came first: the hold was priced on the new 18 sqm.
        assert booking.price == Decimal("9360.00")
    else:
        assert isinstance(edited.error, editor.BookedBoothChange)
        assert booking.price == Decimal("4680.00")
        db.session.expire_all()
        assert db.session.get(Booth, booth_id).width == Decimal("3.00")


def test_an_import_racing_a_hold_never_changes_the_booth_behind_it(racing_app, app):
    edition = make_edition()
    hall(edition)
    target = booth(edition, db.session.scalar(select(Hall)), "F1", "0", "0", "3", "3")
    exhibitor = organisation(edition, "Racer")
    organizer_id = system_organizer().id
    edition_id, booth_id = edition.id, target.id
    content = (
        b"code,hall,x,y,width,depth,type,open_sides,pavilion,price_override\n"
        b"F1,F,0,0,6,3,shell_scheme,1,,\n"
    )

    def import_job() -> Callable[[], object]:
        actor = db.session.get(User, organizer_id)
        target_edition = db.session.get(Edition, edition_id)
        assert actor is not None and target_edition is not None
        return lambda: floorplan_csv.import_floorplan(target_edition, content, actor=actor)

    imported, held = race(racing_app, [import_job, _hold_job(booth_id, exhibitor.id, organizer_id)])

    assert imported.error is None and held.error is None, (imported.error, held.error)
    report = imported.result
    booking = db.session.get(BoothBooking, held.result)
    db.session.refresh(booking)
    if report.applied:
        assert booking.price == Decimal("9360.00")  # the hold came after the import
    else:
        assert "Booth F1 is held by Racer" in report.errors[0].message
        assert booking.price == Decimal("4680.00")
