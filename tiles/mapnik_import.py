"""The one place that imports Mapnik.

``import mapnik`` (the PyPI wheel) points PROJ_LIB, GDAL_DATA and ICU_DATA at its bundled
folders, whose PROJ data has no proj.db; GeoDjango's system GDAL then fails every
transform ("OGR failure"). Restoring the variables right after the import keeps both
working in one process: Mapnik falls back to its embedded PROJ database
(tests/tiles/test_mapnik_source.py checks both).
"""

from __future__ import annotations

import os

_before = dict(os.environ)

import mapnik  # noqa: E402  (the environment is captured first)

# The wheel links ICU statically but without its data: ICU finds icudt*.dat through
# ICU_DATA, reads that variable once, on first use, and keeps the file open. Line breaking
# (wrap-width) is such a use, so render one wrapped label now, while ICU_DATA is still
# set; otherwise every later BreakIterator fails (U_MISSING_RESOURCE_ERROR) and labels are
# never wrapped (tests/tiles/test_mapnik_source.py).
_ICU_WARM_UP = (
    '<Map><Style name="s"><Rule><TextSymbolizer face-name="DejaVu Sans Book" size="8" '
    'wrap-width="1" placement="point">\'a b\'</TextSymbolizer></Rule></Style>'
    '<Layer name="l"><StyleName>s</StyleName><Datasource>'
    '<Parameter name="type">geojson</Parameter>'
    '<Parameter name="inline">{"type":"Point","coordinates":[0,0]}</Parameter>'
    "</Datasource></Layer></Map>"
)
_warm = mapnik.Map(16, 16)
mapnik.load_map_from_string(_warm, _ICU_WARM_UP)
_warm.zoom_to_box(mapnik.Box2d(-1, -1, 1, 1))
mapnik.render(_warm, mapnik.Image(16, 16))
del _warm

# Put back every variable the import changed (PROJ_LIB, GDAL_DATA, ICU_DATA with 4.3.2).
for _name in set(_before) | set(os.environ):
    if _name not in _before:
        del os.environ[_name]
    elif os.environ.get(_name) != _before[_name]:
        os.environ[_name] = _before[_name]
del _before

__all__ = ["mapnik"]

# Labels need full Vietnamese coverage: Noto Sans from Debian's fonts-noto-core (installed
# by make), with the DejaVu Sans bundled in the wheel as fallback.
FONT_FILES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
for _path in FONT_FILES:
    if os.path.exists(_path):
        mapnik.FontEngine.register_font(_path)
