"""HTTP security headers applied to every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

DIRECTIVES: list[tuple[str, str]] = [
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
]

CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in DIRECTIVES)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config: dict) -> str:
    """The policy, with Stripe's origins let in only when card payments are configured.

    Stripe.js is loaded from STRIPE_JS_URL, runs its card fields in frames of
    that origin and calls the API (STRIPE_API_BASE; with localstripe both
    are the same loopback address). Nothing else is loosened.
    """
    if not (config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY")):
        return CONTENT_SECURITY_POLICY
    js = _origin(config.get("STRIPE_JS_URL", ""))
    api = _origin(config.get("STRIPE_API_BASE", ""))
    if js is None:
        return CONTENT_SECURITY_POLICY
    extra = {
        "script-src": [js],
        # Real Stripe shows 3-D Secure from hooks.stripe.com (its documented CSP).
        "frame-src": [js] + (["https://hooks.stripe.com"] if js == "https://js.stripe.com" else []),
        "connect-src": [js] + ([api] if api and api != js else []),
    }
    directives = [*DIRECTIVES[:6], ("frame-src", "'self'"), *DIRECTIVES[6:]]
    return "; ".join(" ".join([name, value, *extra.get(name, [])]) for name, value in directives)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(app.config))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
