"""Export → re-import gives the same features and coordinates (no personal data leaves)."""

from __future__ import annotations

import json
import zipfile

import pyogrio
import pytest
from django.core.management import call_command

from importers.services import run_import
from layers.models import LandParcel
from tests.importers.conftest import parcel_rows, write_shapefile

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        (p.commune.code, p.sheet, p.number, str(p.area_m2), p.land_use_codes, p.address, p.geom.wkt)
        for p in LandParcel.objects.select_related("commune")
    )


@pytest.mark.parametrize("name", ["thua.zip", "thua.gpkg"])
def test_export_then_reimport_is_the_identity(ward, tmp_path, name):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(6)))
    before = snapshot()
    target = tmp_path / name
    call_command("export_layer", "parcels", str(target))
    LandParcel.objects.all().delete()
    report = run_import(layer="parcels", path=target)
    assert report.ok, report.error
    assert snapshot() == before


def test_the_zipped_shapefile_carries_cpg_and_prj_and_no_personal_data(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(2)))
    target = tmp_path / "thua.zip"
    call_command("export_layer", "parcels", str(target))
    names = zipfile.ZipFile(target).namelist()
    assert {"parcels.cpg", "parcels.prj", "parcels.dbf", "parcels.shx", "parcels.shp"} <= set(names)
    fields = set(pyogrio.read_info(f"/vsizip/{target}/parcels.shp")["fields"])
    assert "MaXa" in fields and not {"TenChu", "SoHieuGCN"} & fields


def test_a_geopackage_export_opens_in_gdal_with_the_right_crs(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(2)))
    target = tmp_path / "thua.gpkg"
    call_command("export_layer", "parcels", str(target))
    assert pyogrio.read_info(target)["crs"] == "EPSG:9209"


def test_geojson_exports_are_rfc7946(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(2)))
    target = tmp_path / "thua.geojson"
    call_command("export_layer", "parcels", str(target))
    document = json.loads(target.read_text())
    lon, lat = document["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 105 < lon < 108 and 20 < lat < 22
    assert "crs" not in document
