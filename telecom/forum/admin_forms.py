"""Forms of the organizer's forum pages: rooms, tracks, sessions, speakers, invitees.

The forms only parse what was typed (choices, days, times, numbers, lengths)
so that a message appears beside the field; the rules (conflicts, a session
inside the edition's days, who may be invited) live in telecom/forum/services,
whose ForumError names the field it concerns.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
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
    NumberRange,
    Optional,
)
from wtforms.validators import ValidationError as FieldError

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace
from telecom.events.models import Edition
from telecom.forum.models import (
    ForumRoom,
    SessionAccess,
    SessionKind,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)

_email_message = _l("Enter a valid e-mail address.")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Empty speaker rows offered below the chosen ones: enough for a panel without JavaScript.
SPARE_SPEAKER_ROWS = 3
MIN_SPEAKER_ROWS = 4


def edition_days(edition: Edition) -> list[date]:
    """Every day of the edition, first to last: the only days a session may take place."""
    count = (edition.end_date - edition.start_date).days + 1
    return [edition.start_date + timedelta(days=n) for n in range(max(count, 0))]


def parse_day(value: str | None) -> date | None:
    """An ISO date from a query string or select, or None when it is not one."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def parse_id(value: str | None) -> int | None:
    """A positive row id from a select, or None (blank, or not a number)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _day_choices(edition: Edition, blank: object | None) -> list[SelectChoice]:
    choices = [SelectChoice("", str(blank))] if blank is not None else []
    choices += [
        SelectChoice(day.isoformat(), format_date(day, "full")) for day in edition_days(edition)
    ]
    return choices


def _optional_text(label: object, max_length: int, description: object = None) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=max_length)],
        description=description,
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: publish, unpublish, cancel, resend, withdraw, remove."""


# --------------------------------------------------------------------------- rooms and tracks


class RoomForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the room's name.")), Length(max=100)],
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(message=_l("Enter the number of seats.")),
            NumberRange(min=1, max=100000, message=_l("Enter a number of seats from 1.")),
        ],
        render_kw={"min": 1, "inputmode": "numeric"},
        description=_l("Sessions in this room have this many seats unless they say otherwise."),
    )
    location = _optional_text(_l("Location"), 200, _l("For example “Hall A, level 1”."))


class TrackForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the track's name.")), Length(max=100)],
    )
    description = TextAreaField(
        _l("Description"), filters=[strip_whitespace], validators=[Optional(), Length(max=5000)]
    )
    colour = StringField(
        _l("Colour"),
        filters=[strip_whitespace],
        default="#1d4ed8",
        validators=[DataRequired(message=_l("Choose a colour."))],
        render_kw={"type": "color"},
        description=_l("Marks the track's sessions in the programme."),
    )

    def validate_colour(self, field: StringField) -> None:
        if not _COLOUR.match(field.data or ""):
            raise FieldError(str(_l("Give the colour as #rrggbb, for example #1d4ed8.")))


# --------------------------------------------------------------------------- the programme


class ProgrammeFilterForm(FlaskForm):
    """The session list's filters, read from the query string (GET: nothing changes, no token).

    A value the form cannot read (a day outside the edition, an unknown room)
    is shown as a field error and left out of the filter: the list still opens.
    """

    class Meta:
        csrf = False

    day = SelectField(_l("Day"), validators=[Optional()])
    track = SelectField(_l("Track"), validators=[Optional()])
    room = SelectField(_l("Room"), validators=[Optional()])
    cancelled = BooleanField(_l("Show cancelled sessions"))

    def __init__(
        self,
        *args: Any,
        edition: Edition,
        rooms: list[ForumRoom],
        tracks: list[Track],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.day.choices = _day_choices(edition, _l("Every day"))
        self.track.choices = [
            SelectChoice("", str(_l("Every track"))),
            *(SelectChoice(str(track.id), track.name) for track in tracks),
        ]
        self.room.choices = [
            SelectChoice("", str(_l("Every room"))),
            *(SelectChoice(str(room.id), room.name) for room in rooms),
        ]

    def filters(self) -> dict[str, Any]:
        """The filters the user gave, without those the form could not read."""
        self.validate()
        return {
            "day": None if self.day.errors else parse_day(self.day.data),
            "track_id": None if self.track.errors else parse_id(self.track.data),
            "room_id": None if self.room.errors else parse_id(self.room.data),
            "include_cancelled": bool(self.cancelled.data),
        }


class SpeakerRowForm(Form):
    """One speaker of the session and their role (a plain Form: the page's token covers it)."""

    speaker_id = SelectField(_l("Speaker"), validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])


def speaker_label(speaker: Speaker) -> str:
    parts = [speaker.full_name or speaker.email]
    if speaker.organisation:
        parts.append(speaker.organisation)
    label = ", ".join(parts)
    if speaker.status != SpeakerStatus.CONFIRMED:
        label += f" ({speaker.status.label})"
    return label


