"""The tile cache folder deleted under traffic: tiles re-render, no request fails."""

from __future__ import annotations

import io
import math
import shutil
import threading
import time
import urllib.error
import urllib.request

import pytest
from PIL import Image

from gis.crs import to_wgs84
from tests.factories import LandParcelFactory, square

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tile_cache")]
X, Y = 580_000.0, 2_314_000.0


def tiles_around(lon: float, lat: float, zoom: int) -> list[tuple[int, int, int]]:
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return [(zoom, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - live server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_deleting_the_tile_cache_under_traffic_re_renders_tiles(live_server, tile_cache):
    LandParcelFactory(geom=square(X, Y, size=40))
    lon, lat = to_wgs84(X + 20, Y + 20, 9209)
    urls = [
        f"{live_server.url}/tiles/wmts/parcels/webmercator/{z}/{x}/{y}.png"
        for zoom in (16, 17)
        for z, x, y in tiles_around(lon, lat, zoom)
    ]
    assert get(urls[4])[0] == 200
    assert tile_cache.exists()
    results: list[tuple[int, bytes]] = []
    stop = threading.Event()

    def browse(offset: int) -> None:
        i = offset
        while not stop.is_set():
            results.append(get(urls[i % len(urls)]))
            i += 1

    def delete() -> None:
        while not stop.is_set():
            shutil.rmtree(tile_cache, ignore_errors=True)
            time.sleep(0.2)

    threads = [threading.Thread(target=browse, args=(i * 5,)) for i in range(3)]
    threads.append(threading.Thread(target=delete))
    for thread in threads:
        thread.start()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    statuses = [status for status, _ in results]
    assert len(statuses) >= 10
    assert set(statuses) == {200}, [s for s in statuses if s != 200]
    for _, body in results:
        Image.open(io.BytesIO(body)).verify()  # every answer a whole PNG
    # After the storm the cache fills again.
    status, body = get(urls[4])
    assert status == 200
    assert any(tile_cache.rglob("*.png"))
