"""The planning report of a parcel (CONTRACT.md, "Planning report"): its legal record, each
approved zone it falls in with the area and share, the area cut by the red line, and the
environmental constraints. Areas are planar m² in ``GIS_SRID`` (VN-2000 / TM-3).

Drafts never appear; ``on`` answers as the approved plans stood that day. No personal
data is read.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language

from gis.crs import WGS84
from layers.models import LandParcel
from planning.models import Plan, ZoningArea


def _name(land_use) -> str:
    return land_use.name_en if (get_language() or "vi").startswith("en") else land_use.name_vi


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def zones_in_force(on: datetime.date | None = None):
    """Zones of approved plans, as they stood on ``on`` (today when None)."""
    if on is None:
        return ZoningArea.objects.filter(
            plan__status=Plan.Status.APPROVED, superseded_on__isnull=True
        )
    return ZoningArea.objects.filter(
        plan__status__in=(Plan.Status.APPROVED, Plan.Status.SUPERSEDED),
        plan__approved_on__lte=on,
    ).filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))


def known_srid(srid: int) -> bool:
    """Whether PostGIS, which transforms the point, knows this coordinate system."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [srid])
        return cursor.fetchone() is not None


def parcel_at(
    *,
    lon: float | None = None,
    lat: float | None = None,
    x: float | None = None,
    y: float | None = None,
    srid: int | None = None,
) -> LandParcel | None:
    point = Point(lon, lat, srid=WGS84) if lon is not None else Point(x, y, srid=srid)
    return (
        LandParcel.objects.select_related("commune", "land_use")
        .filter(geom__intersects=point)
        .order_by("pk")
        .first()
    )


# The whole report in one statement and one round trip: the parcel, the zones in force with
# their overlap, the red-line cut and the constraints. ``{parcel}`` picks the parcel (by id or
# at a point); ``{in_force}`` is zones_in_force()'s condition (both variants tested against
# it). Areas are planar, in the storage CRS, as ST_Area(ST_Intersection(…)) through the ORM.
_REPORT_SQL = """
WITH p AS (
  SELECT lp.id, lp.geom, lp.sheet, lp.number, lp.area_m2, lp.land_use_codes, lp.address,
         au.code AS commune_code, au.name AS commune_name,
         lu.code AS lu_code, lu.name_vi AS lu_vi, lu.name_en AS lu_en
  FROM layers_landparcel lp
  JOIN layers_adminunit au ON au.id = lp.commune_id
  JOIN layers_landusetype lu ON lu.id = lp.land_use_id
  WHERE {parcel}
  ORDER BY lp.id
  LIMIT 1
)
SELECT p.id, p.sheet, p.number, p.area_m2, p.land_use_codes, p.address,
  p.commune_code, p.commune_name, p.lu_code, p.lu_vi, p.lu_en, ST_Area(p.geom),
  (SELECT coalesce(json_agg(z ORDER BY z.approved_on DESC NULLS LAST, z.zone_code), '[]')
   FROM (
     SELECT pl.id AS plan_id, pl.name AS plan_name, pl.decision_number, pl.approved_on,
       za.zone_code, zlu.code AS lu_code, zlu.name_vi AS lu_vi, zlu.name_en AS lu_en,
       ST_Area(ST_Intersection(za.geom, p.geom)) AS overlap,
       za.max_coverage, za.max_floors, za.max_height_m, za.max_far, za.min_setback_m
     FROM planning_zoningarea za
     JOIN planning_plan pl ON pl.id = za.plan_id
     JOIN layers_landusetype zlu ON zlu.id = za.land_use_id
     WHERE ST_Intersects(za.geom, p.geom) AND {in_force}
   ) z),
  (SELECT coalesce(sum(ST_Area(ST_Intersection(r.geom, p.geom))), 0)
   FROM layers_redline r WHERE ST_Intersects(r.geom, p.geom)),
  (SELECT coalesce(json_agg(e ORDER BY e.kind, e.code), '[]')
   FROM (
     SELECT ez.kind, ez.code, ez.name, ez.no_build, ez.legal_basis,
       ST_Area(ST_Intersection(ez.geom, p.geom)) AS overlap
     FROM layers_environmentzone ez WHERE ST_Intersects(ez.geom, p.geom)
   ) e)
FROM p
"""
_IN_FORCE_TODAY = "pl.status = 'approved' AND za.superseded_on IS NULL"
_IN_FORCE_ON = (
    "pl.status IN ('approved', 'superseded') AND pl.approved_on <= %(on)s "
    "AND (za.superseded_on IS NULL OR za.superseded_on > %(on)s)"
)
_BY_ID = "lp.id = %(parcel)s"
_AT_POINT = (
    "ST_Intersects(lp.geom, ST_Transform(ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), %(srid)s), "
    "{storage}))"
)


