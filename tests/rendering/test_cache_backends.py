"""Precise invalidation in the scaled-deployment caches: MapProxy writes tiles into a real
Redis server and a real S3 API (moto's server), our invalidation deletes exactly the tiles
over the change and leaves a far tile in place."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from gis.crs import to_wgs84
from layers.events import layer_changed
from tests.factories import ZoningAreaFactory, square
from tests.rendering.test_tiles import X, Y, pixel_at, tile_of
from tiles import service

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:  # make installs it; a bare checkout must not pass silently
        pytest.fail("redis-server is not installed (make test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="tiles")
    try:
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture
def zones(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    zone = ZoningAreaFactory(geom=square(X, Y, size=200))
    far = ZoningAreaFactory(plan=zone.plan, geom=square(X + 5000, Y + 5000, size=200))
    yield zone, far
    service.reset()


def tile_xy(zone) -> tuple[int, int]:
    lon, lat = to_wgs84(zone.geom.centroid.x, zone.geom.centroid.y, 9209)
    x, y, _px, _py = tile_of(lon, lat, 16)
    return x, y


def render_both(client, zone, far) -> None:
    pixel_at(client, "zoning", X + 20, Y + 20, 16)
    pixel_at(client, "zoning", X + 5020, Y + 5020, 16)


def test_editing_invalidates_a_redis_cache(client, settings, redis_server, zones):
    import redis

    zone, far = zones
    settings.TILE_CACHE_TYPE = "redis"
    settings.TILE_CACHE_OPTIONS = {"host": "127.0.0.1", "port": redis_server}
    service.reset()
    render_both(client, zone, far)
    r = redis.Redis(port=redis_server)
    near_key, far_key = (f"zoning:-16-{x}-{y}" for x, y in (tile_xy(zone), tile_xy(far)))
    assert r.exists(near_key) and r.exists(far_key), sorted(r.keys())[:10]
    cached = {key.decode() for key in r.keys()}

    layer_changed("zoning", zone.geom.extent, srid=9209)

    left = {key.decode() for key in r.keys()}
    # Exactly the zone's tile went: the 200 m zone lies inside one z16 tile, more than the
    # 64-pixel meta buffer from its edges, so its meta-tile siblings and the far zone's
    # tiles all stay.
    assert cached - left == {near_key}
    assert far_key in left


def test_editing_invalidates_an_s3_cache(client, settings, s3_server, zones):
    endpoint, s3 = s3_server
    zone, far = zones
    settings.TILE_CACHE_TYPE = "s3"
    settings.TILE_CACHE_OPTIONS = {"bucket_name": "tiles", "endpoint_url": endpoint}
    service.reset()
    render_both(client, zone, far)

    def keys() -> set[str]:
        return {o["Key"] for o in s3.list_objects_v2(Bucket="tiles").get("Contents", ())}

    near_key, far_key = (f"zoning/16/{x}/{y}.png" for x, y in (tile_xy(zone), tile_xy(far)))
    cached = keys()
    assert {near_key, far_key} <= cached, sorted(cached)[:10]

    layer_changed("zoning", zone.geom.extent, srid=9209)

    left = keys()
    assert cached - left == {near_key}  # as with Redis above
    assert far_key in left


def test_wide_ranges_are_listed_not_named(settings, redis_server):
    """Above NAMED_KEYS_LIMIT tiles in a level the keys are scanned and filtered."""
    import redis

    from tiles import invalidation

    r = redis.Redis(port=redis_server)
    inside = [f"zoning:-12-{x}-{y}" for x in (3250, 3260) for y in (1790, 1800)]
    outside = ["zoning:-12-3000-1795", "zoning:-12-3255-1700", "zoningx:-12-3255-1795"]
    for key in inside + outside:
        r.set(key, b"png")
    old = invalidation.NAMED_KEYS_LIMIT
    invalidation.NAMED_KEYS_LIMIT = 1
    try:
        # z12 tiles 3250..3260 / 1790..1800 in Web Mercator metres (tile size ≈ 9783.94 m).
        size = 2 * invalidation.ORIGIN / 2**12
        extent = (
            3250 * size - invalidation.ORIGIN + 1,
            invalidation.ORIGIN - 1800 * size - size + 1,
            3260 * size - invalidation.ORIGIN + size - 1,
            invalidation.ORIGIN - 1790 * size - 1,
        )
        removed = invalidation.remove_redis_tiles(r, "zoning:", extent)
    finally:
        invalidation.NAMED_KEYS_LIMIT = old
    assert removed == len(inside)
    assert all(r.exists(k) for k in outside)
