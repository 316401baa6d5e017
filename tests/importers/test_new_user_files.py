"""Cadastral files as a new user brings them, in every variant DOMAIN.md names: legacy text
encodings with and without a .cpg, VN-2000 in its many .prj spellings and zones, GeoJSON
and GeoPackage, the attribute names of each surveying package, awkward geometries.

Each case checks the loaded values exactly: the Vietnamese text round-trips, and each
parcel's first vertex lands where pyproj alone (not the importer) puts it in GIS_SRID
(EPSG:9209, VN-2000 / TM-3 105-30). DOMAIN.md's reference point: TM-3 105-30
(580 000, 2 314 000) is WGS 84 lon 106.27097221327, lat 20.91738443124 (EPSG:6960).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from gis.crs import (
    VN2000_TO_WGS84_COORDINATE_FRAME,
    VN2000_TOWGS84_POSITION_VECTOR,
    vn2000_esri_prj,
)
from importers.encodings import encode
from importers.models import ImportRun
from importers.services import ImportOptions, run_import
from importers.writing import write_rows
from layers.models import LandParcel
from tests.importers.conftest import X0, Y0, write_shapefile

pytestmark = pytest.mark.django_db

# Every accented letter is lower case or one of Ă Â Ê Ô Ơ Ư Đ: TCVN3 has bytes for these.
ADDRESS = "Số 7 ngõ Hữu Nghị, Đường Nguyễn Lương Bằng, phường Tứ Minh"
HOLDER = "Trần Thị Thuỷ"
REFERENCE_LONLAT = (106.27097221327, 20.91738443124)  # DOMAIN.md: (X0, Y0) in EPSG:9209

# Column names as surveying packages write them (DOMAIN.md, "Cadastral parcels").
FAMIS = {
    "commune": "MaXa",
    "sheet": "SoTo",
    "number": "SoThua",
    "area": "DTPL",
    "land_use": "MDSD",
    "address": "DiaChi",
    "holder": "TenChu",
    "certificate": "SoHieuGCN",
}
VBDLIS = {
    **FAMIS,
    "sheet": "SoHieuToBanDo",
    "number": "SoThuTuThua",
    "area": "DienTichPhapLy",
    "land_use": "KyHieuMucDichSuDung",
}
OTHER = {
    **FAMIS,
    "sheet": "TOBANDO",
    "number": "THUA",
    "area": "DT",
    "land_use": "LOAIDAT",
    "holder": "CHUSUDUNG",
}
MIXED = {
    **FAMIS,
    "commune": "MAXA",
    "area": "DienTichPhapLy",
    "land_use": "KHLOAIDAT",
    "address": "DIACHI",
    "holder": "TenChuSuDung",
    "certificate": "SOHIEUGCN",
}


def _towgs84_prj(central_meridian: float, towgs84: tuple[float, ...]) -> str:
    """OGC WKT 1 with a TOWGS84 clause, as QGIS or GDAL write a VN-2000 TM-3 zone."""
    degrees, minutes = int(central_meridian), round(central_meridian % 1 * 60)
    return (
        f'PROJCS["VN-2000 / TM-3 {degrees}-{minutes:02d}",GEOGCS["VN-2000",'
        'DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563],'
        f"TOWGS84[{','.join(map(str, towgs84))}]],"
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
        f'PARAMETER["central_meridian",{central_meridian}],PARAMETER["scale_factor",0.9999],'
        'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]'
    )


# .prj variants: (its text, the EPSG code of the coordinates the file holds).
PRJ_VARIANTS = {
    "esri_tm3_105_30": (
        vn2000_esri_prj(105.5).replace("VN_2000_TM3_105_30", "VN_2000_TM-3_105-30"),
        9209,
    ),
    # EPSG:6960's Coordinate Frame numbers written unchanged: TOWGS84 reads Position Vector.
    "towgs84_position_vector_trap": (
        _towgs84_prj(105.5, VN2000_TO_WGS84_COORDINATE_FRAME),
        9209,
    ),
    "towgs84_coordinate_frame_signs": (_towgs84_prj(105.5, VN2000_TOWGS84_POSITION_VECTOR), 9209),
    "proj_string_with_the_trap": (
        "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={','.join(map(str, VN2000_TO_WGS84_COORDINATE_FRAME))} +units=m +no_defs",
        9209,
    ),
    "notepad_byte_order_mark": ("\ufeff" + vn2000_esri_prj(105.5), 9209),
    "hai_phong_tm3_105_45": (vn2000_esri_prj(105.75), 9210),
    "hai_phong_with_towgs84": (_towgs84_prj(105.75, VN2000_TOWGS84_POSITION_VECTOR), 9210),
    "utm_48n": (vn2000_esri_prj(105.0, 0.9996), 3405),
    "utm_48n_from_epsg": (pyproj.CRS.from_epsg(3405).to_wkt("WKT1_ESRI"), 3405),
}


def lot(i: int, x0: float = X0) -> shapely.Polygon:
    """A 10 m square, clockwise (a shapefile's outer ring) from its south-west corner."""
    x, y = x0 + 20 * i, Y0
    return shapely.Polygon([(x, y), (x, y + 10), (x + 10, y + 10), (x + 10, y), (x, y)])


def rows(n: int = 3, columns: dict[str, str] = FAMIS) -> list[dict]:
    out = []
    for i in range(n):
        values = {
            "commune": "10540",
            "sheet": 12,
            "number": i + 1,
            "area": 100.5 + i,
            "land_use": "ONT+CLN",
            "address": ADDRESS,
            "holder": HOLDER,
            "certificate": f"CS 0{1230 + i}",
        }
        row = {columns[key]: value for key, value in values.items()}
        row["geometry"] = lot(i)
        out.append(row)
    return out


def transformed(geometry: shapely.Geometry, source: int, target: int) -> shapely.Geometry:
    """The geometry moved from EPSG ``source`` to ``target`` by pyproj alone."""
    forward = pyproj.Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(forward.transform(*xy.T)))


