"""Mapnik style XML generated from the layer registry (never hand-kept beside it).

Each raster layer reads its public rows from PostGIS through the ORM-built query over the
stored ``geom_3857`` column (no reprojection per tile). Scale denominators are those of
256-pixel Web Mercator tiles.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from django.db import connection, models
from psycopg import ClientCursor

from layers import registry
from layers.models import LandUseType
from layers.registry import GeometryKind, LayerSpec

# 1:559 082 264 at zoom 0 for 256-pixel Web Mercator tiles (OGC WMTS well-known scale set).
ZOOM0_SCALE = 559_082_264.028717
FONTSET = (
    '<FontSet name="sans"><Font face-name="Noto Sans Regular"/>'
    '<Font face-name="DejaVu Sans Book"/></FontSet>'
)
NODATA_FILL = "#E8E8E8"


def scale(zoom: float) -> float:
    return ZOOM0_SCALE / 2**zoom


@dataclass(frozen=True)
class Query:
    """The SQL a Mapnik layer reads, with the column names its styles use."""

    sql: str
    fill_key: str | None
    label: str | None


def _compiled(queryset: models.QuerySet) -> str:
    """The queryset's SQL with its parameters bound by psycopg (never string-formatted)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        raw = cursor.cursor.connection
        return ClientCursor(raw).mogrify(sql, params)


def layer_query(spec: LayerSpec) -> Query:
    fields = {"geom": models.F("geom_3857")}
    style = spec.style
    if style.fill_by:
        fields["fill_key"] = models.F(style.fill_by)
    if style.label_field:
        fields["label"] = models.functions.Cast(style.label_field, models.TextField())
    # No ORDER BY: a model's default ordering would make PostgreSQL sort (and join for)
    # every row of every tile; Mapnik draws in any order (measured: ~2× at z16, 1M parcels).
    queryset = spec.public_queryset().order_by().annotate(**{f"_{k}": v for k, v in fields.items()})
    queryset = queryset.values(*(f"_{k}" for k in fields))
    inner = _compiled(queryset)
    renamed = ", ".join(f'"_{k}" AS "{k}"' for k in fields)
    return Query(
        # Identifiers from the registry, the inner query compiled by the ORM and psycopg.
        sql=f"(SELECT {renamed} FROM ({inner}) AS src) AS {spec.key}",  # noqa: S608
        fill_key="fill_key" if style.fill_by else None,
        label="label" if style.label_field else None,
    )


def land_use_colours() -> dict[str, str]:
    return dict(LandUseType.objects.values_list("code", "color"))


def _rule(
    body: str,
    *,
    filter_: str | None = None,
    max_zoom: float | None = None,
    min_zoom: float | None = None,
    else_: bool = False,
) -> str:
    parts = ["<Rule>"]
    if min_zoom is not None:
        parts.append(f"<MaxScaleDenominator>{scale(min_zoom - 0.5):.2f}</MaxScaleDenominator>")
    if max_zoom is not None:
        parts.append(f"<MinScaleDenominator>{scale(max_zoom + 0.5):.2f}</MinScaleDenominator>")
    if filter_:
        parts.append(f"<Filter>{escape(filter_)}</Filter>")
    if else_:
        parts.append("<ElseFilter/>")
    parts.append(body)
    parts.append("</Rule>")
    return "".join(parts)


def _attrs(**values: object) -> str:
    return " ".join(
        f"{k.replace('_', '-')}={quoteattr(str(v))}" for k, v in values.items() if v is not None
    )


def _fill_rules(spec: LayerSpec, colours: dict[str, str]) -> list[str]:
    style = spec.style
    if style.fill_by and style.fill_colors == "land_use":
        rules = [
            _rule(
                f"<PolygonSymbolizer {_attrs(fill=colour, fill_opacity=style.fill_opacity)}/>",
                filter_=f"[fill_key] = '{code}'",
            )
            for code, colour in sorted(colours.items())
        ]
        rules.append(
            _rule(
                f"<PolygonSymbolizer {_attrs(fill=NODATA_FILL, fill_opacity=style.fill_opacity)}/>",
                else_=True,
            )
        )
        return rules
    if style.fill and style.fill_opacity > 0:
        if style.hatch:
            faint = _attrs(fill=style.fill, fill_opacity=style.fill_opacity / 3)
            pattern = _attrs(file="hatch.png", alignment="global")
            body = f"<PolygonSymbolizer {faint}/><PolygonPatternSymbolizer {pattern}/>"
        else:
            body = (
                f"<PolygonSymbolizer {_attrs(fill=style.fill, fill_opacity=style.fill_opacity)}/>"
            )
        return [_rule(body)]
    return []


def _stroke_rules(spec: LayerSpec) -> list[str]:
    style = spec.style
    if not style.stroke:
        return []
    dash = ",".join(f"{d:g}" for d in style.dash) or None
    if spec.geometry == GeometryKind.POINT:
        size = style.point_radius * 2
        marker = _attrs(
            fill=style.fill or style.stroke,
            stroke=style.stroke,
            width=size,
            height=size,
            allow_overlap="true",
        )
        return [_rule(f"<MarkersSymbolizer {marker}/>")]
    if spec.geometry == GeometryKind.LINE:
        round_ends = {"stroke_linecap": "round", "stroke_linejoin": "round"}
        casing = _attrs(stroke="#9a9a9a", stroke_width=style.stroke_width + 2, **round_ends)
        line = _attrs(
            stroke=style.stroke,
            stroke_width=style.stroke_width,
            stroke_dasharray=dash,
            **round_ends,
        )
        return [_rule(f"<LineSymbolizer {casing}/><LineSymbolizer {line}/>")]
    line = _attrs(stroke=style.stroke, stroke_width=style.stroke_width, stroke_dasharray=dash)
    line = f"<LineSymbolizer {line}/>"
    return [_rule(line, min_zoom=style.outline_min_zoom or None)]


