"""Account rules: sign-up, confirmation, log-in, password reset, roles, tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from telecom.auth.models import ApiToken, User, UserRole, normalise_email
from telecom.core import audit
from telecom.core.db import commit
from telecom.core.errors import Conflict, Forbidden, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.core.permissions import Role, require_role
from telecom.core.process_cache import ProcessCache
from telecom.extensions import db

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "tw_"  # noqa: S105 (a public marker, not a secret)
_CONFIRM_SALT = "account-confirm"
_RESET_SALT = "password-reset"

# A hash of a random password, verified when the e-mail is unknown so that a
# wrong address and a wrong password take the same time.
_DUMMY_HASH: str | None = None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("PASSWORD_HASH_TIME_COST", 3),
        memory_cost=config.get("PASSWORD_HASH_MEMORY_COST", 64 * 1024),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
        )
    if email and password.strip().lower() == normalise_email(email):
        raise ValidationError(_("The password must not be your e-mail address."))


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _audit_fields(user: User) -> dict[str, object]:
    return audit.snapshot(user, ("email", "full_name", "active", "locale")) | {
        "roles": sorted(user.roles),
        "email_confirmed": user.email_confirmed,
    }


def create_user(
    *,
    email: str,
    full_name: str,
    password: str,
    roles: set[Role] | None = None,
    confirmed: bool = False,
    actor: User | None = None,
) -> User:
    """Create an account in the current transaction; the caller commits."""
    email = normalise_email(email)
    check_password_strength(password, email)
    if get_user_by_email(email) is not None:
        raise Conflict(_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        email_confirmed_at=utcnow() if confirmed else None,
    )
    for role in roles or {Role.PARTICIPANT}:
        user.role_links.append(UserRole(role=role))
    db.session.add(user)
    audit.record("create", user, actor=actor, after=_audit_fields(user))
    return user


def sign_up(*, email: str, full_name: str, password: str, locale: str | None = None) -> User:
    """Self-service sign-up: a participant account that must confirm its e-mail."""
    existing = get_user_by_email(email)
    if existing is not None:
        # Say the same thing as for a new address and mail the owner instead,
        # so the form cannot be used to find out who has an account.
        queue_mail(
            existing.email,
            _l("Someone tried to sign up with your address"),
            "account_exists.txt",
            locale=existing.locale,
            user=existing,
            login_url=url_for("auth.login", _external=True),
            reset_url=url_for("auth.reset_request", _external=True),
        )
        commit()
        return existing
    user = create_user(email=email, full_name=full_name, password=password)
    user.locale = locale if locale in current_app.config["SUPPORTED_LOCALES"] else None
    _queue_confirmation(user)
    commit()
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _queue_confirmation(user: User) -> None:
    token = _serializer(_CONFIRM_SALT).dumps({"user": user.id, "email": user.email})
    queue_mail(
        user.email,
        _l("Confirm your e-mail address for TELECOM World"),
        "confirm_email.txt",
        locale=user.locale,
        user=user,
        confirm_url=url_for("auth.confirm_email", token=token, _external=True),
    )


def resend_confirmation(email: str) -> None:
    user = get_user_by_email(email)
    if user is not None and not user.email_confirmed and user.active:
        _queue_confirmation(user)
        commit()


def confirm_email(token: str) -> User:
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    try:
        data = _serializer(_CONFIRM_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(
            _("This confirmation link has expired. Log in to get a new one.")
        ) from None
    except BadSignature:
        raise ValidationError(_("This confirmation link is not valid.")) from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise ValidationError(_("This confirmation link is not valid."))
    if not user.email_confirmed:
        user.email_confirmed_at = utcnow()
        audit.record(
            "confirm_email",
            user,
            actor=user,
            before={"email_confirmed": False},
            after={"email_confirmed": True},
        )
        commit()
    return user


class LoginRefused(ValidationError):
    """Wrong credentials, or an account that may not log in yet."""

    def __init__(self, message: str, *, unconfirmed: bool = False) -> None:
        super().__init__(message)
        self.unconfirmed = unconfirmed


def authenticate(email: str, password: str) -> User:
    """Return the user for valid credentials; raise LoginRefused otherwise."""
    global _DUMMY_HASH
    user = get_user_by_email(email)
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
        _verify_password(_DUMMY_HASH, password)
        raise LoginRefused(_("Wrong e-mail address or password."))
    if not _verify_password(user.password_hash, password):
        raise LoginRefused(_("Wrong e-mail address or password."))
    if not user.active:
        raise LoginRefused(_("This account has been deactivated. Contact the organizers."))
    if not user.email_confirmed:
        raise LoginRefused(
            _("Please confirm your e-mail address first: follow the link we sent you."),
            unconfirmed=True,
        )
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    commit()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; silent otherwise (no enumeration)."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return
    # The token embeds the session version, which a reset bumps: each link works once.
    token = _serializer(_RESET_SALT).dumps({"user": user.id, "v": user.session_version})
    queue_mail(
        user.email,
        _l("Reset your TELECOM World password"),
        "password_reset.txt",
        locale=user.locale,
        user=user,
        reset_url=url_for("auth.reset_password", token=token, _external=True),
        valid_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    commit()


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer(_RESET_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(_("This reset link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise ValidationError(_("This reset link is not valid.")) from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.session_version != data.get("v") or not user.active:
        raise ValidationError(_("This reset link has already been used or is no longer valid."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_password_strength(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    # Whoever can read the mailbox has just proven they own the address.
    if not user.email_confirmed:
        user.email_confirmed_at = utcnow()
    audit.record("reset_password", user, actor=user)
    commit()
    return user


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["SUPPORTED_LOCALES"]:
        raise ValidationError(_("This language is not available."))
    user.locale = locale
    commit()


def update_access(user: User, *, roles: set[Role], active: bool, actor: User | None) -> None:
    """Set an account's roles and whether it may log in. Organizers (or the CLI) only."""
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
        if actor.id == user.id and Role.ORGANIZER not in roles:
            raise ValidationError(_("You cannot remove your own organizer role."))
        if actor.id == user.id and not active:
            raise ValidationError(_("You cannot deactivate your own account."))
    before = _audit_fields(user)
    user.role_links[:] = [link for link in user.role_links if link.role in roles]
    for role in roles - user.roles:
        user.role_links.append(UserRole(role=role))
    if user.active and not active:
        user.session_version += 1  # ends the sessions it has open now
    user.active = active
    after = _audit_fields(user)
    if after != before:
        audit.record("update_access", user, actor=actor, before=before, after=after)
    commit()
    # Roles and the active flag decide what a token may do: forget every cached holder.
    _token_users.clear()


