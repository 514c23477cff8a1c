"""The VIP's (or focal point's) reply form on the RSVP page, and the meeting-booking form.

The forms only parse what was typed (lengths, dates, the shape of an e-mail
address); the rules of a reply (dates around the edition, unique e-mails in
the delegation, a focal point's address never taken for the VIP's) live in
telecom.protocol.services.rsvp, whose ProtocolError names the field it
concerns: "arrival_on", "vip_email", "members-<i>-email", "number"...
`field_for` turns such a name into this form's field.

The delegation is a list of rows that grows without JavaScript: the page
shows a few empty rows and a "more rows" button that posts the form back and
re-renders it with more, keeping everything typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.validators import ValidationError as FieldError

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.protocol.models import InvitationStatus

if TYPE_CHECKING:
    from telecom.protocol.models import VipInvitation
    from telecom.protocol.services.crypto import PassportData
    from telecom.protocol.services.rsvp import MemberData, RsvpDetails

ACCEPT = "accept"
DECLINE = "decline"
# Empty member rows shown at first, rows a "more rows" press adds, and the most a
# delegation may have (the service refuses more, with its own message).
MEMBER_ROWS = 5
MORE_ROWS = 5
MAX_MEMBERS = 20
PASSPORT_FIELDS = ("full_name_as_in_passport", "number", "nationality", "issued_on", "expires_on")


def _text(label: object, max_length: int, description: object = None) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=max_length)],
        description=description,
    )


class MemberForm(Form):
    """One row of the delegation: a person accompanying the VIP (no CSRF: part of the main form)."""

    full_name = _text(_l("Name"), 200)
    function = _text(_l("Function"), 200)
    email = StringField(
        _l("E-mail"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=320),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )

    def is_blank(self) -> bool:
        return not any((self.full_name.data, self.function.data, self.email.data))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if self.is_blank():
            return valid
        # A row with only an e-mail or a function typed is a half-filled member, not a
        # blank row. (Checked here: the Optional() validator stops an empty field's chain.)
        for field, message in (
            (self.full_name, _l("Enter the member's name.")),
            (self.email, _l("Enter the member's own e-mail address: their badge is sent there.")),
        ):
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class PassportForm(Form):
    """Optional passport details; encrypted by the service, never shown back."""

    full_name_as_in_passport = _text(_l("Name as in the passport"), 200)
    number = _text(_l("Passport number"), 40)
    nationality = SelectField(_l("Nationality"), validators=[Optional()])
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = [SelectChoice("", "—"), *country_choices()]

    def is_blank(self) -> bool:
        return not any(self[name].data for name in PASSPORT_FIELDS)


class RsvpForm(FlaskForm):
    """The reply: accept (with the details and the delegation) or decline."""

    response = RadioField(
        _l("Your reply"),
        choices=[
            SelectChoice(ACCEPT, _l("Accept: the invitee will attend")),
            SelectChoice(DECLINE, _l("Decline: the invitee will not attend")),
        ],
        validators=[DataRequired(message=_l("Choose whether the invitation is accepted."))],
    )
    vip_email = StringField(
        _l("The invitee's own e-mail address"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=320),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    arrival_on = DateField(_l("Arrival date"), validators=[Optional()])
    arrival_flight = _text(_l("Arrival flight"), 60, _l("For example LX 2034 from Zurich."))
    departure_on = DateField(_l("Departure date"), validators=[Optional()])
    departure_flight = _text(_l("Departure flight"), 60)
    dietary_needs = TextAreaField(
        _l("Dietary needs"), filters=[strip_whitespace], validators=[Optional(), Length(max=2000)]
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=2000)],
    )
    members = FieldList(FormField(MemberForm), min_entries=MEMBER_ROWS, max_entries=MAX_MEMBERS)
    passport = FormField(PassportForm)
    consent = BooleanField(
        _l(
            "I agree that the details given here are processed by the TELECOM World protocol "
            "office to prepare the visit, as explained above."
        )
    )
    note = TextAreaField(
        _l("When declining: a message to the protocol office (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=2000)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A refusal of the delegation as a whole ("at most 20 members"), shown above the rows.
        self.members_errors: list[str] = []

    @property
    def accepting(self) -> bool:
        return self.response.data == ACCEPT

    def validate_consent(self, field: BooleanField) -> None:
        if self.accepting and not field.data:
            raise FieldError(_l("Agree to the processing of the details to accept."))

    def validate(self, extra_validators: Any = None) -> bool:
        # Declining needs nothing but the choice: leave the other fields' mistakes unsaid.
        if self.response.data == DECLINE:
            return bool(super().validate(extra_validators)) or not any(
                errors
                for name, errors in self.errors.items()
                if name in ("response", "csrf_token", "note")
            )
        return bool(super().validate(extra_validators))

    # --- rows ---------------------------------------------------------------------

    def add_rows(self, count: int = MORE_ROWS) -> bool:
        """Empty member rows at the end, up to the maximum; False when already there."""
        added = False
        while count > 0 and len(self.members.entries) < MAX_MEMBERS:
            self.members.append_entry()
            count -= 1
            added = True
        return added

    def to_members(self) -> list[MemberData]:
        """Every row as typed, blank ones included (the service skips them), so that the
        index in a service error ("members-3-email") is the row's index on the page."""
        from telecom.protocol.services.rsvp import MemberData

        return [
            MemberData(
                full_name=entry.form.full_name.data or "",
                function=entry.form.function.data or "",
                email=entry.form.email.data or "",
            )
            for entry in self.members.entries
        ]

    # --- to the services and back -----------------------------------------------

    def to_details(self) -> RsvpDetails:
        from telecom.protocol.services.rsvp import RsvpDetails

        return RsvpDetails(
            arrival_on=self.arrival_on.data,
            departure_on=self.departure_on.data,
            arrival_flight=self.arrival_flight.data or "",
            departure_flight=self.departure_flight.data or "",
            dietary_needs=self.dietary_needs.data or "",
            accessibility_needs=self.accessibility_needs.data or "",
        )

    def to_passport(self) -> PassportData | None:
        """The passport details typed, or None when the section was left empty."""
        form: PassportForm = self.passport.form
        if form.is_blank():
            return None
        from telecom.protocol.services.crypto import PassportData

        return PassportData(
            number=form.number.data or "",
            nationality=form.nationality.data or "",
            issued_on=form.issued_on.data,
            expires_on=form.expires_on.data,
            full_name_as_in_passport=form.full_name_as_in_passport.data or "",
        )

    def fill(self, invitation: VipInvitation, vip_email: str) -> None:
        """Show what is saved (on a GET; a refused POST keeps what was typed).

        Passport details are never filled back: once saved they are only "on file".
        """
        if invitation.status == InvitationStatus.ACCEPTED:
            self.response.data = ACCEPT
            self.consent.data = True
        self.vip_email.data = vip_email
        for name in (
            "arrival_on", "departure_on", "arrival_flight", "departure_flight",
            "dietary_needs", "accessibility_needs",
        ):  # fmt: skip
            self[name].data = getattr(invitation, name)
        current = [member for member in invitation.members if member.removed_at is None]
        rows = min(MAX_MEMBERS, max(MEMBER_ROWS, len(current) + 2))
        while len(self.members.entries) < rows:
            self.members.append_entry()
        for entry, member in zip(self.members.entries, current, strict=False):
            entry.form.full_name.data = member.full_name
            entry.form.function.data = member.function
            entry.form.email.data = member.email

    def show_error(self, service_field: str | None, message: str) -> bool:
        """Put a service's message beside the field it names; False when none fits.

        Passport fields are named as in PassportData ("number", "expires_on"),
        member fields as the page names them ("members-2-email"), the list as
        a whole "members".
        """
        if not service_field:
            return False
        if service_field == "members":
            self.members_errors.append(message)
            return True
        name = f"passport-{service_field}" if service_field in PASSPORT_FIELDS else service_field
        field = self._find(name)
        if field is None:
            return False
        field.errors = [*field.errors, message]
        return True

    def _find(self, name: str) -> Any:
        if name in self and name not in ("members", "passport"):
            return self[name]
        if name.startswith("members-"):
            _, index, sub = name.split("-", 2)
            entries = self.members.entries
            if index.isdigit() and int(index) < len(entries) and sub in entries[int(index)].form:
                return entries[int(index)].form[sub]
        if name.startswith("passport-"):
            sub = name.removeprefix("passport-")
            if sub in self.passport.form:
                return self.passport.form[sub]
        return None


class BookSlotForm(FlaskForm):
    """Book one free bilateral-meeting slot for the delegation."""

    slot_id = HiddenField(validators=[DataRequired()])
    counterpart = _text(
        _l("Whom you will meet (optional)"),
        300,
        _l("The delegation or company you plan to meet, so protocol can prepare the room."),
    )

    def slot(self) -> int | None:
        value = (self.slot_id.data or "").strip()
        return int(value) if value.isdigit() else None
