"""Public GeoJSON of parcels (RFC 7946: WGS 84 lon/lat). Only the registry's public fields."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.models import LandParcel


@extend_schema_field(OpenApiTypes.OBJECT)
class AnnotatedGeometryField(GeometryField):
    """A geometry the view annotates (no model field of that name); the OpenAPI document
    takes its GeoJSON type from the serializer's ``geo_field`` instead."""


class PublicParcelSerializer(GeoFeatureModelSerializer):
    commune = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    land_use = serializers.CharField(source="land_use.code")
    area_m2 = serializers.FloatField()
    # Annotated by the view as Transform(geom, 4326): RFC 7946 coordinates. Named after the
    # model field so the OpenAPI document knows its type (MultiPolygon); GeoJSON calls it
    # "geometry" either way.
    geom = AnnotatedGeometryField(source="geom_wgs84", read_only=True)

    class Meta:
        model = LandParcel
        geo_field = "geom"
        fields = (
            "id",
            "commune",
            "commune_name",
            "sheet",
            "number",
            "area_m2",
            "land_use_codes",
            "land_use",
            "address",
            "geom",
        )


# --- Response shapes of the JSON endpoints, for the OpenAPI document -------------------
# The views build these answers in their services (layers.catalogue, layers.search,
# layers.identify); the serializers below only describe them.


class LegendEntrySerializer(serializers.Serializer):
    label = serializers.CharField()
    code = serializers.CharField(required=False, help_text="land-use code")
    fill = serializers.CharField(required=False, help_text="#RRGGBB")
    stroke = serializers.CharField(required=False, help_text="#RRGGBB")


class LayerTilesSerializer(serializers.Serializer):
    wmts = serializers.CharField(help_text="URL template, {z}/{x}/{y}")
    tms = serializers.CharField(help_text="URL template, rows counted from the south ({-y})")
    wms_layer = serializers.CharField(help_text="layer name in /tiles/service? (WMS)")


class TitlesSerializer(serializers.Serializer):
    vi = serializers.CharField()
    en = serializers.CharField()


class LayerGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class LayerEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    titles = TitlesSerializer()
    group = LayerGroupSerializer()
    kind = serializers.ChoiceField(choices=["polygon", "line", "point"])
    min_zoom = serializers.IntegerField()
    max_zoom = serializers.IntegerField()
    visible = serializers.BooleanField()
    fields = serializers.ListField(child=serializers.CharField())
    tiles = LayerTilesSerializer(allow_null=True, help_text="raster tiles; null if none")
    mvt = serializers.CharField(allow_null=True, help_text="vector tile URL template")
    tilejson = serializers.CharField(
        allow_null=True, help_text="TileJSON 3.0.0 of the vector tiles (MapLibre, QGIS)"
    )
    legend = LegendEntrySerializer(many=True)


class LayerCatalogueSerializer(serializers.Serializer):
    layers = LayerEntrySerializer(many=True)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["parcel", "road", "commune", "point"])
    label = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    id = serializers.IntegerField(allow_null=True)
    zoom = serializers.IntegerField()


class SearchResultsSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)


class IdentifiedRoadSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    road_class = serializers.CharField()
    road_class_label = serializers.CharField()
    width_m = serializers.FloatField(allow_null=True)
    planned_width_m = serializers.FloatField(allow_null=True)


class IdentifiedZoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    no_build = serializers.BooleanField()
    legal_basis = serializers.CharField()


class ReadingSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    value = serializers.FloatField()
    unit = serializers.CharField()
    measured_at = serializers.DateTimeField()


class ReadingPointSerializer(serializers.Serializer):
    measured_at = serializers.DateTimeField()
    value = serializers.FloatField()
    limit = serializers.DictField(allow_null=True, help_text="lower and upper bounds")
    status = serializers.CharField(allow_null=True, help_text="within / exceeds; null: no limit")


class StationParameterSerializer(serializers.Serializer):
    parameter = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField(help_text="the latest reading")
    measured_at = serializers.DateTimeField()
    limit = serializers.DictField(allow_null=True, help_text="the national limit and its source")
    status = serializers.CharField(allow_null=True, help_text="within / exceeds; null: no limit")
    series = ReadingPointSerializer(many=True, help_text="recent readings, oldest first")


class IdentifiedStationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    medium = serializers.CharField(help_text="label")
    medium_code = serializers.CharField()
    latest = ReadingSerializer(many=True)
    parameters = StationParameterSerializer(many=True)


class IdentifySerializer(serializers.Serializer):
    roads = IdentifiedRoadSerializer(many=True)
    environment_zones = IdentifiedZoneSerializer(many=True)
    monitoring_stations = IdentifiedStationSerializer(many=True)
