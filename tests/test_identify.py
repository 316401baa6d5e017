"""Identify: roads, environmental zones and stations at a clicked point."""

import datetime

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point

from gis.crs import to_wgs84
from layers.models import EnvironmentZone, MonitoringReading, MonitoringStation, Road
from tests.factories import square

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0


def test_a_click_by_a_road_in_a_flood_zone_near_a_station_finds_all_three(client):
    Road.objects.create(
        code="D1",
        name="Đường Nguyễn Trãi",
        road_class="main",
        width_m=12,
        planned_width_m=30,
        geom=MultiLineString(LineString((X, Y), (X + 300, Y)), srid=9209),
    )
    EnvironmentZone.objects.create(
        code="F1",
        name="Vùng ngập",
        kind="flood_zone",
        legal_basis="QĐ 1",
        geom=square(X - 100, Y - 100, 400),
    )
    station = MonitoringStation.objects.create(
        code="KK-01", name="Trạm Tứ Minh", medium="air", geom=Point(X + 50, Y + 2, srid=9209)
    )
    for day, value in ((1, 30.0), (2, 45.5)):
        MonitoringReading.objects.create(
            station=station,
            parameter="PM2.5",
            value=value,
            unit="µg/m3",
            measured_at=datetime.datetime(2025, 12, day, tzinfo=datetime.UTC),
        )
    lon, lat = to_wgs84(X + 50, Y + 1, 9209)
    data = client.get("/api/identify/", {"lon": lon, "lat": lat, "zoom": 18}).json()
    assert [r["code"] for r in data["roads"]] == ["D1"]
    assert data["roads"][0]["planned_width_m"] == 30.0
    assert [z["kind"] for z in data["environment_zones"]] == ["flood_zone"]
    (found,) = data["monitoring_stations"]
    assert found["latest"] == [
        {
            "parameter": "PM2.5",
            "value": 45.5,
            "unit": "µg/m3",
            "measured_at": "2025-12-02T00:00:00+00:00",
        }
    ]


def test_far_from_everything_nothing_is_found(client):
    data = client.get("/api/identify/", {"lon": 106.0, "lat": 21.2, "zoom": 18}).json()
    assert data == {"roads": [], "environment_zones": [], "monitoring_stations": []}


@pytest.mark.parametrize("params", [{}, {"lon": "x", "lat": "1"}, {"lon": 500, "lat": 20}])
def test_bad_input_gets_400_json(client, params):
    response = client.get("/api/identify/", params)
    assert response.status_code == 400 and "detail" in response.json()
