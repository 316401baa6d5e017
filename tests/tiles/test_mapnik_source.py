"""The ``mapnik4`` MapProxy source on Mapnik XML written in tmp_path: tiles through MapProxy's
WSGI app, other EPSG codes, threads and forked workers, Vietnamese labels, PostGIS over the
Unix socket, and GeoDjango's system GDAL still working in the process that imported Mapnik."""

from __future__ import annotations

import io
import json
import math
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.util import setup_testing_defaults
from xml.sax.saxutils import escape

import pytest
import yaml
from mapproxy.query import MapQuery
from mapproxy.srs import SRS
from PIL import Image, ImageChops

from tiles import mapnik_source
from tiles.mapnik_import import mapnik

# Sources called directly (outside a loaded MapProxy configuration) read MapProxy's defaults.
pytestmark = pytest.mark.filterwarnings(
    "ignore:calling un-configured base_config:DeprecationWarning"
)
ROOT = Path(__file__).resolve().parents[2]
# EPSG:9209 (VN-2000 / TM-3 105-30) 580 000 E, 2 314 000 N is 106.27097 E, 20.91738 N.
X9209, Y9209 = 580_000.0, 2_314_000.0
LON, LAT = 106.27097, 20.91738
HALF = 0.002  # degrees: the test polygon is a square of about 420 m around the point
FILL = (0x33, 0x66, 0xCC)
LABEL = "Phường Tứ Minh — Nguyễn Trãi"
ZOOM = 14
ENV_KEYS = ("PROJ_LIB", "PROJ_DATA", "GDAL_DATA", "ICU_DATA")


# --- helpers -------------------------------------------------------------------------------


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int, int, int]:
    """Slippy-map tile (row counted from the north) and the pixel of lon/lat inside it."""
    n = 2**zoom
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), int(fx % 1 * 256), int(fy % 1 * 256)


def mercator(lon: float, lat: float) -> tuple[float, float]:
    r = 6_378_137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def square(lon: float, lat: float, half: float) -> list[list[float]]:
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def write_style(
    folder: Path,
    *,
    background: str | None = None,
    label: str | None = None,
    wrap_width: int = 0,
    fill: str = "#3366CC",
) -> Path:
    """A Mapnik XML drawing one polygon (from a GeoJSON file beside it), optionally labelled."""
    folder.mkdir(parents=True, exist_ok=True)
    geojson = folder / "poly.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": label or ""},
        "geometry": {"type": "Polygon", "coordinates": [square(LON, LAT, HALF)]},
    }
    geojson.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False),
        encoding="utf-8",
    )
    text = ""
    if label:
        # Noto Sans alone, no fallback font: the label must not need DejaVu for any glyph.
        text = (
            '<TextSymbolizer face-name="Noto Sans Regular" size="16" fill="#000000" '
            f'placement="interior" wrap-width="{wrap_width}">[name]</TextSymbolizer>'
        )
    bg = f' background-color="{background}"' if background else ""
    path = folder / "style.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<Map srs="epsg:3857"{bg}>'
        f'<Style name="poly"><Rule><PolygonSymbolizer fill="{fill}"/>{text}</Rule></Style>'
        '<Layer name="poly" srs="epsg:4326"><StyleName>poly</StyleName><Datasource>'
        '<Parameter name="type">geojson</Parameter>'
        f'<Parameter name="file">{escape(str(geojson))}</Parameter>'
        "</Datasource></Layer></Map>",
        encoding="utf-8",
    )
    return path


