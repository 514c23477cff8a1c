"""The OpenAPI document: public, valid OpenAPI 3, and describing exactly the app's API routes.

Also the error contract it promises: every error under /api/v1, unknown paths
and methods included, is `{"error", "status"}` JSON matching its Error schema.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from tests.api.support import assert_json_error, get, token_for
from tests.helpers import make_edition, make_organizer

DOC = "/api/v1/openapi.json"
_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def document(client: FlaskClient) -> dict:
    response = client.get(DOC)
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()  # type: ignore[no-any-return]


def app_api_operations(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, /path/{param}) of every route under /api/v1, as the document writes it."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                operations.add((method, path))
    return operations


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def error_validator(doc: dict) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(doc["components"]["schemas"]["Error"])


def test_the_document_is_public_json_and_valid_openapi_3(client: FlaskClient) -> None:
    doc = document(client)  # no token at all

    assert doc["openapi"].startswith("3.")
    assert doc["servers"] == [{"url": "/api/v1"}]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    schemathesis.openapi.from_dict(doc).validate()


@pytest.mark.parametrize(
    "breakage",
    [
        lambda doc: doc["info"].pop("title"),
        lambda doc: doc["paths"]["/editions"]["get"].update(
            parameters=[{"name": "page", "in": "body", "schema": {"type": "integer"}}]
        ),
        lambda doc: doc["components"]["securitySchemes"]["bearerAuth"].update(type="token"),
    ],
    ids=["no-title", "body-parameter", "unknown-security-type"],
)
def test_the_validation_used_above_rejects_a_broken_document(
    client: FlaskClient, breakage: Callable[[dict], object]
) -> None:
    broken = copy.deepcopy(document(client))
    breakage(broken)

    with pytest.raises(jsonschema_rs.ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_api_route_is_documented_and_every_documented_operation_exists(
    app: Flask, client: FlaskClient
) -> None:
    in_app = app_api_operations(app)
    in_document = documented_operations(document(client))

    assert in_app - in_document == set(), "routes missing from the OpenAPI document"
    assert in_document - in_app == set(), "documented operations the app does not have"
    assert ("GET", "/editions/{slug}/exhibitors") in in_app
    assert ("POST", "/editions/{slug}/checkins") in in_app


def test_only_the_programme_and_the_document_are_public(client: FlaskClient) -> None:
    doc = document(client)
    public = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == []
    }
    assert public == {("GET", "/editions/{slug}/programme"), ("GET", "/openapi.json")}
    assert doc["security"] == [{"bearerAuth": []}]
    # The others really refuse an anonymous caller, with the documented 401.
    for method, path in documented_operations(doc) - public:
        url = "/api/v1" + path.replace("{slug}", "telecom-world-2015")
        response = client.open(url, method=method, json={})
        assert_json_error(response, 401)
        assert "401" in doc["paths"][path][method.lower()]["responses"]


def test_unknown_paths_and_methods_under_the_api_are_json_errors(client: FlaskClient) -> None:
    validator = error_validator(document(client))
    token = token_for(make_organizer())

    unknown = get(client, "/api/v1/no-such-endpoint", token)
    nested = get(client, "/api/v1/editions/telecom-world-2015/nothing-here", token)
    wrong_method = client.delete("/api/v1/editions", headers={"Authorization": f"Bearer {token}"})
    post_to_get = client.post("/api/v1/openapi.json", json={})
    get_to_post = get(client, "/api/v1/editions/telecom-world-2015/checkins", token)

    for response in (unknown, nested):
        assert_json_error(response, 404)
    for response in (wrong_method, post_to_get, get_to_post):
        assert_json_error(response, 405)
    for response in (unknown, nested, wrong_method, post_to_get, get_to_post):
        validator.validate(response.get_json())


@pytest.mark.parametrize("endpoint", ["exhibitors", "programme", "kpis"])
@pytest.mark.parametrize(
    "slug",
    ["no-such-edition", "Not%20A%20Slug", "%00", "a" * 300],
    ids=["unknown", "spaces", "nul", "long"],
)
def test_an_unknown_or_impossible_edition_is_a_json_404(
    client: FlaskClient, endpoint: str, slug: str
) -> None:
    make_edition()
    token = token_for(make_organizer())

    response = get(client, f"/api/v1/editions/{slug}/{endpoint}", token)

    assert_json_error(response, 404, "There is no edition")


def test_a_json_404_for_the_check_in_endpoint_too(client: FlaskClient) -> None:
    token = token_for(make_organizer())
    response = client.post(
        "/api/v1/editions/%00/checkins", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_json_error(response, 404, "There is no edition")
