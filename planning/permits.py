"""Construction-permit use cases: registration with the statutory due date, the decision
lifecycle (received → checking → approved/rejected → issued, or returned) and the map
context of a permit. Geometries in ``settings.GIS_SRID`` (VN-2000 / TM-3, metres).

Processing times and public holidays are data (``planning/data/*.csv``, with their source).
Issuing (or changing an issued permit) tells the tiles after commit: ``layer_changed``.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.events import layer_changed
from layers.models import ConstructionPermit, LandParcel
from planning.compliance import check_permit, read_table

Status = ConstructionPermit.Status
# The clock runs while the office holds a complete dossier; a returned one waits for the
# applicant, and a decided one is finished.
RUNNING = (Status.RECEIVED, Status.CHECKING)
DECIDABLE = (Status.RECEIVED, Status.CHECKING)
LAYER = "permits"


class PermitError(Exception):
    """A request the permit lifecycle refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- Deadlines ----------------------------------------------------------------------------


@functools.cache
def processing_days() -> dict[str, int]:
    return {
        row["case"]: int(row["working_days"]) for row in read_table("permit_processing_days.csv")
    }


@functools.cache
def public_holidays() -> frozenset[datetime.date]:
    return frozenset(
        datetime.date.fromisoformat(row["date"]) for row in read_table("vn_public_holidays.csv")
    )


def working_days_for(permit: ConstructionPermit) -> int:
    days = processing_days()
    if permit.works_type == ConstructionPermit.WorksType.DETACHED_HOUSE:
        return days["detached_house"]
    return days["other_works"]


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day ``days`` working days after ``start`` (the day of receipt does not count),
    skipping Saturdays, Sundays and the public holidays in the data."""
    holidays = public_holidays()
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            remaining -= 1
    return day


def due_date(permit: ConstructionPermit) -> datetime.date:
    return add_working_days(permit.received_on, working_days_for(permit))


def today() -> datetime.date:
    return timezone.localdate()


def is_overdue(permit: ConstructionPermit, on: datetime.date | None = None) -> bool:
    return permit.status in RUNNING and (on or today()) > permit.due_on


def overdue_filter(on: datetime.date | None = None) -> Q:
    return Q(status__in=RUNNING, due_on__lt=on or today())


def queue() -> QuerySet[ConstructionPermit]:
    """The officer's queue: permits not yet finished (undecided, returned, approved but not
    issued), soonest due first."""
    return (
        ConstructionPermit.objects.filter(status__in=(*RUNNING, Status.RETURNED, Status.APPROVED))
        .prefetch_related("parcels__commune")
        .select_related("applicant")
        .order_by("due_on", "pk")
    )


# --- Registration and edits ---------------------------------------------------------------


def as_footprint(geom: GEOSGeometry | None) -> MultiPolygon | None:
    """A footprint in ``GIS_SRID`` as a MultiPolygon (GeoJSON arrives in WGS 84)."""
    if geom is None:
        return None
    if geom.srid is None:
        geom.srid = 4326
    if geom.srid != settings.GIS_SRID:
        geom = geom.transform(settings.GIS_SRID, clone=True)
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=geom.srid)
    if not isinstance(geom, MultiPolygon):
        raise PermitError(_("The footprint must be a polygon."))
    if not geom.valid:
        raise PermitError(
            _("The footprint is not a valid polygon: %(reason)s") % {"reason": geom.valid_reason}
        )
    return geom


def _notify_if_public(permit: ConstructionPermit, old_extent=None) -> None:
    if permit.status != Status.ISSUED:
        return
    shapes = [e for e in (old_extent, permit.geom.extent if permit.geom else None) if e]
    if not shapes:
        return
    extent = (
        min(e[0] for e in shapes),
        min(e[1] for e in shapes),
        max(e[2] for e in shapes),
        max(e[3] for e in shapes),
    )
    transaction.on_commit(lambda: layer_changed(LAYER, extent, srid=settings.GIS_SRID))


@transaction.atomic
def register_permit(
    *,
    fields: dict[str, Any],
    parcels: list[LandParcel],
    applicant: dict[str, Any] | None = None,
    footprint: GEOSGeometry | None = None,
) -> ConstructionPermit:
    """A new application, received today unless ``received_on`` is given; due date from
    the statutory processing time in working days."""
    if not parcels:
        raise PermitError(_("Name at least one parcel."))
    permit = ConstructionPermit(**fields)
    permit.received_on = permit.received_on or today()
    permit.status = Status.RECEIVED
    permit.geom = as_footprint(footprint)
    permit.due_on = due_date(permit)
    permit.save()
    permit.parcels.set(parcels)
    if applicant:
        from layers.models import PermitApplicant

        PermitApplicant.objects.create(permit=permit, **applicant)
    return permit


@transaction.atomic
def update_permit(
    *,
    permit: ConstructionPermit,
    fields: dict[str, Any],
    parcels: list[LandParcel] | None = None,
    applicant: dict[str, Any] | None = None,
    footprint: GEOSGeometry | None | bool = False,
) -> ConstructionPermit:
    """Change an application's particulars; ``footprint=False`` leaves it as it is."""
    from layers.models import PermitApplicant

    if permit.status == Status.ISSUED and (fields or parcels is not None):
        # The particulars of an issued permit are the legal record; only its drawn
        # footprint may still be corrected.
        raise PermitError(_("An issued permit cannot be changed."), status=409)
    old_extent = permit.geom.extent if permit.geom else None
    for name, value in fields.items():
        setattr(permit, name, value)
    if footprint is not False:
        permit.geom = as_footprint(footprint)  # type: ignore[arg-type]
    if {"received_on", "works_type"} & set(fields):
        permit.due_on = due_date(permit)
    permit.save()
    if parcels is not None:
        if not parcels:
            raise PermitError(_("Name at least one parcel."))
        permit.parcels.set(parcels)
    if applicant is not None:
        PermitApplicant.objects.update_or_create(permit=permit, defaults=applicant)
    _notify_if_public(permit, old_extent)
    return permit