def _label_rules(spec: LayerSpec) -> list[str]:
    style = spec.style
    if not style.label_field:
        return []
    placement = "line" if spec.geometry == GeometryKind.LINE else "interior"
    attrs = _attrs(
        fontset_name="sans",
        size=11,
        fill="#222222",
        halo_fill="#ffffff",
        halo_radius=1.5,
        placement=placement,
        avoid_edges="false",
        minimum_padding=2,
        wrap_width=80 if placement == "interior" else None,
    )
    return [
        _rule(f"<TextSymbolizer {attrs}>[label]</TextSymbolizer>", min_zoom=style.label_min_zoom)
    ]


def _datasource(query: Query, db: dict[str, object]) -> str:
    params = {
        "type": "postgis",
        "host": db.get("HOST") or "",
        "port": db.get("PORT") or "",
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "table": query.sql,
        "geometry_field": "geom",
        "srid": "3857",
        "estimate_extent": "false",
        "extent": "-20037508.34,-20037508.34,20037508.34,20037508.34",
        # Mapnik fails a render ("Null connection") rather than wait when its pool is
        # exhausted: allow as many connections as a process has render threads.
        "max_size": "32",
    }
    inner = "".join(
        f'<Parameter name="{name}">{escape(str(value))}</Parameter>'
        for name, value in params.items()
        if value != ""
    )
    return f"<Datasource>{inner}</Datasource>"


def _layer_xml(
    spec: LayerSpec, query: Query, db: dict[str, object], colours: dict[str, str]
) -> tuple[str, str]:
    groups = {
        "fill": _fill_rules(spec, colours),
        "stroke": _stroke_rules(spec),
        "labels": _label_rules(spec),
    }
    styles, layers = [], []
    for part, rules in groups.items():
        if not rules:
            continue
        name = f"{spec.key}-{part}"
        styles.append(f'<Style name="{name}">{"".join(rules)}</Style>')
        layers.append(name)
    # With several styles Mapnik would query the datasource once per style; cache-features
    # reads the rows once and draws every style from memory.
    cache = ' cache-features="true"' if len(layers) > 1 else ""
    layer = (
        f'<Layer name="{spec.key}" srs="epsg:3857"{cache} '
        f'maximum-scale-denominator="{scale(spec.min_zoom - 0.5):.2f}">'
        + "".join(f"<StyleName>{name}</StyleName>" for name in layers)
        + _datasource(query, db)
        + "</Layer>"
    )
    return "".join(styles), layer


def map_xml(
    specs: Iterable[LayerSpec],
    *,
    db: dict[str, object],
    background: str | None = None,
    queries: Sequence[Query] | None = None,
) -> str:
    """A Mapnik map drawing ``specs`` in order (first at the bottom)."""
    specs = list(specs)
    colours = land_use_colours()
    queries = list(queries) if queries else [layer_query(spec) for spec in specs]
    styles, layers = [], []
    for spec, query in zip(specs, queries, strict=True):
        style_xml, layer_xml = _layer_xml(spec, query, db, colours)
        styles.append(style_xml)
        layers.append(layer_xml)
    bg = f' background-color="{background}"' if background else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Map srs="epsg:3857"{bg}>' + FONTSET + "".join(styles) + "".join(layers) + "</Map>\n"
    )


def write_private(path: Path, data: str | bytes) -> None:
    """Write a generated file readable by its owner only (it may hold database credentials),
    atomically: workers starting together never read a half-written file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(raw)
    os.replace(temporary, path)


def write_styles(folder: Path, db: dict[str, object]) -> dict[str, Path]:
    """One Mapnik XML per raster layer: layer key → file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for spec in registry.all_layers():
        if not spec.raster:
            continue
        path = folder / f"{spec.key}.xml"
        write_private(path, map_xml([spec], db=db))
        files[spec.key] = path
    return files


def raster_xml(path: str) -> str:
    """A Mapnik map drawing one tiled GeoTIFF already in Web Mercator."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<Map srs="epsg:3857">'
        '<Style name="raster"><Rule><RasterSymbolizer scaling="bilinear"/></Rule></Style>'
        '<Layer name="raster" srs="epsg:3857"><StyleName>raster</StyleName><Datasource>'
        '<Parameter name="type">gdal</Parameter>'
        f'<Parameter name="file">{escape(path)}</Parameter>'
        "</Datasource></Layer></Map>\n"
    )


def write_hatch(folder: Path) -> Path:
    """The diagonal hatch environmental zones are filled with (a 16-pixel repeating tile)."""
    from PIL import Image, ImageDraw

    path = folder / "hatch.png"
    image = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for offset in (-16, 0, 16):
        draw.line([(offset, 16), (offset + 16, 0)], fill=(31, 120, 180, 200), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    write_private(path, buffer.getvalue())
    return path
