"""TELECOM World event platform: the application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import CONFIGS, INSTANCE_DIR, Config


def _resolve_config(config_name_or_object: str | Config | type[Config] | None) -> Config:
    if config_name_or_object is None:
        config_name_or_object = os.environ.get("TELECOM_CONFIG", "development")
    if isinstance(config_name_or_object, str):
        try:
            config_class = CONFIGS[config_name_or_object]
        except KeyError:
            raise RuntimeError(
                f"Unknown configuration {config_name_or_object!r}; "
                f"choose one of {', '.join(CONFIGS)}."
            ) from None
        return config_class()
    if isinstance(config_name_or_object, type):
        return config_name_or_object()
    return config_name_or_object


def create_app(
    config_name_or_object: str | Config | type[Config] | None = None, **overrides: Any
) -> Flask:
    """Build the application.

    `config_name_or_object` is "development", "testing", "production", a Config
    class or instance; `overrides` replace single settings (used by tests).
    """
    config = _resolve_config(config_name_or_object)
    for key, value in overrides.items():
        setattr(config, key, value)
    config.validate()

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config)
    app.config["ENV_NAME"] = getattr(config, "ENV_NAME", "custom")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    from telecom import extensions

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(_migrations_dir()),
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    from telecom.core import i18n, security, templating

    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    from telecom.auth import login as auth_login

    auth_login.init_app(app)

    _register_models()
    _register_blueprints(app)

    from telecom.core import errors

    errors.init_app(app)

    from telecom.traffic import hook as traffic_hook

    traffic_hook.init_app(app)

    from telecom import cli

    cli.init_app(app)
    return app


def _migrations_dir() -> os.PathLike[str]:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_models() -> None:
    # Imported for their side effect: every table must be in the metadata
    # before Alembic compares it with the database.
    from telecom.auth import models as _auth  # noqa: F401
    from telecom.core import audit as _audit  # noqa: F401
    from telecom.core import outbox as _outbox  # noqa: F401
    from telecom.events import models as _events  # noqa: F401
    from telecom.exhibitors import models as _exhibitors  # noqa: F401
    from telecom.forum import models as _forum  # noqa: F401
    from telecom.kpi import models as _kpi  # noqa: F401
    from telecom.media import models as _media  # noqa: F401
    from telecom.participants import models as _participants  # noqa: F401
    from telecom.payments import models as _payments  # noqa: F401
    from telecom.plan import models as _plan  # noqa: F401
    from telecom.protocol import models as _protocol  # noqa: F401
    from telecom.surveys import models as _surveys  # noqa: F401
    from telecom.traffic import models as _traffic  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from telecom.api.views import bp as api_bp
    from telecom.auth.views import bp as auth_bp
    from telecom.auth.views import users_bp
    from telecom.core.views import bp as core_bp
    from telecom.events.views import bp as events_bp
    from telecom.events.views import organizer_bp
    from telecom.exhibitors.views import bp as exhibitors_bp
    from telecom.exhibitors.views import organizer_bp as exhibitors_admin_bp
    from telecom.forum.views import bp as forum_bp
    from telecom.forum.views import organizer_bp as forum_admin_bp
    from telecom.forum.views import speaker_bp as forum_speaker_bp
    from telecom.kpi.views import organizer_bp as kpi_admin_bp
    from telecom.media.views import bp as media_bp
    from telecom.media.views import organizer_bp as media_admin_bp
    from telecom.media.views import review_bp as media_review_bp
    from telecom.participants.views import bp as participants_bp
    from telecom.participants.views import checkin_bp
    from telecom.participants.views import organizer_bp as participants_admin_bp
    from telecom.payments.views import bp as payments_bp
    from telecom.payments.views import organizer_bp as payments_admin_bp
    from telecom.plan.views import organizer_bp as plan_admin_bp
    from telecom.protocol.views import bp as protocol_bp
    from telecom.protocol.views import rsvp_bp
    from telecom.surveys.views import bp as surveys_bp
    from telecom.surveys.views import organizer_bp as surveys_admin_bp
    from telecom.traffic.views import organizer_bp as traffic_admin_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(participants_admin_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(media_review_bp)
    app.register_blueprint(media_admin_bp)
    app.register_blueprint(protocol_bp)
    app.register_blueprint(rsvp_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(forum_speaker_bp)
    app.register_blueprint(forum_admin_bp)
    app.register_blueprint(payments_admin_bp)
    app.register_blueprint(exhibitors_bp)
    app.register_blueprint(exhibitors_admin_bp)
    app.register_blueprint(kpi_admin_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(surveys_admin_bp)
    app.register_blueprint(traffic_admin_bp)
    app.register_blueprint(plan_admin_bp)
    app.register_blueprint(api_bp)
