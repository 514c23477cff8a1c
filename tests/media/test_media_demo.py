"""The media accreditation demo: decided applications, badges, purged evidence, idempotent."""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import date, time, timedelta
from itertools import pairwise
from pathlib import Path

from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select

from telecom.demo import load_demo_data
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.demo import REVIEWER_EMAIL, SPECS, load_media_demo, plan_media
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    MediaReviewStep,
    MediaRole,
    MediaSettings,
    OutletType,
)
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.helpers import html, log_in, make_edition

S = ApplicationStatus
OPENING = {"telecom-world-2015": (time(9), time(18)), "telecom-world-2013": (time(10), time(18))}


def edition(slug: str) -> Edition:
    found = db.session.scalar(select(Edition).where(Edition.slug == slug))
    assert found is not None
    return found


def applications(ed: Edition) -> list[MediaApplication]:
    return list(
        db.session.scalars(select(MediaApplication).where(MediaApplication.edition_id == ed.id))
    )


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_past_editions_have_only_decided_accreditations_from_many_countries(app: Flask) -> None:
    load_demo_data()
    ed15, ed13 = edition("telecom-world-2015"), edition("telecom-world-2013")
    apps15, apps13 = applications(ed15), applications(ed13)

    status15 = Counter(a.status for a in apps15)
    status13 = Counter(a.status for a in apps13)
    # Long past: nothing is waiting for anyone.
    assert set(status15) == set(status13) == {S.APPROVED, S.REJECTED, S.REVOKED}
    assert 140 <= status15[S.APPROVED] <= 160
    assert 15 <= status15[S.REJECTED] <= 40 and 1 <= status15[S.REVOKED] <= 6
    assert 100 <= status13[S.APPROVED] <= 120
    assert 8 <= status13[S.REJECTED] <= 30 and 1 <= status13[S.REVOKED] <= 6
    assert status13[S.APPROVED] != status15[S.APPROVED]

    # Journalists of many countries, every kind of outlet and role.
    countries15 = {a.nationality for a in apps15 if a.status == S.APPROVED}
    countries13 = {a.nationality for a in apps13 if a.status == S.APPROVED}
    assert len(countries15) >= 40 and len(countries13) >= 25
    assert countries13 != countries15
    assert Counter(a.nationality for a in apps15).most_common(1)[0][0] == "HU"
    assert Counter(a.nationality for a in apps13).most_common(1)[0][0] == "TH"
    for apps in (apps15, apps13):
        approved = [a for a in apps if a.status == S.APPROVED]
        assert {a.outlet_type for a in approved} == set(OutletType)
        assert {a.role for a in approved} == set(MediaRole)
        rejected = [a for a in apps if a.status == S.REJECTED]
        assert len({a.rejection_reason for a in rejected}) >= 5
        assert all(a.rejection_reason and a.decision_note for a in rejected)
        assert all(a.decision_note for a in apps if a.status == S.REVOKED)
        # A team from one outlet applies individually.
        assert max(Counter(a.outlet_name for a in approved).values()) >= 2
        assert any(a.late and a.late_allowed_by_id for a in approved)
        people = [a.person_id for a in apps]
        assert len(set(people)) == len(people)
        assert all(a.consent_at and a.submitted_at and a.decided_at for a in apps)
        assert all(a.reviewer_id for a in apps)  # the demo reviewer (or organizer)

    # The participants' figures still hold: journalists come from their countries.
    for slug, spec in SPECS.items():
        assert {code for code, _w in spec.countries} <= {
            code for code, _w in PARTICIPANT_SPECS[slug].countries
        }


