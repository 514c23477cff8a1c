"""Health check, audit log and the development mailbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from telecom.core.audit import AuditEntry, entries_for_object
from telecom.core.outbox import OutboxMessage, mail_configured
from telecom.core.pagination import paginate
from telecom.core.permissions import Role, roles_required
from telecom.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/organizer/audit")
@roles_required(Role.ORGANIZER)
def audit_log():  # type: ignore[no-untyped-def]
    from telecom.events.models import Edition

    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    edition = None
    slug = request.args.get("edition", "").strip()
    if slug:
        edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
        if edition is None:
            abort(404)
        query = query.where(AuditEntry.edition_id == edition.id)
    object_type = request.args.get("object_type", "").strip()
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    page = paginate(query, per_page=50)
    return render_template(
        "core/audit_log.html", page=page, edition=edition, object_type=object_type
    )


@bp.route("/organizer/audit/<object_type>/<object_id>")
@roles_required(Role.ORGANIZER)
def audit_object(object_type: str, object_id: str):  # type: ignore[no-untyped-def]
    entries = entries_for_object(object_type, object_id)
    if not entries:
        abort(404)
    return render_template(
        "core/audit_object.html", entries=entries, object_type=object_type, object_id=object_id
    )


@bp.route("/organizer/mailbox")
@roles_required(Role.ORGANIZER)
def mailbox():  # type: ignore[no-untyped-def]
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    page = paginate(query, per_page=25)
    return render_template("core/mailbox.html", page=page, mail_configured=mail_configured())
