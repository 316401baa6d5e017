"""A MapProxy source (``type: mapnik4``) that renders Mapnik XML with the ``mapnik`` 4 wheel.

MapProxy 7's own ``mapnik`` source targets the Mapnik 3 API (``+init=`` SRS strings,
``Image.tostring``, attributes set on ``mapnik.Map``). Registered through MapProxy's plugin
hook (``register_source_configuration``). Each thread of each process keeps its own
``mapnik.Map`` per style file (a Map is not thread-safe). Mapnik's PostGIS connection
pool is process-global and survives fork with its sockets: fork workers before the first
render (gunicorn without ``--preload``; seed from a process that has not rendered).
"""

from __future__ import annotations

import logging
import os
import threading

from mapproxy.config.configuration.source import (
    SourceConfiguration,
    register_source_configuration,
)
from mapproxy.config.spec import image_opts as image_opts_spec
from mapproxy.config.spec import source_commons
from mapproxy.extent import DefaultMapExtent, MapExtent
from mapproxy.image import ImageResult
from mapproxy.image.opts import ImageOptions
from mapproxy.layer import BlankImageError
from mapproxy.layer.map_layer import MapLayer
from mapproxy.source import SourceError
from mapproxy.util.ext.dictspec.spec import combined, required
from PIL import Image as PILImage

from tiles.mapnik_import import mapnik

logger = logging.getLogger(__name__)
_local = threading.local()
_registered = False


def _map(mapfile: str):
    """This thread's Map for ``mapfile`` (reloaded after a fork or a new style file)."""
    key = (os.getpid(), mapfile, os.path.getmtime(mapfile))
    maps = getattr(_local, "maps", None)
    if maps is None:
        maps = _local.maps = {}
    if key not in maps:
        for old in [k for k in maps if k[1] == mapfile]:
            del maps[old]
        m = mapnik.Map(256, 256)
        mapnik.load_map(m, mapfile)
        maps[key] = m
    return maps[key]


class Mapnik4Source(MapLayer):
    supports_meta_tiles = True

    def __init__(self, mapfile: str, image_opts: ImageOptions | None = None, coverage=None) -> None:
        super().__init__(image_opts=image_opts)
        self.mapfile = mapfile
        # The coverage (``coverage:`` in the source's configuration) is the extent the
        # capabilities documents announce, and outside it nothing is rendered.
        self.coverage = coverage
        self.extent = MapExtent(coverage.bbox, coverage.srs) if coverage else DefaultMapExtent()

    def get_map(self, query) -> ImageResult:
        if self.coverage and not self.coverage.intersects(query.bbox, query.srs):
            raise BlankImageError()
        try:
            image = self.render(query)
        except RuntimeError as exc:
            logger.error("Mapnik could not render %s: %s", self.mapfile, exc)
            raise SourceError(str(exc)) from exc
        # Straight RGBA as rendered: no palette (MapProxy quantises by default), alpha kept.
        opts = ImageOptions(transparent=True, format=query.format, colors=0)
        return ImageResult(image, size=query.size, image_opts=opts)

    def render(self, query) -> PILImage.Image:
        """The rendered meta image as a Pillow image. Mapnik's raw pixels are handed over
        (not a PNG it would encode and MapProxy decode again before cutting the tiles:
        that round trip cost as much as the render itself, ~65 ms a 640-pixel meta tile)."""
        m = _map(self.mapfile)
        width, height = query.size
        m.resize(width, height)
        m.srs = query.srs.srs_code.lower()  # "epsg:3857": Mapnik 4 takes PROJ's own syntax
        m.zoom_to_box(mapnik.Box2d(*query.bbox))
        image = mapnik.Image(width, height)
        mapnik.render(m, image)
        if image.premultiplied():
            image.demultiply()  # Pillow's RGBA is straight alpha
        return PILImage.frombuffer("RGBA", (width, height), image.to_string(), "raw", "RGBA", 0, 1)


class Mapnik4SourceConfiguration(SourceConfiguration):
    source_type = ("mapnik4",)

    def source(self, params=None):
        mapfile = self.context.globals.abspath(self.conf["mapfile"])
        return Mapnik4Source(mapfile, image_opts=self.image_opts(), coverage=self.coverage())

    def fi_source(self, params=None):
        """GetFeatureInfo from the registry layer ``featureinfo:`` names (none for the
        base map and rasters): what makes the WMS layer queryable."""
        key = self.conf.get("featureinfo")
        if not key:
            return None
        from tiles.featureinfo import LayerInfoSource  # the ORM: only once Django is set up

        return LayerInfoSource(key, coverage=self.coverage())


def plugin_entrypoint() -> None:
    """MapProxy's entry-point hook (group ``mapproxy``)."""
    register()


def register() -> None:
    global _registered
    if _registered:
        return
    register_source_configuration(
        "mapnik4",
        Mapnik4SourceConfiguration,
        "mapnik4",
        combined(
            source_commons,
            # dictspec reads the instances as types, as MapProxy's own spec does.
            {
                required("mapfile"): str(),  # noqa: UP018
                "transparent": bool(),  # noqa: UP018
                "image": image_opts_spec,
                "featureinfo": str(),  # noqa: UP018 - a registry layer key
            },
        ),
    )
    _registered = True
