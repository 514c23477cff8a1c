"""The floor plan in and out of CSV: all or nothing, line-numbered errors, updates by code,
booked booths protected, and export → import changes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from telecom.core.audit import AuditEntry
from telecom.core.errors import ValidationError
from telecom.events.models import Edition
from telecom.exhibitors.models import Booth, BoothType
from telecom.exhibitors.services import floorplan_csv
from telecom.extensions import db
from tests.core import action_token, visible_text
from tests.exhibitors.floorplan_support import (
    ADMIN,
    book,
    booth,
    booth_by_code,
    hall,
    hold,
    organisation,
    system_organizer,
)
from tests.helpers import log_in, make_edition, make_organizer

IMPORT = f"{ADMIN}/floorplan/import"
EXPORT = f"{ADMIN}/floorplan/export.csv"
HEADER = "code,hall,x,y,width,depth,type,open_sides,pavilion,price_override\n"


@pytest.fixture
def edition(app) -> Edition:
    edition = make_edition()
    hall(edition, "F", "60", "40")
    hall(edition, "G", "30", "20")
    return edition


@pytest.fixture
def organizer_client(client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


def upload(
    client: FlaskClient,
    content: bytes | str,
    *,
    confirm: bool = False,
    check_only: bool = False,
    filename: str = "plan.csv",
    follow: bool = True,
):  # type: ignore[no-untyped-def]
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = {
        "csrf_token": action_token(client, IMPORT),
        "file": FileStorage(io.BytesIO(data), filename, content_type="text/csv"),
        ("check" if check_only else "submit"): "x",
    }
    if confirm:
        form["confirm_booked"] = "y"
    # Encoded here, as bytes: the test client would spool a large body to a
    # temporary file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(
        IMPORT,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        follow_redirects=follow,
    )


def booth_count(edition: Edition) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Booth.id)).where(Booth.edition_id == edition.id))


def snapshot(edition: Edition) -> list[tuple]:
    db.session.rollback()
    return [
        tuple(row)
        for row in db.session.execute(
            select(
                Booth.code, Booth.hall_id, Booth.x, Booth.y, Booth.width, Booth.depth,
                Booth.booth_type, Booth.open_sides, Booth.pavilion_id, Booth.price_override,
            )
            .where(Booth.edition_id == edition.id)
            .order_by(Booth.code)
        )
    ]  # fmt: skip


def test_a_whole_plan_is_imported_from_csv(organizer_client, edition):
    pavilion = organisation(edition, "Hungary", pavilion=True)
    response = upload(
        organizer_client,
        HEADER
        + "F1,F,0,0,3,3,shell_scheme,1,,\n"
        + "f2,f,3,0,6,3,Space only,corner,Hungary Ltd,\n"  # labels and lower case are fine
        + "G1,G,0,0,10,10,space_only,island,hungary,25000\n"  # display name, any case
        + "\n",  # blank lines are skipped
    )
    text = visible_text(response)
    assert "Floor plan imported: 3 created, 0 updated, 0 unchanged." in text
    f2 = booth_by_code(edition, "F2")
    assert (f2.x, f2.width, f2.booth_type, f2.open_sides, f2.pavilion_id) == (
        Decimal("3.00"), Decimal("6.00"), BoothType.SPACE_ONLY, 2, pavilion.id,
    )  # fmt: skip
    assert booth_by_code(edition, "G1").price_override == Decimal("25000.00")
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.object_type == "booths", AuditEntry.action == "create"
            )
        )
        == 3
    )
    summary = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "floorplan_import")
    ).one()
    assert summary.after == {"created": 3, "updated": 0, "unchanged": 0, "booked_changes": []}


def test_any_wrong_row_applies_nothing_and_every_error_has_its_line(organizer_client, edition):
    existing = booth(edition, edition_hall(edition, "F"), "F50", "30", "30", "6", "6")
    organisation(edition, "Plain Company")
    before = snapshot(edition)
    content = (
        HEADER
        + "F1,F,0,0,3,3,shell_scheme,1,,\n"  # line 2: fine
        + "F2,Z,0,0,3,3,shell_scheme,1,,\n"  # 3: unknown hall
        + "F3,F,abc,0,3,3,shell_scheme,1,,\n"  # 4: not a number
        + "F4,F,3,0,3,3,wood,5,,\n"  # 5: two problems
        + "F1,F,6,0,3,3,shell_scheme,1,,\n"  # 6: code repeated
        + "F6,F,58,0,3,3,shell_scheme,1,,\n"  # 7: outside the hall
        + "F7,F,31,31,3,3,shell_scheme,1,,\n"  # 8: overlaps F50 on the plan
        + "F8,F,1,1,3,3,shell_scheme,1,,\n"  # 9: overlaps F1 of line 2
        + "F9,F,12,0,3,3,shell_scheme,1,Nobody,\n"  # 10: unknown pavilion
        + "F10,F,15,0,3,3,shell_scheme,1,Plain Company,\n"  # 11: not a pavilion
        + "F11,F,18,0,0,3,shell_scheme,1,,-4\n"  # 12: zero width, negative price
        + "F12,F,21,0,3\n"  # 13: too few values
        + "F13,F,24,0,2.5,3,shell_scheme,1,,\n"  # 14: fine
        + 'F14,F,27,0,"3,5",3,shell_scheme,1,,\n'  # 15: decimal comma
    )
    response = upload(organizer_client, content)

    assert response.status_code == 200
    text = visible_text(response)
    assert "problems: nothing was imported." in text
    expected = [
        "3 There is no hall “Z” in this edition; create it under Halls first.",
        "4 The x position “abc” is not a number.",
        "5 The type “wood” is unknown: use space_only or shell_scheme.",
        "5 open_sides must be 1 to 4 (inline, corner, peninsula, island), not “5”.",
        "6 Booth F1 is already on line 2 of this file.",
        "7 Booth F6 does not fit in hall F: it would reach x 61 m and y 3 m, "
        "but the hall is 60 m × 40 m.",
        "8 Booth F7 would overlap booth F50 (x 30–36 m, y 30–36 m). "
        "(already on the plan, not in this file)",
        "9 Booth F8 would overlap booth F1 (x 0–3 m, y 0–3 m). (line 2)",
        "10 There is no pavilion “Nobody” in this edition.",
        "11 “Plain Company” is not marked as a pavilion.",
        "12 The booth width must be more than 0 m.",
        "12 The price override must be an amount of 0 or more.",
        "13 Expected 10 values, found 5.",
        "15 The booth width “3,5” is not a number: use a point as the decimal separator.",
    ]  # fmt: skip
    for line in expected:
        assert line in text, line
    assert response.get_data(as_text=True).count("<tr><td>") == len(expected)  # not line 2 or 14
    assert snapshot(edition) == before
    assert existing.id
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "floorplan_import")
        )
        == 0
    )


def edition_hall(edition: Edition, code: str):  # type: ignore[no-untyped-def]
    from telecom.exhibitors.models import Hall

    return db.session.scalar(select(Hall).where(Hall.edition_id == edition.id, Hall.code == code))


def test_a_re_import_updates_by_code_and_counts(organizer_client, edition):
    upload(
        organizer_client,
        HEADER + "F1,F,0,0,3,3,shell_scheme,1,,\nF2,F,3,0,3,3,shell_scheme,1,,\n"
        "F3,F,6,0,3,3,shell_scheme,1,,\n",
    )
    first_ids = {code: booth_by_code(edition, code).id for code in ("F1", "F2", "F3")}

    response = upload(
        organizer_client,
        HEADER
        + "F1,F,0,0,3.00,3,shell_scheme,1,,\n"  # same values, other spelling: unchanged
        + "F2,F,3,0,3,4.5,space_only,2,,9999.90\n"  # changed
        + "F4,G,0,0,3,3,shell_scheme,1,,\n",  # new; F3 is not in the file and stays
    )
    assert "Floor plan imported: 1 created, 1 updated, 1 unchanged." in visible_text(response)
    f2 = booth_by_code(edition, "F2")
    assert f2.id == first_ids["F2"]
    assert (f2.depth, f2.booth_type, f2.price_override) == (
        Decimal("4.50"), BoothType.SPACE_ONLY, Decimal("9999.90"),
    )  # fmt: skip
    assert booth_by_code(edition, "F3").id == first_ids["F3"]
    assert booth_count(edition) == 4


def test_moving_booths_around_in_one_file_is_judged_on_the_result(organizer_client, edition):
    """Swapping two booths' places is fine even though each new place is the other's old one."""
    upload(
        organizer_client, HEADER + "F1,F,0,0,3,3,shell_scheme,1,,\nF2,F,3,0,3,3,shell_scheme,1,,\n"
    )
    response = upload(
        organizer_client, HEADER + "F1,F,3,0,3,3,shell_scheme,1,,\nF2,F,0,0,3,3,shell_scheme,1,,\n"
    )
    assert "0 created, 2 updated, 0 unchanged" in visible_text(response)
    assert booth_by_code(edition, "F1").x == Decimal("3.00")


def test_a_booked_booth_is_never_changed_silently(organizer_client, edition):
    upload(
        organizer_client, HEADER + "F1,F,0,0,3,3,shell_scheme,1,,\nF2,F,3,0,3,3,shell_scheme,1,,\n"
    )
    book(booth_by_code(edition, "F1"), organisation(edition, "Cisco"))
    hold(booth_by_code(edition, "F2"), organisation(edition, "Juniper"))
    change = HEADER + "F1,F,0,0,3,4,shell_scheme,1,,\nF2,F,3,0,3,3,shell_scheme,1,,500\n"

    response = upload(organizer_client, change)
    text = visible_text(response)
    assert "nothing was imported" in text
    assert "2 Booth F1 is booked by Cisco: changing its size affects their booking." in text
    assert "3 Booth F2 is held by Juniper: changing its price affects their booking." in text
    assert booth_by_code(edition, "F1").depth == Decimal("3.00")

    # Unchanged rows of booked booths are no problem at all.
    same = HEADER + "F1,F,0,0,3,3,shell_scheme,1,,\nF2,F,3,0,3,3,shell_scheme,1,,\n"
    assert "0 created, 0 updated, 2 unchanged" in visible_text(upload(organizer_client, same))

    response = upload(organizer_client, change, confirm=True)
    text = visible_text(response)
    assert "0 created, 2 updated, 0 unchanged." in text
    assert "2 held or booked booths were changed as you confirmed: F1, F2." in text
    assert booth_by_code(edition, "F1").depth == Decimal("4.00")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.object_type == "booths")
    ).first()
    assert entry.after["booked_change_confirmed"] is True


def test_check_only_reports_without_applying(organizer_client, edition):
    response = upload(organizer_client, HEADER + "F1,F,0,0,3,3,shell_scheme,1,,\n", check_only=True)
    text = visible_text(response)
    assert "The file is correct." in text
    assert "Importing it would create 1 booths, update 0 and leave 0 unchanged." in text
    assert booth_count(edition) == 0


def test_export_then_import_changes_nothing(organizer_client, edition):
    pavilion = organisation(edition, "=cmd|' /C calc'!A0", pavilion=True)  # a hostile name
    hall_f, hall_g = edition_hall(edition, "F"), edition_hall(edition, "G")
    booth(edition, hall_f, "F1", "0", "0", "3", "3")
    booth(edition, hall_f, "F10", "10.5", "2.25", "4.75", "3", open_sides=3)
    booth(edition, hall_f, "F2", "3", "0", "6", "3", booth_type=BoothType.SPACE_ONLY,
          pavilion=pavilion, price_override="12000.5")  # fmt: skip
    booth(edition, hall_g, "G1", "0", "0", "10", "10", open_sides=4)
    book(booth_by_code(edition, "F1"), organisation(edition, "Booked Co"))
    before = snapshot(edition)

    exported = organizer_client.get(EXPORT)
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert 'filename="telecom-world-2015-floorplan.csv"' in exported.headers["Content-Disposition"]
    content = exported.get_data()
    assert content.startswith(b"\xef\xbb\xbf")  # spreadsheets then read it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        list(floorplan_csv.COLUMNS),
        ["F1", "F", "0", "0", "3", "3", "shell_scheme", "1", "", ""],
        ["F2", "F", "3", "0", "6", "3", "space_only", "1", "'=cmd|' /C calc'!A0 Ltd", "12000.50"],
        ["F10", "F", "10.5", "2.25", "4.75", "3", "shell_scheme", "3", "", ""],
        ["G1", "G", "0", "0", "10", "10", "shell_scheme", "4", "", ""],
    ]  # fmt: skip

    response = upload(organizer_client, content)
    assert "Floor plan imported: 0 created, 0 updated, 4 unchanged." in visible_text(response)
    assert snapshot(edition) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER.encode() + "F1,Hallé,0,0,3,3,shell_scheme,1,,\n".encode("latin-1"),
         "The file is not UTF-8 text"),
        (b"PK\x03\x04" + b"\x00" * 100, "This is a spreadsheet workbook, not a CSV file."),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "This is a spreadsheet workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file."),
        (b"", "The file is empty."),
        (b"code;hall\nF1;F\n", "The first line must name the columns"),
        (b"name,size\nF1,9\n", "Missing: code, hall, x"),
    ],
)  # fmt: skip
def test_unusable_files_get_a_clear_message(organizer_client, edition, content, message):
    response = upload(organizer_client, content)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert booth_count(edition) == 0


def test_an_empty_upload_field_is_refused(organizer_client, edition):
    response = organizer_client.post(
        IMPORT,
        data={"csrf_token": action_token(organizer_client, IMPORT), "submit": "x"},
        content_type="multipart/form-data",
    )
    assert "Choose a CSV file to upload." in visible_text(response)


def test_semicolons_quotes_and_a_byte_order_mark_are_read(organizer_client, edition):
    organisation(edition, 'Pavilion; with "quotes"', pavilion=True)
    content = (
        "\ufeffCode;Hall;X;Y;Width;Depth;Type;Open sides;Pavilion;Price override\r\n"
        'F1;F;0;0;3;3;shell_scheme;1;"Pavilion; with ""quotes"" Ltd";\r\n'
    ).encode()
    response = upload(organizer_client, content)
    assert "1 created" in visible_text(response)
    assert booth_by_code(edition, "F1").pavilion_id is not None


def test_the_size_limit(organizer_client, edition):
    just_over = HEADER.encode() + b"#" * floorplan_csv.MAX_IMPORT_BYTES
    response = upload(organizer_client, just_over)
    assert "The file is larger than 2 MB" in visible_text(response)

    over = HEADER.encode() + b"#" * (2 * floorplan_csv.MAX_IMPORT_BYTES)
    assert "The file is larger than 2 MB" in visible_text(upload(organizer_client, over))

    # A body far over the limit is refused before it is read.
    far_over = b"x" * (3 * floorplan_csv.MAX_IMPORT_BYTES)
    response = upload(organizer_client, far_over)
    assert response.status_code == 413
    assert "The upload is larger than allowed." in visible_text(response)
    assert booth_count(edition) == 0


def test_the_service_checks_the_file_before_anything_else(app, edition):
    with pytest.raises(ValidationError, match="not UTF-8"):
        floorplan_csv.import_floorplan(edition, b"\xff\xfe abc", actor=system_organizer())


def test_the_import_page_documents_the_format(organizer_client, edition):
    text = visible_text(organizer_client.get(IMPORT))
    assert "code,hall,x,y,width,depth,type,open_sides,pavilion,price_override" in text
    assert "An unknown hall is an error; halls are never created by the import." in text
    assert "at most 2 MB" in text
