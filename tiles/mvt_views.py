"""``/tiles/mvt/LAYER/Z/X/Y.pbf``: public vector tiles (CONTRACT.md), built by ``tiles.mvt``.

An empty tile (no feature there, or z outside the layer's zoom range) is ``204 No Content``.
"""

from __future__ import annotations

import hashlib
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_http_methods

from layers import registry
from tiles import mvt

CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
# Short: edits (zoning approval, imports) change tiles and nothing purges browser caches.
MAX_AGE_S = 300
# Bounded digit strings: "-1", "1e3", " 7" or a 5,000-digit number are rejected before int().
_ZOOM = re.compile(r"^[0-9]{1,2}$")
_INDEX = re.compile(r"^[0-9]{1,7}$")  # 2**22 - 1 has 7 digits


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@require_http_methods(["GET", "HEAD"])
def vector_tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    try:
        spec = registry.get(layer)
    except registry.RegistryError:
        spec = None
    if spec is None or not spec.mvt:
        return _error(404, "no such vector tile layer; see /api/layers/")
    if not (_ZOOM.match(z) and _INDEX.match(x) and _INDEX.match(y)):
        return _error(400, "z, x and y must be non-negative integers")
    try:
        tile = mvt.render_tile(spec, int(z), int(x), int(y))
    except mvt.InvalidTile as error:
        return _error(400, str(error))
    response = HttpResponse(tile, status=200 if tile else 204, content_type=CONTENT_TYPE)
    response["ETag"] = f'"{hashlib.blake2b(tile, digest_size=16).hexdigest()}"'
    response["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    # If-None-Match → 304 carrying the same ETag and Cache-Control.
    return get_conditional_response(request, etag=response["ETag"], response=response)


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything else under ``mvt/`` (wrong extension, missing parts): 404, not MapProxy's."""
    return _error(404, "vector tiles are at /tiles/mvt/LAYER/Z/X/Y.pbf")
