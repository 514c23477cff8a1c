"""Importing invitations from CSV: everything is checked first, every problem is reported
with its line, and nothing is imported unless the whole file is right.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from telecom.core.errors import Forbidden
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, ProtocolCategory, VipInvitation
from telecom.protocol.services import ProtocolError, invitations
from telecom.protocol.services.invitations import ImportRejected, RowError
from tests.helpers import MailSink, make_user
from tests.protocol.support_invitations import (
    audit_actions,
    audit_count,
    invitation_count,
    minister,
    officer,
    organizer,
    upcoming_edition,
)

HEADER = (
    "name,title,form_of_address,category,country,organisation,email,focal_point_name,took_office_on"
)

GOOD = "\n".join(
    [
        HEADER,
        "Amina Diallo,Minister of Digital Economy,H.E. Ms,MIN,SN,,amina.diallo@mict.example.gov,,"
        "2019-04-07",
        '"Dilma Rousseff","President of Brazil, Head of State",H.E. Ms,VVIP,Brazil,,'
        "cerimonial@planalto.example.gov,Ms Ana Souza,2011-01-01",
        "Houlin Zhao,Secretary-General,Mr,UN,,International Telecommunication Union,"
        "sg@itu.example,,2015-01-01",
        "Zoltán Kovács,State Secretary,Mr,dmin,hun,,kovacs@kormany.example.hu,,",
        'Ana Pereira,CEO,Ms,CEO,,"Telecom Example, S.A.",ceo@telecom.example.com,,',
    ]
)


def imported(edition) -> dict[str, VipInvitation]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    rows = db.session.scalars(select(VipInvitation).where(VipInvitation.edition_id == edition.id))
    return {invitation.full_name: invitation for invitation in rows}


def rejected(edition, data: bytes) -> list[RowError]:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as refused:
        invitations.import_invitations(edition, data, actor=officer())
    assert "Nothing was imported" in refused.value.message
    assert refused.value.field == "file"
    return refused.value.errors


def file_refusal(edition, data: object) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ProtocolError) as refused:
        invitations.import_invitations(edition, data, actor=officer())  # type: ignore[arg-type]
    assert not isinstance(refused.value, ImportRejected)
    assert refused.value.field == "file"
    assert invitation_count(edition) == 0
    return refused.value.message


def test_a_correct_file_creates_every_invitation_as_a_draft(app: Flask, mail: MailSink) -> None:
    edition = upcoming_edition()
    pia = officer()
    audit_before = audit_count()

    result = invitations.import_invitations(edition, GOOD.encode(), actor=pia)

    assert result.created == 5
    found = imported(edition)
    assert set(found) == {
        "Amina Diallo", "Dilma Rousseff", "Houlin Zhao", "Zoltán Kovács", "Ana Pereira",
    }  # fmt: skip
    assert all(i.status == InvitationStatus.DRAFT for i in found.values())
    dilma = found["Dilma Rousseff"]
    assert dilma.title == "President of Brazil, Head of State"  # a quoted comma
    assert (dilma.category, dilma.country) == (ProtocolCategory.VVIP, "BR")  # an English name
    assert dilma.focal_point_name == "Ms Ana Souza"
    assert dilma.took_office_on == date(2011, 1, 1)
    zoltan = found["Zoltán Kovács"]
    assert (zoltan.category, zoltan.country) == (ProtocolCategory.DMIN, "HU")  # "dmin", "hun"
    assert zoltan.took_office_on is None
    zhao = found["Houlin Zhao"]
    assert (zhao.country, zhao.organisation) == (None, "International Telecommunication Union")
    assert found["Ana Pereira"].organisation == "Telecom Example, S.A."
    assert all(i.created_by_id == pia.id for i in found.values())
    assert audit_count() == audit_before + 5
    assert audit_actions(dilma) == ["import"]
    assert mail.messages == []  # imported invitations wait until staff send them


def test_excel_files_with_a_byte_order_mark_semicolons_and_other_header_spellings(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    data = (
        "\ufeffName;Category;Country;E-mail;Organization;Took office\r\n"
        "Amina Diallo;MIN;Allemagne;amina.diallo@mict.example.gov;;2019-04-07\r\n"
        "\r\n"  # a blank line is skipped
        "Karl Berger;REG;AT;berger@rtr.example.at;RTR;\r\n"
        ";;;;;\r\n"  # so is a line of empty cells
    ).encode("utf-8")

    with pytest.raises(ImportRejected) as refused:  # "Allemagne" is the French name
        invitations.import_invitations(edition, data, actor=officer())
    [error] = refused.value.errors
    assert (error.line, error.field) == (2, "country")

    result = invitations.import_invitations(
        # Accents do not matter in an English name.
        edition,
        data.replace(b"Allemagne", "Sénégal".encode()),
        actor=officer(),
    )
    assert result.created == 2
    found = imported(edition)
    assert found["Amina Diallo"].country == "SN"
    assert found["Karl Berger"].organisation == "RTR"


def test_a_file_with_wrong_rows_reports_every_problem_by_line_and_imports_nothing(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    data = f"""{HEADER}
Amina Diallo,Minister,H.E. Ms,MIN,SN,,amina.diallo@mict.example.gov,,2019-04-07
Jean Dupont,Head of delegation,Mr,HOD,FR,,jean.dupont@example.fr,,
Maria Rossi,Minister,H.E. Ms,MIN,Atlantis,,maria.rossi@example.it,,
Kim Lee,Regulator,Mr,REG,KR,,kim.lee-at-kcc.example.kr,,

