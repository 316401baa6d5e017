"""/api/parcels/ (CONTRACT.md): RFC 7946 GeoJSON, public fields only."""

import pytest

from gis.crs import to_wgs84
from layers.models import ParcelHolder
from tests.factories import LandParcelFactory, square

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0


def test_parcels_come_as_rfc7946_geojson_in_lon_lat(client):
    LandParcelFactory(sheet=12, number=345, geom=square(X, Y, 10))
    data = client.get("/api/parcels/", {"commune": "10540", "sheet": 12, "number": 345}).json()
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["properties"]["number"] == 345
    ring = feature["geometry"]["coordinates"][0][0]
    lon, lat = to_wgs84(X, Y, 9209)
    assert ring[0] == pytest.approx([lon, lat], abs=1e-7)


def test_no_personal_field_is_served(client):
    parcel = LandParcelFactory(geom=square(X, Y, 10))
    ParcelHolder.objects.create(parcel=parcel, holder_name="Nguyễn Văn An", id_number="0123")
    body = client.get("/api/parcels/").content.decode()
    assert "Nguyễn Văn An" not in body and "0123" not in body and "holder" not in body


def test_a_bad_number_gets_400_json(client):
    response = client.get("/api/parcels/", {"sheet": "XII"})
    assert response.status_code == 400 and "detail" in response.json()
