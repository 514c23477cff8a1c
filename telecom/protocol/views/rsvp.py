"""The VIP's (or focal point's) RSVP pages: the personal link is the only key.

No account is needed: the signed token in the address opens one invitation
(tokens.invitation_from_token checks the signature, its age, and that it is
the latest link of an invitation that is not revoked). A link that no longer
works gets a page that says why and whom to ask, never a 500.

The token must not leak: every page of this blueprint (error pages included)
is sent with `Referrer-Policy: no-referrer`, so following a link out never
hands the address to another site, and `Cache-Control: private, no-store`,
so no shared cache or browser history keeps it with the page. Passport details
are never shown back once saved; the page only says they are on file.

Views stay thin: the reply goes to services.rsvp (accept, decline), a meeting
to services.meetings (book_slot, cancel_booking); a refusal is shown beside
the field it names, keeping what was typed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import select

from telecom.core.errors import NotFound, ServiceError
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Person, Registration, RegistrationStatus
from telecom.protocol.models import InvitationStatus, MeetingSlot, VipInvitation
from telecom.protocol.rsvp_forms import MAX_MEMBERS, BookSlotForm, RsvpForm
from telecom.protocol.services import crypto, meetings, rsvp, tokens
from telecom.protocol.services.settings import protocol_settings
from telecom.protocol.views import rsvp_bp


class LinkRefused(Exception):
    """The RSVP link does not open an invitation (tampered, expired, superseded, revoked)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@rsvp_bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """The token is in the address: never pass it on, never let a cache keep the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@rsvp_bp.errorhandler(LinkRefused)
def link_refused(error: LinkRefused) -> ResponseReturnValue:
    return render_template("rsvp/invalid.html", message=error.message), 404


def _open(token: str) -> VipInvitation:
    try:
        return tokens.invitation_from_token(token)
    except NotFound as error:
        raise LinkRefused(error.message) from None


def _edition(invitation: VipInvitation) -> Edition:
    edition = db.session.get(Edition, invitation.edition_id)
    assert edition is not None  # the foreign key cascades: an invitation always has one
    return edition


def _addressee(invitation: VipInvitation) -> str:
    """The invitee as the invitation addresses them: "H.E. Ms Amina Diallo"."""
    return " ".join(part for part in (invitation.form_of_address, invitation.full_name) if part)


def _vip_email(invitation: VipInvitation) -> str:
    """What the VIP e-mail field shows at first.

    The VIP's own address once known; before that the invitation's address
    only when it is the VIP's (no focal point named): a focal point's address
    must never become the VIP's.
    """
    if invitation.person_id is not None:
        person = db.session.get(Person, invitation.person_id)
        if person is not None:
            return person.email
    return "" if invitation.focal_point_name else invitation.email


def _invitation_page(
    token: str, invitation: VipInvitation, form: RsvpForm | None = None
) -> ResponseReturnValue:
    if form is None:
        form = RsvpForm(formdata=None)
        form.fill(invitation, _vip_email(invitation))
    edition = _edition(invitation)
    return render_template(
        "rsvp/invitation.html",
        token=token,
        invitation=invitation,
        addressee=_addressee(invitation),
        edition=edition,
        settings=protocol_settings(edition),
        form=form,
        Status=InvitationStatus,
        passport_available=crypto.passport_encryption_available(),
        passport_on_file=invitation.passport_encrypted is not None,
        max_members=MAX_MEMBERS,
    )


@rsvp_bp.route("/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """The invitation, and the reply: accept (with details and delegation) or decline."""
    invitation = _open(token)
    if request.method == "GET":
        return _invitation_page(token, invitation)
    form = RsvpForm()
    if "more_rows" in request.form:
        # Only more empty rows: nothing is sent, nothing is checked yet.
        if not form.add_rows():
            flash(_("A delegation may have at most %(n)d members.", n=MAX_MEMBERS), "warning")
        return _invitation_page(token, invitation, form)
    if not form.validate_on_submit():
        return _invitation_page(token, invitation, form)
    if not form.accepting:
        try:
            rsvp.decline(invitation, note=form.note.data or "")
        except NotFound as error:
            raise LinkRefused(error.message) from None
        except ServiceError as error:
            flash(error.message, "danger")
            return _invitation_page(token, invitation, form)
        flash(
            _("Your reply is recorded: the invitation is declined. Thank you for telling us."),
            "info",
        )
        return redirect(url_for("rsvp.invitation", token=token))
    try:
        rsvp.accept(
            invitation,
            form.to_details(),
            form.to_members(),
            vip_email=form.vip_email.data or "",
            passport=form.to_passport(),
        )
    except NotFound as error:
        raise LinkRefused(error.message) from None
    except ServiceError as error:
        if not form.show_error(getattr(error, "field", None), error.message):
            form.form_errors.append(error.message)
        return _invitation_page(token, invitation, form)
    return redirect(url_for("rsvp.confirmation", token=token))


# --------------------------------------------------------------------------- confirmation


@dataclass
class Badge:
    """One line of the confirmation: whose badge, and whether it still admits them."""

    name: str
    function: str
    category: str
    cancelled: bool


def _badges(invitation: VipInvitation) -> list[Badge]:
    """The badges sent for this invitation: the VIP's, then each current member's."""
    ids = [invitation.registration_id] + [
        member.registration_id for member in invitation.members if member.removed_at is None
    ]
    found = {
        registration.id: registration
        for registration in db.session.scalars(
            select(Registration).where(Registration.id.in_([i for i in ids if i is not None]))
        )
    }
    badges: list[Badge] = []
    vip = found.get(invitation.registration_id) if invitation.registration_id else None
    if vip is not None:
        badges.append(
            Badge(
                vip.person.full_name,
                invitation.title,
                vip.category.label,
                vip.status == RegistrationStatus.CANCELLED,
            )
        )
    for member in invitation.members:
        registration = found.get(member.registration_id) if member.registration_id else None
        if member.removed_at is None and registration is not None:
            badges.append(
                Badge(
                    member.full_name,
                    member.function,
                    registration.category.label,
                    registration.status == RegistrationStatus.CANCELLED,
                )
            )
    return badges


@rsvp_bp.route("/<token>/confirmed")
def confirmation(token: str) -> ResponseReturnValue:
    """After accepting: the badges that were e-mailed, and the bilateral meetings."""
    invitation = _open(token)
    if invitation.status != InvitationStatus.ACCEPTED:
        return redirect(url_for("rsvp.invitation", token=token))
    edition = _edition(invitation)
    return render_template(
        "rsvp/confirmation.html",
        token=token,
        invitation=invitation,
        addressee=_addressee(invitation),
        edition=edition,
        settings=protocol_settings(edition),
        badges=_badges(invitation),
        passport_on_file=invitation.passport_encrypted is not None,
        **_meetings_context(invitation, edition),
    )


# --------------------------------------------------------------------------- meetings


@dataclass
class SlotView:
    """A slot as the page shows it: times already in the edition's time zone."""

    id: int
    room: str
    location: str
    starts: str
    ends: str
    counterpart: str = ""


