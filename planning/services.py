"""Planning use cases. Geometries in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres)."""

from __future__ import annotations

import datetime

from django.contrib.gis.geos import GEOSGeometry

from planning.models import Plan


def plan_for_import(
    *,
    name: str,
    decision_number: str,
    approved_on: datetime.date | None,
    level: str | None,
    boundary: bytes,
) -> Plan:
    """The plan an imported zoning file belongs to, by name; created when new.

    A file that carries its approving decision and date records an already approved plan
    (historical plans); otherwise the plan starts as a draft.
    """
    existing = Plan.objects.filter(name=name).order_by("pk").first()
    if existing:
        return existing
    approved = bool(decision_number and approved_on)
    levels = {choice.value for choice in Plan.Level}
    return Plan.objects.create(
        name=name,
        level=level if level in levels else Plan.Level.ZONING,
        status=Plan.Status.APPROVED if approved else Plan.Status.DRAFT,
        decision_number=decision_number if approved else "",
        approved_on=approved_on if approved else None,
        geom=GEOSGeometry(memoryview(boundary)),
    )
