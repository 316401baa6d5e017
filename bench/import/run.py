"""Importer throughput against ogr2ogr on one generated shapefile (same run, same machine).

    .venv/bin/python bench/import/run.py [--parcels 200000] [--rounds 5]

Prints features/s for ``ogr2ogr -f PostgreSQL`` (PG_USE_COPY, into a scratch table) and for
``manage.py import_layer parcels`` (all checks on), their ratio, and the importer's peak
resident memory: medians over rounds of the loads in turn, with each round's figures.
Target (issue 3): ratio ≥ 0.5, peak < 1.5 GB at 1,000,000 parcels.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gis.crs import vn2000_esri_prj  # noqa: E402
from importers.writing import write_shapefile  # noqa: E402

PRJ = vn2000_esri_prj(105.5)


def generate(path: Path, count: int) -> None:
    """Row-house lots (5 × 20 m) on a grid, numbered per 500-lot sheet, TCVN3-free UTF-8."""
    side = int(np.ceil(np.sqrt(count / 4)))
    i = np.arange(count)
    x = 560_000 + (i % (side * 4)) * 5.5
    y = 2_300_000 + (i // (side * 4)) * 21.0
    geoms = shapely.box(x, y, x + 5, y + 20)
    columns = {
        "MaXa": np.full(count, "10540"),
        "SoTo": (i // 500 + 1).astype("int32"),
        "SoThua": (i % 500 + 1).astype("int32"),
        "DienTich": np.full(count, 100.0),
        "LOAIDAT": np.where(i % 7 == 0, "ONT+CLN", "ODT"),
        "DiaChi": [f"Số {n % 200 + 1} đường Nguyễn Trãi" for n in i],
    }
    write_shapefile(path, (columns, geoms), encoding="utf-8", prj=PRJ)


def run_child(args: list[str], **kwargs) -> tuple[float, float]:
    """(seconds, peak resident MB) of one child process, from its own rusage."""
    started = time.perf_counter()
    process = subprocess.Popen(args, **kwargs)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args[0]} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5, help="loads by each tool (median)")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    count = args.parcels
    if args.generate:
        generate(args.generate, count)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
    import django

    from gis.pgcluster import default_cluster, ensure_running

    ensure_running()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from layers.models import AdminUnit

    AdminUnit.objects.get_or_create(
        code="10540", defaults={"name": "Phường Tứ Minh", "level": "ward"}
    )
    clear_bench_parcels()
    cluster = default_cluster()

    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "bench_parcels.shp"
        # In a child, so this process stays small: a fork's peak RSS counts its parent's pages.
        gen_s, _mb = run_child(
            [sys.executable, __file__, "--parcels", str(count), "--generate", str(shp)]
        )
        print(f"generated {count:,} parcels in {gen_s:.1f} s")
        pg = f"PG:host={cluster.socket_dir} dbname=quyhoach user=quyhoach"
        # Rounds of the three loads in turn, so that what slows the machine for a while
        # (this is a shared 2-core VM: one load varies by a fifth) reaches them alike.
        rounds = [_round(pg, shp, cluster) for _ in range(args.rounds)]

    ogr_s, like_s, ours_s = (median(r[k] for r in rounds) for k in ("ogr", "like", "ours"))
    ogr_mb, ours_mb = (max(r[k] for r in rounds) for k in ("ogr_mb", "ours_mb"))
    print(f"{args.rounds} rounds; medians, with each round's seconds:")
    print(f"ogr2ogr (PG_USE_COPY):   {count / ogr_s:10,.0f} features/s  {_seconds(rounds, 'ogr')}")
    print(
        f"import_layer parcels:    {count / ours_s:10,.0f} features/s  {_seconds(rounds, 'ours')}"
    )
    ratios = ", ".join(f"{r['ogr'] / r['ours']:.2f}" for r in rounds)
    print(f"ratio importer/ogr2ogr:  {ogr_s / ours_s:.2f}   (target ≥ 0.5; by round {ratios})")
    print(
        f"ogr2ogr into a table like ours: {count / like_s:,.0f} features/s "
        f"{_seconds(rounds, 'like')}, ratio importer/that {like_s / ours_s:.2f}"
    )
    print(
        f"peak RSS:                ogr2ogr {ogr_mb:,.0f} MB, importer {ours_mb:,.0f} MB "
        "(target < 1,500 MB at 1,000,000 parcels)"
    )
    clear_bench_parcels()


def _seconds(rounds: list[dict], key: str) -> str:
    return "(" + ", ".join(f"{r[key]:.2f}" for r in rounds) + " s)"


def _round(pg: str, shp: Path, cluster) -> dict[str, float]:
    """One load by each: ogr2ogr into its own table, ogr2ogr into a table like ours, and
    import_layer; each after a checkpoint, each table emptied after."""
    checkpoint()
    # ogr2ogr's defaults: COPY, then a GiST index on the geometry.
    ogr_s, ogr_mb = run_child(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(shp),
            "-nln",
            "bench_ogr2ogr",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-nlt",
            "PROMOTE_TO_MULTI",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
    )
    subprocess.run(
        [
            "psql",
            "-h",
            str(cluster.socket_dir),
            "-U",
            "quyhoach",
            "-d",
            "quyhoach",
            "-qc",
            "DROP TABLE IF EXISTS bench_ogr2ogr",
        ],
        check=True,
    )
    # The same tool into a table built like ours: its constraints, Web Mercator trigger
    # and unique key; its other indexes and foreign keys added after the load, as
    # import_layer's bulk load does. Foreign keys are given as constant ids (ogr2ogr
    # cannot look codes up) and nothing is checked in Python.
    like_s = ogr2ogr_like_ours(pg, shp)
    checkpoint()
    ours_s, ours_mb = run_child(
        [sys.executable, "manage.py", "import_layer", "parcels", str(shp), "-v", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    clear_bench_parcels()
    return {"ogr": ogr_s, "like": like_s, "ours": ours_s, "ogr_mb": ogr_mb, "ours_mb": ours_mb}


LIKE_TABLE = "bench_ogr2ogr_like"


def ogr2ogr_like_ours(pg: str, shp: Path) -> float:
    """Seconds for ogr2ogr to load ``shp`` into a copy of the parcel table's design (its
    Web Mercator trigger included), then for its non-unique indexes and foreign keys to be
    built."""
    from django.db import connection

    from gis.geometry import web_mercator_trigger
    from layers.models import AdminUnit, LandUseType

    table = "layers_landparcel"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {LIKE_TABLE}")
        cursor.execute(
            f"CREATE TABLE {LIKE_TABLE} (LIKE {table} INCLUDING DEFAULTS INCLUDING GENERATED "
            "INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"ALTER TABLE {LIKE_TABLE} ADD PRIMARY KEY (id), ADD UNIQUE (commune_id, sheet, number)"
        )
        cursor.execute(web_mercator_trigger(LIKE_TABLE))  # PostgreSQL computes geom_3857
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
            [table],
        )
        indexes = [
            re.sub(r"^CREATE INDEX \S+ ON \S+", f"CREATE INDEX ON {LIKE_TABLE}", definition)
            for (definition,) in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = [definition for (definition,) in cursor.fetchall()]
    commune = AdminUnit.objects.get(code="10540").pk
    land_use = LandUseType.objects.get(code="ODT").pk
    checkpoint()
    started = time.perf_counter()
    run_child(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(shp),
            "-append",
            "-unsetFid",
            "-nln",
            f"{LIKE_TABLE}(geom)",
            "-nlt",
            "MULTIPOLYGON",
            "-a_srs",
            "EPSG:9209",
            "-sql",
            # Every column given (a column left to its default would make ogr2ogr INSERT
            # row by row instead of COPY).
            f"SELECT SoTo AS sheet, SoThua AS number, DienTich AS area_m2, "  # noqa: S608
            f"LOAIDAT AS land_use_codes, DiaChi AS address, {commune} AS commune_id, "
            f"{land_use} AS land_use_id, '2026-01-01 00:00:00+07' AS updated_at "
            f"FROM {shp.stem}",
            "--config",
            "PG_USE_COPY",
            "YES",
        ]
    )
    with connection.cursor() as cursor:
        for definition in indexes:
            cursor.execute(definition)
        for definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {LIKE_TABLE} ADD {definition}")
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(geom_3857) FROM {LIKE_TABLE}")  # noqa: S608
        loaded = cursor.fetchone()
        cursor.execute(f"DROP TABLE {LIKE_TABLE}")
    if loaded[0] != loaded[1] or loaded[0] == 0:
        raise SystemExit(f"ogr2ogr into {LIKE_TABLE} loaded {loaded}")
    return elapsed


def checkpoint() -> None:
    """Write out what earlier loads left in the WAL: a load that would otherwise trigger a
    checkpoint midway pays for its predecessor's writes (~250 MB of WAL per 200,000)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def clear_bench_parcels() -> None:
    """Remove the synthetic parcels (and their holders) in SQL: the ORM's delete() would
    load every row into this process, whose size every forked child's peak RSS includes."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM layers_parcelholder WHERE parcel_id IN (SELECT p.id FROM "
            "layers_landparcel p JOIN layers_adminunit a ON a.id = p.commune_id "
            "WHERE a.code = '10540' AND p.address LIKE 'Số %% đường Nguyễn Trãi')"
        )
        cursor.execute(
            "DELETE FROM layers_landparcel p USING layers_adminunit a WHERE a.id = p.commune_id "
            "AND a.code = '10540' AND p.address LIKE 'Số %% đường Nguyễn Trãi'"
        )
    # The next load then starts from a table without the dead rows of the last one, as
    # ogr2ogr's starts from a new table: runs measure the same work.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE layers_landparcel")
        cursor.execute("VACUUM ANALYZE layers_parcelholder")


if __name__ == "__main__":
    main()
