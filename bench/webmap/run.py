"""Public map figures, in one run on loopback (issue 5):

1. time to the first painted map tile of ``/`` in headless Chromium (a fresh browser
   context each time, so no browser cache; the server's tile cache warms on the first);
2. the JS + CSS that ``/`` loads, raw and gzipped (level 6, as nginx/whitenoise send it);
3. the planning-report API (``/api/planning-report/?lon=&lat=`` through gunicorn) p50/p95
   against the bare SQL of the same overlay (parcel at the point, approved zones with
   their intersection areas, red-line cut, environmental constraints) on the same points,
   plus the report service called in-process.

    .venv/bin/python bench/webmap/run.py [--samples 40] [--paint-runs 10] [--parcels N]

Default: points in demo parcels, whatever else the table holds. ``--parcels N`` first tops
the parcels table up to N with bench/import's synthetic district and samples points there.
Targets: first paint ≤ 1.5 s; JS + CSS ≤ 300 KB gzipped; report API ≤ 1.5 × bare SQL and
p50 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.floor import explain, framework_floor_ms, http_floor_ms  # noqa: E402
from bench.server import start_gunicorn  # noqa: E402
from bench.timing import KeepAlive, pct  # noqa: E402

APP_PORT, FLOOR_PORT = 8711, 8712
BASE = f"http://127.0.0.1:{APP_PORT}"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# The same overlay as planning.report.planning_report, as one statement (%(srid)s is the
# storage CRS; parameters: lon, lat). Drafts and superseded zones left out, as there.
BARE_SQL = """
WITH p AS (
  SELECT lp.id, lp.geom, lp.sheet, lp.number, lp.area_m2, au.code, au.name, lu.code AS lu
  FROM layers_landparcel lp
  JOIN layers_adminunit au ON au.id = lp.commune_id
  JOIN layers_landusetype lu ON lu.id = lp.land_use_id
  WHERE ST_Intersects(lp.geom, ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), {srid}))
  ORDER BY lp.id LIMIT 1
)
SELECT p.id, p.code, p.name, p.sheet, p.number, p.area_m2, p.lu,
  (SELECT json_agg(json_build_object(
      'zone', z.zone_code, 'plan', pl.decision_number, 'land_use', zlu.code,
      'area', ST_Area(ST_Intersection(z.geom, p.geom)), 'coverage', z.max_coverage,
      'floors', z.max_floors, 'height', z.max_height_m, 'far', z.max_far))
   FROM planning_zoningarea z
   JOIN planning_plan pl ON pl.id = z.plan_id
   JOIN layers_landusetype zlu ON zlu.id = z.land_use_id
   WHERE pl.status = 'approved' AND z.superseded_on IS NULL AND ST_Intersects(z.geom, p.geom)),
  (SELECT coalesce(sum(ST_Area(ST_Intersection(r.geom, p.geom))), 0)
   FROM layers_redline r WHERE ST_Intersects(r.geom, p.geom)),
  (SELECT json_agg(json_build_object('kind', e.kind, 'name', e.name,
      'area', ST_Area(ST_Intersection(e.geom, p.geom))))
   FROM layers_environmentzone e WHERE ST_Intersects(e.geom, p.geom))
FROM p
"""

# Records when the first map tile has loaded and been painted (the next animation frame).
FIRST_TILE_PROBE = """
window.__firstTile = null;
new MutationObserver((changes, observer) => {
  if (document.querySelector('#map img.leaflet-tile-loaded')) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstTile = performance.now(); });
  }
}).observe(document, {subtree: true, attributes: true, childList: true,
                      attributeFilter: ['class']});
"""


def top_up_parcels(count: int) -> None:
    """Fill the parcels table to ``count`` with bench/import's synthetic district."""
    from layers.models import LandParcel

    missing = count - LandParcel.objects.count()
    if missing <= 0:
        return
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench/import/run.py")
    bench_import = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_import)
    shp = Path(tempfile.mkdtemp()) / "synthetic.shp"
    bench_import.generate(shp, missing)
    subprocess.run(
        [sys.executable, "manage.py", "import_layer", "parcels", str(shp), "-v", "0"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def sample_points(n: int, *, synthetic: bool, rng: random.Random) -> list[tuple[float, float]]:
    """(lon, lat) inside ``n`` random parcels: demo ones, or the synthetic district's."""
    from django.db import connection

    # bench/import's synthetic parcels are addressed "Số N đường Nguyễn Trãi" (demo: "… phố …").
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM layers_landparcel"
            " WHERE (coalesce(address, '') LIKE 'Số %% đường Nguyễn Trãi') = %s",
            [synthetic],
        )
        low, high = cursor.fetchone()
        points: list[tuple[float, float]] = []
        while len(points) < n:
            ids = [rng.randint(low, high) for _ in range(n * 2)]
            cursor.execute(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326)"
                " AS p FROM layers_landparcel WHERE id = ANY(%s)"
                " AND (coalesce(address, '') LIKE 'Số %% đường Nguyễn Trãi') = %s) s",
                [ids, synthetic],
            )
            points.extend(cursor.fetchall())
    return points[:n]


