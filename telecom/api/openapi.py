"""The OpenAPI 3.1 document of API v1, served at GET /api/v1/openapi.json.

Written by hand from the code of each endpoint, except the KPI result, whose
schema is derived from the engine's dataclasses (`telecom.kpi.engine`) so that
it follows every figure the engine adds. Enumerations (sectors, session kinds,
scan results...) are read from the enums the code uses for the same reason.
The test suite checks that every route under /api/v1 is described here and
runs schemathesis against this document: no 5xx, and every answer matches.

The text is developer documentation, in English, like the field names.
"""

from __future__ import annotations

import types
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from telecom.api.checkins import MAX_BATCH
from telecom.api.views import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from telecom.exhibitors.models import PavilionKind, Sector
from telecom.forum.models import SessionAccess, SessionKind, SpeakerRole
from telecom.kpi.engine import EditionKpis
from telecom.participants.models import RegistrationCategory, ScanResult
from telecom.participants.services.checkin import (
    MAX_CODE_LENGTH,
    MAX_POINT_REF_LENGTH,
    MAX_SCAN_ID_LENGTH,
)

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Money, areas, scores: exact decimals written as strings ("1450.00", "-12.5").
DECIMAL = r"^-?\d+\.\d+$"
# Plan figures and KPI changes: a whole number may come without decimal places.
PLAN_DECIMAL = r"^-?\d+(\.\d+)?$"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" in schema:
        kind = schema["type"]
        kinds = kind if isinstance(kind, list) else [kind]
        return {**schema, "type": [*kinds, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _object(
    properties: dict[str, Any], *, required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """An object with these properties, all required unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}


# --------------------------------------------------------------------------- KPI schema


def _python_type_schema(annotation: Any) -> dict[str, Any]:
    """The JSON schema of a value of `annotation` as `EditionKpis.as_dict()` writes it."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot describe {annotation!r}")
        schema = _python_type_schema(options[0])
        return _nullable(schema) if len(options) < len(get_args(annotation)) else schema
    if origin is dict:
        _key, value = get_args(annotation)
        # Breakdowns (by band, category, stream...): their keys are data, not fields.
        return {"type": "object", "additionalProperties": _python_type_schema(value)}
    if origin in (list, tuple):
        return {"type": "array", "items": _python_type_schema(get_args(annotation)[0])}
    if is_dataclass(annotation):
        return _dataclass_schema(annotation)  # type: ignore[arg-type]
    simple = {
        bool: BOOLEAN,
        int: INTEGER,
        str: STRING,
        Decimal: {"type": "string", "pattern": DECIMAL},
        date: DATE,
    }
    if annotation in simple:
        return dict(simple[annotation])
    raise TypeError(f"cannot describe {annotation!r}")


def _dataclass_schema(cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    properties = {
        item.metadata.get("json", item.name): _python_type_schema(hints[item.name])
        for item in fields(cls)
    }
    return _object(properties)


def kpi_schema() -> dict[str, Any]:
    schema = _dataclass_schema(EditionKpis)
    # With `compare`, telecom.kpi.exports.json_document adds the other edition side by side.
    schema["properties"]["comparison"] = _ref("KpiComparison")
    schema["description"] = (
        "Every Objective 6 KPI of the edition (DESIGN.md section 6). Counts are integers; "
        "money (in `currency`), areas and scores are decimal strings; `as_of` is null for "
        "'now'; `not_collected` names inputs with no data at all (their figures read as "
        "'not recorded'). Breakdown objects (by turnover band, category, stream...) are "
        "keyed by the code of each band or category. `comparison` only with `compare`."
    )
    return schema


def kpi_comparison_schema() -> dict[str, Any]:
    figure_value = {
        "type": ["integer", "string", "null"],
        "description": "A count, a decimal string, a date or a text; null when absent.",
    }
    change = _nullable({"type": "string", "pattern": PLAN_DECIMAL})
    return _object(
        {
            "edition": {"type": "string", "pattern": SLUG, "description": "The other edition."},
            "as_of": _nullable(DATE),
            "currency": STRING,
            "earlier": {"type": "string", "pattern": SLUG},
            "later": {"type": "string", "pattern": SLUG},
            "figures": {
                "type": "array",
                "items": _object(
                    {
                        "kpi": STRING,
                        "figure": STRING,
                        "dimension": STRING,
                        "unit": STRING,
                        "earlier": figure_value,
                        "later": figure_value,
                        "delta": {**change, "description": "later - earlier"},
                        "percent": {**change, "description": "The change in % of earlier."},
                    }
                ),
            },
        },
        description="Both editions' figures, the earlier edition against the later one.",
    )


# --------------------------------------------------------------------------- other schemas


def _schemas() -> dict[str, Any]:
    error = _object(
        {
            "error": {"type": "string", "minLength": 1, "description": "What went wrong."},
            "status": {"type": "integer", "description": "The HTTP status, repeated."},
        },
        description="Every error of the API has this shape.",
    )
    scan_error = {
        "allOf": [
            _ref("Error"),
            _object(
                {
                    "scan_id": STRING,
                    "errors": {
                        "type": "object",
                        "additionalProperties": STRING,
                        "description": "A message per malformed field of the scan.",
                    },
                },
                required=[],
            ),
        ]
    }
    person = _object(
        {
            "name": STRING,
            "category": {"type": "string", "enum": [c.value for c in RegistrationCategory]},
            "category_label": STRING,
            "organisation": STRING,
        }
    )
    outcome = _object(
        {
            "scan_id": STRING,
            "result": {"type": "string", "enum": [r.value for r in ScanResult]},
            "admitted": BOOLEAN,
            "message": STRING,
            "day": DATE,
            "point": {"type": "string", "description": '"gate" or the forum session id.'},
            "replayed": {
                "type": "boolean",
                "description": "The scan_id was seen before: this is the stored answer.",
            },
            "person": person,
        },
        required=["scan_id", "result", "admitted", "message", "day", "point", "replayed"],
        description="The verdict on one scan; `person` when the badge named someone.",
    )
    batch_item = {
        "description": "One item of a batch: its verdict or its error, with its index.",
        "allOf": [
            _object({"index": {"type": "integer", "minimum": 0}}),
            {"anyOf": [_ref("ScanOutcome"), _ref("ScanError")]},
        ],
    }
    scan = _object(
        {
            "code": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_CODE_LENGTH,
                "description": "The text read from the badge's QR code (or typed).",
            },
            "scan_id": {
                "type": "string",
                "pattern": rf"^[A-Za-z0-9._:-]{{1,{MAX_SCAN_ID_LENGTH}}}$",
                "description": "Unique per scan (a UUID): a retried upload is answered once.",
            },
            "scanned_at": {
                **DATE_TIME,
                "description": "When the badge was scanned, with its UTC offset.",
            },
            "point": {
                "type": "string",
                "pattern": rf"^[A-Za-z0-9._-]{{1,{MAX_POINT_REF_LENGTH}}}$",
                "description": '"gate" or the id of a forum session (its door).',
            },
        }
    )
    edition = _object(
        {
            "slug": {"type": "string", "pattern": SLUG},
            "name": STRING,
            "city": STRING,
            "country": {"type": "string", "description": "ISO 3166 alpha-2"},
            "venue": STRING,
            "start_date": DATE,
            "end_date": DATE,
            "timezone": {"type": "string", "description": "IANA zone, e.g. Europe/Budapest"},
            "currency": {"type": "string", "description": "ISO 4217, e.g. CHF"},
        }
    )
    booth = _object(
        {
            "code": STRING,
            "hall": {"type": "string", "description": "The hall's code."},
            "hall_name": STRING,
            "area_sqm": {"type": "string", "pattern": DECIMAL},
        }
    )
    exhibitor = _object(
        {
            "id": INTEGER,
            "name": STRING,
            "country": {"type": "string", "description": "ISO 3166 alpha-2"},
            "sector": {"type": "string", "enum": [s.value for s in Sector]},
            "sector_label": STRING,
            "pavilion_kind": _nullable(
                {
                    "type": "string",
                    "enum": [k.value for k in PavilionKind],
                    "description": "Set when the exhibitor is a national or thematic pavilion.",
                }
            ),
            "pavilion": _nullable(
                _object(
                    {"id": INTEGER, "name": STRING},
                    description="The pavilion a co-exhibitor exhibits in.",
                )
            ),
            "website": _nullable(STRING),
            "description": STRING,
            "logo_url": _nullable(URI),
            "profile_url": URI,
            "booths": {
                "type": "array",
                "items": _ref("Booth"),
                "description": "Confirmed booths (a co-exhibitor's are its pavilion's).",
            },
        }
    )
    room = _object({"id": INTEGER, "name": STRING, "capacity": INTEGER, "location": STRING})
    track = _object(
        {
            "id": INTEGER,
            "name": STRING,
            "description": STRING,
            "colour": {"type": "string", "description": "CSS colour, e.g. #1d4ed8"},
        }
    )
    speaker = _object(
        {
            "id": INTEGER,
            "name": STRING,
            "job_title": STRING,
            "organisation": STRING,
            "country": _nullable(STRING),
            "bio": STRING,
            "photo_url": _nullable(URI),
        }
    )
    session = _object(
        {
            "id": INTEGER,
            "title": STRING,
            "description": STRING,
            "kind": {"type": "string", "enum": [k.value for k in SessionKind]},
            "kind_label": STRING,
            "access": {"type": "string", "enum": [a.value for a in SessionAccess]},
            "access_label": STRING,
            "day": DATE,
            "starts_at": {**DATE_TIME, "description": "In the edition's time zone."},
            "ends_at": DATE_TIME,
            "starts_at_utc": {**DATE_TIME, "description": "The same moment in UTC."},
            "ends_at_utc": DATE_TIME,
            "room_id": _nullable(INTEGER),
            "track_id": _nullable(INTEGER),
            "capacity": {"type": "integer", "minimum": 0},
            "seats_left": {"type": "integer", "minimum": 0},
            "cancelled": BOOLEAN,
            "speakers": {
                "type": "array",
                "items": _object(
                    {
                        "id": INTEGER,
                        "name": STRING,
                        "role": {"type": "string", "enum": [r.value for r in SpeakerRole]},
                    }
                ),
            },
            "url": URI,
            "ical_url": URI,
        }
    )
    programme = _object(
        {
            "edition": _object(
                {
                    "slug": {"type": "string", "pattern": SLUG},
                    "name": STRING,
                    "start_date": DATE,
                    "end_date": DATE,
                }
            ),
            "timezone": STRING,
            "published_at": _nullable(DATE_TIME),
            "days": {
                "type": "array",
                "items": _object(
                    {"date": DATE, "session_ids": {"type": "array", "items": INTEGER}}
                ),
            },
            "rooms": {"type": "array", "items": _ref("Room")},
            "tracks": {"type": "array", "items": _ref("Track")},
            "speakers": {"type": "array", "items": _ref("Speaker")},
            "sessions": {"type": "array", "items": _ref("Session")},
        }
    )
    plan_decimal = _nullable({"type": "string", "pattern": PLAN_DECIMAL})
    plan_kpi = _object(
        {
            "id": INTEGER,
            "text": STRING,
            "engine_key": _nullable(
                {
                    "type": "string",
                    "description": "Objective 6: the key of the KPI engine's figure; "
                    "null for KPIs whose values organizers enter.",
                }
            ),
            "unit": STRING,
            "baseline": plan_decimal,
            "baseline_note": STRING,
            "targets": {
                "type": "array",
                "items": _object({"year": INTEGER, "value": plan_decimal, "note": STRING}),
            },
            "values": {
                "type": "array",
                "items": _object(
                    {
                        "edition": {"type": "string", "pattern": SLUG},
                        "value": {
                            "type": ["string", "integer", "null"],
                            "description": "An engine headline may be a count (integer), "
                            "a decimal string or null; an entered value is a decimal string.",
                        },
                        "source": {"type": "string", "enum": ["engine", "entered"]},
                        "note": STRING,
                    }
                ),
            },
        }
    )
    plan = _object(
        {
            "objectives": {
                "type": "array",
                "items": _object(
                    {
                        "number": INTEGER,
                        "title": STRING,
                        "outputs": {"type": "array", "items": STRING},
                        "expected_results": {"type": "array", "items": STRING},
                        "kpis": {"type": "array", "items": _ref("PlanKpi")},
                    }
                ),
            }
        },
        description="The strategic plan: objectives, outputs, expected results and KPIs, "
        "with baselines, targets and the values per edition.",
    )
    return {
        "Error": error,
        "ScanError": scan_error,
        "Edition": edition,
        "EditionPage": _page("editions", "Edition"),
        "Booth": booth,
        "Exhibitor": exhibitor,
        "ExhibitorPage": _page(
            "exhibitors", "Exhibitor", edition={"type": "string", "pattern": SLUG}
        ),
        "Room": room,
        "Track": track,
        "Speaker": speaker,
        "Session": session,
        "Programme": programme,
        "Scan": scan,
        "ScanBatch": _object(
            {
                "scans": {
                    "type": "array",
                    "items": _ref("Scan"),
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                }
            },
            description="Scans a scanner stored while offline, with their original times.",
        ),
        "ScanOutcome": outcome,
        "BatchResult": _object(
            {
                "results": {"type": "array", "items": batch_item},
                "applied": {"type": "integer", "minimum": 0},
                "failed": {"type": "integer", "minimum": 0},
            },
            description="A verdict or an error per scan, in the order sent; `applied` "
            "counts the scans judged, `failed` the malformed or refused ones.",
        ),
        "EditionKpis": kpi_schema(),
        "KpiComparison": kpi_comparison_schema(),
        "PlanKpi": plan_kpi,
        "Plan": plan,
    }


def _page(key: str, item: str, **extra: Any) -> dict[str, Any]:
    return _object(
        {
            **extra,
            key: {"type": "array", "items": _ref(item), "maxItems": MAX_PER_PAGE},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        },
        description="One page of a list. A page past the last is an empty list.",
    )


# --------------------------------------------------------------------------- operations


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _responses() -> dict[str, Any]:
    def error(description: str) -> dict[str, Any]:
        return _json(_ref("Error"), description)

    return {
        "BadRequest": error("A malformed parameter or body; the message says which and why."),
        "Unauthorized": {
            **error("No token, or a token that is unknown, revoked or of a deactivated account."),
            "headers": {
                "WWW-Authenticate": {
                    "schema": STRING,
                    "description": 'Bearer realm="telecom-world"',
                }
            },
        },
        "Forbidden": error("The token's account lacks the role this endpoint needs."),
        "NotFound": error("No such edition (or nothing published yet)."),
        "PayloadTooLarge": error("The request body is larger than the server accepts."),
    }


def _parameters() -> dict[str, Any]:
    return {
        "Slug": {
            "name": "slug",
            "in": "path",
            "required": True,
            "description": "The edition's slug, as listed by GET /editions.",
            "schema": {"type": "string", "pattern": SLUG, "maxLength": 80},
            "example": "telecom-world-2015",
        },
        "Page": {
            "name": "page",
            "in": "query",
            "description": "Page number, from 1 (default 1).",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
        "PerPage": {
            "name": "per_page",
            "in": "query",
            "description": f"Items per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PER_PAGE,
                "default": DEFAULT_PER_PAGE,
            },
        },
    }


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _paths() -> dict[str, Any]:
    common = {"401": _error("Unauthorized")}
    return {
        "/editions": {
            "get": {
                "operationId": "listEditions",
                "summary": "Editions, newest first",
                "tags": ["editions"],
                "parameters": [_param("Page"), _param("PerPage")],
                "responses": {
                    "200": _json(_ref("EditionPage"), "One page of editions."),
                    "400": _error("BadRequest"),
                    **common,
                },
            }
        },
        "/editions/{slug}/exhibitors": {
            "get": {
                "operationId": "listExhibitors",
                "summary": "The public exhibitor directory of an edition",
                "description": "Exhibitors with a confirmed or paid booking and approved "
                "co-exhibitors, by name, with the fields of the public directory page. "
                "Any token holder may read it.",
                "tags": ["exhibitors"],
                "parameters": [
                    _param("Slug"),
                    _query(
                        "q",
                        {"type": "string", "maxLength": 100},
                        "Part of the exhibitor's name (case-insensitive).",
                    ),
                    _query(
                        "country",
                        {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                        "ISO 3166 alpha-2 country code.",
                    ),
                    _query("sector", {"type": "string", "enum": [s.value for s in Sector]}, ""),
                    _query("hall", STRING, "A hall code of the edition."),
                    _param("Page"),
                    _param("PerPage"),
                ],
                "responses": {
                    "200": _json(_ref("ExhibitorPage"), "One page of exhibitors."),
                    "400": _error("BadRequest"),
                    **common,
                    "404": _error("NotFound"),
                },
            }
        },
        "/editions/{slug}/programme": {
            "get": {
                "operationId": "getProgramme",
                "summary": "The published forum programme",
                "description": "Public: no token needed. 404 until the organizers publish "
                "the programme. Every time is given in the edition's zone and in UTC; "
                "cancelled sessions stay listed with `cancelled: true`.",
                "tags": ["forum"],
                "security": [],
                "parameters": [_param("Slug")],
                "responses": {
                    "200": _json(_ref("Programme"), "The programme."),
                    "404": _error("NotFound"),
                },
            }
        },
        "/editions/{slug}/checkins": {
            "post": {
                "operationId": "postCheckins",
                "summary": "Record badge scans (one, or an offline batch)",
                "description": "For check-in staff and organizers. `scan_id` makes every "
                "upload idempotent. A batch is judged item by item: each item gets its "
                "verdict or its error and the valid ones are applied, so a batch answers "
                "200 whatever its items; one scan alone answers with its own status.",
                "tags": ["check-in"],
                "parameters": [_param("Slug")],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": {"anyOf": [_ref("Scan"), _ref("ScanBatch")]}}},
                },
                "responses": {
                    "200": _json(
                        {"anyOf": [_ref("ScanOutcome"), _ref("BatchResult")]},
                        "The verdict on the scan, or on each scan of the batch.",
                    ),
                    "400": _json(
                        _ref("ScanError"),
                        "Not a JSON object, an empty or oversized batch, or a malformed "
                        "scan (`errors` names each field).",
                    ),
                    **common,
                    "403": _error("Forbidden"),
                    "404": _error("NotFound"),
                    "409": _json(
                        _ref("ScanError"), "The scan_id was already used for a different scan."
                    ),
                    "413": _error("PayloadTooLarge"),
                },
            }
        },
        "/editions/{slug}/kpis": {
            "get": {
                "operationId": "getKpis",
                "summary": "The Objective 6 KPIs of an edition",
                "description": "For organizers. JSON by default; `format` gives the "
                "exports (CSV: one row per figure; XLSX: a sheet per KPI group; PDF: the "
                "report). `compare` adds another edition side by side.",
                "tags": ["kpis"],
                "parameters": [
                    _param("Slug"),
                    _query(
                        "as_of",
                        DATE,
                        "The figures at the end of that day (edition's time zone), "
                        "written YYYY-MM-DD; default: now.",
                    ),
                    _query(
                        "format",
                        {"type": "string", "enum": ["json", "csv", "xlsx", "pdf"]},
                        "Default json.",
                    ),
                    _query(
                        "compare",
                        {"type": "string", "pattern": SLUG, "maxLength": 80},
                        "The slug of another edition to compare with (400 when unknown).",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The KPIs, as JSON or as the requested file.",
                        "content": {
                            JSON: {"schema": _ref("EditionKpis")},
                            "text/csv": {"schema": STRING},
                            XLSX: {"schema": {"type": "string", "format": "binary"}},
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    "400": _error("BadRequest"),
                    **common,
                    "403": _error("Forbidden"),
                    "404": _error("NotFound"),
                },
            }
        },
        "/plan": {
            "get": {
                "operationId": "getPlan",
                "summary": "The strategic-plan model with its values",
                "tags": ["kpis"],
                "responses": {
                    "200": _json(_ref("Plan"), "Every objective with its KPIs."),
                    **common,
                    "403": _error("Forbidden"),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["openapi", "info", "paths"],
                            "properties": {"openapi": {"type": "string"}},
                        },
                        "The OpenAPI 3.1 document of API v1.",
                    )
                },
            }
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document; built once (it depends on the code only)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ITU TELECOM World event platform API",
            "version": "1",
            "description": (
                "JSON API of the TELECOM World event platform.\n\n"
                "**Authentication**: create a personal API token on your account page "
                "and send it as `Authorization: Bearer <token>`. The programme and this "
                "document are public.\n\n"
                '**Errors** are JSON `{"error": "<message>", "status": <code>}`, '
                "for every path under /api/v1 (unknown paths and methods included).\n\n"
                "**Lists** are paginated: `page` (from 1) and `per_page` (1 to "
                f"{MAX_PER_PAGE}, default {DEFAULT_PER_PAGE}); the answer gives `page`, "
                "`per_page`, `total` and `pages`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "editions"},
            {"name": "exhibitors"},
            {"name": "forum"},
            {"name": "check-in"},
            {"name": "kpis"},
            {"name": "meta"},
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (tw_...), from the account page.",
                }
            },
            "schemas": _schemas(),
            "responses": _responses(),
            "parameters": _parameters(),
        },
    }
