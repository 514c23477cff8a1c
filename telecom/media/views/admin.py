"""The organizers' media settings: when applications open and close, file limits, retention.

Organizer only (the blueprint's before_request, and the service again). The
service validates and audits; a refused value is shown beside its field.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core.errors import ServiceError
from telecom.core.web import show_service_error
from telecom.events import services as edition_services
from telecom.media.review_forms import MediaSettingsForm
from telecom.media.services import settings as media_settings
from telecom.media.views import organizer_bp


@organizer_bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
def settings(slug: str):  # type: ignore[no-untyped-def]
    edition = edition_services.get_edition(slug)
    form = MediaSettingsForm(settings=media_settings.media_settings(edition))
    status = 200
    if form.validate_on_submit():
        try:
            media_settings.save_media_settings(edition, form.to_data(), actor=current_user)
        except ServiceError as error:
            show_service_error(form, error, getattr(error, "field", None))
            status = error.status_code
        else:
            flash(_("Media settings saved."), "success")
            return redirect(url_for("media_admin.settings", slug=edition.slug))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "media_review/settings.html",
            edition=edition,
            form=form,
            window=media_settings.application_window(edition),
        ),
        status,
    )
