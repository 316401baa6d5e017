"""What a client needs to open a vector-tile layer as a whole: TileJSON 3.0.0 (MapLibre,
QGIS, OpenLayers) and the tippecanoe-style ``metadata.json`` GDAL's MVT driver reads
(``MVT:http://HOST/tiles/mvt/LAYER/16`` opens zoom 16 of the tileset with its schema).

Fields and zoom range come from the layer registry, the public fields only (tiles.mvt puts
nothing else in the tiles); bounds from PostgreSQL's estimate of the layer's extent."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db import connections
from django.db.models import BooleanField, DecimalField, FloatField, IntegerField

from gis.crs import WEB_MERCATOR, WGS84, transformer
from layers.privacy import resolve_path
from layers.registry import LayerSpec
from tiles.mvt import property_columns

TILEJSON_VERSION = "3.0.0"


def field_types(spec: LayerSpec) -> dict[str, str]:
    """Tile property → "Number", "Boolean" or "String", as TileJSON's vector_layers say."""
    model = spec.get_model()
    types = {}
    for name, path in zip(property_columns(spec), spec.public_fields, strict=True):
        field = resolve_path(model, path)[-1]
        if isinstance(field, BooleanField):
            types[name] = "Boolean"
        elif field.is_relation or (
            isinstance(field, IntegerField | FloatField | DecimalField) and not field.choices
        ):
            types[name] = "Number"
        else:
            types[name] = "String"
    return types


def bounds(spec: LayerSpec) -> tuple[float, float, float, float]:
    """The layer's extent in WGS 84 (west, south, east, north): PostgreSQL's estimate from
    the table statistics (instant at any size), the public rows' exact extent when the table
    has no statistics yet, the province's box when it is empty."""
    column = f"{spec.geometry_field}_3857"
    with connections[spec.public_queryset().db].cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
            "FROM (SELECT ST_EstimatedExtent(%s, %s) AS b) e",
            [spec.get_model()._meta.db_table, column],
        )
        box, srid = cursor.fetchone(), WEB_MERCATOR
    if box[0] is None:
        box = spec.public_queryset().aggregate(box=Extent(spec.geometry_field))["box"]
        if box is None:
            return tuple(settings.PROVINCE_BBOX)
        srid = settings.GIS_SRID
    return tuple(round(v, 6) for v in transformer(srid, WGS84).transform_bounds(*box))


def vector_layer(spec: LayerSpec, language: str) -> dict[str, Any]:
    return {
        "id": spec.key,
        "description": spec.title(language),
        "minzoom": spec.min_zoom,
        "maxzoom": spec.max_zoom,
        "fields": field_types(spec),
    }


def tilejson(spec: LayerSpec, *, tiles_url: str, language: str) -> dict[str, Any]:
    west, south, east, north = bounds(spec)
    return {
        "tilejson": TILEJSON_VERSION,
        "name": spec.title(language),
        "tiles": [tiles_url],
        "scheme": "xyz",
        "minzoom": spec.min_zoom,
        "maxzoom": spec.max_zoom,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 6), round((south + north) / 2, 6), spec.min_zoom],
        "vector_layers": [vector_layer(spec, language)],
    }


def gdal_metadata(spec: LayerSpec, *, language: str) -> dict[str, Any]:
    """tippecanoe's metadata.json: numbers as in GDAL's own MVT writer, the layer schema as
    a JSON string under "json"."""
    west, south, east, north = bounds(spec)
    return {
        "name": spec.key,
        "description": spec.title(language),
        "version": 2,
        "minzoom": spec.min_zoom,
        "maxzoom": spec.max_zoom,
        "center": f"{(west + east) / 2:.6f},{(south + north) / 2:.6f},{spec.min_zoom}",
        "bounds": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
        "type": "overlay",
        "format": "pbf",
        "json": json.dumps({"vector_layers": [vector_layer(spec, language)]}, ensure_ascii=False),
    }