def planning_report(*, parcel: LandParcel | int, on: datetime.date | None = None) -> dict[str, Any]:
    """The report of a parcel (instance or id); see ``report_at`` for a point."""
    pk = parcel.pk if isinstance(parcel, LandParcel) else parcel
    report = _report(_BY_ID, {"parcel": pk}, on)
    if report is None:
        raise LandParcel.DoesNotExist(pk)
    return report


def report_at(
    *,
    lon: float | None = None,
    lat: float | None = None,
    x: float | None = None,
    y: float | None = None,
    srid: int | None = None,
    on: datetime.date | None = None,
) -> dict[str, Any] | None:
    """The report of the parcel at lon/lat (WGS 84) or x/y in ``srid``; None when none."""
    if lon is not None:
        x, y, srid = lon, lat, WGS84
    return _report(_AT_POINT, {"x": x, "y": y, "srid": srid}, on)


def _report(
    parcel_condition: str, params: dict[str, Any], on: datetime.date | None
) -> dict[str, Any] | None:
    sql = _REPORT_SQL.format(
        parcel=parcel_condition.format(storage=int(settings.GIS_SRID)),
        in_force=_IN_FORCE_TODAY if on is None else _IN_FORCE_ON,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "on": on})
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, sheet, number, area, codes, address, commune_code, commune_name, lu_code, lu_vi,
     lu_en, geometric_area, zones, red_area, constraints) = row  # fmt: skip
    english = (get_language() or "vi").startswith("en")
    zoning = [
        {
            "plan": {
                "id": zone["plan_id"],
                "name": zone["plan_name"],
                "decision": zone["decision_number"],
                "approved_on": zone["approved_on"],
            },
            "zone": zone["zone_code"],
            "land_use": {
                "code": zone["lu_code"],
                "name": zone["lu_en"] if english else zone["lu_vi"],
            },
            "area_m2": round(zone["overlap"], 1),
            "share": round(zone["overlap"] / geometric_area, 4) if geometric_area else None,
            "max_coverage": _float(zone["max_coverage"]),
            "max_floors": zone["max_floors"],
            "max_height_m": _float(zone["max_height_m"]),
            "max_far": _float(zone["max_far"]),
            "min_setback_m": _float(zone["min_setback_m"]),
        }
        for zone in zones
        if zone["overlap"] > 0.01  # touching edges only
    ]
    return {
        "parcel": {
            "id": pk,
            "commune": {"code": commune_code, "name": commune_name},
            "sheet": sheet,
            "number": number,
            "area_m2": float(area),
            "land_use": {"code": lu_code, "name": lu_en if english else lu_vi},
            "land_use_codes": codes,
            "address": address,
        },
        "on": (on or datetime.date.today()).isoformat(),
        "zoning": zoning,
        "red_line": {"affected": red_area > 0.01, "area_m2": round(red_area, 1)},
        "constraints": [
            {
                "kind": zone["kind"],
                "name": zone["name"],
                "no_build": zone["no_build"],
                "legal_basis": zone["legal_basis"],
                "area_m2": round(zone["overlap"], 1),
            }
            for zone in constraints
            if zone["overlap"] > 0.01
        ],
    }
