"""Helpers of the buyer-side payment tests (order page, bank transfer, documents)."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal

from sqlalchemy import select

from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.payments.models import Order, PaymentSettings
from telecom.payments.services import open_order
from tests.exhibitors.factories import Show, hold, make_show

BANK = {
    "bank_account_holder": "International Telecommunication Union",
    "bank_name": "UBS Switzerland AG",
    "bank_iban": "CH93 0076 2011 6238 5295 7",
    "bank_bic": "UBSWCHZH80A",
}


def save_payment_settings(edition: Edition, **values: object) -> PaymentSettings:
    """Store the edition's payment settings directly (the settings page has its own tests)."""
    settings = db.session.scalar(
        select(PaymentSettings).where(PaymentSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = PaymentSettings(edition_id=edition.id)
        db.session.add(settings)
    for name, value in {**BANK, **values}.items():
        setattr(settings, name, value)
    commit()
    return settings


def make_payable_show() -> Show:
    """make_show() with the billing details an invoice prints and the bank's details."""
    show = make_show()
    show.acme.billing_address = "Rue du Rhône 1\n1204 Genève"
    show.acme.vat_number = "CHE-123.456.789 MWST"
    commit()
    save_payment_settings(show.edition, transfer_days=14)
    return show


def held_order(show: Show, *codes: str) -> Order:
    """Acme holds the booths (F-101 by default); its open order."""
    for code in codes or ("F-101",):
        hold(show, code)
    order = open_order(show.acme)
    assert order is not None
    return order


def fresh(order: Order) -> Order:
    db.session.expire_all()
    found = db.session.get(Order, order.id)
    assert found is not None
    return found


def money(value: str) -> Decimal:
    return Decimal(value)


# --- Reading the words back out of a WeasyPrint PDF --------------------------------
#
# pypdf is not a dependency; WeasyPrint writes every font with a ToUnicode map
# and draws text as hex glyph strings, so the few lines below recover the text
# well enough to find a number or a reference in it. (Only what WeasyPrint
# writes: FlateDecode streams, bfchar/bfrange maps, <hex> Tj/TJ strings.)

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for raw in _STREAM.findall(pdf):
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return found


def _unicode_maps(streams: list[bytes]) -> dict[str, str]:
    glyphs: dict[str, str] = {}
    for data in streams:
        if b"begincmap" not in data:
            continue
        text = data.decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            for glyph, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[glyph.upper()] = bytes.fromhex(uni).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            for start, end, uni in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                width = len(start)
                base = int(uni, 16)
                for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                    glyphs[f"{code:0{width}X}"] = chr(base + offset)
    return glyphs


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages, glyph by glyph (spacing is approximate)."""
    streams = _streams(pdf)
    glyphs = _unicode_maps(streams)
    width = len(next(iter(glyphs))) if glyphs else 4
    out: list[str] = []
    for data in streams:
        if b"BT" not in data or b"begincmap" in data:
            continue
        for chunk in re.findall(rb"\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", data, re.S):
            strings = re.findall(rb"<([0-9A-Fa-f]*)>", chunk[0]) if chunk[0] else [chunk[1]]
            for hexed in strings:
                code = hexed.decode().upper()
                out.extend(glyphs.get(code[i : i + width], "") for i in range(0, len(code), width))
            out.append(" ")
    return re.sub(r"\s+", " ", "".join(out))