Sara Smith,Ambassador,H.E. Ms,AMB,GB,,sara.smith@fco.example.gov.uk,,07/03/2016
,Minister,H.E.,MIN,DE,,nameless@example.de,,
Olaf Berg,Minister,H.E. Mr,XYZ,Nowhere,,olaf@,,2016-02-30
""".encode()

    errors = rejected(edition, data)

    assert [(error.line, error.field) for error in errors] == [
        (3, "category"),
        (4, "country"),
        (5, "email"),
        (7, "took_office_on"),  # line 6 is blank: lines are counted as in the file
        (8, "name"),
        (9, "category"),
        (9, "country"),
        (9, "email"),
        (9, "took_office_on"),
    ]
    messages = {(error.line, error.field): error.message for error in errors}
    assert "“HOD” is not a protocol category" in messages[(3, "category")]
    for code in ("VVIP", "UN", "MIN", "DMIN", "REG", "AMB", "CEO"):
        assert code in messages[(3, "category")]
    assert "“Atlantis” is not a country" in messages[(4, "country")]
    assert "valid e-mail" in messages[(5, "email")]
    assert "YYYY-MM-DD" in messages[(7, "took_office_on")]
    assert "“2016-02-30” is not a date" in messages[(9, "took_office_on")]
    assert "name" in messages[(8, "name")]
    assert invitation_count(edition) == 0  # not even the good lines


def test_a_missing_category_and_a_missing_email_are_reported(app: Flask) -> None:
    edition = upcoming_edition()
    errors = rejected(
        edition, b"name,category,country,email\nAmina Diallo,,SN,\nKarl Berger,REG,,x@y.example\n"
    )
    assert [(e.line, e.field) for e in errors] == [(2, "category"), (2, "email"), (3, "country")]
    assert "VVIP, UN, MIN" in errors[0].message
    assert "organisation" in errors[2].message


def test_the_same_person_twice_in_the_file_or_already_invited_is_reported(app: Flask) -> None:
    edition = upcoming_edition()
    invitations.create_invitation(
        edition, minister(full_name="Karl Berger", email="berger@rtr.example.at"), actor=officer()
    )
    data = b"""name,category,country,email
Amina Diallo,MIN,SN,amina.diallo@mict.example.gov
Karl Berger,REG,AT,Berger@RTR.example.at
amina  diallo,MIN,SN,AMINA.DIALLO@mict.example.gov
Moussa Ndiaye,DMIN,SN,amina.diallo@mict.example.gov
"""
    errors = rejected(edition, data)
    assert [(e.line, e.field) for e in errors] == [(3, "name"), (4, "name")]
    assert "already invited" in errors[0].message
    assert "already on line 2" in errors[1].message
    assert invitation_count(edition) == 1


def test_a_line_with_more_values_than_columns_is_reported(app: Flask) -> None:
    edition = upcoming_edition()
    errors = rejected(
        edition,
        b"name,category,country,email\nAmina Diallo,MIN,SN,amina@mict.example.gov,extra\n"
        b"Karl Berger,REG,AT,berger@rtr.example.at,,\n",  # empty extra cells are harmless
    )
    [error] = errors
    assert error.line == 2
    assert "5 values but the header names 4 columns" in error.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"name,category,country,email\r\n", "no invitations"),
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook", "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old-excel", "spreadsheet workbook"),
        ("name,category,email\nZoltán,MIN,z@x.example\n".encode("latin-1"), "UTF-8"),
        ("name,category,email\nAmina,MIN,a@x.example\n".encode("utf-16"), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
        (b"Amina Diallo,MIN,SN,amina@mict.example.gov\n", "must name the columns"),
        (b"name,category,email,phone\nAmina,MIN,a@x.example,123\n", "Unknown column “phone”"),
        (b"name,category,country\nAmina,MIN,SN\n", "no column “email”"),
        (b"name,category,email,Email\nAmina,MIN,a@x.example,b@x.example\n", "appears twice"),
        (b'name,category,email\n"Amina,MIN,a@x.example\n', "Line 2 could not be read"),
        (None, "Choose a CSV file"),
    ],
)
def test_a_file_that_is_no_usable_csv_gets_a_clear_message(
    app: Flask, data: bytes | None, words: str
) -> None:
    edition = upcoming_edition()
    assert words in file_refusal(edition, data)


def test_at_most_two_thousand_rows_at_a_time(app: Flask) -> None:
    edition = upcoming_edition()
    lines = [f"VIP {n},CEO,,vip{n}@company.example,Company {n}" for n in range(2001)]
    data = ("name,category,country,email,organisation\n" + "\n".join(lines)).encode()
    assert "more than 2000 rows" in file_refusal(edition, data)


def test_a_large_file_within_the_limit_is_imported_whole(app: Flask) -> None:
    edition = upcoming_edition()
    lines = [f"VIP {n},CEO,,vip{n}@company.example,Company {n}" for n in range(300)]
    data = ("name,category,country,email,organisation\n" + "\n".join(lines)).encode()
    assert invitations.import_invitations(edition, data, actor=organizer()).created == 300
    assert invitation_count(edition) == 300


def test_only_protocol_staff_and_organizers_import(app: Flask) -> None:
    edition = upcoming_edition()
    for actor in (None, make_user("someone@example.org")):
        with pytest.raises(Forbidden):
            invitations.import_invitations(edition, GOOD.encode(), actor=actor)
    assert invitation_count(edition) == 0
