"""Admin for the thematic layers; personal data shown to staff only, inline."""

from django.contrib import admin

from gis.admin import MapAdmin
from layers import models


@admin.register(models.AdminUnit)
class AdminUnitAdmin(MapAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "successor")


@admin.register(models.LandUseType)
class LandUseTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en", "group", "color", "retired_by")
    list_filter = ("group",)
    search_fields = ("code", "name_vi", "name_en")


class ParcelHolderInline(admin.StackedInline):
    model = models.ParcelHolder
    can_delete = False


@admin.register(models.LandParcel)
class LandParcelAdmin(MapAdmin):
    list_display = ("commune", "sheet", "number", "area_m2", "land_use_codes", "address")
    list_filter = ("land_use",)
    search_fields = ("address", "commune__name", "commune__code")
    raw_id_fields = ("commune",)
    list_select_related = ("commune",)
    inlines = [ParcelHolderInline]


@admin.register(models.Road)
class RoadAdmin(MapAdmin):
    list_display = ("code", "name", "road_class", "width_m", "planned_width_m")
    list_filter = ("road_class",)
    search_fields = ("code", "name")


@admin.register(models.RedLine)
class RedLineAdmin(MapAdmin):
    list_display = ("code", "road", "planned_width_m", "decision")
    search_fields = ("code", "decision")
    raw_id_fields = ("road",)


@admin.register(models.EnvironmentZone)
class EnvironmentZoneAdmin(MapAdmin):
    list_display = ("code", "name", "kind", "no_build")
    list_filter = ("kind", "no_build")
    search_fields = ("code", "name")


class MonitoringReadingInline(admin.TabularInline):
    model = models.MonitoringReading
    extra = 0


@admin.register(models.MonitoringStation)
class MonitoringStationAdmin(MapAdmin):
    list_display = ("code", "name", "medium")
    list_filter = ("medium",)
    search_fields = ("code", "name")


@admin.register(models.MonitoringReading)
class MonitoringReadingAdmin(admin.ModelAdmin):
    list_display = ("station", "parameter", "value", "unit", "measured_at")
    list_filter = ("parameter",)
    date_hierarchy = "measured_at"


class PermitApplicantInline(admin.StackedInline):
    model = models.PermitApplicant
    can_delete = False


@admin.register(models.ConstructionPermit)
class ConstructionPermitAdmin(MapAdmin):
    list_display = ("number", "works_name", "kind", "status", "received_on", "due_on", "issued_on")
    list_filter = ("status", "kind")
    search_fields = ("number", "works_name")
    date_hierarchy = "due_on"
    filter_horizontal = ("parcels",)
    inlines = [PermitApplicantInline]


@admin.register(models.ParcelHolder)
class ParcelHolderAdmin(admin.ModelAdmin):
    list_display = ("parcel", "holder_name", "certificate_number")
    search_fields = ("holder_name", "certificate_number", "id_number")
    raw_id_fields = ("parcel",)
    list_select_related = ("parcel",)


@admin.register(models.PermitApplicant)
class PermitApplicantAdmin(admin.ModelAdmin):
    list_display = ("permit", "name", "phone")
    search_fields = ("name", "id_number")
    raw_id_fields = ("permit",)
