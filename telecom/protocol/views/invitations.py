"""The protocol staff's invitation pages: the list in order of precedence, one invitation,
creating, correcting and importing invitations, sending them, and the protocol list exports.

Every page is for protocol staff and organizers (the blueprint's
before_request); the services check the role again and own every rule. A view
parses its form, calls one service, and turns a refusal into a message on the
form (keeping what was typed) or a flash: never a 500.

Passport details are never part of a page by default: the detail page shows
them only in answer to the "Show passport details" POST, which the service
audits, and that answer is not cached.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from telecom.core import spreadsheets
from telecom.core.errors import NotFound, ServiceError
from telecom.core.permissions import Role, roles_required
from telecom.core.web import safe_next_url, show_service_error
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import Registration
from telecom.participants.services import badges
from telecom.protocol.forms import (
    ActionForm,
    ImportForm,
    InvitationFilterForm,
    InvitationForm,
    RevokeForm,
)
from telecom.protocol.models import InvitationStatus, VipInvitation
from telecom.protocol.services import invitations as invitation_services
from telecom.protocol.services import lists, meetings, rsvp
from telecom.protocol.views import bp

# Cap the CSV upload before anything reads the body (the CSRF check reads the form
# before any view runs; URL value preprocessors run earlier still). Up to the
# service's limit the import page explains it; far beyond it, the 413 page does.
MAX_IMPORT_BYTES = invitation_services.MAX_IMPORT_BYTES
SAMPLE_HEADER = (
    "name,title,form_of_address,category,country,organisation,email,focal_point_name,took_office_on"
)
SAMPLE_ROW = (
    "Maria Example,Minister of ICT,H.E.,MIN,Kenya,,minister@ict.example,Jane Aide,2014-03-01"
)


# --------------------------------------------------------------------------- helpers


def available_actions(invitation: VipInvitation) -> set[str]:
    """The buttons the invitation's status allows, by the service's own rules."""
    status = invitation.status
    actions = set()
    if status is InvitationStatus.DRAFT:
        actions.add("send")
    if status in invitation_services.RESEND_STATUSES:
        actions.add("resend")
    if status in invitation_services.REMIND_STATUSES:
        actions.add("remind")
    if InvitationStatus.REVOKED in invitation_services.ALLOWED_TRANSITIONS.get(status, set()):
        actions.add("revoke")
    return actions


def _invitation(edition: Edition, invitation_id: int) -> VipInvitation:
    return invitation_services.get_invitation(edition, invitation_id, actor=current_user)


def _detail_url(slug: str, invitation_id: int) -> str:
    return url_for("protocol.invitation", slug=slug, invitation_id=invitation_id)


def _back(slug: str, invitation_id: int) -> Response:
    """Where a button was pressed (the list keeps its filters), else the invitation."""
    return redirect(safe_next_url(request.form.get("next"), _detail_url(slug, invitation_id)))


def _status_counts(edition: Edition) -> dict[InvitationStatus, int]:
    rows = db.session.execute(
        select(VipInvitation.status, func.count())
        .where(VipInvitation.edition_id == edition.id)
        .group_by(VipInvitation.status)
    ).all()
    counts = dict.fromkeys(InvitationStatus, 0)
    counts.update(dict(rows))
    return counts


def _registrations(invitation: VipInvitation) -> dict[int, Registration]:
    """The VIP's and the members' registrations, by id, for badge status and buttons."""
    ids = [invitation.registration_id, *(m.registration_id for m in invitation.members)]
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.session.scalars(select(Registration).where(Registration.id.in_(wanted)))
    return {registration.id: registration for registration in rows}


def _registration_ids(invitation: VipInvitation) -> set[int]:
    ids = {invitation.registration_id, *(m.registration_id for m in invitation.members)}
    return {i for i in ids if i is not None}


def _detail_page(
    edition: Edition,
    invitation: VipInvitation,
    *,
    revoke_form: RevokeForm | None = None,
    passport: Any = None,
    status: int = 200,
) -> ResponseReturnValue:
    members = [m for m in invitation.members if m.removed_at is None]
    removed = [m for m in invitation.members if m.removed_at is not None]
    response = render_template(
        "protocol/invitation.html",
        edition=edition,
        invitation=invitation,
        members=members,
        removed_members=removed,
        registrations=_registrations(invitation),
        bookings=meetings.bookings_of(invitation),
        actions=available_actions(invitation),
        action_form=ActionForm(),
        revoke_form=revoke_form or RevokeForm(),
        passport=passport,
        editable=invitation.status is not InvitationStatus.REVOKED,
    )
    return response, status


def _filtered(edition: Edition) -> tuple[InvitationFilterForm, str, Any]:
    form = InvitationFilterForm(request.args, edition=edition)
    status, day = form.filters()
    return form, status, day


# --------------------------------------------------------------------------- editions


def editions_index() -> ResponseReturnValue:
    """Where the "Protocol" link of the navigation bar leads: one list per edition."""
    return render_template("protocol/editions.html", editions=edition_services.list_editions())


@bp.record_once
def _register_index(state: BlueprintSetupState) -> None:
    # Every other protocol URL names an edition; the navigation link needs one that does
    # not. The endpoint belongs to this blueprint, so its staff check runs as well.
    state.app.add_url_rule(
        "/protocol/",
        endpoint="protocol.editions",
        view_func=roles_required(Role.PROTOCOL, Role.ORGANIZER)(editions_index),
    )


# --------------------------------------------------------------------------- the list


@bp.route("/invitations", endpoint="invitations")
def invitation_list(slug: str) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    form, status, day = _filtered(edition)
    rows = lists.protocol_list_rows(edition, actor=current_user, status=status, day=day)
    export_args = {k: v for k, v in (("status", status), ("day", day and day.isoformat())) if v}
    return render_template(
        "protocol/invitations.html",
        edition=edition,
        form=form,
        rows=rows,
        counts=_status_counts(edition),
        Status=InvitationStatus,
        actions_of=available_actions,
        action_form=ActionForm(),
        revoke_form=RevokeForm(),
        export_args=export_args,
        filtered=bool(export_args),
        back_to=request.full_path.rstrip("?"),
    )


@bp.route("/protocol-list.pdf", endpoint="protocol_list_pdf")
def protocol_list_pdf(slug: str) -> Response:
    edition = edition_services.get_edition(slug)
    _form, status, day = _filtered(edition)
    pdf = lists.protocol_list_pdf(edition, actor=current_user, status=status, day=day)
    suffix = f"-{day.isoformat()}" if day else ""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="protocol-list-{edition.slug}{suffix}.pdf"'
    )
    # Names, flights and whereabouts of heads of state: never kept by any cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/protocol-list.xlsx", endpoint="protocol_list_xlsx")
def protocol_list_xlsx(slug: str) -> Response:
    edition = edition_services.get_edition(slug)
    _form, status, day = _filtered(edition)
    headers, rows = lists.protocol_list_table(edition, actor=current_user, status=status, day=day)
    suffix = f"-{day.isoformat()}" if day else ""
    return spreadsheets.table_download(
        headers, rows, f"protocol-list-{edition.slug}{suffix}", "xlsx", title="Protocol list"
    )


# --------------------------------------------------------------------------- create, edit


def _show_error(form: InvitationForm, error: ServiceError) -> None:
    """Put a service's refusal on the field it names, or above the form."""
    show_service_error(form, error, getattr(error, "field", None))


