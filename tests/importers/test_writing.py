"""Writing files without a DataFrame library (importers.writing), and what that keeps out
of every process's start-up."""

from __future__ import annotations

import datetime

import pyogrio
import shapely

from importers.writing import write_rows, write_shapefile
from tests.child import python_json


def test_field_types_follow_the_values(tmp_path):
    rows = [
        {"SoTo": 12, "DienTich": 100, "MaXa": "10540", "Ngay": datetime.date(2025, 3, 2),
         "CamXD": True, "geometry": shapely.box(0, 0, 1, 1)},
        {"SoTo": None, "DienTich": 85.5, "MaXa": None, "Ngay": None,
         "CamXD": False, "geometry": shapely.MultiPolygon([shapely.box(2, 0, 3, 1)])},
    ]  # fmt: skip
    path = write_rows(tmp_path / "t.gpkg", rows, crs=9209, layer="t")
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types == {
        "SoTo": "int64",
        "DienTich": "float64",
        "MaXa": "object",
        "Ngay": "object",
        "CamXD": "bool",
    }
    assert info["geometry_type"] == "MultiPolygon"  # single and multi parts: all multi
    assert info["crs"] == "EPSG:9209"
    _meta, table = pyogrio.raw.read_arrow(path)
    assert table.column("SoTo").to_pylist() == [12, None]  # a null, not a zero or NaN
    assert table.column("Ngay").to_pylist() == ["2025-03-02", None]
    assert table.column("DienTich").to_pylist() == [100.0, 85.5]
    wkb = table.column(table.schema.names[-1]).to_pylist()
    assert shapely.get_num_geometries(shapely.from_wkb(wkb)).tolist() == [1, 1]


def test_legacy_text_is_written_as_its_bytes(tmp_path):
    rows = [{"DiaChi": "Số 5 đường Trần Hưng Đạo", "geometry": shapely.box(0, 0, 1, 1)}]
    path = write_shapefile(tmp_path / "t.shp", rows, encoding="tcvn3")
    assert not path.with_suffix(".cpg").exists()
    _meta, _fids, _wkb, (addresses,) = pyogrio.raw.read(path, encoding="ISO-8859-1")
    from importers.encodings import decode

    assert decode(addresses[0].encode("latin1"), "tcvn3") == "Số 5 đường Trần Hưng Đạo"


START_UP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
import django
django.setup()
from django.urls import get_resolver
import importers.exporting, importers.services, importers.writing
get_resolver().url_patterns  # every view module
print(json.dumps(sorted(m for m in ("pandas", "geopandas", "folium") if m in sys.modules)))
"""


def test_start_up_imports_no_dataframe_library_and_no_folium():
    """pandas costs a process a quarter of a second to import, folium another (it compiles
    its templates); neither is needed to start the site or run a command."""
    assert python_json(START_UP) == []
