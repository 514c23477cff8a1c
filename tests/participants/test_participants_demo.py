"""The participants demo: published 2015 figures, sound check-ins, idempotent loading."""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import time

from flask import Flask
from sqlalchemy import func, select

from telecom.demo import load_demo_data
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.demo import (
    SPEC_2015,
    load_participants_demo,
    plan_participants,
)
from telecom.participants.models import (
    CheckIn,
    InvitationCode,
    PassType,
    Person,
    PromoCode,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)

OPENING = {"telecom-world-2015": (time(9), time(18)), "telecom-world-2013": (time(10), time(18))}


def edition(slug: str) -> Edition:
    found = db.session.scalar(select(Edition).where(Edition.slug == slug))
    assert found is not None
    return found


def load_both() -> dict[str, float]:
    """The demo editions with their participants (whether or not the demo loads them)."""
    load_demo_data()
    seconds = {}
    for slug in OPENING:
        started = clock.perf_counter()
        load_participants_demo(edition(slug))
        seconds[slug] = clock.perf_counter() - started
    return seconds


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_2015_has_the_published_figures_and_sound_check_ins(app: Flask) -> None:
    load_both()
    ed = edition("telecom-world-2015")
    registrations = db.session.scalars(
        select(Registration).where(Registration.edition_id == ed.id)
    ).all()
    people = {r.person_id for r in registrations}
    assert 3800 <= len(people) <= 4200
    assert len({r.person.country for r in registrations}) == 129
    countries = Counter(r.person.country for r in registrations)
    assert countries.most_common(1)[0][0] == "HU"
    # Media and protocol demos add journalists, leaders and delegations to the
    # ~4,000; the pass holders are mostly visitors.
    pass_holders = [r for r in registrations if r.pass_type_id is not None]
    categories = Counter(r.category for r in pass_holders)
    assert categories[RegistrationCategory.VISITOR] > 0.8 * len(pass_holders)
    assert categories[RegistrationCategory.FORUM_DELEGATE] > 0.05 * len(pass_holders)
    statuses = Counter(r.status for r in registrations)
    assert statuses[RegistrationStatus.CONFIRMED] > 0.85 * len(registrations)
    assert statuses[RegistrationStatus.CANCELLED] > 0

    # A speaker who also holds a pass has two registrations: one person, one address.
    emails = {r.person_id: r.person.email for r in registrations}
    assert len(set(emails.values())) == len(people)
    emails = list(emails.values())
    assert all(e.endswith(".example.org") for e in emails)

    passes = {p.name: p for p in db.session.scalars(select(PassType).where(
        PassType.edition_id == ed.id))}  # fmt: skip
    assert set(passes) == {
        "Exhibition day pass", "Full exhibition pass", "Forum pass", "Leaders' pass",
    }  # fmt: skip
    assert passes["Forum pass"].forum_access and passes["Leaders' pass"].invitation_only
    assert passes["Leaders' pass"].forum_access
    assert all(p.price >= 0 for p in passes.values())

    by_id = {r.id: r for r in registrations}
    check_ins = db.session.scalars(select(CheckIn).where(CheckIn.edition_id == ed.id)).all()
    per_day = Counter((c.person_id, c.day, c.point, c.point_ref) for c in check_ins)
    assert max(per_day.values()) == 1
    opening, closing = OPENING[ed.slug]
    for c in check_ins:
        registration = by_id[c.registration_id]
        assert registration.status == RegistrationStatus.CONFIRMED
        assert registration.valid_from <= c.day <= registration.valid_until
        assert ed.start_date <= c.day <= ed.end_date
        local = c.scanned_at.astimezone(ed.tz)
        assert local.date() == c.day and opening <= local.time() < closing
        assert c.scanned_at >= registration.confirmed_at
    attended = {c.person_id for c in check_ins}
    confirmed = statuses[RegistrationStatus.CONFIRMED]
    assert 0.8 <= len(attended) / confirmed <= 0.9
    assert len(check_ins) > 1.3 * len(attended)  # visits (daily entries) > people
    assert {c.day for c in check_ins} == {ed.start_date.replace(day=d) for d in (12, 13, 14, 15)}

    # Leaders came by invitation: each holds a used organizer code.
    leaders = [r for r in registrations if r.pass_type_id == passes["Leaders' pass"].id]
    assert leaders and all(r.invitation_code_id for r in leaders)
    used = db.session.scalars(select(InvitationCode).where(
        InvitationCode.edition_id == ed.id, InvitationCode.used_at.is_not(None)))  # fmt: skip
    assert {i.id for i in used} >= {r.invitation_code_id for r in leaders}
    for promo in db.session.scalars(select(PromoCode).where(PromoCode.edition_id == ed.id)):
        holders = sum(r.promo_code_id == promo.id for r in registrations)
        assert promo.uses == holders <= promo.max_uses


def test_2013_is_smaller_and_different(app: Flask) -> None:
    load_both()
    ed13, ed15 = edition("telecom-world-2013"), edition("telecom-world-2015")

    def countries(ed: Edition) -> Counter:
        return Counter(
            db.session.scalars(
                select(Person.country)
                .join(Registration, Registration.person_id == Person.id)
                .where(Registration.edition_id == ed.id)
            )
        )

    c13, c15 = countries(ed13), countries(ed15)
    assert sum(c13.values()) < sum(c15.values())
    assert c13.most_common(1)[0][0] == "TH"
    assert 60 <= len(c13) < 129
    check_in_days = set(
        db.session.scalars(select(CheckIn.day).where(CheckIn.edition_id == ed13.id))
    )
    assert min(check_in_days) == ed13.start_date and max(check_in_days) == ed13.end_date


def test_the_demo_is_idempotent_and_deterministic(app: Flask) -> None:
    load_both()
    before = table_counts()
    for slug in OPENING:
        again = load_participants_demo(edition(slug))
        assert set(again.values()) == {0}
    assert table_counts() == before

    ed = edition("telecom-world-2015")
    plan = plan_participants(SPEC_2015, ed.start_date, ed.end_date, ed.timezone)
    replan = plan_participants(SPEC_2015, ed.start_date, ed.end_date, ed.timezone)
    assert [r.person.email for r in plan.registrations] == [
        r.person.email for r in replan.registrations
    ]
    assert [r.check_ins for r in plan.registrations] == [r.check_ins for r in replan.registrations]


def test_an_edition_without_a_demo_plan_gets_nothing(app: Flask) -> None:
    from tests.helpers import make_edition

    other = make_edition("telecom-world-2099", name="ITU TELECOM World 2099")
    assert set(load_participants_demo(other).values()) == {0}
