"""Public edition pages and the organizer's edition management."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.auth.forms import EmptyForm
from telecom.core.errors import ServiceError
from telecom.core.permissions import Role, roles_required
from telecom.core.web import show_service_error
from telecom.events import services
from telecom.events.forms import CandidateVenueForm, EditionForm

bp = Blueprint("events", __name__)
organizer_bp = Blueprint("organizer", __name__, url_prefix="/organizer")


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    return render_template("events/home.html", editions=services.list_editions())


@bp.route("/editions/<slug>")
def public_edition(slug: str):  # type: ignore[no-untyped-def]
    return render_template("events/edition.html", edition=services.get_edition(slug))


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every page under /organizer is for organizers; services check again."""


@organizer_bp.route("/")
def dashboard():  # type: ignore[no-untyped-def]
    return render_template("events/organizer_dashboard.html", editions=services.list_editions())


@organizer_bp.route("/editions/new", methods=["GET", "POST"])
def create_edition():  # type: ignore[no-untyped-def]
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = services.create_edition(form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Edition %(name)s created.", name=edition.name), "success")
            return redirect(url_for("organizer.edition", slug=edition.slug))
    return render_template("events/edition_form.html", form=form, edition=None)


@organizer_bp.route("/editions/<slug>")
def edition(slug: str):  # type: ignore[no-untyped-def]
    return render_template(
        "events/organizer_edition.html",
        edition=services.get_edition(slug),
        action_form=EmptyForm(),
    )


@organizer_bp.route("/editions/<slug>/edit", methods=["GET", "POST"])
def edit_edition(slug: str):  # type: ignore[no-untyped-def]
    edition = services.get_edition(slug)
    form = EditionForm(obj=edition)
    if form.validate_on_submit():
        try:
            services.update_edition(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Edition saved."), "success")
            return redirect(url_for("organizer.edition", slug=edition.slug))
    return render_template("events/edition_form.html", form=form, edition=edition)


@organizer_bp.route("/editions/<slug>/venues/new", methods=["GET", "POST"])
def add_candidate(slug: str):  # type: ignore[no-untyped-def]
    edition = services.get_edition(slug)
    form = CandidateVenueForm()
    if form.validate_on_submit():
        try:
            services.add_candidate(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Candidate venue added."), "success")
            return redirect(url_for("organizer.edition", slug=edition.slug))
    return render_template("events/candidate_form.html", form=form, edition=edition, candidate=None)


@organizer_bp.route("/editions/<slug>/venues/<int:candidate_id>/edit", methods=["GET", "POST"])
def edit_candidate(slug: str, candidate_id: int):  # type: ignore[no-untyped-def]
    edition = services.get_edition(slug)
    candidate = services.get_candidate(edition, candidate_id)
    form = CandidateVenueForm(obj=candidate)
    if form.validate_on_submit():
        try:
            services.update_candidate(candidate, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Candidate venue saved."), "success")
            return redirect(url_for("organizer.edition", slug=edition.slug))
    return render_template(
        "events/candidate_form.html", form=form, edition=edition, candidate=candidate
    )


@organizer_bp.route("/editions/<slug>/venues/<int:candidate_id>/choose", methods=["POST"])
def choose_candidate(slug: str, candidate_id: int):  # type: ignore[no-untyped-def]
    edition = services.get_edition(slug)
    candidate = services.get_candidate(edition, candidate_id)
    if EmptyForm().validate_on_submit():
        services.choose_candidate(candidate, actor=current_user)
        flash(_("%(city)s is now the chosen venue.", city=candidate.city), "success")
    return redirect(url_for("organizer.edition", slug=edition.slug))


@organizer_bp.route("/editions/<slug>/venues/<int:candidate_id>/delete", methods=["POST"])
def delete_candidate(slug: str, candidate_id: int):  # type: ignore[no-untyped-def]
    edition = services.get_edition(slug)
    candidate = services.get_candidate(edition, candidate_id)
    if EmptyForm().validate_on_submit():
        services.delete_candidate(candidate, actor=current_user)
        flash(_("Candidate venue deleted."), "info")
    return redirect(url_for("organizer.edition", slug=edition.slug))
