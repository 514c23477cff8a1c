"""On-site check-in pages: the scanner (check-in staff, organizers) and live counts.

The scanner page reads a code (camera, USB scanner acting as a keyboard, or
typed) and posts it to `checkin.scan`. Its script sends JSON with the CSRF
token in a header; without JavaScript the same form posts normally and the
page is rendered again with the result. Either way the rules run in
`services.checkin.scan`.
"""

from __future__ import annotations

import uuid

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core.errors import ServiceError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, has_role, roles_required
from telecom.events.services import get_edition
from telecom.participants.models import ScanResult
from telecom.participants.services import checkin
from telecom.participants.views import checkin_bp, organizer_bp

# Icon and word beside the colour, so the result never depends on colour alone.
RESULT_STYLES = {
    ScanResult.WELCOME: ("success", "✔"),
    ScanResult.ALREADY_CHECKED_IN: ("warning", "⚠"),
    ScanResult.NOT_VALID_TODAY: ("danger", "✖"),
    ScanResult.CANCELLED: ("danger", "✖"),
    ScanResult.WRONG_EDITION: ("danger", "✖"),
    ScanResult.UNKNOWN: ("danger", "✖"),
    ScanResult.NO_ACCESS: ("danger", "✖"),
}


def result_headings() -> dict[str, str]:
    """The big word on the result panel, per result, in the reader's language."""
    return {result.value: result.label for result in ScanResult}


def _scanner_page(edition, *, outcome=None, error=None, point_value="gate", status=200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "checkin/scanner.html",
            edition=edition,
            outcome=outcome,
            error=error,
            point_value=point_value,
            scan_id=str(uuid.uuid4()),
            headings=result_headings(),
            styles={result.value: style for result, style in RESULT_STYLES.items()},
        ),
        status,
    )


def _point_value(data) -> str:  # type: ignore[no-untyped-def]
    """The script sends "point"; the plain form sends the radio choice and the session id."""
    if data.get("point"):
        return str(data.get("point"))
    if data.get("point_kind") == "session":
        return str(data.get("session_id") or "").strip()
    return "gate"


@checkin_bp.route("/")
@roles_required(Role.CHECKIN_STAFF, Role.ORGANIZER)
def scanner(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    return _scanner_page(edition)


@checkin_bp.route("/scans", methods=["POST"])
def scan(slug: str):  # type: ignore[no-untyped-def]
    """One scan from the scanner page: JSON from its script, or the plain form without it."""
    wants_json = request.is_json
    if not current_user.is_authenticated or not has_role(
        current_user, Role.CHECKIN_STAFF, Role.ORGANIZER
    ):
        if wants_json:
            status = 403 if current_user.is_authenticated else 401
            message = (
                _("You do not have permission to do this.")
                if status == 403
                else _("Your session has ended: log in again.")
            )
            return jsonify(error=message, status=status), status
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=url_for(".scanner", slug=slug)))
        abort(403)
    edition = get_edition(slug)
    data = request.get_json(silent=True) if wants_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        return jsonify(error=_("Send the scan as a JSON object."), status=400), 400
    point_value = _point_value(data)
    try:
        point, point_ref = checkin.parse_point(point_value)
        # The page is online: the server's clock is the scan time. A retried
        # request carries the same scan_id and gets the result stored first.
        outcome = checkin.scan(
            edition,
            code=data.get("code") or "",
            scan_id=data.get("scan_id") or "",
            scanned_at=utcnow(),
            point=point,
            point_ref=point_ref,
            staff=current_user,
        )
    except ServiceError as error:
        if wants_json:
            return jsonify(error=error.message, status=error.status_code), error.status_code
        return _scanner_page(
            edition, error=error.message, point_value=point_value, status=error.status_code
        )
    if wants_json:
        return jsonify(outcome.as_dict())
    return _scanner_page(edition, outcome=outcome.as_dict(), point_value=point_value)


@organizer_bp.route("/live")
def live(slug: str):  # type: ignore[no-untyped-def]
    edition = get_edition(slug)
    counts = checkin.live_counts(edition, actor=current_user)
    return render_template(
        "participants_admin/live.html",
        edition=edition,
        counts=counts,
        headings=result_headings(),
    )
