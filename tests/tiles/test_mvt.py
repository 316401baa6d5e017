"""``/tiles/mvt/LAYER/Z/X/Y.pbf``: decoded features (never bytes) carry public fields only,
sit where their coordinates say, and bad requests get 4xx, never 500."""

from __future__ import annotations

import dataclasses
import datetime
import math

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from gis.crs import from_wgs84, to_wgs84
from layers import registry
from layers.models import ParcelHolder
from tests.factories import (
    ORIGIN_X,
    ORIGIN_Y,
    ConstructionPermitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
    square,
)
from tiles import mvt

pytestmark = pytest.mark.django_db
EXTENT = 4096
PARCEL_PROPERTIES = {
    "commune_code",
    "commune_name",
    "sheet",
    "number",
    "area_m2",
    "land_use_codes",
    "land_use_code",
    "address",
}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, float, float]:
    """Slippy-map tile (y from the north) holding lon/lat, and its position in tile units."""
    n = 2**z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), (fx % 1) * EXTENT, (fy % 1) * EXTENT


def tile_at(x: float, y: float, z: int) -> tuple[int, int]:
    """The z/x/y tile holding the VN-2000 / TM-3 point (x, y)."""
    tx, ty, _, _ = tile_of(*to_wgs84(x, y, 9209), z)
    return tx, ty


def get_tile(client, layer: str, z: int, x: int, y: int, **headers):
    return client.get(f"/tiles/mvt/{layer}/{z}/{x}/{y}.pbf", headers=headers)


def features(client, layer: str, z: int, x: int, y: int) -> list[dict]:
    response = get_tile(client, layer, z, x, y)
    assert response.status_code in (200, 204)
    # Raw tile units, y down, as clients read them.
    decoded = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    return decoded[layer]["features"] if layer in decoded else []


def features_at(client, layer: str, x: float, y: float, z: int) -> list[dict]:
    return features(client, layer, z, *tile_at(x, y, z))


@pytest.mark.parametrize("z", [16, 18])
def test_a_parcel_is_in_its_tile_with_exactly_its_public_properties(client, z):
    parcel = LandParcelFactory(
        geom=square(ORIGIN_X, ORIGIN_Y, 20), number=345, area_m2=123.4, address="12 Trần Hưng Đạo"
    )
    [feature] = features_at(client, "parcels", ORIGIN_X + 10, ORIGIN_Y + 10, z)
    assert feature["id"] == parcel.pk
    assert feature["properties"] == {
        "commune_code": "10540",
        "commune_name": "Phường Tứ Minh",
        "sheet": 12,
        "number": 345,
        "area_m2": 123.4,  # a number, not the text "123.4"
        "land_use_codes": "ODT",
        "land_use_code": "ODT",
        "address": "12 Trần Hưng Đạo",
    }


def test_holder_data_never_reaches_the_tile(client):
    parcel = LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    ParcelHolder.objects.create(
        parcel=parcel,
        holder_name="Nguyễn Văn An",
        id_number="030012345678",
        certificate_number="CS 123456",
    )
    [feature] = features_at(client, "parcels", ORIGIN_X + 10, ORIGIN_Y + 10, 18)
    assert set(feature["properties"]) == PARCEL_PROPERTIES
    values = {str(value) for value in feature["properties"].values()}
    assert not values & {"Nguyễn Văn An", "030012345678", "CS 123456"}


def test_the_polygon_lands_where_its_coordinates_say(client):
    x0, y0, size, z = ORIGIN_X, ORIGIN_Y, 30.0, 18
    LandParcelFactory(geom=square(x0, y0, size))
    tx, ty = tile_at(x0 + size / 2, y0 + size / 2, z)
    [feature] = features(client, "parcels", z, tx, ty)
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    for corner in ((x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)):
        cx, cy, px, py = tile_of(*to_wgs84(*corner, 9209), z)
        # Corners may lie in a neighbouring tile: measure from this tile's origin.
        ex, ey = px + (cx - tx) * EXTENT, py + (cy - ty) * EXTENT
        # One tile unit at z18 is about 3.5 cm on the ground.
        assert min(math.dist((ex, ey), vertex) for vertex in ring) <= 1.5, corner


