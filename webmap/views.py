"""Pages: the public planning map."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from gis.crs import VN2000_TM3_MERIDIANS, tm3_proj4
from layers.models import LandParcel
from planning.report import planning_report


def printable_report(request: HttpRequest, parcel_id: int) -> HttpResponse:
    """The planning report of one parcel as a printable page."""
    parcel = get_object_or_404(
        LandParcel.objects.select_related("commune", "land_use"), pk=parcel_id
    )
    on = request.GET.get("date")
    try:
        day = datetime.date.fromisoformat(on) if on else None
    except ValueError:
        raise Http404("bad date") from None
    return render(request, "webmap/report.html", {"report": planning_report(parcel=parcel, on=day)})


def planning_map(request: HttpRequest) -> HttpResponse:
    lon, lat, zoom = settings.MAP_DEFAULT_VIEW
    labels = {
        "layers": _("Layers"),
        "opacity": _("Opacity"),
        "basemap": _("Base map"),
        "report": _("Planning report"),
        "loading": _("Loading…"),
        "no_parcel": _("No parcel here."),
        "error": _("The report could not be loaded."),
        "parcel": _("Parcel"),
        "sheet": _("Map sheet"),
        "number": _("Parcel number"),
        "legal_area": _("Legal area"),
        "land_use": _("Land use"),
        "zoning": _("Approved zoning"),
        "no_zoning": _("No approved zoning covers this parcel."),
        "zone": _("Zone"),
        "area": _("Area in the zone"),
        "share": _("share of the parcel"),
        "coverage": _("Max building coverage"),
        "floors": _("Max floors"),
        "height": _("Max height"),
        "far": _("Max land-use coefficient"),
        "red_line": _("Red line"),
        "red_line_cut": _("Area inside the planned road"),
        "not_affected": _("Not affected"),
        "constraints": _("Environmental constraints"),
        "none": _("None"),
        "no_build": _("building prohibited"),
        "decision": _("Decision"),
        "close": _("Close"),
        "no_results": _("Nothing found."),
        "print": _("Printable report"),
        "legend": _("Legend"),
        "here": _("Also at this place"),
        "planned_width": _("planned width"),
        "certificate": _("Download the certificate (PDF)"),
        "fullscreen": _("Full screen"),
        "fullscreen_exit": _("Leave full screen"),
        "locate": _("Show where I am"),
        "locate_error": _("Your location is not available."),
        "measure_tools": _("Measuring"),
        "measure_distance": _("Measure a distance"),
        "measure_area": _("Measure an area"),
        "measure_add": _("Add the point under the centre cross"),
        "measure_undo": _("Remove the last point"),
        "measure_finish": _("Stop measuring"),
        "measure_hint": _(
            "Click on the map, or move it with the arrow keys and press Enter, to add points."
        ),
        "distance_label": _("Distance"),
        "area_label": _("Area"),
        "print_map": _("Print the map"),
        "export_view": _("Export this view as an HTML file"),
        "parameter": _("Parameter"),
        "latest_reading": _("Latest reading"),
        "limit": _("Limit"),
        "status": _("Status"),
        "exceeds": _("exceeds the limit"),
        "within": _("within the limit"),
        "no_limit": _("no national limit"),
        "no_readings": _("No readings yet."),
        "recent_values": _("recent values"),
        "limits_note": _(
            "Limits of QCVN 05:2023/BTNMT (air), QCVN 08:2023/BTNMT (surface water), "
            "QCVN 09:2023/BTNMT (groundwater) and QCVN 26:2010/BTNMT (noise), transcribed: "
            "verify against the gazette."
        ),
    }
    srid = settings.GIS_SRID
    context = {
        "map_config": {
            "center": [lat, lon],
            "zoom": zoom,
            "labels": labels,
            # The same datum shift as PostGIS and pyproj (EPSG:6960, gis/crs.py).
            "vn2000": {"srid": srid, "proj4": tm3_proj4(VN2000_TM3_MERIDIANS[srid])}
            if srid in VN2000_TM3_MERIDIANS
            else None,
        },
    }
    return render(request, "webmap/map.html", context)
