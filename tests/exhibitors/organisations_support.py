"""Helpers the organisation, directory and export tests share (no tests here).

Halls and booths are made directly with the models (the floor-plan editor is
another feature); bookings go through the real booking service.
"""

from __future__ import annotations

import struct
import zlib
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.outbox import OutboxMessage
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
    PavilionKind,
    Sector,
    TurnoverBand,
)
from telecom.exhibitors.services import booking as booking_services
from telecom.exhibitors.services import organisations as services
from telecom.extensions import db
from tests.helpers import log_in

__test__ = False  # helpers only

SLUG = "telecom-world-2015"

REGISTRATION = {
    "legal_name": "Magyar Telekom Nyrt.",
    "display_name": "Magyar Telekom",
    "country": "HU",
    "sector": "operator",
    "turnover_band": "1b_10b",
    "pavilion_kind": "",
    "website": "www.telekom.hu",
    "description": "Hungary's leading operator.\n\n5G demonstrations at our booth.",
    "billing_address": "Könyves Kálmán krt. 36\n1097 Budapest",
    "vat_number": "HU10773381",
    "contact_name": "Anna Kovács",
    "contact_email": "anna@telekom.example",
    "contact_phone": "+36 1 123 4567",
}


def png_bytes(width: int = 2, height: int = 2, padding: int = 0) -> bytes:
    """A real PNG image (optionally followed by `padding` bytes of trailing data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x00\x9c\xd6" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    image = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return image + b"\x00" * padding


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def use_upload_folder(app: Flask, tmp_path: Path) -> Path:
    """Send uploaded files to a temporary folder, never into instance/."""
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def stored_logos(folder: Path) -> list[str]:
    logos = folder / "logos"
    return (
        sorted(p.name for p in logos.iterdir() if not p.name.startswith("."))
        if logos.exists()
        else []
    )


def client_for(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    log_in(client, email)
    return client


def organisation_data(legal_name: str, **overrides: object) -> services.OrganisationData:
    values: dict = {
        "legal_name": legal_name,
        "display_name": overrides.pop("display_name", legal_name),
        "country": "CH",
        "sector": Sector.EQUIPMENT_VENDOR,
        "turnover_band": TurnoverBand.FROM_100M_TO_1B,
        "contact_name": "Contact Person",
        "contact_email": "contact@example.org",
    }
    values.update(overrides)
    return services.OrganisationData(**values)


def register(edition: Edition, user: User, legal_name: str, **overrides: object) -> Organisation:
    return services.register_organisation(
        edition, organisation_data(legal_name, **overrides), actor=user
    )


def register_pavilion(edition: Edition, user: User, legal_name: str, **overrides: object):
    overrides.setdefault("pavilion_kind", PavilionKind.NATIONAL)
    return register(edition, user, legal_name, **overrides)


def invite(
    pavilion: Organisation, user: User, legal_name: str, **overrides: object
) -> Organisation:
    values: dict = {
        "legal_name": legal_name,
        "display_name": overrides.pop("display_name", legal_name),
        "country": pavilion.country,
        "sector": Sector.STARTUP_SME,
        "turnover_band": TurnoverBand.UNDER_10M,
        "contact_name": "Co Contact",
        "contact_email": "co@example.org",
    }
    values.update(overrides)
    return services.invite_co_exhibitor(pavilion, services.CoExhibitorData(**values), actor=user)


def make_hall(edition: Edition, code: str = "F", name: str | None = None) -> Hall:
    hall = Hall(
        edition_id=edition.id, code=code, name=name or f"Hall {code}",
        width=Decimal("100"), depth=Decimal("60"),
    )  # fmt: skip
    db.session.add(hall)
    commit()
    return hall


def make_booth(
    hall: Hall,
    code: str,
    width: str = "3",
    depth: str = "3",
    *,
    x: str = "0",
    y: str = "0",
    blocked: bool = False,
) -> Booth:
    booth = Booth(
        edition_id=hall.edition_id, hall_id=hall.id, code=code,
        x=Decimal(x), y=Decimal(y), width=Decimal(width), depth=Decimal(depth),
        booth_type=BoothType.SPACE_ONLY, open_sides=1, blocked=blocked,
    )  # fmt: skip
    db.session.add(booth)
    commit()
    return booth


def hold(booth: Booth, organisation: Organisation, organizer: User) -> BoothBooking:
    return booking_services.hold_booth(booth.id, organisation, actor=organizer)


def book(booth: Booth, organisation: Organisation, organizer: User) -> BoothBooking:
    """A confirmed booking, through the booking service's hold and confirm."""
    booking = hold(booth, organisation, organizer)
    booking_services.confirm_booking(booking, actor=organizer)
    return booking


def audit_actions(object_type: str, object_id: int) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id)
        )
    )


def outbox_to(address: str, subject_contains: str = "") -> list[OutboxMessage]:
    db.session.rollback()
    query = select(OutboxMessage).where(OutboxMessage.recipient == address)
    if subject_contains:
        query = query.where(OutboxMessage.subject.contains(subject_contains))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def reload(organisation_id: int) -> Organisation:
    db.session.rollback()
    db.session.expire_all()
    found = db.session.get(Organisation, organisation_id)
    assert found is not None
    return found
