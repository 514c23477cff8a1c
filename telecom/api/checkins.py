"""Check-in API for scanner apps: POST /api/v1/editions/<slug>/checkins.

One scan:

    {"code": "TW1-...", "scan_id": "<uuid>", "scanned_at": "2015-10-12T09:30:00+02:00",
     "point": "gate" | "<forum session id>"}

or a batch uploaded by a scanner that was offline, with the original times:

    {"scans": [{...}, {...}]}            (at most MAX_BATCH items)

`scan_id` makes every upload idempotent: sending the same scan again returns
the result stored the first time. A batch is judged item by item: each item
gets its own result or its own error, and the valid items are applied (each
one its own transaction, so one bad item never undoes the others).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from telecom.api.auth import api_user, token_required
from telecom.api.views import bp
from telecom.core.errors import ServiceError, ValidationError
from telecom.core.permissions import require_role
from telecom.events.services import get_edition_for_scanning
from telecom.participants.services import checkin

MAX_BATCH = 500
SCAN_FIELDS = ("code", "scan_id", "scanned_at", "point")


def _error(status: int, message: str, **extra: Any):  # type: ignore[no-untyped-def]
    response = jsonify(error=message, status=status, **extra)
    response.status_code = status
    return response


def parse_scan(item: object) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Validate one scan object: (arguments for checkin.scan, {}) or (None, errors by field)."""
    if not isinstance(item, dict):
        return None, {"scan": _("Each scan must be a JSON object.")}
    errors: dict[str, str] = {}
    for name in SCAN_FIELDS:
        if item.get(name) in (None, ""):
            errors[name] = _("%(field)s is required.", field=name)
    parsers = {
        "code": checkin.check_code,
        "scan_id": checkin.check_scan_id,
        "scanned_at": checkin.parse_scanned_at,
        "point": checkin.parse_point,
    }
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        if name in errors:
            continue
        try:
            values[name] = parse(item[name])
        except ValidationError as error:
            errors[name] = error.message
    if errors:
        return None, errors
    point, point_ref = values.pop("point")
    return {**values, "point": point, "point_ref": point_ref}, {}


def _apply(edition, item: object, index: int | None = None) -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Run one scan: (HTTP status it would have alone, its JSON)."""
    scan_id = item.get("scan_id") if isinstance(item, dict) else None
    head: dict[str, Any] = {} if index is None else {"index": index}
    if isinstance(scan_id, str):
        head["scan_id"] = scan_id
    arguments, errors = parse_scan(item)
    if arguments is None:
        message = "; ".join(errors.values())
        return 400, {**head, "error": message, "errors": errors, "status": 400}
    try:
        outcome = checkin.scan(edition, staff=api_user(), **arguments)
    except ServiceError as error:
        return error.status_code, {
            **head,
            "error": error.message,
            "status": error.status_code,
        }
    return 200, {**head, **outcome.as_dict()}


@bp.route("/editions/<slug>/checkins", methods=["POST"])
@token_required
def checkins(slug: str):  # type: ignore[no-untyped-def]
    # Forbidden / NotFound become JSON by the app's error handlers (path /api/).
    require_role(api_user(), *checkin.CHECKIN_ROLES)
    edition = get_edition_for_scanning(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(
            400,
            _(
                'Send a JSON object: one scan {"code", "scan_id", "scanned_at", "point"} '
                'or a batch {"scans": [...]}, with Content-Type: application/json.'
            ),
        )
    if "scans" not in body:
        status, payload = _apply(edition, body)
        return jsonify(payload), status

    scans = body["scans"]
    if not isinstance(scans, list) or not scans:
        return _error(400, _('"scans" must be a non-empty list of scans.'))
    if len(scans) > MAX_BATCH:
        return _error(
            400,
            _(
                "At most %(max)d scans per batch (got %(count)d): split the upload.",
                max=MAX_BATCH,
                count=len(scans),
            ),
        )
    results = [_apply(edition, item, index)[1] for index, item in enumerate(scans)]
    failed = sum(1 for result in results if "error" in result)
    return jsonify(results=results, applied=len(results) - failed, failed=failed)
