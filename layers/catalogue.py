"""The layer catalogue and legends, built from the registry."""

from __future__ import annotations

from typing import Any

from layers import registry
from layers.models import LandUseType


def legend(spec: registry.LayerSpec, *, language: str) -> list[dict[str, str]]:
    style = spec.style
    if style.legend_entries_from_land_use:
        name = "name_en" if language.startswith("en") else "name_vi"
        return [
            {"label": f"{row['code']} — {row[name]}", "code": row["code"], "fill": row["color"]}
            for row in LandUseType.objects.filter(retired_by="").values("code", name, "color")
        ]
    entry = {"label": spec.title(language)}
    if style.fill and style.fill_opacity > 0:
        entry["fill"] = style.fill
    if style.stroke:
        entry["stroke"] = style.stroke
    return [entry]


def catalogue(*, language: str) -> list[dict[str, Any]]:
    rows = []
    for spec in registry.all_layers():
        vi_group, en_group = registry.GROUPS[spec.group]
        rows.append(
            {
                "key": spec.key,
                "title": spec.title(language),
                "titles": {"vi": spec.title_vi, "en": spec.title_en},
                "group": {
                    "key": spec.group,
                    "title": en_group if language.startswith("en") else vi_group,
                },
                "kind": str(spec.geometry),
                "min_zoom": spec.min_zoom,
                "max_zoom": spec.max_zoom,
                "visible": spec.visible_by_default,
                "fields": list(spec.public_fields),
                "tiles": (
                    {
                        "wmts": f"/tiles/wmts/{spec.key}/webmercator/{{z}}/{{x}}/{{y}}.png",
                        # Rows from the south, for {-y} templates (Leaflet, QGIS XYZ). Not
                        # /tiles/tms/1.0.0/: its global-mercator level 0 is the 2 x 2 level,
                        # one less than {z}. MapProxy's /tiles/ keeps the web-map levels.
                        "tms": f"/tiles/tiles/{spec.key}/webmercator/{{z}}/{{x}}/{{-y}}.png"
                        "?origin=sw",
                        "wms_layer": spec.key,
                    }
                    if spec.raster
                    else None
                ),
                "mvt": f"/tiles/mvt/{spec.key}/{{z}}/{{x}}/{{y}}.pbf" if spec.mvt else None,
                "tilejson": f"/tiles/mvt/{spec.key}/tilejson.json" if spec.mvt else None,
                "legend": legend(spec, language=language),
            }
        )
    return rows