@dataclass
class DayView:
    """One day of the edition: the delegation's bookings, and the free slots by room."""

    day: date
    booked: list[SlotView] = field(default_factory=list)
    free: dict[str, list[SlotView]] = field(default_factory=dict)


def _slot_view(slot: MeetingSlot, zone: tzinfo) -> SlotView:
    def local(moment: datetime) -> str:
        return format_time(moment.astimezone(zone).time(), "short", rebase=False)

    return SlotView(
        id=slot.id, room=slot.room.name, location=slot.room.location,
        starts=local(slot.starts_at), ends=local(slot.ends_at), counterpart=slot.counterpart,
    )  # fmt: skip


def _meetings_context(invitation: VipInvitation, edition: Edition) -> dict[str, Any]:
    """Free slots by day and room, with the delegation's own bookings on each day."""
    zone = edition.tz
    days: dict[date, DayView] = {}
    for slot in meetings.bookings_of(invitation):
        days.setdefault(slot.day, DayView(slot.day)).booked.append(_slot_view(slot, zone))
    by_room: dict[date, dict[str, list[SlotView]]] = defaultdict(lambda: defaultdict(list))
    for slot in meetings.free_slots(edition):
        by_room[slot.day][slot.room.name].append(_slot_view(slot, zone))
    for day, rooms in by_room.items():
        days.setdefault(day, DayView(day)).free = dict(rooms)
    return {
        "days": [days[day] for day in sorted(days)],
        "book_form": BookSlotForm(formdata=None),
        "max_per_day": protocol_settings(edition).max_slots_per_day,
    }


def _back_to_meetings(token: str) -> ResponseReturnValue:
    return redirect(url_for("rsvp.confirmation", token=token, _anchor="meetings"))


@rsvp_bp.route("/<token>/meetings/book", methods=["POST"])
def book_slot(token: str) -> ResponseReturnValue:
    invitation = _open(token)
    form = BookSlotForm()
    slot_id = form.slot() if form.validate_on_submit() else None
    if slot_id is None:
        problems = form.counterpart.errors
        flash(problems[0] if problems else _("Choose a free slot to book."), "warning")
        return _back_to_meetings(token)
    try:
        meetings.book_slot(slot_id, invitation, counterpart=form.counterpart.data or "")
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The meeting slot is booked for your delegation."), "success")
    return _back_to_meetings(token)


@rsvp_bp.route("/<token>/meetings/<int:slot_id>/cancel", methods=["POST"])
def cancel_slot(token: str, slot_id: int) -> ResponseReturnValue:
    invitation = _open(token)
    try:
        meetings.cancel_booking(slot_id, invitation)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The booking is cancelled; the slot is free again."), "info")
    return _back_to_meetings(token)