# --- Check and decisions ------------------------------------------------------------------


@transaction.atomic
def run_check(*, permit: ConstructionPermit, on: datetime.date | None = None) -> dict[str, Any]:
    """The compliance check; a received application moves to "being checked"."""
    result = check_permit(permit=permit, on=on)
    if permit.status == Status.RECEIVED:
        permit.status = Status.CHECKING
        permit.save(update_fields=["status", "updated_at"])
    return result


DECISIONS = ("approve", "reject", "return", "issue", "resume")


def _wrong_status(message: str, permit: ConstructionPermit) -> PermitError:
    return PermitError(message % {"status": permit.get_status_display()}, status=409)


def _issue(permit: ConstructionPermit, *, number: str, day: datetime.date) -> None:
    if permit.status != Status.APPROVED:
        raise _wrong_status(
            _("Only an approved permit can be issued (status: %(status)s)."), permit
        )
    number = number or permit.number or ""
    if not number:
        raise PermitError(_("Give the permit number."))
    if ConstructionPermit.objects.filter(number=number).exclude(pk=permit.pk).exists():
        raise PermitError(_("Permit number %(number)s is already used.") % {"number": number})
    permit.number = number
    permit.status = Status.ISSUED
    permit.issued_on = day
    permit.save()
    _notify_if_public(permit)


def _resume(permit: ConstructionPermit, *, day: datetime.date) -> None:
    """The applicant completed a returned dossier: the statutory clock starts afresh."""
    if permit.status != Status.RETURNED:
        raise _wrong_status(
            _("Only a returned application can be resumed (status: %(status)s)."), permit
        )
    permit.status = Status.RECEIVED
    permit.received_on = day
    permit.due_on = due_date(permit)
    permit.decided_on = None
    permit.save()


