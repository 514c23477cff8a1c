"""Invitation codes (exhibitors invite customers for a free pass) and promo codes.

Invitation codes are single use. Each exhibitor organisation may create up to
`PassType.exhibitor_invitations` codes per pass type; the count and the insert
run under the organisation's row lock, so two members creating codes at once
queue and cannot exceed the quota (revoking an unused code frees its place).
Organizers create codes for any pass, without an organisation, notably for
the invitation-only leaders' pass.

Redeeming never reads-then-writes: an invitation is used by a conditional
UPDATE (only while unused and not revoked) and a promo code by a conditional
UPDATE `uses = uses + 1 WHERE uses < max_uses`. The first statement to reach
the row holds its lock until it commits; the others then see the new values
and change nothing, so a code with N uses is never used N + 1 times.

The registration helper calls check_invitation / use_invitation and
quote_promo / consume_promo inside its own transaction: they never commit.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.outbox import queue_mail
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import Organisation
from telecom.exhibitors.services.access import require_manage
from telecom.extensions import db
from telecom.participants.models import (
    DiscountKind,
    InvitationCode,
    PassType,
    Person,
    PromoCode,
    Registration,
)

# No 0/O, 1/I/L: a code read out on the phone or copied from paper stays right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_CODES_PER_REQUEST = 200
ERASED_NAME = _l("Erased participant")
CENT = Decimal("0.01")
PROMO_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")

INVITATION_AUDIT_FIELDS = (
    "edition_id", "organisation_id", "pass_type_id", "code", "invitee_email", "used_at",
    "revoked_at",
)  # fmt: skip
PROMO_AUDIT_FIELDS = (
    "edition_id", "code", "kind", "value", "max_uses", "uses", "valid_from", "valid_until",
    "pass_type_id", "active",
)  # fmt: skip


def normalise_code(code: str) -> str:
    """Upper case, without spaces: what people type is compared as it was printed."""
    return re.sub(r"\s+", "", code or "").upper()


def new_invitation_code() -> str:
    """`INV-XXXX-XXXX`: 40 bits from a 31-letter alphabet, unguessable in practice."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(2))
    return "INV-" + "-".join(groups)


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 320 or " " in email:
        raise ValidationError(_("Enter a valid e-mail address."))
    return email


# --------------------------------------------------------------------------- invitation codes


@dataclass(frozen=True)
class InvitationQuota:
    pass_type: PassType
    allowed: int
    used: int  # codes created and not revoked (used or not)

    @property
    def remaining(self) -> int:
        return max(0, self.allowed - self.used)


@dataclass(frozen=True)
class InvitationRow:
    """A code as its creator sees it: who used it is shown by name only."""

    invitation: InvitationCode
    pass_name: str
    organisation_name: str
    used_by: str  # the invitee's name once used, "" before

    @property
    def status(self) -> str:
        if self.invitation.revoked_at is not None:
            return "revoked"
        if self.invitation.used_at is not None:
            return "used"
        return "unused"


def invitation_pass_types(edition: Edition) -> list[PassType]:
    """The active passes exhibitors may invite customers to, by name."""
    return list(
        db.session.scalars(
            select(PassType)
            .where(
                PassType.edition_id == edition.id,
                PassType.exhibitor_invitations > 0,
                PassType.active.is_(True),
            )
            .order_by(PassType.name)
        )
    )


def _codes_by_pass(organisation_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(InvitationCode.pass_type_id, func.count(InvitationCode.id))
        .where(
            InvitationCode.organisation_id == organisation_id,
            InvitationCode.revoked_at.is_(None),
        )
        .group_by(InvitationCode.pass_type_id)
    ).all()
    return dict(rows)


def invitation_quotas(organisation: Organisation, *, actor: User | None) -> list[InvitationQuota]:
    """Per pass type: how many codes the organisation may create and has created."""
    require_manage(actor, organisation)
    edition = db.session.get(Edition, organisation.edition_id)
    assert edition is not None
    used = _codes_by_pass(organisation.id)
    return [
        InvitationQuota(pass_type=p, allowed=p.exhibitor_invitations, used=used.get(p.id, 0))
        for p in invitation_pass_types(edition)
    ]


