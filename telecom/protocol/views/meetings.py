"""The protocol staff's bilateral meeting pages: rooms, their slots, the day's schedule,
bookings made for a delegation, and the protocol settings.

Every page is for protocol staff and organizers (the blueprint's
before_request); the services in telecom/protocol/services/meetings.py and
settings.py check the role again and own every rule (the per-day limit, a slot
never booked twice). A refusal is shown on the form as typed, or flashed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from telecom.core.errors import NotFound, ServiceError
from telecom.core.web import safe_next_url, show_service_error
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.protocol.forms import (
    ActionForm,
    BookSlotForm,
    GenerateSlotsForm,
    ProtocolSettingsForm,
    RoomForm,
    edition_days,
    parse_day,
)
from telecom.protocol.models import (
    InvitationStatus,
    MeetingRoom,
    MeetingSlot,
    VipInvitation,
)
from telecom.protocol.services import meetings
from telecom.protocol.services import settings as protocol_settings
from telecom.protocol.views import bp

# --------------------------------------------------------------------------- helpers


def _room(edition: Edition, room_id: int) -> MeetingRoom:
    return meetings.get_room(edition, room_id)


def _slot(edition: Edition, slot_id: int) -> MeetingSlot:
    return meetings.get_slot(edition, slot_id)


def _accepted(edition: Edition) -> list[VipInvitation]:
    """The delegations that may book: accepted invitations, by name."""
    return list(
        db.session.scalars(
            select(VipInvitation)
            .where(
                VipInvitation.edition_id == edition.id,
                VipInvitation.status == InvitationStatus.ACCEPTED,
            )
            .order_by(VipInvitation.full_name)
        )
    )


def _chosen_day(edition: Edition) -> date:
    """The day asked for in the query string, else the first day of the edition."""
    days = edition_days(edition)
    day = parse_day(request.args.get("day"))
    if day is not None and day in days:
        return day
    return days[0] if days else edition.start_date


def _clock(edition: Edition) -> Callable[[datetime], str]:
    """Shows a UTC time as the edition's local wall-clock time (24-hour, as on the programme)."""
    zone = ZoneInfo(edition.timezone)

    def local_time(value: datetime) -> str:
        return value.astimezone(zone).strftime("%H:%M")

    return local_time


def _schedule_url(slug: str, day: date | None) -> str:
    return url_for("protocol.schedule", slug=slug, day=day.isoformat() if day else None)


def _rooms_page(
    edition: Edition,
    *,
    room_form: RoomForm | None = None,
    slots_form: GenerateSlotsForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    rooms = meetings.list_rooms(edition)
    return render_template(
        "protocol/rooms.html",
        edition=edition,
        rooms=rooms,
        room_form=room_form or RoomForm(formdata=None),
        slots_form=slots_form or GenerateSlotsForm(formdata=None, edition=edition, rooms=rooms),
        settings=protocol_settings.protocol_settings(edition),
    ), status


# --------------------------------------------------------------------------- rooms


@bp.route("/meetings/rooms", methods=["GET", "POST"], endpoint="rooms")
def rooms(slug: str) -> ResponseReturnValue:
    """The rooms, a form to add one, and a form to generate a day's slots."""
    edition = edition_services.get_edition(slug)
    if request.method == "GET":
        return _rooms_page(edition)
    form = RoomForm()
    if not form.validate_on_submit():
        return _rooms_page(edition, room_form=form, status=400)
    try:
        room = meetings.create_room(
            edition, form.name.data, form.capacity.data, form.location.data or "",
            actor=current_user,
        )  # fmt: skip
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, getattr(error, "field", None))
        return _rooms_page(edition, room_form=form, status=error.status_code)
    flash(_("Meeting room %(name)s added.", name=room.name), "success")
    return redirect(url_for("protocol.rooms", slug=slug))


@bp.route("/meetings/rooms/<int:room_id>", methods=["GET", "POST"], endpoint="edit_room")
def edit_room(slug: str, room_id: int) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    room = _room(edition, room_id)
    status = 200
    if request.method == "GET":
        form = RoomForm(formdata=None, obj=room)
    else:
        form = RoomForm()
        if form.validate_on_submit():
            try:
                meetings.update_room(
                    room, form.name.data, form.capacity.data, form.location.data or "",
                    active=form.active.data, actor=current_user,
                )  # fmt: skip
            except NotFound:
                raise
            except ServiceError as error:
                db.session.rollback()
                show_service_error(form, error, getattr(error, "field", None))
                status = error.status_code
            else:
                flash(_("Meeting room saved."), "success")
                return redirect(url_for("protocol.rooms", slug=slug))
        else:
            status = 400
    return render_template("protocol/room_form.html", edition=edition, room=room, form=form), status


@bp.route("/meetings/slots/generate", methods=["POST"], endpoint="generate_slots")
def generate_slots(slug: str) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    form = GenerateSlotsForm(edition=edition, rooms=meetings.list_rooms(edition))
    if not form.validate_on_submit():
        return _rooms_page(edition, slots_form=form, status=400)
    room = _room(edition, int(form.room_id.data))
    day = parse_day(form.day.data)
    assert day is not None  # the select offers the edition's days only
    try:
        created = meetings.generate_slots(
            room, day, form.first_start.data, form.last_end.data, actor=current_user
        )
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, getattr(error, "field", None))
        return _rooms_page(edition, slots_form=form, status=error.status_code)
    if created:
        flash(
            ngettext(
                "%(num)d slot created in %(room)s.",
                "%(num)d slots created in %(room)s.",
                created,
                room=room.name,
            ),
            "success",
        )
    else:
        flash(_("No new slot: %(room)s already has these slots.", room=room.name), "info")
    return redirect(_schedule_url(slug, day))


