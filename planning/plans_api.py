"""``/api/plans/``: planning projects and their lifecycle (CONTRACT.md, "HTTP").

Planners create and edit drafts and submit them; plan approvers approve or return them;
everyone else reads approved (and superseded) plans. Boundaries are RFC 7946 GeoJSON.
Views parse input, call one service of ``planning.lifecycle`` and shape the response;
domain errors become ``{"detail": …, "errors": …}`` with 400/403/404/409.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gis.crs import WGS84
from planning import editor_schema as doc
from planning import lifecycle
from planning.editing import EditError, Invalid, NotFound, StaleVersion, sees_drafts
from planning.models import Plan, ZoningArea


def error_response(error: EditError, current: Any = None) -> Response:
    body: dict[str, Any] = {"detail": error.detail}
    if isinstance(error, Invalid):
        from planning.editing import to_wgs84_geojson

        body["errors"] = error.errors
        body["overlap"] = to_wgs84_geojson(error.overlap)
        body["outside"] = to_wgs84_geojson(error.outside)
    code = getattr(error, "code", None)
    if code:
        body["code"] = code
    if isinstance(error, StaleVersion):
        body["current"] = current
    return Response(body, status=error.status)


class DomainView(APIView):
    """Reads are open to all (services decide who sees what); writes check the role in the
    service and domain errors map to JSON responses."""

    permission_classes = [AllowAny]
    # Writes are JSON documents; a form or multipart body is 415, not a half-read dict.
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ParseError):  # malformed JSON: the same 400 body as Invalid
            exc = Invalid(str(exc.detail))
        if isinstance(exc, EditError):
            return self.domain_error(exc)
        return super().handle_exception(exc)

    def domain_error(self, error: EditError) -> Response:
        return error_response(error)

    def body(self) -> dict[str, Any]:
        data = self.request.data
        if not isinstance(data, dict):
            raise Invalid(_("Send a JSON object."), {})
        if not isinstance(data.get("properties", {}), dict):
            raise Invalid(_("properties must be a JSON object."), {})
        return data


def plans_queryset(user: Any):
    return (
        lifecycle.visible_plans(user)
        .annotate(
            geojson=AsGeoJSON(Transform("geom", WGS84), precision=9),
            # A subquery, not Count("zones"): with a join PostgreSQL would group by the
            # GeoJSON expression and transform the boundary once per zone (1.4 s → 30 ms).
            zone_count=Coalesce(
                Subquery(
                    ZoningArea.objects.filter(plan=OuterRef("pk"))
                    .order_by()
                    .values("plan")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .select_related("created_by", "approved_by")
        .order_by("-created_at", "pk")
    )


def plan_feature(plan: Plan, user: Any) -> dict[str, Any]:
    editor = sees_drafts(user)

    def who(person: Any) -> str | None:
        return person.get_username() if editor and person else None

    return {
        "type": "Feature",
        "id": plan.pk,
        "geometry": json.loads(plan.geojson),
        "properties": {
            "name": plan.name,
            "level": plan.level,
            "level_name": plan.get_level_display(),
            "status": plan.status,
            "status_name": plan.get_status_display(),
            "decision_number": plan.decision_number,
            "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
            "superseded_on": plan.superseded_on.isoformat() if plan.superseded_on else None,
            "return_reason": plan.return_reason if editor else "",
            "submitted_at": plan.submitted_at.isoformat() if plan.submitted_at else None,
            "created_by": who(plan.created_by),
            "approved_by": who(plan.approved_by),
            "zone_count": plan.zone_count,
            "actions": lifecycle.allowed_actions(plan, user),
        },
    }


def _one(plan_id: int, user: Any) -> dict[str, Any]:
    plan = plans_queryset(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("No such plan."))
    return plan_feature(plan, user)


class PlanList(DomainView):
    """GET: the plans the user may see (``?status=``); POST: a new draft (planners)."""

    @extend_schema(
        operation_id="api_plans_list",
        parameters=doc.PLAN_LIST_PARAMETERS,
        responses=doc.PlanCollection,
    )
    def get(self, request: Request) -> Response:
        plans = plans_queryset(request.user)
        status = request.query_params.get("status")
        if status:
            if status not in Plan.Status.values:  # also keeps NUL bytes away from SQL
                raise Invalid(_("Unknown plan status."), {})
            plans = plans.filter(status=status)
        features = [plan_feature(plan, request.user) for plan in plans]
        return Response({"type": "FeatureCollection", "features": features})

    @extend_schema(request=doc.PlanWrite, responses=doc.responses(doc.PlanFeature, 201))
    def post(self, request: Request) -> Response:
        data = self.body()
        fields = {**data.get("properties", {}), "geometry": data.get("geometry")}
        plan = lifecycle.create_plan(data=fields, by=request.user)
        return Response(_one(plan.pk, request.user), status=201)


class PlanDetail(DomainView):
    @extend_schema(responses=doc.PlanFeature)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_one(pk, request.user))

    @extend_schema(request=doc.PlanWrite, responses=doc.responses(doc.PlanFeature))
    def patch(self, request: Request, pk: int) -> Response:
        data = self.body()
        fields = dict(data.get("properties", {}))
        if "geometry" in data:
            fields["geometry"] = data["geometry"]
        lifecycle.update_plan(plan_id=pk, data=fields, by=request.user)
        return Response(_one(pk, request.user))

    @extend_schema(request=doc.PlanWrite, responses=doc.responses(doc.PlanFeature))
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)


class PlanSubmit(DomainView):
    @extend_schema(request=None, responses=doc.responses(doc.PlanFeature))
    def post(self, request: Request, pk: int) -> Response:
        lifecycle.submit_plan(plan_id=pk, by=request.user)
        return Response(_one(pk, request.user))


class PlanApprove(DomainView):
    @extend_schema(request=doc.ApproveRequest, responses=doc.responses(doc.PlanFeature))
    def post(self, request: Request, pk: int) -> Response:
        data = self.body()
        lifecycle.approve_plan(
            plan_id=pk,
            by=request.user,
            decision_number=data.get("decision_number"),
            approved_on=data.get("approved_on"),
        )
        return Response(_one(pk, request.user))


class PlanReturn(DomainView):
    @extend_schema(request=doc.ReturnRequest, responses=doc.responses(doc.PlanFeature))
    def post(self, request: Request, pk: int) -> Response:
        data = self.body()
        lifecycle.return_plan(plan_id=pk, by=request.user, reason=data.get("reason"))
        return Response(_one(pk, request.user))
