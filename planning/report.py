"""The planning report of a parcel (CONTRACT.md, "Planning report"): its legal record, each
approved zone it falls in with the area and share, the area cut by the red line, and the
environmental constraints. Areas are planar m² in ``GIS_SRID`` (VN-2000 / TM-3).

Drafts never appear; ``on`` answers as the approved plans stood that day. No personal
data is read.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.gis.db.models.functions import Area, Intersection
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language

from gis.crs import WGS84
from layers.models import EnvironmentZone, LandParcel, RedLine
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


def planning_report(*, parcel: LandParcel, on: datetime.date | None = None) -> dict[str, Any]:
    geom: GEOSGeometry = parcel.geom
    geometric_area = geom.area
    zones = (
        zones_in_force(on)
        .filter(geom__intersects=geom)
        .select_related("plan", "land_use")
        .annotate(overlap=Area(Intersection("geom", geom)))
        .order_by("-plan__approved_on", "zone_code")
    )
    zoning = []
    for zone in zones:
        overlap = zone.overlap.sq_m
        if overlap <= 0.01:
            continue  # touching edges only
        zoning.append(
            {
                "plan": {
                    "id": zone.plan.pk,
                    "name": zone.plan.name,
                    "decision": zone.plan.decision_number,
                    "approved_on": zone.plan.approved_on.isoformat()
                    if zone.plan.approved_on
                    else None,
                },
                "zone": zone.zone_code,
                "land_use": {"code": zone.land_use.code, "name": _name(zone.land_use)},
                "area_m2": round(overlap, 1),
                "share": round(overlap / geometric_area, 4) if geometric_area else None,
                "max_coverage": _float(zone.max_coverage),
                "max_floors": zone.max_floors,
                "max_height_m": _float(zone.max_height_m),
                "max_far": _float(zone.max_far),
                "min_setback_m": _float(zone.min_setback_m),
            }
        )
    red = (
        RedLine.objects.filter(geom__intersects=geom)
        .annotate(overlap=Area(Intersection("geom", geom)))
        .values_list("overlap", flat=True)
    )
    red_area = sum(a.sq_m for a in red)
    constraints = [
        {
            "kind": zone.kind,
            "name": zone.name,
            "no_build": zone.no_build,
            "legal_basis": zone.legal_basis,
            "area_m2": round(zone.overlap.sq_m, 1),
        }
        for zone in EnvironmentZone.objects.filter(geom__intersects=geom)
        .annotate(overlap=Area(Intersection("geom", geom)))
        .order_by("kind", "code")
        if zone.overlap.sq_m > 0.01
    ]
    return {
        "parcel": {
            "id": parcel.pk,
            "commune": {"code": parcel.commune.code, "name": parcel.commune.name},
            "sheet": parcel.sheet,
            "number": parcel.number,
            "area_m2": float(parcel.area_m2),
            "land_use": {"code": parcel.land_use.code, "name": _name(parcel.land_use)},
            "land_use_codes": parcel.land_use_codes,
            "address": parcel.address,
        },
        "on": (on or datetime.date.today()).isoformat(),
        "zoning": zoning,
        "red_line": {"affected": red_area > 0.01, "area_m2": round(red_area, 1)},
        "constraints": constraints,
    }