def report_vs_sql(points: list[tuple[float, float]]) -> None:
    from django.conf import settings
    from django.db import connection

    from planning.report import report_at

    sql = BARE_SQL.format(srid=int(settings.GIS_SRID))
    api, bare, service = [], [], []
    browser = KeepAlive(APP_PORT)
    for lon, lat in points:  # one warm-up pass through every path first
        browser.fetch_ms(f"/api/planning-report/?lon={lon:.7f}&lat={lat:.7f}")
    with urllib.request.urlopen(f"{BASE}/api/planning-report/?lon={lon}&lat={lat}") as answer:  # noqa: S310
        size = len(answer.read())
    for lon, lat in points:
        api.append(browser.fetch_ms(f"/api/planning-report/?lon={lon:.7f}&lat={lat:.7f}"))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [lon, lat])
            cursor.fetchall()
        bare.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        report_at(lon=lon, lat=lat)
        service.append((time.perf_counter() - started) * 1000)
    ratio = statistics.median(api) / statistics.median(bare)
    # What separates two measured API requests: the bare statement and the service.
    pause = pct(bare, 50) + pct(service, 50)
    framework = framework_floor_ms(browser, "/api/planning-report/", pause, expect=(400,))
    http = http_floor_ms(FLOOR_PORT, size=size, pause_ms=pause)
    print(
        f"planning report, {len(points)} points:\n"
        f"  API (HTTP, gunicorn)   p50 {pct(api, 50):6.1f} ms  p95 {pct(api, 95):6.1f} ms"
        f"  (target p50 ≤ 30 ms)\n"
        f"  service in-process     p50 {pct(service, 50):6.1f} ms  p95 {pct(service, 95):6.1f} ms\n"
        f"  bare SQL, same overlay p50 {pct(bare, 50):6.1f} ms  p95 {pct(bare, 95):6.1f} ms\n"
        f"  ratio API / bare SQL at p50: {ratio:.2f} (target ≤ 1.5)"
    )
    print(explain(pct(api, 50), pct(bare, 50), http, framework, 1.5))


def first_paint_and_weight(runs: int, lon: float, lat: float) -> None:
    from playwright.sync_api import sync_playwright

    url = f"{BASE}/#17/{lat:.6f}/{lon:.6f}"
    times, assets = [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for run in range(runs + 1):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.add_init_script(FIRST_TILE_PROBE)
            if run == 0:

                def keep(response):
                    kind = response.request.resource_type
                    if kind in ("script", "stylesheet") and response.ok:
                        assets[response.url] = response.body()

                page.on("response", keep)
            page.goto(url)
            page.wait_for_function("window.__firstTile !== null", timeout=60_000)
            ms = page.evaluate("window.__firstTile")
            if run == 0:
                print(f"first painted tile, cold server tile cache: {ms:.0f} ms")
            else:
                times.append(ms)
            context.close()
        browser.close()
    print(
        f"first painted tile, {runs} fresh browser contexts: median {statistics.median(times):.0f} ms"
        f", p95 {pct(times, 95):.0f} ms (target ≤ 1,500 ms)"
    )
    raw = sum(len(body) for body in assets.values())
    packed = sum(len(gzip.compress(body, compresslevel=6)) for body in assets.values())
    print(
        f"JS + CSS of /: {len(assets)} files, {raw / 1024:.0f} KB raw, "
        f"{packed / 1024:.0f} KB gzipped (target ≤ 300 KB)"
    )
    for asset, body in sorted(assets.items(), key=lambda item: -len(item[1])):
        print(
            f"  {len(gzip.compress(body, compresslevel=6)) / 1024:6.1f} KB gz  "
            f"{asset.removeprefix(BASE)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40, help="report API points")
    parser.add_argument("--paint-runs", type=int, default=10, help="first-paint runs")
    parser.add_argument("--parcels", type=int, help="top the table up to N synthetic parcels")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
    import django

    from gis.pgcluster import ensure_running, uses_embedded_cluster

    if uses_embedded_cluster():
        ensure_running()
    django.setup()
    from layers.models import LandParcel

    if args.parcels:
        top_up_parcels(args.parcels)
    rng = random.Random(5)
    points = sample_points(args.samples, synthetic=bool(args.parcels), rng=rng)
    print(f"parcels in the table: {LandParcel.objects.count():,}")
    work = Path(tempfile.mkdtemp(prefix="bench-webmap-"))
    env = {
        **os.environ,
        "TILE_CACHE_DIR": str(work / "tiles"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Static files from the apps' folders (no collectstatic needed for the bench).
        "STATIC_MANIFEST": "0",
        "WHITENOISE_USE_FINDERS": "1",
        "LOG_LEVEL": "ERROR",  # the framework floor asks for 400s: no warning per request
    }
    app = start_gunicorn(env, APP_PORT)
    try:
        first_paint_and_weight(args.paint_runs, *points[0])
        report_vs_sql(points)
    finally:
        app.terminate()
        app.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
