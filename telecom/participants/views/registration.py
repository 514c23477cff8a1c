"""Public visitor registration (no account needed), its confirmation link, and the
organizer's pass-type pages.

Views stay thin: they parse the form, call one service, and turn a refused
action (ServiceError) into a form error or a message.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from telecom.auth.forms import EmptyForm
from telecom.auth.services import MIN_PASSWORD_LENGTH
from telecom.core.errors import ServiceError, ValidationError
from telecom.core.models import utcnow
from telecom.core.web import show_service_error
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.extensions import db, limiter
from telecom.participants.forms import PassTypeForm, RegistrationForm
from telecom.participants.models import PassType, RegistrationStatus
from telecom.participants.services import passes, people
from telecom.participants.services import registration as registrations
from telecom.participants.services.passes import PassTypeData, PassTypeError
from telecom.participants.views import bp, organizer_bp


class PayAccountForm(FlaskForm):
    """The password of the account a visitor pays with (the auth domain's rules)."""

    password = PasswordField(
        _l("Choose a password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l(
                    "The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    password_again = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


def _registration_limit() -> str:
    return str(current_app.config["REGISTRATION_RATE_LIMIT"])


# --- Public -----------------------------------------------------------------------------


@bp.route("/editions/<slug>/register")
def register(slug: str):  # type: ignore[no-untyped-def]
    """The passes on sale; an invitation link (?code=) goes straight to its pass."""
    edition = get_edition(slug)
    code = (request.args.get("code") or "").strip()
    if code:
        from telecom.participants.services import codes

        try:
            invitation = codes.check_invitation(edition, None, code)
        except ValidationError as error:
            flash(error.message, "danger")
        else:
            return redirect(
                url_for(
                    "participants.register_pass",
                    slug=edition.slug,
                    pass_type_id=invitation.pass_type_id,
                    code=invitation.code,
                )
            )
    offered = passes.passes_for_sale(edition, utcnow())
    return render_template(
        "participants/register_passes.html",
        edition=edition,
        offered=offered,
        remaining=passes.remaining,
        categories_of=passes.categories_of,
    )


@bp.route("/editions/<slug>/register/<int:pass_type_id>", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register_pass(slug: str, pass_type_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    pass_type = passes.get_pass_type(edition, pass_type_id)
    refusal = passes.sale_refusal(pass_type, edition, utcnow())
    form = RegistrationForm(pass_type)
    if request.method == "GET" and request.args.get("code"):
        form.invitation_code.data = request.args["code"].strip()[:40]
    sold_out = passes.remaining(pass_type) == 0
    if refusal is None and form.validate_on_submit():
        try:
            registration = registrations.register_visitor(
                edition, pass_type.id, form.to_data(locale=session.get("locale"))
            )
        except registrations.AlreadyRegistered as error:
            return render_template(
                "participants/check_mail.html",
                edition=edition,
                email=form.email.data,
                already=error.message,
            )
        except registrations.RegistrationError as error:
            show_service_error(form, error, error.field)
        except passes.PassTypeError as error:
            show_service_error(form, error, error.field)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return render_template(
                "participants/check_mail.html",
                edition=edition,
                email=registration.person.email,
                already=None,
            )
        sold_out = passes.remaining(pass_type) == 0  # reloaded: a refusal rolled back
    return render_template(
        "participants/register.html",
        edition=edition,
        pass_type=pass_type,
        form=form,
        refusal=refusal,
        sold_out=sold_out and refusal is None,
        remaining=passes.remaining(pass_type),
        categories_of=passes.categories_of,
    )


@bp.route("/registrations/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def confirm_registration(token: str):  # type: ignore[no-untyped-def]
    """The mailed link: confirms the address; a paid pass then goes on to payment."""
    try:
        registration = registrations.confirm_registration(token)
    except ServiceError as error:
        return render_template("participants/confirm_failed.html", message=error.message), 400
    edition = db.session.get(Edition, registration.edition_id)
    if registrations.awaits_payment(registration):
        return _payment_step(token, registration, edition)
    return render_template(
        "participants/confirmed.html",
        edition=edition,
        registration=registration,
        confirmed=registration.status == RegistrationStatus.CONFIRMED,
        amount_due=registrations.amount_due(registration),
        manage_token=people.manage_link_token(registration.person),
    )


def _payment_step(token: str, registration, edition):  # type: ignore[no-untyped-def]
    """After the link: pay with the account that has the address, or make one.

    Logged in as the person: straight to the pass's order (the same one each
    time). An account exists: log in first (back here afterwards). Otherwise
    the visitor chooses a password; the link proved the address, so the new
    account is confirmed and logged in at once.
    """
    here = url_for("participants.confirm_registration", token=token)
    context = {
        "edition": edition,
        "registration": registration,
        "amount_due": registrations.amount_due(registration),
        "manage_token": people.manage_link_token(registration.person),
    }
    if current_user.is_authenticated:
        if not registrations.is_payer(current_user, registration):
            return render_template(
                "participants/pay_other_account.html", email=registration.person.email, **context
            )
        try:
            order = registrations.start_payment(registration, buyer=current_user)
        except ServiceError as error:
            return render_template("participants/confirm_failed.html", message=error.message), 409
        return redirect(url_for("payments.order", order_id=order.id))
    if registrations.payer_account(registration) is not None:
        return render_template(
            "participants/pay_login.html",
            email=registration.person.email,
            login_url=url_for("auth.login", next=here),
            **context,
        )
    form = PayAccountForm()
    if form.validate_on_submit():
        try:
            user, order = registrations.pay_with_new_account(token, form.password.data)
        except ValidationError as error:
            show_service_error(form, error, "password")
        except ServiceError as error:
            return render_template("participants/confirm_failed.html", message=error.message), 409
        else:
            # A fresh session on log-in (as auth.login does), keeping the language.
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user)
            flash(
                _("Your account is ready: you can log in with %(email)s from now on.",
                  email=user.email),
                "success",
            )  # fmt: skip
            return redirect(url_for("payments.order", order_id=order.id))
    return render_template(
        "participants/pay_account.html",
        form=form,
        email=registration.person.email,
        action=here,
        **context,
    )


# --- Organizer: pass types --------------------------------------------------------------


@organizer_bp.route("/pass-types")
def pass_types(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    return render_template(
        "participants_admin/pass_types.html",
        edition=edition,
        pass_types=passes.list_pass_types(edition, actor=current_user),
        categories_of=passes.categories_of,
        remaining=passes.remaining,
        to_local=passes.to_local,
        action_form=EmptyForm(),
    )


def _pass_form_page(edition, form: PassTypeForm, pass_type: PassType | None):  # type: ignore[no-untyped-def]
    return render_template(
        "participants_admin/pass_type_form.html",
        edition=edition,
        form=form,
        pass_type=pass_type,
    )


def _save_pass(edition, form: PassTypeForm, pass_type: PassType | None):  # type: ignore[no-untyped-def]
    data: PassTypeData = form.to_data()
    try:
        if pass_type is None:
            saved = passes.create_pass_type(edition, data, actor=current_user)
        else:
            saved = passes.update_pass_type(pass_type, data, actor=current_user)
    except PassTypeError as error:
        show_service_error(form, error, error.field)
        return None
    except ServiceError as error:
        show_service_error(form, error)
        return None
    return saved


@organizer_bp.route("/pass-types/new", methods=["GET", "POST"])
def new_pass_type(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    form = PassTypeForm()
    if request.method == "GET":
        form.valid_from.data = edition.start_date
        form.valid_until.data = edition.end_date
    if form.validate_on_submit():
        saved = _save_pass(edition, form, None)
        if saved is not None:
            flash(_("The pass %(name)s was created.", name=saved.name), "success")
            return redirect(url_for("participants_admin.pass_types", slug=edition.slug))
    return _pass_form_page(edition, form, None)


@organizer_bp.route("/pass-types/<int:pass_type_id>/edit", methods=["GET", "POST"])
def edit_pass_type(slug: str, pass_type_id: int):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    pass_type = passes.get_pass_type(edition, pass_type_id)
    form = PassTypeForm()
    if request.method == "GET":
        form.fill(passes.data_of(pass_type, edition))
    if form.validate_on_submit():
        saved = _save_pass(edition, form, pass_type)
        if saved is not None:
            flash(_("The pass %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("participants_admin.pass_types", slug=edition.slug))
    return _pass_form_page(edition, form, pass_type)


@organizer_bp.route("/pass-types/<int:pass_type_id>/<any(activate, deactivate):action>",
                    methods=["POST"])  # fmt: skip
def set_pass_type_active(slug: str, pass_type_id: int, action: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    pass_type = passes.get_pass_type(edition, pass_type_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
    else:
        try:
            passes.set_active(pass_type, action == "activate", actor=current_user)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            if action == "activate":
                flash(_("The pass %(name)s is offered again.", name=pass_type.name), "success")
            else:
                flash(
                    _(
                        "The pass %(name)s is no longer offered; registrations already made "
                        "stay valid.",
                        name=pass_type.name,
                    ),
                    "success",
                )
    return redirect(url_for("participants_admin.pass_types", slug=edition.slug))
