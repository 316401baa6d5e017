"""Permit API (CONTRACT.md ``/api/permits/``): officers list, register, edit, check and decide;
everyone else sees issued permits' public fields only. RFC 7946 GeoJSON (WGS 84)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import shapely.geometry
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer
from shapely.errors import ShapelyError

from layers import registry
from layers.models import AdminUnit, ConstructionPermit, LandParcel
from layers.serializers import AnnotatedGeometryField
from planning import permits
from planning.api import date_param
from planning.compliance import check_permit

OFFICER_GROUP = "permit_officer"


def is_permit_officer(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=OFFICER_GROUP).exists())
    )


class IsPermitOfficer(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_permit_officer(request.user)


class PermitPagination(GeoJsonPagination):
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


# --- Output -------------------------------------------------------------------------------


class PublicPermitSerializer(GeoFeatureModelSerializer):
    """The fields of the public ``permits`` layer (layers/maplayers.py): no applicant, no
    works name (it often carries the owner's name)."""

    height_m = serializers.FloatField()
    # Annotated by the views as Transform(geom, 4326): RFC 7946 coordinates.
    geom = AnnotatedGeometryField(source="geom_wgs84", read_only=True)

    class Meta:
        model = ConstructionPermit
        geo_field = "geom"
        # The public layer's declaration is the one list of what the public may see.
        fields = ("id", *registry.get("permits").public_fields, "geom")


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ParcelRefSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    area_m2 = serializers.FloatField()

    class Meta:
        model = LandParcel
        fields = ("id", "commune", "commune_name", "sheet", "number", "area_m2")


class OfficerPermitSerializer(GeoFeatureModelSerializer):
    height_m = serializers.FloatField()
    gross_floor_area_m2 = serializers.FloatField(allow_null=True)
    ground_floor_area_m2 = serializers.FloatField(allow_null=True)
    parcels = ParcelRefSerializer(many=True)
    applicant = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    # Annotated by the views as Transform(geom, 4326): RFC 7946 coordinates.
    geom = AnnotatedGeometryField(source="geom_wgs84", read_only=True)

    class Meta:
        model = ConstructionPermit
        geo_field = "geom"
        fields = (
            "id",
            "number",
            "kind",
            "works_type",
            "status",
            "works_name",
            "parcels",
            "intended_use",
            "floors",
            "basements",
            "height_m",
            "gross_floor_area_m2",
            "ground_floor_area_m2",
            "received_on",
            "due_on",
            "overdue",
            "decided_on",
            "issued_on",
            "reasons",
            "applicant",
            "geom",
        )

    @extend_schema_field(ApplicantSerializer(allow_null=True))
    def get_applicant(self, permit: ConstructionPermit) -> dict[str, str] | None:
        applicant = getattr(permit, "applicant", None)
        return ApplicantSerializer(applicant).data if applicant else None

    def get_overdue(self, permit: ConstructionPermit) -> bool:
        return permits.is_overdue(permit)


class CheckRuleSerializer(serializers.Serializer):
    """One rule of the check (CONTRACT.md, "Permit check")."""

    rule = serializers.CharField()
    passed = serializers.BooleanField()
    status = serializers.ChoiceField(["passed", "failed", "skipped"])
    required = serializers.CharField()
    actual = serializers.CharField()
    message = serializers.CharField()


class CheckZoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    zone = serializers.CharField()
    plan = serializers.CharField()
    decision = serializers.CharField()
    land_use = serializers.CharField()


class CheckResultSerializer(serializers.Serializer):
    compliant = serializers.BooleanField()
    on = serializers.DateField()
    lot_area_m2 = serializers.FloatField()
    footprint_area_m2 = serializers.FloatField(allow_null=True)
    zone = CheckZoneSerializer(allow_null=True)
    rules = CheckRuleSerializer(many=True)


# --- Input --------------------------------------------------------------------------------


class ParcelKeySerializer(serializers.Serializer):
    commune = serializers.CharField(max_length=10)
    sheet = serializers.IntegerField(min_value=1)
    number = serializers.IntegerField(min_value=1)


class PermitInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ConstructionPermit.Kind.choices)
    works_type = serializers.ChoiceField(ConstructionPermit.WorksType.choices, required=False)
    works_name = serializers.CharField(max_length=255)
    intended_use = serializers.CharField(max_length=8, required=False, allow_blank=True)
    floors = serializers.IntegerField(min_value=1, max_value=200)
    basements = serializers.IntegerField(min_value=0, max_value=20, required=False)
    height_m = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    gross_floor_area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=1, min_value=Decimal(0), required=False, allow_null=True
    )
    ground_floor_area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=1, min_value=Decimal(0), required=False, allow_null=True
    )
    received_on = serializers.DateField(required=False)
    parcels = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False
    )
    parcel_keys = ParcelKeySerializer(many=True, required=False)
    applicant = ApplicantSerializer(required=False)
    geometry = serializers.JSONField(required=False, allow_null=True)

    MODEL_FIELDS = (
        "kind",
        "works_type",
        "works_name",
        "intended_use",
        "floors",
        "basements",
        "height_m",
        "gross_floor_area_m2",
        "ground_floor_area_m2",
        "received_on",
    )

    def validate_intended_use(self, value: str) -> str:
        return value.strip().upper()

    def validate_geometry(self, value: Any) -> GEOSGeometry | None:
        if value is None:
            return None
        # Parsed by shapely, not GDAL: user input never reaches GDAL's SRS handling.
        try:
            shape = shapely.geometry.shape(value)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError, ShapelyError):
            raise serializers.ValidationError(_("Not a GeoJSON geometry.")) from None
        if shape.is_empty:
            raise serializers.ValidationError(_("The footprint is empty."))
        try:
            return permits.as_footprint(GEOSGeometry(memoryview(shape.wkb), srid=4326))
        except permits.PermitError as error:
            raise serializers.ValidationError(error.message) from None

    def resolved_parcels(self) -> list[LandParcel] | None:
        data = self.validated_data
        found: list[LandParcel] = []
        if "parcels" in data:
            by_id = LandParcel.objects.in_bulk(data["parcels"])
            missing = [pk for pk in data["parcels"] if pk not in by_id]
            if missing:
                raise ParseError(_("Unknown parcel ids: %(ids)s") % {"ids": missing})
            found += [by_id[pk] for pk in data["parcels"]]
        for key in data.get("parcel_keys", []):
            parcel = find_parcel(**key)
            if parcel is None:
                raise ParseError(
                    _("No parcel %(number)s on sheet %(sheet)s in commune %(commune)s.") % key
                )
            found.append(parcel)
        if "parcels" not in data and "parcel_keys" not in data:
            return None
        return found


