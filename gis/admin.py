"""Admin defaults shared by every app: the offline map widget."""

from django.contrib.gis import admin

from gis.models import AuditEvent
from gis.widgets import OfflineMapWidget


class MapAdmin(admin.GISModelAdmin):
    """GIS admin with OpenLayers vendored locally and no internet tiles."""

    gis_widget = OfflineMapWidget


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody adds, edits or deletes its rows through the admin."""

    list_display = ("at", "kind", "username", "method", "path", "status", "object_id", "remote_ip")
    list_filter = ("kind", "method", "status")
    search_fields = ("username", "path", "remote_ip")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