def in_crs(table: list[dict], srid: int) -> list[dict]:
    """The rows with their lots (in GIS_SRID) as a file in ``srid`` holds them."""
    return [
        {**row, "geometry": transformed(row["geometry"], settings.GIS_SRID, srid)} for row in table
    ]


def report_of(path: Path, **options):
    report = run_import(layer="parcels", path=path, options=ImportOptions(**options))
    assert report.ok, report.error
    assert (report.read, report.created, report.rejected) == (3, 3, {})
    return report


def parcels() -> list[LandParcel]:
    return list(LandParcel.objects.select_related("holder", "land_use", "commune"))


def first_vertex(parcel: LandParcel) -> tuple[float, float]:
    return parcel.geom[0].exterior_ring.coords[0]


def assert_record(*, first_vertices=None, tolerance: float = 1e-6) -> None:
    """Every value as written; each first vertex where pyproj puts it in GIS_SRID."""
    loaded = parcels()
    assert [(p.commune.code, p.sheet, p.number) for p in loaded] == [
        ("10540", 12, 1),
        ("10540", 12, 2),
        ("10540", 12, 3),
    ]
    assert [p.area_m2 for p in loaded] == [Decimal("100.5"), Decimal("101.5"), Decimal("102.5")]
    assert {(p.land_use_codes, p.land_use.code) for p in loaded} == {("ONT+CLN", "ONT")}
    assert {p.address for p in loaded} == {ADDRESS}
    assert {p.holder.holder_name for p in loaded} == {HOLDER}
    assert [p.holder.certificate_number for p in loaded] == ["CS 01230", "CS 01231", "CS 01232"]
    expected = first_vertices or [(X0 + 20 * i, Y0) for i in range(3)]
    for parcel, vertex in zip(loaded, expected, strict=True):
        assert first_vertex(parcel) == pytest.approx(vertex, abs=tolerance)


def assert_bilingual(message: str) -> tuple[str, str]:
    vi, _newline, en = message.partition("\n")
    assert vi and en and vi != en, message
    return vi, en


# --- text encodings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "cpg"),
    [
        ("tcvn3", None),
        ("vni", None),
        ("cp1258", "1258"),
        ("cp1258", "CP1258"),
        ("cp1258", "ANSI 1258"),
        ("cp1258", "windows-1258"),
        ("utf-8", "UTF-8"),
        ("utf-8", None),
    ],
)
def test_vietnamese_text_round_trips_in_every_encoding(ward, tmp_path, encoding, cpg):
    path = write_shapefile(tmp_path / "in", rows(), encoding=encoding, cpg=cpg)
    assert encode(ADDRESS, encoding) in path.with_suffix(".dbf").read_bytes()
    report_of(path)
    assert_record(tolerance=0)
    assert ImportRun.objects.get().encoding == encoding


