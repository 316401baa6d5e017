"""``/export/map.html?lat=&lon=&zoom=&layers=``: the current view as a standalone HTML
file built with folium over our own tile services, for planners to attach to a letter.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default; the map
here needs Leaflet only, from this host's static files (absolute URLs), so the file
makes no request outside our origin.

folium is imported when a map is first exported: it compiles some forty Jinja templates
on import (a quarter of a second), which every other request and every ``manage.py``
command (whose system checks load the URLconf) would otherwise pay at start-up."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from layers import registry
from tiles import basemap

ATTRIBUTION = "QuyHoach"


def _view(request: HttpRequest) -> tuple[float, float, int, list[str]]:
    """The view from the query: centre, zoom and the public raster layers shown."""
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        zoom = int(request.GET.get("zoom", 16))
    except (KeyError, ValueError):
        raise ValueError(_("Give lat, lon (degrees) and zoom.")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 22):
        raise ValueError(_("lat, lon or zoom out of range."))
    raster = {spec.key for spec in registry.all_layers() if spec.raster}
    keys = [key for key in request.GET.get("layers", "").split(",") if key]
    unknown = [key for key in keys if key not in raster]
    if unknown:
        raise ValueError(_("Unknown layer: %(keys)s.") % {"keys": ", ".join(unknown)})
    return lat, lon, zoom, keys


def standalone_map(*, origin: str, lat: float, lon: float, zoom: int, keys: list[str]) -> str:
    """The HTML of a folium map over this host's WMTS tiles (``origin``: scheme://host)."""
    import folium

    def tiles(key: str) -> str:
        return f"{origin}/tiles/wmts/{key}/webmercator/{{z}}/{{x}}/{{y}}.png"

    fmap = folium.Map(
        location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True, max_zoom=20
    )
    # Our own Leaflet instead of folium's CDN set (jQuery, Bootstrap, Font Awesome unused).
    fmap.default_js = [("leaflet", origin + static("vendor/leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", origin + static("vendor/leaflet/leaflet.css"))]
    folium.TileLayer(
        tiles(basemap.KEY), attr=ATTRIBUTION, name=_("Base map"), max_zoom=20, overlay=False
    ).add_to(fmap)
    language = get_language() or "vi"
    for key in keys:
        folium.TileLayer(
            tiles(key),
            attr=ATTRIBUTION,
            name=registry.get(key).title(language),
            overlay=True,
            max_zoom=20,
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    html = fmap.get_root().render()
    title = f"{_('Planning map')} — QuyHoach ({lat:.5f}, {lon:.5f}, z{zoom})"
    html = html.replace("<html>", f'<html lang="{language}">', 1)
    return html.replace("<head>", f"<head>\n<title>{escape(title)}</title>", 1)


@require_GET
def map_html(request: HttpRequest) -> HttpResponse:
    try:
        lat, lon, zoom, keys = _view(request)
    except ValueError as error:
        return JsonResponse({"detail": str(error)}, status=400)
    origin = request.build_absolute_uri("/").rstrip("/")
    html = standalone_map(origin=origin, lat=lat, lon=lon, zoom=zoom, keys=keys)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="quyhoach-{lat:.5f}-{lon:.5f}-z{zoom}.html"'
    )
    return response
