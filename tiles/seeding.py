"""Pre-render tiles with MapProxy's own seeder (meta tiles, locking, worker processes),
on the configuration generated from the registry."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from django.conf import settings

from tiles import config, service

DEFAULT_LEVELS = (10, 16)


def data_extent() -> tuple[float, float, float, float]:
    """Where there is data to draw: the communes' extent in WGS 84, else the province."""
    from django.contrib.gis.db.models import Extent
    from django.contrib.gis.geos import Polygon

    from layers.models import AdminUnit

    box = AdminUnit.objects.filter(geom__isnull=False).aggregate(box=Extent("geom"))["box"]
    if box is None:
        return settings.PROVINCE_BBOX
    polygon = Polygon.from_bbox(box)
    polygon.srid = settings.GIS_SRID
    return polygon.transform(4326, clone=True).extent


def seed(
    *,
    layers: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    levels: tuple[int, int] = DEFAULT_LEVELS,
    concurrency: int = 2,
    out=sys.stdout,
) -> None:
    """Seed the caches of ``layers`` (all by default) inside ``bbox`` (WGS 84 lon/lat; where
    the communes are by default) from level ``levels[0]`` to ``levels[1]``.

    MapProxy's seeder forks its workers: call this from a process that has not rendered yet
    (``manage.py seed_tiles``), or the workers inherit Mapnik's pooled connections and
    close them under the parent.
    """
    from mapproxy.config.loader import load_configuration
    from mapproxy.seed.config import load_seed_tasks_conf
    from mapproxy.seed.seeder import seed as run_seed
    from mapproxy.seed.util import ProgressLog

    from tiles import mapnik_source

    mapnik_source.register()
    mapproxy_yaml = config.build()
    names = [layer.name for layer in config.tile_layers()]
    chosen = layers or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise ValueError(f"unknown tile layers: {', '.join(unknown)}; known: {', '.join(names)}")
    seed_yaml = Path(mapproxy_yaml).with_name("seed.yaml")
    seed_yaml.write_text(
        yaml.safe_dump(
            {
                "coverages": {"area": {"bbox": list(bbox or data_extent()), "srs": "EPSG:4326"}},
                "seeds": {
                    "quyhoach": {
                        "caches": [f"{name}_cache" for name in chosen],
                        "grids": [config.GRID],
                        "coverages": ["area"],
                        "levels": {"from": levels[0], "to": levels[1]},
                    }
                },
            }
        )
    )
    mapproxy_conf = load_configuration(mapproxy_conf=str(mapproxy_yaml), seed=True)
    tasks = load_seed_tasks_conf(str(seed_yaml), mapproxy_conf).seeds(["quyhoach"])
    run_seed(tasks, concurrency=concurrency, progress_logger=ProgressLog(out=out, verbose=True))
    service.reset()