def test_windows_1258_combining_tone_marks_load_as_composed_letters(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", rows(), encoding="cp1258", cpg="1258")
    assert b"S\xf4\xec 7" in path.with_suffix(".dbf").read_bytes()  # "Số": ô + combining acute
    report_of(path)
    address = LandParcel.objects.get(number=1).address
    assert address == ADDRESS and len(address) == len(ADDRESS)  # NFC, no combining marks


@pytest.mark.parametrize(
    ("encoding", "cpg"),
    [("tcvn3", "UTF-8"), ("vni", "1258"), ("tcvn3", "1258"), ("utf-8", "1258")],
)
def test_a_cpg_that_lies_is_overruled_by_detection_and_the_report_says_so(
    ward, tmp_path, encoding, cpg
):
    """Before: TCVN3 labelled UTF-8 was refused as undecodable; VNI or TCVN3 labelled
    1258 loaded silently as mojibake ("Soá 7 ngoõ…")."""
    path = write_shapefile(tmp_path / "in", rows(), encoding=encoding, cpg=cpg)
    report = report_of(path)
    assert_record(tolerance=0)
    assert ImportRun.objects.get().encoding == encoding
    text = "\n".join(report.warnings)
    assert f"The .cpg file says {cpg}" in text and "ignored" in text
    assert f"detected: {encoding}" in text and f"→ «{ADDRESS}»" in text


def test_a_cpg_saved_with_a_byte_order_mark_is_believed(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", rows(), encoding="cp1258", cpg=None)
    path.with_suffix(".cpg").write_bytes(b"\xef\xbb\xbf1258")
    report = report_of(path)
    assert_record(tolerance=0)
    assert any("from the .cpg file" in warning for warning in report.warnings)


def test_forcing_the_wrong_encoding_is_refused_in_both_languages(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", rows(), encoding="tcvn3", cpg=None)
    with pytest.raises(CommandError) as refused:
        call_command("import_layer", "parcels", str(path), "--encoding", "utf-8", verbosity=0)
    message = str(refused.value)
    assert "Cột DiaChi: không giải mã được văn bản theo bảng mã utf-8" in message
    assert "Column DiaChi: text cannot be decoded as utf-8" in message and "--encoding" in message
    assert LandParcel.objects.count() == 0


# --- coordinate reference systems ----------------------------------------------------


@pytest.mark.parametrize("variant", list(PRJ_VARIANTS))
def test_every_vn2000_prj_spelling_lands_at_the_right_place(ward, tmp_path, variant):
    prj, srid = PRJ_VARIANTS[variant]
    path = write_shapefile(tmp_path / "in", in_crs(rows(), srid), prj=prj)
    report_of(path)
    # The TOWGS84 clause is not used: the EPSG code's own shift (EPSG:6960) applies.
    assert ImportRun.objects.get().source_srid == srid
    assert_record(tolerance=0 if srid == settings.GIS_SRID else 1e-6)


def test_the_command_imports_a_hai_phong_file_into_the_storage_crs(ward, tmp_path, capsys):
    prj, srid = PRJ_VARIANTS["hai_phong_tm3_105_45"]
    path = write_shapefile(
        tmp_path / "in", in_crs(rows(), srid), prj=prj, encoding="tcvn3", cpg=None
    )
    call_command("import_layer", "parcels", str(path), verbosity=0)
    out = capsys.readouterr().out
    assert "EPSG:9210 (prj)" in out and "created: 3" in out and "tcvn3" in out
    assert_record()


@pytest.mark.parametrize("srid", [9209, 9210])
def test_a_geopackage_in_either_tm3_zone_lands_in_the_storage_crs(ward, tmp_path, srid):
    path = tmp_path / "thua_dat.gpkg"
    write_rows(path, in_crs(rows(columns=VBDLIS), srid), crs=srid, layer="thua_dat")
    report_of(path)
    assert ImportRun.objects.get().source_srid == srid
    assert_record(tolerance=0 if srid == settings.GIS_SRID else 1e-6)


def test_a_geopackage_with_a_custom_vn2000_crs_is_read_as_its_epsg_zone(ward, tmp_path):
    path = tmp_path / "thua_dat.gpkg"
    prj = _towgs84_prj(105.75, VN2000_TO_WGS84_COORDINATE_FRAME)
    write_rows(path, in_crs(rows(columns=VBDLIS), 9210), crs=prj)
    with sqlite3.connect(path) as db:
        (organization,) = db.execute(
            "SELECT organization FROM gpkg_contents JOIN gpkg_spatial_ref_sys USING (srs_id)"
        ).fetchone()
    assert organization == "NONE"  # no EPSG code in the file
    report_of(path)
    assert ImportRun.objects.get().source_srid == 9210
    assert_record()


def test_an_rfc7946_geojson_lands_at_the_domain_reference_point(ward, tmp_path):
    lonlat = in_crs(rows(columns=VBDLIS), 4326)
    assert shapely.get_coordinates(lonlat[0]["geometry"])[0] == pytest.approx(
        REFERENCE_LONLAT, abs=1e-10
    )
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in row.items() if k != "geometry"},
            "geometry": shapely.geometry.mapping(row["geometry"]),
        }
        for row in lonlat
    ]
    path = tmp_path / "thua_dat.geojson"
    document = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report_of(path)
    back = pyproj.Transformer.from_crs(4326, settings.GIS_SRID, always_xy=True)
    assert_record(
        first_vertices=[
            back.transform(*shapely.get_coordinates(row["geometry"])[0]) for row in lonlat
        ]
    )
    # A 2D datum shift does not quite invert (the ellipsoidal height is dropped each way):
    # the reference point comes back 0.8 mm from where it started.
    assert first_vertex(LandParcel.objects.get(number=1)) == pytest.approx((X0, Y0), abs=1e-3)


