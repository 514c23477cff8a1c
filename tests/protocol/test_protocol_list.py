"""Protocol lists: filtered by status and by day, in order of precedence, as PDF (for the
protocol desk) and XLSX, with delegation sizes — and never a passport detail.
"""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
from flask import Flask
from openpyxl import load_workbook

from telecom.core.errors import Forbidden
from telecom.core.permissions import Role
from telecom.core.spreadsheets import to_csv, to_xlsx
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, ProtocolCategory
from telecom.protocol.services import lists
from telecom.protocol.services.crypto import PassportData, decrypt_passport, encrypt_passport
from tests.helpers import make_user
from tests.protocol.support_invitations import make_vip, officer, organizer, upcoming_edition

S = InvitationStatus
C = ProtocolCategory
PASSPORT_NUMBER = "XK4729183"
PASSPORT_NAME = "KWAME NKRUMAH ASANTE-MENSAH"


def names(found) -> list[str]:  # type: ignore[no-untyped-def]
    return [invitation.full_name for invitation in found]


def desk_list(edition):  # type: ignore[no-untyped-def]
    """A small edition's list: three accepted (one with passport details), one invited,
    one declined, one draft, one revoked."""
    start, end = edition.start_date, edition.end_date
    make_vip(edition, "Kwame Asante", C.MIN, country="GH", took_office_on=date(2017, 1, 7),
             form_of_address="H.E. Mr", title="Minister of Communications",
             arrival_on=start - timedelta(days=1), departure_on=start + timedelta(days=1),
             members=2)  # fmt: skip
    make_vip(edition, "Mariana Costa", C.VVIP, country="PT", form_of_address="H.E. Ms",
             title="Prime Minister")  # fmt: skip
    make_vip(edition, "Lena Berg", C.CEO, organisation="Nordic Telco AB", members=1,
             arrival_on=end, departure_on=end)  # fmt: skip
    make_vip(edition, "Ivo Petrov", C.REG, country="BG", status=S.INVITED)
    make_vip(edition, "Aroha Ngata", C.AMB, country="NZ", status=S.DECLINED, members=1)
    make_vip(edition, "Draft Person", C.UN, organisation="UNESCO", status=S.DRAFT)
    make_vip(edition, "Revoked Person", C.MIN, country="AR", status=S.REVOKED)


def with_passport(edition):  # type: ignore[no-untyped-def]
    """Kwame Asante's passport details, encrypted as the RSVP stores them; the stored blob."""
    kwame = next(
        i for i in lists.protocol_list(edition, actor=officer()) if i.full_name == "Kwame Asante"
    )
    kwame.passport_encrypted = encrypt_passport(
        PassportData(
            number=PASSPORT_NUMBER, nationality="GH", issued_on=date(2020, 2, 2),
            expires_on=date(2030, 2, 1), full_name_as_in_passport=PASSPORT_NAME,
        )
    )  # fmt: skip
    db.session.commit()
    blob = kwame.passport_encrypted
    assert decrypt_passport(blob).number == PASSPORT_NUMBER  # the details are really there
    return blob


# --- Filters -----------------------------------------------------------------------------


