"""Media settings: defaults that are never written, organizer-only validated saves, the window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.core.audit import entries_for_object
from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.media.models import MediaSettings
from telecom.media.services import MediaError
from telecom.media.services.applications import privacy_notice
from telecom.media.services.settings import (
    MediaSettingsData,
    application_window,
    media_settings,
    save_media_settings,
)
from tests.helpers import make_edition
from tests.media.support_services import journalist, organizer, reviewer

BUDAPEST = ZoneInfo("Europe/Budapest")


def settings_data(**overrides: object) -> MediaSettingsData:
    values: dict = {
        "applications_open_on": date(2015, 8, 1),
        "applications_close_on": date(2015, 9, 30),
        "max_documents": 5,
        "retention_days": 60,
        "contact_email": "press@telecom-world.example",
    }
    values.update(overrides)
    return MediaSettingsData(**values)


def test_an_edition_without_settings_reads_defaults_and_writes_nothing(app: Flask) -> None:
    edition = make_edition()

    settings = media_settings(edition)

    assert settings.applications_open_on is None and settings.applications_close_on is None
    assert settings.max_documents == 6
    assert settings.retention_days == 90
    assert settings.contact_email == "media@telecom-world.example"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MediaSettings)) == 0
    # No dates: applications are open.
    assert application_window(edition).is_open


def test_an_organizer_saves_the_settings_and_the_change_is_audited(app: Flask) -> None:
    edition = make_edition()
    olga = organizer()

    save_media_settings(
        edition, settings_data(contact_email=" Press@Telecom-World.example "), actor=olga
    )
    save_media_settings(edition, settings_data(retention_days=30), actor=olga)

    settings = media_settings(edition)
    assert settings.id is not None
    assert settings.applications_close_on == date(2015, 9, 30)
    assert settings.retention_days == 30
    assert settings.contact_email == "press@telecom-world.example"
    entries = entries_for_object("media_settings", settings.id)
    assert [entry.action for entry in entries] == ["update", "create"]
    assert entries[0].before["retention_days"] == 60 and entries[0].after["retention_days"] == 30


@pytest.mark.parametrize("make_actor", [journalist, reviewer], ids=["participant", "reviewer"])
def test_only_organizers_change_media_settings(app: Flask, make_actor) -> None:  # type: ignore[no-untyped-def]
    edition = make_edition()

    with pytest.raises(Forbidden):
        save_media_settings(edition, settings_data(), actor=make_actor())
    with pytest.raises(Forbidden):
        save_media_settings(edition, settings_data(), actor=None)

    assert db.session.scalar(select(func.count()).select_from(MediaSettings)) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"applications_open_on": date(2015, 9, 1), "applications_close_on": date(2015, 8, 1)},
            "applications_close_on",
            "cannot close before they open",
        ),
        ({"max_documents": 2}, "max_documents", "between 3 and 30"),
        ({"max_documents": 31}, "max_documents", "between 3 and 30"),
        ({"max_documents": "6"}, "max_documents", "whole number"),
        ({"max_documents": True}, "max_documents", "whole number"),
        ({"retention_days": -1}, "retention_days", "between 0 and 3650"),
        ({"retention_days": 4000}, "retention_days", "between 0 and 3650"),
        ({"contact_email": ""}, "contact_email", "valid e-mail"),
        ({"contact_email": "press at example"}, "contact_email", "valid e-mail"),
        ({"applications_open_on": "2015-08-01"}, "applications_open_on", "must be a date"),
        (
            {"applications_close_on": datetime(2015, 9, 30, 12, 0)},
            "applications_close_on",
            "must be a date",
        ),
    ],
)
def test_bad_settings_are_refused_beside_their_field(  # type: ignore[no-untyped-def]
    app: Flask, overrides, field, words
) -> None:
    edition = make_edition()

    with pytest.raises(MediaError) as refused:
        save_media_settings(edition, settings_data(**overrides), actor=organizer())

    assert refused.value.field == field
    assert words in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(MediaSettings)) == 0


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUDAPEST)


def test_the_window_includes_both_days_in_the_editions_time_zone(app: Flask) -> None:
    edition = make_edition()  # Europe/Budapest
    save_media_settings(edition, settings_data(), actor=organizer())

    before = application_window(edition, at(date(2015, 7, 31), 23, 59))
    assert not before.is_open
    assert before.message is not None and "open on Aug 1, 2015" in before.message

    assert application_window(edition, at(date(2015, 8, 1), 0, 0)).is_open
    # 23:30 in Budapest is already the next day in UTC... and still the closing day there.
    assert application_window(edition, at(date(2015, 9, 30), 23, 30)).is_open

    after = application_window(edition, at(date(2015, 10, 1), 0, 30))
    assert not after.is_open
    assert after.opens_on == date(2015, 8, 1) and after.closes_on == date(2015, 9, 30)
    assert after.message is not None
    assert "closed on Sep 30, 2015" in after.message
    assert "press@telecom-world.example" in after.message


def test_the_privacy_notice_states_purpose_and_retention(app: Flask) -> None:
    edition = make_edition()  # ends on 15 October 2015
    save_media_settings(edition, settings_data(retention_days=60), actor=organizer())

    notice = privacy_notice(edition)

    assert "decide on your media accreditation" in notice
    assert "60 days after the event" in notice
    assert (date(2015, 10, 15) + timedelta(days=60)).strftime("%b %-d, %Y") in notice
    assert "press@telecom-world.example" in notice
