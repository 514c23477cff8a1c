"""The invited speaker's forms: confirm with a profile and a photo, update it, or decline.

The forms only parse what was typed (lengths, a required name and biography,
the consent box); the rules (the photo's type and size, the states in which a
speaker may confirm or decline) live in telecom.forum.services.speakers,
whose ForumError names the field it concerns ("full_name", "bio", "photo",
"country", "note"); `show_error` puts it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from telecom.core.countries import country_choices
from telecom.core.forms import strip_whitespace

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

    from telecom.forum.models import Speaker
    from telecom.forum.services.speakers import SpeakerProfile

# The same limits as the service's (speakers.MAX_BIO_LENGTH, the name columns).
MAX_NAME = 200
MAX_BIO = 2000
MAX_NOTE = 2000


def _text(label: object, description: object = None) -> StringField:
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_NAME)],
        description=description,
    )


class SpeakerProfileForm(FlaskForm):
    """The profile the programme shows, and the photo (kept as it is when none is chosen)."""

    full_name = StringField(
        _l("Your name as the programme shows it"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=_l("Enter your name as the programme should show it.")),
            Length(max=MAX_NAME),
        ],
    )
    job_title = _text(_l("Job title"), _l("For example: Chief Technology Officer."))
    organisation = _text(_l("Organisation"))
    country = SelectField(_l("Country"), validators=[Optional()])
    bio = TextAreaField(
        _l("Biography"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(
                message=_l("Write a short biography: the programme shows it beside your name.")
            ),
            Length(
                max=MAX_BIO,
                message=_l("The biography may be at most %(max)d characters long."),
            ),
        ],
        description=_l("A few sentences, at most %(count)d characters.", count=MAX_BIO),
        render_kw={"rows": 7},
    )
    photo = FileField(
        _l("Photo"),
        description=_l(
            "A portrait, JPEG or PNG. Camera details and location data are removed before it "
            "is kept."
        ),
        render_kw={"accept": "image/jpeg,image/png"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "—"), *country_choices()]

    def fill(self, speaker: Speaker) -> None:
        """Show what is saved (on a GET; a refused POST keeps what was typed)."""
        for name in ("full_name", "job_title", "organisation", "bio"):
            self[name].data = getattr(speaker, name)
        self.country.data = speaker.country or ""

    def to_profile(self) -> SpeakerProfile:
        from telecom.forum.services.speakers import SpeakerProfile

        return SpeakerProfile(
            full_name=self.full_name.data or "",
            job_title=self.job_title.data or "",
            organisation=self.organisation.data or "",
            country=self.country.data or None,
            bio=self.bio.data or "",
        )

    def chosen_photo(self) -> FileStorage | None:
        """The file chosen in the photo field, or None when it was left empty."""
        upload = self.photo.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        return upload  # type: ignore[no-any-return]

    def show_error(self, service_field: str | None, message: str) -> bool:
        """Put a service's message beside the field it names; False when none fits."""
        if not service_field or service_field not in self or service_field == "csrf_token":
            return False
        field = self[service_field]
        field.errors = [*field.errors, message]
        return True


class ConfirmSpeakerForm(SpeakerProfileForm):
    """Confirming: the profile, the photo, and consent to their publication."""

    consent = BooleanField(
        _l(
            "I agree that my name, job title, organisation, country, biography and photo are "
            "published in the programme of the event and on its website."
        )
    )

    def validate_consent(self, field: BooleanField) -> None:
        if not field.data:
            raise FieldError(
                _l(
                    "Agree to the publication of your profile to confirm; it is what the "
                    "programme shows."
                )
            )


class DeclineForm(FlaskForm):
    """Decline the invitation (or, once confirmed, cancel the participation)."""

    note = TextAreaField(
        _l("A message to the organizers (optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_NOTE)],
        render_kw={"rows": 3},
    )
