"""``import_raster``: a GeoTIFF (orthophoto, DEM) → a tiled, overview-rich GeoTIFF in
Web Mercator under ``RASTER_DIR``, served through MapProxy (Mapnik's gdal input).

Warped once with rasterio (the same official VN-2000 datum shift, through PROJ's EPSG
database), so tiles never reproject rasters at request time.
"""

from __future__ import annotations

import re
from pathlib import Path

import rasterio
from django.conf import settings
from django.utils.text import slugify
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.warp import calculate_default_transform, reproject

from tiles.models import RasterLayer

WEB_MERCATOR = "EPSG:3857"
OVERVIEWS = (2, 4, 8, 16, 32, 64)


class RasterImportError(ValueError):
    pass


def import_raster(path: Path, *, name: str | None = None, title: str | None = None) -> RasterLayer:
    path = Path(path)
    name = slugify(name or path.stem).replace("-", "_") or "raster"
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise RasterImportError(f"bad layer name {name!r}")
    out_dir = Path(settings.RASTER_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.tif"
    try:
        source = rasterio.open(path)
    except RasterioIOError as exc:
        raise RasterImportError(f"{path.name} is not a readable raster: {exc}") from None
    with source:
        if source.crs is None:
            raise RasterImportError(f"{path.name} has no coordinate system (no georeferencing)")
        transform, width, height = calculate_default_transform(
            source.crs, WEB_MERCATOR, source.width, source.height, *source.bounds
        )
        profile = source.profile.copy()
        profile.update(
            driver="GTiff",
            crs=WEB_MERCATOR,
            transform=transform,
            width=width,
            height=height,
            tiled=True,
            blockxsize=256,
            blockysize=256,
            compress="deflate",
            bigtiff="if_safer",
        )
        with rasterio.open(target, "w", **profile) as out:
            for band in range(1, source.count + 1):
                reproject(
                    source=rasterio.band(source, band),
                    destination=rasterio.band(out, band),
                    src_transform=source.transform,
                    src_crs=source.crs,
                    dst_transform=transform,
                    dst_crs=WEB_MERCATOR,
                    resampling=Resampling.bilinear,
                )
            factors = [f for f in OVERVIEWS if min(width, height) // f >= 64] or [2]
            out.build_overviews(factors, Resampling.average)
            out.update_tags(ns="rio_overview", resampling="average")
        source_crs = source.crs.to_string()
    layer, _created = RasterLayer.objects.update_or_create(
        name=name,
        defaults={
            "title": title or path.stem,
            "path": str(target),
            "source_name": path.name,
            "source_crs": source_crs,
        },
    )
    return layer
