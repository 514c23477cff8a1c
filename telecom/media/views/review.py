"""The media reviewers' pages: the queue, one application with its evidence, the decisions,
late applications and the media list.

Every page is for media reviewers and organizers (the blueprint's
before_request); the services check the role again and own every rule. A
view parses its form, calls one service, and turns a refusal into a flash
or a form error: never a 500.
"""

from __future__ import annotations

import mimetypes
from io import BytesIO

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core import spreadsheets
from telecom.core.errors import ServiceError
from telecom.core.pagination import paginate
from telecom.core.permissions import Role, roles_required
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media import documents
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
)
from telecom.media.review_forms import (
    ActionForm,
    AllowLateForm,
    QueueFilterForm,
    RejectForm,
    RequestInformationForm,
    RevokeForm,
)
from telecom.media.services import review
from telecom.media.views import review_bp
from telecom.participants.models import Person

PER_PAGE = 50

# Each reviewer action and the status it leads to: a button is shown only when
# the service's transition table allows that step from the current status.
ACTIONS: dict[str, ApplicationStatus] = {
    "take": ApplicationStatus.IN_REVIEW,
    "request_information": ApplicationStatus.INFO_REQUESTED,
    "approve": ApplicationStatus.APPROVED,
    "reject": ApplicationStatus.REJECTED,
    "revoke": ApplicationStatus.REVOKED,
}

# The evidence file itself: nothing in it may run or load anything, and only
# our own pages may frame it (the detail page shows PDFs in an <iframe>).
# Chromium and Firefox still render PDFs and images under `sandbox`.
DOCUMENT_CSP = "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox"


# --------------------------------------------------------------------------- helpers


def _filter_args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key != "page" and value}


def _evidence_counts(applications: list[MediaApplication]) -> dict[int, int]:
    """Evidence files still kept (letter of assignment, press card) per application."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    rows = db.session.execute(
        select(MediaDocument.application_id, func.count())
        .where(
            MediaDocument.application_id.in_(ids),
            MediaDocument.kind != DocumentKind.PHOTO,
            MediaDocument.purged_at.is_(None),
        )
        .group_by(MediaDocument.application_id)
    )
    return dict(rows.all())


def _user_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return dict(rows.all())


def available_actions(application: MediaApplication) -> set[str]:
    """The reviewer actions allowed from the application's current status."""
    allowed = review.ALLOWED_TRANSITIONS.get(application.status, set())
    return {name for name, target in ACTIONS.items() if target in allowed}


def _queue_page(edition: Edition, late_form: AllowLateForm, status: int = 200):  # type: ignore[no-untyped-def]
    form = QueueFilterForm(request.args)
    page = paginate(
        review.review_queue(edition, form.to_filters(), actor=current_user), per_page=PER_PAGE
    )
    return (
        render_template(
            "media_review/queue.html",
            edition=edition,
            form=form,
            page=page,
            evidence=_evidence_counts(page.items),
            filter_args=_filter_args(),
            late_form=late_form,
        ),
        status,
    )


def _detail_page(  # type: ignore[no-untyped-def]
    edition: Edition,
    application: MediaApplication,
    *,
    info_form: RequestInformationForm | None = None,
    reject_form: RejectForm | None = None,
    revoke_form: RevokeForm | None = None,
    status: int = 200,
):
    person = db.session.get(Person, application.person_id)
    names = _user_names(
        {application.reviewer_id, application.late_allowed_by_id}
        | {step.actor_id for step in application.steps}
    )
    return (
        render_template(
            "media_review/application.html",
            edition=edition,
            application=application,
            email=person.email if person is not None and not person.erased_at else "",
            names=names,
            evidence=[d for d in application.documents if d.kind is not DocumentKind.PHOTO],
            photos=[d for d in application.documents if d.kind is DocumentKind.PHOTO],
            actions=available_actions(application),
            action_form=ActionForm(),
            info_form=info_form or RequestInformationForm(),
            reject_form=reject_form or RejectForm(),
            revoke_form=revoke_form or RevokeForm(),
        ),
        status,
    )


def _back_to(slug: str, application_id: int) -> Response:
    return redirect(url_for("media_review.application", slug=slug, application_id=application_id))


def _refused(error: ServiceError, slug: str, application_id: int) -> Response:
    """A refused step (a forbidden transition, a bad value): say why, show the application."""
    flash(error.message, "danger")
    return _back_to(slug, application_id)


# --------------------------------------------------------------------------- editions


def editions_index():  # type: ignore[no-untyped-def]
    """Where the "Media review" link of the navigation bar leads: one queue per edition."""
    return render_template("media_review/editions.html", editions=edition_services.list_editions())