def mapproxy_yaml(folder: Path, mapfile: str) -> Path:
    """A MapProxy configuration: one cached (WMTS/TMS) and one direct (WMS) layer."""
    document = {
        "services": {
            "wmts": {"restful": True, "kvp": True},
            "tms": {"use_grid_names": True},
            "wms": {
                "srs": ["EPSG:3857", "EPSG:4326", "EPSG:9209"],
                "image_formats": ["image/png"],
                "md": {"title": "test"},
            },
        },
        "layers": [
            {"name": "poly", "title": "Cached polygon", "sources": ["poly_cache"]},
            {"name": "direct", "title": "Uncached polygon", "sources": ["poly_mapnik"]},
        ],
        "caches": {
            "poly_cache": {
                "grids": ["webmercator"],
                "sources": ["poly_mapnik"],
                "format": "image/png",
                "cache": {
                    "type": "file",
                    "directory_layout": "tms",
                    "directory": str(folder / "cache" / "poly"),
                },
            }
        },
        # A path relative to mapproxy.yaml, as MapProxy's own mapnik source allows.
        "sources": {"poly_mapnik": {"type": "mapnik4", "mapfile": mapfile, "transparent": True}},
        "grids": {"webmercator": {"base": "GLOBAL_WEBMERCATOR"}},
        "globals": {
            "cache": {
                "base_dir": str(folder / "cache"),
                "lock_dir": str(folder / "cache" / "locks"),
                "tile_lock_dir": str(folder / "cache" / "tile_locks"),
            },
            # Exact colours: no quantisation to a palette.
            "image": {"paletted": False},
        },
    }
    path = folder / "mapproxy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def wsgi_get(app, path: str, query: str = "") -> tuple[str, dict[str, str], bytes]:
    """Call a WSGI app directly (no server, no extra test dependency)."""
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="GET", PATH_INFO=path, QUERY_STRING=query)
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


def png(body: bytes) -> Image.Image:
    return Image.open(io.BytesIO(body)).convert("RGBA")


def get_png(app, path: str, query: str = "") -> Image.Image:
    status, headers, body = wsgi_get(app, path, query)
    assert status.startswith("200"), (status, body[:500])
    assert headers["Content-type"] == "image/png", headers
    return png(body)


def render(source, bbox, size=(256, 256), srs=3857) -> Image.Image:
    """What MapProxy's tile manager asks of a source, without MapProxy."""
    result = source.get_map(MapQuery(bbox, size, SRS(srs), format="png"))
    return png(result.as_buffer().read())


def polygon_bbox_3857(margin: float = 2.0) -> tuple[float, float, float, float]:
    """Web Mercator bbox around the polygon, ``margin`` times its half-size."""
    x0, y0 = mercator(LON - margin * HALF, LAT - margin * HALF)
    x1, y1 = mercator(LON + margin * HALF, LAT + margin * HALF)
    return x0, y0, x1, y1