class SessionForm(FlaskForm):
    """A session as the organizer types it: local day and times in the edition's time zone."""

    title = StringField(
        _l("Session title"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the session's title.")), Length(max=300)],
    )
    description = TextAreaField(
        _l("Description"), filters=[strip_whitespace], validators=[Optional(), Length(max=10000)]
    )
    kind = SelectField(
        _l("Type"), validators=[DataRequired(message=_l("Choose the type of session."))]
    )
    room_id = SelectField(_l("Room"), validators=[Optional()])
    track_id = SelectField(_l("Track"), validators=[Optional()])
    day = SelectField(_l("Day"), validators=[DataRequired(message=_l("Choose the day."))])
    start_time = TimeField(
        _l("Starts at"),
        validators=[InputRequired(message=_l("Enter the start time."))],
        render_kw={"type": "time"},
    )
    end_time = TimeField(
        _l("Ends at"),
        validators=[InputRequired(message=_l("Enter the end time."))],
        render_kw={"type": "time"},
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=100000, message=_l("Enter a number of seats from 1, or nothing.")
            ),
        ],
        render_kw={"min": 1, "inputmode": "numeric"},
        description=_l("Leave empty to use the room's seats."),
    )
    access = SelectField(
        _l("Who may reserve a seat"),
        validators=[DataRequired(message=_l("Choose who may attend."))],
    )
    speakers = FieldList(FormField(SpeakerRowForm), label=_l("Speakers and moderator"))
    allow_conflicts = BooleanField(
        _l("Save anyway"),
        description=_l("The session is saved and its conflicts are flagged in the programme."),
    )

    def __init__(
        self,
        *args: Any,
        edition: Edition,
        rooms: list[ForumRoom],
        tracks: list[Track],
        speakers: list[Speaker],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.kind.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(kind.value, kind.label) for kind in SessionKind),
        ]
        self.room_id.choices = [
            SelectChoice("", "—"),
            *(
                SelectChoice(
                    str(room.id),
                    _("%(name)s (%(seats)d seats)", name=room.name, seats=room.capacity),
                )
                for room in rooms
            ),
        ]
        self.track_id.choices = [
            SelectChoice("", str(_l("No track"))),
            *(SelectChoice(str(track.id), track.name) for track in tracks),
        ]
        self.day.choices = _day_choices(edition, "—")
        self.access.choices = [SelectChoice(a.value, a.label) for a in SessionAccess]
        speaker_choices = [
            SelectChoice("", "—"),
            *(SelectChoice(str(s.id), speaker_label(s)) for s in speakers),
        ]
        self._speaker_choices = speaker_choices
        self._role_choices = [SelectChoice(r.value, r.label) for r in SpeakerRole]
        for row in self.speakers:
            self._offer_choices(row)
        while len(self.speakers.entries) < MIN_SPEAKER_ROWS:
            self._add_speaker_row()

    def _offer_choices(self, row: Any) -> None:
        row.speaker_id.choices = self._speaker_choices
        row.role.choices = self._role_choices

    def _add_speaker_row(self) -> Any:
        row = self.speakers.append_entry()
        self._offer_choices(row)
        return row

    def fill(self, data: Any) -> None:
        """Show a saved session (the service's SessionData: local day and times)."""
        self.title.data = data.title
        self.description.data = data.description
        self.kind.data = data.kind.value if data.kind else ""
        self.room_id.data = str(data.room_id or "")
        self.track_id.data = str(data.track_id or "")
        self.day.data = data.day.isoformat() if data.day else ""
        self.start_time.data = data.start_time
        self.end_time.data = data.end_time
        self.capacity.data = data.capacity
        self.access.data = data.access.value if data.access else ""

    def fill_speakers(self, rows: list[tuple[int, SpeakerRole]]) -> None:
        """The session's speakers in order, then a few empty rows to add more."""
        while len(self.speakers.entries):
            self.speakers.pop_entry()
        for speaker_id, role in rows:
            entry = self._add_speaker_row()
            entry.speaker_id.data = str(speaker_id)
            entry.role.data = role.value
        while len(self.speakers.entries) < max(MIN_SPEAKER_ROWS, len(rows) + SPARE_SPEAKER_ROWS):
            self._add_speaker_row()

    def validate_speakers(self, field: FieldList) -> None:
        seen: set[str] = set()
        for row in field:
            chosen = row.speaker_id.data or ""
            if not chosen:
                continue
            if chosen in seen:
                raise FieldError(str(_l("Each speaker can be chosen only once.")))
            seen.add(chosen)

    def chosen_speakers(self) -> list[tuple[int, SpeakerRole]]:
        """(speaker id, role) of the filled rows, in the order shown."""
        chosen = []
        for row in self.speakers:
            speaker_id = parse_id(row.speaker_id.data)
            if speaker_id is None:
                continue
            try:
                role = SpeakerRole(row.role.data or "")
            except ValueError:
                role = SpeakerRole.SPEAKER
            chosen.append((speaker_id, role))
        return chosen

    def values(self) -> dict[str, Any]:
        """What was typed, as the service's SessionData fields."""
        try:
            kind: SessionKind | None = SessionKind(self.kind.data or "")
        except ValueError:
            kind = None
        try:
            access: SessionAccess | None = SessionAccess(self.access.data or "")
        except ValueError:
            access = None
        return {
            "title": self.title.data or "",
            # Browsers send CRLF line ends; the programme stores LF.
            "description": (self.description.data or "").replace("\r\n", "\n"),
            "kind": kind,
            "room_id": parse_id(self.room_id.data),
            "track_id": parse_id(self.track_id.data),
            "day": parse_day(self.day.data),
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "capacity": self.capacity.data,
            "access": access,
        }


# --------------------------------------------------------------------------- speakers


class SpeakerFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("", str(_l("Every status"))),
            *(SelectChoice(s.value, s.label) for s in SpeakerStatus),
        ]

    def chosen_status(self) -> str:
        self.validate()
        return "" if self.status.errors else (self.status.data or "")


class InviteSpeakerForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Enter the speaker's e-mail address.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("The invitation with a personal link is sent there."),
    )
    full_name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the speaker's name.")), Length(max=200)],
    )
    job_title = _optional_text(_l("Job title"), 200)
    organisation = _optional_text(_l("Organisation"), 200)
    country = SelectField(_l("Country"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "—"), *country_choices()]


# --------------------------------------------------------------------------- invitees


class InviteeForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Enter the e-mail address of a registered person.")),
            Email(check_deliverability=False, message=_email_message),
            Length(max=320),
        ],
        description=_l("The address the person registered for the edition with."),
    )
