"""OpenAPI descriptions of ``/api/plans/`` and ``/api/zoning/`` (drf-spectacular).

Documentation only: the views build their JSON themselves (RFC 7946 GeoJSON, WGS 84).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

__all__ = ["OpenApiParameter"]
from rest_framework import serializers

GEOMETRY = serializers.JSONField(help_text="RFC 7946 GeoJSON geometry (WGS 84 lon/lat)")


class ZoneProperties(serializers.Serializer):
    plan = serializers.IntegerField()
    plan_name = serializers.CharField()
    plan_status = serializers.CharField()
    decision_number = serializers.CharField()
    approved_on = serializers.DateField(allow_null=True)
    zone_code = serializers.CharField()
    land_use = serializers.CharField(help_text="land-use code, e.g. ODT")
    color = serializers.CharField()
    max_coverage = serializers.FloatField(allow_null=True, help_text="fraction 0-1")
    max_floors = serializers.IntegerField(allow_null=True)
    max_height_m = serializers.FloatField(allow_null=True)
    max_far = serializers.FloatField(allow_null=True)
    min_setback_m = serializers.FloatField(allow_null=True)
    version = serializers.IntegerField(help_text="send it back with every write")
    superseded_on = serializers.DateField(allow_null=True)


class ZoneFeature(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.IntegerField()
    geometry = GEOMETRY
    properties = ZoneProperties()


class ZoneCollection(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = ZoneFeature(many=True)


class ZoneWriteProperties(serializers.Serializer):
    plan = serializers.IntegerField(required=False, help_text="on create")
    version = serializers.IntegerField(required=False, help_text="the version read (updates)")
    zone_code = serializers.CharField(required=False)
    land_use = serializers.CharField(required=False)
    max_coverage = serializers.FloatField(required=False, allow_null=True)
    max_floors = serializers.IntegerField(required=False, allow_null=True)
    max_height_m = serializers.FloatField(required=False, allow_null=True)
    max_far = serializers.FloatField(required=False, allow_null=True)
    min_setback_m = serializers.FloatField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, help_text="why (kept in the history)")


class ZoneWrite(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    geometry = serializers.JSONField(required=False, help_text="Polygon/MultiPolygon, WGS 84")
    properties = ZoneWriteProperties()


class ZoneState(serializers.Serializer):
    attributes = serializers.JSONField(allow_null=True)
    geometry = serializers.JSONField(allow_null=True)


class HistoryEntry(serializers.Serializer):
    version = serializers.IntegerField()
    action = serializers.CharField()
    comment = serializers.CharField()
    by = serializers.CharField(allow_null=True, help_text="planners and approvers only")
    at = serializers.DateTimeField()
    before = ZoneState(allow_null=True)
    after = ZoneState()


class ZoneHistorySchema(serializers.Serializer):
    zone = serializers.IntegerField()
    history = HistoryEntry(many=True)


class RevertRequest(serializers.Serializer):
    version = serializers.IntegerField(help_text="the version to restore")
    current_version = serializers.IntegerField(required=False, help_text="the version read")
    comment = serializers.CharField(required=False)


class SplitRequest(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    line = serializers.JSONField(help_text="GeoJSON LineString across the zone (WGS 84)")
    comment = serializers.CharField(required=False)


class ZoneVersion(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class MergeRequest(serializers.Serializer):
    zones = ZoneVersion(many=True, help_text="the first keeps its attributes")
    comment = serializers.CharField(required=False)


class QcvnSuggestionSchema(serializers.Serializer):
    max_coverage = serializers.FloatField(allow_null=True)
    source = serializers.CharField()


class PlanProperties(serializers.Serializer):
    name = serializers.CharField()
    level = serializers.CharField()
    level_name = serializers.CharField()
    status = serializers.CharField()
    status_name = serializers.CharField()
    decision_number = serializers.CharField()
    approved_on = serializers.DateField(allow_null=True)
    superseded_on = serializers.DateField(allow_null=True)
    return_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    approved_by = serializers.CharField(allow_null=True)
    zone_count = serializers.IntegerField()
    actions = serializers.ListField(child=serializers.CharField())


class PlanFeature(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.IntegerField()
    geometry = GEOMETRY
    properties = PlanProperties()


class PlanCollection(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = PlanFeature(many=True)


class PlanWriteProperties(serializers.Serializer):
    name = serializers.CharField(required=False)
    level = serializers.CharField(required=False)


class PlanWrite(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    geometry = serializers.JSONField(required=False, help_text="the boundary, WGS 84")
    properties = PlanWriteProperties()


class ApproveRequest(serializers.Serializer):
    decision_number = serializers.CharField()
    approved_on = serializers.DateField()


class ReturnRequest(serializers.Serializer):
    reason = serializers.CharField()


class ValidationErrorSchema(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    overlap = serializers.JSONField(allow_null=True, help_text="overlap with other zones")
    outside = serializers.JSONField(allow_null=True, help_text="part outside the boundary")


class ConflictSchema(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="stale_version or invalid_state")
    current = ZoneFeature(required=False, allow_null=True, help_text="the zone as it is now")


def responses(ok: Any, status: int = 200) -> dict[Any, Any]:
    return {
        status: ok,
        400: OpenApiResponse(ValidationErrorSchema, description="invalid input"),
        409: OpenApiResponse(ConflictSchema, description="stale version or wrong plan state"),
    }


ZONE_LIST_PARAMETERS = [
    OpenApiParameter("date", OpenApiTypes.DATE, description="as the approved plans stood"),
    OpenApiParameter("plan", int, description="one plan's zones"),
    OpenApiParameter("bbox", str, description="minlon,minlat,maxlon,maxlat (WGS 84)"),
]
QCVN_PARAMETERS = [
    OpenApiParameter("land_use", str, description="land-use code (ODT, ONT, TMD)"),
    OpenApiParameter("lot_area_m2", float, description="typical lot area"),
    OpenApiParameter("height_m", float, description="building height (commercial table)"),
]
PLAN_LIST_PARAMETERS = [OpenApiParameter("status", str, description="draft, in_review, …")]