def _rows(query) -> list[InvitationRow]:  # type: ignore[no-untyped-def]
    """Codes with their pass, organisation and invitee's name, in one statement."""
    used_by = (
        select(Person.full_name, Person.erased_at, Registration.invitation_code_id)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.invitation_code_id.is_not(None))
        .subquery()
    )
    rows = db.session.execute(
        query.add_columns(
            PassType.name, Organisation.display_name, used_by.c.full_name, used_by.c.erased_at
        )
        .join(PassType, PassType.id == InvitationCode.pass_type_id)
        .outerjoin(Organisation, Organisation.id == InvitationCode.organisation_id)
        .outerjoin(used_by, used_by.c.invitation_code_id == InvitationCode.id)
        .order_by(InvitationCode.created_at.desc(), InvitationCode.id.desc())
    ).all()
    result: dict[int, InvitationRow] = {}
    for invitation, pass_name, organisation_name, full_name, erased_at in rows:
        if invitation.id in result:
            continue  # a code is used once; be safe against a stray second registration
        name = ""
        if invitation.used_at is not None:
            name = str(ERASED_NAME) if erased_at is not None else (full_name or "")
        result[invitation.id] = InvitationRow(invitation, pass_name, organisation_name or "", name)
    return list(result.values())


def organisation_invitations(
    organisation: Organisation, *, actor: User | None
) -> list[InvitationRow]:
    """The organisation's codes, newest first."""
    require_manage(actor, organisation)
    return _rows(select(InvitationCode).where(InvitationCode.organisation_id == organisation.id))


def edition_invitations(edition: Edition, *, actor: User | None) -> list[InvitationRow]:
    """Every invitation code of the edition (organizers only), newest first."""
    require_role(actor, Role.ORGANIZER)
    return _rows(select(InvitationCode).where(InvitationCode.edition_id == edition.id))


def _pass_of(edition: Edition, pass_type_id: int) -> PassType:
    pass_type = db.session.get(PassType, pass_type_id)
    if pass_type is None or pass_type.edition_id != edition.id:
        raise NotFound(_("There is no such pass."))
    return pass_type


def _check_count(count: int, invitee_email: str) -> None:
    if count < 1 or count > MAX_CODES_PER_REQUEST:
        raise ValidationError(
            _("Create between 1 and %(n)d codes at a time.", n=MAX_CODES_PER_REQUEST)
        )
    if invitee_email and count != 1:
        raise ValidationError(_("To e-mail a code to an invitee, create one code at a time."))


def registration_link(edition: Edition, code: str) -> str:
    """Where an invitee registers; the registration page may not exist yet."""
    for endpoint in ("participants.register", "participants.registration"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, slug=edition.slug, code=code, _external=True)
    return url_for("events.public_edition", slug=edition.slug, _external=True)


def _insert_codes(
    edition: Edition,
    pass_type: PassType,
    organisation: Organisation | None,
    count: int,
    invitee_email: str,
    actor: User | None,
) -> list[InvitationCode]:
    codes = []
    for _index in range(count):
        invitation = InvitationCode(
            edition_id=edition.id,
            organisation_id=organisation.id if organisation else None,
            pass_type_id=pass_type.id,
            code=new_invitation_code(),
            invitee_email=invitee_email,
            created_by_id=actor.id if actor is not None else None,
        )
        db.session.add(invitation)
        codes.append(invitation)
    db.session.flush()
    for invitation in codes:
        audit.record(
            "create_invitation", invitation, actor=actor, edition_id=edition.id,
            after=audit.snapshot(invitation, INVITATION_AUDIT_FIELDS),
        )  # fmt: skip
    if invitee_email:
        inviter = organisation.display_name if organisation else ""
        queue_mail(
            invitee_email,
            _l("Your invitation to %(edition)s", edition=edition.name),
            "invitation_code.txt",
            edition=edition,
            pass_type=pass_type,
            inviter=inviter,
            code=codes[0].code,
            link=registration_link(edition, codes[0].code),
        )
    return codes


def _with_retry(create):  # type: ignore[no-untyped-def]
    """A random code may (astronomically rarely) collide with one that exists: draw again."""
    for attempt in range(3):
        try:
            return create()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@atomic