def test_the_list_shows_every_invitation_but_revoked_ones_in_order_of_precedence(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    pia = officer()

    assert names(lists.protocol_list(edition, actor=pia)) == [
        "Mariana Costa", "Draft Person", "Kwame Asante", "Ivo Petrov", "Aroha Ngata",
        "Lena Berg",
    ]  # fmt: skip
    assert "Revoked Person" in names(lists.protocol_list(edition, actor=pia, status="all"))
    assert names(lists.protocol_list(edition, actor=pia, status="revoked")) == ["Revoked Person"]
    assert names(lists.protocol_list(edition, actor=pia, status="accepted")) == [
        "Mariana Costa", "Kwame Asante", "Lena Berg",
    ]  # fmt: skip
    assert names(lists.protocol_list(edition, actor=pia, status="invited")) == ["Ivo Petrov"]
    assert names(lists.protocol_list(edition, actor=pia, status="declined")) == ["Aroha Ngata"]
    # A status that does not exist is ignored, as a filter typed into a URL should be.
    assert lists.protocol_list(edition, actor=pia, status="nonsense") == lists.protocol_list(
        edition, actor=pia
    )
    # Another edition's VIPs never appear.
    other = upcoming_edition("telecom-world-later")
    assert lists.protocol_list(other, actor=pia, status="all") == []


def test_the_list_of_a_day_has_the_accepted_vips_present_that_day(app: Flask) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    pia = officer()
    start, end = edition.start_date, edition.end_date

    def on(day: date, status: str = "") -> list[str]:
        return names(lists.protocol_list(edition, actor=pia, status=status, day=day))

    # Kwame: the day before the edition to its second day; Mariana: no dates, so every
    # day of the edition; Lena: the last day only. Invited and declined VIPs never.
    assert on(start - timedelta(days=1)) == ["Kwame Asante"]
    assert on(start) == ["Mariana Costa", "Kwame Asante"]
    assert on(start + timedelta(days=1)) == ["Mariana Costa", "Kwame Asante"]
    assert on(start + timedelta(days=2)) == ["Mariana Costa"]
    assert on(end) == ["Mariana Costa", "Lena Berg"]
    assert on(end + timedelta(days=1)) == []
    assert on(start, status="invited") == []
    assert on(start, status="accepted") == ["Mariana Costa", "Kwame Asante"]


def test_only_protocol_staff_and_organizers_see_or_export_the_list(app: Flask) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    assert len(lists.protocol_list(edition, actor=organizer())) == 6
    for actor in (None, make_user("reviewer@example.org", roles={Role.MEDIA_REVIEWER})):
        for export in (
            lists.protocol_list, lists.protocol_list_table, lists.protocol_list_html,
            lists.protocol_list_pdf,
        ):  # fmt: skip
            with pytest.raises(Forbidden):
                export(edition, actor=actor)


# --- Exports -------------------------------------------------------------------------------


def test_the_pdf_is_the_desk_sheet_in_order_of_precedence(app: Flask) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    pia = officer()

    pdf = lists.protocol_list_pdf(edition, actor=pia)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")

    html = lists.protocol_list_html(edition, actor=pia)
    order = ["Mariana Costa", "Draft Person", "Kwame Asante", "Ivo Petrov", "Aroha Ngata",
             "Lena Berg"]  # fmt: skip
    positions = [html.index(name) for name in order]
    assert positions == sorted(positions)
    assert "Revoked Person" not in html
    assert "H.E. Mr Kwame Asante" in html  # form of address and name together
    assert "Minister of Communications" in html
    assert "Ghana" in html and "Nordic Telco AB" in html
    assert "6 VIPs" in html
    assert "All invitations except revoked ones" in html
    # The day's list says which day it is.
    day_html = lists.protocol_list_html(edition, actor=pia, day=edition.end_date)
    assert "Present on" in day_html
    assert "Kwame Asante" not in day_html and "Lena Berg" in day_html
    assert lists.protocol_list_pdf(edition, actor=pia, day=edition.end_date).startswith(b"%PDF-")
    # An empty list is still a sheet, saying so.
    assert "No VIP matches this list." in lists.protocol_list_html(
        edition, actor=pia, status="accepted", day=edition.end_date + timedelta(days=9)
    )


def test_the_xlsx_table_reads_back_in_order_with_delegation_sizes(app: Flask) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    headers, rows = lists.protocol_list_table(edition, actor=officer(), status="accepted")

    sheet = load_workbook(io.BytesIO(to_xlsx(headers, rows, title="Protocol list"))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    assert header[:8] == [
        "No.", "Category", "Form of address", "Name", "Title", "Country", "Organisation",
        "Status",
    ]  # fmt: skip
    column = {name: index for index, name in enumerate(header)}
    body = values[1:]
    assert [row[column["Name"]] for row in body] == ["Mariana Costa", "Kwame Asante", "Lena Berg"]
    assert [row[column["No."]] for row in body] == [1, 2, 3]
    assert [row[column["Category"]] for row in body] == ["VVIP", "MIN", "CEO"]
    assert [row[column["Delegation members"]] for row in body] == [0, 2, 1]
    kwame = body[1]
    assert kwame[column["Country"]] == "Ghana"
    assert kwame[column["Arrival"]].date() == edition.start_date - timedelta(days=1)
    assert kwame[column["Status"]] == "Accepted"


def test_passport_details_never_appear_in_any_export(app: Flask) -> None:
    edition = upcoming_edition()
    desk_list(edition)
    blob = with_passport(edition)
    pia = officer()
    secrets = [PASSPORT_NUMBER, PASSPORT_NAME, "2030-02-01", "2020-02-02"]
    # The blob as bytes, and as the text forms it could take in a document.
    blob_forms = [blob, base64.b64encode(blob), blob.hex().encode(), blob[:24]]

    html = lists.protocol_list_html(edition, actor=pia, status="all")
    pdf = lists.protocol_list_pdf(edition, actor=pia, status="all")
    headers, rows = lists.protocol_list_table(edition, actor=pia, status="all")
    xlsx = to_xlsx(headers, rows)
    csv_bytes = to_csv(headers, rows)
    cells = [str(value) for row in [headers, *rows] for value in row]
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    xlsx_cells = [str(cell.value) for row in sheet.iter_rows() for cell in row]

    assert "Kwame Asante" in html and "Kwame Asante" in cells
    assert not any(isinstance(value, bytes) for row in rows for value in row)
    for secret in secrets:
        assert secret not in html
        assert not any(secret in cell for cell in cells)
        assert not any(secret in cell for cell in xlsx_cells)
        assert secret.encode() not in csv_bytes
    for form in blob_forms:
        for document in (html.encode(), pdf, xlsx, csv_bytes):
            assert form not in document
    assert "passport" not in " ".join(str(header).lower() for header in headers)
