"""Bad input: each kind gives one clear message in Vietnamese and English and leaves the
database exactly as it was."""

from __future__ import annotations

import json
import zipfile

import pytest
import shapely
import shapely.ops

from importers.services import ImportOptions, run_import
from importers.writing import write_rows
from layers.models import LandParcel
from tests.importers.conftest import X0, Y0, lot, parcel_rows, write_shapefile, zip_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing(ward, tmp_path):
    """One parcel already loaded: every refused import must leave it as it is."""
    run_import(layer="parcels", path=write_shapefile(tmp_path / "existing", parcel_rows(1)))
    return LandParcel.objects.values().get()


def refused(path, existing, **options) -> str:
    report = run_import(layer="parcels", path=path, options=ImportOptions(**options))
    assert not report.ok
    assert LandParcel.objects.count() == 1
    assert LandParcel.objects.values().get() == existing
    vi, _newline, en = report.error.partition("\n")
    assert vi and en and vi != en, report.error  # both languages
    return report.error


def test_a_shapefile_without_its_shx_is_refused(existing, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(2))
    path.with_suffix(".shx").unlink()
    assert ".shx" in refused(path, existing)


def test_a_shapefile_without_its_dbf_is_refused(existing, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(2))
    path.with_suffix(".dbf").unlink()
    assert ".dbf" in refused(path, existing)


def test_a_truncated_shp_is_refused(existing, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(20))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in refused(path, existing)


def test_a_corrupt_zip_is_refused(existing, tmp_path):
    path = tmp_path / "hong.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "zip" in refused(path, existing)


def test_a_zip_with_parent_paths_is_refused(existing, tmp_path):
    folder = tmp_path / "in"
    write_shapefile(folder, parcel_rows(2))
    path = zip_folder(folder, tmp_path / "evil.zip", inner="../../")
    assert "unsafe path" in refused(path, existing)


