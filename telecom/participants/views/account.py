"""A person's own registrations: logged in (/my/registrations) or by the mailed manage link.

Who the person is comes from the manage link's `token` (query argument) when
one is given, else from the logged-in account; the services then check every
registration against that person.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.auth.forms import EmptyForm
from telecom.core.errors import NotFound, ServiceError
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.forms import DetailsForm, EraseForm
from telecom.participants.models import Person, RegistrationStatus
from telecom.participants.services import passes, people
from telecom.participants.services import registration as registrations
from telecom.participants.views import bp


class _LoginNeeded(Exception):
    pass


def _token() -> str | None:
    return request.args.get("token") or None


def _person(token: str | None) -> Person | None:
    """The person the manage link names, or the logged-in user's; None when the user has none."""
    if token:
        person = people.person_from_manage_token(token)
        if person is None:
            raise NotFound(
                _(
                    "This link is not valid or has expired. Open the latest message we sent "
                    "you, or register again with the same address to get a new link."
                )
            )
        return person
    if not current_user.is_authenticated:
        raise _LoginNeeded
    return people.person_for_user(current_user)


def _actor():  # type: ignore[no-untyped-def]
    return current_user if current_user.is_authenticated else None


def _home(token: str | None) -> str:
    if token:
        return url_for("participants.manage_registrations", token=token)
    return url_for("participants.my_registrations")


def _login_redirect():  # type: ignore[no-untyped-def]
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _page(person: Person | None, token: str | None):  # type: ignore[no-untyped-def]
    rows = []
    if person is not None:
        for registration in people.registrations_of(person):
            edition = db.session.get(Edition, registration.edition_id)
            pass_type = (
                passes.get_pass_type(edition, registration.pass_type_id)
                if registration.pass_type_id and edition is not None
                else None
            )
            rows.append((registration, edition, pass_type))
    return render_template(
        "participants/my_registrations.html",
        person=person,
        rows=rows,
        token=token,
        action_form=EmptyForm(),
        CONFIRMED=RegistrationStatus.CONFIRMED,
        CANCELLED=RegistrationStatus.CANCELLED,
        PENDING=RegistrationStatus.PENDING,
        amount_due=registrations.amount_due,
    )


@bp.route("/my/registrations")
def my_registrations():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return _login_redirect()
    return _page(people.person_for_user(current_user), None)


@bp.route("/my/registrations/<token>")
def manage_registrations(token: str):  # type: ignore[no-untyped-def]
    return _page(_person(token), token)


@bp.route("/my/details", methods=["GET", "POST"])
def edit_details():  # type: ignore[no-untyped-def]
    token = _token()
    try:
        person = _person(token)
    except _LoginNeeded:
        return _login_redirect()
    if person is None:
        raise NotFound(_("You have no registrations yet."))
    form = DetailsForm()
    if request.method == "GET":
        form.fill(registrations.details_of(person))
    if form.validate_on_submit():
        try:
            reissued = registrations.update_details(person, form.to_data(), actor=_actor())
        except ServiceError as error:
            show_service_error(form, error, getattr(error, "field", None))
        else:
            if reissued:
                flash(
                    _(
                        "Your details are saved. Your badge was issued again with them and "
                        "mailed to you; the old badge no longer works."
                    ),
                    "success",
                )
            else:
                flash(_("Your details are saved."), "success")
            return redirect(_home(token))
    return render_template("participants/details.html", form=form, token=token, person=person)


@bp.route("/my/registrations/<int:registration_id>/cancel", methods=["POST"])
def cancel_registration(registration_id: int):  # type: ignore[no-untyped-def]
    token = _token()
    try:
        person = _person(token)
    except _LoginNeeded:
        return _login_redirect()
    if person is None:
        raise NotFound(_("There is no such registration."))
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(_home(token))
    try:
        cancelled = registrations.cancel_registration(person, registration_id, actor=_actor())
    except NotFound:
        raise  # someone else's registration: as if it did not exist
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Your registration is cancelled."), "success")
        notice = registrations.cancellation_notice(cancelled)
        if notice:
            flash(notice, "warning")
    return redirect(_home(token))


@bp.route("/my/erase", methods=["GET", "POST"])
def erase_data():  # type: ignore[no-untyped-def]
    token = _token()
    try:
        person = _person(token)
    except _LoginNeeded:
        return _login_redirect()
    if person is None:
        raise NotFound(_("We hold no registration data about you."))
    form = EraseForm()
    if form.validate_on_submit():
        try:
            registrations.erase_person(person, actor=_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return render_template("participants/erased.html")
    return render_template("participants/erase.html", form=form, token=token, person=person)
