"""The floor plan and the booth list (public); halls, booths and the CSV import (organizers)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from telecom.auth.forms import EmptyForm
from telecom.core.errors import ServiceError
from telecom.core.pagination import Page
from telecom.core.web import safe_next_url, show_service_error
from telecom.events.services import get_edition
from telecom.exhibitors.forms.floorplan import (
    BlockForm,
    BoothFilterForm,
    BoothForm,
    FloorplanImportForm,
    HallForm,
)
from telecom.exhibitors.services import floorplan as plans
from telecom.exhibitors.services import floorplan_csv
from telecom.exhibitors.services import floorplan_editor as editor
from telecom.exhibitors.services.booking import set_blocked
from telecom.exhibitors.views import bp, organizer_bp

PER_PAGE = 100


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _page_of(items: list, per_page: int = PER_PAGE) -> Page:
    number = _page_number()
    pages = max(1, -(-len(items) // per_page))
    number = min(number, pages)
    start = (number - 1) * per_page
    return Page(items=items[start : start + per_page], number=number, per_page=per_page,
                total=len(items))  # fmt: skip


_SENTINEL_ID = 987654321


def booth_url_builder(slug: str) -> Callable[[int], str]:
    """Links to the booth pages, built once and filled in per booth (url_for is slow
    for a thousand booths); a plain path while that page is not registered."""
    try:
        pattern = url_for("exhibitors.booth_detail", slug=slug, booth_id=_SENTINEL_ID)
    except BuildError:
        pattern = f"{request.script_root}/editions/{slug}/booths/{_SENTINEL_ID}"
    head, _sentinel, tail = pattern.partition(str(_SENTINEL_ID))
    return lambda booth_id: f"{head}{booth_id}{tail}"


def booths_svg(booths: list[plans.BoothInfo], booth_url: Callable[[int], str],
               highlighted_id: int | None) -> Markup:  # fmt: skip
    """The SVG elements of a hall's booths.

    Written here rather than in the template: a hall can hold a thousand
    booths, and this loop is the floor-plan page's hot spot (a Jinja loop
    spends about three times as long on it). Every text is escaped.

    An available booth is a link to its page; any other booth is a focusable
    group. Each has an aria-label and a <title> (the tooltip's lines), its
    shape in metres, a pattern when it is not available (colour is never the
    only signal), and its code in the middle.
    """
    parts = []
    for booth in booths:
        box = booth.svg
        status = booth.status.value
        highlighted = booth.id == highlighted_id
        classes = f"booth booth--{status}" + (" booth--highlight" if highlighted else "")
        code = escape(booth.code)
        head = (
            f'id="fp-booth-{booth.id}" class="{classes}" '
            f'aria-label="{escape(booth.aria_label(highlighted))}" data-code="{code}"'
        )
        where = f'x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}"'
        inner = (
            f"<title>{escape(chr(10).join(booth.summary_lines()))}</title>"
            f'<rect class="booth-shape" {where}/>'
        )
        if status != "available":
            inner += f'<rect class="booth-pattern" {where} fill="url(#fp-pattern-{status})"/>'
        inner += (
            f'<text class="booth-code" x="{box.cx}" y="{box.cy}" '
            f'font-size="{box.font_size}">{code}</text>'
        )
        if status == "available":
            parts.append(f'<a {head} href="{escape(booth_url(booth.id))}">{inner}</a>')
        else:
            parts.append(f'<g {head} tabindex="0" role="img">{inner}</g>')
    # Safe: every text above went through escape(); the rest are numbers and enum values.
    # (Markup.format would escape by itself but is seven times slower.)
    return Markup("\n".join(parts))  # noqa: S704


# ---------------------------------------------------------------------------
# Public
# ---------------------------------------------------------------------------


@bp.route("/editions/<slug>/floorplan")
def floorplan(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    plan = plans.floor_plan(edition)
    hall_code = request.args.get("hall", "").strip()
    highlight_code = request.args.get("highlight", "").strip()
    highlighted = plan.booth(highlight_code) if highlight_code else None
    selected = plan.hall(hall_code) if hall_code else None
    notices = []
    if hall_code and selected is None:
        notices.append(_("There is no hall “%(code)s”; all halls are shown.", code=hall_code))
    if highlight_code and highlighted is None:
        notices.append(_("There is no booth “%(code)s” on this plan.", code=highlight_code))
    if highlighted is not None and (selected is None or selected.code != highlighted.hall_code):
        if hall_code and selected is not None:
            notices.append(
                _(
                    "Booth %(booth)s is in hall %(hall)s, shown here.",
                    booth=highlighted.code,
                    hall=highlighted.hall_code,
                )
            )
        selected = plan.hall(highlighted.hall_code)
    return render_template(
        "exhibitors/floorplan/plan.html",
        edition=edition,
        plan=plan,
        halls=[selected] if selected is not None else plan.halls,
        selected=selected,
        highlighted=highlighted,
        counts=plan.counts(),
        notices=notices,
        booth_url=booth_url_builder(edition.slug),
        booths_svg=booths_svg,
    )


@bp.route("/editions/<slug>/booths")
def booth_list(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    plan = plans.floor_plan(edition)
    form = BoothFilterForm(
        [(hall.code, f"{hall.code} — {hall.name}") for hall in plan.halls],
        formdata=request.args,
    )
    valid = form.validate() if form.active else True
    booths = plans.filter_booths(plan, form.to_filters())
    return render_template(
        "exhibitors/floorplan/list.html",
        edition=edition,
        plan=plan,
        form=form,
        valid=valid,
        page=_page_of(booths),
        booth_url=booth_url_builder(edition.slug),
    )


# ---------------------------------------------------------------------------
# Organizers: halls
# ---------------------------------------------------------------------------


@organizer_bp.route("/halls")
def halls(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    return render_template(
        "exhibitors/floorplan/halls.html",
        edition=edition,
        halls=editor.list_halls(edition),
        action_form=EmptyForm(),
        fmt=plans.Formatter(edition.currency),
    )


@organizer_bp.route("/halls/new", methods=["GET", "POST"])
def hall_new(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = HallForm()
    if form.validate_on_submit():
        try:
            hall = editor.create_hall(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Hall %(code)s added.", code=hall.code), "success")
            return redirect(url_for("exhibitors_admin.halls", slug=edition.slug))
    return render_template(
        "exhibitors/floorplan/hall_form.html", edition=edition, form=form, hall=None
    )


@organizer_bp.route("/halls/<int:hall_id>/edit", methods=["GET", "POST"])
def hall_edit(slug: str, hall_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    hall = editor.get_hall(edition, hall_id)
    form = HallForm(obj=hall)
    if form.validate_on_submit():
        try:
            editor.update_hall(hall, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Hall %(code)s saved.", code=hall.code), "success")
            return redirect(url_for("exhibitors_admin.halls", slug=edition.slug))
    return render_template(
        "exhibitors/floorplan/hall_form.html", edition=edition, form=form, hall=hall
    )


@organizer_bp.route("/halls/<int:hall_id>/delete", methods=["POST"])
def hall_delete(slug: str, hall_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    hall = editor.get_hall(edition, hall_id)
    if EmptyForm().validate_on_submit():
        code = hall.code
        try:
            editor.delete_hall(hall, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Hall %(code)s deleted.", code=code), "info")
    return redirect(url_for("exhibitors_admin.halls", slug=edition.slug))


# ---------------------------------------------------------------------------
# Organizers: booths
# ---------------------------------------------------------------------------


@organizer_bp.route("/booths")
def booths(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    plan = plans.floor_plan(edition)
    hall_code = request.args.get("hall", "").strip().upper()
    query = request.args.get("q", "").strip().upper()
    rows = [
        booth
        for booth in plan.booths()
        if (not hall_code or booth.hall_code == hall_code) and (not query or query in booth.code)
    ]
    return render_template(
        "exhibitors/floorplan/booths.html",
        edition=edition,
        plan=plan,
        page=_page_of(rows),
        hall_code=hall_code,
        query=query,
        action_form=EmptyForm(),
        block_form=BlockForm(),
    )


def _booth_form(edition, booth=None) -> BoothForm:  # type: ignore[no-untyped-def]
    halls = [hall for hall, _count in editor.list_halls(edition)]
    form = BoothForm(halls, editor.pavilions(edition), obj=booth)
    if booth is None and request.method == "GET" and request.args.get("hall"):
        wanted = request.args["hall"].strip().upper()
        form.hall_id.data = next((hall.id for hall in halls if hall.code == wanted), None)
    return form


def _save_booth_errors(form: BoothForm, error: ServiceError) -> None:
    if isinstance(error, editor.BookedBoothChange):
        show_service_error(form, error, field="confirm_booked")
    else:
        show_service_error(form, error)


@organizer_bp.route("/booths/new", methods=["GET", "POST"])
def booth_new(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = _booth_form(edition)
    if form.validate_on_submit():
        try:
            booth = editor.create_booth(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            _save_booth_errors(form, error)
        else:
            flash(_("Booth %(code)s added.", code=booth.code), "success")
            return redirect(url_for("exhibitors_admin.booths", slug=edition.slug))
    return render_template(
        "exhibitors/floorplan/booth_form.html", edition=edition, form=form, booth=None,
        booking=None,
    )  # fmt: skip


@organizer_bp.route("/booths/<int:booth_id>/edit", methods=["GET", "POST"])
def booth_edit(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = editor.get_booth(edition, booth_id)
    form = _booth_form(edition, booth)
    if form.validate_on_submit():
        try:
            editor.update_booth(
                booth, form.to_data(), actor=current_user, confirm_booked=form.confirm_booked.data
            )
        except ServiceError as error:
            _save_booth_errors(form, error)
        else:
            flash(_("Booth %(code)s saved.", code=booth.code), "success")
            return redirect(url_for("exhibitors_admin.booths", slug=edition.slug))
    booking = editor.live_booking(booth)
    return render_template(
        "exhibitors/floorplan/booth_form.html", edition=edition, form=form, booth=booth,
        booking=booking,
    )  # fmt: skip


@organizer_bp.route("/booths/<int:booth_id>/delete", methods=["POST"])
def booth_delete(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = editor.get_booth(edition, booth_id)
    if EmptyForm().validate_on_submit():
        code = booth.code
        try:
            editor.delete_booth(booth, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Booth %(code)s deleted.", code=code), "info")
    return redirect(url_for("exhibitors_admin.booths", slug=edition.slug))


def _back_to_booths(slug: str):  # type: ignore[no-untyped-def]
    """Back to the booth list page the button was on (its filters and page kept)."""
    default = url_for("exhibitors_admin.booths", slug=slug)
    target = safe_next_url(request.form.get("next"), default)
    return redirect(target if target.startswith(default) else default)


@organizer_bp.route("/booths/<int:booth_id>/block", methods=["POST"])
def booth_block(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = editor.get_booth(edition, booth_id)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            set_blocked(booth, True, actor=current_user, reason=form.reason.data or "")
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Booth %(code)s is blocked.", code=booth.code), "info")
    else:
        errors = [error for errors in form.errors.values() for error in errors]
        flash(errors[0] if errors else _("The form expired. Please submit it again."), "danger")
    return _back_to_booths(edition.slug)


@organizer_bp.route("/booths/<int:booth_id>/unblock", methods=["POST"])
def booth_unblock(slug: str, booth_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    booth = editor.get_booth(edition, booth_id)
    if EmptyForm().validate_on_submit():
        try:
            set_blocked(booth, False, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Booth %(code)s is available again.", code=booth.code), "info")
    return _back_to_booths(edition.slug)


# ---------------------------------------------------------------------------
# Organizers: CSV import and export
# ---------------------------------------------------------------------------


@organizer_bp.url_value_preprocessor
def limit_import_size(endpoint: str | None, values: dict | None) -> None:
    """Refuse a huge upload before its body is read: the CSRF check reads the form
    before any view or before_request of the blueprint runs, and URL-value
    preprocessors run earlier still. Up to three times the limit the body is
    read and the import page explains the limit; beyond, the 413 page says
    the upload is too large."""
    if endpoint == "exhibitors_admin.floorplan_import" and request.method == "POST":
        request.max_content_length = 3 * floorplan_csv.MAX_IMPORT_BYTES


@organizer_bp.route("/floorplan/import", methods=["GET", "POST"])
def floorplan_import(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    limit_mb = floorplan_csv.MAX_IMPORT_BYTES // (1024 * 1024)
    try:
        form = FloorplanImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = FloorplanImportForm(formdata=None)
        form.file.errors = [_("The file is larger than %(size)d MB.", size=limit_mb)]
        return render_template(
            "exhibitors/floorplan/import.html", edition=edition, form=form, report=None,
            limit_mb=limit_mb, columns=floorplan_csv.COLUMNS,
        ), 413  # fmt: skip
    report = None
    if submitted:
        data = form.file.data.read(floorplan_csv.MAX_IMPORT_BYTES + 1)
        try:
            report = floorplan_csv.import_floorplan(
                edition,
                data,
                actor=current_user,
                confirm_booked=form.confirm_booked.data,
                apply=not form.check.data,
            )
        except ServiceError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            if report.applied:
                flash(_import_summary(report), "success")
                return redirect(url_for("exhibitors_admin.booths", slug=edition.slug))
    return render_template(
        "exhibitors/floorplan/import.html", edition=edition, form=form, report=report,
        limit_mb=limit_mb, columns=floorplan_csv.COLUMNS,
    )  # fmt: skip


def _import_summary(report: floorplan_csv.ImportReport) -> str:
    text = _(
        "Floor plan imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
    )
    if report.booked_changes:
        text += " " + ngettext(
            "%(num)d held or booked booth was changed as you confirmed: %(codes)s.",
            "%(num)d held or booked booths were changed as you confirmed: %(codes)s.",
            len(report.booked_changes),
            codes=", ".join(report.booked_changes),
        )
    return text


@organizer_bp.route("/floorplan/export.csv")
def floorplan_export(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    text = floorplan_csv.export_floorplan(edition, actor=current_user)
    return Response(
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        ("\ufeff" + text).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{edition.slug}-floorplan.csv"'},
    )