def _decide(permit: ConstructionPermit, decision: str, *, reasons: str, day: datetime.date):
    if permit.status not in DECIDABLE:
        raise _wrong_status(_("This permit has already been decided (status: %(status)s)."), permit)
    if decision in ("reject", "return") and not reasons:
        raise PermitError(_("Give the reasons."))
    if (
        decision == "approve"
        and not reasons
        and not check_permit(permit=permit, on=day)["compliant"]
    ):
        raise PermitError(_("The compliance check fails: give the reasons for approving anyway."))
    permit.status = {
        "approve": Status.APPROVED,
        "reject": Status.REJECTED,
        "return": Status.RETURNED,
    }[decision]
    permit.decided_on = day
    if reasons:
        permit.reasons = reasons
    permit.save()


@transaction.atomic
def decide_permit(
    *,
    permit: ConstructionPermit,
    decision: str,
    reasons: str = "",
    number: str = "",
    on: datetime.date | None = None,
) -> ConstructionPermit:
    """approve / reject / return an undecided application, issue an approved one, or
    resume a returned one once its dossier is complete (received again today).

    Refusing or returning needs reasons; approving against a failing check needs them too,
    so the file says why the officer overrode it. A status that does not allow the
    decision raises ``PermitError`` with status 409.
    """
    day = on or today()
    permit = ConstructionPermit.objects.select_for_update().get(pk=permit.pk)
    if decision not in DECISIONS:
        raise PermitError(
            _("decision must be one of: %(choices)s.") % {"choices": ", ".join(DECISIONS)}
        )
    if decision == "issue":
        _issue(permit, number=(number or "").strip(), day=day)
    elif decision == "resume":
        _resume(permit, day=day)
    else:
        _decide(permit, decision, reasons=(reasons or "").strip(), day=day)
    return permit


# --- Map context --------------------------------------------------------------------------

# How far around the lot (m) the desk map shows zoning, red lines and constraints.
MAP_MARGIN_M = 60.0


def _features(queryset, properties) -> dict[str, Any]:
    rows = queryset.annotate(geojson=AsGeoJSON(Transform("geom", 4326), precision=7))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(row.geojson), "properties": properties(row)}
            for row in rows
            if row.geojson
        ],
    }


def permit_map_layers(
    *, permit: ConstructionPermit, on: datetime.date | None = None
) -> dict[str, dict[str, Any]]:
    """GeoJSON (WGS 84) of what the officer weighs: the parcels, the footprint, the zoning
    in force, red lines and environmental constraints around the lot."""
    from layers.models import EnvironmentZone, RedLine
    from planning.report import zones_in_force

    parcels = permit.parcels.all()
    lot = None
    for parcel in parcels:
        lot = parcel.geom if lot is None else lot.union(parcel.geom)
    area = (lot or permit.geom).buffer(MAP_MARGIN_M) if (lot or permit.geom) else None
    layers: dict[str, dict[str, Any]] = {
        "parcels": _features(
            parcels.select_related("commune"),
            lambda p: {"id": p.pk, "label": f"{p.commune.name} · {p}", "area_m2": float(p.area_m2)},
        ),
        "footprint": _features(
            ConstructionPermit.objects.filter(pk=permit.pk, geom__isnull=False),
            lambda p: {"id": p.pk},
        ),
    }
    if area is None:
        return layers
    layers["zoning"] = _features(
        zones_in_force(on).filter(geom__intersects=area).select_related("land_use"),
        lambda z: {
            "label": f"{z.zone_code} — {z.land_use.code}",
            "color": z.land_use.color,
        },
    )
    layers["red_lines"] = _features(
        RedLine.objects.filter(geom__intersects=area), lambda r: {"label": r.code}
    )
    layers["constraints"] = _features(
        EnvironmentZone.objects.filter(geom__intersects=area),
        lambda z: {"label": z.name, "no_build": z.no_build},
    )
    return layers