def dark_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the near-black (label) pixels."""
    r, g, b = (band.point(lambda v: 255 if v < 60 else 0) for band in image.convert("RGB").split())
    return ImageChops.multiply(ImageChops.multiply(r, g), b).getbbox()


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered():
    mapnik_source.register()


@pytest.fixture
def style(tmp_path) -> Path:
    return write_style(tmp_path / "style")


@pytest.fixture
def app(tmp_path, style, registered):
    from mapproxy.wsgiapp import make_wsgi_app

    conf = mapproxy_yaml(tmp_path, os.path.relpath(style, tmp_path))
    # Warnings are errors: an unknown option of the mapnik4 spec would fail here.
    return make_wsgi_app(str(conf), ignore_config_warnings=False)


# --- MapProxy end to end -------------------------------------------------------------------


def test_a_wmts_tile_shows_the_fill_inside_and_the_background_outside(app, tmp_path):
    tx, ty, px, py = tile_of(LON, LAT, ZOOM)
    # A point 3 half-sizes east of the centre (west if that leaves the tile): same tile,
    # outside the polygon.
    for dx in (3 * HALF, -3 * HALF):
        ox, oy, opx, opy = tile_of(LON + dx, LAT, ZOOM)
        if (ox, oy) == (tx, ty):
            break
    assert (ox, oy) == (tx, ty)

    image = get_png(app, f"/wmts/poly/webmercator/{ZOOM}/{tx}/{ty}.png")
    assert image.size == (256, 256)
    assert image.getpixel((px, py)) == (*FILL, 255)
    assert image.getpixel((opx, opy))[3] == 0  # transparent background
    # Cached as a file: z/x/y in the grid's own numbering (GLOBAL_WEBMERCATOR: rows from
    # the north, like WMTS).
    cached = tmp_path / "cache" / "poly" / str(ZOOM) / str(tx) / f"{ty}.png"
    assert cached.exists()


def test_the_same_tile_through_tms(app):
    tx, ty, px, py = tile_of(LON, LAT, ZOOM)
    # TMS 1.0.0 "global-mercator" profile: rows from the south, and its level 0 is the
    # 2 × 2 level of the web-map numbering.
    row = 2**ZOOM - 1 - ty
    image = get_png(app, f"/tms/1.0.0/poly/webmercator/{ZOOM - 1}/{tx}/{row}.png")
    assert image.getpixel((px, py)) == (*FILL, 255)


@pytest.mark.parametrize(
    ("version", "srs", "bbox"),
    [
        # Mapnik gets "epsg:9209" itself (no "+init="), reprojecting the EPSG:4326 GeoJSON.
        ("1.1.1", "EPSG:9209", (X9209 - 400, Y9209 - 400, X9209 + 400, Y9209 + 400)),
        # WMS 1.3.0 EPSG:4326 bboxes are lat/lon; MapProxy hands the source lon/lat.
        ("1.3.0", "EPSG:4326", (LAT - 2 * HALF, LON - 2 * HALF, LAT + 2 * HALF, LON + 2 * HALF)),
        ("1.3.0", "EPSG:3857", polygon_bbox_3857()),
    ],
)
def test_a_wms_getmap_renders_in_the_requested_srs(app, version, srs, bbox):
    crs = "SRS" if version == "1.1.1" else "CRS"
    query = (
        f"SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS=direct&STYLES=&{crs}={srs}"
        f"&BBOX={','.join(map(str, bbox))}&WIDTH=100&HEIGHT=100&FORMAT=image/png"
        "&TRANSPARENT=TRUE"
    )
    image = get_png(app, "/service", query)
    assert image.getpixel((50, 50)) == (*FILL, 255)
    assert image.getpixel((3, 3))[3] == 0


def test_a_changed_style_file_is_reloaded(tmp_path):
    folder = tmp_path / "reload"
    path = write_style(folder)
    source = mapnik_source.Mapnik4Source(str(path))
    assert render(source, polygon_bbox_3857()).getpixel((128, 128))[:3] == FILL
    write_style(folder, fill="#CC3333")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert render(source, polygon_bbox_3857()).getpixel((128, 128))[:3] == (0xCC, 0x33, 0x33)


# --- threads and processes -----------------------------------------------------------------


def test_four_threads_request_tiles_concurrently(app):
    tx, ty, px, py = tile_of(LON, LAT, ZOOM)
    # Each thread asks for tiles of other meta tiles (4 × 4 by default), all at once.
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    fills: list[tuple[int, ...]] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for round_ in range(4):
                col = tx + 8 * (4 * round_ + n)
                image = get_png(app, f"/wmts/poly/webmercator/{ZOOM}/{col}/{ty}.png")
                if col == tx:
                    fills.append(image.getpixel((px, py)))
                else:
                    assert image.getextrema()[3] == (0, 0)  # empty, transparent tile
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert fills == [(*FILL, 255)]


def test_four_threads_render_with_one_map_each(style):
    source = mapnik_source.Mapnik4Source(str(style))
    barrier = threading.Barrier(4)
    maps: dict[int, int] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(10):
                size = 128 + 32 * ((n + i) % 4)  # different sizes: each render resizes
                image = render(source, polygon_bbox_3857(), size=(size, size))
                assert image.getpixel((size // 2, size // 2)) == (*FILL, 255)
                assert image.getpixel((1, 1))[3] == 0
            maps[n] = id(mapnik_source._map(str(style)))
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(set(maps.values())) == 4  # no Map is shared between threads


_forked_source = None


def _render_in_child(_n: int) -> tuple[int, tuple[int, ...]]:
    image = render(_forked_source, polygon_bbox_3857())
    return os.getpid(), image.getpixel((128, 128))


def test_forked_workers_render_after_the_parent_did(style):
    """File datasources survive a fork after the parent rendered: each process loads its
    own Map. (PostGIS does not: see the fork tests below.)"""
    global _forked_source
    _forked_source = mapnik_source.Mapnik4Source(str(style))
    assert render(_forked_source, polygon_bbox_3857()).getpixel((128, 128))[:3] == FILL
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            results = pool.map(_render_in_child, range(4))
    finally:
        _forked_source = None
    assert {pixel for _pid, pixel in results} == {(*FILL, 255)}
    assert os.getpid() not in {pid for pid, _pixel in results}


# --- labels ----------------------------------------------------------------------------------


def test_vietnamese_labels_render_with_noto_sans(tmp_path):
    assert "Noto Sans Regular" in mapnik.FontEngine.face_names()
    path = write_style(tmp_path / "label", background="#FFFFFF", label=LABEL, fill="#FFE4A0")
    source = mapnik_source.Mapnik4Source(str(path))
    image = render(source, polygon_bbox_3857(margin=2.5), size=(512, 384))
    image.save("/tmp/label_test.png")
    box = dark_box(image)
    assert box is not None
    left, top, right, bottom = box
    # One line of 16-pixel text, centred on the polygon: wide and not tall.
    assert right - left > 200
    assert 12 < bottom - top < 40
    assert left < 256 < right and top < 192 < bottom
    dark = image.crop(box).convert("L").point(lambda v: 255 if v < 60 else 0).histogram()[255]
    assert dark > 300


WRAP_SCRIPT = """
import json, sys
from pathlib import Path
from tests.tiles.test_mapnik_source import (
    LABEL, dark_box, polygon_bbox_3857, render, write_style, mapnik_source)
