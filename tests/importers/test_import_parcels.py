"""Importing cadastral parcels: exact coordinates, upsert on the natural key, reports."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from importers.models import ImportRun
from importers.services import ImportOptions, run_import
from layers.events import listen
from layers.models import LandParcel, ParcelHolder
from tests.importers.conftest import X0, Y0, parcel_rows, write_shapefile, zip_folder

pytestmark = pytest.mark.django_db


def test_a_utf8_shapefile_loads_every_parcel_with_its_legal_record(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(5))
    report = run_import(layer="parcels", path=path)
    assert report.ok, report.error
    assert (report.read, report.created, report.updated) == (5, 5, 0)
    parcel = LandParcel.objects.get(commune=ward, sheet=12, number=3)
    assert str(parcel.area_m2) == "100.0"
    assert parcel.land_use.code == "ODT"
    assert parcel.address == "Số 3 đường Nguyễn Trãi"
    assert parcel.holder.holder_name == "Nguyễn Văn An"


def test_coordinates_in_the_storage_crs_are_kept_exactly(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(1))
    run_import(layer="parcels", path=path)
    parcel = LandParcel.objects.get()
    xs = sorted({x for x, _y in parcel.geom[0].exterior_ring.coords})
    ys = sorted({y for _x, y in parcel.geom[0].exterior_ring.coords})
    assert xs == [X0, X0 + 10] and ys == [Y0, Y0 + 10]


def test_reimporting_the_same_file_changes_nothing_and_says_so(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(5))
    run_import(layer="parcels", path=path)
    before = list(LandParcel.objects.values_list("pk", "updated_at").order_by("pk"))
    report = run_import(layer="parcels", path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert report.changed_nothing
    assert "Nothing changed" in report.run.report
    assert list(LandParcel.objects.values_list("pk", "updated_at").order_by("pk")) == before


def test_a_changed_parcel_is_updated_in_place(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(3)))
    pk = LandParcel.objects.get(number=2).pk
    rows = parcel_rows(3)
    rows[1]["KyHieuMucDichSuDung"] = "ONT+CLN"
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    parcel = LandParcel.objects.get(number=2)
    assert parcel.pk == pk
    assert (parcel.land_use_codes, parcel.land_use.code) == ("ONT+CLN", "ONT")


def test_each_run_is_recorded_with_hash_encoding_and_crs(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(2))
    run_import(layer="parcels", path=path)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert len(run.file_sha256) == 64
    assert (run.encoding, run.source_srid, run.crs_source) == ("utf-8", 9209, "prj")
    assert (run.features_read, run.created) == (2, 2)


def test_a_zip_with_upper_case_extensions_in_a_subfolder_loads(ward, tmp_path):
    folder = tmp_path / "in"
    path = write_shapefile(folder, parcel_rows(2))
    for file in folder.iterdir():
        file.rename(file.with_name(file.stem + file.suffix.upper()))
    archive = zip_folder(folder, tmp_path / "giao_nop.zip", inner="Giao nop/2024/")
    report = run_import(layer="parcels", path=archive)
    assert report.ok, report.error
    assert report.created == 2
    assert path.name == "thua_dat.shp"


def test_dry_run_checks_and_reports_but_writes_nothing(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(4))
    report = run_import(layer="parcels", path=path, options=ImportOptions(dry_run=True))
    assert report.ok and report.created == 4
    assert LandParcel.objects.count() == 0
    assert report.run.status == ImportRun.Status.DRY_RUN


def test_holder_data_goes_to_the_private_table_only(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(2)))
    assert ParcelHolder.objects.filter(certificate_number="CS 100001").count() == 1


def test_unknown_land_use_codes_reject_only_their_parcel(ward, tmp_path):
    rows = parcel_rows(3)
    rows[2]["KyHieuMucDichSuDung"] = "XYZ"
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok
    assert report.created == 2
    assert list(report.rejected) == [3]
    assert "XYZ" in report.rejected[3]


@pytest.mark.parametrize("column", ["MaXa", "SoHieuToBanDo", "SoThuTuThua", "DienTich"])
def test_a_parcel_without_a_required_value_is_rejected_alone_and_named(ward, tmp_path, column):
    # Before, PostgreSQL refused the whole file ("null value in column … violates not-null
    # constraint"), naming no feature.
    rows = parcel_rows(4)
    rows[1][column] = None
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok, report.error
    assert report.created == 3
    field = {"MaXa": "commune", "SoHieuToBanDo": "sheet", "SoThuTuThua": "number"}
    missing = field.get(column, "area_m2")
    assert report.rejected == {2: f"thiếu {missing}\nmissing {missing}"}


def test_an_invalid_polygon_is_repaired_and_the_repair_reported(ward, tmp_path):
    import shapely

    rows = parcel_rows(2)
    rows[0]["geometry"] = shapely.Polygon(
        [(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)]
    )
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok, report.error
    assert report.created == 2
    assert any("repaired" in note for note in report.repairs[1])
    assert LandParcel.objects.get(number=1).geom.valid


def test_tiles_hear_of_the_imported_extent_after_commit(
    ward, tmp_path, django_capture_on_commit_callbacks
):
    heard = []
    listener = listen(lambda key, extent, srid: heard.append((key, extent, srid)))
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(2)))
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        from layers import events

        events._listeners.remove(listener)
    assert heard == [("parcels", (X0, Y0, X0 + 22, Y0 + 10), 9209)]


def test_the_command_prints_the_report(ward, tmp_path, capsys):
    path = write_shapefile(tmp_path / "in", parcel_rows(3))
    call_command("import_layer", "parcels", str(path))
    out = capsys.readouterr().out
    assert "created: 3" in out


def test_the_command_fails_with_a_nonzero_status_on_a_refused_file(ward, tmp_path):
    path = write_shapefile(tmp_path / "in", parcel_rows(3, SoThuTuThua="12a"))
    with pytest.raises(CommandError, match="12a"):
        call_command("import_layer", "parcels", str(path))
