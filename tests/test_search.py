"""One search box: parcels by sheet and number, coordinates, streets without accents."""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from gis.crs import to_wgs84
from layers.models import Road
from tests.factories import AdminUnitFactory, LandParcelFactory, square

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0


def results(client, q):
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def town():
    ward = AdminUnitFactory(
        code="10540", name="Phường Tứ Minh", geom=square(X - 500, Y - 500, 1000)
    )
    other = AdminUnitFactory(code="10532", name="Phường Lê Thanh Nghị")
    parcel = LandParcelFactory(commune=ward, sheet=12, number=345, geom=square(X, Y, 20))
    LandParcelFactory(commune=other, sheet=12, number=345, geom=square(X + 100, Y, 20))
    line = MultiLineString(LineString((X, Y), (X + 300, Y)), srid=9209)
    Road.objects.create(code="D1", name="Đường Nguyễn Trãi", road_class="main", geom=line)
    return parcel


def test_a_parcel_is_found_by_sheet_number_and_commune(client, town):
    (hit,) = results(client, "Tờ 12 thửa 345, Tứ Minh")
    assert (hit["kind"], hit["id"]) == ("parcel", town.pk)
    lon, lat = to_wgs84(X + 10, Y + 10, 9209)
    assert hit["lon"] == pytest.approx(lon, abs=1e-6) and hit["lat"] == pytest.approx(lat, abs=1e-6)


def test_without_a_commune_every_match_is_listed(client, town):
    assert len(results(client, "to 12 thua 345")) == 2


def test_streets_are_found_without_accents_and_with_typos(client, town):
    assert results(client, "nguyen trai")[0]["label"] == "Đường Nguyễn Trãi"
    assert results(client, "nguyen trail")[0]["label"] == "Đường Nguyễn Trãi"


def test_vn2000_and_lonlat_coordinates_are_understood(client, town):
    (hit,) = results(client, f"{X} {Y}")
    lon, lat = to_wgs84(X, Y, 9209)
    assert hit["kind"] == "point" and hit["lon"] == pytest.approx(lon, abs=1e-7)
    (hit,) = results(client, "20.9174, 106.2710")
    assert (hit["lon"], hit["lat"]) == (106.271, 20.9174)


def test_places_are_found_by_name(client, town):
    assert any(h["kind"] == "commune" for h in results(client, "tu minh"))


def test_nothing_matches_nothing(client, town):
    assert results(client, "zzzz qqqq") == []
    assert results(client, "") == []