def find_parcel(*, commune: str, sheet: int, number: int) -> LandParcel | None:
    unit = AdminUnit.objects.filter(code=commune).first()
    if unit is None:
        return None
    return LandParcel.objects.filter(commune=unit, sheet=sheet, number=number).first()


def _payload(request: Request) -> dict[str, Any]:
    """Flat JSON, or a GeoJSON Feature whose properties are the fields."""
    data = request.data
    if not isinstance(data, dict):
        raise ParseError(_("Send a JSON object."))
    if data.get("type") == "Feature":
        merged = dict(data.get("properties") or {})
        if "geometry" in data:
            merged["geometry"] = data["geometry"]
        return merged
    return dict(data)


# --- Views --------------------------------------------------------------------------------


def _with_wgs84(queryset: QuerySet[ConstructionPermit]) -> QuerySet[ConstructionPermit]:
    return queryset.annotate(geom_wgs84=Transform("geom", 4326))


def _officer_queryset() -> QuerySet[ConstructionPermit]:
    return _with_wgs84(
        ConstructionPermit.objects.select_related("applicant").prefetch_related("parcels__commune")
    )


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ParseError(_("overdue must be true or false."))


def _invalid(serializer: serializers.Serializer) -> Response:
    """400 in the API's error shape, with the per-field messages beside it."""
    return Response({"detail": _("Invalid permit data."), "errors": serializer.errors}, status=400)


def _error(error: permits.PermitError) -> Response:
    return Response({"detail": error.message}, status=error.status)