def test_approved_journalists_hold_a_media_badge_and_some_came(app: Flask) -> None:
    load_demo_data()
    for slug, (opening, closing) in OPENING.items():
        ed = edition(slug)
        apps = applications(ed)
        media = {
            r.person_id: r
            for r in db.session.scalars(
                select(Registration).where(
                    Registration.edition_id == ed.id,
                    Registration.category == RegistrationCategory.MEDIA,
                )
            )
        }
        for a in apps:
            registration = media.get(a.person_id)
            if a.status == S.APPROVED:
                assert registration is not None and a.registration_id == registration.id
                assert registration.status == RegistrationStatus.CONFIRMED
                assert registration.valid_from == ed.start_date
                assert registration.valid_until == ed.end_date
                assert registration.confirmed_at == a.decided_at < ed.day_starts_at(ed.start_date)
            elif a.status == S.REVOKED:
                assert registration is not None and a.registration_id == registration.id
                assert registration.status == RegistrationStatus.CANCELLED
                assert registration.cancelled_at == a.decided_at
            else:
                assert registration is None and a.registration_id is None
        assert len(media) == sum(a.status in (S.APPROVED, S.REVOKED) for a in apps)

        check_ins = db.session.scalars(
            select(CheckIn).where(
                CheckIn.edition_id == ed.id, CheckIn.category == RegistrationCategory.MEDIA
            )
        ).all()
        approved = {a.person_id for a in apps if a.status == S.APPROVED}
        attended = {c.person_id for c in check_ins}
        assert attended <= approved
        assert 0.7 <= len(attended) / len(approved) <= 0.95
        assert len(check_ins) > 1.5 * len(attended)  # many came on several days
        per_day = Counter((c.person_id, c.day) for c in check_ins)
        assert max(per_day.values()) == 1
        for c in check_ins:
            assert c.registration_id == media[c.person_id].id
            local = c.scanned_at.astimezone(ed.tz)
            assert ed.start_date <= c.day <= ed.end_date and local.date() == c.day
            assert opening <= local.time() < closing
            assert c.scanned_at > media[c.person_id].confirmed_at


def test_the_evidence_was_purged_but_the_record_of_it_stays(app: Flask) -> None:
    load_demo_data()
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))
    for slug in OPENING:
        ed = edition(slug)
        settings = db.session.scalar(select(MediaSettings).where(MediaSettings.edition_id == ed.id))
        assert settings is not None
        assert settings.applications_open_on < settings.applications_close_on < ed.start_date
        due = ed.day_starts_at(ed.end_date + timedelta(days=settings.retention_days))
        for a in applications(ed):
            assert a.documents_purged_at is not None and a.documents_purged_at >= due
            kinds = {d.kind for d in a.documents}
            assert DocumentKind.PHOTO in kinds
            assert kinds & {DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD}
            if a.outlet_type == OutletType.FREELANCE and a.status == S.APPROVED:
                assert kinds >= {DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD}
            if DocumentKind.PRESS_CARD in kinds:
                assert a.press_card_number and a.press_card_expires_on
            for document in a.documents:
                assert document.stored_name is None
                assert document.purged_at == a.documents_purged_at
                assert document.size > 0 and document.original_name
                assert document.content_type in {"application/pdf", "image/jpeg", "image/png"}
                assert a.created_at <= document.uploaded_at <= a.decided_at
    registrations = db.session.scalars(
        select(Registration).where(Registration.category == RegistrationCategory.MEDIA)
    ).all()
    assert registrations and all(r.photo_file is None for r in registrations)