heights = {}
for wrap in (0, 60):
    path = write_style(Path(sys.argv[1]) / str(wrap), background="#FFFFFF", label=LABEL,
                       wrap_width=wrap, fill="#FFE4A0")
    image = render(mapnik_source.Mapnik4Source(str(path)), polygon_bbox_3857(2.5), (512, 384))
    left, top, right, bottom = dark_box(image)
    heights[wrap] = bottom - top
print(json.dumps(heights))
"""


def test_wrapped_labels_break_into_lines(tmp_path):
    """In a fresh interpreter: ICU reads ICU_DATA once, on first use, after the import."""
    out = run_python(WRAP_SCRIPT, str(tmp_path))
    heights = {int(k): v for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    assert heights[60] > 2 * heights[0], (heights, out.stderr)


# --- PostGIS over the project's Unix socket ------------------------------------------------


@pytest.fixture
def postgis_table(db):
    """A table in the test database, created outside Django's transaction so that Mapnik's
    own connection sees it. (Requesting ``db`` makes pytest-django create the test database:
    without any django_db test in the run, the connection still names the real one.)"""
    import psycopg
    from django.db import connection

    conf = connection.settings_dict
    assert conf["NAME"].startswith("test_"), conf["NAME"]  # never touch a real database
    params = {
        "host": conf["HOST"],
        "port": conf.get("PORT") or None,
        "dbname": conf["NAME"],
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS mapnik4_probe")
        conn.execute("CREATE TABLE mapnik4_probe (id int, geom geometry(Polygon, 9209))")
        conn.execute(
            "INSERT INTO mapnik4_probe VALUES (1, ST_Expand(ST_SetSRID(ST_MakePoint(%s, %s),"
            " 9209), 200))",
            [X9209, Y9209],
        )
        try:
            yield params
        finally:
            conn.execute("DROP TABLE mapnik4_probe")


def write_postgis_style(path: Path, connection: dict[str, str], **extra: str) -> Path:
    """A Mapnik XML drawing the probe table, read over ``connection`` (host: socket folder)."""
    parameters = {
        "type": "postgis",
        "table": "(SELECT geom FROM mapnik4_probe) AS probe",
        "geometry_field": "geom",
        "srid": "9209",
        "extent": f"{X9209 - 200},{Y9209 - 200},{X9209 + 200},{Y9209 + 200}",
        **connection,
        **extra,
    }
    datasource = "".join(
        f'<Parameter name="{name}">{escape(str(value))}</Parameter>'
        for name, value in parameters.items()
    )
    path.write_text(
        '<Map srs="epsg:3857"><Style name="s"><Rule><PolygonSymbolizer fill="#3366CC"/>'
        '</Rule></Style><Layer name="probe" srs="epsg:9209"><StyleName>s</StyleName>'
        f"<Datasource>{datasource}</Datasource></Layer></Map>",
        encoding="utf-8",
    )
    path.chmod(0o600)  # it may carry a password
    return path


def test_a_postgis_layer_renders_over_the_unix_socket(tmp_path, postgis_table):
    path = write_postgis_style(tmp_path / "postgis.xml", postgis_table)
    image = render(mapnik_source.Mapnik4Source(str(path)), polygon_bbox_3857(margin=3))
    assert image.getpixel((128, 128)) == (*FILL, 255)
    assert image.getpixel((2, 2))[3] == 0


FORK_SCRIPT = """
import json, multiprocessing, sys
from tests.tiles.test_mapnik_source import FILL, polygon_bbox_3857, render, mapnik_source
source = mapnik_source.Mapnik4Source(sys.argv[1])
parent_first = sys.argv[2] == "parent-first"