def create_invitations(
    organisation: Organisation,
    pass_type_id: int,
    count: int = 1,
    *,
    actor: User | None,
    invitee_email: str = "",
) -> list[InvitationCode]:
    """An exhibitor creates codes within its quota, optionally mailing one to an invitee."""
    require_manage(actor, organisation)
    invitee_email = _email(invitee_email)
    _check_count(count, invitee_email)
    organisation_id = organisation.id

    def create() -> list[InvitationCode]:
        from telecom.exhibitors.services.organisations import is_listed

        org = db.session.get(Organisation, organisation_id)
        assert org is not None
        # Every member creating codes for this organisation queues here.
        db.session.execute(
            select(Organisation.id).where(Organisation.id == org.id).with_for_update()
        )
        edition = db.session.get(Edition, org.edition_id)
        assert edition is not None
        pass_type = _pass_of(edition, pass_type_id)
        if pass_type.exhibitor_invitations <= 0 or not pass_type.active:
            raise ValidationError(_("Exhibitors cannot invite guests to this pass."))
        if not is_listed(org):
            raise Conflict(_("Invitation codes are available once your booking is confirmed."))
        used = _codes_by_pass(org.id).get(pass_type.id, 0)
        if used + count > pass_type.exhibitor_invitations:
            left = max(0, pass_type.exhibitor_invitations - used)
            raise Conflict(
                _(
                    "You can create %(left)d more code(s) for the %(pass)s; your quota is "
                    "%(n)d. Revoke an unused code to free a place.",
                    left=left,
                    n=pass_type.exhibitor_invitations,
                    **{"pass": pass_type.name},
                )
            )
        codes = _insert_codes(edition, pass_type, org, count, invitee_email, actor)
        commit()
        return codes

    return _with_retry(create)


@atomic
def create_organizer_invitations(
    edition: Edition,
    pass_type_id: int,
    count: int = 1,
    *,
    actor: User | None,
    invitee_email: str = "",
) -> list[InvitationCode]:
    """Organizers create codes for any pass of the edition (the leaders' pass), no quota."""
    require_role(actor, Role.ORGANIZER)
    invitee_email = _email(invitee_email)
    _check_count(count, invitee_email)
    edition_id = edition.id

    def create() -> list[InvitationCode]:
        current = db.session.get(Edition, edition_id)
        assert current is not None
        pass_type = _pass_of(current, pass_type_id)
        codes = _insert_codes(current, pass_type, None, count, invitee_email, actor)
        commit()
        return codes

    return _with_retry(create)


