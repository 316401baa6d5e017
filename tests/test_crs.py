"""VN-2000 ↔ WGS 84: pyproj and PostGIS agree within 0.01 m and match the official
7-parameter transformation (EPSG:6960, "VN-2000 to WGS 84 (2)", Coordinate Frame)."""

from __future__ import annotations

import pyproj
import pytest
from django.db import connection

from gis.crs import (
    VN2000_TM3_MERIDIANS,
    VN2000_TO_WGS84_COORDINATE_FRAME,
    from_wgs84,
    tm3_proj4,
    to_wgs84,
)

GEOD = pyproj.Geod(ellps="WGS84")

# (srid, easting, northing): Hải Dương (several), Hải Phòng's own zone, Hà Nội's zone 482,
# Đà Nẵng and a far-west zone, so more than one meridian is exercised.
REFERENCE_POINTS = [
    (9209, 580_000.000, 2_314_000.000),
    (9209, 571_234.567, 2_318_765.432),
    (9209, 592_500.250, 2_301_250.750),
    (9209, 560_010.100, 2_330_020.200),
    (9210, 600_000.000, 2_310_000.000),
    (5897, 585_000.000, 2_325_000.000),
    (5899, 545_000.000, 1_770_000.000),
    (9205, 520_000.000, 2_400_000.000),
]


def official_helmert(srid: int) -> pyproj.Transformer:
    """The EPSG:6960 parameters applied explicitly, as a PROJ pipeline: TM-3 inverse →
    geocentric → 7-parameter Helmert (Coordinate Frame) → geographic WGS 84."""
    dx, dy, dz, rx, ry, rz, ds = VN2000_TO_WGS84_COORDINATE_FRAME
    lon_0 = VN2000_TM3_MERIDIANS[srid]
    pipeline = (
        "+proj=pipeline "
        f"+step +inv +proj=tmerc +lat_0=0 +lon_0={lon_0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        "+step +proj=cart +ellps=WGS84 "
        f"+step +proj=helmert +x={dx} +y={dy} +z={dz} +rx={rx} +ry={ry} +rz={rz} +s={ds} "
        "+convention=coordinate_frame "
        "+step +inv +proj=cart +ellps=WGS84 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return pyproj.Transformer.from_pipeline(pipeline)


def metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def postgis_transform(x: float, y: float, source: int, target: int) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) g",
            [x, y, source, target],
        )
        return cursor.fetchone()


def test_the_domain_reference_point_converts_to_its_published_wgs84_coordinates():
    lon, lat = to_wgs84(580_000.0, 2_314_000.0, 9209)
    assert lon == pytest.approx(106.27097221327, abs=1e-9)
    assert lat == pytest.approx(20.91738443124, abs=1e-9)


@pytest.mark.parametrize(("srid", "x", "y"), REFERENCE_POINTS)
def test_pyproj_matches_the_official_seven_parameter_transformation(srid, x, y):
    expected = official_helmert(srid).transform(x, y)
    assert metres_apart(to_wgs84(x, y, srid), expected) < 0.01


@pytest.mark.django_db
@pytest.mark.parametrize(("srid", "x", "y"), REFERENCE_POINTS)
def test_postgis_and_pyproj_agree_from_vn2000_to_wgs84(srid, x, y):
    assert metres_apart(postgis_transform(x, y, srid, 4326), to_wgs84(x, y, srid)) < 0.01


@pytest.mark.django_db
@pytest.mark.parametrize(("srid", "x", "y"), REFERENCE_POINTS)
def test_postgis_and_pyproj_agree_from_wgs84_to_vn2000(srid, x, y):
    lon, lat = official_helmert(srid).transform(x, y)
    px, py = postgis_transform(lon, lat, 4326, srid)
    qx, qy = from_wgs84(lon, lat, srid)
    assert abs(px - qx) < 0.01 and abs(py - qy) < 0.01
    # …and the round trip lands back on the original VN-2000 coordinates.
    assert abs(px - x) < 0.01 and abs(py - y) < 0.01


def test_the_position_vector_trap_is_detectably_wrong():
    """Feeding the Coordinate Frame rotations to +towgs84 unchanged lands ~0.75 m off at
    Hải Dương: our checks are sharp enough to see it."""
    correct = tm3_proj4(105.5)
    trap = correct.replace(
        "0.00928836,-0.01975479,0.00427372", "-0.00928836,0.01975479,-0.00427372"
    )
    assert trap != correct
    wrong = pyproj.Transformer.from_crs(trap, 4326, always_xy=True).transform(580_000, 2_314_000)
    right = pyproj.Transformer.from_crs(correct, 4326, always_xy=True).transform(580_000, 2_314_000)
    assert metres_apart(right, to_wgs84(580_000, 2_314_000, 9209)) < 0.01
    assert 0.5 < metres_apart(wrong, right) < 1.0


@pytest.mark.django_db
def test_every_vn2000_tm3_projection_is_in_spatial_ref_sys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT srid, proj4text FROM spatial_ref_sys WHERE srid = ANY(%s)",
            [list(VN2000_TM3_MERIDIANS)],
        )
        rows = dict(cursor.fetchall())
    assert set(range(9205, 9219)) <= set(rows)
    for srid in range(9205, 9219):
        assert f"+lon_0={VN2000_TM3_MERIDIANS[srid]:g} " in rows[srid]
        assert "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836," in rows[srid]


@pytest.mark.parametrize("srid", sorted(VN2000_TM3_MERIDIANS))
def test_our_meridian_table_matches_the_epsg_database(srid):
    params = pyproj.CRS.from_epsg(srid).to_json_dict()["conversion"]["parameters"]
    by_name = {p["name"]: p["value"] for p in params}
    assert by_name["Longitude of natural origin"] == VN2000_TM3_MERIDIANS[srid]
    assert by_name["Scale factor at natural origin"] == 0.9999
