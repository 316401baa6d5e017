"""Planning API: the planning report (``/api/planning-report/``)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.models import LandParcel
from planning.report import known_srid, parcel_at, planning_report


def _number(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise ParseError(_("%(name)s must be a number.") % {"name": name}) from None


def _date(request: Request) -> datetime.date | None:
    raw = request.query_params.get("date")
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ParseError(_("date must be YYYY-MM-DD.")) from None


def _find_parcel(request: Request) -> LandParcel:
    params = request.query_params
    if "parcel" in params:
        try:
            pk = int(params["parcel"])
        except ValueError:
            raise ParseError(_("parcel must be a parcel id.")) from None
        parcel = LandParcel.objects.select_related("commune", "land_use").filter(pk=pk).first()
    elif "lon" in params or "lat" in params:
        lon, lat = _number(request, "lon"), _number(request, "lat")
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ParseError(_("Give lon and lat in degrees (WGS 84)."))
        parcel = parcel_at(lon=lon, lat=lat)
    elif "x" in params or "y" in params:
        x, y, srid = _number(request, "x"), _number(request, "y"), _number(request, "srid")
        if x is None or y is None:
            raise ParseError(_("Give x, y and srid (e.g. 9209 for VN-2000 / TM-3 105-30)."))
        srid_value = int(srid) if srid else 9209
        if not known_srid(srid_value):
            raise ParseError(_("Unknown srid %(srid)s.") % {"srid": srid_value})
        parcel = parcel_at(x=x, y=y, srid=srid_value)
    else:
        raise ParseError(_("Give parcel=ID, lon and lat, or x, y and srid."))
    if parcel is None:
        raise NotFound(_("No parcel there."))
    return parcel


class PlanningReportView(APIView):
    """The planning report of the parcel at a point or with an id (public)."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        on = _date(request)
        return Response(planning_report(parcel=_find_parcel(request), on=on))