@bp.route("/invitations/new", methods=["GET", "POST"], endpoint="new_invitation")
def new_invitation(slug: str) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    form = InvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            created = invitation_services.create_invitation(
                edition, form.to_data(), actor=current_user
            )
        except NotFound:
            raise
        except ServiceError as error:
            _show_error(form, error)
            status = error.status_code
        else:
            flash(
                _(
                    "Invitation for %(name)s created. It is not sent yet: send it when it "
                    "is ready.",
                    name=created.full_name,
                ),
                "success",
            )
            return redirect(_detail_url(slug, created.id))
    elif form.is_submitted():
        status = 400
    return render_template(
        "protocol/invitation_form.html", edition=edition, form=form, invitation=None
    ), status


@bp.route(
    "/invitations/<int:invitation_id>/edit", methods=["GET", "POST"], endpoint="edit_invitation"
)
def edit_invitation(slug: str, invitation_id: int) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    if invitation.status is InvitationStatus.REVOKED:
        flash(_("This invitation was revoked; it can no longer be changed."), "warning")
        return redirect(_detail_url(slug, invitation_id))
    status = 200
    if request.method == "GET":
        form = InvitationForm(formdata=None)
        form.fill(invitation)
    else:
        form = InvitationForm()
        if form.validate_on_submit():
            try:
                invitation_services.update_invitation(
                    invitation, form.to_data(), actor=current_user
                )
            except NotFound:
                raise
            except ServiceError as error:
                # What was typed stays on the form; what is saved is unchanged.
                db.session.rollback()
                _show_error(form, error)
                status = error.status_code
            else:
                flash(_("Invitation saved."), "success")
                return redirect(_detail_url(slug, invitation_id))
        else:
            status = 400
    return render_template(
        "protocol/invitation_form.html", edition=edition, form=form, invitation=invitation
    ), status


