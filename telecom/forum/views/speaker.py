"""The invited speaker's pages: the personal link is the only key.

No account is needed: the signed token in the address opens one speaker
(speakers.speaker_from_token checks the signature and that it is the latest
link of an invitation that was not withdrawn). A link that no longer works
gets a page that says why and whom to ask, never a 500.

- /speakers/<token>: the invitation, with the profile form to confirm
  (name, job title, organisation, country, biography, photo, consent to their
  publication) and a button to decline. Once confirmed it leads to the
  profile page.
- /speakers/<token>/profile: a confirmed speaker updates the profile and the
  photo, or cancels their participation.
- /speakers/<token>/decline: declining (before or after confirming).
- /speakers/<token>/photo: the speaker's own photo, as kept (the public
  programme serves confirmed speakers' photos itself).

The token must not leak: every response of this blueprint (error pages
included) carries `Referrer-Policy: no-referrer` and `Cache-Control: private,
no-store`.

Uploads are capped before anything reads the body, as on the media pages: a
photo slightly over the limit still reaches the service, which says so on
the form with everything typed kept; a huge body gets a 413 page; a body that
breaks off gets its own page. Nothing is saved in either case.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from telecom.core import storage
from telecom.core.errors import NotFound, ServiceError
from telecom.core.uploads import UploadBrokeOff, read_upload_body
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import Speaker, SpeakerStatus
from telecom.forum.services import speakers
from telecom.forum.speaker_forms import ConfirmSpeakerForm, DeclineForm, SpeakerProfileForm
from telecom.forum.views import speaker_bp
from telecom.media import documents

S = SpeakerStatus
UPLOAD_ENDPOINTS = frozenset({"forum_speaker.invitation", "forum_speaker.profile"})
MIB = 1024 * 1024


class LinkRefused(Exception):
    """The link does not open a speaker (tampered, superseded, withdrawn)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@speaker_bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """The token is in the address: never pass it on, never let a cache keep the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@speaker_bp.errorhandler(LinkRefused)
def link_refused(error: LinkRefused) -> ResponseReturnValue:
    return render_template("forum_speaker/invalid.html", message=error.message), 404


# --------------------------------------------------------------------------- uploads


def _limit_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Cap the body's size, then parse it here, where a broken one can be told apart."""
    if endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    # The file limit plus room for the other fields and the multipart framing,
    # so a photo just over the limit still reaches the service and its message.
    read_upload_body(documents.max_request_bytes())


speaker_bp.url_value_preprocessor(_limit_uploads)


def _megabytes(size: int) -> str:
    return f"{size / MIB:g}"


def _upload_refused(status: int, title: str, message: str) -> ResponseReturnValue:
    token = (request.view_args or {}).get("token")
    back = url_for("forum_speaker.invitation", token=token) if token else None
    return render_template(
        "forum_speaker/upload_refused.html", title=title, message=message, back=back
    ), status


@speaker_bp.errorhandler(UploadBrokeOff)
def upload_broke_off(error: UploadBrokeOff) -> ResponseReturnValue:
    return _upload_refused(
        400,
        _("The upload broke off"),
        _(
            "The form did not arrive completely, so nothing was saved. Check your connection, "
            "then fill in the form and choose the photo again."
        ),
    )


@speaker_bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    return _upload_refused(
        413,
        _("The photo is too large"),
        _(
            "The photo may be at most %(limit)s MB. Nothing was saved. Make the picture "
            "smaller (a lower resolution is plenty for the programme) and send the form again.",
            limit=_megabytes(documents.max_upload_bytes()),
        ),
    )


# --------------------------------------------------------------------------- helpers


def _open(token: str) -> Speaker:
    try:
        return speakers.speaker_from_token(token)
    except NotFound as error:
        raise LinkRefused(error.message) from None


def _edition(speaker: Speaker) -> Edition:
    edition = db.session.get(Edition, speaker.edition_id)
    assert edition is not None  # the foreign key cascades: a speaker always has an edition
    return edition


def _photo_bytes(form: SpeakerProfileForm) -> tuple[bytes | None, str]:
    """The chosen photo (at most one byte past the limit: enough to say "too large")."""
    upload = form.chosen_photo()
    if upload is None:
        return None, ""
    return documents.read_upload(upload.stream), upload.filename or ""


def _show_error(form: SpeakerProfileForm, error: ServiceError) -> None:
    """A refusal goes beside its field, or above the form."""
    if not form.show_error(getattr(error, "field", None), error.message):
        form.form_errors.append(error.message)


def _page_context(token: str, speaker: Speaker) -> dict[str, Any]:
    return {
        "token": token,
        "speaker": speaker,
        "edition": _edition(speaker),
        "sessions": speakers.speaker_sessions(speaker),
        "Status": S,
        "max_upload_mb": _megabytes(documents.max_upload_bytes()),
    }


