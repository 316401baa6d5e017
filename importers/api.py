"""``/api/plans/ID/import/``: a zoning file (zipped shapefile, GeoPackage, GeoJSON) loaded
into a draft plan through the same importer as ``import_layer zoning --plan ID``.

All or nothing: the file is imported, then every zone of the plan is checked as the editor
checks one (inside the plan boundary, no overlap with the plan's other zones); on any
problem nothing stays and the answer lists the zones to fix.
"""

from __future__ import annotations

import shutil
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from importers.services import ImportOptions, run_import
from importers.uploads import save_upload
from planning.editing import is_planner
from planning.models import Plan
from planning.zone_validation import Invalid, check_geometry


class _Rollback(Exception):
    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems


class PlanZoningImport(APIView):
    """Load a zoning file into a draft plan (planners)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        if not is_planner(request.user):
            return _error(status.HTTP_403_FORBIDDEN, _("Only planners may edit plans."))
        plan = Plan.objects.filter(pk=pk).first()
        if plan is None:
            return _error(status.HTTP_404_NOT_FOUND, _("No such plan."))
        if plan.status != Plan.Status.DRAFT:
            return _error(status.HTTP_409_CONFLICT, _("Only draft plans can be edited."))
        upload = request.FILES.get("file")
        if upload is None:
            return _error(status.HTTP_400_BAD_REQUEST, _("Choose a file to load."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            return _error(status.HTTP_400_BAD_REQUEST, _("The file is over the size limit."))
        path = save_upload(upload)
        try:
            with transaction.atomic():
                report = run_import(
                    layer="zoning",
                    path=path,
                    options=ImportOptions(plan_id=plan.pk),
                    user=request.user,
                )
                if not report.ok:
                    return _error(status.HTTP_400_BAD_REQUEST, report.error)
                problems = _problems(plan)
                if problems:
                    raise _Rollback(problems)
        except _Rollback as rollback:
            return Response(
                {
                    "detail": _("Nothing was loaded: some zones need correcting."),
                    "problems": rollback.problems,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        return Response(
            {
                "detail": _(
                    "%(created)s zones created, %(updated)s updated, %(unchanged)s unchanged."
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": [{"feature": k, "reason": v} for k, v in report.rejected.items()],
                "warnings": report.warnings,
            }
        )


def _problems(plan: Plan) -> list[dict[str, Any]]:
    plan.refresh_from_db()
    problems = []
    for zone in plan.zones.order_by("zone_code"):
        try:
            check_geometry(plan=plan, geom=zone.geom, exclude=(zone.pk,))
        except Invalid as invalid:
            problems.append({"zone": zone.zone_code, "errors": invalid.errors})
    return problems


def _error(code: int, detail: str) -> Response:
    return Response({"detail": detail}, status=code)
