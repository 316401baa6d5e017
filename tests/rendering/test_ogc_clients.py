"""Standard OGC clients against the live server: OWSLib (WMTS, WMS) and GDAL's WMTS driver."""

from __future__ import annotations

import io
import subprocess
import urllib.request
from xml.etree import ElementTree

import pytest
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService
from PIL import Image

from tests.factories import LandParcelFactory, square

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tile_cache")]
X, Y = 580_000.0, 2_314_000.0


def test_owslib_reads_the_wmts_capabilities_and_fetches_a_tile(live_server):
    LandParcelFactory(geom=square(X, Y, size=40))
    wmts = WebMapTileService(f"{live_server.url}/tiles/wmts/1.0.0/WMTSCapabilities.xml")
    assert {"parcels", "zoning", "basemap"} <= set(wmts.contents)
    assert "webmercator" in wmts.tilematrixsets
    tile = wmts.gettile(
        layer="parcels",
        tilematrixset="webmercator",
        tilematrix="18",
        row=115_490,
        column=208_456,
        format="image/png",
    )
    image = Image.open(io.BytesIO(tile.read())).convert("RGBA")
    assert image.size == (256, 256)
    # The parcel (ODT, #FFA0FF) is in this tile.
    assert any(p[:3] == (0xFF, 0xA0, 0xFF) and p[3] > 150 for p in image.getdata())


def test_owslib_renders_a_wms_getmap_in_vn2000(live_server):
    LandParcelFactory(geom=square(X, Y, size=40))
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.1.1")
    assert "parcels" in wms.contents
    response = wms.getmap(
        layers=["parcels"],
        srs="EPSG:9209",
        bbox=(X - 20, Y - 20, X + 60, Y + 60),
        size=(80, 80),
        format="image/png",
        transparent=True,
    )
    image = Image.open(io.BytesIO(response.read())).convert("RGBA")
    assert image.getpixel((30, 50))[:3] == (0xFF, 0xA0, 0xFF)


def test_gdal_opens_the_wmts(live_server):
    result = subprocess.run(
        ["gdalinfo", f"WMTS:{live_server.url}/tiles/wmts/1.0.0/WMTSCapabilities.xml,layer=parcels"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Driver: WMTS" in result.stdout
    assert "3857" in result.stdout


def test_the_capabilities_give_the_province_as_the_layers_extent(live_server, settings):
    """Not the whole world: QGIS's "zoom to layer" goes to the province."""
    west, south, east, north = settings.PROVINCE_BBOX
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.3.0")
    wmts = WebMapTileService(f"{live_server.url}/tiles/wmts/1.0.0/WMTSCapabilities.xml")
    for layer in ("parcels", "zoning", "basemap"):
        assert wms[layer].boundingBoxWGS84 == pytest.approx((west, south, east, north)), layer
        assert wmts[layer].boundingBoxWGS84 == pytest.approx((west, south, east, north)), layer


def test_outside_the_province_nothing_is_rendered(live_server, settings):
    west, south, east, north = settings.PROVINCE_BBOX
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.3.0")
    response = wms.getmap(
        layers=["basemap"],  # opaque inside the province
        srs="EPSG:4326",
        bbox=(south - 2, east + 1, south - 1, east + 2),  # 1.3.0 in EPSG:4326: lat, lon
        size=(64, 64),
        format="image/png",
        transparent=True,
    )
    image = Image.open(io.BytesIO(response.read())).convert("RGBA")
    assert all(pixel[3] == 0 for pixel in image.getdata())


def test_the_tms_tile_map_keeps_the_grids_origin(live_server):
    """TMS clients count tiles from <Origin>: the grid's corner, not the province's."""
    url = f"{live_server.url}/tiles/tms/1.0.0/parcels/webmercator"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        tile_map = ElementTree.fromstring(response.read())
    world = 20037508.342789244
    origin = tile_map.find("Origin").attrib
    assert (float(origin["x"]), float(origin["y"])) == pytest.approx((-world, -world))
    box = tile_map.find("BoundingBox").attrib
    assert float(box["maxx"]) == pytest.approx(world)
