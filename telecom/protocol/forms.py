"""Forms of the protocol staff's pages: invitations, their import, meeting rooms, settings.

The forms only parse what was typed (choices, dates, numbers, lengths) so a
message appears beside the field; the rules (who may be invited, which step is
allowed from which status, the per-day limit) live in telecom/protocol/services,
whose ProtocolError names the field it concerns.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
)

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.events.models import Edition
from telecom.protocol.models import (
    InvitationStatus,
    ProtocolCategory,
    VipInvitation,
)
from telecom.protocol.services.invitations import InvitationData
from telecom.protocol.services.lists import ALL_STATUSES
from telecom.protocol.services.settings import FIELD_LABELS, ProtocolSettingsData

_email_message = _l("Enter a valid e-mail address.")


def edition_days(edition: Edition) -> list[date]:
    """Every day of the edition, first to last."""
    count = (edition.end_date - edition.start_date).days + 1
    return [edition.start_date + timedelta(days=n) for n in range(max(count, 0))]


def _day_choices(edition: Edition, blank: object | None) -> list[SelectChoice]:
    choices = [SelectChoice("", str(blank))] if blank is not None else []
    choices += [
        SelectChoice(day.isoformat(), format_date(day, "full")) for day in edition_days(edition)
    ]
    return choices


def parse_day(value: str | None) -> date | None:
    """An ISO date from a query string or select, or None when it is not one."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _optional_text(label: object, max_length: int, description: object = None) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=max_length)],
        description=description,
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: the send, resend, remind, passport and reprint buttons."""


# --------------------------------------------------------------------------- invitations


class InvitationFilterForm(FlaskForm):
    """The list's filters, read from the query string (GET: nothing changes, no token).

    A value the form cannot read (an unknown status, a day outside the edition)
    is shown as a field error and left out of the filter: the list still opens.
    """

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    day = SelectField(
        _l("Present on"),
        validators=[Optional()],
        description=_l("Accepted VIPs present that day, by their arrival and departure dates."),
    )

    def __init__(self, *args: object, edition: Edition, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("", str(_l("All but revoked"))),
            SelectChoice(ALL_STATUSES, str(_l("All, revoked included"))),
            *(SelectChoice(s.value, s.label) for s in InvitationStatus),
        ]
        self.day.choices = _day_choices(edition, _l("Any day"))

    def filters(self) -> tuple[str, date | None]:
        """(status, day) the user gave, without those the form could not read."""
        self.validate()
        status = "" if self.status.errors else (self.status.data or "")
        day = None if self.day.errors else parse_day(self.day.data)
        return status, day


class InvitationForm(FlaskForm):
    """One invitation, as protocol staff create it and correct it before or after sending."""

    form_of_address = _optional_text(
        _l("Form of address"), 60, _l("For example “H.E.”, “Dr”, “Mr”, “Ms”.")
    )
    full_name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the full name.")), Length(max=200)],
    )
    title = _optional_text(_l("Title"), 300, _l("For example “Minister of ICT”."))
    category = SelectField(
        _l("Protocol category"),
        validators=[DataRequired(message=_l("Choose the protocol category."))],
    )
    country = SelectField(_l("Country"), validators=[Optional()])
    organisation = _optional_text(
        _l("Organisation"), 200, _l("For a UN agency, a regional organisation or a company.")
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the address the invitation is sent to.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("The VIP's own address, or their focal point's."),
    )
    focal_point_name = _optional_text(
        _l("Focal point"),
        200,
        _l("The name of the person who handles the invitation when the address is theirs."),
    )
    took_office_on = DateField(
        _l("Took office on"),
        validators=[Optional()],
        render_kw={"type": "date"},
        description=_l("Where known: it orders VIPs of the same category."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(c.value, f"{c.value} · {c.label}") for c in ProtocolCategory),
        ]
        self.country.choices = [SelectChoice("", "—"), *country_choices()]

    def fill(self, invitation: VipInvitation) -> None:
        for name in (
            "form_of_address", "full_name", "title", "organisation", "email",
            "focal_point_name", "took_office_on",
        ):  # fmt: skip
            self[name].data = getattr(invitation, name)
        self.category.data = invitation.category.value if invitation.category else ""
        self.country.data = invitation.country or ""

    def to_data(self) -> InvitationData:
        try:
            category: ProtocolCategory | None = ProtocolCategory(self.category.data or "")
        except ValueError:
            category = None  # the service says "choose the category"
        return InvitationData(
            full_name=self.full_name.data or "",
            title=self.title.data or "",
            form_of_address=self.form_of_address.data or "",
            category=category,
            country=self.country.data or "",
            organisation=self.organisation.data or "",
            email=self.email.data or "",
            focal_point_name=self.focal_point_name.data or "",
            took_office_on=self.took_office_on.data,
        )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file to upload."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for revoking"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the reason for revoking the invitation.")),
            Length(max=4000),
        ],
        description=_l("For protocol staff only: kept in the record, never sent. The "
                       "invitee is told courteously that the invitation is withdrawn."),
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "revoke")
        super().__init__(*args, **kwargs)


# --------------------------------------------------------------------------- meeting rooms


class RoomForm(FlaskForm):
    name = StringField(
        _l("Room name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give the room a name.")), Length(max=100)],
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[Optional()],
        description=_l("How many people the room holds; may be left empty."),
    )
    location = _optional_text(_l("Location"), 200, _l("For example “Hall 2, first floor”."))
    active = BooleanField(_l("Open for bookings"), default=True)


class GenerateSlotsForm(FlaskForm):
    room_id = SelectField(_l("Room"), validators=[DataRequired(message=_l("Choose a room."))])
    day = SelectField(_l("Day"), validators=[DataRequired(message=_l("Choose a day."))])
    first_start = TimeField(
        _l("First meeting starts at"),
        validators=[InputRequired(message=_l("Give a time such as 09:00."))],
    )
    last_end = TimeField(
        _l("Last meeting ends by"),
        validators=[InputRequired(message=_l("Give a time such as 18:00."))],
    )

    def __init__(self, *args: object, edition: Edition, rooms: list, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "slots")
        super().__init__(*args, **kwargs)
        self.room_id.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(str(room.id), room.name) for room in rooms),
        ]
        self.day.choices = _day_choices(edition, "—")


class BookSlotForm(FlaskForm):
    invitation_id = SelectField(
        _l("Delegation"),
        validators=[DataRequired(message=_l("Choose the delegation."))],
        description=_l("Only accepted invitations can book a meeting room."),
    )
    counterpart = _optional_text(
        _l("Meeting with"), 300, _l("For example “Secretary-General”, or a company.")
    )

    def __init__(self, *args: object, invitations: list[VipInvitation], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.invitation_id.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(str(i.id), _invitee(i)) for i in invitations),
        ]

    def chosen_id(self) -> int | None:
        try:
            return int(self.invitation_id.data or "")
        except ValueError:
            return None


def _invitee(invitation: VipInvitation) -> str:
    name = " ".join(p for p in (invitation.form_of_address, invitation.full_name) if p)
    return f"{name} ({invitation.category.value})"


class ProtocolSettingsForm(FlaskForm):
    slot_minutes = IntegerField(
        FIELD_LABELS["slot_minutes"],
        validators=[
            InputRequired(message=_l("Give a whole number of minutes.")),
        ],
        description=_l("Applies to slots generated from now on."),
    )
    max_slots_per_day = IntegerField(
        FIELD_LABELS["max_slots_per_day"],
        validators=[
            InputRequired(message=_l("Give a whole number.")),
        ],
    )
    rsvp_valid_days = IntegerField(
        FIELD_LABELS["rsvp_valid_days"],
        validators=[
            InputRequired(message=_l("Give a whole number of days.")),
        ],
        description=_l("Counted from when each invitation or reminder e-mail was sent."),
    )
    contact_email = EmailField(
        FIELD_LABELS["contact_email"],
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the address invitees can write to.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("Shown to invitees, for example when their link has expired."),
    )

    def to_data(self) -> ProtocolSettingsData:
        return ProtocolSettingsData(
            slot_minutes=self.slot_minutes.data,
            max_slots_per_day=self.max_slots_per_day.data,
            rsvp_valid_days=self.rsvp_valid_days.data,
            contact_email=self.contact_email.data or "",
        )
