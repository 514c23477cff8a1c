"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from telecom.auth.services import MIN_PASSWORD_LENGTH
from telecom.core.forms import strip_whitespace
from telecom.core.permissions import ROLE_LABELS

_password_length = _l("The password must be between %(min)d and %(max)d characters long.")
_email_validators = [
    DataRequired(),
    Length(max=320),
    Email(check_deliverability=False, message=_l("Enter a valid e-mail address.")),
]


class SignUpForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail address"), filters=[strip_whitespace], validators=_email_validators
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_password_length),
        ],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    password_again = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), filters=[strip_whitespace], validators=_email_validators
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class EmailForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), filters=[strip_whitespace], validators=_email_validators
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_password_length),
        ],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    password_again = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Token name"), filters=[strip_whitespace], validators=[DataRequired(), Length(max=100)]
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


class UserAccessForm(FlaskForm):
    """An organizer's view of one account: its roles and whether it may log in."""

    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Account active (can log in and use API tokens)"))
