"""Who may see and act on an order.

A buyer's side (members of the ordering organisation, or the buyer for an
order without one) and organizers. Everyone else gets "no such order", so
nobody learns which orders exist.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from telecom.auth.models import User
from telecom.core.errors import NotFound
from telecom.core.permissions import Role
from telecom.exhibitors.models import Organisation, OrganisationMember
from telecom.extensions import db
from telecom.payments.models import Document, Order


def can_view(user: User | None, order: Order) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.has_role(Role.ORGANIZER):
        return True
    return is_buyer(user, order)


def is_buyer(user: User | None, order: Order) -> bool:
    """A member of the ordering organisation, or the buyer of an order without one."""
    from telecom.exhibitors.services.access import can_manage

    if user is None or not user.is_authenticated:
        return False
    if order.organisation_id is not None:
        organisation = db.session.get(Organisation, order.organisation_id)
        return organisation is not None and can_manage(user, organisation)
    return order.buyer_id == user.id


def get_order(order_id: int, *, actor: User | None) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or not can_view(actor, order):
        raise NotFound(_("There is no such order."))
    return order


def get_buyer_order(order_id: int, *, actor: User | None) -> Order:
    """An order the actor may pay for (buyer side only; organizers use their own pages)."""
    order = db.session.get(Order, order_id)
    if order is None or not is_buyer(actor, order):
        raise NotFound(_("There is no such order."))
    return order


def get_document(document_id: int, *, actor: User | None) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or not can_view(actor, document.order):
        raise NotFound(_("There is no such document."))
    return document


def buyer_orders(user: User) -> list[Order]:
    """Every order `user` may act on as buyer, newest first.

    Orders of the organisations the user is a member of, and orders without
    an organisation that the user bought (as access.is_buyer; an organizer's
    holds made on an exhibitor's behalf belong to the exhibitor, not here).
    """
    member_of = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id
    )
    return list(
        db.session.scalars(
            select(Order)
            # The list shows totals, balances and documents: load them with
            # the orders, not one query per order.
            .options(
                selectinload(Order.lines),
                selectinload(Order.payments),
                selectinload(Order.refunds),
                selectinload(Order.documents),
            )
            .where(
                or_(
                    Order.organisation_id.in_(member_of),
                    (Order.organisation_id.is_(None)) & (Order.buyer_id == user.id),
                )
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )
