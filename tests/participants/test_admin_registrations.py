"""Organizers search registrations, open one, and export registrations and check-ins."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.participants.models import (
    PassType,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from tests.exhibitors.factories import make_organisation
from tests.helpers import html, log_in, make_edition, make_organizer, make_user
from tests.participants.codes_support import (
    StatementCounter,
    check_in,
    make_pass,
    make_person,
    make_registration,
)

MONDAY, TUESDAY = date(2015, 10, 12), date(2015, 10, 13)


@dataclass
class Crowd:
    edition: Edition
    organizer: User
    day_pass: PassType
    full_pass: PassType
    acme: Organisation
    vera: Registration  # visitor, HU, checked in twice
    sam: Registration  # exhibitor staff of Acme, DE
    erased: Registration  # an erased visitor, FR, checked in once
    cancelled: Registration  # a cancelled visitor, US
    tricky: Registration  # a name a spreadsheet would run as a formula


@pytest.fixture
def crowd(app) -> Crowd:  # type: ignore[no-untyped-def]
    edition = make_edition()
    organizer = make_organizer()
    day_pass = make_pass(edition, "Exhibition day pass", price="50", days_valid=1)
    full_pass = make_pass(edition, "Full exhibition pass")
    acme = make_organisation(edition, "Acme Telecom")
    vera = make_registration(
        edition,
        make_person("vera@visitor.example", "Vera Visitor", country="HU",
                    organisation_name="Danube Data"),
        pass_type=full_pass,
    )  # fmt: skip
    audit.record("register", vera, actor=None, edition_id=edition.id, after={"status": "x"})
    commit()
    sam = make_registration(
        edition, make_person("sam@acme.example", "Sam Staff", country="DE"),
        category=RegistrationCategory.EXHIBITOR_STAFF, organisation=acme,
    )  # fmt: skip
    erased_person = make_person(
        "erased-123@erased.invalid", "Erased", country="FR",
        erased_at=datetime(2015, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    erased = make_registration(edition, erased_person, pass_type=day_pass)
    cancelled = make_registration(
        edition, make_person("carl@cancel.example", "Carl Cancelled", country="US"),
        pass_type=day_pass, status=RegistrationStatus.CANCELLED,
    )  # fmt: skip
    tricky = make_registration(
        edition, make_person("eve@evil.example", "=HYPERLINK(\"http://x\")", country="HU",
                             organisation_name="@SUM(A1)"),
        pass_type=full_pass,
    )  # fmt: skip
    check_in(vera, MONDAY, hour=9)
    check_in(vera, TUESDAY, hour=14)
    check_in(erased, MONDAY, hour=11)
    return Crowd(edition, organizer, day_pass, full_pass, acme, vera, sam, erased, cancelled,
                 tricky)  # fmt: skip


@pytest.fixture
def organizer_client(app, crowd):  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, crowd.organizer.email)
    return client


def base(crowd: Crowd) -> str:
    return f"/organizer/editions/{crowd.edition.slug}/participants"


def listed_ids(client, url: str) -> set[int]:  # type: ignore[no-untyped-def]
    import re

    response = client.get(url)
    assert response.status_code == 200
    return {int(n) for n in re.findall(r'id="registration-(\d+)"', html(response))}


def test_the_list_shows_everyone_with_erased_people_anonymised(crowd, organizer_client):
    page = html(organizer_client.get(f"{base(crowd)}/registrations"))
    assert "5 registrations" in page
    assert "Vera Visitor" in page and "vera@visitor.example" in page
    assert "Erased participant" in page
    assert "erased-123@erased.invalid" not in page
    assert "Acme Telecom" in page  # the exhibitor of a staff registration


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vera", {"vera"}),
        ("VISITOR.EXAMPLE", {"vera"}),
        ("danube", {"vera"}),
        ("acme", {"sam"}),
        ("erased", set()),  # an erased person is never found by e-mail or name
        ("erased.invalid", set()),
    ],
)
def test_search_by_name_email_and_organisation(crowd, organizer_client, query, expected):
    found = listed_ids(organizer_client, f"{base(crowd)}/registrations?q={query}")
    assert found == {getattr(crowd, name).id for name in expected}


def test_search_by_registration_number(crowd, organizer_client):
    number = crowd.erased.id
    for typed in (str(number), f"#{number}", f"{number:06d}", f"No. {number}"):
        url = f"{base(crowd)}/registrations?{urlencode({'q': typed})}"
        assert listed_ids(organizer_client, url) == {number}


def test_filters(crowd, organizer_client):
    url = f"{base(crowd)}/registrations"
    assert listed_ids(organizer_client, f"{url}?category=exhibitor_staff") == {crowd.sam.id}
    assert listed_ids(organizer_client, f"{url}?status=cancelled") == {crowd.cancelled.id}
    assert listed_ids(organizer_client, f"{url}?pass_type={crowd.day_pass.id}") == {
        crowd.erased.id, crowd.cancelled.id,
    }  # fmt: skip
    assert listed_ids(organizer_client, f"{url}?country=HU") == {crowd.vera.id, crowd.tricky.id}
    assert listed_ids(organizer_client, f"{url}?checked_in=yes") == {
        crowd.vera.id, crowd.erased.id,
    }  # fmt: skip
    assert listed_ids(organizer_client, f"{url}?checked_in=no&country=HU") == {crowd.tricky.id}
    # Nonsense values match nothing rather than failing.
    assert listed_ids(organizer_client, f"{url}?status=bogus") == set()
    assert listed_ids(organizer_client, f"{url}?pass_type=abc") == set()


def test_the_list_is_paginated(crowd, organizer_client):
    for n in range(60):
        make_registration(crowd.edition, make_person(f"p{n:02d}@crowd.example", f"Zed {n:02d}"))
    url = f"{base(crowd)}/registrations"
    first = listed_ids(organizer_client, url)
    second = listed_ids(organizer_client, f"{url}?page=2")
    assert len(first) == 50 and len(second) == 15
    assert not first & second


def test_the_detail_page(crowd, organizer_client):
    page = html(organizer_client.get(f"{base(crowd)}/registrations/{crowd.vera.id}"))
    assert "Vera Visitor" in page and "vera@visitor.example" in page
    assert "Full exhibition pass" in page
    assert "Danube Data" in page
    assert page.count("<tr><td>") >= 2  # two check-ins
    assert ">register<" in page  # the audit trail
    assert "Re-issue badge" in page and "Print badge" in page
    assert f"/registrations/{crowd.vera.id}/reissue-badge" in page

    erased = html(organizer_client.get(f"{base(crowd)}/registrations/{crowd.erased.id}"))
    assert "Erased participant" in erased and "erased-123@erased.invalid" not in erased

    other = make_edition("telecom-world-2013", name="ITU TELECOM World 2013")
    assert (
        organizer_client.get(
            f"/organizer/editions/{other.slug}/participants/registrations/{crowd.vera.id}"
        ).status_code
        == 404
    )
    assert organizer_client.get(f"{base(crowd)}/registrations/999999").status_code == 404


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_registrations_export_is_filtered_and_formula_safe(crowd, organizer_client):
    rows = read_csv(organizer_client.get(f"{base(crowd)}/registrations.csv?country=HU"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Registration ID", "Name", "E-mail"]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == {crowd.vera.id, crowd.tricky.id}
    assert by_id[crowd.vera.id]["Days checked in"] == "2"
    assert by_id[crowd.vera.id]["Country"] == "Hungary"
    assert by_id[crowd.tricky.id]["Name"] == '\'=HYPERLINK("http://x")'
    assert by_id[crowd.tricky.id]["Organisation"] == "'@SUM(A1)"

    staff = read_csv(organizer_client.get(f"{base(crowd)}/registrations.csv?q=acme"))
    assert [row[0] for row in staff[1:]] == [str(crowd.sam.id)]
    assert staff[1][3] == "Acme Telecom"

    everyone = read_csv(organizer_client.get(f"{base(crowd)}/registrations.csv"))
    erased = next(row for row in everyone if row[0] == str(crowd.erased.id))
    assert erased[1] == "Erased participant" and erased[2] == ""

    response = organizer_client.get(f"{base(crowd)}/registrations.xlsx?country=HU")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    names = {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)}
    assert '=HYPERLINK("http://x")' in names
    cell = next(c for c in sheet["B"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, not a formula


def test_the_check_in_export_has_local_times_and_no_personal_details(crowd, organizer_client):
    rows = read_csv(organizer_client.get(f"{base(crowd)}/check-ins.csv"))
    assert rows[0] == ["Day", "Time (local)", "Point", "Session", "Category", "Country code",
                       "Country", "Registration ID"]  # fmt: skip
    body = rows[1:]
    assert len(body) == 3
    # 07:15 UTC is 09:15 in Budapest in October (CEST).
    assert body[0][:3] == ["2015-10-12", "09:15:00", "Gate"]
    assert body[0][5:] == ["HU", "Hungary", str(crowd.vera.id)]
    text = "\n".join(",".join(row) for row in rows)
    assert "@" not in text and "Vera" not in text

    response = organizer_client.get(f"{base(crowd)}/check-ins.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 4


def statements(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with StatementCounter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_statement_counts_do_not_grow_with_rows(crowd, organizer_client):
    urls = [
        f"{base(crowd)}/registrations",
        f"{base(crowd)}/registrations.csv",
        f"{base(crowd)}/registrations.xlsx",
        f"{base(crowd)}/check-ins.csv",
    ]
    before = [statements(organizer_client, url) for url in urls]
    acme_two = make_organisation(crowd.edition, "Beta Networks")
    for n in range(20):
        registration = make_registration(
            crowd.edition,
            make_person(f"more{n}@crowd.example", f"More {n}", country="AT"),
            pass_type=crowd.day_pass if n % 2 else crowd.full_pass,
            category=RegistrationCategory.EXHIBITOR_STAFF if n % 3 == 0 else
            RegistrationCategory.VISITOR,
            organisation=acme_two if n % 3 == 0 else None,
        )  # fmt: skip
        check_in(registration, MONDAY)
    after = [statements(organizer_client, url) for url in urls]
    assert after == before


def test_only_organizers_see_registrations(crowd, app):
    client = app.test_client()
    make_user("nosy@example.org")
    log_in(client, "nosy@example.org")
    for path in ("registrations", f"registrations/{crowd.vera.id}", "registrations.csv",
                 "check-ins.xlsx"):  # fmt: skip
        assert client.get(f"{base(crowd)}/{path}").status_code == 403


def test_the_edition_page_links_to_the_participants(crowd, organizer_client):
    page = html(organizer_client.get(f"/organizer/editions/{crowd.edition.slug}"))
    assert f"{base(crowd)}/registrations" in page
