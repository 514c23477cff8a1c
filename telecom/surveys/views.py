"""Survey pages: the personal survey link (no account) and the organizer pages.

The respondent's page is opened by the signed token alone. A link that does
not open an invitation (tampered, cut, replaced by a resend) gets one plain
404 page that says what to do and nothing about the invitation. Every page of
the `surveys` blueprint, error pages included, is sent with
`Referrer-Policy: no-referrer` and `Cache-Control: private, no-store`, so the
token in the address is neither passed to another site nor kept by a cache.

Views stay thin: the answer goes to services.answering, whose refusals are
shown beside their fields with what was chosen kept; the organizer's pages
read services.results and send through services.sending.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from telecom.core.errors import NotFound, ServiceError
from telecom.core.pagination import paginate
from telecom.core.permissions import Role, roles_required
from telecom.core.web import safe_next_url
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.surveys.forms import ActionForm, AnswerForm, InvitationSearchForm
from telecom.surveys.models import SurveyAudience, SurveyInvitation
from telecom.surveys.services import (
    AlreadyAnswered,
    SurveyError,
    answering,
    results,
    sending,
    tokens,
)
from telecom.surveys.services.results import segment_label

# Respondents, through their personal link.
bp = Blueprint("surveys", __name__, url_prefix="/surveys")
organizer_bp = Blueprint("surveys_admin", __name__, url_prefix="/organizer/editions/<slug>/surveys")

COMMENTS_PER_PAGE = 25
INVITATIONS_PER_PAGE = 50


@organizer_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Every survey organizer page is for organizers; the services check again."""


# --------------------------------------------------------------------------- the respondent


class LinkRefused(Exception):
    """The survey link does not open an invitation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """The token is in the address: never pass it on, never let a cache keep the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(LinkRefused)
def link_refused(error: LinkRefused) -> ResponseReturnValue:
    return render_template("surveys/invalid.html", message=error.message), 404


def _open(token: str) -> SurveyInvitation:
    try:
        return tokens.invitation_from_token(token)
    except NotFound as error:
        raise LinkRefused(error.message) from None


def _edition_of(invitation: SurveyInvitation) -> Edition:
    edition = db.session.get(Edition, invitation.edition_id)
    assert edition is not None  # the foreign key cascades: an invitation always has one
    return edition


def _thanks(invitation: SurveyInvitation, message: str) -> ResponseReturnValue:
    return render_template("surveys/thanks.html", edition=_edition_of(invitation), message=message)


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str) -> ResponseReturnValue:
    """The survey, and its one answer."""
    invitation = _open(token)
    audience = SurveyAudience(invitation.audience)
    if answering.has_answered(invitation):
        if request.method == "POST":
            message = _(
                "You have already answered this survey, thank you. Your answer has not been "
                "changed."
            )
        else:
            message = _("You have answered this survey. Thank you for your time!")
        return _thanks(invitation, message)
    form = AnswerForm().for_audience(audience)
    if request.method == "POST" and form.validate_on_submit():
        data = answering.SurveyAnswer(
            satisfaction=form.satisfaction.data,
            would_return=form.would_return.data,
            recommend_score=(
                form.recommend_score.data if audience == SurveyAudience.EXHIBITOR else None
            ),
            comment=form.comment.data or "",
        )
        try:
            answering.answer(invitation, data)
        except SurveyError as error:
            for field, message in error.errors.items():
                form[field].errors = [*form[field].errors, message]
        except AlreadyAnswered as error:
            return _thanks(invitation, error.message)
        else:
            flash(_("Thank you for your answers."), "success")
            return redirect(url_for("surveys.answer", token=token))
    return render_template(
        "surveys/answer.html",
        form=form,
        edition=_edition_of(invitation),
        exhibitor=audience == SurveyAudience.EXHIBITOR,
        token=token,
    )


# --------------------------------------------------------------------------- the organizer


def _edition(slug: str) -> Edition:
    return edition_services.get_edition(slug)


def _audience(value: str | None) -> SurveyAudience:
    try:
        return SurveyAudience(value or "")
    except ValueError:
        raise NotFound(_("There is no such survey.")) from None


@organizer_bp.route("/", endpoint="overview")
def overview(slug: str) -> ResponseReturnValue:
    edition = _edition(slug)
    figures = [
        results.audience_results(edition, audience, actor=current_user)
        for audience in SurveyAudience
    ]
    return render_template(
        "surveys_admin/overview.html",
        edition=edition,
        figures=figures,
        action_form=ActionForm(),
        Audience=SurveyAudience,
    )


@organizer_bp.route("/send", methods=["POST"], endpoint="send")
def send(slug: str) -> ResponseReturnValue:
    """Send one audience's survey (the form's `audience`) to everyone not invited yet."""
    edition = _edition(slug)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(url_for("surveys_admin.overview", slug=slug))
    chosen = _audience(request.form.get("audience"))
    try:
        report = sending.send_survey(edition, chosen, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("surveys_admin.overview", slug=slug))
    parts = [
        ngettext(
            "%(num)d invitation sent (the e-mails leave with the outbox delivery).",
            "%(num)d invitations sent (the e-mails leave with the outbox delivery).",
            report.sent,
        ),
        ngettext("%(num)d already invited before.", "%(num)d already invited before.",
                 report.already_invited),
    ]  # fmt: skip
    if report.unreachable:
        parts.append(
            ngettext(
                "%(num)d without an e-mail address to write to.",
                "%(num)d without an e-mail address to write to.",
                report.unreachable,
            )
        )
    if report.shared_contact:
        parts.append(
            ngettext(
                "%(num)d exhibitor shares its contact with another exhibitor, who is asked once.",
                "%(num)d exhibitors share their contact with another exhibitor, who is asked once.",
                report.shared_contact,
            )
        )
    flash(f"{chosen.label}: " + " ".join(parts), "success" if report.sent else "info")
    return redirect(url_for("surveys_admin.overview", slug=slug))


@organizer_bp.route("/comments", endpoint="comments")
def comments(slug: str) -> ResponseReturnValue:
    edition = _edition(slug)
    audience = _audience(request.args.get("audience") or SurveyAudience.EXHIBITOR.value)
    page = paginate(
        results.comments_query(edition, audience, actor=current_user), per_page=COMMENTS_PER_PAGE
    )
    return render_template(
        "surveys_admin/comments.html",
        edition=edition,
        audience=audience,
        page=page,
        segment_label=segment_label,
        Audience=SurveyAudience,
    )


@organizer_bp.route("/invitations", endpoint="invitations")
def invitations(slug: str) -> ResponseReturnValue:
    edition = _edition(slug)
    search = InvitationSearchForm(request.args)
    audience = search.chosen_audience()
    query = results.invitations_query(
        edition, audience, search.email.data or "", actor=current_user
    )
    page = paginate(query, per_page=INVITATIONS_PER_PAGE)
    return render_template(
        "surveys_admin/invitations.html",
        edition=edition,
        audience=audience,
        search=search,
        page=page,
        rows=results.invitation_rows(page.items),
        action_form=ActionForm(),
    )


@organizer_bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"], endpoint="resend")
def resend(slug: str, invitation_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    back = safe_next_url(request.form.get("next"), url_for("surveys_admin.invitations", slug=slug))
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    try:
        invitation = sending.resend_invitation(edition, invitation_id, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(back)
    email = results.invitation_rows([invitation])[0].email
    flash(
        _("A new survey link was sent to %(email)s; the link sent before no longer works.",
          email=email),
        "success",
    )  # fmt: skip
    return redirect(back)
