"""Tiles through MapProxy mounted in Django, rendered by Mapnik from PostGIS: pixel colours
of real renders, Vietnamese labels, OGC clients, precise invalidation."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from django.db import transaction
from PIL import Image

from gis.crs import to_wgs84
from tests.factories import (
    AdminUnitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
    square,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tile_cache")]
X, Y = 580_000.0, 2_314_000.0


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int, float, float]:
    """Slippy-map tile (x, y from the north) and the pixel of lon/lat inside it."""
    n = 2**zoom
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), (fx % 1) * 256, (fy % 1) * 256


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (
        url,
        b"".join(response.streaming_content)[:400]
        if response.streaming
        else response.content[:400],
    )
    return b"".join(response.streaming_content) if response.streaming else response.content


def pixel_at(client, layer: str, x: float, y: float, zoom: int) -> tuple[int, ...]:
    lon, lat = to_wgs84(x, y, 9209)
    tx, ty, px, py = tile_of(lon, lat, zoom)
    png = fetch(client, f"/tiles/wmts/{layer}/webmercator/{zoom}/{tx}/{ty}.png")
    return Image.open(io.BytesIO(png)).convert("RGBA").getpixel((int(px), int(py)))


def test_a_parcel_tile_shows_the_official_land_use_colour(client):
    LandParcelFactory(geom=square(X, Y, size=40), land_use_codes="ODT")
    r, g, b, a = pixel_at(client, "parcels", X + 6, Y + 6, 18)  # clear of the label
    # ODT #FFA0FF at 75 % opacity over transparent: the colour itself, partly opaque.
    assert (r, g, b) == (0xFF, 0xA0, 0xFF)
    assert a > 150


def test_outside_any_parcel_the_tile_is_transparent(client):
    LandParcelFactory(geom=square(X, Y, size=40))
    assert pixel_at(client, "parcels", X + 400, Y + 400, 18)[3] == 0


def test_approved_zoning_is_drawn_and_drafts_are_not(client):
    ZoningAreaFactory(geom=square(X, Y, size=200))
    draft = PlanFactory(status="draft", decision_number="", approved_on=None)
    ZoningAreaFactory(plan=draft, geom=square(X + 1000, Y, size=200))
    assert pixel_at(client, "zoning", X + 100, Y + 100, 17)[3] > 100
    assert pixel_at(client, "zoning", X + 1100, Y + 100, 17)[3] == 0


def test_the_wmts_capabilities_list_every_raster_layer(client):
    xml = fetch(client, "/tiles/wmts/1.0.0/WMTSCapabilities.xml").decode()
    for layer in ("basemap", "parcels", "zoning", "roads", "red_lines", "communes"):
        assert f"<ows:Identifier>{layer}</ows:Identifier>" in xml


def test_a_wms_getmap_renders_the_parcel(client):
    LandParcelFactory(geom=square(X, Y, size=40))
    png = fetch(
        client,
        "/tiles/service?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcels&STYLES="
        f"&CRS=EPSG:9209&BBOX={X - 20},{Y - 20},{X + 60},{Y + 60}&WIDTH=80&HEIGHT=80"
        "&FORMAT=image/png&TRANSPARENT=TRUE",
    )
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    assert image.getpixel((40, 40))[:3] == (0xFF, 0xA0, 0xFF)
    assert image.getpixel((5, 5))[3] == 0


def test_editing_a_zone_replaces_its_tiles_and_keeps_far_tiles(client, tile_cache):
    zone = ZoningAreaFactory(geom=square(X, Y, size=200))
    far = ZoningAreaFactory(plan=zone.plan, geom=square(X + 5000, Y + 5000, size=200))
    pixel_at(client, "zoning", X + 100, Y + 100, 16)
    pixel_at(client, "zoning", X + 5100, Y + 5100, 16)
    files = sorted((tile_cache / "zoning").rglob("*.png"))
    far_file = next(f for f in files if _holds(f, far))
    near_file = next(f for f in files if _holds(f, zone))
    far_mtime = far_file.stat().st_mtime_ns
    from layers.events import layer_changed

    with transaction.atomic():
        zone.land_use_id = zone.land_use.__class__.objects.get(code="TMD").pk
        zone.save()
        extent = zone.geom.extent
        transaction.on_commit(lambda: layer_changed("zoning", extent, srid=9209))
    assert not near_file.exists()
    assert far_file.exists() and far_file.stat().st_mtime_ns == far_mtime
    r, g, b, _a = pixel_at(client, "zoning", X + 20, Y + 20, 16)  # clear of the label
    assert (r, g, b) == (0xFA, 0xAA, 0xA0)  # TMD


def _holds(path, zone) -> bool:
    lon, lat = to_wgs84(zone.geom.centroid.x, zone.geom.centroid.y, 9209)
    x, y, _px, _py = tile_of(lon, lat, 16)
    return path.parent.name == str(x) and path.stem == str(y)


def test_labels_render_vietnamese_diacritics(client, tmp_path):
    ward = AdminUnitFactory(
        code="10540", name="Phường Tứ Minh", geom=square(X - 500, Y - 500, 1000)
    )
    assert ward.pk
    lon, lat = to_wgs84(X, Y, 9209)
    tx, ty, _px, _py = tile_of(lon, lat, 14)
    png = fetch(client, f"/tiles/wmts/communes/webmercator/14/{tx}/{ty}.png")
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    (tmp_path / "label.png").write_bytes(png)
    Path("/tmp/label_tile.png").write_bytes(png)
    dark = sum(1 for p in image.getdata() if p[3] > 200 and sum(p[:3]) < 200)
    assert dark > 30  # label glyphs


def test_seed_tiles_fills_the_cache_for_the_area(tile_cache):
    """Run as people run it: its own process (MapProxy's seeder forks its workers)."""
    import os
    import subprocess
    import sys

    from django.db import connection

    LandParcelFactory(geom=square(X, Y, size=40))
    lon, lat = to_wgs84(X + 20, Y + 20, 9209)
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    env = {
        **os.environ,
        "QUYHOACH_DB_NAME": connection.settings_dict["NAME"],
        "TILE_CACHE_DIR": str(tile_cache),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_tiles",
            "--layer",
            "parcels",
            "--levels",
            "15-16",
            "--bbox",
            bbox,
            "--concurrency",
            "1",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    tx, ty, _px, _py = tile_of(lon, lat, 16)
    assert (tile_cache / "parcels" / "16" / str(tx) / f"{ty}.png").exists()
    assert "100.00%" in result.stdout


@pytest.mark.parametrize("kind", ["geopackage", "redis", "s3"])
def test_the_same_configuration_takes_other_cache_backends(settings, kind):
    from mapproxy.config.loader import load_configuration

    from tiles import config, mapnik_source

    settings.TILE_CACHE_TYPE = kind
    settings.TILE_CACHE_OPTIONS = {"bucket_name": "tiles"} if kind == "s3" else {}
    mapnik_source.register()
    path = config.build()
    conf = load_configuration(mapproxy_conf=str(path))
    cache = conf.caches["parcels_cache"].conf["cache"]
    assert cache["type"] == kind


def test_editing_invalidates_a_geopackage_cache_too(client, settings, tile_cache):
    import sqlite3

    from layers.events import layer_changed

    settings.TILE_CACHE_TYPE = "geopackage"
    zone = ZoningAreaFactory(geom=square(X, Y, size=200))
    far = ZoningAreaFactory(plan=zone.plan, geom=square(X + 5000, Y + 5000, size=200))
    pixel_at(client, "zoning", X + 20, Y + 20, 16)
    pixel_at(client, "zoning", X + 5020, Y + 5020, 16)
    gpkg = tile_cache / "zoning.gpkg"

    def cached(geom) -> int:
        lon, lat = to_wgs84(geom.centroid.x, geom.centroid.y, 9209)
        x, y, _px, _py = tile_of(lon, lat, 16)
        with sqlite3.connect(gpkg) as db:
            return db.execute(
                "SELECT count(*) FROM zoning "
                "WHERE zoom_level = 16 AND tile_column = ? AND tile_row = ?",
                (x, y),
            ).fetchone()[0]

    assert cached(zone.geom) == 1 and cached(far.geom) == 1
    layer_changed("zoning", zone.geom.extent, srid=9209)
    assert cached(zone.geom) == 0 and cached(far.geom) == 1


def test_zoom_20_is_served_for_detailed_plans(client):
    """The map offers z20 (1/500 plans): the grid has it, and the parcel colour is there."""
    LandParcelFactory(geom=square(X, Y, size=40), land_use_codes="ODT")
    r, g, b, a = pixel_at(client, "parcels", X + 3, Y + 3, 20)  # clear of the label
    assert (r, g, b) == (0xFF, 0xA0, 0xFF)
    assert a > 150


def test_a_cached_tile_has_a_quoted_etag_and_answers_304_to_it(client):
    """RFC 9110: an entity tag is a quoted string; browsers send it back as they got it."""
    LandParcelFactory(geom=square(X, Y, size=40))
    lon, lat = to_wgs84(X + 6, Y + 6, 9209)
    tx, ty, _px, _py = tile_of(lon, lat, 18)
    url = f"/tiles/wmts/parcels/webmercator/18/{tx}/{ty}.png"
    fetch(client, url)
    etag = client.get(url)["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
