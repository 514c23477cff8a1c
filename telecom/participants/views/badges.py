"""Badge routes: a participant's badge PDF, and the organizer's re-issue and on-site print.

Views stay thin: who may have which badge is decided in services/badges.py;
a refusal (ServiceError) becomes the error page or a flash message.
"""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from telecom.auth.forms import EmptyForm
from telecom.core.web import safe_next_url
from telecom.events.services import get_edition
from telecom.participants.models import Person, Registration
from telecom.participants.services import badges
from telecom.participants.views import bp, organizer_bp


def _person_from_token(token: str) -> Person | None:
    if not token:
        return None
    # people.py belongs to the registration work; imported here, when needed.
    from telecom.participants.services.people import person_from_manage_token

    return person_from_manage_token(token)


def _pdf_response(registration: Registration, layout: str) -> Response:
    pdf = badges.render_badge_pdf(registration, layout)
    response = Response(pdf, mimetype="application/pdf")
    filename = badges.badge_filename(registration)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # The badge admits its holder: never kept by a shared cache or the browser,
    # and the manage token in the address is not passed on.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _registration_page(slug: str, registration: Registration) -> str:
    """Back to the organizer's registration page (admin.py), or to the badge itself."""
    try:
        return url_for(
            "participants_admin.registration", slug=slug, registration_id=registration.id
        )
    except BuildError:
        return url_for("participants_admin.print_badge", slug=slug, registration_id=registration.id)


@bp.route("/badges/<int:registration_id>.pdf")
def badge_pdf(registration_id: int) -> Response:
    """A participant's own badge (logged in, or with their manage link), or any for organizers."""
    layout = request.args.get("layout", "a6").strip().lower() or "a6"
    person = _person_from_token(request.args.get("token", "").strip())
    registration = badges.get_badge_registration(registration_id, actor=current_user, person=person)
    return _pdf_response(registration, layout)


@organizer_bp.route("/registrations/<int:registration_id>/badge.pdf")
def print_badge(slug: str, registration_id: int) -> Response:
    """The badge for printing at the registration desk: A6, or `layout=a4` with cut marks."""
    edition = get_edition(slug)
    registration = badges.get_badge_registration(
        registration_id, actor=current_user, edition=edition
    )
    layout = request.args.get("layout", "a6").strip().lower() or "a6"
    return _pdf_response(registration, layout)


@organizer_bp.route("/registrations/<int:registration_id>/reissue-badge", methods=["POST"])
def reissue_badge(slug: str, registration_id: int):  # type: ignore[no-untyped-def]
    """A new badge code (lost badge, name changed): the old badge stops working."""
    edition = get_edition(slug)
    registration = badges.get_badge_registration(
        registration_id, actor=current_user, edition=edition
    )
    back = safe_next_url(request.form.get("next"), _registration_page(edition.slug, registration))
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    badges.reissue_badge(registration, actor=current_user)
    flash(
        _(
            "A new badge was issued for %(name)s. The previous badge no longer opens the gates.",
            name=registration.person.full_name,
        ),
        "success",
    )
    return redirect(back)
