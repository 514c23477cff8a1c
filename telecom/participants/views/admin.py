"""Organizer pages: search registrations, one registration's record, exports."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form, SelectChoice, SelectField, StringField

from telecom.auth.forms import EmptyForm
from telecom.core import spreadsheets
from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.core.pagination import paginate
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.participants.models import RegistrationCategory, RegistrationStatus
from telecom.participants.services import reports
from telecom.participants.views import organizer_bp


class RegistrationFilterForm(Form):
    """The organizers' search and filters (GET, nothing changes: no CSRF token)."""

    q = StringField(
        _l("Search"),
        filters=[strip_whitespace],
        description=_l("Name, e-mail, organisation, or badge / registration number"),
    )
    category = SelectField(_l("Category"))
    status = SelectField(_l("Status"))
    pass_type = SelectField(_l("Pass"))
    country = SelectField(_l("Country"))
    checked_in = SelectField(_l("Check-in"))

    def __init__(self, formdata: object, edition: Edition, **kwargs: object) -> None:
        super().__init__(formdata, **kwargs)
        blank = lambda label: SelectChoice("", str(label))  # noqa: E731
        self.category.choices = [
            blank(_l("All categories")),
            *(SelectChoice(c.value, c.label) for c in RegistrationCategory),
        ]
        self.status.choices = [
            blank(_l("All statuses")),
            *(SelectChoice(s.value, s.label) for s in RegistrationStatus),
        ]
        self.pass_type.choices = [
            blank(_l("All passes")),
            *(SelectChoice(v, n) for v, n in reports.pass_type_choices(edition)),
        ]
        self.country.choices = [blank(_l("All countries")), *country_choices()]
        self.checked_in.choices = [
            blank(_l("Checked in or not")),
            *(SelectChoice(k, str(v)) for k, v in reports.CHECKED_IN_FILTERS.items()),
        ]

    def to_filters(self) -> reports.RegistrationFilters:
        return reports.RegistrationFilters(
            **{
                name: (getattr(self, name).data or "")
                for name in reports.RegistrationFilters.__annotations__
            }
        )


def _filter_args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key != "page" and value}


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A URL for a page another part of the participants work may not provide yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _links(slug: str) -> dict[str, str | None]:
    return {
        "pass_types": optional_url("participants_admin.pass_types", slug=slug),
        "live": optional_url("participants_admin.live", slug=slug),
        "promo_codes": optional_url("participants_admin.promo_codes", slug=slug),
        "invitations": optional_url("participants_admin.invitations", slug=slug),
    }


@organizer_bp.route("/registrations")
def registrations(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = RegistrationFilterForm(request.args, edition)
    page = paginate(
        reports.registrations_query(edition, form.to_filters(), actor=current_user), per_page=50
    )
    return render_template(
        "participants_admin/registrations.html",
        edition=edition,
        form=form,
        page=page,
        details=reports.row_details(page.items),
        display_name=reports.display_name,
        display_email=reports.display_email,
        filter_args=_filter_args(),
        links=_links(slug),
    )


@organizer_bp.route("/registrations/<int:registration_id>")
def registration(slug: str, registration_id: int):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    record = reports.registration_record(edition, registration_id, actor=current_user)
    return render_template(
        "participants_admin/registration.html",
        edition=edition,
        record=record,
        reissue_url=optional_url(
            "participants_admin.reissue_badge", slug=slug, registration_id=registration_id
        ),
        print_url=optional_url(
            "participants_admin.print_badge", slug=slug, registration_id=registration_id
        ),
        action_form=EmptyForm(),
    )


def _export_registrations(slug: str, kind: str) -> Response:
    edition = edition_services.get_edition(slug)
    form = RegistrationFilterForm(request.args, edition)
    headers, rows = reports.registrations_table(edition, form.to_filters(), actor=current_user)
    return spreadsheets.table_download(headers, rows, f"registrations-{edition.slug}", kind)


def _export_check_ins(slug: str, kind: str) -> Response:
    edition = edition_services.get_edition(slug)
    headers, rows = reports.check_ins_table(edition, actor=current_user)
    return spreadsheets.table_download(headers, rows, f"check-ins-{edition.slug}", kind)


@organizer_bp.route("/registrations.csv")
def registrations_csv(slug: str):  # type: ignore[no-untyped-def]
    return _export_registrations(slug, "csv")


@organizer_bp.route("/registrations.xlsx")
def registrations_xlsx(slug: str):  # type: ignore[no-untyped-def]
    return _export_registrations(slug, "xlsx")


@organizer_bp.route("/check-ins.csv")
def check_ins_csv(slug: str):  # type: ignore[no-untyped-def]
    return _export_check_ins(slug, "csv")


@organizer_bp.route("/check-ins.xlsx")
def check_ins_xlsx(slug: str):  # type: ignore[no-untyped-def]
    return _export_check_ins(slug, "xlsx")
