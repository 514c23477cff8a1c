"""Configuration classes.

Everything secret or deployment-specific is read from the environment when a
config object is instantiated (not at import), so tests can set variables first.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# A placeholder that must never reach production; ProductionConfig refuses it.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment."""

    SUPPORTED_LOCALES = ("en", "fr", "es", "ar", "zh", "ru")
    RTL_LOCALES = ("ar",)
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # How long a process may reuse an edition it looked up for the check-in API
    # (telecom.events.services.get_edition_for_scanning); 0 looks it up every time.
    EDITION_CACHE_SECONDS = float(os.environ.get("EDITION_CACHE_SECONDS", "30"))
    # How long a process may reuse the account behind an API token
    # (telecom.auth.services.user_for_api_token): a revocation, deactivation or
    # role change made in another process applies within this time; 0 looks it up every time.
    API_TOKEN_CACHE_SECONDS = float(os.environ.get("API_TOKEN_CACHE_SECONDS", "10"))
    # Count public page views and daily unique visitors (telecom.traffic), without cookies.
    TRAFFIC_COUNTING = os.environ.get("TRAFFIC_COUNTING", "1") != "0"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a wall-clock hour

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    MAIL_RATE_LIMIT = "5 per minute;20 per hour"
    # Public visitor registrations per client address (a registration desk
    # behind one address may need more: REGISTRATION_RATE_LIMIT).
    REGISTRATION_RATE_LIMIT = "10 per minute;60 per hour"

    # Seconds a confirmation or reset link stays valid.
    EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    OUTBOX_MAX_ATTEMPTS = 8
    # Hard cap on any request body; each upload form also has its own, smaller limit.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'telecom.db'}"
        )
        self.DEBUG = _env_bool("FLASK_DEBUG")
        self.SERVER_NAME = os.environ.get("SERVER_NAME") or None
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        self.RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        self.REGISTRATION_RATE_LIMIT = os.environ.get(
            "REGISTRATION_RATE_LIMIT", Config.REGISTRATION_RATE_LIMIT
        )
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "MAIL_DEFAULT_SENDER", "TELECOM World <no-reply@telecom-world.example>"
        )
        self.MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
        # Largest evidence file or photo a journalist may upload (5 MB).
        self.MEDIA_MAX_UPLOAD_BYTES = _env_int("MEDIA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
        # Fernet keys (comma-separated, the first encrypts; older ones still decrypt) for
        # VIP passport details. Unset: passport details are not collected.
        self.PROTOCOL_ENCRYPTION_KEYS = os.environ.get("PROTOCOL_ENCRYPTION_KEYS", "")
        self.DEMO_ORGANIZER_EMAIL = os.environ.get(
            "DEMO_ORGANIZER_EMAIL", "organizer@telecom-world.example"
        )
        self.DEMO_ORGANIZER_PASSWORD = os.environ.get("DEMO_ORGANIZER_PASSWORD", "telecom-world")
        # Card payments are offered only when a secret and a publishable key are set;
        # without them buyers pay by bank transfer. Test keys use Stripe's test mode;
        # STRIPE_API_BASE and STRIPE_JS_URL point at localstripe in tests.
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
        self.STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")

    def validate(self) -> None:
        """Raise RuntimeError when the configuration is unsafe to run."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        if not self.PROTOCOL_ENCRYPTION_KEYS:
            # `make run` works out of the box; production takes keys only from the environment.
            self.PROTOCOL_ENCRYPTION_KEYS = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZC11c2U="


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True  # tests exercise CSRF for real; helpers fetch the token

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key-with-enough-length-0123456789"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = "sqlite://"
        # Tests reuse slugs across freshly emptied databases: never serve a stale copy.
        self.EDITION_CACHE_SECONDS = 0
        self.API_TOKEN_CACHE_SECONDS = 0
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.RATELIMIT_ENABLED = True
        self.MAIL_SERVER = ""
        self.STRIPE_SECRET_KEY = ""
        self.STRIPE_PUBLISHABLE_KEY = ""
        self.STRIPE_WEBHOOK_SECRET = ""
        # argon2 at full cost makes hundreds of test log-ins slow; tests still hash for real.
        self.PASSWORD_HASH_TIME_COST = 1
        self.PASSWORD_HASH_MEMORY_COST = 8 * 1024
        self.PROTOCOL_ENCRYPTION_KEYS = "dGVzdC1rZXktZm9yLXBhc3Nwb3J0LWRldGFpbHMtMDE="


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    def __init__(self) -> None:
        super().__init__()
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
        self.DEBUG = False
        # Links in e-mails are built from SERVER_NAME, and requests naming any
        # other host are refused, so a forged Host header can never put an
        # attacker's address into a password-reset link.
        extra_hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")]
        own_host = (self.SERVER_NAME or "").split(":")[0]
        self.TRUSTED_HOSTS = [h for h in [own_host, *extra_hosts] if h] or None

    def validate(self) -> None:
        key = self.SECRET_KEY or ""
        if key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("DATABASE_URL must be set in production.")
        if not self.SERVER_NAME:
            raise RuntimeError(
                "SERVER_NAME must be set in production (the public host name, for example "
                "telecom-world.example.org): links in e-mails are built from it."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
