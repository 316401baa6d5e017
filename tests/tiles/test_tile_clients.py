"""The tile services through the standard clients QGIS users also reach for, on a live server:
GDAL's WMS driver (WMS GetMap, the TMS TileMap, the XYZ templates of /api/layers/), OWSLib's
WMTS from the KVP capabilities and WMS 1.3.0 in EPSG:4326, GDAL's MVT driver (pyogrio) on
a vector tile; and bad WMTS requests, the address the RESTful capabilities advertise among
them, answer 4xx, never 500."""

from __future__ import annotations

import io
import json
import math
import shutil
import subprocess
import urllib.error
import urllib.request
from xml.sax.saxutils import escape

import pytest
import shapely
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService
from PIL import Image

from gis.crs import WEB_MERCATOR, from_wgs84, to_wgs84
from tests.child import python_json
from tests.factories import LandParcelFactory, square

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tile_cache")]
X, Y = 580_000.0, 2_314_000.0  # VN-2000 / TM-3; the test parcel is 40 m square from here
SIZE = 40
ODT = (0xFF, 0xA0, 0xFF)  # the parcel's land-use fill
WORLD = 20037508.342789244
needs_gdal = pytest.mark.skipif(shutil.which("gdal_translate") is None, reason="no gdal-bin")


@pytest.fixture
def parcel(db):
    return LandParcelFactory(geom=square(X, Y, size=SIZE))


def centre_lonlat() -> tuple[float, float]:
    return to_wgs84(X + SIZE / 2, Y + SIZE / 2, 9209)


