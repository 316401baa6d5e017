"""WMS GetFeatureInfo for our layers (QGIS's identify tool on the WMS): the layer's public
rows within a few pixels of the clicked point, with their public fields only, as text,
HTML, XML or GeoJSON. A MapProxy info source; MapProxy runs inside the Django app, so it
reads through the ORM like the rest of the site (the same rows and fields as the vector
tiles and OGC API - Features)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.utils.html import escape
from mapproxy.featureinfo import create_featureinfo_doc, featureinfo_type
from mapproxy.source import InfoSource

from gis.crs import transformer
from layers import registry
from layers.features import feature_rows, to_feature

PIXELS = 3  # how far from the click a feature still counts, in screen pixels
MAX_FEATURES = 10


class LayerInfoSource(InfoSource):
    def __init__(self, key: str, coverage=None) -> None:
        self.key = key
        self.coverage = coverage

    def get_info(self, query):
        if self.coverage and not self.coverage.contains(query.coord, query.srs):
            return None
        spec = registry.get(self.key)
        features = features_at(spec, query)
        return create_featureinfo_doc(encode(spec, features, query.info_format), query.info_format)


def features_at(spec: registry.LayerSpec, query) -> list[dict[str, Any]]:
    """The public features within PIXELS of the click, nearest first, as GeoJSON."""
    srid = int(query.srs.srs_code.split(":")[1])
    to_storage = transformer(srid, settings.GIS_SRID)
    x, y = to_storage.transform(*query.coord)
    west, _south, east, _north = to_storage.transform_bounds(*query.bbox)
    tolerance = PIXELS * (east - west) / query.size[0]  # metres in the storage CRS
    point = Point(x, y, srid=settings.GIS_SRID)
    field = spec.geometry_field
    count = min(int(query.feature_count or 1), MAX_FEATURES)
    nearest = list(
        spec.public_queryset()
        .filter(**{f"{field}__dwithin": (point, tolerance)})
        .annotate(info_distance=Distance(field, point))
        .order_by("info_distance", "pk")
        .values_list("pk", flat=True)[:count]
    )
    rows = {
        row["pk"]: row for row in feature_rows(spec, spec.public_queryset().filter(pk__in=nearest))
    }
    return [to_feature(spec, rows[pk]) for pk in nearest if pk in rows]


def encode(spec: registry.LayerSpec, features: list[dict[str, Any]], info_format: str) -> str:
    kind = featureinfo_type(info_format)
    title = spec.title_vi
    if kind == "json":
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    if kind == "html":
        rows = []
        for feature in features:
            cells = "".join(
                f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>"
                for name, value in feature["properties"].items()
            )
            rows.append(
                f"<table><caption>{escape(title)} #{feature['id']}</caption>{cells}</table>"
            )
        return f"<html><body>{''.join(rows)}</body></html>"
    if kind == "xml":
        root = ElementTree.Element("FeatureInfoResponse")
        layer = ElementTree.SubElement(root, "Layer", name=spec.key, title=title)
        for feature in features:
            element = ElementTree.SubElement(layer, "Feature", id=str(feature["id"]))
            for name, value in feature["properties"].items():
                ElementTree.SubElement(element, name).text = "" if value is None else str(value)
        return ElementTree.tostring(root, encoding="unicode")
    lines = []
    for feature in features:
        lines.append(f"{spec.key} #{feature['id']} ({title})")
        lines += [f"  {name} = {value}" for name, value in feature["properties"].items()]
    return "\n".join(lines)
