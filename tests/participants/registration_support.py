"""Shared pieces of the pass, registration and my-registrations tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from email.message import Message

from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.participants.models import (
    PassType,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    VisitPurpose,
)
from telecom.participants.services import passes
from telecom.participants.services import registration as registrations
from telecom.participants.services.passes import PassTypeData
from telecom.participants.services.registration import VisitorData
from tests.helpers import body_of, make_edition, make_organizer


@dataclass
class Fair:
    """An edition that starts in a month, its organizer and a free full pass."""

    edition: Edition
    organizer: User
    free_pass: PassType

    @property
    def slug(self) -> str:
        return self.edition.slug


def future_edition(slug: str = "telecom-world-next", *, starts_in: int = 30) -> Edition:
    start = date.today() + timedelta(days=starts_in)
    return make_edition(
        slug, name="ITU TELECOM World Next", start_date=start, end_date=start + timedelta(days=3)
    )


def make_pass(edition: Edition, organizer: User, name: str = "Full pass", **values) -> PassType:  # type: ignore[no-untyped-def]
    data = PassTypeData(
        name=name,
        valid_from=values.pop("valid_from", edition.start_date),
        valid_until=values.pop("valid_until", edition.end_date),
        **values,
    )
    return passes.create_pass_type(edition, data, actor=organizer)


def make_fair(slug: str = "telecom-world-next", **pass_values) -> Fair:  # type: ignore[no-untyped-def]
    edition = future_edition(slug)
    organizer = make_organizer()
    return Fair(edition, organizer, make_pass(edition, organizer, **pass_values))


def visitor(email: str = "vera@visitor.example", **values) -> VisitorData:  # type: ignore[no-untyped-def]
    return VisitorData(
        full_name=values.pop("full_name", "Vera Visitor"),
        email=email,
        country=values.pop("country", "KE"),
        purpose=values.pop("purpose", VisitPurpose.PROFESSIONAL),
        consent=values.pop("consent", True),
        organisation_name=values.pop("organisation_name", "Safari Telecom"),
        **values,
    )


def register(fair: Fair, email: str = "vera@visitor.example", pass_type=None, **values):  # type: ignore[no-untyped-def]
    pass_type = pass_type or fair.free_pass
    return registrations.register_visitor(fair.edition, pass_type.id, visitor(email, **values))


def form_data(email: str = "vera@visitor.example", **values: str) -> dict[str, str]:
    """What a visitor types into the public form."""
    data = {
        "full_name": "Vera Visitor",
        "email": email,
        "organisation_name": "Safari Telecom",
        "job_function": "technical",
        "country": "KE",
        "sector": "operator",
        "purpose": "professional",
        "accessibility_needs": "",
        "invitation_code": "",
        "promo_code": "",
        "consent": "y",
    }
    data.update(values)
    return data


def mail_text(message: Message) -> str:
    """The plain-text body, also of a message with attachments (multipart)."""
    if not message.is_multipart():
        return body_of(message)
    body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert body is not None
    return str(body.get_content())


def confirmation_link(message: Message) -> str:
    match = re.search(r"https?://\S+/registrations/confirm/\S+", mail_text(message))
    assert match, "the message has no confirmation link"
    return match.group(0)


def manage_link(message: Message) -> str:
    match = re.search(r"https?://\S+/my/registrations/\S+", mail_text(message))
    assert match, "the message has no manage link"
    return match.group(0)


def attachments(message: Message) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_payload(decode=True))
        for part in message.iter_attachments()  # type: ignore[attr-defined]
    ]


def path_of(url: str) -> str:
    """The path and query of an absolute link, for the test client."""
    return re.sub(r"^https?://[^/]+", "", url)


def issued(pass_type_id: int) -> int:
    db.session.expire_all()
    pass_type = db.session.get(PassType, pass_type_id)
    assert pass_type is not None
    return pass_type.issued


def count_registrations(edition_id: int, *statuses: RegistrationStatus) -> int:
    db.session.expire_all()
    query = select(func.count(Registration.id)).where(Registration.edition_id == edition_id)
    if statuses:
        query = query.where(Registration.status.in_(statuses))
    return db.session.scalar(query) or 0


def price(value: str) -> Decimal:
    return Decimal(value)


VISITOR = RegistrationCategory.VISITOR