def centre_3857() -> tuple[float, float]:
    return from_wgs84(*centre_lonlat(), WEB_MERCATOR)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Slippy-map tile (rows from the north) holding lon/lat."""
    n = 2**z
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(fy)


def _gdal(*args: str) -> str:
    # No proxy between GDAL and the loopback server.
    env = {"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "*"}
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def gdal_window(source: str, tmp_path) -> Image.Image:
    """80 × 80 pixels of 1 m around the parcel, through gdal_translate, as RGBA."""
    cx, cy = centre_3857()
    out = tmp_path / "window.png"
    window = [str(v) for v in (cx - 40, cy + 40, cx + 40, cy - 40)]
    _gdal("gdal_translate", "-q", "-projwin", *window, "-outsize", "80", "80", source, str(out))
    return Image.open(out).convert("RGBA")


def assert_parcel_drawn(image: Image.Image, *, opaque: bool = False) -> None:
    centre = image.getpixel((image.width // 2, image.height // 2))
    outside = image.getpixel((2, 2))  # 38 m from the centre
    assert centre[:3] == ODT, centre
    if opaque:  # three bands: the alpha is dropped, transparent pixels are black
        assert outside == (0, 0, 0, 255), outside
    else:
        assert outside[3] == 0 and centre[3] > 150, (outside, centre)


def catalogue_template(live_server, key: str) -> str:
    with urllib.request.urlopen(f"{live_server.url}/api/layers/", timeout=30) as response:
        layers = {row["key"]: row for row in json.load(response)["layers"]}
    return live_server.url + layers["parcels"]["tiles"][key]


@needs_gdal
@pytest.mark.parametrize(("key", "y_origin"), [("wmts", "top"), ("tms", "bottom")])
def test_gdal_reads_the_xyz_templates_of_the_catalogue(
    live_server, parcel, tmp_path, key, y_origin
):
    # What Leaflet and QGIS's XYZ layers do with the templates: {z} is the web-map zoom,
    # {-y} the row counted from the south. GDAL's TMS minidriver reads ${y} the same way.
    template = catalogue_template(live_server, key)
    url = template.replace("{z}", "${z}").replace("{x}", "${x}")
    url = url.replace("{-y}" if y_origin == "bottom" else "{y}", "${y}")
    xml = tmp_path / "xyz.xml"
    xml.write_text(
        f"<GDAL_WMS><Service name='TMS'><ServerUrl>{escape(url)}</ServerUrl></Service>"
        f"<DataWindow><UpperLeftX>{-WORLD}</UpperLeftX><UpperLeftY>{WORLD}</UpperLeftY>"
        f"<LowerRightX>{WORLD}</LowerRightX><LowerRightY>{-WORLD}</LowerRightY>"
        f"<TileLevel>20</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY>"
        f"<YOrigin>{y_origin}</YOrigin></DataWindow><Projection>EPSG:3857</Projection>"
        "<BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY><BandsCount>4</BandsCount>"
        "</GDAL_WMS>",
        encoding="utf-8",
    )
    assert_parcel_drawn(gdal_window(str(xml), tmp_path))


@needs_gdal
def test_gdal_reads_the_tms_tile_map(live_server, parcel, tmp_path):
    # The TileMap document's levels (global-mercator: level 0 is 2 × 2 tiles) placed right.
    # GDAL reads it as three bands (RGB).
    image = gdal_window(f"{live_server.url}/tiles/tms/1.0.0/parcels/webmercator", tmp_path)
    assert_parcel_drawn(image, opaque=True)


@needs_gdal
def test_gdal_reads_the_wms(live_server, parcel, tmp_path):
    source = (
        f"WMS:{live_server.url}/tiles/service?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap"
        f"&LAYERS=parcels&CRS=EPSG:3857&BBOX={-WORLD},{-WORLD},{WORLD},{WORLD}&TRANSPARENT=TRUE"
    )
    assert_parcel_drawn(gdal_window(source, tmp_path))


def test_owslib_renders_a_wms_130_getmap_in_epsg_4326(live_server, parcel):
    # WMS 1.3.0 EPSG:4326 is lat/lon: OWSLib swaps the lon/lat box it is given.
    lon, lat = centre_lonlat()
    half = 0.0004  # ≈ 43 m of latitude
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.3.0")
    response = wms.getmap(
        layers=["parcels"],
        srs="EPSG:4326",
        bbox=(lon - half, lat - half, lon + half, lat + half),
        size=(80, 80),
        format="image/png",
        transparent=True,
    )
    assert_parcel_drawn(Image.open(io.BytesIO(response.read())).convert("RGBA"))


def test_owslib_fetches_a_tile_through_the_wmts_kvp_capabilities(live_server, parcel):
    url = f"{live_server.url}/tiles/service?SERVICE=WMTS&REQUEST=GetCapabilities"
    wmts = WebMapTileService(url)
    assert "parcels" in wmts.contents
    column, row = tile_of(*centre_lonlat(), 18)
    tile = wmts.gettile(
        layer="parcels",
        tilematrixset="webmercator",
        tilematrix="18",
        row=row,
        column=column,
        format="image/png",
    )
    assert "SERVICE=WMTS" in tile.geturl()  # KVP, not the RESTful template
    image = Image.open(io.BytesIO(tile.read())).convert("RGBA")
    assert image.size == (256, 256)
    assert any(p[:3] == ODT and p[3] > 150 for p in image.get_flattened_data())


def test_the_restful_capabilities_operations_address_is_not_a_500(live_server):
    # MapProxy writes …/tiles/wmts? as the address of every operation; a client that
    # follows it gets a 404 (no such resource), not "internal error".
    wmts = WebMapTileService(f"{live_server.url}/tiles/wmts/1.0.0/WMTSCapabilities.xml")
    [method] = wmts.getOperationByName("GetCapabilities").methods
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(method["url"] + "SERVICE=WMTS&REQUEST=GetCapabilities", timeout=30)
    assert error.value.code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/wmts",
        "/tiles/wmts/",
        "/tiles/wmts/parcels/webmercator/16/abc/1.png",
        "/tiles/service?SERVICE=WMTS&REQUEST=GetTile&LAYER=parcels",
        "/tiles/service?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetTile&LAYER=parcels&STYLE=default"
        "&TILEMATRIXSET=webmercator&TILEMATRIX=16&TILEROW=x&TILECOL=1&FORMAT=image/png",
        "/tiles/service?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetFeatureInfo&LAYER=parcels"
        "&STYLE=default&TILEMATRIXSET=webmercator&TILEMATRIX=16&TILEROW=1&TILECOL=1"
        "&FORMAT=image/png&INFOFORMAT=text/plain&I=a&J=1",
    ],
)
def test_bad_wmts_requests_are_client_errors(client, path):
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert 400 <= response.status_code < 500, (response.status_code, body[:300])
    assert b"internal error" not in body


# pyogrio in a child process: in this one GDAL would wait on the live server's thread while
# holding the GIL that thread needs.
READ_MVT = """
import json, sys
import pyogrio, shapely

meta, _, geometry, values = pyogrio.raw.read(sys.argv[1], layer="parcels")
print(json.dumps({
    "crs": meta["crs"],
    "properties": {f: str(column[0]) for f, column in zip(meta["fields"], values)},
    "wkt": shapely.from_wkb(geometry[0]).wkt,
}, ensure_ascii=False))
"""


def test_gdal_mvt_driver_reads_a_vector_tile(live_server, parcel):
    column, row = tile_of(*centre_lonlat(), 17)
    url = f"MVT:{live_server.url}/tiles/mvt/parcels/17/{column}/{row}.pbf"
    read = python_json(READ_MVT, url)
    assert read["crs"] == "EPSG:3857"
    assert read["properties"]["commune_name"] == "Phường Tứ Minh"
    assert read["properties"]["land_use_code"] == "ODT"
    # Georeferenced from z/x/y in the URL: the feature is where the parcel is.
    assert shapely.from_wkt(read["wkt"]).contains(shapely.Point(*centre_3857()))
