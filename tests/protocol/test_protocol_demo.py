"""The VIP and protocol demo: 239 leaders in 2015, sound registrations, check-ins and
meetings, a different 2013, idempotent and deterministic loading."""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import date, time, timedelta

from flask import Flask
from sqlalchemy import func, select

from telecom.auth.services import get_user_by_email
from telecom.core.permissions import Role
from telecom.demo import load_demo_data
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.protocol.demo import SPECS, load_protocol_demo, plan_protocol
from telecom.protocol.models import (
    DelegationMember,
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    ProtocolCategory,
    ProtocolSettings,
    VipInvitation,
)
from tests.helpers import make_edition

C = ProtocolCategory
S = InvitationStatus
OPENING = {"telecom-world-2015": (time(9), time(18)), "telecom-world-2013": (time(10), time(18))}


def edition(slug: str) -> Edition:
    found = db.session.scalar(select(Edition).where(Edition.slug == slug))
    assert found is not None
    return found


def invitations(ed: Edition) -> list[VipInvitation]:
    return list(db.session.scalars(select(VipInvitation).where(VipInvitation.edition_id == ed.id)))


def registrations(ed: Edition, category: RegistrationCategory) -> dict[int, Registration]:
    return {
        r.id: r
        for r in db.session.scalars(
            select(Registration).where(
                Registration.edition_id == ed.id, Registration.category == category
            )
        )
    }


def gate_entries(ed: Edition, category: RegistrationCategory) -> list[CheckIn]:
    return list(
        db.session.scalars(
            select(CheckIn).where(CheckIn.edition_id == ed.id, CheckIn.category == category)
        )
    )


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_2015_has_the_published_239_leaders_across_the_categories(app: Flask) -> None:
    load_demo_data()
    ed = edition("telecom-world-2015")
    invited = invitations(ed)
    accepted = [i for i in invited if i.status == S.ACCEPTED]

    # The published figure: 239 leaders accepted and came.
    assert len(accepted) == 239
    vips = registrations(ed, RegistrationCategory.VIP)
    confirmed = {r.id: r for r in vips.values() if r.status == RegistrationStatus.CONFIRMED}
    assert len(confirmed) == 239
    attended = {c.person_id for c in gate_entries(ed, RegistrationCategory.VIP)}
    assert attended == {r.person_id for r in confirmed.values()}

    # Few heads of state and of UN agencies, many ministers, regulators and CEOs.
    categories = Counter(i.category for i in accepted)
    assert set(categories) == set(ProtocolCategory)
    assert 1 <= categories[C.VVIP] <= 10 and 1 <= categories[C.UN] <= 6
    assert min(categories[C.MIN], categories[C.REG], categories[C.CEO]) >= 40
    assert min(categories[C.DMIN], categories[C.AMB]) >= 20
    assert Counter(r.protocol_category for r in confirmed.values()) == {
        category.value: n for category, n in categories.items()
    }

    # Others declined, were revoked or never answered; nothing is left a draft.
    statuses = Counter(i.status for i in invited)
    assert statuses[S.DECLINED] >= 50 and 3 <= statuses[S.REVOKED] <= 20
    assert statuses[S.INVITED] >= 10 and statuses[S.DRAFT] == 0

    # Many countries, all among those the participants came from; the host is there.
    countries = {i.country for i in accepted if i.country}
    assert len(countries) >= 80
    assert countries <= {code for code, _w in PARTICIPANT_SPECS[ed.slug].countries}
    assert "HU" in {i.country for i in accepted if i.category == C.VVIP}
    # One minister per country; deputies attend with their (accepted) minister.
    ministers = [i.country for i in invited if i.category == C.MIN]
    assert len(ministers) == len(set(ministers))
    minister_countries = {i.country for i in accepted if i.category == C.MIN}
    assert {i.country for i in accepted if i.category == C.DMIN} <= minister_countries

    # What precedence needs: the rank, the date of taking office (mostly known), the
    # country (or, for a UN agency or regional organisation, the organisation).
    assert 0.8 <= sum(i.took_office_on is not None for i in accepted) / len(accepted) < 1
    assert all(i.took_office_on is None or i.took_office_on < ed.start_date for i in invited)
    assert all(i.country or (i.category in (C.UN, C.AMB) and i.organisation) for i in invited)
    assert all(i.country for i in invited if i.category not in (C.UN, C.AMB))
    assert all(i.full_name and i.title and i.organisation for i in invited)
    assert all(i.form_of_address in ("H.E.", "H.R.H.") for i in invited
               if i.category in (C.VVIP, C.UN, C.MIN, C.DMIN, C.AMB))  # fmt: skip
    # Fictional addresses; no passport data is ever made up.
    people = db.session.scalars(
        select(Person).where(Person.id.in_([r.person_id for r in vips.values()]))
    ).all()
    assert all(i.email.endswith(".example.org") for i in invited)
    assert all(p.email.endswith(".example.org") for p in people)
    assert all(i.passport_encrypted is None for i in invited)


