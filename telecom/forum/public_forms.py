"""The delegate's forms on the public programme: the filter, seat buttons, the rating.

The forms only parse what was sent; whether a seat may be taken or a session
rated is decided by the services (telecom.forum.services.seats / ratings).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from telecom.core.forms import strip_whitespace
from telecom.forum.models import ForumRoom, Track

# "All days" in the day tabs (and what a search without a chosen day shows).
ALL_DAYS = "all"
MAX_SEARCH = 100
MAX_COMMENT = 2000


def _whole_number(value: object) -> int | None:
    """A select's value as an id; anything else (tampered, blank) as "no choice"."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class ProgrammeFilterForm(FlaskForm):
    """The programme's filter: a GET form, bookmarkable, so it carries no CSRF token."""

    class Meta:
        csrf = False

    day = StringField(_l("Day"), filters=[strip_whitespace], validators=[Optional()])
    track = SelectField(_l("Track"), validators=[Optional()], validate_choice=False)
    room = SelectField(_l("Room"), validators=[Optional()], validate_choice=False)
    q = StringField(
        _l("Search"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_SEARCH)],
        description=_l("Words from a title, a description or a speaker's name."),
    )

    def set_choices(self, tracks: list[Track], rooms: list[ForumRoom]) -> None:
        self.track.choices = [("", str(_l("All tracks")))] + [(str(t.id), t.name) for t in tracks]
        self.room.choices = [("", str(_l("All rooms")))] + [(str(r.id), r.name) for r in rooms]

    def track_id(self) -> int | None:
        """The chosen track, when it is one of the edition's (a stale link shows all tracks)."""
        chosen = _whole_number(self.track.data)
        known = {value for value, _label in self.track.choices or []}  # type: ignore[misc]
        return chosen if chosen is not None and str(chosen) in known else None

    def room_id(self) -> int | None:
        chosen = _whole_number(self.room.data)
        known = {value for value, _label in self.room.choices or []}  # type: ignore[misc]
        return chosen if chosen is not None and str(chosen) in known else None

    def search(self) -> str:
        # A search longer than the limit is cut rather than refused: it is a filter, not data.
        return (self.q.data or "")[:MAX_SEARCH]

    def chosen_day(self, days: list[date], today: date) -> date | None:
        """The day tab to show: None means all days.

        A search looks across all days unless a day was chosen; without a
        choice the programme opens on today (during the event) or its first day.
        """
        value = (self.day.data or "").strip()
        if value == ALL_DAYS:
            return None
        if value:
            try:
                wanted = date.fromisoformat(value)
            except ValueError:
                wanted = None
            if wanted in days:
                return wanted
        if self.search() or not days:
            return None
        return today if today in days else days[0]


class SeatForm(FlaskForm):
    """The reserve / waiting list / cancel buttons: nothing but the CSRF token."""


def _score_choices() -> list[tuple[str, str]]:
    return [
        ("1", str(_l("1 – poor"))),
        ("2", str(_l("2 – fair"))),
        ("3", str(_l("3 – good"))),
        ("4", str(_l("4 – very good"))),
        ("5", str(_l("5 – excellent"))),
    ]


class RatingForm(FlaskForm):
    """A delegate's rating of a session they attended: 1 to 5 and an optional comment."""

    score = RadioField(
        _l("Your rating"),
        choices=_score_choices,
        validators=[DataRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_COMMENT)],
    )

    def score_value(self) -> int:
        return int(self.score.data)
