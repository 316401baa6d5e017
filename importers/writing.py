"""Writing shapefiles the way legacy Vietnamese software does: text as TCVN3, VNI or
Windows-1258 bytes, which GDAL itself cannot produce (demo data, tests, exports)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from importers.encodings import encode


def write_shapefile(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    encoding: str = "utf-8",
    cpg: str | None = "auto",
    prj: str | None = None,
) -> Path:
    """Write ``frame`` with its text in ``encoding``. ``cpg="auto"`` writes the usual .cpg
    ("UTF-8", or "1258" for Windows-1258) and none for TCVN3/VNI, as surveyors deliver them;
    ``None`` writes none; any other string is written as is."""
    path = Path(path)
    if encoding.lower() in ("utf-8", "utf8"):
        pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    else:
        frame = frame.copy()
        # GDAL cannot write these encodings: hand it the raw bytes as Latin-1 stand-ins.
        for column in frame.columns:
            if column != frame.geometry.name and any(isinstance(v, str) for v in frame[column]):
                frame[column] = pd.Series(
                    [
                        encode(v, encoding).decode("latin1") if isinstance(v, str) else v
                        for v in frame[column]
                    ],
                    index=frame.index,
                    dtype=object,
                )
        pyogrio.write_dataframe(frame, path, encoding="ISO-8859-1")
    for sidecar in (".cpg", ".prj"):
        path.with_suffix(sidecar).unlink(missing_ok=True)
    if cpg == "auto":
        cpg = {"utf-8": "UTF-8", "utf8": "UTF-8", "cp1258": "1258"}.get(encoding.lower())
    if cpg:
        path.with_suffix(".cpg").write_text(cpg)
    if prj:
        path.with_suffix(".prj").write_text(prj)
    return path