def test_a_tile_far_away_is_empty(client):
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    tx, ty = tile_at(ORIGIN_X + 5000, ORIGIN_Y + 5000, 16)
    response = get_tile(client, "parcels", 16, tx, ty)
    assert response.status_code == 204
    assert mapbox_vector_tile.decode(response.content) == {}


def test_a_shape_whose_box_meets_the_tile_but_not_itself_leaves_it_empty(client):
    z = 18
    tx, ty = tile_at(ORIGIN_X, ORIGIN_Y, z)
    # The tile's north-east corner (slippy-map formula inverted), in VN-2000 metres.
    n = 2**z
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))
    e, north = from_wgs84((tx + 1) / n * 360 - 180, lat, 9209)
    # A triangle north-east of the line u + v = 40 m: its box covers the whole tile
    # (about 143 m wide), its shape stays clear of the tile and its 64-unit buffer.
    ring = ((e - 300, north + 340), (e + 340, north + 340), (e + 340, north - 300))
    LandParcelFactory(geom=MultiPolygon(Polygon((*ring, ring[0])), srid=9209))
    assert get_tile(client, "parcels", z, tx, ty).status_code == 204


def test_outside_the_layer_zoom_range_the_tile_is_empty(client):
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    z = registry.get("parcels").min_zoom - 1
    assert get_tile(client, "parcels", z, *tile_at(ORIGIN_X, ORIGIN_Y, z)).status_code == 204


def test_a_draft_plans_zone_is_not_in_the_zoning_tile(client):
    draft = PlanFactory(status="draft", decision_number="", approved_on=None)
    ZoningAreaFactory(plan=draft, geom=square(ORIGIN_X, ORIGIN_Y, 100))
    assert features_at(client, "zoning", ORIGIN_X + 50, ORIGIN_Y + 50, 16) == []


def test_an_approved_plans_zone_is_in_the_zoning_tile(client):
    zone = ZoningAreaFactory(geom=square(ORIGIN_X, ORIGIN_Y, 100), zone_code="B7")
    [feature] = features_at(client, "zoning", ORIGIN_X + 50, ORIGIN_Y + 50, 16)
    assert feature["id"] == zone.pk
    assert feature["properties"]["zone_code"] == "B7"
    assert feature["properties"]["plan_decision_number"] == "1234/QĐ-UBND"
    assert feature["properties"]["max_coverage"] == pytest.approx(0.8)


def test_a_permit_not_yet_issued_does_not_appear(client):
    ConstructionPermitFactory(status="checking", geom=square(ORIGIN_X, ORIGIN_Y, 15))
    assert features_at(client, "permits", ORIGIN_X + 7, ORIGIN_Y + 7, 18) == []


def test_an_issued_permit_appears_without_its_applicant(client):
    ConstructionPermitFactory(
        status="issued",
        number="25/GPXD",
        issued_on=datetime.date(2026, 11, 10),
        geom=square(ORIGIN_X, ORIGIN_Y, 15),
    )
    [feature] = features_at(client, "permits", ORIGIN_X + 7, ORIGIN_Y + 7, 18)
    assert set(feature["properties"]) == {
        "number",
        "kind",
        "issued_on",
        "floors",
        "basements",
        "height_m",
    }
    assert feature["properties"]["issued_on"] == "2026-11-10"


def test_a_speck_is_left_out_at_low_zoom_but_kept_at_detail_zoom(client):
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 1.5))
    assert features_at(client, "parcels", ORIGIN_X, ORIGIN_Y, 14) == []
    assert len(features_at(client, "parcels", ORIGIN_X, ORIGIN_Y, mvt.DETAIL_ZOOM)) == 1


def test_a_bump_under_half_a_pixel_is_smoothed_at_low_zoom_only(client):
    x0, y0 = ORIGIN_X, ORIGIN_Y
    # A 40 m square with a 0.5 m bump on its south edge: under half a pixel at z15 (1.2 m).
    ring = (
        (x0, y0),
        (x0 + 20, y0 - 0.5),
        (x0 + 40, y0),
        (x0 + 40, y0 + 40),
        (x0, y0 + 40),
        (x0, y0),
    )
    LandParcelFactory(geom=MultiPolygon(Polygon(ring), srid=9209))

    def vertices(z: int) -> int:
        [feature] = features_at(client, "parcels", x0 + 20, y0 + 20, z)
        return len(feature["geometry"]["coordinates"][0])

    assert vertices(15) == 5
    assert vertices(mvt.DETAIL_ZOOM) == 6
    assert vertices(18) == 6