# --------------------------------------------------------------------------- CSV import


def _limit_import(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if endpoint == "protocol.import_invitations" and request.method == "POST":
        # Room for the multipart framing, so a file a little over the limit still
        # reaches the page, which names the limit.
        request.max_content_length = MAX_IMPORT_BYTES + 64 * 1024


bp.url_value_preprocessor(_limit_import)


def _import_page(
    edition: Edition, form: ImportForm, errors: list[Any], status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "protocol/import.html",
        edition=edition,
        form=form,
        errors=errors,
        sample_header=SAMPLE_HEADER,
        sample_row=SAMPLE_ROW,
        limit_mb=MAX_IMPORT_BYTES // (1024 * 1024),
    ), status


@bp.route("/invitations/import", methods=["GET", "POST"], endpoint="import_invitations")
def import_invitations(slug: str) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    try:
        form = ImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        form.file.errors = [
            _("The file is larger than %(size)d MB.", size=MAX_IMPORT_BYTES // (1024 * 1024))
        ]
        return _import_page(edition, form, [], status=413)
    if not submitted:
        return _import_page(edition, form, [], status=400 if form.is_submitted() else 200)
    data = form.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        form.file.errors = [
            _("The file is larger than %(size)d MB.", size=MAX_IMPORT_BYTES // (1024 * 1024))
        ]
        return _import_page(edition, form, [], status=413)
    try:
        result = invitation_services.import_invitations(edition, data, actor=current_user)
    except invitation_services.ImportRejected as rejected:
        db.session.rollback()
        return _import_page(edition, form, list(rejected.errors), status=400)
    except NotFound:
        raise
    except ServiceError as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, error.message]
        return _import_page(edition, form, [], status=error.status_code)
    flash(
        ngettext(
            "%(num)d invitation imported. Invitations are not sent until you send them.",
            "%(num)d invitations imported. Invitations are not sent until you send them.",
            result.created,
        ),
        "success",
    )
    return redirect(url_for("protocol.invitations", slug=slug))


# --------------------------------------------------------------------------- one invitation


@bp.route("/invitations/<int:invitation_id>", endpoint="invitation")
def invitation_detail(slug: str, invitation_id: int) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    return _detail_page(edition, _invitation(edition, invitation_id))


@bp.route("/invitations/<int:invitation_id>/passport", methods=["POST"], endpoint="show_passport")
def show_passport(slug: str, invitation_id: int) -> ResponseReturnValue:
    """The passport details, on request only; the service records who looked."""
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    try:
        passport = rsvp.passport_for_staff(invitation, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(_detail_url(slug, invitation_id))
    if passport is None:
        flash(_("No passport details were given for this invitation."), "info")
        return redirect(_detail_url(slug, invitation_id))
    body, status = _detail_page(edition, invitation, passport=passport)
    response = Response(body, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _step(slug: str, invitation_id: int, step: str) -> Response:
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    name = invitation.full_name
    try:
        if step == "send":
            invitation_services.send_invitation(invitation, actor=current_user)
            message = _("Invitation sent to %(email)s.", email=invitation.email)
        elif step == "resend":
            invitation_services.resend(invitation, actor=current_user)
            message = _(
                "Invitation sent again to %(email)s with a new link; the previous link no "
                "longer works.",
                email=invitation.email,
            )
        else:
            invitation_services.remind(invitation, actor=current_user)
            message = _("Reminder sent to %(email)s.", email=invitation.email)
    except NotFound:
        raise
    except ServiceError as error:
        db.session.rollback()
        flash(_("%(name)s: %(message)s", name=name, message=error.message), "danger")
    else:
        flash(message, "success")
    return _back(slug, invitation_id)


@bp.route("/invitations/<int:invitation_id>/send", methods=["POST"], endpoint="send_invitation")
def send_invitation(slug: str, invitation_id: int) -> Response:
    return _step(slug, invitation_id, "send")


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"], endpoint="resend_invitation")
def resend_invitation(slug: str, invitation_id: int) -> Response:
    return _step(slug, invitation_id, "resend")


@bp.route("/invitations/<int:invitation_id>/remind", methods=["POST"], endpoint="remind_invitation")
def remind_invitation(slug: str, invitation_id: int) -> Response:
    return _step(slug, invitation_id, "remind")


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"], endpoint="revoke_invitation")
def revoke_invitation(slug: str, invitation_id: int) -> ResponseReturnValue:
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    form = RevokeForm()
    was_sent = invitation.status is not InvitationStatus.DRAFT
    if not form.validate_on_submit():
        # The reason is required: show the form on the invitation's page, as typed.
        return _detail_page(edition, invitation, revoke_form=form, status=400)
    try:
        invitation_services.revoke(invitation, form.reason.data, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        db.session.rollback()
        if getattr(error, "field", None) == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
            return _detail_page(edition, invitation, revoke_form=form, status=error.status_code)
        flash(error.message, "danger")
        return _back(slug, invitation_id)
    if was_sent:
        message = _(
            "Invitation of %(name)s revoked: the RSVP link no longer works, badges and meeting "
            "bookings were cancelled, and the invitee was told courteously.",
            name=invitation.full_name,
        )
    else:
        message = _(
            "Invitation of %(name)s revoked. It had not been sent, so nobody was told.",
            name=invitation.full_name,
        )
    flash(message, "success")
    return _back(slug, invitation_id)


# --------------------------------------------------------------------------- badges


def _badge_registration(
    edition: Edition, invitation: VipInvitation, registration_id: int
) -> Registration:
    """The VIP's or a member's registration; any other registration is not found here."""
    if registration_id not in _registration_ids(invitation):
        raise NotFound(_("There is no such badge."))
    return badges.get_badge_registration(registration_id, actor=current_user, edition=edition)


@bp.route("/invitations/<int:invitation_id>/badges/<int:registration_id>.pdf", endpoint="badge_pdf")
def badge_pdf(slug: str, invitation_id: int, registration_id: int) -> Response:
    """The badge for printing at the protocol desk: A6, or `layout=a4` with cut marks."""
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    registration = _badge_registration(edition, invitation, registration_id)
    layout = request.args.get("layout", "a6").strip().lower()
    pdf = badges.render_badge_pdf(registration, layout if layout in badges.LAYOUTS else "a6")
    response = Response(pdf, mimetype="application/pdf")
    filename = badges.badge_filename(registration)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # The badge admits its holder: never kept by a shared cache or the browser.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route(
    "/invitations/<int:invitation_id>/badges/<int:registration_id>/reprint",
    methods=["POST"],
    endpoint="reprint_badge",
)
def reprint_badge(slug: str, invitation_id: int, registration_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    invitation = _invitation(edition, invitation_id)
    if registration_id not in _registration_ids(invitation):
        raise NotFound(_("There is no such badge."))
    try:
        registration = rsvp.reprint_vip_badge(registration_id, actor=current_user, edition=edition)
    except NotFound:
        raise
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(
            _(
                "A new badge was issued for %(name)s. The previous badge no longer opens the "
                "gates.",
                name=registration.person.full_name,
            ),
            "success",
        )
    return redirect(_detail_url(slug, invitation_id) + "#badges")