def _invitation_page(
    token: str,
    speaker: Speaker,
    form: ConfirmSpeakerForm | None = None,
    *,
    photo_again: bool = False,
) -> ResponseReturnValue:
    if form is None:
        form = ConfirmSpeakerForm(formdata=None)
        form.fill(speaker)
    return render_template(
        "forum_speaker/invitation.html",
        form=form,
        decline_form=DeclineForm(formdata=None),
        photo_again=photo_again,
        **_page_context(token, speaker),
    )


def _profile_page(
    token: str,
    speaker: Speaker,
    form: SpeakerProfileForm | None = None,
    *,
    photo_again: bool = False,
) -> ResponseReturnValue:
    if form is None:
        form = SpeakerProfileForm(formdata=None)
        form.fill(speaker)
    return render_template(
        "forum_speaker/profile.html",
        form=form,
        decline_form=DeclineForm(formdata=None),
        photo_again=photo_again,
        **_page_context(token, speaker),
    )


def _refused_photo_must_be_chosen_again(form: SpeakerProfileForm) -> bool:
    # A browser never fills a file field back in: say so when a photo was chosen
    # and the form came back for another reason (a photo error says it itself).
    return form.chosen_photo() is not None and not form.photo.errors


# --------------------------------------------------------------------------- pages


@speaker_bp.route("/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """The invitation: confirm with the profile and a photo, or decline."""
    speaker = _open(token)
    if speaker.status == S.CONFIRMED:
        if request.method == "POST":
            flash(_("You have already confirmed. You can change your profile here."), "info")
        return redirect(url_for("forum_speaker.profile", token=token))
    if request.method == "GET":
        return _invitation_page(token, speaker)
    form = ConfirmSpeakerForm()
    if not form.validate_on_submit():
        return _invitation_page(
            token, speaker, form, photo_again=_refused_photo_must_be_chosen_again(form)
        )
    photo, photo_name = _photo_bytes(form)
    try:
        speakers.confirm(speaker, form.to_profile(), photo=photo, photo_name=photo_name)
    except NotFound as error:
        raise LinkRefused(error.message) from None
    except ServiceError as error:
        _show_error(form, error)
        return _invitation_page(
            token, speaker, form, photo_again=_refused_photo_must_be_chosen_again(form)
        )
    flash(
        _(
            "Thank you for confirming. Your speaker badge has been sent to %(email)s.",
            email=speaker.email,
        ),
        "success",
    )
    return redirect(url_for("forum_speaker.profile", token=token))


@speaker_bp.route("/<token>/profile", methods=["GET", "POST"])
def profile(token: str) -> ResponseReturnValue:
    """A confirmed speaker's profile as the programme shows it: change it, or cancel."""
    speaker = _open(token)
    if speaker.status != S.CONFIRMED:
        return redirect(url_for("forum_speaker.invitation", token=token))
    if request.method == "GET":
        return _profile_page(token, speaker)
    form = SpeakerProfileForm()
    if not form.validate_on_submit():
        return _profile_page(
            token, speaker, form, photo_again=_refused_photo_must_be_chosen_again(form)
        )
    photo, photo_name = _photo_bytes(form)
    try:
        speakers.update_profile(speaker, form.to_profile(), photo=photo, photo_name=photo_name)
    except NotFound as error:
        raise LinkRefused(error.message) from None
    except ServiceError as error:
        _show_error(form, error)
        return _profile_page(
            token, speaker, form, photo_again=_refused_photo_must_be_chosen_again(form)
        )
    if photo is not None:
        flash(
            _(
                "Your profile is saved. Your badge with the new photo has been sent to %(email)s.",
                email=speaker.email,
            ),
            "success",
        )
    else:
        flash(_("Your profile is saved."), "success")
    return redirect(url_for("forum_speaker.profile", token=token))


@speaker_bp.route("/<token>/decline", methods=["POST"])
def decline(token: str) -> ResponseReturnValue:
    """Decline the invitation, or cancel a confirmed participation (the badge stops working)."""
    speaker = _open(token)
    was_confirmed = speaker.status == S.CONFIRMED
    form = DeclineForm()
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        flash(problems[0] if problems else _("Please try again."), "danger")
        return redirect(url_for("forum_speaker.invitation", token=token))
    try:
        speakers.decline(speaker, note=form.note.data or "")
    except NotFound as error:
        raise LinkRefused(error.message) from None
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("forum_speaker.invitation", token=token))
    if was_confirmed:
        flash(
            _(
                "Your participation is cancelled and your badge no longer works. Your profile "
                "and photo are no longer shown. Thank you for letting us know."
            ),
            "info",
        )
    else:
        flash(
            _("Your reply is recorded: you have declined. Thank you for letting us know."), "info"
        )
    return redirect(url_for("forum_speaker.invitation", token=token))


@speaker_bp.route("/<token>/photo")
def photo(token: str) -> ResponseReturnValue:
    """The speaker's own photo as it is kept (metadata removed, scaled for the programme)."""
    speaker = _open(token)
    if not speaker.photo_file:
        raise NotFound(_("There is no photo on file."))
    data = storage.read(speakers.SPEAKER_PHOTOS_KIND, speaker.photo_file)
    response = send_file(
        BytesIO(data),
        mimetype=storage.content_type_of(speaker.photo_file),
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
