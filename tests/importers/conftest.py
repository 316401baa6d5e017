"""Tiny source files written in tmp_path, as surveyors' software would write them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.factories import AdminUnitFactory

# ESRI WKT as Vietnamese GIS software writes VN-2000 / TM-3 105-30: no TOWGS84.
VN2000_PRJ = (
    'PROJCS["VN_2000_TM3_105_30",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",105.5],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
X0, Y0 = 580_000.0, 2_314_000.0


def lot(i: int, size: float = 10.0, x0: float = X0, y0: float = Y0) -> shapely.Polygon:
    x = x0 + (i % 50) * (size + 2)
    y = y0 + (i // 50) * (size + 2)
    return shapely.box(x, y, x + size, y + size)


def parcel_rows(n: int = 5, **overrides) -> list[dict]:
    rows = []
    for i in range(n):
        row = {
            "MaXa": "10540",
            "SoHieuToBanDo": 12,
            "SoThuTuThua": i + 1,
            "DienTich": 100.0,
            "KyHieuMucDichSuDung": "ODT",
            "DiaChi": f"Số {i + 1} đường Nguyễn Trãi",
            "TenChu": "Nguyễn Văn An",
            "SoHieuGCN": f"CS {100000 + i}",
            "geometry": lot(i),
        }
        row.update(overrides)
        rows.append(row)
    return rows


def write_shapefile(
    folder: Path,
    rows: list[dict],
    *,
    name: str = "thua_dat",
    prj: str | None = VN2000_PRJ,
    encoding: str = "UTF-8",
    cpg: str | None = "UTF-8",
) -> Path:
    """Write a shapefile; ``encoding`` other than UTF-8 writes the text as those raw bytes."""
    from importers.encodings import encode

    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=None)
    if encoding.lower() not in ("utf-8", "utf8"):
        for column in frame.columns:
            if column != "geometry" and any(isinstance(v, str) for v in frame[column]):
                frame[column] = pd.Series(
                    [
                        encode(v, encoding).decode("latin1") if isinstance(v, str) else v
                        for v in frame[column]
                    ],
                    dtype=object,
                )
        write_encoding = "latin1"
    else:
        write_encoding = "UTF-8"
    path = folder / f"{name}.shp"
    pyogrio.write_dataframe(frame, path, encoding=write_encoding)
    for sidecar in (".cpg", ".prj"):
        path.with_suffix(sidecar).unlink(missing_ok=True)
    if cpg:
        path.with_suffix(".cpg").write_text(cpg)
    if prj:
        path.with_suffix(".prj").write_text(prj)
    return path


def zip_folder(folder: Path, target: Path, inner: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{inner}{file.name}")
    return target


@pytest.fixture
def ward(db):
    return AdminUnitFactory(code="10540", name="Phường Tứ Minh")
