"""Tile service figures, in one run on loopback (issue 4):

1. cached-tile throughput through /tiles/ under gunicorn (2 workers) and through nginx
   serving the same cache files directly, with the ratio (wrk, 10 s each);
2. uncached render time, p50/p95, at z14-z18 over the demo province (and, with
   ``--million``, over a synthetic 1,000,000-parcel district);
3. MVT p50/p95 through the endpoint against the bare ST_AsMVT SQL for the same tiles.

    .venv/bin/python bench/tiles/run.py [--million]

Needs the demo loaded (make demo, or manage.py load_demo), nginx and wrk (apt-get install
nginx wrk). Targets: cached ≥ 1,500/s; uncached z16 p50 ≤ 150 ms at 1M parcels; MVT within
1.3× of the bare SQL.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.floor import explain, framework_floor_ms, http_floor_ms  # noqa: E402
from bench.server import start_gunicorn  # noqa: E402
from bench.timing import KeepAlive, fetch_ms, pct  # noqa: E402

APP_PORT, NGINX_PORT, FLOOR_PORT = 8701, 8702, 8703


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    )


def wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c32", "-d10s", url], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("Requests/sec"))
    return float(line.split()[1])


def start_nginx(cache_dir: Path, folder: Path) -> subprocess.Popen:
    conf = folder / "nginx.conf"
    conf.write_text(f"""
worker_processes 2; daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on;
  server {{
    listen 127.0.0.1:{NGINX_PORT};
    location ~ ^/tiles/wmts/(?<layer>[a-z0-9_]+)/webmercator/(?<z>\\d+)/(?<x>\\d+)/(?<y>\\d+)\\.png$ {{
      root {cache_dir}; try_files /$layer/$z/$x/$y.png =404; }}
  }}
}}""")
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder)])
    time.sleep(0.5)
    return process


def million_parcels() -> tuple[float, float, float, float]:
    """Load bench/import's 1,000,000 synthetic parcels (commune 10540) once; their extent."""
    from django.contrib.gis.db.models import Extent
    from django.contrib.gis.geos import Polygon

    from layers.models import LandParcel

    synthetic = LandParcel.objects.filter(
        commune__code="10540",
        address__startswith="Số ",
        geom__bboverlaps=Polygon.from_bbox((559_000, 2_299_000, 572_000, 2_312_000)),
    )
    if synthetic.count() < 1_000_000:
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench/import/run.py")
        bench_import = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench_import)
        shp = Path(tempfile.mkdtemp()) / "million.shp"
        bench_import.generate(shp, 1_000_000)
        subprocess.run(
            [sys.executable, "manage.py", "import_layer", "parcels", str(shp), "-v", "0"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    box = Polygon.from_bbox(synthetic.aggregate(e=Extent("geom"))["e"])
    box.srid = 9209
    return box.transform(4326, clone=True).extent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40, help="uncached renders per zoom")
    parser.add_argument("--mvt-samples", type=int, default=300, help="vector tiles")
    parser.add_argument("--million", action="store_true", help="also over 1,000,000 parcels")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install {tool}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
    import django

    from gis.pgcluster import ensure_running

    ensure_running()
    django.setup()
    from django.db import connection

    from tiles import mvt
    from tiles.seeding import data_extent

    west, south, east, north = data_extent()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="bench-tiles-"))
    cache = work / "tiles"
    env = {
        **os.environ,
        "TILE_CACHE_DIR": str(cache),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }
    app = start_gunicorn(env, APP_PORT)
    try:
        base = f"http://127.0.0.1:{APP_PORT}/tiles/wmts"
        areas = [("demo province", (west, south, east, north))]
        if args.million:
            areas.append(("1,000,000-parcel district", million_parcels()))
        for label, (w, s, e, n) in areas:
            print(f"uncached render, parcels layer, {label} (cache emptied before each request;")
            print("  one request renders a 2 × 2 meta tile with a 64-pixel buffer):")
            for z in range(14, 19):
                times = []
                for _ in range(args.samples):
                    shutil.rmtree(cache / "parcels", ignore_errors=True)
                    x, y = tile_xy(rng.uniform(w, e), rng.uniform(s, n), z)
                    times.append(fetch_ms(f"{base}/parcels/webmercator/{z}/{x}/{y}.png"))
                print(f"  z{z}: p50 {pct(times, 50):6.1f} ms  p95 {pct(times, 95):6.1f} ms")
        x, y = tile_xy((west + east) / 2, (south + north) / 2, 16)
        url = f"parcels/webmercator/16/{x}/{y}.png"
        fetch_ms(f"{base}/{url}")
        nginx = start_nginx(cache, work)
        try:
            through_app = wrk(f"{base}/{url}")
            through_nginx = wrk(f"http://127.0.0.1:{NGINX_PORT}/tiles/wmts/{url}")
        finally:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait()
        print(
            f"cached tile: /tiles/ {through_app:,.0f}/s, nginx {through_nginx:,.0f}/s, "
            f"ratio {through_app / through_nginx:.2f} (target ≥ 1,500/s through /tiles/)"
        )
        spec_sql, ours, sizes = [], [], []
        from layers import registry

        spec = registry.get("parcels")
        browser = KeepAlive(APP_PORT)
        for _ in range(args.mvt_samples):
            tx, ty = tile_xy(rng.uniform(west, east), rng.uniform(south, north), 16)
            # The bare statement: the same ST_AsMVT SQL straight on a database connection.
            sql, params = mvt.tile_statement(spec, 16, tx, ty)

            def bare(sql: str = sql, params: list = params) -> float:
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    (tile,) = cursor.fetchone()
                elapsed = (time.perf_counter() - started) * 1000
                sizes.append(len(tile or b""))
                return elapsed

            bare()  # both measured with the tile's pages in PostgreSQL's buffer cache
            ours.append(browser.fetch_ms(f"/tiles/mvt/parcels/16/{tx}/{ty}.pbf"))
            spec_sql.append(bare())
        print(
            f"MVT z16: endpoint p50 {pct(ours, 50):.1f} ms p95 {pct(ours, 95):.1f} ms; "
            f"bare SQL p50 {pct(spec_sql, 50):.1f} ms p95 {pct(spec_sql, 95):.1f} ms; "
            f"ratio p50 {statistics.median(ours) / statistics.median(spec_sql):.2f} (target ≤ 1.3)"
        )
        # Below the layer's minimum zoom the view answers 204 without a query.
        pause = pct(spec_sql, 50)  # what separates two measured requests
        framework = framework_floor_ms(
            browser, f"/tiles/mvt/parcels/{spec.min_zoom - 1}/0/0.pbf", pause
        )
        http = http_floor_ms(FLOOR_PORT, size=int(statistics.median(sizes)), pause_ms=pause)
        print(explain(pct(ours, 50), pct(spec_sql, 50), http, framework, 1.3))
    finally:
        app.terminate()
        app.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
