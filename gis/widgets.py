"""An OpenLayers map widget for the admin that works offline.

Django's own widget loads OpenLayers from a CDN and draws OpenStreetMap tiles from the
internet; this one uses OpenLayers vendored from the npm registry (``make`` copies it into
``webmap/static/vendor/ol``) and our own base-map tiles, centred on the province.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget


class OfflineMapWidget(OpenLayersWidget):
    template_name = "quyhoach/map_widget.html"

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs)
        lon, lat, zoom = settings.MAP_DEFAULT_VIEW
        self.attrs.setdefault("default_lon", lon)
        self.attrs.setdefault("default_lat", lat)
        self.attrs.setdefault("default_zoom", zoom)
        self.attrs.setdefault("base_tile_url", settings.BASEMAP_TILE_URL)
