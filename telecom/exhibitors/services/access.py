"""Who may see and change an organisation: its members, and organizers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from telecom.auth.models import User
from telecom.core.errors import NotFound
from telecom.core.permissions import Role, has_role
from telecom.exhibitors.models import Organisation, OrganisationMember
from telecom.extensions import db


def is_organizer(user: User | None) -> bool:
    return has_role(user, Role.ORGANIZER)


def is_member(user: User | None, organisation: Organisation) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(OrganisationMember.id).where(
                OrganisationMember.organisation_id == organisation.id,
                OrganisationMember.user_id == user.id,
            )
        )
        is not None
    )


def can_manage(user: User | None, organisation: Organisation) -> bool:
    return is_organizer(user) or is_member(user, organisation)


def require_manage(user: User | None, organisation: Organisation) -> None:
    """Raise NotFound (not Forbidden): others must not learn what exists."""
    if not can_manage(user, organisation):
        raise NotFound(_("There is no such organisation."))


def get_managed_organisation(user: User | None, organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("There is no such organisation."))
    require_manage(user, organisation)
    return organisation


def organisations_of(user: User | None, edition_id: int) -> list[Organisation]:
    """The organisations this user manages at an edition, by name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(OrganisationMember.user_id == user.id, Organisation.edition_id == edition_id)
            .order_by(Organisation.display_name)
        )
    )


def recipients(organisation: Organisation) -> list[tuple[str, str | None]]:
    """(e-mail, locale) of everyone who should hear about the organisation's bookings."""
    from telecom.auth.models import User as UserModel

    rows = db.session.execute(
        select(UserModel.email, UserModel.locale)
        .join(OrganisationMember, OrganisationMember.user_id == UserModel.id)
        .where(OrganisationMember.organisation_id == organisation.id, UserModel.active.is_(True))
        .order_by(UserModel.email)
    ).all()
    found: dict[str, str | None] = {row.email: row.locale for row in rows}
    contact = organisation.contact_email.strip().lower()
    if contact and contact not in found:
        found[contact] = None
    return list(found.items())
