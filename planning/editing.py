"""Planners' editing of zoning areas: who may edit, versioned saves, history, revert,
split and merge. Validation lives in ``planning.zone_validation``; geometries are in
``settings.GIS_SRID`` (VN-2000 / TM-3, metres).

Every write names the ``version`` it read; the zone row is locked and a stale version
raises ``StaleVersion`` (HTTP 409). Writes to one plan are serialised by locking the plan
row, so two planners cannot both pass the overlap check with overlapping zones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils.translation import gettext as _

from planning.models import Plan, ZoningArea, ZoningAreaRevision

# Re-exported: the API modules take the editor's errors and helpers from here.
from planning.zone_validation import (  # noqa: F401
    ATTRIBUTES,
    GRID_M,
    SLIVER_M2,
    SRID,
    EditError,
    Invalid,
    check_geometry,
    clean_attributes,
    geometry_from_geojson,
    suggested_max_coverage,
    to_wgs84_geojson,
)


class NotAllowed(EditError):
    status = 403


class NotFound(EditError):
    status = 404


class InvalidState(EditError):
    """The plan is not in the state the action needs (e.g. editing an approved plan)."""

    status = 409
    code = "invalid_state"


class StaleVersion(EditError):
    """Someone saved first; ``current`` is the zone as it is now (None when deleted)."""

    status = 409
    code = "stale_version"

    def __init__(self, detail: str, current: ZoningArea | None):
        super().__init__(detail)
        self.current = current


# --- roles -------------------------------------------------------------------------------


def _in_group(user: Any, name: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=name).exists()


def is_planner(user: Any) -> bool:
    return _in_group(user, "planner")


def is_approver(user: Any) -> bool:
    return _in_group(user, "plan_approver")


def sees_drafts(user: Any) -> bool:
    """Planners edit any draft (one planning office); approvers review them."""
    return is_planner(user) or is_approver(user)


def _require_planner(user: Any) -> None:
    if not is_planner(user):
        raise NotAllowed(_("Only planners may edit plans and zoning areas."))


# --- zone snapshots and history ----------------------------------------------------------


def snapshot(zone: ZoningArea) -> dict[str, Any]:
    """The zone's attributes as JSON; decimals as text so they come back exactly."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "zone_code": zone.zone_code,
        "land_use": zone.land_use.code,
        "max_coverage": text(zone.max_coverage),
        "max_floors": zone.max_floors,
        "max_height_m": text(zone.max_height_m),
        "max_far": text(zone.max_far),
        "min_setback_m": text(zone.min_setback_m),
    }


def _record(
    zone: ZoningArea, action: str, by: Any, comment: str, *, deleted: bool = False
) -> ZoningAreaRevision:
    return ZoningAreaRevision.objects.create(
        zone_id=zone.pk,
        plan=zone.plan,
        version=zone.version,
        action=action,
        comment=comment,
        changed_by=by if by and by.is_authenticated else None,
        attributes={} if deleted else snapshot(zone),
        geom=None if deleted else zone.geom,
    )


def _ensure_baseline(zone: ZoningArea) -> None:
    """Zones loaded by the importer have no history yet: keep their state as it was."""
    if not ZoningAreaRevision.objects.filter(zone_id=zone.pk).exists():
        _record(zone, ZoningAreaRevision.Action.CREATE, None, _("State before the first edit."))


def history(zone_id: int) -> list[ZoningAreaRevision]:
    return list(
        ZoningAreaRevision.objects.filter(zone_id=zone_id)
        .select_related("changed_by")
        .order_by("version")
    )


# --- writes ------------------------------------------------------------------------------


def _draft_plan(plan_id: int) -> Plan:
    """The plan, locked for this transaction; only drafts take zone edits."""
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    if plan.status != Plan.Status.DRAFT:
        raise InvalidState(
            _("Plan “%(name)s” is %(status)s: only draft plans can be edited.")
            % {"name": plan.name, "status": plan.get_status_display()}
        )
    return plan


