"""Account pages: sign-up, confirmation, log-in, log-out, reset, tokens, language."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from telecom.auth import services
from telecom.auth.forms import (
    ApiTokenForm,
    EmailForm,
    EmptyForm,
    LoginForm,
    ResetPasswordForm,
    SignUpForm,
    UserAccessForm,
)
from telecom.core.errors import ServiceError, ValidationError
from telecom.core.pagination import paginate
from telecom.core.permissions import Role, roles_required
from telecom.core.web import safe_next_url, show_service_error
from telecom.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/account")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _mail_limit() -> str:
    return str(current_app.config["MAIL_RATE_LIMIT"])


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def signup():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("events.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            services.sign_up(
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data,
                locale=session.get("locale"),
            )
        except ValidationError as error:
            show_service_error(form, error, "password")
        else:
            return render_template("auth/check_mail.html", email=form.email.data)
    return render_template("auth/signup.html", form=form)


@bp.route("/confirm/<token>")
def confirm_email(token: str):  # type: ignore[no-untyped-def]
    try:
        services.confirm_email(token)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.resend_confirmation"))
    flash(_("Thank you, your e-mail address is confirmed. You can now log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def resend_confirmation():  # type: ignore[no-untyped-def]
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        return render_template("auth/check_mail.html", email=form.email.data)
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    next_url = safe_next_url(request.args.get("next"), url_for("events.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginRefused as error:
            form.password.errors = [error.message]
            if error.unconfirmed:
                flash(_("Did not get the mail? You can ask for a new confirmation link."), "info")
        else:
            # A fresh session id on log-in defeats session fixation.
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(next_url)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("events.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def reset_request():  # type: ignore[no-untyped-def]
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/check_mail.html", email=form.email.data, reset=True)
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    try:
        services.user_for_reset_token(token)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationError as error:
            show_service_error(form, error, "password")
        else:
            logout_user()
            flash(_("Your password has been changed. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/", methods=["GET"])
@login_required
def account():  # type: ignore[no-untyped-def]
    return render_template(
        "auth/account.html", token_form=ApiTokenForm(), revoke_form=EmptyForm(), new_token=None
    )


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():  # type: ignore[no-untyped-def]
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return render_template(
            "auth/account.html", token_form=form, revoke_form=EmptyForm(), new_token=None
        ), 400
    _token, secret = services.create_api_token(current_user, form.name.data, actor=current_user)
    # Shown once, in this response only; the database keeps just its hash.
    return render_template(
        "auth/account.html",
        token_form=ApiTokenForm(formdata=None),
        revoke_form=EmptyForm(),
        new_token=secret,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if form.validate_on_submit():
        services.revoke_api_token(token_id, actor=current_user)
        flash(_("The token has been revoked."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/language", methods=["POST"])
def set_language():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    locale = request.form.get("locale", "")
    if form.validate_on_submit() and locale in current_app.config["SUPPORTED_LOCALES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
    return redirect(safe_next_url(request.form.get("next"), url_for("events.home")))


users_bp = Blueprint("users", __name__, url_prefix="/organizer/users")


@users_bp.before_request
@roles_required(Role.ORGANIZER)
def require_organizer() -> None:
    """Account management is for organizers; the services check again."""


@users_bp.route("/")
def list_users():  # type: ignore[no-untyped-def]
    text = request.args.get("q", "")
    role_value = request.args.get("role", "")
    role = Role(role_value) if role_value in {r.value for r in Role} else None
    page = paginate(services.search_users(text, role), per_page=50)
    return render_template("auth/users.html", page=page, q=text, role=role, roles=list(Role))


@users_bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    user = services.get_user(user_id, actor=current_user)
    form = UserAccessForm(data={"roles": sorted(user.roles), "active": user.active})
    if form.validate_on_submit():
        try:
            services.update_access(
                user,
                roles={Role(value) for value in form.roles.data},
                active=form.active.data,
                actor=current_user,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Access of %(email)s saved.", email=user.email), "success")
            return redirect(url_for("users.list_users"))
    return render_template("auth/user_edit.html", form=form, user=user)
