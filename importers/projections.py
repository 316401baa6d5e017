"""Which CRS a file is in, and whether its coordinates can be in the province.

A .prj is read with pyproj. VN-2000 arrives in many spellings (ESRI WKT without TOWGS84,
a bare Transverse Mercator on the WGS 84 ellipsoid with the provincial meridian and
k = 0.9999): those are recognised as the EPSG TM-3 code of that meridian (Circular
25/2014/TT-BTNMT), so the official datum shift (EPSG:6960) applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyproj
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyproj.exceptions import CRSError

from gis.crs import TM3_SCALE_FACTOR, VN2000_TM3_MERIDIANS, WGS84, transformer
from importers.errors import ImportRejected, bilingual

# Axis-swapped duplicates of VN-2000 TM-3 codes, deprecated by EPSG: never use them.
DEPRECATED_VN2000 = {6956, 6957, 6958, 6959}
# VN-2000 / UTM zones 48N and 49N (k = 0.9996).
VN2000_UTM = {105.0: 3405, 111.0: 3406}
WGS84_A, WGS84_RF = 6378137.0, 298.257223563


@dataclass
class CrsResolution:
    srid: int
    source: str  # "prj" | "option" | "default" | "geojson"
    description: str
    warnings: list[str] = field(default_factory=list)


def _meridian_code(lon_0: float) -> int | None:
    # Prefer the 92xx provincial codes over the older 589x zone codes for the same meridian.
    matches = sorted(
        (code for code, meridian in VN2000_TM3_MERIDIANS.items() if abs(meridian - lon_0) < 1e-6),
        key=lambda code: code < 9000,
    )
    return matches[0] if matches else None


def _tm_parameters(crs: pyproj.CRS) -> dict[str, float] | None:
    operation = crs.coordinate_operation
    if (
        not crs.is_projected
        or operation is None
        or "Transverse Mercator" not in operation.method_name
    ):
        return None
    values = {p.name: p.value for p in operation.params}
    return {
        "lon_0": values.get("Longitude of natural origin", 0.0),
        "lat_0": values.get("Latitude of natural origin", 0.0),
        "k": values.get("Scale factor at natural origin", 1.0),
        "x_0": values.get("False easting", 0.0),
        "y_0": values.get("False northing", 0.0),
    }


def _on_wgs84_ellipsoid(crs: pyproj.CRS) -> bool:
    ellipsoid = crs.ellipsoid
    return (
        ellipsoid is not None
        and abs(ellipsoid.semi_major_metre - WGS84_A) < 1e-3
        and abs(ellipsoid.inverse_flattening - WGS84_RF) < 1e-6
    )


def _looks_vn2000(crs: pyproj.CRS) -> bool:
    name = f"{crs.datum.name if crs.datum else ''} {crs.name}".upper().replace("_", "-")
    return "VN-2000" in name or "VIETNAM" in name or "VN2000" in name


def recognise_vn2000(crs: pyproj.CRS) -> tuple[int, str | None] | None:
    """(EPSG code, warning) for a VN-2000-like Transverse Mercator, else None."""
    tm = _tm_parameters(crs)
    if tm is None or not _on_wgs84_ellipsoid(crs) or tm["x_0"] != 500000 or tm["lat_0"] != 0:
        return None
    if abs(tm["k"] - TM3_SCALE_FACTOR) < 1e-9:
        code = _meridian_code(tm["lon_0"])
    elif abs(tm["k"] - 0.9996) < 1e-9:
        code = VN2000_UTM.get(tm["lon_0"])
    else:
        code = None
    if code is None:
        return None
    warning = None
    if not _looks_vn2000(crs):
        warning = bilingual(
            _(
                "The .prj names datum %(datum)s, but a Transverse Mercator with k = %(k)s and "
                "central meridian %(lon)s° is the VN-2000 grid: read as EPSG:%(code)s."
            ),
            datum=crs.datum.name if crs.datum else "?",
            k=tm["k"],
            lon=tm["lon_0"],
            code=code,
        )
    return code, warning


def resolve_crs(*, prj: str | None, srid_option: int | None, kind: str) -> CrsResolution:
    if kind == "geojson":
        return CrsResolution(WGS84, "geojson", "WGS 84 (RFC 7946)")
    if srid_option:
        description = pyproj.CRS.from_epsg(srid_option).name
        resolution = CrsResolution(srid_option, "option", description)
        if prj:
            from_prj = _from_prj(prj)
            if from_prj.srid != srid_option:
                resolution.warnings.append(
                    bilingual(
                        _("--srid %(option)s overrides the .prj, which says EPSG:%(prj)s."),
                        option=srid_option,
                        prj=from_prj.srid,
                    )
                )
        return resolution
    if prj:
        return _from_prj(prj)
    srid = settings.GIS_SRID
    return CrsResolution(
        srid,
        "default",
        pyproj.CRS.from_epsg(srid).name,
        [
            bilingual(
                _(
                    "No .prj file: coordinates read as the province default "
                    "EPSG:%(srid)s (%(name)s)."
                ),
                srid=srid,
                name=pyproj.CRS.from_epsg(srid).name,
            )
        ],
    )


def _from_prj(prj: str) -> CrsResolution:
    try:
        crs = pyproj.CRS.from_user_input(prj)
    except CRSError:
        raise ImportRejected(_("The .prj file cannot be read as a coordinate system.")) from None
    if crs.is_bound:
        # A TOWGS84 clause makes a BoundCRS, whose own operation is that datum shift, not
        # the projection. The grid is its source CRS; the shift is the EPSG code's own
        # (EPSG:6960 for VN-2000), whatever the clause says (often the Position Vector
        # trap of DOMAIN.md, 0.75 m off).
        crs = crs.source_crs
    recognised = recognise_vn2000(crs)
    if recognised:
        code, warning = recognised
        return CrsResolution(
            code, "prj", pyproj.CRS.from_epsg(code).name, [warning] if warning else []
        )
    code = crs.to_epsg(min_confidence=70)
    if code in DEPRECATED_VN2000:
        raise ImportRejected(
            _("The .prj is EPSG:%(code)s, a deprecated VN-2000 code with swapped axes."), code=code
        )
    if code is None:
        raise ImportRejected(
            _("The .prj describes %(name)s, which matches no EPSG coordinate system: use --srid."),
            name=crs.name,
        )
    return CrsResolution(code, "prj", crs.name)


def province_bounds() -> tuple[float, float, float, float]:
    return settings.PROVINCE_BBOX


def _inside(
    bounds: tuple[float, float, float, float], lonlat: tuple[float, float, float, float]
) -> bool:
    west, south, east, north = bounds
    minx, miny, maxx, maxy = lonlat
    return minx >= west and maxx <= east and miny >= south and maxy <= north


def bbox_to_wgs84(
    bbox: tuple[float, float, float, float], srid: int
) -> tuple[float, float, float, float]:
    if srid == WGS84:
        return bbox
    minx, miny, maxx, maxy = bbox
    return transformer(srid, WGS84).transform_bounds(minx, miny, maxx, maxy, densify_pts=5)


def check_in_province(bbox: tuple[float, float, float, float], srid: int) -> None:
    """Refuse coordinates that cannot be in the province, naming the likely cause."""
    bounds = province_bounds()
    try:
        lonlat = bbox_to_wgs84(bbox, srid)
    except pyproj.exceptions.ProjError:
        lonlat = (float("inf"),) * 4
    if _inside(bounds, lonlat):
        return
    minx, miny, maxx, maxy = bbox
    crs = pyproj.CRS.from_epsg(srid)
    box = f"{minx:.2f}, {miny:.2f} – {maxx:.2f}, {maxy:.2f}"
    if crs.is_projected and max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
        raise ImportRejected(
            _("Coordinates (%(box)s) look like degrees, but the file says metres (EPSG:%(srid)s)."),
            box=box,
            srid=srid,
        )
    if crs.is_geographic and max(abs(minx), abs(maxx)) > 180:
        raise ImportRejected(
            _(
                "Coordinates (%(box)s) look like metres, but the file says degrees "
                "(EPSG:%(srid)s): "
                "the .prj is missing or wrong; use --srid."
            ),
            box=box,
            srid=srid,
        )
    if _inside(bounds, _safe_bbox((miny, minx, maxy, maxx), srid)):
        raise ImportRejected(
            _("X and Y appear swapped (%(box)s): easting must come first."), box=box
        )
    for code in sorted(VN2000_TM3_MERIDIANS):
        if code != srid and crs.is_projected and _inside(bounds, _safe_bbox(bbox, code)):
            raise ImportRejected(
                _(
                    "The coordinates fit the province only in EPSG:%(fits)s (%(name)s), not in "
                    "EPSG:%(srid)s: the central meridian is probably wrong; use --srid %(fits)s."
                ),
                fits=code,
                name=pyproj.CRS.from_epsg(code).name,
                srid=srid,
            )
    raise ImportRejected(
        _("The coordinates (%(box)s in EPSG:%(srid)s) lie outside the province."),
        box=box,
        srid=srid,
    )


def _safe_bbox(
    bbox: tuple[float, float, float, float], srid: int
) -> tuple[float, float, float, float]:
    try:
        return bbox_to_wgs84(bbox, srid)
    except pyproj.exceptions.ProjError:
        return (float("inf"),) * 4


def _meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def check_default_zone(
    bbox: tuple[float, float, float, float],
    srid: int,
    communes: tuple[float, float, float, float],
    names: str,
) -> str | None:
    """A file without .prj, read in the province default ``srid``: its data should meet the
    boundaries of the communes it names (``communes``: their extent in WGS 84 lon/lat).

    A merged province holds cadastral files surveyed in two TM-3 zones (Hải Phòng: EPSG:9209
    for former Hải Dương, 9210 for its own land, 26 km apart): both fit the province box, so
    only the communes tell them apart. Refuses when another zone puts the data on its
    communes and the default does not; returns a warning when no zone does."""
    if _meet(_safe_bbox(bbox, srid), communes):
        return None
    for code in sorted(VN2000_TM3_MERIDIANS):
        if code != srid and _meet(_safe_bbox(bbox, code), communes):
            raise ImportRejected(
                _(
                    "No .prj file: read in the province default EPSG:%(srid)s, the features lie "
                    "away from the communes they name (%(names)s); in EPSG:%(fits)s (%(name)s) "
                    "they lie on them. Use --srid %(fits)s."
                ),
                srid=srid,
                names=names,
                fits=code,
                name=pyproj.CRS.from_epsg(code).name,
            )
    return bilingual(
        _(
            "No .prj file: the features do not lie on the communes they name (%(names)s) in "
            "any TM-3 zone; check the coordinates and the commune codes."
        ),
        names=names,
    )
