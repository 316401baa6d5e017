"""Mapbox vector tiles (MVT 2.1) for registry layers, encoded by PostGIS ``ST_AsMVT``.

Geometry is read from the stored ``geom_3857`` (EPSG:3857, metres) so nothing is reprojected
per request; tiles are 4096 units wide with a 64-unit buffer; properties are public fields only.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import DecimalField, Expression, F, FloatField, Func, QuerySet, Value
from django.db.models.functions import Cast

from gis.crs import WEB_MERCATOR
from layers.privacy import resolve_path
from layers.registry import GeometryKind, LayerSpec

EXTENT = 4096  # tile units per side, the MVT 2.1 default
BUFFER = 64  # tile units kept past each edge so strokes and fills meet across tile seams
MAX_ZOOM = 22
WORLD_SPAN_M = 2 * 20037508.342789244  # EPSG:3857 width of the single z0 tile
# From this zoom on geometry is only quantised to the 4096 grid (≤ 15 cm at z16): the
# editor snaps to parcels and zones there, so it must get their true vertices.
DETAIL_ZOOM = 16
# Below DETAIL_ZOOM: one display pixel of a 512-px rendered tile (MapLibre's vector tile
# size, or a 256-px tile on a 2x screen) is EXTENT / 512 = 8 tile units.
PIXEL_UNITS = EXTENT / 512
GEOM_COLUMN = "mvt_geom"
ID_COLUMN = "mvt_id"
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# The outer statement is fixed text: the only identifiers put in are property names derived
# from the registry (checked against _PROPERTY_NAME), never anything from the request.
# ST_AsMVT skips rows whose ST_AsMVTGeom is NULL (shape misses the tile) and returns b""
# when no feature is left.
_TILE_SQL = "SELECT ST_AsMVT(q, %s, {extent}, '{geom}', '{fid}') FROM ({sub}) AS q ({names})"


class InvalidTile(ValueError):
    """z/x/y do not name a tile of the Web Mercator pyramid (z ≤ 22)."""


class TileEnvelope(Func):
    """``ST_TileEnvelope(z, x, y)``: the tile's square in EPSG:3857 (y counted from the north)."""

    function = "ST_TileEnvelope"
    arity = 3
    output_field = GeometryField(srid=WEB_MERCATOR)


class Expand(Func):
    function = "ST_Expand"
    arity = 2
    output_field = GeometryField(srid=WEB_MERCATOR)


class Simplify(Func):
    """``ST_Simplify`` (Douglas-Peucker). Not the topology-preserving variant: ST_AsMVTGeom
    makes its output valid anyway, and that variant cost 10-20x the time for the same bytes
    (synthetic communes of 3,200 vertices, z8-z12: 34-57 ms against 2.5 ms a tile)."""

    function = "ST_Simplify"
    arity = 2
    output_field = GeometryField(srid=WEB_MERCATOR)


class BoundingDiagonalLength(Func):
    """Length of the bounding-box diagonal: a cheap size test (the box is stored with the row)."""

    template = "ST_Length(ST_BoundingDiagonal(%(expressions)s))"
    arity = 1
    output_field = FloatField()


class AsMVTGeom(Func):
    """``ST_AsMVTGeom(geom, tile, extent, buffer, clip)``: geometry in tile units, clipped,
    snapped to the integer grid and made valid (PostGIS drops what collapses)."""

    function = "ST_AsMVTGeom"
    arity = 5
    output_field = GeometryField(srid=WEB_MERCATOR)


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidTile(f"zoom must be between 0 and {MAX_ZOOM}, not {z}")
    last = 2**z - 1
    if not (0 <= x <= last and 0 <= y <= last):
        raise InvalidTile(f"at zoom {z}, x and y must be between 0 and {last}")


def tile_span_m(z: int) -> float:
    """Width of one tile at zoom ``z`` in EPSG:3857 metres."""
    return WORLD_SPAN_M / 2**z


def simplify_tolerance_m(z: int) -> float | None:
    """Half a display pixel (4 tile units) below DETAIL_ZOOM; None = quantisation only."""
    if z >= DETAIL_ZOOM:
        return None
    return tile_span_m(z) / EXTENT * PIXEL_UNITS / 2