@review_bp.record_once
def _register_index(state: BlueprintSetupState) -> None:
    # Every other review URL names an edition; the navigation link needs one that does
    # not. The endpoint belongs to this blueprint, so its reviewer check runs as well.
    state.app.add_url_rule(
        "/media-review/",
        endpoint="media_review.editions",
        view_func=roles_required(Role.MEDIA_REVIEWER, Role.ORGANIZER)(editions_index),
    )


# --------------------------------------------------------------------------- the queue


@review_bp.route("/applications", endpoint="queue")
def queue(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    return _queue_page(edition, AllowLateForm())


@review_bp.route("/applications/allow-late", methods=["POST"], endpoint="allow_late")
def allow_late(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = AllowLateForm()
    if not form.validate_on_submit():
        return _queue_page(edition, form, status=400)
    try:
        review.allow_late(edition, form.email.data, actor=current_user)
    except ServiceError as error:
        if getattr(error, "field", None) == "email":
            form.email.errors = [*form.email.errors, error.message]
            return _queue_page(edition, form, status=error.status_code)
        flash(error.message, "danger")
    else:
        flash(
            _(
                "%(email)s may now apply although applications are closed; they were told "
                "by e-mail.",
                email=form.email.data,
            ),
            "success",
        )
    return redirect(url_for("media_review.queue", slug=slug))


# --------------------------------------------------------------------------- one application


@review_bp.route("/applications/<int:application_id>", endpoint="application")
def application(slug: str, application_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    return _detail_page(edition, found)


@review_bp.route(
    "/applications/<int:application_id>/documents/<int:document_id>", endpoint="document"
)
def document(slug: str, application_id: int, document_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    found, data = documents.open_document(edition, application_id, document_id, actor=current_user)
    extension = mimetypes.guess_extension(found.content_type) or ""
    response = send_file(
        BytesIO(data),
        mimetype=found.content_type,
        as_attachment=False,  # shown in the browser, in the detail page's frame
        download_name=f"{found.kind.value}-{found.id}{extension}",
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    # The site-wide default is DENY; the detail page (same origin) frames this file.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@review_bp.route("/applications/<int:application_id>/take", methods=["POST"], endpoint="take")
def take(slug: str, application_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    try:
        review.take_for_review(found, actor=current_user)
    except ServiceError as error:
        return _refused(error, slug, application_id)
    flash(_("You are reviewing this application."), "success")
    return _back_to(slug, application_id)


@review_bp.route(
    "/applications/<int:application_id>/request-information",
    methods=["POST"],
    endpoint="request_information",
)
def request_information(slug: str, application_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    form = RequestInformationForm()
    if not form.validate_on_submit():
        return _detail_page(edition, found, info_form=form, status=400)
    try:
        review.request_information(found, form.message.data, actor=current_user)
    except ServiceError as error:
        return _refused(error, slug, application_id)
    flash(_("The applicant was asked for more information by e-mail."), "success")
    return _back_to(slug, application_id)


@review_bp.route("/applications/<int:application_id>/approve", methods=["POST"], endpoint="approve")
def approve(slug: str, application_id: int) -> Response:
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    try:
        review.approve(found, actor=current_user)
    except ServiceError as error:
        return _refused(error, slug, application_id)
    flash(
        _("Accreditation approved: the journalist was sent the decision with their media badge."),
        "success",
    )
    return _back_to(slug, application_id)


@review_bp.route("/applications/<int:application_id>/reject", methods=["POST"], endpoint="reject")
def reject(slug: str, application_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail_page(edition, found, reject_form=form, status=400)
    try:
        review.reject(found, form.to_reason(), form.note.data or "", actor=current_user)
    except ServiceError as error:
        return _refused(error, slug, application_id)
    flash(_("Application rejected; the applicant was told by e-mail."), "success")
    return _back_to(slug, application_id)


@review_bp.route("/applications/<int:application_id>/revoke", methods=["POST"], endpoint="revoke")
def revoke(slug: str, application_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    found = review.get_for_review(edition, application_id, actor=current_user)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail_page(edition, found, revoke_form=form, status=400)
    try:
        review.revoke(found, form.reason.data, actor=current_user)
    except ServiceError as error:
        return _refused(error, slug, application_id)
    flash(
        _("Accreditation revoked: the media badge no longer works and the journalist was told."),
        "success",
    )
    return _back_to(slug, application_id)


# --------------------------------------------------------------------------- the media list


@review_bp.route("/media-list", endpoint="media_list")
def media_list(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    headers, rows = review.media_list_table(edition, actor=current_user)
    kind = request.args.get("format", "")
    if kind in ("csv", "xlsx"):
        return spreadsheets.table_download(headers, rows, f"media-list-{edition.slug}", kind)
    # Any other format is ignored: the page itself is shown.
    return render_template(
        "media_review/media_list.html",
        edition=edition,
        headers=headers,
        rows=rows,
        summary=review.media_summary(edition, actor=current_user),
    )
