"""Protocol lists: the edition's VIPs in order of precedence, on screen, as PDF and as XLSX.

A list can be narrowed to one status, or to one day: the VIPs present that
day are those who accepted and whose stay covers the day (arrival and
departure both included; a VIP who gave no dates counts for every day of the
edition, one who gave only one date from or until it). Revoked invitations
appear only when asked for by status ("revoked") or with "all".

The PDF is the protocol desk's sheet: landscape A4, in the default language
(English, like the badges the desk checks it against), set in DejaVu and
rendered offline. The XLSX table carries more (e-mail, flights, needs) for
protocol staff. Passport details are never read here: they appear in no list,
PDF or spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from telecom.auth.models import User
from telecom.core.countries import country_name
from telecom.core.models import utcnow
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.models import InvitationStatus, VipInvitation
from telecom.protocol.services import require_protocol_staff
from telecom.protocol.services.precedence import precedence_key

__all__ = [
    "ALL_STATUSES",
    "ProtocolRow",
    "protocol_list",
    "protocol_list_html",
    "protocol_list_pdf",
    "protocol_list_rows",
    "protocol_list_table",
]

STYLESHEET = Path(__file__).with_name("list_pdf.css")
ALL_STATUSES = "all"
S = InvitationStatus


def _status_filter(status: object) -> InvitationStatus | str | None:
    """A status, ALL_STATUSES, or None (the default: everything but revoked).

    A value that names no status is ignored, as a filter typed into a URL should be.
    """
    text = status.strip().lower() if isinstance(status, str) else ""
    if text == ALL_STATUSES:
        return ALL_STATUSES
    try:
        return InvitationStatus(text)
    except ValueError:
        return None


def _day_filter(day: object) -> date | None:
    if isinstance(day, datetime):
        return day.date()
    return day if isinstance(day, date) else None


def _present_on(invitation: VipInvitation, day: date, edition: Edition) -> bool:
    first = invitation.arrival_on or edition.start_date
    last = invitation.departure_on or edition.end_date
    return invitation.status == S.ACCEPTED and first <= day <= last


def protocol_list(
    edition: Edition, *, actor: User | None, status: str = "", day: date | None = None
) -> list[VipInvitation]:
    """The edition's invitations in order of precedence, filtered by status and day."""
    require_protocol_staff(actor)
    chosen = _status_filter(status)
    query = (
        select(VipInvitation)
        .options(selectinload(VipInvitation.members))
        .where(VipInvitation.edition_id == edition.id)
    )
    if isinstance(chosen, InvitationStatus):
        query = query.where(VipInvitation.status == chosen)
    elif chosen is None:
        query = query.where(VipInvitation.status != S.REVOKED)
    invitations = list(db.session.scalars(query))
    wanted_day = _day_filter(day)
    if wanted_day is not None:
        invitations = [i for i in invitations if _present_on(i, wanted_day, edition)]
    return sorted(invitations, key=precedence_key)


@dataclass
class ProtocolRow:
    """One line of a protocol list, as every export shows it."""

    position: int
    invitation: VipInvitation
    delegation_size: int | None  # active members of an accepted delegation, else None

    @property
    def display_name(self) -> str:
        invitation = self.invitation
        return " ".join(part for part in (invitation.form_of_address, invitation.full_name) if part)


def _delegation_size(invitation: VipInvitation) -> int | None:
    if invitation.status != S.ACCEPTED:
        return None
    return sum(1 for member in invitation.members if member.removed_at is None)


def protocol_list_rows(
    edition: Edition, *, actor: User | None, status: str = "", day: date | None = None
) -> list[ProtocolRow]:
    """The list numbered in order of precedence, with each delegation's size."""
    invitations = protocol_list(edition, actor=actor, status=status, day=day)
    return [
        ProtocolRow(position, invitation, _delegation_size(invitation))
        for position, invitation in enumerate(invitations, start=1)
    ]


def protocol_list_table(
    edition: Edition, *, actor: User | None, status: str = "", day: date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) for telecom.core.spreadsheets (XLSX or CSV), in the reader's language."""
    rows = protocol_list_rows(edition, actor=actor, status=status, day=day)
    headers = [
        _("No."), _("Category"), _("Form of address"), _("Name"), _("Title"), _("Country"),
        _("Organisation"), _("Status"), _("Arrival"), _("Departure"), _("Arrival flight"),
        _("Departure flight"), _("Delegation members"), _("Dietary needs"),
        _("Accessibility needs"), _("E-mail"), _("Focal point"), _("Took office on"),
    ]  # fmt: skip
    table: list[list[Any]] = []
    for row in rows:
        invitation = row.invitation
        table.append(
            [
                row.position,
                invitation.category.value,
                invitation.form_of_address,
                invitation.full_name,
                invitation.title,
                country_name(invitation.country),
                invitation.organisation,
                invitation.status.label,
                invitation.arrival_on,
                invitation.departure_on,
                invitation.arrival_flight,
                invitation.departure_flight,
                row.delegation_size,
                invitation.dietary_needs,
                invitation.accessibility_needs,
                invitation.email,
                invitation.focal_point_name,
                invitation.took_office_on,
            ]
        )
    return headers, table


def _filter_text(edition: Edition, status: str, day: date | None) -> str:
    chosen = _status_filter(status)
    if chosen == ALL_STATUSES:
        text = _("All invitations")
    elif isinstance(chosen, InvitationStatus):
        text = _("Status: %(status)s", status=chosen.label)
    else:
        text = _("All invitations except revoked ones")
    wanted_day = _day_filter(day)
    if wanted_day is not None:
        text = _("Present on %(day)s (accepted)", day=format_date(wanted_day, "full"))
        if isinstance(chosen, InvitationStatus) and chosen != S.ACCEPTED:
            text += " · " + _("Status: %(status)s", status=chosen.label)
    return text


def protocol_list_html(
    edition: Edition, *, actor: User | None, status: str = "", day: date | None = None
) -> str:
    """The HTML the PDF is drawn from (tests read it; the PDF shows the same)."""
    rows = protocol_list_rows(edition, actor=actor, status=status, day=day)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            "protocol/list_pdf.html",
            edition=edition,
            rows=rows,
            filter_text=_filter_text(edition, status, day),
            generated_at=utcnow(),
        )


def _fetcher() -> URLFetcher:
    # Fonts come from the system; nothing may be loaded from the network or the disk.
    return URLFetcher(allowed_protocols={"data"})


def protocol_list_pdf(
    edition: Edition, *, actor: User | None, status: str = "", day: date | None = None
) -> bytes:
    """The protocol desk's list as a landscape A4 PDF."""
    html = protocol_list_html(edition, actor=actor, status=status, day=day)
    fetcher = _fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    assert pdf is not None
    return pdf