def test_every_acceptance_holds_its_badges_and_every_refusal_none(app: Flask) -> None:
    load_demo_data()
    for slug, (opening, closing) in OPENING.items():
        ed = edition(slug)
        vips = registrations(ed, RegistrationCategory.VIP)
        delegation = registrations(ed, RegistrationCategory.DELEGATION)
        sizes = Counter()
        for invitation in invitations(ed):
            members = list(
                db.session.scalars(
                    select(DelegationMember).where(DelegationMember.invitation_id == invitation.id)
                )
            )
            if invitation.status == S.ACCEPTED:
                registration = vips[invitation.registration_id]
                assert registration.status == RegistrationStatus.CONFIRMED
                assert registration.protocol_category == invitation.category.value
                assert registration.person_id == invitation.person_id
                person = registration.person
                assert person.full_name == invitation.full_name
                # The badge is the VIP's own, never the focal point's address.
                if invitation.focal_point_name:
                    assert person.email != invitation.email
                assert registration.confirmed_at == invitation.responded_at
                assert invitation.responded_at < ed.day_starts_at(ed.start_date)
                assert invitation.arrival_on <= invitation.departure_on
                assert invitation.arrival_on <= ed.end_date
                assert invitation.departure_on >= ed.start_date
                sizes[len(members)] += 1
                for member in members:
                    badge = delegation[member.registration_id]
                    assert badge.status == RegistrationStatus.CONFIRMED
                    assert badge.person_id == member.person_id
                    assert badge.protocol_category is None  # a member is not a VIP
                    assert member.email != person.email and member.function
            elif invitation.registration_id is not None:
                # Accepted first, then declined or revoked: the badges were withdrawn.
                assert invitation.status in (S.DECLINED, S.REVOKED)
                assert vips[invitation.registration_id].status == RegistrationStatus.CANCELLED
                assert all(
                    delegation[m.registration_id].status == RegistrationStatus.CANCELLED
                    for m in members
                )
            else:
                assert invitation.person_id is None and members == []
            if invitation.status == S.REVOKED:
                assert invitation.revoked_at and invitation.token_version >= 2
            if invitation.status == S.INVITED:
                assert invitation.responded_at is None and invitation.sent_at
        assert set(sizes) == {0, 1, 2, 3, 4}
        assert any(
            i.status in (S.DECLINED, S.REVOKED) and i.registration_id for i in invitations(ed)
        )

        # Gate entries: confirmed badges only, on days they were there, in opening hours.
        by_id = {**vips, **delegation}
        stays = {
            i.person_id: (i.arrival_on, i.departure_on)
            for i in invitations(ed)
            if i.status == S.ACCEPTED
        }
        entries = gate_entries(ed, RegistrationCategory.VIP)
        entries += gate_entries(ed, RegistrationCategory.DELEGATION)
        assert max(Counter((c.person_id, c.day) for c in entries).values()) == 1
        for entry in entries:
            registration = by_id[entry.registration_id]
            assert registration.status == RegistrationStatus.CONFIRMED
            assert entry.scanned_at > registration.confirmed_at
            local = entry.scanned_at.astimezone(ed.tz)
            assert local.date() == entry.day and opening <= local.time() < closing
            assert ed.start_date <= entry.day <= ed.end_date
            if entry.category == RegistrationCategory.VIP:
                arrival, departure = stays[entry.person_id]
                assert arrival <= entry.day <= departure
        members_came = {c.person_id for c in entries if c.category == "delegation"}
        assert 0.7 <= len(members_came) / sum(
            r.status == RegistrationStatus.CONFIRMED for r in delegation.values()
        ) <= 1  # fmt: skip


