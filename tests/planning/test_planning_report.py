"""The planning report: zones with area and share, red line, constraints; drafts hidden;
time travel by date. Geometries are hand-computed squares in VN-2000 metres."""

from __future__ import annotations

import datetime

import pytest

from gis.crs import to_wgs84
from layers.models import EnvironmentZone, RedLine
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0


@pytest.fixture
def parcel():
    # 20 × 10 m = 200 m²; the legal record says 199.6 m².
    from django.contrib.gis.geos import MultiPolygon, Polygon

    ring = ((X, Y), (X + 20, Y), (X + 20, Y + 10), (X, Y + 10), (X, Y))
    return LandParcelFactory(area_m2="199.6", geom=MultiPolygon(Polygon(ring), srid=9209))


def report(client, **params):
    response = client.get("/api/planning-report/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_parcel_split_between_two_zones_reports_each_area_and_share(client, parcel):
    plan = PlanFactory()
    ZoningAreaFactory(plan=plan, zone_code="A1", geom=square(X - 100, Y - 100, 115))  # to x = X+15
    ZoningAreaFactory(
        plan=plan, zone_code="A2", max_coverage=0.6, geom=square(X + 15, Y - 100, 200)
    )
    data = report(client, parcel=parcel.pk)
    zones = {z["zone"]: z for z in data["zoning"]}
    assert zones["A1"]["area_m2"] == 150.0 and zones["A1"]["share"] == 0.75
    assert zones["A2"]["area_m2"] == 50.0 and zones["A2"]["share"] == 0.25
    assert zones["A2"]["max_coverage"] == 0.6
    assert data["parcel"]["area_m2"] == 199.6  # the legal area as recorded
    assert zones["A1"]["plan"]["decision"] == "1234/QĐ-UBND"


def test_draft_plans_never_show(client, parcel):
    draft = PlanFactory(status="draft", decision_number="", approved_on=None)
    ZoningAreaFactory(plan=draft, geom=square(X - 100, Y - 100, 300))
    assert report(client, parcel=parcel.pk)["zoning"] == []


def test_the_red_line_cut_is_measured(client, parcel):
    RedLine.objects.create(code="CG1", geom=square(X - 50, Y + 6, 100))  # cuts 4 m × 20 m
    data = report(client, parcel=parcel.pk)
    assert data["red_line"] == {"affected": True, "area_m2": 80.0}


def test_environmental_constraints_are_listed(client, parcel):
    EnvironmentZone.objects.create(
        code="F1",
        name="Vùng ngập lụt sông Thái Bình",
        kind="flood_zone",
        geom=square(X + 10, Y - 50, 100),
    )
    (constraint,) = report(client, parcel=parcel.pk)["constraints"]
    assert (constraint["kind"], constraint["area_m2"]) == ("flood_zone", 100.0)


def test_the_report_finds_the_parcel_by_lon_lat_and_by_vn2000(client, parcel):
    lon, lat = to_wgs84(X + 5, Y + 5, 9209)
    assert report(client, lon=lon, lat=lat)["parcel"]["id"] == parcel.pk
    assert report(client, x=X + 5, y=Y + 5, srid=9209)["parcel"]["id"] == parcel.pk


def test_time_travel_answers_as_plans_stood_that_day(client, parcel):
    plan = PlanFactory(approved_on=datetime.date(2024, 5, 1))
    ZoningAreaFactory(plan=plan, geom=square(X - 100, Y - 100, 300))
    assert report(client, parcel=parcel.pk, date="2024-04-30")["zoning"] == []
    assert len(report(client, parcel=parcel.pk, date="2024-05-01")["zoning"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lon": "abc", "lat": "20"},
        {"lon": "500", "lat": "20"},
        {"parcel": "x"},
        {"x": "1"},
        {"x": "1", "y": "2", "srid": "999999"},
        {"parcel": "1", "date": "2024-13-01"},
    ],
)
def test_bad_input_gets_400_json(client, params):
    response = client.get("/api/planning-report/", params)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_no_parcel_there_gets_404(client, parcel):
    response = client.get("/api/planning-report/", {"lon": 105.0, "lat": 21.5})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_report_never_carries_personal_data(client, parcel):
    from layers.models import ParcelHolder

    ParcelHolder.objects.create(
        parcel=parcel, holder_name="Nguyễn Văn An", certificate_number="CS 1"
    )
    body = client.get("/api/planning-report/", {"parcel": parcel.pk}).content.decode()
    assert "Nguyễn Văn An" not in body and "CS 1" not in body
