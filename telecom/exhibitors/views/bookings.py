"""Booking routes: the booth page and its hold, an exhibitor's bookings and staff,
the organizer's booking list, booth actions and exhibition settings.

Views stay thin: they parse the form, call one service, and turn a refused
action (ServiceError) into a flash message or a form error.
"""

from __future__ import annotations

from math import ceil

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from telecom.auth.forms import EmptyForm
from telecom.core.audit import entries_for_object
from telecom.core.errors import NotFound, ServiceError
from telecom.core.models import utcnow
from telecom.core.pagination import paginate
from telecom.core.templating import format_timestamp
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.exhibitors.forms.bookings import (
    BlockForm,
    BookingFilterForm,
    CancelForm,
    ConfirmForm,
    HoldForm,
    MoveForm,
    OrganizerHoldForm,
    SettingsForm,
    StaffForm,
    UnblockForm,
)
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    Booth,
    BoothBooking,
    Organisation,
)
from telecom.exhibitors.services import access, booking, staff
from telecom.exhibitors.services.pricing import price_booth
from telecom.exhibitors.services.settings import SettingsError, settings_for, update_settings
from telecom.exhibitors.views import bp, organizer_bp
from telecom.payments import services as orders

# end_reason values the booking service writes itself, shown in the reader's language.
END_REASONS = {
    "hold expired": _l("The hold expired."),
    "released by exhibitor": _l("Released by the exhibitor."),
}


def _login_redirect(next_url: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("auth.login", next=next_url or request.full_path.rstrip("?")))


def _register_url(edition: Edition) -> str:
    try:
        return url_for("exhibitors.register_organisation", slug=edition.slug)
    except BuildError:
        return f"/editions/{edition.slug}/exhibitors/register"


def _managed_organisation(edition: Edition, organisation_id: int) -> Organisation:
    """An organisation of this edition that the current user manages (404 otherwise)."""
    organisation = access.get_managed_organisation(current_user, organisation_id)
    if organisation.edition_id != edition.id:
        raise NotFound(_("There is no such organisation."))
    return organisation


def _holdable_organisations(booth: Booth, organisations: list[Organisation]) -> list[Organisation]:
    """Which of the user's organisations could take this booth (co-exhibitors cannot)."""
    eligible = [o for o in organisations if o.pavilion_id is None]
    if booth.pavilion_id is not None:
        eligible = [o for o in eligible if o.id == booth.pavilion_id]
    return eligible


def _minutes_left(held_until, now) -> int:  # type: ignore[no-untyped-def]
    return max(0, ceil((held_until - now).total_seconds() / 60))


# --- Exhibitor side ---------------------------------------------------------------