def test_meeting_rooms_are_busy_within_the_daily_limit(app: Flask) -> None:
    load_demo_data()
    for slug, spec in SPECS.items():
        ed = edition(slug)
        settings = db.session.scalar(
            select(ProtocolSettings).where(ProtocolSettings.edition_id == ed.id)
        )
        assert settings.slot_minutes == spec.slot_minutes
        rooms = db.session.scalars(select(MeetingRoom).where(MeetingRoom.edition_id == ed.id))
        assert sorted(r.name for r in rooms) == sorted(name for name, _c, _l in spec.rooms)
        slots = db.session.scalars(select(MeetingSlot).where(MeetingSlot.edition_id == ed.id)).all()
        days = {ed.start_date + timedelta(days=n) for n in range(4)}
        assert {s.day for s in slots} == days
        first, last = spec.meeting_hours
        for slot in slots:
            assert slot.ends_at - slot.starts_at == timedelta(minutes=settings.slot_minutes)
            local = slot.starts_at.astimezone(ed.tz)
            assert local.date() == slot.day and first <= local.time()
            assert slot.ends_at.astimezone(ed.tz).time() <= last
        assert len({(s.room_id, s.starts_at) for s in slots}) == len(slots)

        booked = [s for s in slots if s.invitation_id is not None]
        assert 0.4 <= len(booked) / len(slots) <= 0.8
        per_day = Counter((s.invitation_id, s.day) for s in booked)
        assert max(per_day.values()) == settings.max_slots_per_day  # reached, never passed
        assert len({(s.invitation_id, s.starts_at) for s in booked}) == len(booked)
        by_id = {i.id: i for i in invitations(ed)}
        came = {(c.person_id, c.day) for c in gate_entries(ed, RegistrationCategory.VIP)}
        for slot in booked:
            booker = by_id[slot.invitation_id]
            assert booker.status == S.ACCEPTED and booker.category != C.DMIN
            assert (booker.person_id, slot.day) in came  # they were there that day
            assert slot.counterpart and slot.booked_at < ed.day_starts_at(ed.start_date)
        assert any(s.booked_by_id for s in booked) and any(not s.booked_by_id for s in booked)
    protocol = get_user_by_email("protocol@telecom-world.example")
    assert protocol is not None and protocol.roles == {Role.PROTOCOL}


def test_2013_is_plausible_and_different(app: Flask) -> None:
    load_demo_data()
    ed13, ed15 = edition("telecom-world-2013"), edition("telecom-world-2015")
    accepted13 = [i for i in invitations(ed13) if i.status == S.ACCEPTED]
    accepted15 = [i for i in invitations(ed15) if i.status == S.ACCEPTED]
    assert 150 <= len(accepted13) <= 210 and len(accepted13) < len(accepted15)
    assert set(Counter(i.category for i in accepted13)) == set(ProtocolCategory)
    countries13 = {i.country for i in accepted13 if i.country}
    assert len(countries13) >= 50
    assert countries13 <= {code for code, _w in PARTICIPANT_SPECS[ed13.slug].countries}
    assert "TH" in {i.country for i in accepted13 if i.category == C.VVIP}
    assert {i.full_name for i in accepted13} != {i.full_name for i in accepted15}
    assert "Ambassador to Thailand" in {i.title for i in accepted13}
    assert "Ambassador to Hungary" in {i.title for i in accepted15}
    assert len(registrations(ed13, RegistrationCategory.VIP)) < len(
        registrations(ed15, RegistrationCategory.VIP)
    )


def test_the_demo_loads_fast_once_and_plans_the_same_every_time(app: Flask) -> None:
    # Standalone: the editions only, without the demo accounts or other demos.
    ed15 = make_edition()
    ed13 = make_edition(
        "telecom-world-2013", name="ITU TELECOM World 2013", city="Bangkok", country="TH",
        venue="IMPACT Exhibition Centre", start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22), timezone="Asia/Bangkok",
    )  # fmt: skip
    started = clock.perf_counter()
    first = {ed.slug: load_protocol_demo(ed) for ed in (ed15, ed13)}
    assert clock.perf_counter() - started < 30
    assert first["telecom-world-2015"]["vip_invitations"] == len(invitations(ed15))
    assert first["telecom-world-2015"]["meeting_rooms"] == 6
    assert all(counts["protocol_settings"] == 1 for counts in first.values())
    assert all(i.created_by_id is None for i in invitations(ed15))  # no demo account here
    assert first["telecom-world-2015"]["registrations"] == len(
        registrations(ed15, RegistrationCategory.VIP)
    ) + len(registrations(ed15, RegistrationCategory.DELEGATION))

    before = table_counts()
    again = {ed.slug: load_protocol_demo(ed) for ed in (ed15, ed13)}
    assert all(set(counts.values()) == {0} for counts in again.values())
    assert table_counts() == before

    plan, replan = plan_protocol(SPECS[ed15.slug], ed15), plan_protocol(SPECS[ed15.slug], ed15)
    assert [
        (p.email, p.status, p.check_ins, [m.email for m in p.members]) for p in plan.invitations
    ] == [
        (p.email, p.status, p.check_ins, [m.email for m in p.members]) for p in replan.invitations
    ]
    assert [(s.room, s.starts_at, s.booked_by) for s in plan.slots] == [
        (s.room, s.starts_at, s.booked_by) for s in replan.slots
    ]
    other = make_edition("telecom-world-2099", name="ITU TELECOM World 2099")
    assert set(load_protocol_demo(other).values()) == {0}
    assert invitations(other) == []
