"""``/api/zoning/``: zoning areas as RFC 7946 GeoJSON; versioned writes for planners.

Read: everyone gets the zones of approved plans in force (``?date=YYYY-MM-DD`` answers as
the approved plans stood that day); planners and approvers also get the zones of draft
and in-review plans. ``?plan=ID`` and ``?bbox=minlon,minlat,maxlon,maxlat`` narrow it.
Write (planners, draft plans only): every write carries the ``version`` it read; a stale
one gets 409 with the zone as it is now under ``current``.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from gis.crs import WGS84
from planning import editing
from planning import editor_schema as doc
from planning.editing import EditError, Invalid, NotFound, StaleVersion, sees_drafts
from planning.models import Plan, ZoningArea, ZoningAreaRevision
from planning.plans_api import DomainView, error_response
from planning.report import zones_in_force

EDITABLE_STATUSES = (Plan.Status.DRAFT, Plan.Status.IN_REVIEW)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _day(raw: str | None) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            _("date must be YYYY-MM-DD."), {"date": [_("A date as YYYY-MM-DD.")]}
        ) from None


def _bbox(raw: str | None) -> Polygon | None:
    if not raw:
        return None
    try:
        minx, miny, maxx, maxy = (float(v) for v in raw.split(","))
    except ValueError:
        raise Invalid(
            _("bbox must be minlon,minlat,maxlon,maxlat."), {"bbox": [_("Four numbers.")]}
        ) from None
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise Invalid(
            _("bbox must be minlon,minlat,maxlon,maxlat."), {"bbox": [_("Out of range.")]}
        )
    box = Polygon.from_bbox((minx, miny, maxx, maxy))
    box.srid = WGS84  # PostGIS transforms it to the storage CRS in the query
    return box


def visible_zones(user: Any, *, on: datetime.date | None = None):
    """In force (on ``on``) for everyone; planners and approvers also see unapproved plans."""
    zones = zones_in_force(on)
    if on is None and sees_drafts(user):
        zones = ZoningArea.objects.filter(
            Q(pk__in=zones.values("pk")) | Q(plan__status__in=EDITABLE_STATUSES)
        )
    return zones


def _annotated(zones):
    return zones.select_related("plan", "land_use").annotate(
        geojson=AsGeoJSON(Transform("geom", WGS84), precision=9)
    )


def zone_feature(zone: ZoningArea) -> dict[str, Any]:
    plan = zone.plan
    return {
        "type": "Feature",
        "id": zone.pk,
        "geometry": json.loads(zone.geojson),
        "properties": {
            "plan": plan.pk,
            "plan_name": plan.name,
            "plan_status": plan.status,
            "decision_number": plan.decision_number,
            "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
            "zone_code": zone.zone_code,
            "land_use": zone.land_use.code,
            "color": zone.land_use.color,
            "max_coverage": _float(zone.max_coverage),
            "max_floors": zone.max_floors,
            "max_height_m": _float(zone.max_height_m),
            "max_far": _float(zone.max_far),
            "min_setback_m": _float(zone.min_setback_m),
            "version": zone.version,
            "superseded_on": zone.superseded_on.isoformat() if zone.superseded_on else None,
        },
    }


def _feature_of(zone_id: int) -> dict[str, Any] | None:
    zone = _annotated(ZoningArea.objects.filter(pk=zone_id)).first()
    return zone_feature(zone) if zone else None


class ZoningView(DomainView):
    def domain_error(self, error: EditError) -> Response:
        current = None
        if isinstance(error, StaleVersion) and error.current is not None:
            current = _feature_of(error.current.pk)
        return error_response(error, current)

    def write_fields(self) -> tuple[dict[str, Any], Any, str]:
        """(attributes, geometry, comment) from a GeoJSON Feature or a flat object."""
        data = self.body()
        properties = data.get("properties", data)
        if not isinstance(properties, dict):
            raise Invalid(_("properties must be an object."), {})
        return properties, data.get("geometry"), str(properties.get("comment") or "")


class ZoneList(ZoningView):
    @extend_schema(
        operation_id="api_zoning_list",
        parameters=doc.ZONE_LIST_PARAMETERS,
        responses=doc.ZoneCollection,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        zones = visible_zones(request.user, on=_day(params.get("date")))
        if params.get("plan"):
            try:
                zones = zones.filter(plan_id=int(params["plan"]))
            except ValueError:
                raise Invalid(_("plan must be a plan id."), {"plan": [_("A plan id.")]}) from None
        box = _bbox(params.get("bbox"))
        if box is not None:
            zones = zones.filter(geom__intersects=box)
        features = [zone_feature(z) for z in _annotated(zones).order_by("plan_id", "zone_code")]
        return Response({"type": "FeatureCollection", "features": features})

    @extend_schema(request=doc.ZoneWrite, responses=doc.responses(doc.ZoneFeature, 201))
    def post(self, request: Request) -> Response:
        attributes, geometry, comment = self.write_fields()
        try:
            plan_id = int(attributes.get("plan"))
        except (TypeError, ValueError):
            raise Invalid(_("Choose the plan."), {"plan": [_("A plan id.")]}) from None
        zone = editing.create_zone(
            plan_id=plan_id,
            geometry=geometry,
            attributes=attributes,
            by=request.user,
            comment=comment,
        )
        return Response(_feature_of(zone.pk), status=201)


class ZoneDetail(ZoningView):
    @extend_schema(responses=doc.ZoneFeature)
    def get(self, request: Request, pk: int) -> Response:
        zone = _annotated(visible_zones(request.user)).filter(pk=pk).first()
        if zone is None:
            raise NotFound(_("No such zoning area."))
        return Response(zone_feature(zone))

    @extend_schema(request=doc.ZoneWrite, responses=doc.responses(doc.ZoneFeature))
    def patch(self, request: Request, pk: int) -> Response:
        attributes, geometry, comment = self.write_fields()
        zone = editing.update_zone(
            zone_id=pk,
            version=attributes.get("version"),
            by=request.user,
            geometry=geometry,
            attributes=attributes,
            comment=comment,
        )
        return Response(_feature_of(zone.pk))

    @extend_schema(request=doc.ZoneWrite, responses=doc.responses(doc.ZoneFeature))
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)

    @extend_schema(
        parameters=[doc.OpenApiParameter("version", int, description="the version read")],
        responses=doc.responses(None, 204),
    )
    def delete(self, request: Request, pk: int) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        version = data.get("version", request.query_params.get("version"))
        editing.delete_zone(
            zone_id=pk, version=version, by=request.user, comment=str(data.get("comment") or "")
        )
        return Response(status=204)


class ZoneHistory(ZoningView):
    """Every saved version: who (planners and approvers only), when, why, before/after."""

    @extend_schema(responses=doc.ZoneHistorySchema)
    def get(self, request: Request, pk: int) -> Response:
        editor = sees_drafts(request.user)
        if not editor and not visible_zones(request.user).filter(pk=pk).exists():
            raise NotFound(_("No such zoning area."))
        revisions = (
            ZoningAreaRevision.objects.filter(zone_id=pk)
            .select_related("changed_by")
            .annotate(geojson=AsGeoJSON(Transform("geom", WGS84), precision=9))
            .order_by("version")
        )
        entries: list[dict[str, Any]] = []
        previous = None
        for revision in revisions:
            state = {
                "attributes": revision.attributes or None,
                "geometry": json.loads(revision.geojson) if revision.geojson else None,
            }
            entries.append(
                {
                    "version": revision.version,
                    "action": revision.action,
                    "comment": revision.comment,
                    "by": revision.changed_by.get_username()
                    if editor and revision.changed_by
                    else None,
                    "at": revision.changed_at.isoformat(),
                    "before": previous,
                    "after": state,
                }
            )
            previous = state
        if not entries and not ZoningArea.objects.filter(pk=pk).exists():
            raise NotFound(_("No such zoning area."))
        return Response({"zone": pk, "history": entries})


class ZoneRevert(ZoningView):
    """POST ``{"version": V, "current_version": N}``: restore version V as version N + 1."""

    @extend_schema(request=doc.RevertRequest, responses=doc.responses(doc.ZoneFeature))
    def post(self, request: Request, pk: int) -> Response:
        data = self.body()
        current = data.get("current_version")
        if current is None:  # without it, restore over whatever is there now
            current = ZoningArea.objects.filter(pk=pk).values_list("version", flat=True).first()
        zone = editing.revert_zone(
            zone_id=pk,
            version=current,
            to_version=data.get("version"),
            by=request.user,
            comment=str(data.get("comment") or ""),
        )
        return Response(_feature_of(zone.pk))


class ZoneSplit(ZoningView):
    """POST ``{"id", "version", "line": GeoJSON LineString, "comment"}``."""

    @extend_schema(request=doc.SplitRequest, responses=doc.responses(doc.ZoneCollection))
    def post(self, request: Request) -> Response:
        data = self.body()
        try:
            zone_id = int(data.get("id"))
        except (TypeError, ValueError):
            raise Invalid(_("Choose the zone to split."), {"id": [_("A zone id.")]}) from None
        zones = editing.split_zone(
            zone_id=zone_id,
            version=data.get("version"),
            line=data.get("line"),
            by=request.user,
            comment=str(data.get("comment") or ""),
        )
        features = [_feature_of(zone.pk) for zone in zones]
        return Response({"type": "FeatureCollection", "features": features})


class ZoneMerge(ZoningView):
    """POST ``{"zones": [{"id", "version"}, …], "comment"}``: into the first zone."""

    @extend_schema(request=doc.MergeRequest, responses=doc.responses(doc.ZoneFeature))
    def post(self, request: Request) -> Response:
        data = self.body()
        zone = editing.merge_zones(
            zones=data.get("zones"), by=request.user, comment=str(data.get("comment") or "")
        )
        return Response(_feature_of(zone.pk))


class QcvnSuggestion(ZoningView):
    """GET ``?land_use=ODT&lot_area_m2=200&height_m=21``: the QCVN 01:2021 coverage cap."""

    @extend_schema(parameters=doc.QCVN_PARAMETERS, responses=doc.QcvnSuggestionSchema)
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            lot = float(params.get("lot_area_m2", ""))
            height = float(params["height_m"]) if params.get("height_m") else None
        except ValueError:
            raise Invalid(
                _("Give the typical lot area in m²."), {"lot_area_m2": [_("Give a number.")]}
            ) from None
        value = editing.suggested_max_coverage(
            land_use=params.get("land_use", ""), lot_area_m2=lot, height_m=height
        )
        return Response(
            {
                "max_coverage": None if value is None else round(value, 3),
                "source": "QCVN 01:2021/BXD (tables 2.8, 2.10)",
            }
        )