class PermitList(APIView):
    """List (officers: all, filtered by ``status`` and ``overdue``; everyone else: issued
    permits, public fields) and register (officers)."""

    pagination_class = PermitPagination

    @extend_schema(
        operation_id="permits_list",
        summary="Construction permits",
        description="Permit officers: every permit with its applicant, due date and "
        "overdue flag. Everyone else: issued permits' public fields only "
        "(number, kind, issued_on, floors, basements, height_m).",
        parameters=[
            OpenApiParameter("status", str, description="comma-separated statuses"),
            OpenApiParameter("overdue", bool, description="undecided and past the due date"),
            OpenApiParameter("limit", int, description="features per page (≤ 1000)"),
            OpenApiParameter("page", int),
        ],
        responses=OfficerPermitSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        officer = is_permit_officer(request.user)
        params = request.query_params
        if officer:
            queryset = _officer_queryset()
        else:
            queryset = _with_wgs84(ConstructionPermit.objects.filter(status="issued"))
        if params.get("status"):
            statuses = params["status"].split(",")
            valid = {choice.value for choice in ConstructionPermit.Status}
            if not set(statuses) <= valid:
                raise ParseError(_("Unknown status."))
            queryset = queryset.filter(status__in=statuses)
        if params.get("overdue"):
            overdue = permits.overdue_filter()
            queryset = (
                queryset.filter(overdue) if _bool(params["overdue"]) else queryset.exclude(overdue)
            )
        queryset = (
            queryset.order_by("due_on", "pk") if officer else queryset.order_by("-issued_on", "pk")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        serializer = OfficerPermitSerializer if officer else PublicPermitSerializer
        return paginator.get_paginated_response(serializer(page, many=True).data)

    @extend_schema(
        operation_id="permits_create",
        summary="Register a permit application (permit officers)",
        request=PermitInputSerializer,
        responses={201: OfficerPermitSerializer},
    )
    def post(self, request: Request) -> Response:
        if not is_permit_officer(request.user):
            raise PermissionDenied(_("Only permit officers register permits."))
        serializer = PermitInputSerializer(data=_payload(request))
        if not serializer.is_valid():
            return _invalid(serializer)
        data = serializer.validated_data
        fields = {k: data[k] for k in PermitInputSerializer.MODEL_FIELDS if k in data}
        try:
            permit = permits.register_permit(
                fields=fields,
                parcels=serializer.resolved_parcels() or [],
                applicant=data.get("applicant"),
                footprint=data.get("geometry"),
            )
        except permits.PermitError as error:
            return _error(error)
        output = OfficerPermitSerializer(_officer_queryset().get(pk=permit.pk)).data
        return Response(output, status=status.HTTP_201_CREATED)


class PermitDetail(APIView):
    @extend_schema(
        operation_id="permits_retrieve",
        summary="One permit (officers: all of it; others: an issued permit's public fields)",
        responses=OfficerPermitSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        if is_permit_officer(request.user):
            permit = get_object_or_404(_officer_queryset(), pk=pk)
            return Response(OfficerPermitSerializer(permit).data)
        permit = get_object_or_404(
            _with_wgs84(ConstructionPermit.objects.filter(status="issued")), pk=pk
        )
        return Response(PublicPermitSerializer(permit).data)

    @extend_schema(
        operation_id="permits_update",
        request=PermitInputSerializer,
        responses=OfficerPermitSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        operation_id="permits_partial_update",
        summary="Change an application, e.g. its footprint (GeoJSON geometry, WGS 84)",
        request=PermitInputSerializer,
        responses=OfficerPermitSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        if not is_permit_officer(request.user):
            raise PermissionDenied(_("Only permit officers change permits."))
        permit = get_object_or_404(ConstructionPermit, pk=pk)
        payload = _payload(request)
        serializer = PermitInputSerializer(data=payload, partial=partial)
        if not serializer.is_valid():
            return _invalid(serializer)
        data = serializer.validated_data
        fields = {k: data[k] for k in PermitInputSerializer.MODEL_FIELDS if k in data}
        try:
            permits.update_permit(
                permit=permit,
                fields=fields,
                parcels=serializer.resolved_parcels(),
                applicant=data.get("applicant"),
                footprint=data["geometry"] if "geometry" in payload else False,
            )
        except permits.PermitError as error:
            return _error(error)
        return Response(OfficerPermitSerializer(_officer_queryset().get(pk=pk)).data)


class PermitCheck(APIView):
    """``/api/permits/ID/check/``: the compliance check (CONTRACT.md, "Permit check")."""

    permission_classes = [IsPermitOfficer]

    @extend_schema(
        operation_id="permits_check",
        summary="Compliance check against the zoning in force",
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (default today)")],
        responses=CheckResultSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        permit = get_object_or_404(ConstructionPermit, pk=pk)
        return Response(check_permit(permit=permit, on=date_param(request)))

    @extend_schema(
        operation_id="permits_check_run",
        summary="Run the compliance check (a received application moves to checking)",
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (default today)")],
        request=None,
        responses=CheckResultSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        """The same check; a received application moves to "being checked"."""
        permit = get_object_or_404(ConstructionPermit, pk=pk)
        return Response(permits.run_check(permit=permit, on=date_param(request)))


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(permits.DECISIONS)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    number = serializers.CharField(required=False, allow_blank=True, max_length=40)


class PermitDecide(APIView):
    """``/api/permits/ID/decide/``: approve, reject, return or issue (409 when the status
    does not allow it)."""

    permission_classes = [IsPermitOfficer]

    @extend_schema(
        operation_id="permits_decide",
        summary="Approve, refuse, return or issue",
        request=DecisionSerializer,
        responses=OfficerPermitSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        permit = get_object_or_404(ConstructionPermit, pk=pk)
        serializer = DecisionSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(
                {"detail": _("Invalid decision."), "errors": serializer.errors}, status=400
            )
        try:
            permits.decide_permit(permit=permit, **serializer.validated_data)
        except permits.PermitError as error:
            return _error(error)
        return Response(OfficerPermitSerializer(_officer_queryset().get(pk=pk)).data)