def property_columns(spec: LayerSpec) -> dict[str, Expression]:
    """Tile property name → expression: ``commune__code`` becomes ``commune_code``."""
    model = spec.get_model()
    columns: dict[str, Expression] = {}
    for path in spec.public_fields:
        name = path.replace("__", "_")
        if not _PROPERTY_NAME.match(name):
            raise ImproperlyConfigured(f"layer {spec.key!r}: bad MVT property name {name!r}")
        expression: Expression = F(path)
        # MVT has no decimal type and ST_AsMVT would send numeric as text ("0.800"):
        # legal areas and planning controls go out as numbers.
        if isinstance(resolve_path(model, path)[-1], DecimalField):
            expression = Cast(expression, FloatField())
        columns[name] = expression
    return columns


def tile_queryset(spec: LayerSpec, z: int, x: int, y: int) -> QuerySet[Any]:
    """The public rows meeting the tile (plus buffer) as ``values()``: properties in
    declaration order as p0…pN, then the tile geometry and the feature id (the pk)."""
    column = f"{spec.geometry_field}_3857"
    spec.get_model()._meta.get_field(column)  # every spatial model stores one (gis.geometry)
    envelope = TileEnvelope(Value(z), Value(x), Value(y))
    pad_m = tile_span_m(z) * BUFFER / EXTENT
    rows = spec.public_queryset().filter(
        **{f"{column}__bboverlaps": Expand(envelope, Value(pad_m))}
    )
    geometry: Expression = F(column)
    tolerance = simplify_tolerance_m(z)
    if tolerance is not None and spec.geometry != GeometryKind.POINT:
        # Features under one display pixel across would be a speck: leave them out.
        rows = rows.alias(mvt_size=BoundingDiagonalLength(F(column))).filter(
            mvt_size__gte=2 * tolerance
        )
        geometry = Simplify(geometry, Value(tolerance))
    properties = {f"p{i}": expr for i, expr in enumerate(property_columns(spec).values())}
    mvt_geom = AsMVTGeom(geometry, envelope, Value(EXTENT), Value(BUFFER), Value(True))
    return (
        rows.annotate(**properties, **{GEOM_COLUMN: mvt_geom, ID_COLUMN: F("pk")})
        .order_by("pk")  # a stable feature order keeps the ETag stable for unchanged data
        .values(*properties, GEOM_COLUMN, ID_COLUMN)
    )


def tile_statement(spec: LayerSpec, z: int, x: int, y: int) -> tuple[str, list[Any]]:
    """``SELECT ST_AsMVT(q, …) FROM (<tile_queryset SQL>) AS q (<property names>)`` and
    its parameters; the column list renames p0…pN to the layer's property names.

    Compiling the queryset costs milliseconds, more than a small tile's query: it is done
    once per layer and zoom with placeholder column and row numbers, which are then
    swapped for the tile's own in the parameter list."""
    sql, params = _statement_template(spec, z)
    return sql, [x if p == _X else y if p == _Y else p for p in params]


# Placeholder tile numbers: beyond any zoom's range (2**22), so never a real parameter.
_X, _Y = 1_999_999_937, 1_999_999_939
_templates: dict[tuple[int, str, int, str], tuple[str, list[Any]]] = {}


def _statement_template(spec: LayerSpec, z: int) -> tuple[str, list[Any]]:
    key = (id(spec), spec.key, z, spec.public_queryset().db)
    if key not in _templates:
        rows = tile_queryset(spec, z, _X, _Y)
        sub, params = rows.query.sql_with_params()
        if _X not in params or _Y not in params:
            raise ImproperlyConfigured(f"layer {spec.key!r}: tile numbers not found in its SQL")
        quote = connections[rows.db].ops.quote_name
        names = [*property_columns(spec), GEOM_COLUMN, ID_COLUMN]
        sql = _TILE_SQL.format(
            extent=EXTENT,
            geom=GEOM_COLUMN,
            fid=ID_COLUMN,
            sub=sub,
            names=", ".join(quote(name) for name in names),
        )
        _templates[key] = (sql, [spec.key, *params])
    return _templates[key]


def render_tile(spec: LayerSpec, z: int, x: int, y: int) -> bytes:
    """The tile's MVT bytes (layer named ``spec.key``); b"" when no feature falls in it.

    Outside the layer's zoom range the tile is empty without touching the database.
    """
    check_tile(z, x, y)
    if not spec.min_zoom <= z <= spec.max_zoom:
        return b""
    sql, params = tile_statement(spec, z, x, y)
    with connections[spec.public_queryset().db].cursor() as cursor:
        cursor.execute(sql, params)
        (tile,) = cursor.fetchone()
    return bytes(tile) if tile else b""
