"""GET /api/v1/editions/<slug>/kpis: the JSON shape, the export formats, authentication.

Organizers only; `format=csv|xlsx|pdf` answers the dashboard's export files,
`compare=<slug>` adds another edition.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from telecom.auth import services as auth_services
from telecom.auth.models import User
from telecom.core.permissions import Role
from telecom.kpi import compute_kpis
from tests.helpers import make_edition, make_organizer, make_user
from tests.kpi.support import build_edition

URL = "/api/v1/editions/kpi-world-2015/kpis"
KPI_KEYS = {
    "candidate_venues": {"count", "chosen"},
    "exhibitors": {"total", "countries", "by_turnover_band", "satisfaction"},
    "exhibition_size": {"net_sqm", "gross_sqm", "booths", "pavilions"},
    "trade_visitors": {"registered", "attended", "visits"},
    "vips": {"attended", "by_category"},
    "forum": {"participants", "sessions", "satisfaction"},
    "accredited_media": {"approved", "attended"},
    "total_participants": {"attended", "countries"},
    "web_traffic": {"page_views", "unique_visitors", "from", "to"},
    "financial_result": {"revenue", "revenue_by_stream", "costs", "result"},
}


def token_for(user: User) -> str:
    _token, secret = auth_services.create_api_token(user, "kpi export", actor=None)
    return secret


def get(client: FlaskClient, url: str, token: str | None) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def test_an_organizer_gets_every_kpi_as_json(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, URL, token)

    assert response.status_code == 200
    body = response.get_json()
    assert {"edition", "as_of", "currency", "kpis", "not_collected"} <= body.keys()
    assert (body["edition"], body["as_of"], body["currency"]) == ("kpi-world-2015", None, "CHF")
    for group, keys in KPI_KEYS.items():
        assert keys <= body["kpis"][group].keys(), group
    assert {"responses", "mean_score", "nps", "by_turnover_band"} <= (
        body["kpis"]["exhibitors"]["satisfaction"].keys()
    )
    assert body["kpis"]["forum"]["satisfaction"] == {"ratings": 3, "mean_rating": "3.67"}
    money = body["kpis"]["financial_result"]
    assert money["revenue"] == "1850.00" and money["costs"] == "700.00"
    assert set(money["revenue_by_stream"]) == {"booths", "passes", "sponsorship", "other"}
    assert body["kpis"]["exhibition_size"]["net_sqm"] == "35.00"


def test_as_of_selects_the_figures_at_the_end_of_that_day(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    body = get(client, f"{URL}?as_of=2015-10-12", token).get_json()

    assert body["as_of"] == "2015-10-12"
    assert body["kpis"]["trade_visitors"] == {"registered": 4, "attended": 2, "visits": 2}


@pytest.mark.parametrize("as_of", ["yesterday", "2015-13-01", "20151012", "2015-02-30", "2015-W42"])
def test_a_bad_as_of_is_a_clear_400(app: Flask, client: FlaskClient, as_of: str) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?as_of={as_of}", token)

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "as_of must be a date written YYYY-MM-DD, for example 2015-10-15.",
        "status": 400,
    }


def test_without_a_token_the_answer_is_401(app: Flask, client: FlaskClient) -> None:
    build_edition()

    response = get(client, URL, None)

    assert response.status_code == 401
    assert "error" in response.get_json()
    assert get(client, URL, "not-a-token").status_code == 401


@pytest.mark.parametrize("role", [Role.CHECKIN_STAFF, Role.EXHIBITOR_CONTACT, Role.PARTICIPANT])
def test_only_organizers_may_read_kpis(app: Flask, client: FlaskClient, role: Role) -> None:
    build_edition()
    token = token_for(make_user(f"{role.value}@example.org", roles={role}))

    response = get(client, URL, token)

    assert response.status_code == 403
    body = response.get_json()
    assert body["status"] == 403 and body["error"]
    assert "kpis" not in body


def test_an_unknown_edition_is_a_json_404(app: Flask, client: FlaskClient) -> None:
    token = token_for(make_organizer())

    response = get(client, "/api/v1/editions/no-such-edition/kpis", token)

    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert "no-such-edition" in response.get_json()["error"]


# --------------------------------------------------------------------------- formats


def make_2013() -> None:
    make_edition("kpi-world-2013", name="ITU TELECOM World 2013", city="Bangkok", country="TH",
                 start_date=date(2013, 11, 19), end_date=date(2013, 11, 22))  # fmt: skip


def test_format_json_is_the_default_body(app: Flask, client: FlaskClient) -> None:
    built = build_edition()
    token = token_for(make_organizer())

    default = get(client, URL, token)
    explicit = get(client, f"{URL}?format=json", token)

    assert default.mimetype == explicit.mimetype == "application/json"
    assert "Content-Disposition" not in default.headers
    assert default.get_json() == explicit.get_json() == compute_kpis(built.edition).as_dict()


@pytest.mark.parametrize(
    ("fmt", "mimetype", "opening"),
    [
        ("csv", "text/csv", b"\xef\xbb\xbfedition,as_of,kpi,figure,dimension,value,unit\r\n"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_files_in_every_format(
    app: Flask, client: FlaskClient, fmt: str, mimetype: str, opening: bytes
) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?format={fmt}&as_of=2015-10-12", token)

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kpis-kpi-world-2015-as-of-2015-10-12.{fmt}"'
    )
    assert response.data.startswith(opening)


def test_the_csv_from_the_api_has_the_figures(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?format=csv", token)

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert ["kpi-world-2015", "", "trade_visitors", "attended", "", "3", "count"] in rows


def test_compare_adds_the_other_edition(app: Flask, client: FlaskClient) -> None:
    build_edition()
    make_2013()
    token = token_for(make_organizer())

    body = get(client, f"{URL}?compare=kpi-world-2013", token).get_json()
    book = get(client, f"{URL}?compare=kpi-world-2013&format=xlsx", token)

    assert body["edition"] == "kpi-world-2015"
    assert body["comparison"]["edition"] == "kpi-world-2013"
    line = next(f for f in body["comparison"]["figures"]
                if (f["kpi"], f["figure"]) == ("trade_visitors", "attended"))  # fmt: skip
    assert (line["earlier"], line["later"], line["delta"]) == (0, 3, "3")
    assert book.headers["Content-Disposition"] == (
        'attachment; filename="kpis-kpi-world-2015-vs-kpi-world-2013.xlsx"'
    )
    assert "Comparison" in load_workbook(io.BytesIO(book.data)).sheetnames


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=docx", "The format must be one of csv, xlsx, json, pdf."),
        ("format=JSON5", "The format must be one of csv, xlsx, json, pdf."),
        ("compare=no-such-edition", "There is no edition no-such-edition to compare with."),
        ("compare=kpi-world-2015&format=pdf", "Choose another edition to compare with."),
    ],
)
def test_bad_format_or_compare_is_a_clear_400(
    app: Flask, client: FlaskClient, query: str, message: str
) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?{query}", token)

    assert response.status_code == 400
    assert response.get_json() == {"error": message, "status": 400}


def test_a_non_organizer_gets_no_file(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_user("visitor@example.org", roles={Role.PARTICIPANT}))

    for fmt in ("csv", "xlsx", "pdf", "docx"):
        response = get(client, f"{URL}?format={fmt}", token)
        assert response.status_code == 403, fmt
        assert response.mimetype == "application/json"


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_an_as_of_out_of_range_is_a_400_not_an_overflow(
    app: Flask, client: FlaskClient, as_of: str
) -> None:
    build_edition()
    token = token_for(make_organizer())

    for query in (f"as_of={as_of}", f"as_of={as_of}&compare=kpi-world-2013"):
        response = get(client, f"{URL}?{query}", token)

        assert response.status_code == 400
        assert response.get_json() == {
            "error": "as_of must be between 1900-01-01 and 2999-12-31.",
            "status": 400,
        }


def test_the_csv_export_names_its_charset_once(app: Flask, client: FlaskClient) -> None:
    build_edition()
    token = token_for(make_organizer())

    response = get(client, f"{URL}?format=csv", token)

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
