"""What else is at a clicked point: roads (class, width, planned red-line width),
environmental zones (kind, legal basis) and monitoring stations (latest readings against
the national limits, layers/limits.py, and the recent values for a chart).
Distances are planar metres in ``GIS_SRID``; public fields only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from gis.crs import WGS84
from layers.limits import limit_for
from layers.models import EnvironmentZone, MonitoringReading, MonitoringStation, Road

ZOOM0_M_PER_PX = 156_543.03392  # Web Mercator ground resolution at zoom 0, the equator
RECENT_READINGS = 12  # values per parameter in the station's chart


def station_parameters(station: MonitoringStation) -> list[dict[str, Any]]:
    """Per parameter: the latest reading against its national limit (``exceeds`` /
    ``within``, None without a limit) and the recent values, oldest first."""
    recent = (
        MonitoringReading.objects.filter(station=station)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("parameter"), order_by=F("measured_at").desc())
        )
        .filter(rank__lte=RECENT_READINGS)
        .order_by("parameter", "measured_at")
    )
    series: dict[str, list[MonitoringReading]] = {}
    for reading in recent:
        series.setdefault(reading.parameter, []).append(reading)
    out = []
    for parameter, readings in series.items():
        points = []
        for r in readings:
            limit = limit_for(
                medium=station.medium, parameter=parameter, unit=r.unit, when=r.measured_at
            )
            points.append(
                {
                    "measured_at": r.measured_at.isoformat(),
                    "value": r.value,
                    "limit": None
                    if limit is None
                    else {"lower": limit.lower, "upper": limit.upper},
                    "status": None if limit is None else limit.status(r.value),
                }
            )
        latest = readings[-1]
        limit = limit_for(
            medium=station.medium, parameter=parameter, unit=latest.unit, when=latest.measured_at
        )
        out.append(
            {
                "parameter": parameter,
                "unit": latest.unit,
                "value": latest.value,
                "measured_at": latest.measured_at.isoformat(),
                "limit": None if limit is None else limit.as_dict(),
                "status": points[-1]["status"],
                "series": points,
            }
        )
    return out


def tolerance_m(zoom: int, lat: float) -> float:
    """About six screen pixels on the ground at this zoom and latitude."""
    import math

    return 6 * ZOOM0_M_PER_PX * math.cos(math.radians(lat)) / 2**zoom


def identify(*, lon: float, lat: float, zoom: int) -> dict[str, list[dict[str, Any]]]:
    point = Point(lon, lat, srid=WGS84).transform(settings.GIS_SRID, clone=True)
    near = D(m=tolerance_m(zoom, lat))
    roads = [
        {
            "code": r.code,
            "name": r.name,
            "road_class": r.road_class,
            "road_class_label": str(r.get_road_class_display()),
            "width_m": None if r.width_m is None else float(r.width_m),
            "planned_width_m": None if r.planned_width_m is None else float(r.planned_width_m),
        }
        for r in Road.objects.filter(geom__dwithin=(point, near)).order_by("code")[:5]
    ]
    zones = [
        {
            "code": z.code,
            "name": z.name,
            "kind": z.kind,
            "kind_label": str(z.get_kind_display()),
            "no_build": z.no_build,
            "legal_basis": z.legal_basis,
        }
        for z in EnvironmentZone.objects.filter(geom__intersects=point).order_by("code")
    ]
    stations = []
    for station in MonitoringStation.objects.filter(geom__dwithin=(point, near)).order_by("code")[
        :3
    ]:
        latest = (
            MonitoringReading.objects.filter(station=station)
            .order_by("parameter", "-measured_at")
            .distinct("parameter")
        )
        stations.append(
            {
                "code": station.code,
                "name": station.name,
                "medium": str(station.get_medium_display()),
                "medium_code": station.medium,
                "latest": [
                    {
                        "parameter": r.parameter,
                        "value": r.value,
                        "unit": r.unit,
                        "measured_at": r.measured_at.isoformat(),
                    }
                    for r in latest
                ],
                "parameters": station_parameters(station),
            }
        )
    return {"roads": roads, "environment_zones": zones, "monitoring_stations": stations}
