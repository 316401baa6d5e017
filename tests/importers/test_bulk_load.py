"""Bulk loads: a file at least as large as the layer is loaded with the table's non-unique
indexes and foreign keys dropped and rebuilt afterwards, inside the import's transaction."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from django.contrib.gis.db.models.functions import Translate
from django.db import connection

from importers import sql
from importers.services import _web_mercator_wkb, run_import
from layers.models import LandParcel, LandUseType
from tests.factories import AdminUnitFactory
from tests.importers.conftest import parcel_rows, write_shapefile

# Committed fixtures, as in production: a test transaction that created the commune holds
# deferred trigger events on the related tables, and PostgreSQL then refuses to drop the
# foreign keys (the last test checks that fallback).
pytestmark = pytest.mark.django_db(transaction=True)

TABLE = LandParcel._meta.db_table


def catalogue() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(index name, definition) and (foreign key name, definition) of the parcel table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass",
            [TABLE],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
            [TABLE],
        )
        return indexes, set(cursor.fetchall())


@pytest.fixture
def small_bulk(monkeypatch):
    """Bulk loads from the first row, so a test file of a few parcels takes that path."""
    monkeypatch.setattr(sql, "BULK_MIN_ROWS", 1)


def bulk_noted(report) -> bool:
    return any("Bulk load" in warning for warning in report.warnings)


def test_a_first_load_rebuilds_every_index_and_foreign_key_as_it_was(ward, tmp_path, small_bulk):
    indexes, constraints = catalogue()
    assert any("gist" in definition for _name, definition in indexes)
    assert len(constraints) == 3  # two foreign keys and the natural key
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(6)))
    assert report.ok, report.error
    assert bulk_noted(report)
    assert "Bulk load" in report.run.report
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    assert catalogue() == (indexes, constraints)
    parcel = LandParcel.objects.get(commune=ward, sheet=12, number=4)
    assert (parcel.land_use.code, parcel.holder.holder_name) == ("ODT", "Nguyễn Văn An")
    # The rebuilt spatial index answers a spatial query with the index forced.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} WHERE geom && ST_Expand(%s::geometry, 1)",
            [parcel.geom.centroid.ewkt],
        )
        assert cursor.fetchone()[0] == 1


def test_the_rebuilt_foreign_keys_still_refuse_a_missing_land_use(ward, tmp_path, small_bulk):
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(3)))
    assert bulk_noted(report)
    parcel = LandParcel.objects.get(number=1)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET land_use_id = %s WHERE id = %s",
                [LandUseType.objects.order_by("-pk").first().pk + 1000, parcel.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_refused_file_leaves_indexes_and_data_as_they_were(ward, tmp_path, small_bulk):
    before = catalogue()
    rows = parcel_rows(4)
    rows[3]["SoThuTuThua"] = 1  # the same key twice: the whole file is refused
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert not report.ok
    # Found when the natural key's unique index is rebuilt after loading, and named.
    assert "10540 / 12 / 1 (#1, #4)" in report.error
    assert catalogue() == before
    assert not LandParcel.objects.exists()


def test_a_batch_that_must_upsert_gets_the_natural_key_back_first(
    ward, tmp_path, small_bulk, monkeypatch
):
    # The bulk load defers the natural key's unique index while its INSERTs are plain; a
    # later batch reaching a commune that already has parcels upserts, on that index.
    from importers import services

    AdminUnitFactory(code="10541", name="Phường Hải Tân")
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(1, MaXa="10541")))
    before = catalogue()
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    rows = parcel_rows(4) + parcel_rows(3, MaXa="10541", DienTich=120.0)
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert report.ok, report.error
    assert bulk_noted(report)
    assert (report.created, report.updated, report.unchanged) == (6, 1, 0)
    assert catalogue() == before
    assert LandParcel.objects.get(commune__code="10541", number=1).area_m2 == 120


def test_a_key_twice_in_fresh_batches_of_a_bulk_load_is_named(
    ward, tmp_path, small_bulk, monkeypatch
):
    from importers import services

    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    rows = parcel_rows(8)
    rows[7]["SoThuTuThua"] = 2  # in the third batch, the same key as the second row
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert not report.ok
    assert "10540 / 12 / 2 (#2, #8)" in report.error
    assert not LandParcel.objects.exists()


def test_a_file_smaller_than_the_layer_is_loaded_row_by_row(ward, tmp_path, small_bulk):
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(8)))
    rows = parcel_rows(3, SoHieuToBanDo=13)
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert report.ok and report.created == 3
    assert not bulk_noted(report)


def test_below_the_threshold_no_file_is_bulk_loaded(ward, tmp_path):
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(5)))
    assert report.ok and report.created == 5
    assert not bulk_noted(report)


@pytest.mark.django_db(transaction=False)
def test_pending_trigger_events_on_the_table_fall_back_to_row_by_row(tmp_path, small_bulk):
    # A parcel written earlier in the same transaction leaves deferred foreign-key checks
    # queued on the table: PostgreSQL refuses to alter it until they have run.
    other = AdminUnitFactory(code="10541", name="Phường Hải Tân")
    AdminUnitFactory(code="10540", name="Phường Tứ Minh")
    rows = parcel_rows(1, MaXa="10541")
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", rows))
    LandParcel.objects.filter(commune=other).update(address="đã sửa")
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", parcel_rows(5)))
    assert report.ok, report.error
    assert report.created == 5
    assert not bulk_noted(report)
    assert LandParcel.objects.count() == 6


def test_the_same_file_again_is_not_a_bulk_load(ward, tmp_path, small_bulk):
    path = write_shapefile(tmp_path / "in", parcel_rows(6))
    assert bulk_noted(run_import(layer="parcels", path=path))
    again = run_import(layer="parcels", path=path)
    assert again.ok and again.changed_nothing
    assert not bulk_noted(again)  # the layer was neither locked nor rebuilt for nothing


def web_mercator_gap(table: str = TABLE) -> tuple[int, float]:
    """(rows, largest distance in metres) between each stored geom_3857 and PostGIS's own
    ST_Transform of its geom."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), max(ST_HausdorffDistance(geom_3857, ST_Transform(geom, 3857))) "  # noqa: S608
            f"FROM {table}"
        )
        return cursor.fetchone()


