"""Validation of zoning areas: GeoJSON in, a geometry in ``settings.GIS_SRID`` out; the
planning controls present and within bounds; inside the plan boundary, no overlap.

Geometries arrive as RFC 7946 GeoJSON (WGS 84) and are transformed by PostGIS (the one
engine for datum shifts, EPSG:6960 for VN-2000) into VN-2000 / TM-3 metres, rounded to the
millimetre of cadastral coordinates. Areas are planar m². Controls follow QCVN 01:2021/BXD:
coverage as a fraction, height in metres, FAR.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import connection
from django.utils.translation import gettext as _

from gis.crs import WGS84
from layers.models import LandUseType
from planning.models import Plan, ZoningArea

SRID = settings.GIS_SRID
# Slivers below this (m²) come from datum-shift round trips of snapped vertices, not from
# drawing: they are neither an overlap nor "outside the boundary".
SLIVER_M2 = 0.1
GRID_M = 0.001  # cadastral coordinates are kept to the millimetre
ATTRIBUTES = (
    "zone_code",
    "land_use",
    "max_coverage",
    "max_floors",
    "max_height_m",
    "max_far",
    "min_setback_m",
)
# (decimal places, lowest, highest, lowest allowed?) of the decimal controls. Coverage is
# a fraction (QCVN 01:2021 gives percent); FAR and setbacks have no legal ceiling but
# values past these are typing errors.
DECIMALS = {
    "max_coverage": (3, Decimal(0), Decimal(1), False),
    "max_height_m": (2, Decimal(0), Decimal(1000), False),
    "max_far": (2, Decimal(0), Decimal(100), False),
    "min_setback_m": (2, Decimal(0), Decimal(100), True),
}
MAX_FLOORS = 200


class EditError(Exception):
    """A domain error with a message the user can read."""

    status = 400

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


@dataclass
class Invalid(EditError):
    """Validation failed: messages per field; the offending geometries for the map."""

    detail: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    overlap: GEOSGeometry | None = None
    outside: GEOSGeometry | None = None

    def __post_init__(self) -> None:
        super().__init__(self.detail)


# --- geometry ----------------------------------------------------------------------------


def geometry_from_geojson(value: Any, *, kinds: tuple[str, ...] = ("Polygon", "MultiPolygon")):
    """A GeoJSON geometry (WGS 84 lon/lat) as a geometry in ``GIS_SRID``, or ``Invalid``.

    Polygons become multipolygons; coordinates are rounded to the millimetre with
    ``ST_ReducePrecision``, which keeps them valid.
    """
    if not isinstance(value, dict) or value.get("type") not in kinds:
        raise Invalid(
            _("Invalid geometry."),
            {"geometry": [_("Give a GeoJSON %(kinds)s.") % {"kinds": " / ".join(kinds)}]},
        )
    try:
        geom = GEOSGeometry(json.dumps(value), srid=WGS84)
    except (GEOSException, ValueError, TypeError):
        raise Invalid(
            _("Invalid geometry."), {"geometry": [_("The GeoJSON geometry cannot be read.")]}
        ) from None
    if geom.empty:
        raise Invalid(_("Invalid geometry."), {"geometry": [_("The geometry is empty.")]})
    minx, miny, maxx, maxy = geom.extent
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise Invalid(
            _("Invalid geometry."),
            {"geometry": [_("Coordinates must be longitude and latitude (WGS 84).")]},
        )
    if not geom.valid:
        raise Invalid(
            _("Invalid geometry."),
            {"geometry": [_("The shape is not valid: %(reason)s") % {"reason": geom.valid_reason}]},
        )
    multi = "ST_Multi" if geom.geom_type.endswith("Polygon") else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ST_AsEWKB({multi}(ST_ReducePrecision(ST_Transform("  # noqa: S608 - fixed text
            "ST_GeomFromEWKB(%s), %s), %s)))",
            [bytes(geom.ewkb), SRID, GRID_M],
        )
        (ewkb,) = cursor.fetchone()
    stored = GEOSGeometry(memoryview(ewkb))
    if stored.empty or (stored.geom_type.endswith("Polygon") and stored.area <= 0):
        raise Invalid(_("Invalid geometry."), {"geometry": [_("The shape has no area.")]})
    return stored


def to_wgs84_geojson(geom: GEOSGeometry | None) -> dict[str, Any] | None:
    """A stored geometry as RFC 7946 GeoJSON, transformed by PostGIS."""
    if geom is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsGeoJSON(ST_Transform(ST_GeomFromEWKB(%s), %s), 9)",
            [bytes(geom.ewkb), WGS84],
        )
        (text,) = cursor.fetchone()
    return json.loads(text)


# --- validation --------------------------------------------------------------------------


def _decimal(name: str, raw: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    places, low, high, low_allowed = DECIMALS[name]
    try:
        value = Decimal(str(raw)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("Give a number."))
        return None
    if value > high or value < low or (value == low and not low_allowed):
        bounds = {"low": low, "high": high}
        message = (
            _("Must be between %(low)s and %(high)s.")
            if low_allowed
            else _("Must be more than %(low)s and at most %(high)s.")
        )
        errors.setdefault(name, []).append(message % bounds)
    return value


def _zone_code(raw: Any, *, plan: Plan, zone_id: int | None, errors: dict) -> str:
    code = str(raw or "").strip()
    if not code:
        errors["zone_code"] = [_("The zone code is required.")]
    elif len(code) > 40:
        errors["zone_code"] = [_("At most 40 characters.")]
    elif ZoningArea.objects.filter(plan=plan, zone_code=code).exclude(pk=zone_id).exists():
        errors["zone_code"] = [_("Another zone of this plan has this code.")]
    return code


def _floors(raw: Any, errors: dict) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        floors = int(str(raw))
    except ValueError:
        errors["max_floors"] = [_("Give a whole number of floors.")]
        return None
    if not 1 <= floors <= MAX_FLOORS:
        errors["max_floors"] = [_("Between 1 and %(n)d floors.") % {"n": MAX_FLOORS}]
    return floors


def clean_attributes(data: dict[str, Any], *, plan: Plan, zone_id: int | None) -> dict[str, Any]:
    """Required controls present and within bounds; the land use resolved from its code."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
        "zone_code": _zone_code(data.get("zone_code"), plan=plan, zone_id=zone_id, errors=errors),
        "land_use": LandUseType.objects.filter(
            code=str(data.get("land_use") or "").strip().upper()
        ).first(),
        "max_floors": _floors(data.get("max_floors"), errors),
    }
    if cleaned["land_use"] is None:
        errors["land_use"] = [_("Choose a land use from the code list.")]
    for name in DECIMALS:
        cleaned[name] = _decimal(name, data.get(name), errors)
    if cleaned["max_coverage"] is None and "max_coverage" not in errors:
        errors["max_coverage"] = [_("The maximum building coverage is required.")]
    if cleaned["max_floors"] is None and cleaned["max_height_m"] is None:
        message = _("Give the maximum floors or the maximum height.")
        for name in ("max_floors", "max_height_m"):
            errors.setdefault(name, []) or errors[name].append(message)
    if errors:
        raise Invalid(_("Some values need correcting."), errors)
    return cleaned


