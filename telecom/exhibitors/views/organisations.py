"""Organisation routes: registration and profile, members, pavilions and co-exhibitors,
the public directory and logos, and the organizers' list, exports and summary."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from telecom.auth.forms import EmptyForm
from telecom.core import spreadsheets, storage
from telecom.core.errors import ServiceError
from telecom.core.pagination import paginate
from telecom.core.web import show_service_error
from telecom.events import services as edition_services
from telecom.exhibitors.forms.organisations import (
    CoExhibitorForm,
    DecisionForm,
    DirectoryFilterForm,
    MemberForm,
    OrganisationFilterForm,
    OrganisationForm,
    OrganizerOrganisationForm,
)
from telecom.exhibitors.models import Organisation
from telecom.exhibitors.services import organisations as services
from telecom.exhibitors.services import reports
from telecom.exhibitors.views import bp, organizer_bp

FORM_TEMPLATE = "exhibitors/organisations/form.html"
UPLOAD_ENDPOINTS = {
    "exhibitors.register_organisation",
    "exhibitors.edit_organisation",
    "exhibitors_admin.edit_organisation",
}


def _limit_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Cap the request size of the logo forms before anything reads the body.

    URL value preprocessors run before the before-request functions (where the
    CSRF check parses the form), so the cap is in force when the body is read.
    """
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = storage.MAX_REQUEST_BYTES


bp.url_value_preprocessor(_limit_uploads)
organizer_bp.url_value_preprocessor(_limit_uploads)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a page another part of the exhibition may not provide yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def floorplan_link(slug: str, hall: str, booth: str) -> str:
    """The floor plan of the booth's hall, with the booth highlighted."""
    return (
        optional_url("exhibitors.floorplan", slug=slug, hall=hall, highlight=booth)
        or f"/editions/{slug}/floorplan?{urlencode({'hall': hall, 'highlight': booth})}"
    )


def _error_field(error: ServiceError) -> str | None:
    return getattr(error, "field", None)


def _logo_url(organisation: Organisation) -> str | None:
    if not organisation.logo_file:
        return None
    return url_for(
        "exhibitors.organisation_logo",
        organisation_id=organisation.id,
        v=organisation.logo_file.split(".")[0][:12],
    )


def _context(**values: Any) -> dict[str, Any]:
    return {"logo_url": _logo_url, "floorplan_link": floorplan_link, **values}


# --------------------------------------------------------------------------- exhibitor side


