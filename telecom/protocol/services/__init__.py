"""VIP and protocol services: invitations, RSVP, precedence, lists, meeting rooms.

The views, the CLI and the tests call these functions; each one checks who is
acting, applies the rules and commits one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select

from telecom.core.errors import NotFound, ValidationError
from telecom.core.permissions import Role, require_role
from telecom.extensions import db
from telecom.protocol.models import VipInvitation

if TYPE_CHECKING:
    from telecom.auth.models import User

# Protocol staff, and organizers, who may do everything protocol staff does.
PROTOCOL_ROLES = (Role.PROTOCOL, Role.ORGANIZER)


class ProtocolError(ValidationError):
    """A refused value, with the form field it belongs to (None: the form as a whole).

    Field names are those of the service dataclasses (`InvitationData`,
    `RsvpDetails`, `MemberData`, `PassportData`, `ProtocolSettingsData`) or of
    the forms ("reason", "counterpart", "file", "vip_email", "members").
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_protocol_staff(actor: User | None) -> User:
    """`actor` when it is protocol staff or an organizer, else Forbidden."""
    return require_role(actor, *PROTOCOL_ROLES)


def lock_invitation(invitation: VipInvitation | int) -> VipInvitation:
    """The invitation's row, locked for this transaction and re-read (another may have moved it).

    Every status change and every booking for a delegation takes this lock
    first, so two actions on one invitation run one after the other.
    """
    invitation_id = invitation if isinstance(invitation, int) else invitation.id
    locked = db.session.scalar(
        select(VipInvitation)
        .where(VipInvitation.id == invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such invitation."))
    return locked
