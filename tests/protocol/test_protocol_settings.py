"""Protocol settings per edition: documented defaults, audited saves, clear refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.errors import Forbidden
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.protocol.models import ProtocolSettings
from telecom.protocol.services import ProtocolError, meetings
from telecom.protocol.services.settings import (
    ProtocolSettingsData,
    protocol_settings,
    save_protocol_settings,
    settings_data,
)
from tests.helpers import make_edition, make_organizer, make_user
from tests.protocol.support_meetings import (
    accepted_invitation,
    edition_ahead,
    participant,
    protocol_officer,
    room_with_slots,
    slots_of,
)

VALID = ProtocolSettingsData(
    slot_minutes=60, max_slots_per_day=3, rsvp_valid_days=45,
    contact_email=" Protocol@Budapest2015.Example.org ",
)  # fmt: skip


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(ProtocolSettings)) or 0


def test_an_edition_without_settings_reads_the_documented_defaults_and_writes_nothing(app):
    edition = make_edition()

    settings = protocol_settings(edition)

    assert settings_data(settings) == ProtocolSettingsData(
        slot_minutes=90, max_slots_per_day=2, rsvp_valid_days=60,
        contact_email="protocol@telecom-world.example",
    )  # fmt: skip
    db.session.commit()
    assert rows() == 0


def test_protocol_staff_save_the_settings_once_and_every_change_is_audited(app):
    edition = make_edition()
    officer = protocol_officer()

    saved = save_protocol_settings(edition, VALID, actor=officer)

    assert rows() == 1
    assert settings_data(protocol_settings(edition)) == replace(
        VALID, contact_email="protocol@budapest2015.example.org"
    )
    [created] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "protocol_settings")
    ).all()
    assert created.action == "create" and created.actor_id == officer.id
    assert created.after["slot_minutes"] == 60

    # An organizer may do everything protocol staff does; the same row is updated.
    organizer = make_organizer()
    again = save_protocol_settings(edition, replace(VALID, max_slots_per_day=1), actor=organizer)
    assert again.id == saved.id and rows() == 1
    assert protocol_settings(edition).max_slots_per_day == 1
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "protocol_settings")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["max_slots_per_day"] == 3
    assert entries[1].after["max_slots_per_day"] == 1

    # Saving the same values again changes nothing, so nothing is logged.
    save_protocol_settings(edition, replace(VALID, max_slots_per_day=1), actor=organizer)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "protocol_settings"
        )
    ) == 2  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slot_minutes": 10}, "slot_minutes", "must be between 15 and 480"),
        ({"slot_minutes": 600}, "slot_minutes", "must be between 15 and 480"),
        ({"slot_minutes": 47}, "slot_minutes", "must be a multiple of 5"),
        ({"slot_minutes": "90"}, "slot_minutes", "must be a whole number"),
        ({"slot_minutes": True}, "slot_minutes", "must be a whole number"),
        ({"max_slots_per_day": 0}, "max_slots_per_day", "must be between 1 and 20"),
        ({"max_slots_per_day": None}, "max_slots_per_day", "must be a whole number"),
        ({"rsvp_valid_days": 0}, "rsvp_valid_days", "must be between 1 and 365"),
        ({"rsvp_valid_days": 400}, "rsvp_valid_days", "must be between 1 and 365"),
        ({"contact_email": "protocol office"}, "contact_email", "valid e-mail address"),
        ({"contact_email": "  "}, "contact_email", "valid e-mail address"),
        ({"contact_email": None}, "contact_email", "valid e-mail address"),
    ],
)
def test_a_wrong_value_is_refused_with_its_field_and_nothing_is_saved(app, change, field, message):
    edition = make_edition()

    with pytest.raises(ProtocolError) as refused:
        save_protocol_settings(edition, replace(VALID, **change), actor=protocol_officer())

    assert refused.value.field == field
    assert message in refused.value.message
    assert rows() == 0


def test_only_protocol_staff_and_organizers_may_change_the_settings(app):
    edition = make_edition()
    reviewer = make_user("rita@example.org", roles={Role.MEDIA_REVIEWER})
    checkin = make_user("carl@example.org", roles={Role.CHECKIN_STAFF})

    for actor in (None, participant(), reviewer, checkin):
        with pytest.raises(Forbidden):
            save_protocol_settings(edition, VALID, actor=actor)
    assert rows() == 0


def test_the_slot_length_and_daily_limit_apply_to_what_is_done_next(app):
    edition = edition_ahead()
    officer = protocol_officer()
    minister = accepted_invitation(edition)
    save_protocol_settings(
        edition, replace(VALID, slot_minutes=45, max_slots_per_day=1), actor=officer
    )

    room = room_with_slots(edition, first=time(9), last=time(12))
    slots = slots_of(room)
    assert len(slots) == 4
    assert all((s.ends_at - s.starts_at).total_seconds() == 45 * 60 for s in slots)

    meetings.book_slot(slots[0].id, minister, actor=officer)
    with pytest.raises(ProtocolError) as refused:
        meetings.book_slot(slots[2].id, minister, actor=officer)
    assert "already has 1 meeting on" in refused.value.message
    assert "the most allowed per day" in refused.value.message