def _revoke(invitation_id: int, condition, actor: User | None) -> InvitationCode:  # type: ignore[no-untyped-def]
    invitation = db.session.scalar(
        select(InvitationCode)
        .where(InvitationCode.id == invitation_id, condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise NotFound(_("There is no such invitation code."))
    if invitation.revoked_at is not None:
        raise Conflict(_("This code is already revoked."))
    if invitation.used_at is not None:
        raise Conflict(_("This code has been used: it can no longer be revoked."))
    before = audit.snapshot(invitation, INVITATION_AUDIT_FIELDS)
    invitation.revoked_at = utcnow()
    audit.record(
        "revoke_invitation", invitation, actor=actor, edition_id=invitation.edition_id,
        before=before, after=audit.snapshot(invitation, INVITATION_AUDIT_FIELDS),
    )  # fmt: skip
    commit()
    return invitation


@atomic
def revoke_invitation(
    organisation: Organisation, invitation_id: int, *, actor: User | None
) -> InvitationCode:
    """Withdraw an unused code of the organisation; its place in the quota is free again."""
    require_manage(actor, organisation)
    return _revoke(invitation_id, InvitationCode.organisation_id == organisation.id, actor)


@atomic
def organizer_revoke_invitation(
    edition: Edition, invitation_id: int, *, actor: User | None
) -> InvitationCode:
    require_role(actor, Role.ORGANIZER)
    return _revoke(invitation_id, InvitationCode.edition_id == edition.id, actor)


def check_invitation(edition: Edition, pass_type: PassType | None, code: str) -> InvitationCode:
    """The usable invitation behind `code` for this pass, else a clear ValidationError."""
    text = normalise_code(code)
    invitation = None
    if text:
        invitation = db.session.scalar(
            select(InvitationCode).where(
                InvitationCode.code == text, InvitationCode.edition_id == edition.id
            )
        )
    if invitation is None:
        raise ValidationError(_("This invitation code is not valid. Check it and try again."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation code has been withdrawn by whoever issued it."))
    if invitation.used_at is not None:
        raise ValidationError(_("This invitation code has already been used."))
    if pass_type is not None and invitation.pass_type_id != pass_type.id:
        right = db.session.get(PassType, invitation.pass_type_id)
        raise ValidationError(
            _(
                "This invitation code is for the %(pass)s, not the %(other)s.",
                **{"pass": right.name if right else "?", "other": pass_type.name},
            )
        )
    return invitation


def use_invitation(
    invitation: InvitationCode, registration: Registration, *, actor: User | None = None
) -> None:
    """Mark the code used by `registration`, in the caller's transaction (no commit).

    A conditional UPDATE: the first transaction to reach the row locks it until
    it commits; any other then finds it used and is refused.
    """
    if registration.edition_id != invitation.edition_id:
        raise ValidationError(_("This invitation code is not valid. Check it and try again."))
    if (
        registration.pass_type_id is not None
        and registration.pass_type_id != invitation.pass_type_id
    ):
        raise ValidationError(_("This invitation code is for another pass."))
    now = utcnow()
    changed = db.session.execute(
        update(InvitationCode)
        .where(
            InvitationCode.id == invitation.id,
            InvitationCode.used_at.is_(None),
            InvitationCode.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(invitation, ["used_at", "revoked_at"])
    if changed != 1:
        if invitation.revoked_at is not None:
            raise Conflict(_("This invitation code has been withdrawn by whoever issued it."))
        raise Conflict(_("This invitation code has already been used."))
    if registration.id is None:
        db.session.flush()
    registration.invitation_code_id = invitation.id
    audit.record(
        "use_invitation", invitation, actor=actor, edition_id=invitation.edition_id,
        before={"used_at": None},
        after={"used_at": audit.to_json_value(now), "registration_id": registration.id},
    )  # fmt: skip


# --------------------------------------------------------------------------- promo codes


@dataclass
class PromoData:
    code: str
    kind: DiscountKind | str
    value: Decimal | str
    max_uses: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    pass_type_id: int | None = None
    active: bool = True


def _invalid(message: str, field: str) -> ValidationError:
    """A refusal tagged with the form field it is about, so the view shows it there."""
    error = ValidationError(message)
    error.field = field  # type: ignore[attr-defined]
    return error


def _validated_promo(edition: Edition, data: PromoData) -> PromoData:
    code = normalise_code(data.code)
    if not PROMO_CODE_PATTERN.match(code):
        raise _invalid(
            _("A promo code has 3 to 40 letters, digits, hyphens or underscores."), "code"
        )
    try:
        kind = DiscountKind(data.kind)
    except ValueError:
        raise _invalid(_("Choose a percentage or an amount off."), "kind") from None
    try:
        value = Decimal(str(data.value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise _invalid(_("Enter the discount as a number."), "value") from None
    if not value.is_finite() or value <= 0:
        raise _invalid(_("The discount must be more than zero."), "value")
    if kind == DiscountKind.PERCENT and value > 100:
        raise _invalid(_("A percentage discount is at most 100."), "value")
    if value >= Decimal("10000000000"):
        raise _invalid(_("The discount is too large."), "value")
    if data.max_uses is None or int(data.max_uses) < 1:
        raise _invalid(_("A promo code can be used at least once."), "max_uses")
    if int(data.max_uses) > 1_000_000:
        raise _invalid(_("A promo code can be used at most 1,000,000 times."), "max_uses")
    for moment in (data.valid_from, data.valid_until):
        if moment is not None and moment.tzinfo is None:
            raise _invalid(_("Give the validity times with their time zone."), "valid_from")
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise _invalid(_("The code must end after it starts."), "valid_until")
    if data.pass_type_id is not None:
        _pass_of(edition, data.pass_type_id)
    return PromoData(
        code=code, kind=kind, value=value, max_uses=int(data.max_uses),
        valid_from=data.valid_from, valid_until=data.valid_until,
        pass_type_id=data.pass_type_id, active=bool(data.active),
    )  # fmt: skip


@atomic
def create_promo(edition: Edition, data: PromoData, *, actor: User | None) -> PromoCode:
    require_role(actor, Role.ORGANIZER)
    data = _validated_promo(edition, data)
    taken = db.session.scalar(
        select(PromoCode.id).where(PromoCode.edition_id == edition.id, PromoCode.code == data.code)
    )
    if taken is not None:
        raise _invalid(_("The code %(code)s exists already.", code=data.code), "code")
    promo = PromoCode(edition_id=edition.id, uses=0, **vars(data))
    db.session.add(promo)
    try:
        db.session.flush()
    except IntegrityError:
        raise _invalid(_("The code %(code)s exists already.", code=data.code), "code") from None
    audit.record(
        "create_promo", promo, actor=actor, edition_id=edition.id,
        after=audit.snapshot(promo, PROMO_AUDIT_FIELDS),
    )  # fmt: skip
    commit()
    return promo


def list_promos(edition: Edition, *, actor: User | None) -> list[tuple[PromoCode, str]]:
    """(promo, pass name or "") for the edition, newest first (organizers only)."""
    require_role(actor, Role.ORGANIZER)
    rows = db.session.execute(
        select(PromoCode, PassType.name)
        .outerjoin(PassType, PassType.id == PromoCode.pass_type_id)
        .where(PromoCode.edition_id == edition.id)
        .order_by(PromoCode.created_at.desc(), PromoCode.id.desc())
    ).all()
    return [(promo, name or "") for promo, name in rows]


@atomic
def set_promo_active(
    edition: Edition, promo_id: int, active: bool, *, actor: User | None
) -> PromoCode:
    require_role(actor, Role.ORGANIZER)
    promo = db.session.scalar(
        select(PromoCode)
        .where(PromoCode.id == promo_id, PromoCode.edition_id == edition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if promo is None:
        raise NotFound(_("There is no such promo code."))
    if promo.active != active:
        before = audit.snapshot(promo, PROMO_AUDIT_FIELDS)
        promo.active = active
        audit.record(
            "activate_promo" if active else "deactivate_promo", promo, actor=actor,
            edition_id=edition.id, before=before,
            after=audit.snapshot(promo, PROMO_AUDIT_FIELDS),
        )  # fmt: skip
    commit()
    return promo


def discounted(price: Decimal, promo: PromoCode) -> Decimal:
    """The price after the discount: never below zero, rounded half-up to cents."""
    price = Decimal(price)
    if promo.kind == DiscountKind.PERCENT:
        result = price * (Decimal(100) - Decimal(promo.value)) / Decimal(100)
    else:
        result = price - Decimal(promo.value)
    return max(Decimal("0"), result).quantize(CENT, rounding=ROUND_HALF_UP)


def quote_promo(
    edition: Edition, pass_type: PassType, code: str, *, now: datetime | None = None
) -> tuple[PromoCode, Decimal]:
    """The promo behind `code` and the pass's discounted price, else a clear ValidationError."""
    now = now or utcnow()
    text = normalise_code(code)
    promo = None
    if text:
        promo = db.session.scalar(
            select(PromoCode).where(PromoCode.edition_id == edition.id, PromoCode.code == text)
        )
    if promo is None:
        raise ValidationError(_("This promo code is not valid. Check it and try again."))
    if not promo.active:
        raise ValidationError(_("This promo code is no longer valid."))
    if promo.valid_from is not None and now < promo.valid_from:
        raise ValidationError(_("This promo code is not valid yet."))
    if promo.valid_until is not None and now >= promo.valid_until:
        raise ValidationError(_("This promo code has expired."))
    if promo.uses >= promo.max_uses:
        raise ValidationError(_("This promo code has been used up."))
    if promo.pass_type_id is not None and promo.pass_type_id != pass_type.id:
        raise ValidationError(
            _("This promo code does not apply to the %(pass)s.", **{"pass": pass_type.name})
        )
    return promo, discounted(pass_type.price, promo)


def consume_promo(promo: PromoCode) -> None:
    """Count one use, in the caller's transaction; Conflict when none is left.

    The UPDATE's condition is evaluated on the row as it is once any
    concurrent transaction holding it has committed (PostgreSQL re-checks it
    after waiting for the row lock), so uses never exceeds max_uses.
    """
    changed = db.session.execute(
        update(PromoCode)
        .where(PromoCode.id == promo.id, PromoCode.uses < PromoCode.max_uses)
        .values(uses=PromoCode.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(promo, ["uses"])
    if changed != 1:
        raise Conflict(_("This promo code has been used up."))