def trigger_enabled(table: str = TABLE) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, "web_mercator_copy"],
        )
        return cursor.fetchone()[0]


def test_a_bulk_load_writes_the_web_mercator_copy_postgis_would(ward, tmp_path, small_bulk):
    # VN-2000 coordinates 150 km apart, so the copy is not one shifted shape.
    rows = parcel_rows(4) + parcel_rows(2, SoHieuToBanDo=13)
    rows[-1]["geometry"] = shapely.affinity.translate(rows[-1]["geometry"], 40_000, 30_000)
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok and bulk_noted(report)
    count, gap = web_mercator_gap()
    assert count == 6
    assert gap < 1e-6  # pyproj and PostGIS run the same PROJ operation
    assert trigger_enabled() == "O"  # switched back on inside the import's transaction
    # The database keeps the copy itself again: a moved parcel's copy follows it.
    LandParcel.objects.filter(sheet=13).update(geom=Translate("geom", 1_000, 0))
    assert web_mercator_gap()[1] < 1e-6


def test_a_refused_bulk_load_leaves_the_trigger_on(ward, tmp_path, small_bulk):
    rows = parcel_rows(4)
    rows[3]["SoThuTuThua"] = 1
    assert not run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows)).ok
    assert trigger_enabled() == "O"


def test_the_importers_web_mercator_copies_are_postgis_s():
    # What a bulk load writes, against ST_Transform on the same shapes: points, lines and
    # polygons across the province and into the next zones.
    geometries = np.array(
        [
            shapely.Point(580_000.0, 2_314_000.0),
            shapely.LineString([(540_000, 2_280_000), (620_000, 2_350_000)]),
            shapely.box(571_234.567, 2_318_765.432, 571_254.567, 2_318_785.432),
            shapely.MultiPolygon([shapely.box(600_000, 2_330_000, 600_100, 2_330_050)]),
            shapely.box(590_000, 2_300_000, 590_040, 2_300_040).difference(
                shapely.box(590_010, 2_300_010, 590_020, 2_300_020)
            ),  # a hole: written by shapely, not over the WKB
        ]
    )
    ours = shapely.from_wkb(_web_mercator_wkb(shapely.to_wkb(geometries), geometries))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsBinary(ST_Transform(ST_GeomFromWKB(g, 9209), 3857)) "
            "FROM unnest(%s::bytea[]) g",
            [[shapely.to_wkb(g) for g in geometries]],
        )
        theirs = shapely.from_wkb([bytes(row[0]) for row in cursor.fetchall()])
    assert shapely.get_num_coordinates(ours).tolist() == [1, 2, 5, 5, 10]
    assert shapely.equals_exact(ours, theirs, tolerance=1e-6).all()
    assert not shapely.equals_exact(ours, geometries, tolerance=1.0).any()
