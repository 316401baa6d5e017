"""Schemathesis against /api/schema/ (a bounded run over the GET operations): no answer is a
5xx and every answer matches the OpenAPI document (status, content type, body schema).

The schema is loaded inside the test (schemathesis' lazy pytest loader does not run on
pytest 9), from the WSGI app in-process: no server, the test database with public data.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 20
BUDGET_S = 60


@pytest.fixture
def api_schema(public_data, settings):
    # Schemathesis' WSGI client calls the app as host "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: the end of a request must not close the connection
    # that holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(operation, examples: int = EXAMPLES_PER_OPERATION, check_more=None) -> None:
    # Data that fits the schema and data that does not (wrong types, out of range).
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: a failure is reported as found, and the run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call_and_validate(checks=CHECKS)
        if check_more is not None:
            check_more(case, response)

    run()


def test_get_operations_answer_within_their_schema(api_schema):
    started = time.monotonic()
    tested, failures = [], []
    for result in api_schema.include(method="GET").get_all_operations():
        operation = result.ok()
        tested.append(operation.label)
        try:
            _fuzz(operation)
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {error}")
    assert "GET /api/parcels/" in tested and "GET /ogc/collections/{key}/items" in tested
    assert not failures, "\n\n".join(failures)
    assert time.monotonic() - started < BUDGET_S


def _refused(case, response) -> None:
    assert 400 <= response.status_code < 500, (case.method, case.formatted_path)


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        label: apps.get_model(label).objects.count()
        for label in (
            "planning.Plan",
            "planning.ZoningArea",
            "layers.ConstructionPermit",
            "layers.LandParcel",
        )
    }


def test_anonymous_writes_are_refused_within_their_schema(api_schema):
    """A few examples of every write without signing in: a 4xx (403, or 400/415 for a
    body that cannot be read), never a 5xx, and nothing written."""
    before = _row_counts()
    failures = []
    writes = api_schema.include(method=["POST", "PUT", "PATCH", "DELETE"])
    for result in writes.get_all_operations():
        operation = result.ok()
        try:
            _fuzz(operation, examples=5, check_more=_refused)
        except Exception as error:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    assert _row_counts() == before


def test_answers_full_of_data_match_their_schema(api_schema, public_data):
    """Random points rarely hit a feature: ask where the data is, and check those answers
    (nullable fields, nested lists) against the document too."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from gis.crs import to_wgs84
    from layers.models import MonitoringReading, MonitoringStation
    from tests.api.conftest import X, Y

    station = MonitoringStation.objects.create(
        code="KK-01", name="Trạm Tứ Minh", medium="air", geom=Point(X + 5, Y + 5, srid=9209)
    )
    MonitoringReading.objects.create(
        station=station, parameter="PM2.5", value=31.5, unit="µg/m³", measured_at=timezone.now()
    )
    lon, lat = to_wgs84(X + 5, Y + 5, 9209)
    parcel = public_data["parcels"][0]
    queries = [
        ("/api/identify/", {"lon": lon, "lat": lat, "zoom": 18}),
        ("/api/planning-report/", {"parcel": parcel.pk}),
        ("/api/planning-report/", {"lon": lon, "lat": lat}),
        ("/api/search/", {"q": "Tờ 12 thửa 2"}),
        ("/api/search/", {"q": f"{lat}, {lon}"}),
        ("/api/parcels/", {"limit": 2}),
        ("/api/layers/", {}),
    ]
    for path, query in queries:
        case = api_schema[path]["GET"].Case(query=query)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (path, query)
    report = api_schema["/api/planning-report/"]["GET"].Case(query={"parcel": parcel.pk})
    assert report.call().json()["zoning"][0]["zone"] == "A1"
    item = api_schema["/ogc/collections/{key}/items/{id}"]["GET"].Case(
        path_parameters={"key": "parcels", "id": parcel.pk}
    )
    assert item.call_and_validate(checks=CHECKS).status_code == 200