def test_a_geojson_in_metres_is_refused_as_not_rfc7946(ward, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {k: v for k, v in rows()[0].items() if k != "geometry"},
        "geometry": shapely.geometry.mapping(lot(0)),
    }
    path = tmp_path / "thua_dat.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    report = run_import(layer="parcels", path=path, options=ImportOptions(srid=9209))
    assert not report.ok
    # Before: "… the .prj is missing or wrong; use --srid", which GeoJSON ignores.
    assert "--srid" not in report.error
    assert "(580000.00, 2314000.00)" in report.error and "RFC 7946" in report.error
    assert LandParcel.objects.count() == 0


def test_without_a_prj_the_province_default_is_assumed_and_said(ward, tmp_path):
    report = report_of(write_shapefile(tmp_path / "in", rows(), prj=None))
    assert_record(tolerance=0)
    run = ImportRun.objects.get()
    assert (run.source_srid, run.crs_source) == (9209, "default")
    vi, en = assert_bilingual(next(w for w in report.warnings if ".prj" in w))
    assert "EPSG:9209" in vi and "No .prj file" in en and "EPSG:9209" in en


def test_without_a_prj_srid_says_the_zone_and_the_file_is_reprojected(ward, tmp_path, capsys):
    path = write_shapefile(tmp_path / "in", in_crs(rows(), 9210), prj=None)
    call_command("import_layer", "parcels", str(path), "--srid", "9210", verbosity=0)
    assert "EPSG:9210 (option)" in capsys.readouterr().out
    assert_record()


# --- attribute names -----------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        FAMIS,
        {key: name.upper() for key, name in FAMIS.items()},
        {key: name.lower() for key, name in FAMIS.items()},
        OTHER,
        {key: name.lower() for key, name in OTHER.items()},
        MIXED,  # DienTichPhapLy, TenChuSuDung: cut by dBase to DienTichPh, TenChuSuDu
        VBDLIS,  # SoHieuToBa, SoThuTuThu, DienTichPh, KyHieuMucD
        {key: name.upper() for key, name in VBDLIS.items()},
    ],
    ids=["famis", "upper", "lower", "other", "other_lower", "mixed", "vbdlis_cut", "cut_upper"],
)
def test_attribute_names_of_every_package_and_case_are_recognised(ward, tmp_path, columns):
    path = write_shapefile(tmp_path / "in", rows(columns=columns))
    report_of(path)
    assert_record(tolerance=0)


