"""Precise cache invalidation: after a change to a public layer commits, remove exactly the
cached tiles (every level) that intersect the changed extent, widened by the meta-tile
buffer; every other tile stays as it is."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
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


def layers_drawing(layer_key: str) -> list[str]:
    return [layer.name for layer in config.tile_layers() if layer_key in layer.sources]


def tile_ranges(extent_3857: Extent) -> Iterator[tuple[int, int, int, int, int]]:
    """(zoom, x0, y0, x1, y1) for every cached level."""
    for zoom in range(config.MAX_CACHED_LEVEL + 1):
        yield (zoom, *tile_range(extent_3857, zoom, config.META_BUFFER))


def remove_geopackage_tiles(path: Path, table: str, extent_3857: Extent) -> int:
    """The same tile ranges deleted from a GeoPackage cache (rows counted from the north)."""
    import sqlite3

    if not path.exists():
        return 0
    removed = 0
    with sqlite3.connect(path) as db:
        for zoom, x0, y0, x1, y1 in tile_ranges(extent_3857):
            cursor = db.execute(
                f'DELETE FROM "{table}" WHERE zoom_level = ? AND tile_column BETWEEN ? AND ? '  # noqa: S608
                "AND tile_row BETWEEN ? AND ?",
                (zoom, x0, x1, y0, y1),
            )
            removed += cursor.rowcount
    return removed


# Below this many tiles in a level's range, keys are named one by one; above it the
# level's keys are listed from the backend and filtered (cost ~ the tiles actually cached).
NAMED_KEYS_LIMIT = 4096


def remove_redis_tiles(client, prefix: str, extent_3857: Extent) -> int:
    """Delete the range from a MapProxy Redis cache (keys ``{prefix}-{z}-{x}-{y}``)."""
    removed = 0
    for zoom, x0, y0, x1, y1 in tile_ranges(extent_3857):
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= NAMED_KEYS_LIMIT:
            keys = [
                f"{prefix}-{zoom}-{x}-{y}" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
            ]
        else:
            keys = []
            for key in client.scan_iter(match=f"{_redis_glob(prefix)}-{zoom}-*", count=1000):
                x, y = (int(v) for v in key.decode().rsplit("-", 2)[1:])
                if x0 <= x <= x1 and y0 <= y <= y1:
                    keys.append(key)
        for start in range(0, len(keys), 1000):
            removed += client.unlink(*keys[start : start + 1000])
    return removed


def _redis_glob(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def remove_s3_tiles(client, bucket: str, prefix: str, extent_3857: Extent) -> int:
    """Delete the range from a MapProxy S3 cache (``tms`` layout: ``{prefix}{z}/{x}/{y}.png``).
    Keys are listed first (per column when few, per level otherwise) so the count is exact."""
    paginator = client.get_paginator("list_objects_v2")
    removed = 0
    for zoom, x0, y0, x1, y1 in tile_ranges(extent_3857):
        if x1 - x0 < 64:
            listings = [f"{prefix}{zoom}/{x}/" for x in range(x0, x1 + 1)]
        else:
            listings = [f"{prefix}{zoom}/"]
        doomed = []
        for listing in listings:
            for page in paginator.paginate(Bucket=bucket, Prefix=listing):
                for item in page.get("Contents", ()):
                    parts = item["Key"][len(prefix) :].split("/")
                    if len(parts) != 3:
                        continue
                    x, y = int(parts[1]), int(parts[2].split(".")[0])
                    if x0 <= x <= x1 and y0 <= y <= y1:
                        doomed.append({"Key": item["Key"]})
        for start in range(0, len(doomed), 1000):
            client.delete_objects(
                Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
            )
        removed += len(doomed)
    return removed


def redis_client():
    import redis

    options = settings.TILE_CACHE_OPTIONS
    return redis.Redis(
        host=options.get("host", "127.0.0.1"),
        port=options.get("port", 6379),
        db=options.get("db", 0),
        username=options.get("username"),
        password=options.get("password"),
    )


def s3_client():
    import boto3

    options = settings.TILE_CACHE_OPTIONS
    session = boto3.session.Session(profile_name=options.get("profile_name"))
    return session.client(
        "s3", region_name=options.get("region_name"), endpoint_url=options.get("endpoint_url")
    )


def invalidate(layer_key: str, extent: Extent, srid: int) -> int:
    extent_3857 = to_web_mercator(extent, srid)
    kind = settings.TILE_CACHE_TYPE
    if kind == "geopackage":
        removed = sum(
            remove_geopackage_tiles(Path(str(d) + ".gpkg"), d.name, extent_3857)
            for d in caches_drawing(layer_key)
        )
    elif kind == "redis":
        client = redis_client()
        removed = sum(
            remove_redis_tiles(client, config.redis_prefix(name), extent_3857)
            for name in layers_drawing(layer_key)
        )
    elif kind == "s3":
        client, bucket = s3_client(), settings.TILE_CACHE_OPTIONS["bucket_name"]
        removed = sum(
            remove_s3_tiles(client, bucket, config.s3_prefix(name), extent_3857)
            for name in layers_drawing(layer_key)
        )
    else:
        removed = sum(
            remove_tiles(cache_dir, extent_3857) for cache_dir in caches_drawing(layer_key)
        )
    logger.debug("invalidated %d cached %s tiles of %s", removed, kind, layer_key)
    return removed


def connect() -> None:
    listen(invalidate)
