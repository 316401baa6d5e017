"""Admin defaults shared by every app: the offline map widget."""

from django.contrib.gis import admin

from gis.widgets import OfflineMapWidget


class MapAdmin(admin.GISModelAdmin):
    """GIS admin with OpenLayers vendored locally and no internet tiles."""

    gis_widget = OfflineMapWidget
