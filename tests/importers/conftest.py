"""Tiny source files written in tmp_path, as surveyors' software would write them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import shapely

from gis.crs import vn2000_esri_prj
from importers.writing import write_shapefile as write
from tests.factories import AdminUnitFactory

# ESRI WKT as Vietnamese GIS software writes VN-2000 / TM-3 105-30: no TOWGS84.
VN2000_PRJ = vn2000_esri_prj(105.5)
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
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / f"{name}.shp", rows, encoding=encoding, cpg=cpg, prj=prj)


def zip_folder(folder: Path, target: Path, inner: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{inner}{file.name}")
    return target


@pytest.fixture
def ward(db):
    return AdminUnitFactory(code="10540", name="Phường Tứ Minh")
