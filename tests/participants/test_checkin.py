"""Check-in at the gate and at forum sessions: every result, idempotent scans, the scanner page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from telecom.core.errors import Conflict, Forbidden, ValidationError
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    RegistrationCategory,
    RegistrationStatus,
    ScanAttempt,
    ScanResult,
)
from telecom.participants.services import checkin
from telecom.participants.services.badges import reissue_badge
from tests.helpers import html, log_in, make_edition, make_organizer, make_user
from tests.participants.checkin_support import (
    code_of,
    counts,
    local,
    make_registration,
    make_staff,
    new_scan_id,
)

DAY1 = date(2015, 10, 12)
DAY2 = date(2015, 10, 13)


@pytest.fixture
def edition(app):  # type: ignore[no-untyped-def]
    return make_edition()


@pytest.fixture
def staff(app):  # type: ignore[no-untyped-def]
    return make_staff()


def scan_at(edition, staff, code, when, *, point=CheckInPoint.GATE, point_ref="", scan_id=None):  # type: ignore[no-untyped-def]
    return checkin.scan(
        edition,
        code=code,
        scan_id=scan_id or new_scan_id(),
        scanned_at=when,
        point=point,
        point_ref=point_ref,
        staff=staff,
    )


# --- every result ---------------------------------------------------------------------


def test_a_confirmed_visitor_is_welcomed_and_counted_once(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition, full_name="Vera Visitor", organisation="Acme")
    outcome = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9))

    assert outcome.result == ScanResult.WELCOME
    assert outcome.admitted
    assert outcome.person_name == "Vera Visitor"
    assert outcome.category == "visitor"
    assert outcome.category_label == "Visitor"
    assert outcome.organisation == "Acme"
    assert "Vera Visitor" in outcome.message
    assert counts() == (1, 1)
    check_in = db.session.query(CheckIn).one()
    assert (check_in.day, check_in.point, check_in.point_ref) == (DAY1, CheckInPoint.GATE, "")
    assert check_in.category == RegistrationCategory.VISITOR
    assert check_in.staff_id == staff.id
    attempt = db.session.query(ScanAttempt).one()
    assert attempt.result == ScanResult.WELCOME
    assert attempt.check_in_id == check_in.id


def test_the_same_scan_sent_twice_returns_the_stored_result(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    scan_id = new_scan_id()
    first = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9), scan_id=scan_id)
    again = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9), scan_id=scan_id)

    assert first.result == again.result == ScanResult.WELCOME
    assert not first.replayed and again.replayed
    assert again.person_name == "Vera Visitor"
    assert counts() == (1, 1)


def test_a_second_scan_is_already_checked_in_and_only_logged(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9, 5))
    second = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 15))

    assert second.result == ScanResult.ALREADY_CHECKED_IN
    assert not second.admitted
    assert second.person_name == "Vera Visitor"
    assert "09:05" in second.message  # when the person came in, in the venue's time
    assert counts() == (1, 2)


def test_the_next_day_admits_again(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    code = code_of(registration)
    assert scan_at(edition, staff, code, local(edition, DAY1, 9)).result == ScanResult.WELCOME
    assert scan_at(edition, staff, code, local(edition, DAY2, 9)).result == ScanResult.WELCOME
    assert sorted(c.day for c in db.session.query(CheckIn)) == [DAY1, DAY2]


def test_days_are_counted_in_the_editions_time_zone(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    code = code_of(registration)
    late = local(edition, DAY1, 23, 30)
    early = local(edition, DAY2, 0, 30)
    # Both moments fall on the same UTC date; at the venue they are two days.
    assert late.astimezone(UTC).date() == early.astimezone(UTC).date()

    assert scan_at(edition, staff, code, late).result == ScanResult.WELCOME
    assert scan_at(edition, staff, code, early).result == ScanResult.WELCOME
    assert sorted(c.day for c in db.session.query(CheckIn)) == [DAY1, DAY2]


def test_outside_the_event_days_is_not_valid_today(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    before = scan_at(
        edition, staff, code_of(registration), local(edition, DAY1, 9) - timedelta(days=1)
    )
    after = scan_at(edition, staff, code_of(registration), local(edition, date(2015, 10, 16), 9))

    assert before.result == after.result == ScanResult.NOT_VALID_TODAY
    assert before.person_name == "Vera Visitor"
    assert counts() == (0, 2)


def test_a_day_pass_is_not_valid_on_other_days(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition, valid_from=DAY2, valid_until=DAY2)
    code = code_of(registration)
    refused = scan_at(edition, staff, code, local(edition, DAY1, 10))
    admitted = scan_at(edition, staff, code, local(edition, DAY2, 10))

    assert refused.result == ScanResult.NOT_VALID_TODAY
    assert "not valid" in refused.message
    assert admitted.result == ScanResult.WELCOME
    assert counts() == (1, 2)


def test_a_cancelled_registration_is_refused(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition, status=RegistrationStatus.CANCELLED)
    outcome = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9))
    assert outcome.result == ScanResult.CANCELLED
    assert counts() == (0, 1)


def test_a_badge_of_another_edition_is_wrong_edition(edition, staff):  # type: ignore[no-untyped-def]
    older = make_edition(
        "telecom-world-2013",
        name="ITU TELECOM World 2013",
        start_date=date(2013, 11, 19),
        end_date=date(2013, 11, 22),
        city="Bangkok",
        country="TH",
        timezone="Asia/Bangkok",
    )
    registration = make_registration(older)
    outcome = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9))
    assert outcome.result == ScanResult.WRONG_EDITION
    assert outcome.person_name == ""  # not this edition's business
    assert counts() == (0, 1)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: "hello world",  # a QR code that is not a badge
        lambda code: code[:-3],  # truncated
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # forged signature
        lambda code: code[:5] + ("A" if code[5] != "A" else "B") + code[6:],  # changed payload
    ],
    ids=["not-a-badge", "truncated", "forged-signature", "changed-payload"],
)
def test_unreadable_or_forged_codes_are_unknown(edition, staff, mangle):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    outcome = scan_at(edition, staff, mangle(code_of(registration)), local(edition, DAY1, 9))
    assert outcome.result == ScanResult.UNKNOWN
    assert outcome.person_name == ""
    assert counts() == (0, 1)


def test_a_lowercase_code_from_a_keyboard_scanner_is_read(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    code = f"  {code_of(registration).lower()}\n"
    assert scan_at(edition, staff, code, local(edition, DAY1, 9)).result == ScanResult.WELCOME


def test_a_reissued_badge_refuses_the_old_code(edition, staff):  # type: ignore[no-untyped-def]
    organizer = make_organizer()
    registration = make_registration(edition)
    old_code = code_of(registration)
    reissue_badge(registration, actor=organizer)
    new_code = code_of(registration)

    old = scan_at(edition, staff, old_code, local(edition, DAY1, 9))
    assert old.result == ScanResult.UNKNOWN
    assert "replaced" in old.message
    assert scan_at(edition, staff, new_code, local(edition, DAY1, 9)).result == ScanResult.WELCOME


def test_a_pending_registration_is_unknown(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition, status=RegistrationStatus.PENDING)
    outcome = scan_at(edition, staff, code_of(registration), local(edition, DAY1, 9))
    assert outcome.result == ScanResult.UNKNOWN
    assert "not confirmed" in outcome.message
    assert counts() == (0, 1)


def test_forum_sessions_need_forum_access(edition, staff):  # type: ignore[no-untyped-def]
    visitor = make_registration(edition)
    delegate = make_registration(edition, "fiona@example.org", full_name="Fiona", forum_access=True)
    when = local(edition, DAY1, 11)

    refused = scan_at(
        edition, staff, code_of(visitor), when, point=CheckInPoint.SESSION, point_ref="42"
    )
    assert refused.result == ScanResult.NO_ACCESS

    first = scan_at(
        edition, staff, code_of(delegate), when, point=CheckInPoint.SESSION, point_ref="42"
    )
    again = scan_at(
        edition, staff, code_of(delegate), when, point=CheckInPoint.SESSION, point_ref="42"
    )
    other = scan_at(
        edition, staff, code_of(delegate), when, point=CheckInPoint.SESSION, point_ref="43"
    )
    gate = scan_at(edition, staff, code_of(delegate), when)
    assert first.result == ScanResult.WELCOME
    assert again.result == ScanResult.ALREADY_CHECKED_IN
    assert other.result == ScanResult.WELCOME  # each session counts on its own
    assert gate.result == ScanResult.WELCOME  # and the gate too
    points = sorted((c.point.value, c.point_ref) for c in db.session.query(CheckIn))
    assert points == [("gate", ""), ("session", "42"), ("session", "43")]


def test_the_api_point_string_names_a_session(edition, staff):  # type: ignore[no-untyped-def]
    delegate = make_registration(edition, forum_access=True)
    outcome = scan_at(edition, staff, code_of(delegate), local(edition, DAY1, 11), point="17")
    assert outcome.result == ScanResult.WELCOME
    assert (outcome.point, outcome.point_ref) == (CheckInPoint.SESSION, "17")


# --- refused scans ---------------------------------------------------------------------


def test_a_scan_id_reused_for_another_code_is_refused(edition, staff):  # type: ignore[no-untyped-def]
    first = make_registration(edition)
    second = make_registration(edition, "other@example.org", full_name="Otto")
    scan_id = new_scan_id()
    scan_at(edition, staff, code_of(first), local(edition, DAY1, 9), scan_id=scan_id)
    with pytest.raises(Conflict, match="already used for a different scan"):
        scan_at(edition, staff, code_of(second), local(edition, DAY1, 9), scan_id=scan_id)
    assert counts() == (1, 1)


def test_future_naive_and_unparseable_times_are_refused(edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    code = code_of(registration)
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ValidationError, match="future"):
        scan_at(edition, staff, code, future)
    with pytest.raises(ValidationError, match="offset"):
        scan_at(edition, staff, code, "2015-10-12T09:00:00")
    with pytest.raises(ValidationError, match="ISO 8601"):
        scan_at(edition, staff, code, "yesterday at nine")
    # A small clock skew of the scanner is tolerated.
    skewed = scan_at(edition, staff, code, datetime.now(UTC) + timedelta(minutes=2))
    assert skewed.result == ScanResult.NOT_VALID_TODAY
    assert counts() == (0, 1)


def test_only_checkin_staff_and_organizers_may_scan(edition):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    participant = make_user("p@example.org", roles={Role.PARTICIPANT})
    with pytest.raises(Forbidden):
        scan_at(edition, participant, code_of(registration), local(edition, DAY1, 9))
    organizer = make_organizer()
    assert (
        scan_at(edition, organizer, code_of(registration), local(edition, DAY1, 9)).result
        == ScanResult.WELCOME
    )


# --- live counts -----------------------------------------------------------------------


def test_live_counts_are_exact(edition, staff):  # type: ignore[no-untyped-def]
    organizer = make_organizer()
    vera = make_registration(edition)
    mia = make_registration(edition, "mia@example.org", category=RegistrationCategory.MEDIA)
    scan_at(edition, staff, code_of(vera), local(edition, DAY1, 9))
    scan_at(edition, staff, code_of(vera), local(edition, DAY2, 9))
    scan_at(edition, staff, code_of(vera), local(edition, DAY2, 10))  # duplicate
    scan_at(edition, staff, code_of(mia), local(edition, DAY2, 9))
    scan_at(edition, staff, "garbage", local(edition, DAY2, 9))

    counts_ = checkin.live_counts(edition, actor=organizer, now=local(edition, DAY2, 12))
    assert counts_.today == DAY2
    assert counts_.in_event
    assert counts_.entries_today == 2
    assert counts_.people_so_far == 2
    assert counts_.visits_so_far == 3
    by_category = {
        row.category: (row.entries_today, row.people_so_far) for row in counts_.by_category
    }
    assert by_category == {
        RegistrationCategory.VISITOR: (1, 1),
        RegistrationCategory.MEDIA: (1, 1),
    }
    assert counts_.scans_today == 4
    assert counts_.refused_today == 1
    assert counts_.by_result_today[ScanResult.ALREADY_CHECKED_IN] == 1

    with pytest.raises(Forbidden):
        checkin.live_counts(edition, actor=staff)


def test_the_live_page_shows_the_counts_and_refreshes_itself(app, client, edition, staff):  # type: ignore[no-untyped-def]
    make_organizer()
    url = f"/organizer/editions/{edition.slug}/participants/live"
    log_in(client, "organizer@example.org")
    page = client.get(url)
    assert page.status_code == 200
    text = html(page)
    assert '<meta http-equiv="refresh" content="30">' in text
    assert 'id="people-so-far">0<' in text

    staff_client = app.test_client()
    log_in(staff_client, "gate@example.org")
    assert staff_client.get(url).status_code == 403


# --- the scanner page -----------------------------------------------------------------


def scanner_url(edition) -> str:  # type: ignore[no-untyped-def]
    return f"/checkin/editions/{edition.slug}/"


def test_the_scanner_page_is_for_checkin_staff_and_organizers(app, client, edition, staff):  # type: ignore[no-untyped-def]
    anonymous = client.get(scanner_url(edition))
    assert anonymous.status_code == 302
    assert "/account/login" in anonymous.headers["Location"]

    make_user("p@example.org", roles={Role.PARTICIPANT})
    participant = app.test_client()
    log_in(participant, "p@example.org")
    assert participant.get(scanner_url(edition)).status_code == 403

    log_in(client, "gate@example.org")
    page = client.get(scanner_url(edition))
    assert page.status_code == 200
    text = html(page)
    # Strict CSP: every script is a file, no inline handlers or styles.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "/static/vendor/jsqr-1.4.0/jsQR.js" in text
    assert "/static/js/scanner.js" in text
    assert not re.search(r"\son[a-z]+=", text)
    assert " style=" not in text
    with client.get("/static/vendor/jsqr-1.4.0/jsQR.js") as script:
        assert script.status_code == 200


def test_the_scanner_endpoint_answers_json_with_csrf(app, client, edition, staff):  # type: ignore[no-untyped-def]
    registration = make_registration(edition)
    log_in(client, "gate@example.org")
    page = html(client.get(scanner_url(edition)))
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    url = f"/checkin/editions/{edition.slug}/scans"
    body = {"code": code_of(registration), "scan_id": new_scan_id(), "point": "gate"}

    refused = client.post(url, json=body, headers={"Accept": "application/json"})
    assert refused.status_code == 400  # no CSRF token
    assert counts() == (0, 0)

    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == 200
    # The page is used on site: "today" is the server's day, outside the 2015 dates.
    assert answer.get_json()["result"] == ScanResult.NOT_VALID_TODAY.value
    retried = client.post(url, json=body, headers=headers)
    assert retried.get_json()["replayed"] is True
    assert counts() == (0, 1)

    bad = client.post(url, json={"code": "", "scan_id": new_scan_id()}, headers=headers)
    assert bad.status_code == 400
    assert "error" in bad.get_json()


def test_the_scanner_form_works_without_javascript(app, client, staff):  # type: ignore[no-untyped-def]
    today = datetime.now(UTC).date()
    edition = make_edition(
        "telecom-world-now",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
        timezone="UTC",
    )
    registration = make_registration(edition, full_name="Nora Now", organisation="Now Ltd")
    log_in(client, "gate@example.org")
    page = html(client.get(scanner_url(edition)))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    scan_id = re.search(r'name="scan_id" id="scan-id" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": csrf,
        "scan_id": scan_id,
        "point_kind": "gate",
        "code": code_of(registration),
    }

    answer = client.post(f"/checkin/editions/{edition.slug}/scans", data=form)
    assert answer.status_code == 200
    text = html(answer)
    assert 'data-result="welcome"' in text
    assert "text-bg-success" in text
    assert "Nora Now" in text and "Now Ltd" in text

    again = html(
        client.post(
            f"/checkin/editions/{edition.slug}/scans", data={**form, "scan_id": new_scan_id()}
        )
    )
    assert 'data-result="already_checked_in"' in again
    assert "text-bg-warning" in again
    assert counts() == (1, 2)
