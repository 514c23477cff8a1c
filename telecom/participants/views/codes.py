"""Invitation codes (exhibitor and organizer pages) and promo codes (organizer pages)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from telecom.auth.forms import EmptyForm
from telecom.core.errors import ServiceError
from telecom.core.forms import strip_whitespace
from telecom.core.web import show_service_error
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.exhibitors.services import organisations as organisation_services
from telecom.extensions import db
from telecom.participants.models import DiscountKind, PassType
from telecom.participants.services import codes as services
from telecom.participants.views import bp, organizer_bp


class InvitationForm(FlaskForm):
    pass_type = SelectField(_l("Pass"), coerce=int, validators=[InputRequired()])
    count = IntegerField(
        _l("Number of codes"),
        default=1,
        validators=[
            InputRequired(message=_l("How many codes?")),
            NumberRange(
                min=1,
                max=services.MAX_CODES_PER_REQUEST,
                message=_l("Create 1 to %(max)d codes at a time."),
            ),
        ],
    )
    invitee_email = EmailField(
        _l("E-mail the code to (optional)"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=320),
            Email(check_deliverability=False, message=_l("Enter a valid e-mail address.")),
        ],
        description=_l("We send one code with the registration link to this address."),
    )

    def __init__(self, pass_types: list[PassType], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.pass_type.choices = [SelectChoice(p.id, p.name) for p in pass_types]


class PromoForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(min=3, max=40)],
        description=_l("Letters, digits, hyphens; stored in capitals."),
    )
    kind = SelectField(
        _l("Discount"),
        choices=[
            SelectChoice(DiscountKind.PERCENT.value, _l("Percentage off")),
            SelectChoice(DiscountKind.AMOUNT.value, _l("Amount off")),
        ],
    )
    value = DecimalField(
        _l("Value"),
        places=2,
        validators=[InputRequired(message=_l("Enter the discount."))],
        description=_l("A percentage (up to 100) or an amount in the edition's currency."),
    )
    max_uses = IntegerField(
        _l("Maximum uses"),
        default=1,
        validators=[
            InputRequired(message=_l("How many times may the code be used?")),
            NumberRange(
                min=1, max=1_000_000, message=_l("A promo code can be used 1 to 1,000,000 times.")
            ),
        ],
    )
    valid_from = DateTimeLocalField(
        _l("Valid from (local time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    valid_until = DateTimeLocalField(
        _l("Valid until (local time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    pass_type = SelectField(_l("Only for the pass"), coerce=int, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, pass_types: list[PassType], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.pass_type.choices = [
            SelectChoice(0, str(_l("Any pass"))),
            *(SelectChoice(p.id, p.name) for p in pass_types),
        ]

    def to_data(self, edition: Edition) -> services.PromoData:
        def utc(value: datetime | None) -> datetime | None:
            # Organizers think in the edition's local time.
            return value.replace(tzinfo=edition.tz).astimezone(UTC) if value else None

        return services.PromoData(
            code=self.code.data or "",
            kind=self.kind.data or "",
            value=self.value.data,  # type: ignore[arg-type]
            max_uses=self.max_uses.data or 0,
            valid_from=utc(self.valid_from.data),
            valid_until=utc(self.valid_until.data),
            pass_type_id=self.pass_type.data or None,
            active=bool(self.active.data),
        )


def _pass_types(edition: Edition) -> list[PassType]:
    return list(
        db.session.scalars(
            select(PassType).where(PassType.edition_id == edition.id).order_by(PassType.name)
        )
    )


# --------------------------------------------------------------------------- exhibitor side


def _invitations_page(edition, organisation, form, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "participants/codes.html",
            edition=edition,
            organisation=organisation,
            form=form,
            quotas=services.invitation_quotas(organisation, actor=current_user),
            rows=services.organisation_invitations(organisation, actor=current_user),
            listed=organisation_services.is_listed(organisation),
            action_form=EmptyForm(),
        ),
        status,
    )


@bp.route("/editions/<slug>/exhibitors/<int:organisation_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug: str, organisation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = organisation_services.get_organisation(
        edition, organisation_id, actor=current_user
    )
    form = InvitationForm(services.invitation_pass_types(edition))
    if form.validate_on_submit():
        try:
            created = services.create_invitations(
                organisation, form.pass_type.data, form.count.data or 0,
                actor=current_user, invitee_email=form.invitee_email.data or "",
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error, "count")
            return _invitations_page(edition, organisation, form, 400)
        if form.invitee_email.data:
            flash(
                _("Code %(code)s was e-mailed to %(email)s.", code=created[0].code,
                  email=form.invitee_email.data),
                "success",
            )  # fmt: skip
        else:
            flash(_("%(n)d code(s) created.", n=len(created)), "success")
        return redirect(
            url_for("participants.invitations", slug=slug, organisation_id=organisation.id)
        )
    if form.is_submitted():
        return _invitations_page(edition, organisation, form, 400)
    return _invitations_page(edition, organisation, form)


@bp.route(
    "/editions/<slug>/exhibitors/<int:organisation_id>/invitations/<int:invitation_id>/revoke",
    methods=["POST"],
)
@login_required
def revoke_invitation(slug: str, organisation_id: int, invitation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    organisation = organisation_services.get_organisation(
        edition, organisation_id, actor=current_user
    )
    if EmptyForm().validate_on_submit():
        try:
            invitation = services.revoke_invitation(organisation, invitation_id, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Code %(code)s is revoked.", code=invitation.code), "info")
    return redirect(url_for("participants.invitations", slug=slug, organisation_id=organisation.id))


# --------------------------------------------------------------------------- organizer side


def _organizer_invitations_page(edition, form, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "participants_admin/invitations.html",
            edition=edition,
            form=form,
            rows=services.edition_invitations(edition, actor=current_user),
            action_form=EmptyForm(),
        ),
        status,
    )


@organizer_bp.route("/invitations", methods=["GET", "POST"], endpoint="invitations")
def organizer_invitations(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = InvitationForm(_pass_types(edition))
    if form.validate_on_submit():
        try:
            created = services.create_organizer_invitations(
                edition, form.pass_type.data, form.count.data or 0,
                actor=current_user, invitee_email=form.invitee_email.data or "",
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error, "count")
            return _organizer_invitations_page(edition, form, 400)
        flash(_("%(n)d code(s) created.", n=len(created)), "success")
        return redirect(url_for("participants_admin.invitations", slug=slug))
    if form.is_submitted():
        return _organizer_invitations_page(edition, form, 400)
    return _organizer_invitations_page(edition, form)


@organizer_bp.route(
    "/invitations/<int:invitation_id>/revoke", methods=["POST"], endpoint="revoke_invitation"
)
def organizer_revoke_invitation(slug: str, invitation_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    if EmptyForm().validate_on_submit():
        try:
            invitation = services.organizer_revoke_invitation(
                edition, invitation_id, actor=current_user
            )
        except ServiceError as error:
            show_service_error(None, error)
        else:
            flash(_("Code %(code)s is revoked.", code=invitation.code), "info")
    return redirect(url_for("participants_admin.invitations", slug=slug))


def _promo_page(edition, form, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "participants_admin/promo_codes.html",
            edition=edition,
            form=form,
            promos=services.list_promos(edition, actor=current_user),
            action_form=EmptyForm(),
        ),
        status,
    )


@organizer_bp.route("/promo-codes", methods=["GET", "POST"])
def promo_codes(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = PromoForm(_pass_types(edition))
    if form.validate_on_submit():
        try:
            promo = services.create_promo(edition, form.to_data(edition), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error, getattr(error, "field", None))
            return _promo_page(edition, form, 400)
        flash(_("Promo code %(code)s created.", code=promo.code), "success")
        return redirect(url_for("participants_admin.promo_codes", slug=slug))
    if form.is_submitted():
        return _promo_page(edition, form, 400)
    return _promo_page(edition, form)


def _set_active(slug: str, promo_id: int, active: bool):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    if EmptyForm().validate_on_submit():
        try:
            promo = services.set_promo_active(edition, promo_id, active, actor=current_user)
        except ServiceError as error:
            show_service_error(None, error)
        else:
            message = _("%(code)s is active.") if active else _("%(code)s is deactivated.")
            flash(message % {"code": promo.code}, "info")
    return redirect(url_for("participants_admin.promo_codes", slug=slug))


@organizer_bp.route("/promo-codes/<int:promo_id>/deactivate", methods=["POST"])
def deactivate_promo(slug: str, promo_id: int):  # type: ignore[no-untyped-def]
    return _set_active(slug, promo_id, False)


@organizer_bp.route("/promo-codes/<int:promo_id>/activate", methods=["POST"])
def activate_promo(slug: str, promo_id: int):  # type: ignore[no-untyped-def]
    return _set_active(slug, promo_id, True)