def test_the_legal_area_wins_over_dientich_even_when_dbase_cut_its_name(ward, tmp_path):
    """DienTichPhapLy arrives as DienTichPh beside DienTich (here a measured 99.0): the
    legal area is the first alias, as it is in a GeoPackage keeping the full names."""
    table = [{**row, "DienTich": 99.0} for row in rows(columns=VBDLIS)]
    path = write_shapefile(tmp_path / "in", table)
    assert "DienTichPh" in pyogrio.read_info(path)["fields"]
    report = report_of(path)
    assert "DienTichPh→area_m2" in report.warnings[0]
    assert_record(tolerance=0)


def test_old_sheet_and_number_beside_the_current_ones_do_not_confuse_the_key(ward, tmp_path):
    """SoHieuToBanDoCu and SoThuTuThuaCu are cut too (GDAL: SoHieuTo_1, SoThuTuT_1)."""
    table = [{**row, "SoHieuToBanDoCu": 5, "SoThuTuThuaCu": 70} for row in rows(columns=VBDLIS)]
    report_of(write_shapefile(tmp_path / "in", table))
    assert_record(tolerance=0)


# --- geometry --------------------------------------------------------------------------


def test_a_parcel_with_a_hole_keeps_its_hole(ward, tmp_path):
    table = rows()
    hole = [
        (X0 + 2, Y0 + 2),
        (X0 + 8, Y0 + 2),
        (X0 + 8, Y0 + 8),
        (X0 + 2, Y0 + 8),
        (X0 + 2, Y0 + 2),
    ]
    table[0]["geometry"] = shapely.Polygon(lot(0).exterior.coords, [hole])
    report_of(write_shapefile(tmp_path / "in", table))
    assert_record(tolerance=0)
    polygon = LandParcel.objects.get(number=1).geom[0]
    assert polygon.num_interior_rings == 1
    assert sorted(polygon[1].coords[:4]) == sorted(hole[:4])
    assert polygon.area == 100 - 36


def test_a_multipart_parcel_keeps_every_part(ward, tmp_path):
    table = rows()
    table[1]["geometry"] = shapely.MultiPolygon([lot(1), lot(5)])
    report_of(write_shapefile(tmp_path / "in", table))
    assert_record(tolerance=0)
    parcel = LandParcel.objects.get(number=2)
    assert [part.exterior_ring.coords[0] for part in parcel.geom] == [(X0 + 20, Y0), (X0 + 100, Y0)]


def test_z_coordinates_are_dropped_and_the_plane_kept_exactly(ward, tmp_path):
    table = [{**row, "geometry": shapely.force_3d(row["geometry"], 12.5)} for row in rows()]
    path = write_shapefile(tmp_path / "in", table)
    assert pyogrio.read_info(path)["geometry_type"] == "Polygon Z"
    report = report_of(path)
    assert_record(tolerance=0)
    assert not any(parcel.geom.hasz for parcel in parcels())
    assert all("Z coordinate dropped" in notes[0] for notes in report.repairs.values())


def test_a_bow_tie_is_repaired_into_its_two_triangles_and_reported(ward, tmp_path):
    table = rows()
    x = X0 + 40
    table[2]["geometry"] = shapely.Polygon(
        [(x, Y0), (x + 10, Y0 + 10), (x + 10, Y0), (x, Y0 + 10), (x, Y0)]
    )
    report = report_of(write_shapefile(tmp_path / "in", table))
    parcel = LandParcel.objects.get(number=3)
    assert parcel.geom.valid and len(parcel.geom) == 2 and parcel.geom.area == 50
    assert parcel.area_m2 == Decimal("102.5")  # the legal area stays as recorded
    assert "Self-intersection[580045 2314005]" in report.repairs[3][0]
    assert_bilingual(report.repairs[3][0])


def test_a_zip_two_folders_deep_with_upper_case_names_loads(ward, tmp_path):
    folder = tmp_path / "in"
    write_shapefile(folder, rows(), name="Thửa đất tờ 12", encoding="tcvn3", cpg=None)
    for file in folder.iterdir():
        file.rename(file.with_name(file.stem.upper() + file.suffix.upper()))
    archive = tmp_path / "giao_nop.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted(folder.iterdir()):
            out.write(file, f"Giao nộp/Tờ 12/{file.name}")
    assert "Giao nộp/Tờ 12/THỬA ĐẤT TỜ 12.SHP" in zipfile.ZipFile(archive).namelist()
    report_of(archive)
    assert_record(tolerance=0)
    assert (ImportRun.objects.get().encoding, ImportRun.objects.get().source_srid) == (
        "tcvn3",
        9209,
    )
