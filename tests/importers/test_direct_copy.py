"""A bulk load's fresh batches go straight into the layer's table (sql.DirectCopy): the rows
must be exactly those the staged INSERT writes, and everything the staging table did for
them (naming a repeated key, filling the holders' table) must still happen."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
import shapely
from django.db import connection
from django.utils import timezone

from gis.crs import transformer
from importers import services, sql
from importers.geometry import multi_wkb
from importers.services import run_import
from importers.writing import columns_of, write_features
from layers.models import LandParcel, ParcelHolder
from tests.importers.conftest import parcel_rows, write_shapefile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_bulk(monkeypatch):
    monkeypatch.setattr(sql, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(services, "BATCH_SIZE", 4)  # several batches from a few parcels


@pytest.fixture
def direct_copies(monkeypatch):
    """How many batches went straight into the table."""
    copies = []
    copy = sql.DirectCopy.copy

    def counted(self, cursor, payload):
        copies.append(len(payload))
        return copy(self, cursor, payload)

    monkeypatch.setattr(sql.DirectCopy, "copy", counted)
    return copies


def stored_parcels() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.commune_id, p.sheet, p.number, p.area_m2::text, p.land_use_codes, "
            "p.land_use_id, p.address, p.old_sheet, p.old_number, p.map_scale, "
            "ST_AsEWKB(p.geom), ST_AsEWKB(p.geom_3857), h.holder_name, h.certificate_number "
            "FROM layers_landparcel p LEFT JOIN layers_parcelholder h ON h.parcel_id = p.id "
            "ORDER BY p.commune_id, p.sheet, p.number"
        )
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in cursor]


def varied_rows() -> list[dict]:
    rows = parcel_rows(11)
    areas = [100.0, 0.25, 12.35, 99.95, 1234.5678, 7.05, 0.05, 250.0, 33.3, 1e6 + 0.15, 41.0]
    for row, area in zip(rows, areas, strict=True):
        row["DienTich"] = area
    rows[3]["geometry"] = shapely.MultiPolygon([rows[3]["geometry"]])
    rows[5]["KyHieuMucDichSuDung"] = "XYZ"  # no such land use: rejected, the others load
    rows[6]["TenChu"] = ""
    rows[8]["geometry"] = rows[8]["geometry"].difference(rows[8]["geometry"].centroid.buffer(2))
    return rows


def as_wgs84_geojson(folder, rows: list[dict]):
    """The rows as an RFC 7946 GeoJSON file: reprojected, from WGS 84, on import."""
    to_wgs84 = transformer(9209, 4326)
    columns, geometries = columns_of(rows)
    geometries = [
        shapely.transform(g, lambda xy: np.column_stack(to_wgs84.transform(*xy.T)))
        for g in geometries
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "thua_dat.geojson"
    write_features(path, columns, geometries, crs=4326, driver="GeoJSON")
    return path


@pytest.mark.parametrize(
    "write",
    [lambda folder, rows: write_shapefile(folder, rows), as_wgs84_geojson],
    ids=["vn2000-shapefile", "wgs84-geojson"],
)
def test_direct_rows_are_the_rows_the_staged_insert_writes(
    ward, tmp_path, small_bulk, direct_copies, monkeypatch, write
):
    path = write(tmp_path / "in", varied_rows())
    started = timezone.now()
    direct = run_import(layer="parcels", path=path)
    assert direct.ok, direct.error
    assert len(direct_copies) == 3  # every batch went straight in
    stamps = set(LandParcel.objects.values_list("updated_at", flat=True))
    assert len(stamps) == 1 and started <= stamps.pop() <= timezone.now()  # the load's now()
    loaded = stored_parcels()
    LandParcel.objects.all().delete()
    monkeypatch.setattr(sql.DirectCopy, "make", classmethod(lambda cls, upsert, cursor: None))
    staged = run_import(layer="parcels", path=path)
    assert staged.ok, staged.error
    assert len(direct_copies) == 3
    assert stored_parcels() == loaded
    assert (
        (direct.created, direct.rejected)
        == (staged.created, staged.rejected)
        == (
            10,
            {6: "không tìm thấy land_use XYZ\nunknown land_use XYZ"},
        )
    )
    assert len(loaded) == 10 and loaded[0][3] == "100.0" and loaded[1][3] == "0.3"


@pytest.fixture(params=["kept", "staged as they come"])
def late_staging(request, monkeypatch):
    """What a direct batch leaves the staging table is kept to the end, or (the limit of a
    large file reached at every batch) staged at once."""
    if request.param != "kept":
        monkeypatch.setattr(services._DirectRows, "LIMIT", 1)


def test_holders_of_directly_loaded_parcels_are_written(
    ward, tmp_path, small_bulk, direct_copies, late_staging
):
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", parcel_rows(9)))
    assert report.ok, report.error
    assert direct_copies
    assert ParcelHolder.objects.count() == 9
    assert ParcelHolder.objects.get(parcel__number=7).certificate_number == "CS 100006"


def test_a_key_repeated_across_direct_batches_is_named(
    ward, tmp_path, small_bulk, direct_copies, late_staging
):
    rows = parcel_rows(10)
    rows[9]["SoThuTuThua"] = 3
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "in", rows))
    assert direct_copies
    assert not report.ok
    assert "10540 / 12 / 3 (#3, #10)" in report.error
    assert not LandParcel.objects.exists()


def test_direct_batches_after_the_key_is_back_name_a_repeated_key(
    ward, tmp_path, small_bulk, direct_copies
):
    # A middle batch reaches a commune with older parcels: the key's index comes back for
    # its upsert, and a later batch's direct COPY then meets it.
    from tests.factories import AdminUnitFactory

    AdminUnitFactory(code="10541", name="Phường Hải Tân")
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(1, MaXa="10541")))
    direct_copies.clear()
    rows = parcel_rows(4) + parcel_rows(4, MaXa="10541") + parcel_rows(4, SoHieuToBanDo=13)
    rows[-1]["SoHieuToBanDo"], rows[-1]["SoThuTuThua"] = 12, 2
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", rows))
    assert len(direct_copies) == 2  # the first batch, then the last
    assert not report.ok
    assert "10540 / 12 / 2 (#2, #12)" in report.error
    assert LandParcel.objects.count() == 1


@pytest.mark.parametrize("precision,scale", [(12, 1), (9, 2), (15, 4), (6, 0)])
def test_numbers_are_rounded_as_postgresql_rounds_a_double_into_the_column(precision, scale):
    rng = random.Random(precision * 10 + scale)
    limit = 10 ** (precision - scale)
    values = [0.0, -0.0, 0.5, -0.5, 0.05, 0.15, 0.25, 2.675, 1.005, 12.35, 99.95]
    values += [rng.uniform(-limit, limit) for _ in range(300)]
    values += [round(rng.uniform(0, 5000), rng.randint(1, 4)) for _ in range(300)]
    values += [int(v * 10**d) / 10**d + 5 / 10 ** (scale + 1) for d in (0, 1) for v in values[:50]]
    values = [v for v in values if abs(v) < limit - 1]
    exact = [Decimal("12.345"), Decimal("-0.05"), 7, None]
    for items in (values, values[:5] + exact):
        encoded = sql.numeric_binary(items, precision, scale)
        assert encoded is not None
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE n (i int, v numeric({precision}, {scale}))")
            with cursor.copy("COPY n (i, v) FROM STDIN (FORMAT binary)") as copy:
                copy.set_types(["int4", "bytea"])
                for i, value in enumerate(encoded):
                    copy.write_row((i, value))
            cursor.execute("SELECT v::text FROM n ORDER BY i")
            ours = [v for (v,) in cursor.fetchall()]
            cursor.execute(
                f"SELECT v::numeric({precision}, {scale})::text FROM unnest(%s::text[]) "
                "WITH ORDINALITY AS u(v, i) ORDER BY i",
                [[None if v is None else str(v) for v in items]],
            )
            theirs = [v for (v,) in cursor.fetchall()]
            cursor.execute(
                f"SELECT v::float8::numeric({precision}, {scale})::text FROM unnest(%s::float8[]) "
                "WITH ORDINALITY AS u(v, i) ORDER BY i",
                [[v for v in items if isinstance(v, float)]],
            )
            doubles = [v for (v,) in cursor.fetchall()]
            cursor.execute("DROP TABLE n")
        floats = [at for at, v in enumerate(items) if isinstance(v, float)]
        assert [ours[at] for at in floats] == doubles
        others = [at for at, v in enumerate(items) if not isinstance(v, float)]
        assert [ours[at] for at in others] == [theirs[at] for at in others]


def test_numbers_postgresql_would_refuse_are_left_to_it():
    assert sql.numeric_binary([1.0, float("nan")], 12, 1) is None
    assert sql.numeric_binary([1.0, float("inf")], 12, 1) is None
    assert sql.numeric_binary([1.0, 1e11], 12, 1) is None  # numeric(12, 1) holds < 1e11
    assert sql.numeric_binary([Decimal("1e40")], 12, 1) is None
    assert sql.numeric_binary([1.0], 12, 5) is None


def test_multi_wkb_is_st_multi():
    shapes = [
        shapely.Point(1, 2),
        shapely.LineString([(0, 0), (1, 1)]),
        shapely.box(0, 0, 1, 1),
        shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2)),
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        shapely.MultiLineString([[(0, 0), (1, 1)]]),
    ]
    wkb = [shapely.to_wkb(g) for g in shapes]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsBinary(ST_Multi(ST_GeomFromWKB(g)), 'NDR') "
            "FROM unnest(%s::bytea[]) WITH ORDINALITY AS u(g, i) ORDER BY i",
            [wkb],
        )
        theirs = [bytes(g) for (g,) in cursor.fetchall()]
    assert multi_wkb(wkb) == theirs
    assert multi_wkb(wkb[2:3] * 3) == theirs[2:3] * 3
    collection = shapely.to_wkb(shapely.GeometryCollection([shapely.Point(0, 0)]))
    assert multi_wkb([wkb[2], collection]) is None
    assert multi_wkb([shapely.to_wkb(shapes[2], byte_order=0)]) is None  # big-endian
    assert multi_wkb([shapely.to_wkb(shapely.Point(1, 2, 3))]) is None  # Z


@pytest.mark.django_db(transaction=False)
def test_direct_batches_of_a_load_that_cannot_be_bulk_are_staged_after_all(
    tmp_path, small_bulk, direct_copies, monkeypatch
):
    # Deferred foreign-key checks queued on the table (a parcel written earlier in the same
    # transaction): PostgreSQL refuses to drop its indexes, so the batches the reading
    # thread made for the table itself go through the staging table instead.
    from tests.factories import AdminUnitFactory

    encoded = []
    encode = sql.DirectCopy.encode

    def counted(self, values, geometries):
        payload = encode(self, values, geometries)
        encoded.append(payload is not None)
        return payload

    monkeypatch.setattr(sql.DirectCopy, "encode", counted)
    other = AdminUnitFactory(code="10541", name="Phường Hải Tân")
    AdminUnitFactory(code="10540", name="Phường Tứ Minh")
    run_import(layer="parcels", path=write_shapefile(tmp_path / "a", parcel_rows(1, MaXa="10541")))
    LandParcel.objects.filter(commune=other).update(address="đã sửa")
    encoded.clear()
    direct_copies.clear()
    report = run_import(layer="parcels", path=write_shapefile(tmp_path / "b", parcel_rows(9)))
    assert report.ok, report.error
    assert encoded and all(encoded)  # made for the table …
    assert not direct_copies  # … and staged instead
    assert report.created == 9
    assert ParcelHolder.objects.filter(parcel__commune__code="10540").count() == 9
