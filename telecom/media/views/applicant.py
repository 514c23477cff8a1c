"""The journalist's pages: the accreditation landing page and their own application.

Views stay thin: they parse a form, call one service of
telecom.media.services.applications, and show a refused action (ServiceError)
on the form it concerns, keeping what was typed. The services check that the
application belongs to the person asking; a download goes through
documents.open_document, which checks again.

Uploads are the delicate part. The request size is capped before anything
reads the body (the CSRF check reads the form in a before-request function;
URL value preprocessors run earlier still): a file slightly over the limit
still reaches the service, which says so clearly, while a huge body is refused
with a 413 page. A body that breaks off in the middle (the client disconnects,
or the multipart boundary never closes) is detected here, before the CSRF
check would call it an expired form, and gets its own clear message; no
service is called, so the saved application stays exactly as it was.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from telecom.core.errors import NotFound, ServiceError
from telecom.core.uploads import UploadBrokeOff, read_upload_body
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.media import documents
from telecom.media.forms import ApplicationForm, DocumentForm
from telecom.media.models import ApplicationStatus, MediaApplication
from telecom.media.services import applications
from telecom.media.services import settings as media_settings
from telecom.media.views import bp

# The applicant may change the application and its documents only in these states.
EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED})
UPLOAD_ENDPOINTS = frozenset({"media.upload_document"})
MIB = 1024 * 1024


def _limit_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Cap the upload's size, then read its body here, where a broken one can be told apart."""
    if endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    # The file limit plus room for the multipart framing (boundaries, part
    # headers, the CSRF token), so a file just over the limit still reaches the
    # service and gets its message on the form.
    read_upload_body(documents.max_request_bytes())


bp.url_value_preprocessor(_limit_uploads)


def _upload_refused(status: int, title: str, message: str) -> ResponseReturnValue:
    slug = (request.view_args or {}).get("slug")
    back = url_for("media.application", slug=slug) if slug else None
    return render_template(
        "media/application_upload_refused.html", title=title, message=message, back=back
    ), status


@bp.errorhandler(UploadBrokeOff)
def upload_broke_off(error: UploadBrokeOff) -> ResponseReturnValue:
    return _upload_refused(
        400,
        _("The upload broke off"),
        _(
            "The file did not arrive completely, so nothing was saved and your application "
            "is as it was. Check your connection and upload the file again."
        ),
    )


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    return _upload_refused(
        413,
        _("The file is too large"),
        _(
            "Each file may be at most %(limit)s MB. Nothing was saved and your application is "
            "as it was. Reduce the file (a scan at a lower resolution, or a PDF of fewer "
            "pages) and upload it again.",
            limit=_megabytes(documents.max_upload_bytes()),
        ),
    )


def _megabytes(size: int) -> str:
    return f"{size / MIB:g}"


def _show_error(form: ApplicationForm, error: ServiceError) -> None:
    """Put a service's refusal on the field it names, or above the form."""
    show_service_error(form, error, form.field_for(getattr(error, "field", None), error.message))


def _page_context(edition: Edition) -> dict[str, Any]:
    return {
        "edition": edition,
        "Status": ApplicationStatus,
        "window": media_settings.application_window(edition),
        "settings": media_settings.media_settings(edition),
        "privacy_notice": applications.privacy_notice(edition),
        "max_upload_mb": _megabytes(documents.max_upload_bytes()),
    }