def search_users(text: str = "", role: Role | None = None) -> Select[tuple[User]]:
    """Accounts matching a name or e-mail fragment, optionally holding a role."""
    query = select(User).order_by(User.email)
    text = text.strip().lower()
    if text:
        # Escape LIKE wildcards so that "a_b" finds "a_b" and not "axb".
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    if role is not None:
        query = query.where(User.role_links.any(UserRole.role == role))
    return query


def get_user(user_id: int, *, actor: User) -> User:
    require_role(actor, Role.ORGANIZER)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such account."))
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str, *, actor: User | None) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored."""
    if actor is not None and actor.id != user.id:
        require_role(actor, Role.ORGANIZER)
    name = name.strip() or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], token_hash=_hash_token(secret), prefix=secret[:10])
    db.session.add(token)
    audit.record(
        "create_api_token", token, actor=actor, after={"name": token.name, "user": user.email}
    )
    commit()
    return token, secret


def revoke_api_token(token_id: int, *, actor: User) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    if token.user_id != actor.id:
        try:
            require_role(actor, Role.ORGANIZER)
        except Forbidden:
            raise NotFound(_("No such token.")) from None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("revoke_api_token", token, actor=actor, after={"name": token.name})
        commit()
    _token_users.discard(token.token_hash)


# Read on every API request; see telecom.core.process_cache for the trade-off.
# Keyed by the token's hash, never by the secret itself.
_token_users: ProcessCache[User] = ProcessCache("API_TOKEN_CACHE_SECONDS", ("role_links",))


def user_for_api_token(secret: str) -> User | None:
    """The active user owning this bearer token, or None.

    A valid token's user is reused by this process for API_TOKEN_CACHE_SECONDS:
    revoking the token, deactivating the account or changing its roles takes
    effect at once in the process that made the change and within that time in
    the others.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token_hash = _hash_token(secret)
    cached = _token_users.get(token_hash)
    if cached is not None:
        return cached
    # One round trip: the token with its user and the user's roles.
    token = (
        db.session.execute(
            select(ApiToken)
            .options(joinedload(ApiToken.user).joinedload(User.role_links))
            .where(ApiToken.token_hash == token_hash)
        )
        .unique()
        .scalar_one_or_none()
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    user = token.user
    _token_users.put(token_hash, user)
    now = datetime.now(UTC)
    # Write last-use at most once a minute: an API client should not turn every
    # read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        commit()
    return user
