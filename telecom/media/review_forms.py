"""Forms of the media reviewers' and organizers' pages: queue filters, decisions, settings.

The forms check types and presence so a user gets the message beside the
field; the rules (which transition is allowed, a note for "other", the close
date after the open date) live in telecom/media/services, which the API and
the CLI share.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.media.models import (
    ApplicationStatus,
    MediaSettings,
    OutletType,
    RejectionReason,
)
from telecom.media.services.review import QueueFilters
from telecom.media.services.settings import FIELD_LABELS, MediaSettingsData

# What the "late" filter offers; the service reads the same values.
LATE_CHOICES = {"yes": _l("Late only"), "no": _l("On time only")}

_email_message = _l("Enter a valid e-mail address.")


class ActionForm(FlaskForm):
    """Only the CSRF token: the buttons "take for review" and "approve"."""


class QueueFilterForm(FlaskForm):
    """The queue's filters, read from the query string (GET: nothing changes, no token).

    A value the form cannot read (an unknown status, a date like 2015-13-40) is
    shown as a field error and left out of the filter: the list still opens.
    """

    class Meta:
        csrf = False

    search = StringField(
        _l("Search"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=200)],
        description=_l("Name, outlet or e-mail address"),
    )
    status = SelectField(_l("Status"), validators=[Optional()])
    outlet_type = SelectField(_l("Outlet type"), validators=[Optional()])
    country = SelectField(_l("Outlet country"), validators=[Optional()])
    submitted_from = DateField(
        _l("Submitted from"), validators=[Optional()], render_kw={"type": "date"}
    )
    submitted_to = DateField(
        _l("Submitted until"), validators=[Optional()], render_kw={"type": "date"}
    )
    late = SelectField(_l("Late"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("", str(_l("All statuses"))),
            # Drafts are the applicant's own business: the queue never shows them.
            *(
                SelectChoice(s.value, s.label)
                for s in ApplicationStatus
                if s is not ApplicationStatus.DRAFT
            ),
        ]
        self.outlet_type.choices = [
            SelectChoice("", str(_l("All outlet types"))),
            *(SelectChoice(t.value, t.label) for t in OutletType),
        ]
        self.country.choices = [SelectChoice("", str(_l("All countries"))), *country_choices()]
        self.late.choices = [
            SelectChoice("", str(_l("Late or not"))),
            *(SelectChoice(value, str(label)) for value, label in LATE_CHOICES.items()),
        ]

    def _valid(self, name: str) -> str:
        field = self[name]
        return "" if field.errors else (field.data or "")

    def _valid_date(self, name: str) -> date | None:
        field = self[name]
        return None if field.errors else field.data

    def to_filters(self) -> QueueFilters:
        """The filters the user gave, without those the form could not read."""
        self.validate()
        return QueueFilters(
            status=self._valid("status"),
            outlet_type=self._valid("outlet_type"),
            country=self._valid("country"),
            submitted_from=self._valid_date("submitted_from"),
            submitted_to=self._valid_date("submitted_to"),
            late=self._valid("late"),
            search=self._valid("search"),
        )


class AllowLateForm(FlaskForm):
    """Let one account apply after applications closed."""

    email = EmailField(
        _l("E-mail address of the applicant's account"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the e-mail address of the account.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("This account may then start and submit an application although "
                       "applications are closed; it is told by e-mail."),
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "late")
        super().__init__(*args, **kwargs)


class RequestInformationForm(FlaskForm):
    message = TextAreaField(
        _l("What is missing"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Say what the applicant should add or correct.")),
            Length(max=4000),
        ],
        description=_l("Sent to the applicant by e-mail and shown with their application."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "info")
        super().__init__(*args, **kwargs)


class RejectForm(FlaskForm):
    reason = SelectField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Choose a reason."))],
    )
    note = TextAreaField(
        _l("Explanation"),
        filters=[strip_whitespace],
        # No Optional(): it would stop the chain before validate_note sees an empty note.
        validators=[Length(max=4000)],
        description=_l("Required when the reason is “Other”; sent to the applicant."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "reject")
        super().__init__(*args, **kwargs)
        self.reason.choices = [
            SelectChoice("", str(_l("Choose a reason"))),
            *(SelectChoice(r.value, r.label) for r in RejectionReason),
        ]

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == RejectionReason.OTHER.value and not field.data:
            raise FieldError(_l("Explain the reason when you choose “Other”."))

    def to_reason(self) -> RejectionReason:
        return RejectionReason(self.reason.data)


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for revoking"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the reason for revoking the accreditation.")),
            Length(max=4000),
        ],
        description=_l("Sent to the journalist; their media badge stops working."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "revoke")
        super().__init__(*args, **kwargs)


class MediaSettingsForm(FlaskForm):
    applications_open_on = DateField(
        FIELD_LABELS["applications_open_on"],
        validators=[Optional()],
        render_kw={"type": "date"},
        description=_l("First day applications are accepted (edition time zone); empty: "
                       "open now."),
    )  # fmt: skip
    applications_close_on = DateField(
        FIELD_LABELS["applications_close_on"],
        validators=[Optional()],
        render_kw={"type": "date"},
        description=_l("Last day applications are accepted, included; empty: no deadline."),
    )
    max_documents = IntegerField(
        FIELD_LABELS["max_documents"],
        validators=[InputRequired(message=_l("Give a whole number of files."))],
        description=_l("Evidence files and the badge photo together."),
    )
    retention_days = IntegerField(
        FIELD_LABELS["retention_days"],
        validators=[InputRequired(message=_l("Give a whole number of days."))],
        description=_l("Counted from the edition's last day; then the files are deleted and "
                       "only the decisions are kept."),
    )  # fmt: skip
    contact_email = EmailField(
        FIELD_LABELS["contact_email"],
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Give the address journalists can write to.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("Shown to applicants, for example when applications are closed."),
    )

    def __init__(self, *args: object, settings: MediaSettings, **kwargs: object) -> None:
        super().__init__(*args, obj=settings, **kwargs)

    def to_data(self) -> MediaSettingsData:
        return MediaSettingsData(
            applications_open_on=self.applications_open_on.data,
            applications_close_on=self.applications_close_on.data,
            max_documents=self.max_documents.data,
            retention_days=self.retention_days.data,
            contact_email=self.contact_email.data or "",
        )