def check_geometry(
    *, plan: Plan, geom: GEOSGeometry, exclude: tuple[int, ...] = (), boundary: bool = True
) -> None:
    """Inside the plan boundary and not overlapping the plan's other zones."""
    errors: dict[str, list[str]] = {}
    outside = None
    if boundary:
        rest = geom.difference(plan.geom)
        if rest.area > SLIVER_M2:
            outside = rest
            errors["geometry"] = [
                _("%(area).1f m² lie outside the plan boundary.") % {"area": rest.area}
            ]
    overlap = None
    others = ZoningArea.objects.filter(plan=plan, geom__intersects=geom).exclude(pk__in=exclude)
    codes = []
    for other in others:
        shared = other.geom.intersection(geom)
        if shared.area > SLIVER_M2:
            overlap = shared if overlap is None else overlap.union(shared)
            codes.append(other.zone_code)
    if overlap is not None:
        errors.setdefault("geometry", []).append(
            _("Overlaps zone(s) %(codes)s by %(area).1f m².")
            % {"codes": ", ".join(codes), "area": overlap.area}
        )
    if errors:
        raise Invalid(_("The shape needs correcting."), errors, overlap=overlap, outside=outside)


# --- QCVN 01:2021 suggestion ---------------------------------------------------------------

# Land uses whose buildings the QCVN coverage tables cover: urban and rural housing
# (detached and row houses, table 2.8) and trade and services (table 2.10).
QCVN_WORKS_BY_LAND_USE = {"ODT": "detached_house", "ONT": "detached_house", "TMD": "commercial"}


def suggested_max_coverage(
    *, land_use: str, lot_area_m2: float, height_m: float | None
) -> float | None:
    """QCVN 01:2021 cap on net coverage for a typical lot of the zone, or None where the
    tables say nothing (the permit check keeps the tables: ``planning.compliance``)."""
    from planning.compliance import qcvn_max_coverage

    works = QCVN_WORKS_BY_LAND_USE.get(land_use.upper())
    if works is None or lot_area_m2 <= 0:
        return None
    return qcvn_max_coverage(works_type=works, lot_area_m2=lot_area_m2, height_m=height_m or 0.0)
