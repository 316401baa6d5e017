"""Writing vector files with pyogrio from plain rows or columns (demo data, tests, exports),
and shapefiles the way legacy Vietnamese software writes them: text as TCVN3, VNI or
Windows-1258 bytes, which GDAL itself cannot produce.

No DataFrame library: pandas (which geopandas needs) costs every process a quarter of a
second at start-up merely by being installed, since pyogrio and pyarrow import it when
they find it, and these files need none of it."""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely

from importers.encodings import encode

GEOMETRY = "geometry"  # the key of a row's geometry


def columns_of(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list], list]:
    """Rows (dicts with a ``geometry``) as columns, in the order their keys first appear
    (a key a row lacks is null there), and the geometries."""
    names = dict.fromkeys(name for row in rows for name in row if name != GEOMETRY)
    columns = {name: [row.get(name) for row in rows] for name in names}
    return columns, [row[GEOMETRY] for row in rows]


def write_rows(path: Path, rows: Sequence[Mapping[str, Any]], **options) -> Path:
    """Write rows (dicts with a ``geometry``): see ``write_features``."""
    columns, geometries = columns_of(rows)
    return write_features(path, columns, geometries, **options)


def write_features(
    path: Path,
    columns: Mapping[str, Sequence[Any]],
    geometries: Sequence[shapely.Geometry | None],
    *,
    crs: str | int | None = None,
    layer: str | None = None,
    driver: str | None = None,
    encoding: str | None = None,
    geometry_type: str | None = None,
    append: bool = False,
    **creation_options: Any,
) -> Path:
    """Write one layer: a field per column, typed from its values (whole numbers as
    integers, any fraction as reals, dates and text as text; None is null), and the
    geometries, whose layer type is their one type, or the multi type when single and
    multi parts are mixed. ``crs``: an EPSG code or a WKT. Other keywords are GDAL
    dataset or layer creation options."""
    path = Path(path)
    geometries = np.asarray(geometries, dtype=object)
    promote = None
    if geometry_type is None:
        geometry_type, promote = _layer_type(geometries[~shapely.is_missing(geometries)])
    data, masks = [], []
    for values in columns.values():
        column, mask = _field(list(values))
        data.append(column)
        masks.append(mask)
    pyogrio.raw.write(
        path,
        shapely.to_wkb(geometries),
        data,
        list(columns),
        field_mask=masks,
        layer=layer,
        driver=driver,
        geometry_type=geometry_type,
        crs=f"EPSG:{crs}" if isinstance(crs, int) else crs,
        encoding=encoding,
        promote_to_multi=promote,
        append=append,
        **creation_options,
    )
    return path


_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def _layer_type(present: np.ndarray) -> tuple[str, bool | None]:
    """The layer's geometry type for these geometries, and whether to promote to multi."""
    kinds = set(shapely.get_type_id(present).tolist())
    if len(kinds) == 1:
        name = _TYPE_NAMES.get(kinds.pop(), "Unknown")
    elif len(kinds) == 2 and max(kinds) - min(kinds) == 3 and min(kinds) in (0, 1, 3):
        return _TYPE_NAMES[max(kinds)], True  # single and multi parts: all multi
    else:
        return "Unknown", None
    if name != "Unknown" and shapely.has_z(present).any():
        name += " Z"
    return name, None


def _field(values: list[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """A column as the array pyogrio writes, and its null mask (None when it has none)."""
    present = [v for v in values if v is not None]
    nulls = np.array([v is None for v in values], dtype=bool)
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return np.array([bool(v) for v in values]), nulls if nulls.any() else None
    if present and all(_is_integer(v) for v in present):
        column = np.array([0 if v is None else int(v) for v in values], dtype=np.int64)
        return column, nulls if nulls.any() else None
    if present and all(_is_number(v) for v in present):
        column = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        return column, nulls if nulls.any() else None
    text = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if isinstance(value, datetime.date):
            value = value.isoformat()
        text[i] = None if value is None else str(value)
    return text, None


def _is_integer(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def write_shapefile(
    path: Path,
    rows: Sequence[Mapping[str, Any]] | tuple[Mapping[str, Sequence[Any]], Sequence],
    *,
    encoding: str = "utf-8",
    cpg: str | None = "auto",
    prj: str | None = None,
) -> Path:
    """Write rows (dicts with a ``geometry``), or ``(columns, geometries)``, with their
    text in ``encoding``. ``cpg="auto"`` writes the usual .cpg ("UTF-8", or "1258" for
    Windows-1258) and none for TCVN3/VNI, as surveyors deliver them; ``None`` writes none;
    any other string is written as is."""
    path = Path(path)
    columns, geometries = rows if isinstance(rows, tuple) else columns_of(rows)
    if encoding.lower() not in ("utf-8", "utf8"):
        # GDAL cannot write these encodings: hand it the raw bytes as Latin-1 stand-ins.
        columns = {
            name: [
                encode(v, encoding).decode("latin1") if isinstance(v, str) else v for v in values
            ]
            for name, values in columns.items()
        }
    with warnings.catch_warnings():
        # No CRS for GDAL: the .prj is written below, as given.
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        write_features(
            path,
            columns,
            geometries,
            encoding="UTF-8" if encoding.lower() in ("utf-8", "utf8") else "ISO-8859-1",
        )
    for sidecar in (".cpg", ".prj"):
        path.with_suffix(sidecar).unlink(missing_ok=True)
    if cpg == "auto":
        cpg = {"utf-8": "UTF-8", "utf8": "UTF-8", "cp1258": "1258"}.get(encoding.lower())
    if cpg:
        path.with_suffix(".cpg").write_text(cpg)
    if prj:
        path.with_suffix(".prj").write_text(prj)
    return path
