"""The planning information certificate: the planning report as a PDF (WeasyPrint) with a
map image from our own WMS (MapProxy called in-process as a WSGI app) and a QR code (segno)
linking back to the online report. Nothing is fetched from outside the application."""

from __future__ import annotations

import base64
import functools
import io
import logging
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import segno
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from rest_framework.renderers import BaseRenderer

from layers.models import LandParcel
from tiles import basemap
from tiles.config import tile_layers
from tiles.service import mapproxy_app

log = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO: not news in a server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MAP_SIZE_PX = (1000, 600)
# Drawn bottom to top; whichever of these MapProxy serves.
MAP_LAYERS = (basemap.KEY, "zoning", "red_lines", "parcels")
MIN_SPAN_M = 160.0  # Web Mercator metres across the map at least (about 150 m on the ground)
OUTLINE = (227, 26, 28)  # #e31a1c, the map's highlight colour


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource that is not ours."""


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class OwnResourcesOnly(URLFetcher):
        """Only inline ``data:`` resources: the certificate carries its map, QR code and
        styles itself, so any other URL (a CDN font, an image in injected text) is refused."""

        def fetch(self, url: str, headers: Any = None):
            if not url.startswith("data:"):
                raise RefusedFetch(f"refused to fetch {url!r}: the certificate loads nothing")
            return super().fetch(url, headers)

    return OwnResourcesOnly


def url_fetcher():
    """WeasyPrint's fetcher, allowed the ``data`` scheme only."""
    return _fetcher_class()(allowed_protocols={"data"}, allow_redirects=False)


def map_extent(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A box around ``bounds`` (EPSG:3857) with the image's aspect and room around it."""
    minx, miny, maxx, maxy = bounds
    width_px, height_px = MAP_SIZE_PX
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x = max((maxx - minx) * 2.5, (maxy - miny) * 2.5 * width_px / height_px, MIN_SPAN_M)
    span_y = span_x * height_px / width_px
    return cx - span_x / 2, cy - span_y / 2, cx + span_x / 2, cy + span_y / 2


def wms_image(bbox: tuple[float, float, float, float], size: tuple[int, int]) -> bytes | None:
    """A PNG of our public layers from MapProxy's WMS, called in-process (no HTTP)."""
    served = {layer.name for layer in tile_layers()}
    query = {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetMap",
        "LAYERS": ",".join(name for name in MAP_LAYERS if name in served),
        "STYLES": "",
        "SRS": "EPSG:3857",
        "BBOX": ",".join(f"{v:.3f}" for v in bbox),
        "WIDTH": str(size[0]),
        "HEIGHT": str(size[1]),
        "FORMAT": "image/png",
        "TRANSPARENT": "false",
    }
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ.update(
        REQUEST_METHOD="GET",
        SCRIPT_NAME="/tiles",
        PATH_INFO="/service",
        QUERY_STRING=urlencode(query),
    )
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        captured["status"] = status
        captured["headers"] = {name.lower(): value for name, value in headers}
        return lambda data: None

    body_iter = mapproxy_app()(environ, start_response)
    try:
        body = b"".join(body_iter)
    finally:
        if hasattr(body_iter, "close"):
            body_iter.close()
    content_type = captured.get("headers", {}).get("content-type", "")
    # MapProxy answers a bad request with a 200 and an XML service exception.
    if not str(captured.get("status", "")).startswith("200") or content_type != "image/png":
        log.warning("WMS map for the certificate failed: %s %s", captured.get("status"), body[:200])
        return None
    return body


def draw_outline(png: bytes, parcel_3857, bbox, size: tuple[int, int]) -> bytes:
    """The parcel's outline over the map, in the map's highlight colour."""
    minx, miny, maxx, maxy = bbox
    sx, sy = size[0] / (maxx - minx), size[1] / (maxy - miny)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pen = ImageDraw.Draw(image)
    for polygon in parcel_3857:
        for ring in polygon:
            points = [((x - minx) * sx, (maxy - y) * sy) for x, y in ring]
            pen.line(points, fill=OUTLINE, width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def map_data_uri(parcel_id: int) -> str | None:
    parcel = LandParcel.objects.only("geom_3857").get(pk=parcel_id)
    bbox = map_extent(parcel.geom_3857.extent)
    png = wms_image(bbox, MAP_SIZE_PX)
    if png is None:
        return None
    png = draw_outline(png, parcel.geom_3857, bbox, MAP_SIZE_PX)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_url(request: HttpRequest, report: dict[str, Any]) -> str:
    """The online printable report, absolute (for the QR code)."""
    path = reverse("printable-report", args=[report["parcel"]["id"]])
    on = request.GET.get("date")
    return request.build_absolute_uri(path + (f"?{urlencode({'date': on})}" if on else ""))


def _css() -> str:
    path = finders.find("webmap/certificate.css")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def certificate_html(*, report: dict[str, Any], request: HttpRequest) -> str:
    url = report_url(request, report)
    plans = {zone["plan"]["id"]: zone["plan"] for zone in report["zoning"]}
    qr = segno.make(url, error="m")
    context = {
        "report": report,
        "plans": list(plans.values()),
        "map_src": map_data_uri(report["parcel"]["id"]),
        "qr_src": qr.svg_data_uri(scale=4, border=2),
        "report_url": url,
        "issued_at": timezone.localtime(),
        "css": _css(),
    }
    return render_to_string("webmap/certificate.html", context, request=request)


def certificate_pdf(*, report: dict[str, Any], request: HttpRequest) -> bytes:
    from weasyprint import HTML

    html = certificate_html(report=report, request=request)
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def certificate_filename(report: dict[str, Any]) -> str:
    p = report["parcel"]
    return f"planning-certificate-{p['commune']['code']}-{p['sheet']}-{p['number']}.pdf"


class CertificateRenderer(BaseRenderer):
    """``?format=pdf`` on the planning report: the certificate as a download."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        context = renderer_context or {}
        # The Django request under DRF's wrapper: templates and context processors want it.
        request = getattr(context["request"], "_request", context["request"])
        response = context["response"]
        response["Content-Disposition"] = f'attachment; filename="{certificate_filename(data)}"'
        return certificate_pdf(report=data, request=request)
