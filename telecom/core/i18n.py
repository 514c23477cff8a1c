"""Locale selection: explicit choice (session, account) before the browser's."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask import request as flask_request
from flask_login import current_user

from telecom.extensions import babel

LOCALE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
    "ru": "Русский",
}


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():
        # Services, the CLI and outbox rendering run without a request: there is
        # no session or browser to ask, so use the default instead of crashing.
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("locale")
    if chosen in supported:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    return flask_request.accept_languages.best_match(supported) or "en"


def text_direction() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    code = locale.language if locale is not None else "en"
    return "rtl" if code in current_app.config["RTL_LOCALES"] else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def i18n_context() -> dict[str, object]:
        from flask_babel import get_locale

        locale = get_locale()
        return {
            "current_locale": locale.language if locale is not None else "en",
            "text_direction": text_direction(),
            "locale_names": {code: LOCALE_NAMES[code] for code in app.config["SUPPORTED_LOCALES"]},
        }
