"""The one place that imports Mapnik.

``import mapnik`` (the PyPI wheel) points PROJ_LIB, GDAL_DATA and ICU_DATA at its bundled
folders, whose PROJ data has no proj.db; GeoDjango's system GDAL then fails every
transform ("OGR failure"). Restoring the variables right after the import keeps both
working in one process: Mapnik falls back to its embedded PROJ database
(tests/tiles/test_rendering.py checks both).
"""

from __future__ import annotations

import os

_WATCHED = ("PROJ_LIB", "PROJ_DATA", "GDAL_DATA", "ICU_DATA")
_before = {name: os.environ.get(name) for name in _WATCHED}

import mapnik  # noqa: E402  (the environment is captured first)

for _name, _value in _before.items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value

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
