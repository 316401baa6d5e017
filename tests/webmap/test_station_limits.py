"""Identify on a monitoring station: the latest readings against the national limits
(layers/data/qcvn_limits.csv), flagged, with the recent values for the chart."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point

from gis.crs import to_wgs84
from layers.limits import all_limits, limit_for, normalise_unit
from layers.models import MonitoringReading, MonitoringStation

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0
VN = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh


def station(medium: str, code: str = "S1") -> MonitoringStation:
    return MonitoringStation.objects.create(
        code=code, name=f"Trạm {code}", medium=medium, geom=Point(X, Y, srid=9209)
    )


def read(station, parameter, value, unit, when):
    MonitoringReading.objects.create(
        station=station, parameter=parameter, value=value, unit=unit, measured_at=when
    )


def identified(client) -> dict:
    lon, lat = to_wgs84(X, Y, 9209)
    (found,) = client.get("/api/identify/", {"lon": lon, "lat": lat, "zoom": 18}).json()[
        "monitoring_stations"
    ]
    return {p["parameter"]: p for p in found["parameters"]}


def test_pm25_above_the_24_hour_limit_of_50_is_flagged_and_the_source_named(client):
    air = station("air")
    read(air, "PM2.5", 30.0, "µg/m3", datetime.datetime(2025, 12, 1, 9, tzinfo=VN))
    read(air, "PM2.5", 55.0, "µg/m³", datetime.datetime(2025, 12, 2, 9, tzinfo=VN))
    pm = identified(client)["PM2.5"]
    assert pm["value"] == 55.0 and pm["status"] == "exceeds"
    assert pm["limit"]["upper"] == 50.0 and pm["limit"]["lower"] is None
    assert pm["limit"]["standard"] == "QCVN 05:2023/BTNMT"
    assert "verify against the gazette" in pm["limit"]["note"]
    assert [(p["value"], p["status"]) for p in pm["series"]] == [
        (30.0, "within"),
        (55.0, "exceeds"),
    ]


def test_a_reading_equal_to_the_limit_is_within(client):
    read(station("air"), "NO2", 100.0, "µg/m3", datetime.datetime(2025, 12, 1, tzinfo=VN))
    assert identified(client)["NO2"]["status"] == "within"


def test_surface_water_do_below_its_minimum_and_ph_outside_its_range_exceed(client):
    river = station("surface_water")
    when = datetime.datetime(2025, 12, 1, 9, tzinfo=VN)
    read(river, "DO", 4.2, "mg/l", when)  # level B: DO ≥ 5.0 mg/L
    read(river, "pH", 9.0, "", when)  # level B: 6.0–8.5
    read(river, "BOD5", 5.9, "mg/L", when)  # level B: ≤ 6 mg/L
    found = identified(client)
    assert found["DO"]["status"] == "exceeds" and found["DO"]["limit"]["lower"] == 5.0
    assert found["pH"]["status"] == "exceeds"
    assert found["BOD5"]["status"] == "within"
    assert found["BOD5"]["limit"]["standard"] == "QCVN 08:2023/BTNMT"


def test_noise_is_held_to_the_day_limit_by_day_and_the_night_limit_at_night(client):
    noise = station("noise")
    read(noise, "LAeq", 60.0, "dBA", datetime.datetime(2025, 12, 1, 10, tzinfo=VN))
    read(noise, "LAeq", 60.0, "dBA", datetime.datetime(2025, 12, 1, 22, tzinfo=VN))
    series = identified(client)["LAeq"]["series"]
    # QCVN 26:2010 normal area: 70 dBA 6 h–21 h, 55 dBA 21 h–6 h.
    assert [(p["limit"]["upper"], p["status"]) for p in series] == [
        (70.0, "within"),
        (55.0, "exceeds"),
    ]


def test_a_reading_in_other_units_is_not_compared(client):
    read(station("air"), "PM2.5", 0.08, "mg/m3", datetime.datetime(2025, 12, 1, tzinfo=VN))
    pm = identified(client)["PM2.5"]
    assert pm["limit"] is None and pm["status"] is None


def test_the_chart_gets_the_twelve_latest_values_oldest_first(client):
    air = station("air")
    for day in range(1, 15):
        read(air, "PM2.5", float(day), "µg/m3", datetime.datetime(2025, 12, day, tzinfo=VN))
    pm = identified(client)["PM2.5"]
    assert [p["value"] for p in pm["series"]] == [float(d) for d in range(3, 15)]
    assert pm["value"] == 14.0


def test_every_limit_names_its_source_and_asks_to_be_verified():
    limits = all_limits()
    assert {limit.standard for limit in limits} >= {
        "QCVN 05:2023/BTNMT",
        "QCVN 08:2023/BTNMT",
        "QCVN 26:2010/BTNMT",
    }
    assert all(limit.source and "verify" in limit.note for limit in limits)
    assert all(limit.lower is not None or limit.upper is not None for limit in limits)


def test_units_are_compared_after_normalising_their_spelling():
    assert normalise_unit("ug/m³") == normalise_unit("μg/m3") == normalise_unit("µg/m3")
    assert normalise_unit("mg/l") == normalise_unit("mg/L")
    when = datetime.datetime(2025, 12, 1, tzinfo=VN)
    assert limit_for(medium="air", parameter="pm2.5", unit="ug/m3", when=when).upper == 50.0