def test_a_tile_has_the_vector_tile_type_and_short_public_caching(client):
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    response = get_tile(client, "parcels", 18, *tile_at(ORIGIN_X, ORIGIN_Y, 18))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_matching_etag_gets_304(client):
    LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    tx, ty = tile_at(ORIGIN_X, ORIGIN_Y, 18)
    etag = get_tile(client, "parcels", 18, tx, ty)["ETag"]
    response = get_tile(client, "parcels", 18, tx, ty, if_none_match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_changed_tile_gets_a_new_etag(client):
    parcel = LandParcelFactory(geom=square(ORIGIN_X, ORIGIN_Y, 20))
    tx, ty = tile_at(ORIGIN_X, ORIGIN_Y, 18)
    etag = get_tile(client, "parcels", 18, tx, ty)["ETag"]
    parcel.address = "Số 5"
    parcel.save()
    assert get_tile(client, "parcels", 18, tx, ty, if_none_match=etag).status_code == 200


@pytest.mark.parametrize(
    "z, x, y",
    [
        ("23", "0", "0"),
        ("2", "4", "0"),
        ("2", "0", "4"),
        ("0", "1", "0"),
        ("a", "0", "0"),
        ("1", "-1", "0"),
        ("1", "0", "1.5"),
        ("99999", "0", "0"),
        ("1", "9" * 5000, "0"),
    ],
)
def test_bad_coordinates_give_400_json(client, z, x, y):
    response = client.get(f"/tiles/mvt/parcels/{z}/{x}/{y}.pbf")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_an_unknown_layer_is_404(client):
    response = get_tile(client, "owners", 16, 0, 0)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_layer_without_mvt_is_404(client, monkeypatch):
    roads = dataclasses.replace(registry.get("roads"), mvt=False)
    monkeypatch.setitem(registry._registry, "roads", roads)
    assert get_tile(client, "roads", 16, 0, 0).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/mvt",
        "/tiles/mvt/",
        "/tiles/mvt/parcels",
        "/tiles/mvt/parcels/16/1/2",
        "/tiles/mvt/parcels/16/1/2.png",
        "/tiles/mvt/parcels/16/1/2/3.pbf",
        "/tiles/mvt/parcels/%00/1/2.pbf",
        "/tiles/mvt/parcels/16/%E2%80%8B1/2.pbf",
        "/tiles/mvt/parcels/16/١/2.pbf",
        "/tiles/mvt/..%2F..%2Fetc/16/1/2.pbf",
        "/tiles/mvt/parcels'%3B--/16/1/2.pbf",
        "/tiles/mvt/parcels/1e3/1/2.pbf",
    ],
)
def test_junk_paths_never_give_500(client, path):
    assert client.get(path).status_code in (400, 404, 405)


def test_a_post_is_refused(client):
    assert client.post("/tiles/mvt/parcels/16/0/0.pbf").status_code == 405


@pytest.mark.parametrize("spec", list(registry.all_layers()), ids=lambda spec: spec.key)
def test_every_mvt_layer_builds_its_tile_sql(spec):
    # An empty database still runs each layer's full statement (joins, casts, filters).
    if spec.mvt:
        z = max(spec.min_zoom, 14)
        assert mvt.render_tile(spec, z, *tile_at(ORIGIN_X, ORIGIN_Y, z)) == b""


@pytest.mark.parametrize("key", ["parcels", "zoning", "roads", "monitoring_stations"])
def test_the_cached_statement_is_the_one_the_orm_compiles_for_that_tile(key):
    spec = registry.get(key)
    for z, x, y in [(12, 3250, 1790), (16, 52011, 28903), (16, 52012, 28904), (19, 416101, 1)]:
        rows = mvt.tile_queryset(spec, z, x, y)
        _sub, expected = rows.query.sql_with_params()
        sql, params = mvt.tile_statement(spec, z, x, y)
        assert params == [spec.key, *expected]
        assert rows.query.sql_with_params()[0] in sql