def test_each_history_follows_the_state_machine_to_the_outcome(app: Flask) -> None:
    load_demo_data()
    allowed = {
        (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.IN_REVIEW), (S.IN_REVIEW, S.INFO_REQUESTED),
        (S.INFO_REQUESTED, S.RESUBMITTED), (S.RESUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.APPROVED), (S.IN_REVIEW, S.REJECTED), (S.APPROVED, S.REVOKED),
    }  # fmt: skip
    asked = 0
    for slug in OPENING:
        ed = edition(slug)
        for a in applications(ed):
            steps = list(
                db.session.scalars(
                    select(MediaReviewStep)
                    .where(MediaReviewStep.application_id == a.id)
                    .order_by(MediaReviewStep.id)
                )
            )
            assert steps[0].from_status == S.DRAFT and steps[0].created_at == a.submitted_at
            assert steps[-1].to_status == a.status
            assert steps[-1].created_at == a.decided_at
            for before, after in pairwise(steps):
                assert after.from_status == before.to_status
                assert before.created_at <= after.created_at
            assert all((s.from_status, s.to_status) in allowed for s in steps)
            assert all(s.actor_id for s in steps if s.to_status != S.RESUBMITTED
                       and s.from_status != S.DRAFT)  # fmt: skip
            if a.status == S.REJECTED:
                assert steps[-1].reason == a.rejection_reason
            requests = [s for s in steps if s.to_status == S.INFO_REQUESTED]
            if requests:
                asked += 1
                assert a.info_request == requests[-1].message != ""
            else:
                assert a.info_request == ""
            assert a.decided_at < ed.day_starts_at(ed.start_date)
    assert asked >= 20


def test_the_demo_loads_fast_once_and_plans_the_same_every_time(app: Flask) -> None:
    # Standalone: the editions only, without the demo accounts.
    ed15 = make_edition()
    ed13 = make_edition(
        "telecom-world-2013", name="ITU TELECOM World 2013", city="Bangkok", country="TH",
        venue="IMPACT Exhibition Centre", start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22), timezone="Asia/Bangkok",
    )  # fmt: skip
    started = clock.perf_counter()
    first = {ed.slug: load_media_demo(ed) for ed in (ed15, ed13)}
    assert clock.perf_counter() - started < 15
    assert 170 <= first["telecom-world-2015"]["media_applications"] <= 200
    assert first["telecom-world-2015"]["registrations"] == sum(
        a.status in (S.APPROVED, S.REVOKED) for a in applications(ed15)
    )
    assert all(counts["media_settings"] == 1 for counts in first.values())
    assert all(a.reviewer_id is None for a in applications(ed13))  # no demo reviewer here

    before = table_counts()
    again = {ed.slug: load_media_demo(ed) for ed in (ed15, ed13)}
    assert all(set(counts.values()) == {0} for counts in again.values())
    assert table_counts() == before

    plan, replan = plan_media(SPECS[ed15.slug], ed15), plan_media(SPECS[ed15.slug], ed15)
    assert [(p.email, p.status, p.check_ins) for p in plan] == [
        (p.email, p.status, p.check_ins) for p in replan
    ]
    other = make_edition("telecom-world-2099", name="ITU TELECOM World 2099")
    assert set(load_media_demo(other).values()) == {0}
    assert db.session.scalar(select(func.count()).select_from(MediaDocument)) == sum(
        len(p.documents) for p in plan
    ) + sum(len(p.documents) for p in plan_media(SPECS[ed13.slug], ed13))


def test_the_demo_reviewer_finds_the_2015_decisions_in_the_queue(app: Flask) -> None:
    load_demo_data()
    ed = edition("telecom-world-2015")
    apps = applications(ed)
    revoked = next(a for a in apps if a.status == S.REVOKED)
    client = app.test_client()
    log_in(client, REVIEWER_EMAIL, app.config["DEMO_ORGANIZER_PASSWORD"])
    base = f"/media-review/editions/{ed.slug}/applications"

    queue = client.get(base)
    assert queue.status_code == 200
    assert f"{len(apps)} applications" in html(queue)
    approved = client.get(f"{base}?status=approved")
    assert f"{sum(a.status == S.APPROVED for a in apps)} applications" in html(approved)

    page = client.get(f"{base}/{revoked.id}")
    assert page.status_code == 200
    text = html(page)
    assert str(escape(revoked.full_name)) in text and str(escape(revoked.decision_note)) in text
    assert "deleted" in text  # the evidence is gone, its record stays
    assert client.get(f"/media-review/editions/{ed.slug}/media-list").status_code == 200
