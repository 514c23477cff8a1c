"""Forms of the organizer's web-traffic pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class TrafficImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file to import."))],
        render_kw={"accept": ".csv,text/csv"},
    )
    replace = BooleanField(
        _l("Replace days that already have figures"),
        description=_l("Without this, a file with a day already recorded is refused."),
    )