def _version(raw: Any, name: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Invalid(
            _("Every write must carry the version it read."),
            {name: [_("The version is required.")]},
        ) from None


def _locked_zone(zone_id: int, version: Any) -> ZoningArea:
    """The zone locked for update, if ``version`` is still current; else ``StaleVersion``."""
    plan_id = ZoningArea.objects.filter(pk=zone_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        if ZoningAreaRevision.objects.filter(zone_id=zone_id).exists():
            raise StaleVersion(_("Someone deleted this zone meanwhile."), None)
        raise NotFound(_("No such zoning area."))
    expected = _version(version, "version")
    _draft_plan(plan_id)  # lock the plan first, always in the same order: plan, then zone
    zone = ZoningArea.objects.select_for_update().select_related("plan", "land_use").get(pk=zone_id)
    if zone.version != expected:
        raise StaleVersion(
            _("Someone saved this zone first (version %(current)d, you read %(read)d).")
            % {"current": zone.version, "read": expected},
            zone,
        )
    return zone


def create_zone(
    *, plan_id: int, geometry: Any, attributes: dict[str, Any], by: Any, comment: str = ""
) -> ZoningArea:
    _require_planner(by)
    with transaction.atomic():
        plan = _draft_plan(plan_id)
        geom = geometry_from_geojson(geometry)
        cleaned = clean_attributes(attributes, plan=plan, zone_id=None)
        check_geometry(plan=plan, geom=geom)
        zone = ZoningArea.objects.create(plan=plan, geom=geom, version=1, **cleaned)
        _record(zone, ZoningAreaRevision.Action.CREATE, by, comment)
    return zone


def update_zone(
    *,
    zone_id: int,
    version: Any,
    by: Any,
    geometry: Any = None,
    attributes: dict[str, Any] | None = None,
    comment: str = "",
    action: str = ZoningAreaRevision.Action.UPDATE,
) -> ZoningArea:
    """Change the geometry and/or attributes (those given; the rest stay)."""
    _require_planner(by)
    with transaction.atomic():
        zone = _locked_zone(zone_id, version)
        _ensure_baseline(zone)
        merged = {
            **snapshot(zone),
            **{k: v for k, v in (attributes or {}).items() if k in ATTRIBUTES},
        }
        cleaned = clean_attributes(merged, plan=zone.plan, zone_id=zone.pk)
        if geometry is not None:
            zone.geom = geometry_from_geojson(geometry)
            check_geometry(plan=zone.plan, geom=zone.geom, exclude=(zone.pk,))
        return _save(zone, cleaned, by, comment, action)


def _save(zone: ZoningArea, cleaned: dict[str, Any], by: Any, comment: str, action: str):
    for name, value in cleaned.items():
        setattr(zone, name, value)
    zone.version += 1
    zone.save()
    _record(zone, action, by, comment)
    return zone


def delete_zone(*, zone_id: int, version: Any, by: Any, comment: str = "") -> None:
    _require_planner(by)
    with transaction.atomic():
        zone = _locked_zone(zone_id, version)
        _ensure_baseline(zone)
        zone.version += 1
        _record(zone, ZoningAreaRevision.Action.DELETE, by, comment, deleted=True)
        zone.delete()


def revert_zone(
    *, zone_id: int, version: Any, to_version: Any, by: Any, comment: str = ""
) -> ZoningArea:
    """Restore the exact geometry and attributes of ``to_version`` as a new version."""
    _require_planner(by)
    with transaction.atomic():
        zone = _locked_zone(zone_id, version)
        _ensure_baseline(zone)
        target = ZoningAreaRevision.objects.filter(
            zone_id=zone_id, version=_version(to_version, "version")
        ).first()
        if target is None or target.geom is None:
            raise Invalid(
                _("There is no such version to restore."),
                {"version": [_("Choose a version from the history.")]},
            )
        cleaned = clean_attributes(target.attributes, plan=zone.plan, zone_id=zone.pk)
        zone.geom = target.geom
        check_geometry(plan=zone.plan, geom=zone.geom, exclude=(zone.pk,))
        note = comment or _("Reverted to version %(v)d.") % {"v": target.version}
        return _save(zone, cleaned, by, note, ZoningAreaRevision.Action.REVERT)


def split_zone(
    *, zone_id: int, version: Any, line: Any, by: Any, comment: str = ""
) -> list[ZoningArea]:
    """Cut a zone with a line: the largest piece keeps the zone (a new version), every
    other piece becomes a new zone with the same controls and the code ``CODE-2``, …"""
    _require_planner(by)
    with transaction.atomic():
        zone = _locked_zone(zone_id, version)
        _ensure_baseline(zone)
        blade = geometry_from_geojson(line, kinds=("LineString",))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_AsEWKB(ST_Multi(ST_ReducePrecision((d).geom, %s))) FROM "
                "(SELECT ST_Dump(ST_Split(ST_GeomFromEWKB(%s), ST_GeomFromEWKB(%s))) d) s",
                [GRID_M, bytes(zone.geom.ewkb), bytes(blade.ewkb)],
            )
            pieces = [GEOSGeometry(memoryview(row[0])) for row in cursor.fetchall()]
        pieces = sorted((p for p in pieces if p.area > SLIVER_M2), key=lambda p: -p.area)
        if len(pieces) < 2:
            raise Invalid(
                _("The line does not cut the zone."),
                {"geometry": [_("Draw the line across the zone, from edge to edge.")]},
            )
        attrs = snapshot(zone)
        note = comment or _("Split.")
        zone.geom = pieces[0]
        result = [
            _save(zone, clean_attributes(attrs, plan=zone.plan, zone_id=zone.pk), by, note, "split")
        ]
        for n, piece in enumerate(pieces[1:], start=2):
            cleaned = clean_attributes(
                {**attrs, "zone_code": f"{attrs['zone_code']}-{n}"}, plan=zone.plan, zone_id=None
            )
            new = ZoningArea.objects.create(plan=zone.plan, geom=piece, version=1, **cleaned)
            _record(new, ZoningAreaRevision.Action.SPLIT, by, note)
            result.append(new)
    return result


def merge_zones(*, zones: list[dict[str, Any]], by: Any, comment: str = "") -> ZoningArea:
    """Merge zones ``[{"id", "version"}, …]`` of one plan into the first, which keeps its
    attributes; the others are deleted (their history says where they went)."""
    _require_planner(by)
    if not isinstance(zones, list) or len(zones) < 2:
        raise Invalid(_("Choose at least two zones."), {"zones": [_("Choose at least two zones.")]})
    with transaction.atomic():
        try:
            locked = [_locked_zone(int(item["id"]), item.get("version")) for item in zones]
        except (KeyError, TypeError, ValueError):
            raise Invalid(_("Give each zone's id and version."), {"zones": []}) from None
        keeper = locked[0]
        if len({z.pk for z in locked}) != len(locked) or any(
            z.plan_id != keeper.plan_id for z in locked
        ):
            raise Invalid(
                _("Only different zones of the same plan can be merged."),
                {"zones": [_("Only different zones of the same plan can be merged.")]},
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_AsEWKB(ST_Multi(ST_ReducePrecision(ST_Union(ST_GeomFromEWKB(g)), %s))) "
                "FROM unnest(%s::bytea[]) g",
                [GRID_M, [bytes(z.geom.ewkb) for z in locked]],
            )
            (ewkb,) = cursor.fetchone()
        note = comment or _("Merged %(codes)s.") % {"codes": ", ".join(z.zone_code for z in locked)}
        for other in locked[1:]:
            _ensure_baseline(other)
            other.version += 1
            _record(other, ZoningAreaRevision.Action.DELETE, by, note, deleted=True)
            other.delete()
        _ensure_baseline(keeper)
        keeper.geom = GEOSGeometry(memoryview(ewkb))
        check_geometry(plan=keeper.plan, geom=keeper.geom, exclude=(keeper.pk,))
        cleaned = clean_attributes(snapshot(keeper), plan=keeper.plan, zone_id=keeper.pk)
        return _save(keeper, cleaned, by, note, ZoningAreaRevision.Action.MERGE)
