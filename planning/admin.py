"""Admin for plans and zoning areas."""

from django.contrib import admin

from gis.admin import MapAdmin
from planning import models


class ZoningAreaInline(admin.TabularInline):
    model = models.ZoningArea
    fields = ("zone_code", "land_use", "max_coverage", "max_floors", "max_height_m", "max_far")
    extra = 0
    show_change_link = True


@admin.register(models.Plan)
class PlanAdmin(MapAdmin):
    list_display = ("name", "level", "status", "decision_number", "approved_on")
    list_filter = ("level", "status")
    search_fields = ("name", "decision_number")
    readonly_fields = ("created_by", "approved_by", "created_at", "submitted_by", "submitted_at")
    inlines = [ZoningAreaInline]


@admin.register(models.ZoningArea)
class ZoningAreaAdmin(MapAdmin):
    list_display = ("zone_code", "plan", "land_use", "max_coverage", "max_floors", "version")
    list_filter = ("plan__status", "land_use")
    search_fields = ("zone_code", "plan__name")
    readonly_fields = ("version",)


@admin.register(models.ZoningAreaRevision)
class ZoningAreaRevisionAdmin(MapAdmin):
    """The editor's history, read-only: it is a record, changed only by saving zones."""

    list_display = ("zone_id", "version", "action", "changed_by", "changed_at", "plan")
    list_filter = ("action", "plan__status")
    search_fields = ("comment", "plan__name", "attributes__zone_code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