@bp.route("/editions/<slug>/exhibitors/register", methods=["GET", "POST"])
@login_required
def register_organisation(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.register_organisation(
                edition, form.to_data(), actor=current_user, logo=form.logo_bytes
            )
        except ServiceError as error:
            show_service_error(form, error, _error_field(error))
        else:
            flash(
                _(
                    "%(name)s is registered. You can now choose a booth.",
                    name=organisation.display_name,
                ),
                "success",
            )
            return redirect(
                url_for(
                    "exhibitors.manage_organisation", slug=slug, organisation_id=organisation.id
                )
            )
    return render_template(
        FORM_TEMPLATE, **_context(form=form, edition=edition, organisation=None, organizer=False)
    )


@bp.route("/editions/<slug>/my-organisations")
@login_required
def my_organisations(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisations = services.my_organisations(edition, actor=current_user)
    bookings_urls = {
        o.id: optional_url("exhibitors.my_bookings", slug=slug, organisation_id=o.id)
        for o in organisations
    }
    return render_template(
        "exhibitors/organisations/mine.html",
        **_context(edition=edition, organisations=organisations, bookings_urls=bookings_urls),
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/manage")
@login_required
def manage_organisation(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    return _manage_page(edition, organisation, MemberForm())


def _manage_page(edition, organisation: Organisation, member_form: MemberForm):  # type: ignore[no-untyped-def]
    return render_template(
        "exhibitors/organisations/manage.html",
        **_context(
            edition=edition,
            organisation=organisation,
            members=services.members_of(organisation),
            co_exhibitors=services.co_exhibitors_of(organisation, only_approved=False),
            booths=services.booths_of([organisation]).get(organisation.id, []),
            listed=services.is_listed(organisation),
            member_form=member_form,
            action_form=EmptyForm(),
            bookings_url=optional_url(
                "exhibitors.my_bookings", slug=edition.slug, organisation_id=organisation.id
            ),
        ),
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                organisation, form.to_data(), actor=current_user,
                logo=form.logo_bytes, remove_logo=form.remove_logo.data,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error, _error_field(error))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(
                url_for(
                    "exhibitors.manage_organisation", slug=slug, organisation_id=organisation.id
                )
            )
    return render_template(
        FORM_TEMPLATE,
        **_context(form=form, edition=edition, organisation=organisation, organizer=False),
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/members", methods=["POST"])
@login_required
def add_member(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = services.add_member(organisation, form.email.data, actor=current_user)
        except ServiceError as error:
            show_service_error(form, error, _error_field(error))
        else:
            flash(_("%(email)s can now manage this organisation.", email=user.email), "success")
            return redirect(
                url_for(
                    "exhibitors.manage_organisation", slug=slug, organisation_id=organisation.id
                )
            )
    return _manage_page(edition, organisation, form), 400


@bp.route(
    "/editions/<slug>/exhibitors/<int:organisation_id>/members/<int:member_id>/remove",
    methods=["POST"],
)
@login_required
def remove_member(slug: str, organisation_id: int, member_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    if EmptyForm().validate_on_submit():
        try:
            services.remove_member(organisation, member_id, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("The member was removed."), "info")
    return redirect(
        url_for("exhibitors.manage_organisation", slug=slug, organisation_id=organisation.id)
    )


@bp.route(
    "/editions/<slug>/exhibitors/<int:organisation_id>/co-exhibitors/new",
    methods=["GET", "POST"],
)
@login_required
def invite_co_exhibitor(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    pavilion = services.get_organisation(edition, organisation_id, actor=current_user)
    if not pavilion.is_pavilion:
        abort(404)
    form = CoExhibitorForm()
    if form.validate_on_submit():
        try:
            co_exhibitor = services.invite_co_exhibitor(
                pavilion, form.to_data(), actor=current_user
            )
        except ServiceError as error:
            show_service_error(form, error, _error_field(error))
        else:
            flash(
                _(
                    "%(name)s is proposed as a co-exhibitor. The organizers will review it; "
                    "you will receive an e-mail with their decision.",
                    name=co_exhibitor.display_name,
                ),
                "success",
            )
            return redirect(
                url_for("exhibitors.manage_organisation", slug=slug, organisation_id=pavilion.id)
            )
    return render_template(
        "exhibitors/organisations/co_exhibitor_form.html",
        edition=edition,
        pavilion=pavilion,
        form=form,
    )


# --------------------------------------------------------------------------- public side


@bp.route("/editions/<slug>/exhibitors")
def directory(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    halls = services.edition_halls(edition)
    form = DirectoryFilterForm(
        request.args, countries=services.directory_countries(edition), halls=halls
    )
    page = paginate(services.directory_query(edition, form.to_filters()), per_page=24)
    return render_template(
        "exhibitors/organisations/directory.html",
        **_context(
            edition=edition,
            form=form,
            page=page,
            booths=services.booths_of(page.items),
            filtered=any(request.args.get(name) for name in ("q", "country", "sector", "hall")),
        ),
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>")
def exhibitor_profile(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_exhibitor(edition, organisation_id, viewer=current_user)
    can_edit = services.can_edit(current_user, organisation)
    return render_template(
        "exhibitors/organisations/profile.html",
        **_context(
            edition=edition,
            organisation=organisation,
            booths=services.booths_of([organisation]).get(organisation.id, []),
            co_exhibitors=services.co_exhibitors_of(organisation, only_approved=True),
            pavilion_listed=(
                organisation.pavilion is not None and services.is_listed(organisation.pavilion)
            ),
            listed=services.is_listed(organisation),
            can_edit=can_edit,
        ),
    )


@bp.route("/exhibitors/logos/<int:organisation_id>")
def organisation_logo(organisation_id: int):  # type: ignore[no-untyped-def]
    logo = services.get_logo(organisation_id, viewer=current_user)
    response = Response(logo.data, mimetype=logo.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The URL carries the file's random name (?v=), so a new logo is a new URL.
    response.headers["Cache-Control"] = (
        "public, max-age=86400" if logo.public else "private, max-age=300"
    )
    response.set_etag(logo.etag)
    return response.make_conditional(request)


# --------------------------------------------------------------------------- organizer side


def _filter_args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key != "page" and value}


@organizer_bp.route("/exhibitors", endpoint="organisations")
def admin_organisations(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = OrganisationFilterForm(request.args)
    page = paginate(
        reports.organisations_query(edition, form.to_filters(), actor=current_user), per_page=50
    )
    ids = [o.id for o in page.items]
    return render_template(
        "exhibitors/organisations/admin_list.html",
        **_context(
            edition=edition,
            form=form,
            page=page,
            booths=services.booths_of(page.items),
            areas=reports.booked_area_of(ids),
            status_label=reports.status_label,
            filter_args=_filter_args(),
        ),
    )


def _export(slug: str, kind: str) -> Response:
    edition = edition_services.get_edition(slug)
    form = OrganisationFilterForm(request.args)
    headers, rows = reports.export_table(edition, form.to_filters(), actor=current_user)
    return spreadsheets.table_download(
        headers, rows, f"exhibitors-{edition.slug}", kind, title=_("Exhibitors")
    )


@organizer_bp.route("/exhibitors.csv")
def export_csv(slug: str):  # type: ignore[no-untyped-def]
    return _export(slug, "csv")


@organizer_bp.route("/exhibitors.xlsx")
def export_xlsx(slug: str):  # type: ignore[no-untyped-def]
    return _export(slug, "xlsx")


@organizer_bp.route("/exhibitors/summary")
def summary(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    return render_template(
        "exhibitors/organisations/summary.html",
        edition=edition,
        summary=reports.edition_summary(edition, actor=current_user),
    )


@organizer_bp.route("/exhibitors/<int:organisation_id>", endpoint="organisation")
def admin_organisation(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    return render_template(
        "exhibitors/organisations/admin_detail.html",
        **_context(
            edition=edition,
            organisation=organisation,
            members=services.members_of(organisation),
            co_exhibitors=services.co_exhibitors_of(organisation, only_approved=False),
            booths=services.booths_of([organisation]).get(organisation.id, []),
            listed=services.is_listed(organisation),
            status_label=reports.status_label,
            decision_form=DecisionForm(),
        ),
    )


@organizer_bp.route(
    "/exhibitors/<int:organisation_id>/edit", methods=["GET", "POST"], endpoint="edit_organisation"
)
def admin_edit_organisation(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    form = OrganizerOrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                organisation, form.to_data(), actor=current_user,
                rate_category=form.rate_category.data, logo=form.logo_bytes,
                remove_logo=form.remove_logo.data,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error, _error_field(error))
        else:
            flash(_("%(name)s saved.", name=organisation.display_name), "success")
            return redirect(
                url_for("exhibitors_admin.organisation", slug=slug, organisation_id=organisation.id)
            )
    return render_template(
        FORM_TEMPLATE,
        **_context(form=form, edition=edition, organisation=organisation, organizer=True),
    )


def _decide(slug: str, organisation_id: int, approve: bool):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = services.get_organisation(edition, organisation_id, actor=current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            changed = services.decide_co_exhibitor(
                organisation, approve, actor=current_user, reason=form.reason.data or ""
            )
        except ServiceError as error:
            show_service_error(None, error)
        else:
            if not changed:
                flash(_("Nothing changed: that was already the decision."), "info")
            elif approve:
                flash(_("%(name)s is approved.", name=organisation.display_name), "success")
            else:
                flash(_("%(name)s is rejected.", name=organisation.display_name), "info")
    return redirect(
        url_for("exhibitors_admin.organisation", slug=slug, organisation_id=organisation.id)
    )


@organizer_bp.route("/exhibitors/<int:organisation_id>/approve", methods=["POST"])
def approve_co_exhibitor(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    return _decide(slug, organisation_id, approve=True)


@organizer_bp.route("/exhibitors/<int:organisation_id>/reject", methods=["POST"])
def reject_co_exhibitor(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    return _decide(slug, organisation_id, approve=False)
