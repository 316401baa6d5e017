"""Public GeoJSON of parcels (RFC 7946: WGS 84 lon/lat). Only the registry's public fields."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.models import LandParcel


class PublicParcelSerializer(GeoFeatureModelSerializer):
    commune = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    land_use = serializers.CharField(source="land_use.code")
    area_m2 = serializers.FloatField()
    # Annotated by the view as Transform(geom, 4326): RFC 7946 coordinates.
    geometry = GeometryField(source="geom_wgs84", read_only=True)

    class Meta:
        model = LandParcel
        geo_field = "geometry"
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
            "geometry",
        )