def _application_page(
    edition: Edition,
    application: MediaApplication,
    *,
    form: ApplicationForm | None = None,
    upload_form: DocumentForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    editable = application.status in EDITABLE
    if form is None and editable:
        form = ApplicationForm(formdata=None)
        form.fill(applications.application_data(application))
    live = [d for d in application.documents if d.stored_name]
    return render_template(
        "media/application.html",
        application=application,
        editable=editable,
        form=form if editable else None,
        upload_form=upload_form or DocumentForm(formdata=None),
        history=applications.history(application),
        live_documents=live,
        **_page_context(edition),
    ), status


# --------------------------------------------------------------------------- pages


@bp.route("")
def landing(slug: str) -> ResponseReturnValue:
    """Who can be accredited, when to apply, and the way in."""
    edition = get_edition(slug)
    application = None
    if current_user.is_authenticated:
        application = applications.own_application(edition, actor=current_user)
    return render_template(
        "media/apply_landing.html", application=application, **_page_context(edition)
    )


@bp.route("/application", methods=["GET", "POST"])
@login_required
def application(slug: str) -> ResponseReturnValue:
    """Start the application, or follow and edit it."""
    edition = get_edition(slug)
    own = applications.own_application(edition, actor=current_user)
    if own is None:
        return _start(edition)
    if request.method == "GET":
        return _application_page(edition, own)
    if own.status not in EDITABLE:
        flash(
            _(
                "Your application is %(status)s; it can no longer be changed.",
                status=own.status.label,
            ),
            "warning",
        )
        return redirect(url_for("media.application", slug=slug))
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            applications.update_application(own, form.to_data(), actor=current_user)
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(_("Your application is saved."), "success")
            return redirect(url_for("media.application", slug=slug))
    # What was typed stays on the form; what is saved is unchanged.
    return _application_page(edition, own, form=form)


def _start(edition: Edition) -> ResponseReturnValue:
    form = ApplicationForm()
    if request.method == "GET":
        form.full_name.data = current_user.full_name
    elif form.validate_on_submit():
        try:
            applications.start_application(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(
                _(
                    "Your application is saved as a draft. Add your documents, then submit it "
                    "for review."
                ),
                "success",
            )
            return redirect(url_for("media.application", slug=edition.slug))
    return render_template("media/application_start.html", form=form, **_page_context(edition))


@bp.route("/application/documents", methods=["POST"])
@login_required
def upload_document(slug: str) -> ResponseReturnValue:
    edition = get_edition(slug)
    own = applications.get_own_application(edition, actor=current_user)
    upload_form = DocumentForm()
    if upload_form.validate_on_submit():
        upload = upload_form.file.data
        # At most one byte more than the limit: enough for the service to say "too large".
        data = documents.read_upload(upload.stream)
        try:
            document = applications.add_document(
                own, upload_form.document_kind(), data, upload.filename or "", actor=current_user
            )
        except NotFound:
            raise
        except ServiceError as error:
            target = (
                upload_form.kind if getattr(error, "field", None) == "kind" else upload_form.file
            )
            target.errors = [*target.errors, error.message]
        else:
            flash(
                _(
                    "%(kind)s uploaded: %(name)s.",
                    kind=document.kind.label,
                    name=document.original_name,
                ),
                "success",
            )
            return redirect(url_for("media.application", slug=slug, _anchor="documents"))
    return _application_page(edition, own, upload_form=upload_form)


@bp.route("/application/documents/<int:document_id>/remove", methods=["POST"])
@login_required
def remove_document(slug: str, document_id: int) -> ResponseReturnValue:
    edition = get_edition(slug)
    own = applications.get_own_application(edition, actor=current_user)
    try:
        applications.remove_document(own, document_id, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("The document is removed."), "info")
    return redirect(url_for("media.application", slug=slug, _anchor="documents"))


@bp.route("/application/submit", methods=["POST"])
@login_required
def submit_application(slug: str) -> ResponseReturnValue:
    edition = get_edition(slug)
    own = applications.get_own_application(edition, actor=current_user)
    resubmitting = own.status == ApplicationStatus.INFO_REQUESTED
    try:
        applications.submit_application(own, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        form = None
        if own.status in EDITABLE:
            form = ApplicationForm(formdata=None)
            form.fill(applications.application_data(own))
            _show_error(form, error)
        else:
            flash(error.message, "danger")
        return _application_page(edition, own, form=form)
    if resubmitting:
        flash(_("Your application is resubmitted. The reviewers will look at it again."), "success")
    else:
        flash(
            _("Your application is submitted. We sent you an acknowledgement by e-mail."), "success"
        )
    return redirect(url_for("media.application", slug=slug))


@bp.route("/application/documents/<int:document_id>")
@login_required
def document(slug: str, document_id: int) -> ResponseReturnValue:
    """One of the applicant's own files, shown in the browser (PDF, JPEG, PNG)."""
    edition = get_edition(slug)
    own = applications.own_application(edition, actor=current_user)
    if own is None:
        raise NotFound(_("There is no such document."))
    stored, data = documents.open_document(edition, own.id, document_id, actor=current_user)
    response = send_file(
        BytesIO(data),
        mimetype=stored.content_type,
        as_attachment=False,
        download_name=stored.original_name or f"{stored.kind.value}-{stored.id}",
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Evidence (a press card, a passport-style photo) must not linger in shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response
