"""Roles, and the checks services and views use to enforce them.

Services call `require_role` / `require_login` on the acting user, so the
same rule holds for the HTML views, the API, the CLI and the tests. The view
decorator `roles_required` only turns the outcome into a login redirect or 403
early, for pages that are entirely organizer-only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from telecom.core.errors import Forbidden

if TYPE_CHECKING:
    from telecom.auth.models import User


class Role(enum.StrEnum):
    ORGANIZER = "organizer"
    CHECKIN_STAFF = "checkin_staff"
    MEDIA_REVIEWER = "media_reviewer"
    PROTOCOL = "protocol"
    EXHIBITOR_CONTACT = "exhibitor_contact"
    PARTICIPANT = "participant"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ORGANIZER: _l("Organizer"),
    Role.CHECKIN_STAFF: _l("Check-in staff"),
    Role.MEDIA_REVIEWER: _l("Media reviewer"),
    Role.PROTOCOL: _l("Protocol staff"),
    Role.EXHIBITOR_CONTACT: _l("Exhibitor contact"),
    Role.PARTICIPANT: _l("Participant"),
}


def has_role(user: User | None, *roles: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(user.has_role(role) for role in roles)


def require_role(user: User | None, *roles: Role) -> User:
    """Return `user` when it holds one of `roles`, else raise Forbidden."""
    if not has_role(user, *roles):
        raise Forbidden(str(_l("You do not have permission to do this.")))
    assert user is not None
    return user


F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """View decorator: anonymous users go to the login page, others need a role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
