"""``export_layer``: a layer to .gpkg, zipped .shp (with .cpg and .prj) or RFC 7946 .geojson,
with the column names the importer reads back, so export → import is the identity.
Public rows and fields only: personal data never leaves through an export."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyproj
import shapely
from django.conf import settings

from gis.crs import WGS84, transformer
from importers.sql import lookup_field
from importers.writing import write_features, write_shapefile
from layers import registry


class ExportError(ValueError):
    pass


def _columns(spec: registry.LayerSpec) -> dict[str, str]:
    """file column → ORM path, for every public (non-private) target of the importer."""
    model = spec.get_model()
    columns = {}
    for target, aliases in spec.importer.aliases.items():
        if "." in target:
            head, tail = target.split(".", 1)
            field = model._meta.get_field(head)
            if field.one_to_one or field.one_to_many:
                continue  # private one-to-one tables (holders, applicants)
            columns[aliases[0]] = f"{head}__{tail}"
            continue
        field = model._meta.get_field(target)
        if field.is_relation:
            columns[aliases[0]] = f"{target}__{lookup_field(field.related_model)}"
        else:
            columns[aliases[0]] = target
    return {column: path for column, path in columns.items() if column}


def features(spec: registry.LayerSpec, srid: int) -> tuple[dict[str, list], np.ndarray]:
    """The layer's public rows as file columns, and their geometries in ``srid``."""
    columns = _columns(spec)
    rows = list(
        spec.public_queryset().order_by("pk").values("geom", *dict.fromkeys(columns.values()))
    )
    data = {column: [row[path] for row in rows] for column, path in columns.items()}
    for column, values in data.items():
        data[column] = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
        data[column] = [float(v) if type(v).__name__ == "Decimal" else v for v in data[column]]
    geoms = shapely.from_wkb([bytes(row["geom"].wkb) for row in rows])
    if srid != settings.GIS_SRID:
        to_srid = transformer(settings.GIS_SRID, srid)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_srid.transform(*xy.T)))
    return data, geoms


def export_layer(key: str, path: Path, *, srid: int | None = None) -> int:
    spec = registry.get(key)
    if spec.importer is None:
        raise ExportError(f"layer {key} has no file format")
    path = Path(path)
    suffix = path.suffix.lower()
    srid = srid or settings.GIS_SRID
    if suffix == ".geojson":
        srid = WGS84  # RFC 7946
    columns, geoms = features(spec, srid)
    if suffix == ".gpkg":
        write_features(path, columns, geoms, crs=srid, layer=key, driver="GPKG")
    elif suffix == ".geojson":
        write_features(
            path, columns, geoms, crs=srid, driver="GeoJSON", RFC7946="YES", COORDINATE_PRECISION=9
        )
    elif suffix in (".zip", ".shp"):
        prj = pyproj.CRS.from_epsg(srid).to_wkt("WKT1_ESRI")
        with tempfile.TemporaryDirectory() as tmp:
            write_shapefile(Path(tmp) / f"{key}.shp", (columns, geoms), prj=prj)
            target = path if suffix == ".zip" else path.with_suffix(".zip")
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for member in sorted(Path(tmp).iterdir()):
                    archive.write(member, member.name)
    else:
        raise ExportError("export to .gpkg, .zip (shapefile) or .geojson")
    return len(geoms)
