"""Evidence files are deleted when the retention period ends; decisions and counts stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.errors import NotFound
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    MediaSettings,
    RejectionReason,
)
from telecom.participants.models import (
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.participants.services import badges
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from telecom.participants.services.granted import grant_registration
from tests.concurrency import race
from tests.helpers import make_edition, make_organizer, make_user
from tests.media.support_documents import (
    add_document,
    jpeg_with_exif,
    make_application,
    pdf_bytes,
    plain_jpeg,
)

# The edition ends on 15 October 2015 in Budapest; evidence is kept 90 days
# (the default), so it goes on 13 January 2016, local time (UTC+1 in winter).
DUE_ON = date(2016, 1, 13)
LOCAL_MIDNIGHT = datetime(2016, 1, 12, 23, 0, tzinfo=UTC)


@dataclass
class World:
    edition: Edition
    ana: MediaApplication  # approved: letter, photo, a media registration with the photo
    ben: MediaApplication  # rejected: a press card
    cleo: MediaApplication  # a draft without files
    other: MediaApplication  # another edition's approved application
    registration: Registration
    other_registration: Registration
    uploads: Path


def _approve(application: MediaApplication, photo: MediaDocument, edition: Edition) -> Registration:
    person = db.session.get(Person, application.person_id)
    registration = grant_registration(
        person,
        edition,
        RegistrationCategory.MEDIA,
        actor=None,
        photo_file=documents.copy_badge_photo(photo),
    )
    application.status = ApplicationStatus.APPROVED
    application.decided_at = datetime(2015, 9, 20, 9, tzinfo=UTC)
    application.registration_id = registration.id
    commit()
    return registration


@pytest.fixture
def world(app: Flask) -> World:
    edition = make_edition()
    later = make_edition(
        "telecom-world-2016",
        name="ITU TELECOM World 2016",
        start_date=date(2016, 11, 14),
        end_date=date(2016, 11, 17),
        timezone="Asia/Bangkok",
    )
    ana = make_application(edition, make_user("ana@example.org", full_name="Ana Reporter"))
    add_document(ana, DocumentKind.LETTER_OF_ASSIGNMENT, pdf_bytes("Ana"), "letter.pdf")
    ana_photo = add_document(ana, DocumentKind.PHOTO, jpeg_with_exif(300, 400), "ana.jpg")
    registration = _approve(ana, ana_photo, edition)

    ben = make_application(edition, make_user("ben@example.org", full_name="Ben Blogger"))
    add_document(ben, DocumentKind.PRESS_CARD, plain_jpeg(), "card.jpg")
    ben.status = ApplicationStatus.REJECTED
    ben.rejection_reason = RejectionReason.INSUFFICIENT_EVIDENCE
    ben.decision_note = "No bylined work."
    commit()

    cleo = make_application(
        edition, make_user("cleo@example.org", full_name="Cleo"), status=ApplicationStatus.DRAFT
    )

    dora = make_user("dora@example.org", full_name="Dora Next")
    other = make_application(later, dora)
    add_document(other, DocumentKind.LETTER_OF_ASSIGNMENT, pdf_bytes("Dora"), "letter.pdf")
    dora_photo = add_document(other, DocumentKind.PHOTO, plain_jpeg(), "dora.jpg")
    other_registration = _approve(other, dora_photo, later)

    return World(
        edition=edition, ana=ana, ben=ben, cleo=cleo, other=other,
        registration=registration, other_registration=other_registration,
        uploads=Path(app.config["UPLOAD_DIR"]),
    )  # fmt: skip


def files_in(uploads: Path, kind: str) -> set[str]:
    folder = uploads / kind
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def stored_names(application: MediaApplication) -> set[str]:
    return {d.stored_name for d in application.documents if d.stored_name}


def purge_entries() -> list[AuditEntry]:
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "purge_media_documents"))
    )


def approved_count(edition: Edition) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MediaApplication)
        .where(
            MediaApplication.edition_id == edition.id,
            MediaApplication.status == ApplicationStatus.APPROVED,
        )
    )


def test_nothing_is_deleted_before_the_due_date(world):
    before = files_in(world.uploads, documents.DOCUMENTS_KIND)
    photos = files_in(world.uploads, BADGE_PHOTOS_KIND)
    assert len(before) == 5 and len(photos) == 2

    result = documents.purge_documents(world.edition, now=LOCAL_MIDNIGHT - timedelta(seconds=1))

    assert result == documents.PurgeResult(due_on=DUE_ON, files=0, applications=0, done=False)
    assert documents.purge_due_on(world.edition) == DUE_ON
    assert files_in(world.uploads, documents.DOCUMENTS_KIND) == before
    assert files_in(world.uploads, BADGE_PHOTOS_KIND) == photos
    db.session.expire_all()
    assert world.ana.documents_purged_at is None
    assert all(d.stored_name for d in world.ana.documents)
    assert world.registration.photo_file is not None
    assert purge_entries() == []


def test_on_the_due_date_the_files_go_and_the_records_stay(world):
    ana_files = stored_names(world.ana) | stored_names(world.ben)
    other_files = stored_names(world.other)
    other_photo = world.other_registration.photo_file
    approved_before = approved_count(world.edition)

    result = documents.purge_documents(world.edition, now=LOCAL_MIDNIGHT)

    assert result.done and result.due_on == DUE_ON
    assert (result.files, result.applications, result.badge_photos) == (3, 3, 1)
    # On disk: only the other edition's files are left.
    assert files_in(world.uploads, documents.DOCUMENTS_KIND) == other_files
    assert not ana_files & files_in(world.uploads, documents.DOCUMENTS_KIND)
    assert files_in(world.uploads, BADGE_PHOTOS_KIND) == {other_photo}

    # In the database: every row, decision and count is still there.
    db.session.expire_all()
    assert [d.kind for d in world.ana.documents] == [
        DocumentKind.LETTER_OF_ASSIGNMENT,
        DocumentKind.PHOTO,
    ]
    for document in [*world.ana.documents, *world.ben.documents]:
        assert document.stored_name is None
        assert document.purged_at == LOCAL_MIDNIGHT
        assert document.size > 0 and document.original_name  # what was shown is on record
    for application in (world.ana, world.ben, world.cleo):
        assert application.documents_purged_at == LOCAL_MIDNIGHT
    assert world.ana.status == ApplicationStatus.APPROVED
    assert world.ben.status == ApplicationStatus.REJECTED
    assert world.ben.rejection_reason == RejectionReason.INSUFFICIENT_EVIDENCE
    assert world.ben.decision_note == "No bylined work."
    assert approved_count(world.edition) == approved_before == 1
    assert world.registration.status == RegistrationStatus.CONFIRMED
    assert world.registration.photo_file is None
    # The other edition is untouched.
    assert stored_names(world.other) == other_files
    assert world.other.documents_purged_at is None
    assert world.other_registration.photo_file == other_photo

    [entry] = purge_entries()
    assert entry.edition_id == world.edition.id and entry.actor_label == "system"
    assert entry.after == {
        "due_on": "2016-01-13", "files": 3, "applications": 3, "badge_photos": 1
    }  # fmt: skip


def test_a_purged_file_says_it_was_deleted_and_the_badge_prints_without_the_photo(world):
    letter = world.ana.documents[0]
    ana = db.session.get(MediaApplication, world.ana.id)
    organizer = make_organizer()
    assert "data:image/jpeg" in badges.render_badge_html(world.registration)

    documents.purge_documents(world.edition, now=LOCAL_MIDNIGHT)

    with pytest.raises(NotFound, match="This file was deleted on Jan 13, 2016, when the period"):
        documents.open_document(world.edition, ana.id, letter.id, actor=organizer)
    html = badges.render_badge_html(world.registration)
    assert "data:image/jpeg" not in html and 'class="photo"' not in html
    assert badges.render_badge_pdf(world.registration).startswith(b"%PDF")


def test_running_it_again_does_nothing_and_says_so(world):
    first = documents.purge_documents(world.edition, now=LOCAL_MIDNIGHT)
    second = documents.purge_documents(world.edition, now=LOCAL_MIDNIGHT + timedelta(days=1))

    assert first.changed
    assert second == documents.PurgeResult(
        due_on=DUE_ON, files=0, applications=0, done=True, badge_photos=0
    )
    assert not second.changed
    assert len(purge_entries()) == 1
    db.session.expire_all()
    assert world.ana.documents_purged_at == LOCAL_MIDNIGHT  # the first run's date stays


def test_the_retention_period_is_the_editions_setting(world):
    # Kept 0 days: due on the edition's last day, from midnight in Budapest (UTC+2 in October).
    db.session.add(MediaSettings(edition_id=world.edition.id, retention_days=0))
    commit()
    local_midnight = datetime(2015, 10, 14, 22, 0, tzinfo=UTC)

    early = documents.purge_documents(world.edition, now=local_midnight - timedelta(minutes=1))
    due = documents.purge_documents(world.edition, now=local_midnight, actor=make_organizer())

    assert not early.done and early.due_on == date(2015, 10, 15)
    assert due.done and due.files == 3
    [entry] = purge_entries()
    assert entry.actor_label == "organizer@example.org"


# --- The command, for cron -----------------------------------------------------------------


def flask(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_command_deletes_due_files_and_is_safe_to_run_every_day(app, world):
    # The 2015 edition ended long ago: its files are due.
    first = flask(app, "media", "purge-documents", "--edition", "telecom-world-2015")

    assert first.exit_code == 0, first.output
    assert first.output == (
        "Deleted 3 evidence file(s) and 1 badge photo(s) of 3 application(s) of "
        "telecom-world-2015 (due on 2016-01-13); applications, decisions and counts are kept.\n"
    )
    assert files_in(world.uploads, documents.DOCUMENTS_KIND) == stored_names(world.other)

    again = flask(app, "media", "purge-documents", "--edition", "telecom-world-2015")

    assert again.exit_code == 0, again.output
    assert again.output == (
        "Nothing to delete: the evidence files of telecom-world-2015 were already deleted "
        "(due on 2016-01-13).\n"
    )
    assert len(purge_entries()) == 1


def test_the_command_says_when_the_files_will_go(app, world):
    today = utcnow().date()
    make_edition(
        "telecom-world-next",
        name="ITU TELECOM World next",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=33),
    )
    due = (today + timedelta(days=33 + 90)).isoformat()

    result = flask(app, "media", "purge-documents", "--edition", "telecom-world-next")

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Evidence files of telecom-world-next are kept until the retention period ends; "
        f"they will be deleted on or after {due}. Nothing deleted.\n"
    )
    assert purge_entries() == []


def test_the_command_refuses_an_unknown_edition(app):
    result = flask(app, "media", "purge-documents", "--edition", "nope")

    assert result.exit_code == 1
    assert "There is no edition nope." in result.output

    missing = flask(app, "media", "purge-documents")
    assert missing.exit_code == 2 and "--edition" in missing.output


def test_two_runs_at_once_delete_each_file_once(world, racing_app):
    """Two cron jobs overlapping: the edition's row lock lets one purge, the other finds nothing."""
    racing_app.config["UPLOAD_DIR"] = str(world.uploads)
    edition_id = world.edition.id

    def job():
        edition = db.session.get(Edition, edition_id)  # opens the racer's transaction
        return lambda: documents.purge_documents(edition, now=LOCAL_MIDNIGHT)

    outcomes = race(racing_app, [job] * 4)

    assert [o.error for o in outcomes] == [None] * 4
    results = [o.result for o in outcomes]
    assert sorted(r.files for r in results) == [0, 0, 0, 3]
    assert all(r.done for r in results)
    assert len(purge_entries()) == 1
    assert files_in(world.uploads, documents.DOCUMENTS_KIND) == stored_names(world.other)
