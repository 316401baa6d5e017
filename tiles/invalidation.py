"""Precise cache invalidation: after a change to a public layer commits, remove exactly the
cached tiles (every level) that intersect the changed extent, widened by the meta-tile
buffer; every other tile stays as it is."""

from __future__ import annotations

import logging
import math
from pathlib import Path

from django.conf import settings

from gis.crs import WEB_MERCATOR, transformer
from layers.events import Extent, listen
from tiles import config

logger = logging.getLogger(__name__)
ORIGIN = 20037508.342789244
TILE_PX = 256


def tile_range(extent_3857: Extent, zoom: int, buffer_px: int) -> tuple[int, int, int, int]:
    """Tiles (x0, y0, x1, y1) touching the extent at ``zoom`` in the cache's layout: y is
    counted from the north, as MapProxy's GLOBAL_WEBMERCATOR grid has its origin there."""
    size = 2 * ORIGIN / 2**zoom
    pad = buffer_px * size / TILE_PX
    minx, miny, maxx, maxy = extent_3857
    last = 2**zoom - 1

    def clamp(value: float) -> int:
        return min(max(int(math.floor(value)), 0), last)

    x0 = clamp((minx - pad + ORIGIN) / size)
    x1 = clamp((maxx + pad + ORIGIN) / size)
    y0 = clamp((ORIGIN - (maxy + pad)) / size)
    y1 = clamp((ORIGIN - (miny - pad)) / size)
    return x0, y0, x1, y1


def to_web_mercator(extent: Extent, srid: int) -> Extent:
    if srid == WEB_MERCATOR:
        return extent
    return transformer(srid, WEB_MERCATOR).transform_bounds(*extent, densify_pts=11)


def remove_tiles(
    cache_dir: Path, extent_3857: Extent, *, max_level: int = config.MAX_CACHED_LEVEL
) -> int:
    """Delete cached tiles of one cache that intersect the extent; return how many."""
    removed = 0
    if not cache_dir.exists():
        return 0
    for zoom in range(max_level + 1):
        level = cache_dir / f"{zoom:02d}"
        if not level.exists():
            level = cache_dir / str(zoom)
            if not level.exists():
                continue
        x0, y0, x1, y1 = tile_range(extent_3857, zoom, config.META_BUFFER)
        for column in _columns(level, x0, x1):
            for tile in column.iterdir():
                try:
                    y = int(tile.stem)
                except ValueError:
                    continue
                if y0 <= y <= y1:
                    tile.unlink(missing_ok=True)
                    removed += 1
    return removed


def _columns(level: Path, x0: int, x1: int):
    """The x folders in range: read the folder when the range is wide, else probe names."""
    if x1 - x0 > 256:
        for column in level.iterdir():
            if column.name.isdigit() and x0 <= int(column.name) <= x1:
                yield column
        return
    for x in range(x0, x1 + 1):
        column = level / str(x)
        if column.is_dir():
            yield column


def caches_drawing(layer_key: str) -> list[Path]:
    return [layer.cache_dir for layer in config.tile_layers() if layer_key in layer.sources]


def remove_geopackage_tiles(path: Path, table: str, extent_3857: Extent) -> int:
    """The same tile ranges deleted from a GeoPackage cache (rows counted from the north)."""
    import sqlite3

    if not path.exists():
        return 0
    removed = 0
    with sqlite3.connect(path) as db:
        for zoom in range(config.MAX_CACHED_LEVEL + 1):
            x0, y0, x1, y1 = tile_range(extent_3857, zoom, config.META_BUFFER)
            cursor = db.execute(
                f'DELETE FROM "{table}" WHERE zoom_level = ? AND tile_column BETWEEN ? AND ? '  # noqa: S608
                "AND tile_row BETWEEN ? AND ?",
                (zoom, x0, x1, y0, y1),
            )
            removed += cursor.rowcount
    return removed


def invalidate(layer_key: str, extent: Extent, srid: int) -> int:
    extent_3857 = to_web_mercator(extent, srid)
    kind = settings.TILE_CACHE_TYPE
    if kind == "geopackage":
        return sum(
            remove_geopackage_tiles(Path(str(d) + ".gpkg"), d.name, extent_3857)
            for d in caches_drawing(layer_key)
        )
    if kind != "file":
        # TODO(issue 4): delete the same ranges from Redis (DEL by key) and S3 (DeleteObjects).
        logger.warning(
            "no precise invalidation for %s caches yet: %s tiles may be stale", kind, layer_key
        )
        return 0
    removed = sum(remove_tiles(cache_dir, extent_3857) for cache_dir in caches_drawing(layer_key))
    logger.debug("invalidated %d cached tiles of %s", removed, layer_key)
    return removed


def connect() -> None:
    listen(invalidate)
