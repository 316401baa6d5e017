"""Planning API: the planning report (``/api/planning-report/``); ``&format=pdf`` gives the
printable certificate through a renderer that a higher layer (webmap) registers here."""

from __future__ import annotations

import datetime
import math

from django.db import InternalError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.models import LandParcel
from planning.renderers import report_renderers
from planning.report import known_srid, planning_report, report_at
from planning.report_schema import PlanningReportSerializer


def _number(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # "nan", "inf": int(srid) and PostGIS would fail (500)
        raise ParseError(_("%(name)s must be a number.") % {"name": name})
    return value


def date_param(request: Request) -> datetime.date | None:
    """``?date=YYYY-MM-DD`` (as the plans stood that day), or None."""
    raw = request.query_params.get("date")
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ParseError(_("date must be YYYY-MM-DD.")) from None


def _report(request: Request, on: datetime.date | None) -> dict:
    """The report of the parcel the query names (one SQL statement; planning.report)."""
    params = request.query_params
    if "parcel" in params:
        try:
            pk = int(params["parcel"])
        except ValueError:
            raise ParseError(_("parcel must be a parcel id.")) from None
        try:
            report = planning_report(parcel=pk, on=on)
        except LandParcel.DoesNotExist:
            report = None
    elif "lon" in params or "lat" in params:
        lon, lat = _number(request, "lon"), _number(request, "lat")
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ParseError(_("Give lon and lat in degrees (WGS 84)."))
        report = report_at(lon=lon, lat=lat, on=on)
    elif "x" in params or "y" in params:
        x, y, srid = _number(request, "x"), _number(request, "y"), _number(request, "srid")
        if x is None or y is None:
            raise ParseError(_("Give x, y and srid (e.g. 9209 for VN-2000 / TM-3 105-30)."))
        srid_value = int(srid) if srid else 9209
        if not known_srid(srid_value):
            raise ParseError(_("Unknown srid %(srid)s.") % {"srid": srid_value})
        try:
            with transaction.atomic():
                report = report_at(x=x, y=y, srid=srid_value, on=on)
        except InternalError:  # PostGIS: "transform: Invalid coordinate" (e.g. lat 2314000)
            raise ParseError(_("x, y are not coordinates of that srid.")) from None
    else:
        raise ParseError(_("Give parcel=ID, lon and lat, or x, y and srid."))
    if report is None:
        raise NotFound(_("No parcel there."))
    return report


REPORT_SCHEMA = {
    "summary": "Planning report of a parcel",
    "description": "Give parcel=ID, lon and lat, or x, y and srid. "
    "Add format=pdf for the printable certificate (application/pdf).",
    "parameters": [
        OpenApiParameter("parcel", int, description="parcel id"),
        OpenApiParameter("lon", float, description="WGS 84 longitude (with lat)"),
        OpenApiParameter("lat", float, description="WGS 84 latitude (with lon)"),
        OpenApiParameter("x", float, description="easting (with y and srid)"),
        OpenApiParameter("y", float, description="northing (with x and srid)"),
        OpenApiParameter("srid", int, description="EPSG code of x, y (default 9209)"),
        OpenApiParameter("date", OpenApiTypes.DATE, description="as the plans stood that day"),
    ],
    "responses": {(200, "application/json"): PlanningReportSerializer},
}


class PlanningReportView(APIView):
    """The planning report of the parcel at a point or with an id (public)."""

    permission_classes = [AllowAny]

    def get_renderers(self) -> list[BaseRenderer]:
        return [*super().get_renderers(), *(renderer() for renderer in report_renderers())]

    def handle_exception(self, exc: Exception) -> Response:
        # Errors stay JSON {"detail": …} (CONTRACT.md), whatever format was asked for.
        response = super().handle_exception(exc)
        accepted = getattr(self.request, "accepted_renderer", None)
        if accepted is not None and accepted.format not in ("json", "api"):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(**REPORT_SCHEMA)
    def get(self, request: Request) -> Response:
        on = date_param(request)
        return Response(_report(request, on))
