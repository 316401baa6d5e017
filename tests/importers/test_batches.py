"""Files longer than one batch: read in a background thread, upserted batch by batch, and
still all or nothing."""

from __future__ import annotations

import gc
import types

import pytest
import shapely
import shapely.affinity

from importers import services
from importers.services import run_import
from layers.models import LandParcel
from tests.importers.conftest import parcel_rows, write_shapefile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def batches_of_three(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)


def test_every_batch_is_loaded_and_counted(ward, tmp_path):
    rows = parcel_rows(8)
    rows[4]["KyHieuMucDichSuDung"] = "XYZ"  # in the second batch: only this one is refused
    seen = []
    report = run_import(
        layer="parcels",
        path=write_shapefile(tmp_path / "in", rows),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.ok, report.error
    assert (report.read, report.created, report.updated, report.unchanged) == (8, 7, 0, 0)
    assert list(report.rejected) == [5]
    assert seen == [(3, 8), (6, 8), (8, 8)]
    assert sorted(LandParcel.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 6, 7, 8]
    assert LandParcel.objects.get(number=8).holder.holder_name == "Nguyễn Văn An"


def test_a_second_run_counts_unchanged_and_updated_rows_across_batches(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(7)))
    rows = parcel_rows(8)
    rows[5]["DiaChi"] = "Số 6 phố Tuệ Tĩnh"
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 6)
    assert LandParcel.objects.get(number=6).address == "Số 6 phố Tuệ Tĩnh"


@pytest.mark.parametrize(
    ("first", "second"), [(1, 2), (1, 7)], ids=["same batch", "different batches"]
)
def test_a_key_twice_refuses_the_whole_file(ward, tmp_path, first, second):
    rows = parcel_rows(8)
    rows[second]["SoThuTuThua"] = first + 1  # parcel numbers count from 1
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert not report.ok
    assert "same key" in report.error
    assert f"10540 / 12 / {first + 1} (#{first + 1}, #{second + 1})" in report.error
    assert not LandParcel.objects.exists()


def test_a_key_twice_in_a_batch_is_named_when_the_table_already_holds_it(ward, tmp_path):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(3)))
    rows = parcel_rows(3)
    rows[2]["SoThuTuThua"] = 2
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert not report.ok and "same key" in report.error
    assert LandParcel.objects.count() == 3


def test_a_refusal_in_a_later_batch_leaves_the_earlier_ones_unwritten(ward, tmp_path):
    rows = parcel_rows(8)
    rows[7]["SoHieuToBanDo"] = "XII"  # a sheet number that is no number: the file is refused
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert not report.ok and "XII" in report.error
    assert not LandParcel.objects.exists()


def test_the_reading_thread_stops_when_loading_fails(ward, tmp_path, monkeypatch):
    import threading

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.sql.Stager, "copy", boom)
    with pytest.raises(RuntimeError):
        run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(30)))
    assert not [t for t in threading.enumerate() if t.name.startswith("prefetch")]


def test_a_key_twice_across_batches_is_caught_when_older_rows_share_the_commune(ward, tmp_path):
    # An older parcel in the same commune: batches are merged with ON CONFLICT, where a key
    # met again in a later batch would update the earlier row silently.
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(1)))
    rows = parcel_rows(8, SoHieuToBanDo=13)
    rows[7]["SoThuTuThua"] = 2
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert not report.ok
    assert "10540 / 13 / 2 (#2, #8)" in report.error  # commune / sheet / number
    assert LandParcel.objects.count() == 1


def test_a_file_refused_midway_closes_its_reading_stream_at_once(ward, tmp_path):
    # The stream restores GDAL's thread-local options (SHAPE_ENCODING) when it closes: left
    # to the garbage collector, that happened in whatever thread it ran, at times under the
    # next import's reading, which then got decoded text instead of raw bytes.
    rows = parcel_rows(8)
    rows[7]["SoHieuToBanDo"] = "XII"
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert not report.ok
    assert open_streams() == []


def test_a_file_refused_before_loading_closes_the_stream_opened_early(ward, tmp_path, monkeypatch):
    # The stream is opened as soon as the columns are known, while the CRS and extent are
    # checked: a file refused then closes it too, in the reading thread.
    import threading

    closed_in = []
    batches = services._batches

    def tracked(*args, **kwargs):
        try:
            yield from batches(*args, **kwargs)
        finally:
            closed_in.append(threading.current_thread().name)

    monkeypatch.setattr(services, "_batches", tracked)
    rows = parcel_rows(3)
    for row in rows:
        row["geometry"] = shapely.affinity.translate(row["geometry"], 3_000_000, 0)
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert "outside the province" in report.error
    assert len(closed_in) == 1 and closed_in[0].startswith("prefetch"), closed_in


def open_streams() -> list:
    return [
        g
        for g in gc.get_objects()
        if type(g) is types.GeneratorType  # not isinstance: dead weak proxies raise
        and g.gi_code is services._batches.__code__
        and g.gi_frame
    ]
