"""Opening a vector-tile layer as a whole: TileJSON 3.0.0 at /tiles/mvt/LAYER/tilejson.json
(MapLibre, QGIS) and GDAL's metadata.json beside the tiles (``MVT:http://…/LAYER/17``)."""

from __future__ import annotations

import json
import urllib.request

import mapbox_vector_tile
import pytest

from layers import registry
from tests.child import python_json
from tests.factories import LandParcelFactory, square
from tests.tiles.test_tile_clients import SIZE, X, Y, centre_3857, centre_lonlat, tile_of

pytestmark = pytest.mark.django_db(transaction=True)
PRIVATE = ("holder_name", "certificate_number", "applicant", "holder")


@pytest.fixture
def parcel(db):
    return LandParcelFactory(geom=square(X, Y, size=SIZE))


def fetch_json(url: str) -> tuple[dict, dict]:
    with urllib.request.urlopen(url) as answer:  # noqa: S310 - the test's live server
        return json.load(answer), dict(answer.headers)


def test_tilejson_describes_the_layer_and_its_tiles_answer(live_server, parcel):
    spec = registry.get("parcels")
    document, headers = fetch_json(f"{live_server.url}/tiles/mvt/parcels/tilejson.json")
    assert document["tilejson"] == "3.0.0"
    assert (document["minzoom"], document["maxzoom"]) == (spec.min_zoom, spec.max_zoom)
    (layer,) = document["vector_layers"]
    assert layer["id"] == "parcels"
    assert layer["fields"]["land_use_code"] == "String"
    assert layer["fields"]["area_m2"] == "Number"
    assert not any(word in name for name in layer["fields"] for word in PRIVATE)
    west, south, east, north = document["bounds"]
    lon, lat = centre_lonlat()
    assert west <= lon <= east and south <= lat <= north
    assert headers["Access-Control-Allow-Origin"] == "*"
    # The template is absolute and gives the tile holding the parcel.
    column, row = tile_of(lon, lat, 17)
    (template,) = document["tiles"]
    assert template.startswith(live_server.url)
    url = template.replace("{z}", "17").replace("{x}", str(column)).replace("{y}", str(row))
    with urllib.request.urlopen(url) as answer:  # noqa: S310
        tile = mapbox_vector_tile.decode(answer.read())
    assert tile["parcels"]["features"][0]["properties"]["land_use_code"] == "ODT"
    assert set(tile["parcels"]["features"][0]["properties"]) <= set(layer["fields"])


def test_every_public_field_is_described_with_its_type(client):
    for key in ("parcels", "zoning", "roads", "monitoring_stations", "permits"):
        spec = registry.get(key)
        if not spec.mvt:
            continue
        document = client.get(f"/tiles/mvt/{key}/tilejson.json").json()
        fields = document["vector_layers"][0]["fields"]
        assert len(fields) == len(spec.public_fields), key
        assert set(fields.values()) <= {"Number", "String", "Boolean"}


def test_an_unknown_layer_has_no_tileset(client):
    assert client.get("/tiles/mvt/holders/tilejson.json").status_code == 404
    assert client.get("/tiles/mvt/holders/metadata.json").status_code == 404


# pyogrio in a child process (see test_tile_clients): the zoom level of a tileset, read
# with the schema from metadata.json, only the tiles round the parcel (bbox, EPSG:3857).
READ_TILESET = """
import json, sys
import pyogrio

x, y = float(sys.argv[2]), float(sys.argv[3])
info = pyogrio.read_info(sys.argv[1], layer="parcels")
box = (x - 5, y - 5, x + 5, y + 5)
_meta, table = pyogrio.raw.read_arrow(sys.argv[1], layer="parcels", bbox=box)
codes = sorted(set(table.column("land_use_code").to_pylist()))
print(json.dumps({"fields": list(info["fields"]), "codes": codes},
                 ensure_ascii=False))
"""


def test_gdal_opens_a_zoom_level_of_the_tileset_with_its_schema(live_server, parcel):
    document, _headers = fetch_json(f"{live_server.url}/tiles/mvt/parcels/metadata.json")
    assert document["format"] == "pbf"
    schema = json.loads(document["json"])["vector_layers"][0]
    x, y = centre_3857()
    read = python_json(READ_TILESET, f"MVT:{live_server.url}/tiles/mvt/parcels/17", str(x), str(y))
    assert set(schema["fields"]) <= set(read["fields"])  # GDAL took the schema from metadata
    assert read["codes"] == ["ODT"]
