"""The composite base map from our own layers (water, roads, communes), so the map has a
background with no internet tile server."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from layers import registry
from layers.registry import Style
from tiles import styles

KEY = "basemap"
TITLE = "Bản đồ nền"
SOURCE_LAYERS = ("parcels", "roads", "communes")
LAND = "#F4F1EA"
WATER_CODES = ("SON", "MNC", "DTL", "NTS")
WATER = "#AAD3DF"
ROAD_WIDTHS = {
    "expressway": 9,
    "national": 8,
    "provincial": 7,
    "arterial": 7,
    "main": 5,
    "local": 3.5,
    "alley": 2,
}


def _water_spec() -> registry.LayerSpec:
    parcels = registry.get("parcels")
    return dataclasses.replace(
        parcels,
        key="water",
        public_filter={"land_use__code__in": WATER_CODES},
        style=Style(fill=WATER, fill_opacity=1, stroke=None),
        min_zoom=10,
    )


def _road_specs() -> list[registry.LayerSpec]:
    roads = registry.get("roads")
    return [
        dataclasses.replace(
            roads,
            key=f"roads_{road_class}",
            public_filter={"road_class": road_class},
            style=Style(
                stroke="#FFFFFF",
                stroke_width=width,
                label_field="name" if width >= 3.5 else None,
                label_min_zoom=15,
            ),
            min_zoom=12 if width >= 5 else 14,
        )
        for road_class, width in ROAD_WIDTHS.items()
    ]


def _commune_spec() -> registry.LayerSpec:
    communes = registry.get("communes")
    return dataclasses.replace(communes, key="communes_base")


def specs() -> list[registry.LayerSpec]:
    return [_water_spec(), *reversed(_road_specs()), _commune_spec()]


def write_style(folder: Path, db: dict[str, object]) -> Path:
    path = folder / f"{KEY}.xml"
    styles.write_private(path, styles.map_xml(specs(), db=db, background=LAND))
    return path