def fill(_n):
    try:
        return list(render(source, polygon_bbox_3857(margin=3)).getpixel((128, 128)))
    except Exception as exc:
        return str(exc).splitlines()[0]

results = []
if parent_first:
    results.append(fill(0))  # Mapnik's pool in this process now holds open connections
with multiprocessing.get_context("fork").Pool(3) as pool:
    results += pool.map(fill, range(12), chunksize=1)
results.append(fill(0))  # and the parent renders afterwards
print(json.dumps(results))
"""


def fork_and_render(path: Path, order: str) -> list:
    """3 forked workers render 12 times and the parent renders, in a fresh interpreter so
    that a broken connection pool cannot spill into other tests."""
    out = run_python(FORK_SCRIPT, str(path), order)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_workers_forked_before_any_render_read_postgis_safely(tmp_path, postgis_table):
    """The supported pattern: fork first, render after (gunicorn without --preload, the
    MapProxy seeder started from a process that has not rendered)."""
    path = write_postgis_style(tmp_path / "pg.xml", postgis_table)
    assert fork_and_render(path, "fork-first") == [[*FILL, 255]] * 13


# --- GeoDjango's GDAL beside the Mapnik wheel ----------------------------------------------


def run_python(code: str, *args: str, env: dict[str, str] | None = None):
    """A fresh interpreter: what a process imports first decides what breaks."""
    base = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


TRANSFORM = """
from django.contrib.gis.gdal import OGRGeometry
point = OGRGeometry("POINT(580000 2314000)", 9209)
point.transform(4326)
print(point.x, point.y)
"""


def test_gdal_transforms_after_tiles_mapnik_import_in_this_process():
    from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference

    assert mapnik.Map  # Mapnik is loaded in this process
    point = OGRGeometry("POINT(580000 2314000)", 9209)
    point.transform(CoordTransform(SpatialReference(9209), SpatialReference(4326)))
    # Django's SpatialReference uses the traditional GIS axis order: x = lon, y = lat.
    assert point.x == pytest.approx(LON, abs=1e-5)
    assert point.y == pytest.approx(LAT, abs=1e-5)


def test_gdal_transforms_after_tiles_mapnik_import_in_a_fresh_process():
    out = run_python("import tiles.mapnik_import\n" + TRANSFORM)
    x, y = map(float, out.stdout.split())
    assert x == pytest.approx(LON, abs=1e-5)
    assert y == pytest.approx(LAT, abs=1e-5)


def test_a_bare_import_mapnik_breaks_gdal_which_is_why_tiles_mapnik_import_exists():
    """The premise, checked: if a newer wheel stops breaking GDAL, this test says so."""
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_python("import mapnik\n" + TRANSFORM)
    assert "OGR failure" in failure.value.stderr


ENV_DIFF = """
import json, os
before = dict(os.environ)
import tiles.mapnik_import
after = dict(os.environ)
print(json.dumps({k: [before.get(k), after.get(k)] for k in set(before) | set(after)
                  if before.get(k) != after.get(k)}))
"""


@pytest.mark.parametrize("preset", [{}, {"PROJ_LIB": "/usr/share/proj", "GDAL_DATA": "/x"}])
def test_importing_mapnik_leaves_the_environment_as_it_was(preset):
    out = run_python(ENV_DIFF, env=preset)
    assert json.loads(out.stdout) == {}
