"""MapProxy configuration generated from the layer registry: one Mapnik source, one cache
and one layer per public raster layer, plus the composite base map; WMTS (KVP and REST),
TMS and WMS services. Files are written beside the cache, in ``TILE_CACHE_DIR-config``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import connection

from layers import registry
from tiles import basemap, legends, styles
from tiles.models import RasterLayer

GRID = "webmercator"
# Meta tiles: render 2 × 2 tiles at once with a 64-pixel buffer so labels and lines
# are not cut at tile edges; the same buffer widens invalidation (tiles.invalidation).
META_SIZE = (2, 2)
META_BUFFER = 64
MAX_CACHED_LEVEL = 20


@dataclass(frozen=True)
class TileLayer:
    """A MapProxy layer: its name, titles, the registry layers it draws, its cache folder,
    and its kind: the composite base map, a registry layer or an imported raster."""

    name: str
    title: str
    sources: tuple[str, ...]
    cache_dir: Path
    kind: str = "layer"  # "basemap" | "layer" | "raster"


def province_coverage() -> dict[str, Any]:
    """Where our vector layers can have data: the province box the importers hold every
    file to (settings.PROVINCE_BBOX). WMS and WMTS capabilities announce it as the layers'
    extent (QGIS zooms there, not to the whole world) and no tile outside it is rendered.
    Rasters keep the world: an orthophoto may reach past the box."""
    return {"bbox": list(settings.PROVINCE_BBOX), "srs": "EPSG:4326"}


def database_settings() -> dict[str, Any]:
    """The live connection's settings (the test database during tests)."""
    return dict(connection.settings_dict)


def tile_layers() -> list[TileLayer]:
    cache_root = Path(settings.TILE_CACHE_DIR)
    layers = [
        TileLayer(
            name=basemap.KEY,
            title=basemap.TITLE,
            sources=basemap.SOURCE_LAYERS,
            cache_dir=cache_root / basemap.KEY,
            kind="basemap",
        )
    ]
    for spec in registry.all_layers():
        if spec.raster:
            layers.append(TileLayer(spec.key, spec.title_vi, (spec.key,), cache_root / spec.key))
    for raster in RasterLayer.objects.all():
        key = f"raster_{raster.name}"
        layers.append(TileLayer(key, raster.title, (key,), cache_root / key, kind="raster"))
    return layers


def build(folder: Path | None = None) -> Path:
    """Write the Mapnik styles and ``mapproxy.yaml``; return the YAML's path."""
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    db = database_settings()
    style_files = styles.write_styles(folder, db)
    style_files[basemap.KEY] = basemap.write_style(folder, db)
    for raster in RasterLayer.objects.all():
        path = folder / f"raster_{raster.name}.xml"
        styles.write_private(path, styles.raster_xml(raster.path))
        style_files[f"raster_{raster.name}"] = path
    styles.write_hatch(folder)
    legend_files = legends.write_legends(
        folder, [layer.name for layer in tile_layers() if layer.kind == "layer"]
    )
    document = mapproxy_document(style_files, legend_files)
    path = folder / "mapproxy.yaml"
    styles.write_private(path, yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return path


def config_dir() -> Path:
    """Where the generated configuration lives: beside the tile cache, not inside it, so
    emptying or deleting the cache (an operator's first fix) never breaks rendering."""
    cache = Path(settings.TILE_CACHE_DIR)
    return cache.with_name(f"{cache.name}-config")


def redis_prefix(layer_name: str) -> str:
    """Key prefix of a layer in a Redis cache; MapProxy appends ``-z-x-y``."""
    return f"{layer_name}:"


def s3_prefix(layer_name: str) -> str:
    """Key prefix of a layer in an S3 cache (``tms`` layout: ``z/x/y.png`` after it)."""
    return f"{layer_name}/"


def cache_block(layer: TileLayer) -> dict[str, Any]:
    """The layer's MapProxy cache: files by default, or the backend TILE_CACHE_TYPE names."""
    kind = settings.TILE_CACHE_TYPE
    if kind == "file":
        block: dict[str, Any] = {
            "type": "file",
            "directory_layout": "tms",
            "directory": str(layer.cache_dir),
        }
    elif kind == "geopackage":
        block = {
            "type": "geopackage",
            "filename": str(layer.cache_dir) + ".gpkg",
            "table_name": layer.name,
        }
    elif kind == "redis":
        block = {"type": "redis", "prefix": redis_prefix(layer.name), "default_ttl": 0}
    elif kind == "s3":
        block = {"type": "s3", "directory": f"/{layer.name}", "directory_layout": "tms"}
    else:
        raise ValueError(f"TILE_CACHE_TYPE must be file, geopackage, redis or s3, not {kind!r}")
    return {**block, **settings.TILE_CACHE_OPTIONS}


def mapproxy_document(
    style_files: dict[str, Path], legend_files: dict[str, Path] | None = None
) -> dict[str, Any]:
    cache_root = Path(settings.TILE_CACHE_DIR)
    sources, caches, layers = {}, {}, []
    for layer in tile_layers():
        sources[f"{layer.name}_mapnik"] = {
            "type": "mapnik4",
            "mapfile": str(style_files[layer.name]),
            "transparent": layer.name != basemap.KEY,
        }
        if layer.kind != "raster":
            sources[f"{layer.name}_mapnik"]["coverage"] = province_coverage()
        if layer.kind == "layer":
            sources[f"{layer.name}_mapnik"]["featureinfo"] = layer.name
        caches[f"{layer.name}_cache"] = {
            "grids": [GRID],
            "sources": [f"{layer.name}_mapnik"],
            "format": "image/png",
            "meta_size": list(META_SIZE),
            "meta_buffer": META_BUFFER,
            "cache": cache_block(layer),
        }
        entry = {"name": layer.name, "title": layer.title, "sources": [f"{layer.name}_cache"]}
        if layer.name in (legend_files or {}):
            entry["legendurl"] = f"file://{legend_files[layer.name]}"  # GetLegendGraphic too
        layers.append(entry)
    services: dict[str, Any] = {
        "wmts": {"restful": True, "kvp": True},
        "tms": {"use_grid_names": True},
        "wms": {
            "srs": ["EPSG:3857", "EPSG:4326", f"EPSG:{settings.GIS_SRID}"],
            "md": {"title": "QuyHoach", "abstract": "Bản đồ quy hoạch — planning map"},
            "image_formats": ["image/png", "image/jpeg"],
            "featureinfo_types": ["text", "html", "xml", "json"],
        },
    }
    if settings.DEBUG:
        services["demo"] = None
    return {
        "services": services,
        "layers": layers,
        "caches": caches,
        "sources": sources,
        # Levels 0-20 (MapProxy's default stops at 19): z20 is the 1/500 detailed-plan scale.
        "grids": {GRID: {"base": "GLOBAL_WEBMERCATOR", "num_levels": MAX_CACHED_LEVEL + 1}},
        "globals": {
            "cache": {
                "base_dir": str(cache_root),
                # Locks outside the cache: deleting the cache never pulls a lock's folder away.
                "lock_dir": str(config_dir() / "locks"),
                "tile_lock_dir": str(config_dir() / "tile_locks"),
                "meta_size": list(META_SIZE),
                "meta_buffer": META_BUFFER,
            },
            "image": {"resampling_method": "bicubic", "paletted": False},
        },
    }
