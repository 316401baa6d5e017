"""VN-2000 coordinate reference systems and the official datum shift.

Source: EPSG transformation 6960 "VN-2000 to WGS 84 (2)" (Coordinate Frame rotation),
valid for onshore Vietnam; TM-3 zones with k = 0.9999 per Circular 25/2014/TT-BTNMT.
PostGIS and pyproj both resolve EPSG codes through the PROJ database and so pick this
transformation; the PROJ strings below are its equivalent for places that need one
(proj4js in the browser, ``spatial_ref_sys.proj4text``, .prj files without TOWGS84).
"""

from __future__ import annotations

from functools import cache

import pyproj

WGS84 = 4326
WEB_MERCATOR = 3857
VN2000_GEOGRAPHIC = 4756

# EPSG:6960, Coordinate Frame convention: dX, dY, dZ (m), rX, rY, rZ (arc-seconds), dS (ppm).
VN2000_TO_WGS84_COORDINATE_FRAME = (
    -191.90441429,
    -39.30318279,
    -111.45032835,
    -0.00928836,
    0.01975479,
    -0.00427372,
    0.252906278,
)
# PROJ's +towgs84 reads rotations as Position Vector: the same transformation has the
# rotations' signs flipped. Passing the Coordinate Frame numbers unchanged is the common
# trap (about 0.75 m off at Hải Dương).
VN2000_TOWGS84_POSITION_VECTOR = (
    *VN2000_TO_WGS84_COORDINATE_FRAME[:3],
    *(-r for r in VN2000_TO_WGS84_COORDINATE_FRAME[3:6]),
    VN2000_TO_WGS84_COORDINATE_FRAME[6],
)

# Provincial TM-3 projections in EPSG (central meridian in degrees). PostGIS 3.3's
# spatial_ref_sys lacks 9205-9218; the 5896-5899 zones are listed for completeness.
VN2000_TM3_MERIDIANS: dict[int, float] = {
    9205: 103.0,
    9206: 104.0,
    9207: 104.5,
    9208: 104.75,
    9209: 105.5,
    9210: 105.75,
    9211: 106.0,
    9212: 106.25,
    9213: 106.5,
    9214: 107.0,
    9215: 107.25,
    9216: 107.5,
    9217: 108.25,
    9218: 108.5,
    5896: 102.0,
    5897: 105.0,
    5898: 108.0,
    5899: 107.75,
}
TM3_SCALE_FACTOR = 0.9999


def tm3_proj4(central_meridian: float, scale: float = TM3_SCALE_FACTOR) -> str:
    """PROJ string of a VN-2000 Transverse Mercator zone with the official datum shift."""
    towgs84 = ",".join(f"{v:.9f}".rstrip("0").rstrip(".") for v in VN2000_TOWGS84_POSITION_VECTOR)
    return (
        f"+proj=tmerc +lat_0=0 +lon_0={central_meridian:g} +k={scale:g} +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={towgs84} +units=m +no_defs"
    )


@cache
def transformer(source_srid: int, target_srid: int) -> pyproj.Transformer:
    """A cached pyproj transformer; always x/y (easting/northing, lon/lat) order."""
    return pyproj.Transformer.from_crs(source_srid, target_srid, always_xy=True)


def to_wgs84(x: float, y: float, srid: int) -> tuple[float, float]:
    return transformer(srid, WGS84).transform(x, y)


def from_wgs84(lon: float, lat: float, srid: int) -> tuple[float, float]:
    return transformer(WGS84, srid).transform(lon, lat)


def vn2000_esri_prj(central_meridian: float, scale: float = TM3_SCALE_FACTOR) -> str:
    """The .prj Vietnamese GIS software writes for a VN-2000 TM zone: ESRI WKT, no TOWGS84
    (the importer recognises it as the EPSG code of that meridian)."""
    degrees, minutes = int(central_meridian), round(central_meridian % 1 * 60)
    return (
        f'PROJCS["VN_2000_TM3_{degrees}_{minutes:02d}",GEOGCS["GCS_VN_2000",'
        'DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
        'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],'
        'PARAMETER["False_Northing",0.0],'
        f'PARAMETER["Central_Meridian",{central_meridian}],PARAMETER["Scale_Factor",{scale}],'
        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