def test_a_zip_bomb_is_refused(existing, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("thua_dat.shp", b"\0" * 60_000_000)
    assert "zip bomb" in refused(path, existing)


def test_a_file_without_features_is_refused(existing, tmp_path):
    path = write_rows(tmp_path / "empty.shp", [], geometry_type="Polygon")
    assert "no features" in refused(path, existing)


def test_points_cannot_be_loaded_as_parcels(existing, tmp_path):
    rows = parcel_rows(3)
    for row in rows:
        row["geometry"] = shapely.Point(X0, Y0)
    assert "Wrong geometry type" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_coordinates_outside_the_province_are_refused(existing, tmp_path):
    rows = parcel_rows(2)
    for i, row in enumerate(rows):
        row["geometry"] = lot(i, y0=Y0 + 600_000)  # 600 km north, in China
    assert "outside the province" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_swapped_axes_are_named_as_the_cause(existing, tmp_path):
    rows = parcel_rows(2)
    for row in rows:
        row["geometry"] = shapely.ops.transform(lambda x, y: (y, x), row["geometry"])
    assert "swapped" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_degrees_given_as_metres_are_named_as_the_cause(existing, tmp_path):
    rows = parcel_rows(2)
    for i, row in enumerate(rows):
        row["geometry"] = shapely.box(106.3 + i * 1e-4, 20.9, 106.3 + i * 1e-4 + 5e-5, 20.90005)
    assert "degrees" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_the_wrong_zone_is_named_as_the_cause(existing, tmp_path):
    """Hải Dương coordinates (105°30′) delivered with Hà Nội's 105°00′ .prj."""
    rows = parcel_rows(2)
    prj = write_shapefile.__globals__["VN2000_PRJ"].replace("105.5", "104.0")
    message = refused(write_shapefile(tmp_path / "in", rows, prj=prj), existing)
    assert "central meridian" in message and "9209" in message


def test_duplicate_keys_inside_the_file_are_refused(existing, tmp_path):
    rows = parcel_rows(3)
    rows[2]["SoThuTuThua"] = 2
    assert "same key" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_non_numeric_parcel_numbers_are_refused(existing, tmp_path):
    rows = parcel_rows(3, SoThuTuThua="12a")
    assert "12a" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_non_numeric_sheet_numbers_are_refused(existing, tmp_path):
    rows = parcel_rows(3, SoHieuToBanDo="XII")
    assert "XII" in refused(write_shapefile(tmp_path / "in", rows), existing)


@pytest.mark.parametrize("sheet", [2**32 + 12, -3])
def test_sheet_numbers_out_of_range_are_refused(existing, tmp_path, sheet):
    # 2^32 + 12 would reach a 32-bit column as 12 if nothing checked it.
    rows = parcel_rows(3, SoHieuToBanDo=sheet)
    assert f"{sheet} is out of range" in refused(write_shapefile(tmp_path / "in", rows), existing)


def test_an_out_of_range_number_names_its_feature(existing, tmp_path):
    rows = parcel_rows(4)
    rows[2]["SoThuTuThua"] = 2**31  # one past the column's largest number
    message = refused(write_shapefile(tmp_path / "in", rows), existing)
    assert "#3: SoThuTuThu: 2147483648 is out of range (0 to 2147483647)" in message  # .dbf: 10


def test_a_file_over_the_size_limit_is_refused(existing, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 500
    path = write_shapefile(tmp_path / "in", parcel_rows(20))
    assert "limit" in refused(path, existing)


def test_undecodable_text_is_refused(existing, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(2), encoding="tcvn3", cpg=None)
    assert "decoded" in refused(path, existing, encoding="utf-8")


def test_geojson_with_a_projected_crs_is_not_rfc7946(existing, tmp_path):
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::9209"}},
        "features": [],
    }
    path = tmp_path / "thua.geojson"
    path.write_text(json.dumps(document))
    assert "RFC 7946" in refused(path, existing)


def test_a_geopackage_with_several_layers_needs_one_chosen(existing, tmp_path):
    path = tmp_path / "hai_lop.gpkg"
    write_rows(path, parcel_rows(2), crs=9209, layer="thua_dat")
    write_rows(path, parcel_rows(2), crs=9209, layer="thua_dat_cu")
    message = refused(path, existing)
    assert "thua_dat_cu" in message and "--layer" in message


def test_a_mapping_naming_absent_columns_is_refused(existing, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("fields:\n  sheet: SO_TO_BD\n  number: SoThuTuThua\n")
    path = write_shapefile(tmp_path / "in", parcel_rows(2))
    message = refused(path, existing, mapping=str(mapping))
    assert "SO_TO_BD" in message and "SoHieuToBa" in message  # dBase cut the name


def test_missing_required_columns_are_listed_with_what_the_file_has(existing, tmp_path):
    rows = [{k: v for k, v in row.items() if k != "DienTich"} for row in parcel_rows(2)]
    message = refused(write_shapefile(tmp_path / "in", rows), existing)
    assert "area_m2" in message and "KyHieuMucD" in message


def test_an_unsupported_file_type_is_refused(existing, tmp_path):
    path = tmp_path / "thua.kml"
    path.write_text("<kml/>")
    assert ".kml" in refused(path, existing)


def test_a_zip_with_two_shapefiles_is_refused(existing, tmp_path):
    folder = tmp_path / "in"
    write_shapefile(folder, parcel_rows(2), name="a")
    write_shapefile(folder, parcel_rows(2), name="b")
    assert "exactly one" in refused(zip_folder(folder, tmp_path / "two.zip"), existing)


def test_cut_dbase_names_map_to_one_field_each(existing, tmp_path):
    """SoHieuToBanDo and SoHieuToBanDoCu both arrive as SoHieuToBa: it is the sheet."""
    from importers.mapping import resolve_mapping
    from layers import registry

    mapping = resolve_mapping(
        registry.get("parcels").importer,
        ["MaXa", "SoHieuToBa", "SoThuTuThu", "DienTich", "KyHieuMucD"],
    )
    assert mapping["sheet"] == "SoHieuToBa" and mapping["number"] == "SoThuTuThu"
    assert "old_sheet" not in mapping and "old_number" not in mapping