@bp.route("/meetings/slots/<int:slot_id>/delete", methods=["POST"], endpoint="delete_slot")
def delete_slot(slug: str, slot_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    slot = _slot(edition, slot_id)
    day = slot.day
    try:
        meetings.delete_slot(slot, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The slot was removed."), "info")
    return redirect(_schedule_url(slug, day))


# --------------------------------------------------------------------------- the schedule


@bp.route("/meetings", endpoint="schedule")
def schedule(slug: str) -> ResponseReturnValue:
    """One day: a row per start time, a column per room; who booked each slot."""
    edition = edition_services.get_edition(slug)
    day = _chosen_day(edition)
    slots = meetings.slots_for(edition, day=day)
    rooms = meetings.list_rooms(edition)
    used_rooms = {slot.room_id for slot in slots}
    shown_rooms = [room for room in rooms if room.active or room.id in used_rooms]
    grid: dict[tuple[object, int], MeetingSlot] = {}
    starts = sorted({slot.starts_at for slot in slots})
    for slot in slots:
        grid[(slot.starts_at, slot.room_id)] = slot
    booked_ids = {slot.invitation_id for slot in slots if slot.invitation_id is not None}
    delegations = {}
    if booked_ids:
        delegations = {
            invitation.id: invitation
            for invitation in db.session.scalars(
                select(VipInvitation).where(VipInvitation.id.in_(booked_ids))
            )
        }
    return render_template(
        "protocol/schedule.html",
        edition=edition,
        day=day,
        days=edition_days(edition),
        rooms=shown_rooms,
        starts=starts,
        grid=grid,
        delegations=delegations,
        action_form=ActionForm(),
        local_time=_clock(edition),
    )


@bp.route("/meetings/slots/<int:slot_id>/book", methods=["GET", "POST"], endpoint="book_slot")
def book_slot(slug: str, slot_id: int) -> ResponseReturnValue:
    """Book a free slot for an accepted delegation (the RSVP page does the same for them)."""
    edition = edition_services.get_edition(slug)
    slot = _slot(edition, slot_id)
    form = BookSlotForm(invitations=_accepted(edition))
    status = 200
    if slot.invitation_id is not None and request.method == "GET":
        flash(_("This slot is already booked."), "warning")
        return redirect(_schedule_url(slug, slot.day))
    if form.validate_on_submit():
        invitation = None
        chosen = form.chosen_id()
        if chosen is not None:
            invitation = db.session.get(VipInvitation, chosen)
        if invitation is None or invitation.edition_id != edition.id:
            form.invitation_id.errors = [_("Choose the delegation.")]
            status = 400
        else:
            try:
                meetings.book_slot(
                    slot.id, invitation, counterpart=form.counterpart.data or "",
                    actor=current_user,
                )  # fmt: skip
            except NotFound:
                raise
            except ServiceError as error:
                field = getattr(error, "field", None)
                show_service_error(form, error, "invitation_id" if field is None else field)
                status = error.status_code
            else:
                flash(
                    _(
                        "%(room)s booked for %(name)s.",
                        room=slot.room.name,
                        name=invitation.full_name,
                    ),
                    "success",
                )
                return redirect(_schedule_url(slug, slot.day))
    elif form.is_submitted():
        status = 400
    return render_template(
        "protocol/book_slot.html",
        edition=edition,
        slot=slot,
        form=form,
        local_time=_clock(edition),
    ), status


@bp.route("/meetings/slots/<int:slot_id>/cancel", methods=["POST"], endpoint="cancel_booking")
def cancel_booking(slug: str, slot_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    slot = _slot(edition, slot_id)
    day = slot.day
    back = safe_next_url(request.form.get("next"), _schedule_url(slug, day))
    invitation = db.session.get(VipInvitation, slot.invitation_id) if slot.invitation_id else None
    if invitation is None:
        flash(_("This slot is not booked."), "info")
        return redirect(back)
    try:
        meetings.cancel_booking(slot.id, invitation, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Booking cancelled; the slot is free again."), "info")
    return redirect(back)


# --------------------------------------------------------------------------- settings


@bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
def settings(slug: str) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    form = ProtocolSettingsForm(
        obj=protocol_settings.settings_data(protocol_settings.protocol_settings(edition))
    )
    status = 200
    if form.validate_on_submit():
        try:
            protocol_settings.save_protocol_settings(edition, form.to_data(), actor=current_user)
        except NotFound:
            raise
        except ServiceError as error:
            show_service_error(form, error, getattr(error, "field", None))
            status = error.status_code
        else:
            flash(_("Protocol settings saved."), "success")
            return redirect(url_for("protocol.settings", slug=slug))
    elif form.is_submitted():
        status = 400
    return render_template("protocol/settings.html", edition=edition, form=form), status
