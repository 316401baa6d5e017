"""/api/schema/ (OpenAPI 3) documents every endpoint of CONTRACT.md with its parameters and
response shape; /api/docs/ serves Swagger UI and Redoc from our own static files."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _parameters(schema, path):
    return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/layers/", set()),
        ("/api/search/", {"q"}),
        ("/api/identify/", {"lon", "lat", "zoom"}),
        ("/api/parcels/", {"commune", "sheet", "number", "land_use", "bbox", "page", "limit"}),
        ("/api/planning-report/", {"parcel", "lon", "lat", "x", "y", "srid", "date"}),
        ("/ogc/collections/{key}/items", {"key", "bbox", "limit", "offset", "datetime", "f"}),
    ],
)
def test_contract_endpoints_are_documented_with_their_parameters(schema, path, parameters):
    assert parameters <= _parameters(schema, path)


def _resolve(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _ok_schema(schema, path):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    return next(iter(content.values()))["schema"]


def test_parcels_are_documented_as_a_geojson_page_of_multipolygons(schema):
    page = _resolve(schema, _ok_schema(schema, "/api/parcels/")["$ref"])
    assert {"type", "count", "next", "previous", "features"} <= set(page["properties"])
    feature = _resolve(schema, page["properties"]["features"]["items"]["$ref"])
    geometry = feature["properties"]["geometry"]
    assert "MultiPolygon" in str(geometry)
    properties = feature["properties"]["properties"]["properties"]
    assert {"commune", "sheet", "number", "area_m2", "land_use"} <= set(properties)


def test_planning_report_shape_is_documented(schema):
    report = _resolve(schema, _ok_schema(schema, "/api/planning-report/")["$ref"])
    assert {"parcel", "zoning", "red_line", "constraints"} <= set(report["properties"])


def test_errors_are_documented_as_json_detail(schema):
    responses = schema["paths"]["/api/search/"]["get"]["responses"]
    error = responses["4XX"]["content"]["application/json"]["schema"]
    assert _resolve(schema, error["$ref"])["properties"] == {"detail": {"type": "string"}}


def test_schema_generation_has_no_warnings(tmp_path):
    # Fails on any view drf-spectacular cannot describe (a missing serializer or
    # @extend_schema), so every new DRF endpoint arrives documented.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_docs_pages_load_nothing_from_outside_and_no_inline_script(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "sidecar" in html
    assert not re.search(r"<script>", html) and "<style>" not in html


def test_swagger_ui_start_up_script_is_served_as_javascript(client):
    response = client.get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()
