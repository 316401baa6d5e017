"""``/tiles/mvt/LAYER/Z/X/Y.pbf``: public vector tiles (CONTRACT.md), built by ``tiles.mvt``.

An empty tile (no feature there, or z outside the layer's zoom range) is ``204 No Content``.
"""

from __future__ import annotations

import hashlib
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from layers import registry
from tiles import mvt, tileset

CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
# Short: edits (zoning approval, imports) change tiles and nothing purges browser caches.
MAX_AGE_S = 300
# Bounded digit strings: "-1", "1e3", " 7" or a 5,000-digit number are rejected before int().
_ZOOM = re.compile(r"^[0-9]{1,2}$")
_INDEX = re.compile(r"^[0-9]{1,7}$")  # 2**22 - 1 has 7 digits


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def vector_layer(layer: str) -> registry.LayerSpec | None:
    try:
        spec = registry.get(layer)
    except registry.RegistryError:
        return None
    return spec if spec.mvt else None


def _public(response: HttpResponse) -> HttpResponse:
    """Public data any map may use, from any site (no credentials involved)."""
    response["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_http_methods(["GET", "HEAD"])
def vector_tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    spec = vector_layer(layer)
    if spec is None:
        return _error(404, "no such vector tile layer; see /api/layers/")
    if not (_ZOOM.match(z) and _INDEX.match(x) and _INDEX.match(y)):
        return _error(400, "z, x and y must be non-negative integers")
    try:
        tile = mvt.render_tile(spec, int(z), int(x), int(y))
    except mvt.InvalidTile as error:
        return _error(400, str(error))
    response = HttpResponse(tile, status=200 if tile else 204, content_type=CONTENT_TYPE)
    response["ETag"] = f'"{hashlib.blake2b(tile, digest_size=16).hexdigest()}"'
    _public(response)
    # If-None-Match → 304 carrying the same ETag and Cache-Control.
    return get_conditional_response(request, etag=response["ETag"], response=response)


@require_http_methods(["GET", "HEAD"])
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    """``/tiles/mvt/LAYER/tilejson.json``: TileJSON 3.0.0 (MapLibre, QGIS, OpenLayers)."""
    spec = vector_layer(layer)
    if spec is None:
        return _error(404, "no such vector tile layer; see /api/layers/")
    # Braces appended after build_absolute_uri, which would percent-encode them.
    base = request.build_absolute_uri(f"/tiles/mvt/{spec.key}/")
    document = tileset.tilejson(
        spec, tiles_url=base + "{z}/{x}/{y}.pbf", language=get_language() or "vi"
    )
    return _public(JsonResponse(document, json_dumps_params={"ensure_ascii": False}))


@require_http_methods(["GET", "HEAD"])
def gdal_metadata(request: HttpRequest, layer: str) -> HttpResponse:
    """``/tiles/mvt/LAYER/metadata.json``: what GDAL's MVT driver reads beside a tileset."""
    spec = vector_layer(layer)
    if spec is None:
        return _error(404, "no such vector tile layer; see /api/layers/")
    document = tileset.gdal_metadata(spec, language=get_language() or "vi")
    return _public(JsonResponse(document, json_dumps_params={"ensure_ascii": False}))


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything else under ``mvt/`` (wrong extension, missing parts): 404, not MapProxy's."""
    return _error(404, "vector tiles are at /tiles/mvt/LAYER/Z/X/Y.pbf")