@bp.route("/editions/<slug>/booths/<int:booth_id>")
def booth_detail(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = booking.get_booth(edition, booth_id)
    now = utcnow()
    live = booking.live_booking(booth, now)
    status = booking.booth_status(booth, live, now)
    settings = settings_for(edition)
    organisations = access.organisations_of(current_user, edition.id)
    eligible = _holdable_organisations(booth, organisations)
    if eligible:
        quotes = [
            (o, price_booth(booth, settings, edition.currency, o.rate_category)) for o in eligible
        ]
    else:
        quotes = [(None, price_booth(booth, settings, edition.currency))]
    own_ids = {o.id for o in organisations}
    return render_template(
        "exhibitors/bookings/booth_detail.html",
        edition=edition,
        booth=booth,
        status=status,
        live=live,
        own_booking=live if live is not None and live.organisation_id in own_ids else None,
        organisations=organisations,
        eligible=eligible,
        quotes=quotes,
        hold_minutes=settings.hold_minutes,
        form=HoldForm(eligible),
        register_url=_register_url(edition),
        is_organizer=access.is_organizer(current_user),
    )


@bp.route("/editions/<slug>/booths/<int:booth_id>/hold", methods=["POST"])
def hold_booth(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = booking.get_booth(edition, booth_id)
    back = url_for("exhibitors.booth_detail", slug=edition.slug, booth_id=booth.id)
    if not current_user.is_authenticated:
        return _login_redirect(back)
    # Every organisation of the user is accepted here: for one that cannot take
    # this booth (pavilion space, a co-exhibitor) the service says why.
    organisations = access.organisations_of(current_user, edition.id)
    form = HoldForm(organisations)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            flash(_("The form expired. Please submit it again."), "danger")
        elif not organisations:
            flash(_("Register your organisation for this edition first."), "warning")
        else:
            flash(_("Choose the organisation to hold the booth for."), "danger")
        return redirect(back)
    try:
        organisation = _managed_organisation(edition, int(form.organisation_id.data))
        held = booking.hold_booth(booth.id, organisation, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(back)
    assert held.held_until is not None
    flash(
        _(
            "Booth %(code)s is held for %(name)s until %(time)s (%(zone)s). Complete the "
            "booking before then, or the booth becomes available again.",
            code=booth.code,
            name=organisation.display_name,
            time=format_timestamp(held.held_until, edition.timezone),
            zone=edition.timezone,
        ),
        "success",
    )
    return redirect(
        url_for("exhibitors.my_bookings", slug=edition.slug, organisation_id=organisation.id)
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/bookings")
def my_bookings(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return _login_redirect()
    edition = get_edition(slug)
    organisation = _managed_organisation(edition, organisation_id)
    # Holds that ran out are released on the next read (and by the scheduler).
    booking.release_expired(edition_id=edition.id)
    bookings = booking.organisation_bookings(organisation, actor=current_user)
    now = utcnow()
    return render_template(
        "exhibitors/bookings/my_bookings.html",
        edition=edition,
        organisation=organisation,
        active=[b for b in bookings if b.state in ACTIVE_BOOKING_STATES],
        past=[b for b in bookings if b.state not in ACTIVE_BOOKING_STATES],
        now=now,
        minutes_left=_minutes_left,
        end_reasons=END_REASONS,
        action_form=EmptyForm(),
        quota=staff.staff_quota(organisation),
        order=orders.open_order(organisation),
        HELD=BookingState.HELD,
    )


@bp.route(
    "/editions/<slug>/exhibitors/<int:organisation_id>/bookings/<int:booking_id>/release",
    methods=["POST"],
)
def release_booking(slug: str, organisation_id: int, booking_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return _login_redirect()
    edition = get_edition(slug)
    organisation = _managed_organisation(edition, organisation_id)
    held = booking.get_edition_booking(edition, booking_id, actor=current_user)
    if held.organisation_id != organisation.id:
        raise NotFound(_("There is no such booking."))
    back = url_for("exhibitors.my_bookings", slug=edition.slug, organisation_id=organisation.id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    code = held.booth.code
    try:
        booking.release_hold(held, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Booth %(code)s is released.", code=code), "info")
    return redirect(back)


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/staff", methods=["GET", "POST"])
def exhibitor_staff(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return _login_redirect()
    edition = get_edition(slug)
    organisation = _managed_organisation(edition, organisation_id)
    form = StaffForm()
    status = 200
    if form.validate_on_submit():
        try:
            registration = staff.add_staff(organisation, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status_code
        else:
            flash(
                _("%(name)s is on your booth staff.", name=registration.person.full_name),
                "success",
            )
            return redirect(request.path)
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "exhibitors/bookings/staff.html",
            edition=edition,
            organisation=organisation,
            form=form,
            members=staff.list_staff(organisation, actor=current_user),
            quota=staff.staff_quota(organisation),
            action_form=EmptyForm(),
        ),
        status,
    )


@bp.route(
    "/editions/<slug>/exhibitors/<int:organisation_id>/staff/<int:registration_id>/remove",
    methods=["POST"],
)
def remove_staff(slug: str, organisation_id: int, registration_id: int):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return _login_redirect()
    edition = get_edition(slug)
    organisation = _managed_organisation(edition, organisation_id)
    staff.get_staff(organisation, registration_id, actor=current_user)  # 404 for others
    back = url_for("exhibitors.exhibitor_staff", slug=edition.slug, organisation_id=organisation.id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    person = staff.remove_staff(organisation, registration_id, actor=current_user)
    flash(_("%(name)s is no longer on your booth staff.", name=person.full_name), "info")
    return redirect(back)


# --- Organizer side -----------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def _render_admin_bookings(  # type: ignore[no-untyped-def]
    edition: Edition,
    *,
    hold_form: OrganizerHoldForm | None = None,
    block_form: BlockForm | None = None,
    status: int = 200,
):
    organisations = booking.edition_organisations(edition)
    halls = booking.edition_halls(edition)
    filters = BookingFilterForm(organisations, halls, formdata=request.args)
    state_value = request.args.get("state", "")
    state = BookingState(state_value) if state_value in set(BookingState) else None
    query = booking.bookings_query(
        edition,
        actor=current_user,
        state=state,
        organisation_id=_int_arg("organisation"),
        hall_id=_int_arg("hall"),
    )
    return (
        render_template(
            "exhibitors/bookings/admin_bookings.html",
            edition=edition,
            page=paginate(query, per_page=50),
            filters=filters,
            hold_form=hold_form or OrganizerHoldForm(organisations, formdata=None),
            block_form=block_form or BlockForm(formdata=None),
            available_codes=booking.available_booth_codes(edition),
            blocked=booking.blocked_booths(edition),
            action_form=EmptyForm(),
            now=utcnow(),
        ),
        status,
    )


@organizer_bp.route("/bookings")
def bookings(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booking.release_expired(edition_id=edition.id)
    return _render_admin_bookings(edition)


@organizer_bp.route("/bookings/hold", methods=["POST"])
def hold_for_exhibitor(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = OrganizerHoldForm(booking.edition_organisations(edition))
    if not form.validate_on_submit():
        return _render_admin_bookings(edition, hold_form=form, status=400)
    try:
        booth = booking.find_booth(edition, form.booth.data)
        organisation = _managed_organisation(edition, int(form.organisation_id.data))
        held = booking.hold_booth(booth.id, organisation, actor=current_user)
    except ServiceError as error:
        show_service_error(form, error, field="booth")
        return _render_admin_bookings(edition, hold_form=form, status=error.status_code)
    assert held.held_until is not None
    flash(
        _(
            "Booth %(code)s is held for %(name)s until %(time)s (%(zone)s).",
            code=booth.code,
            name=organisation.display_name,
            time=format_timestamp(held.held_until, edition.timezone),
            zone=edition.timezone,
        ),
        "success",
    )
    return redirect(url_for("exhibitors_admin.booking", slug=edition.slug, booking_id=held.id))


@organizer_bp.route("/booths/block", methods=["POST"])
def block_booth(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = BlockForm()
    if not form.validate_on_submit():
        return _render_admin_bookings(edition, block_form=form, status=400)
    try:
        booth = booking.find_booth(edition, form.booth.data)
        booking.set_blocked(booth, True, actor=current_user, reason=form.reason.data)
    except ServiceError as error:
        show_service_error(form, error, field="booth")
        return _render_admin_bookings(edition, block_form=form, status=error.status_code)
    flash(_("Booth %(code)s is blocked.", code=booth.code), "success")
    return redirect(url_for("exhibitors_admin.bookings", slug=edition.slug))


@organizer_bp.route("/booths/unblock", methods=["POST"])
def unblock_booth(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = UnblockForm()
    back = url_for("exhibitors_admin.bookings", slug=edition.slug)
    if not form.validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    try:
        booth = booking.find_booth(edition, form.booth.data)
        booking.set_blocked(booth, False, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Booth %(code)s is available again.", code=booth.code), "success")
    return redirect(back)


def _render_admin_booking(  # type: ignore[no-untyped-def]
    edition: Edition,
    item: BoothBooking,
    *,
    confirm_form: ConfirmForm | None = None,
    cancel_form: CancelForm | None = None,
    move_form: MoveForm | None = None,
    status: int = 200,
):
    now = utcnow()
    return (
        render_template(
            "exhibitors/bookings/admin_booking.html",
            edition=edition,
            booking=item,
            now=now,
            expired=item.state == BookingState.HELD
            and item.held_until is not None
            and item.held_until <= now,
            minutes_left=_minutes_left,
            end_reasons=END_REASONS,
            confirm_form=confirm_form or ConfirmForm(formdata=None),
            cancel_form=cancel_form or CancelForm(formdata=None),
            move_form=move_form or MoveForm(formdata=None),
            available_codes=booking.available_booth_codes(edition, now),
            entries=entries_for_object("booth_bookings", item.id),
            HELD=BookingState.HELD,
        ),
        status,
    )


@organizer_bp.route("/bookings/<int:booking_id>", endpoint="booking")
def booking_detail(slug: str, booking_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    item = booking.get_edition_booking(edition, booking_id, actor=current_user)
    return _render_admin_booking(edition, item)


def _booking_action(slug: str, booking_id: int, form_class, field: str, action):  # type: ignore[no-untyped-def]
    """Run one organizer action on a booking: form errors re-render, refusals flash.

    `action(edition, booking, form)` calls the service and returns the success message.
    """
    edition = get_edition(slug)
    item = booking.get_edition_booking(edition, booking_id, actor=current_user)
    form = form_class()
    if not form.validate_on_submit():
        return _render_admin_booking(edition, item, **{field: form}, status=400)
    try:
        message = action(edition, item, form)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return redirect(url_for("exhibitors_admin.booking", slug=edition.slug, booking_id=booking_id))


@organizer_bp.route("/bookings/<int:booking_id>/confirm", methods=["POST"])
def confirm_booking(slug: str, booking_id: int):  # type: ignore[no-untyped-def]
    def action(edition: Edition, item: BoothBooking, form: ConfirmForm) -> str:
        code = item.booth.code
        booking.confirm_booking(item, actor=current_user, reason=form.note.data or "")
        return _("The booking of booth %(code)s is confirmed.", code=code)

    return _booking_action(slug, booking_id, ConfirmForm, "confirm_form", action)


@organizer_bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel_booking(slug: str, booking_id: int):  # type: ignore[no-untyped-def]
    def action(edition: Edition, item: BoothBooking, form: CancelForm) -> str:
        code = item.booth.code
        booking.cancel_booking(item, actor=current_user, reason=form.reason.data)
        return _(
            "The booking of booth %(code)s is cancelled; the booth is available again.", code=code
        )

    return _booking_action(slug, booking_id, CancelForm, "cancel_form", action)


@organizer_bp.route("/bookings/<int:booking_id>/move", methods=["POST"])
def move_booking(slug: str, booking_id: int):  # type: ignore[no-untyped-def]
    def action(edition: Edition, item: BoothBooking, form: MoveForm) -> str:
        code = item.booth.code
        target = booking.find_booth(edition, form.target.data)
        booking.move_booking(item, target.id, actor=current_user)
        return _(
            "The booking moved from booth %(old)s to booth %(new)s.", old=code, new=target.code
        )

    return _booking_action(slug, booking_id, MoveForm, "move_form", action)


@organizer_bp.route("/exhibition-settings", methods=["GET", "POST"])
def exhibition_settings(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = SettingsForm(settings=settings_for(edition))
    status = 200
    if form.validate_on_submit():
        try:
            update_settings(edition, form.to_data(), actor=current_user)
        except SettingsError as error:
            show_service_error(form, error, field=error.field)
            status = 400
        except ServiceError as error:
            show_service_error(form, error)
            status = error.status_code
        else:
            flash(_("Exhibition settings saved."), "success")
            return redirect(url_for("exhibitors_admin.exhibition_settings", slug=edition.slug))
    elif form.is_submitted():
        status = 400
    return render_template("exhibitors/bookings/settings.html", edition=edition, form=form), status
