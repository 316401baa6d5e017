"""/api/parcels/: django-filter (commune, sheet, number, land_use), bbox and paging, with
bad input answered 400 {"detail": …}."""

from __future__ import annotations

import pytest

from gis.crs import to_wgs84
from layers.models import LandUseType
from tests.api.conftest import X, Y
from tests.factories import AdminUnitFactory, LandParcelFactory, square

pytestmark = pytest.mark.django_db


def _numbers(client, **params):
    body = client.get("/api/parcels/", params).json()
    return [f["properties"]["number"] for f in body["features"]]


def test_sheet_and_number_pick_one_parcel(client, public_data):
    assert _numbers(client, sheet=12, number=2) == [2]
    assert _numbers(client, sheet=13) == []


def test_commune_filters_by_code(client, public_data):
    other = AdminUnitFactory(code="10525", name="Phường Hải Dương")
    LandParcelFactory(commune=other, sheet=1, number=9, geom=square(X + 100, Y, 10))
    assert _numbers(client, commune="10525") == [9]
    assert _numbers(client, commune="10540") == [1, 2, 3]


def test_land_use_filters_by_the_main_code_in_any_case(client, public_data):
    LandParcelFactory(
        number=7,
        land_use_codes="LUC",
        land_use=LandUseType.objects.get(code="LUC"),
        geom=square(X + 100, Y, 10),
    )
    assert _numbers(client, land_use="luc") == [7]
    assert _numbers(client, land_use="ODT") == [1, 2, 3]


def test_bbox_keeps_the_parcels_it_meets(client, public_data):
    # Parcels n = 0, 1, 2 span x 580000+20n .. +10: a box from the first parcel's centre
    # to the second's meets those two only.
    lon0, lat0 = to_wgs84(X + 5, Y + 5, 9209)
    lon1, lat1 = to_wgs84(X + 25, Y + 5, 9209)
    bbox = f"{lon0},{min(lat0, lat1)},{lon1},{max(lat0, lat1)}"
    assert _numbers(client, bbox=bbox) == [1, 2]


def test_limit_pages_with_next_links(client, public_data):
    body = client.get("/api/parcels/", {"limit": 2}).json()
    assert body["count"] == 3 and len(body["features"]) == 2
    assert body["next"] == "http://testserver/api/parcels/?limit=2&page=2"
    assert client.get(body["next"]).json()["features"][0]["properties"]["number"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"sheet": "XII"},
        {"number": "1.5"},
        {"sheet": "99999999999"},
        {"commune": "\x00"},
        {"bbox": "106,20"},
        {"bbox": "106,21,105,20"},
        {"bbox": "nan,20,106,21"},
        {"bbox": "-200,20,106,21"},
    ],
)
def test_bad_filters_get_400_detail(client, params):
    response = client.get("/api/parcels/", params)
    assert response.status_code == 400 and "detail" in response.json()
