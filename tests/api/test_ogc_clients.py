"""OGC API - Features through OWSLib and pyogrio (GDAL's OAPIF driver in-process), at the
address README gives: ``…/ogc``, without the slash, the way planners type it into QGIS."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from owslib.ogcapi.features import Features

from tests.child import python_json

pytestmark = pytest.mark.django_db(transaction=True)

# pyogrio runs in a child process: in this one GDAL would wait on the live server's thread
# while holding the GIL that thread needs (a deadlock).
PYOGRIO = """
import json, sys
import pyogrio

source = sys.argv[1]
meta, _, _, values = pyogrio.raw.read(source, layer="parcels")
print(json.dumps({
    "layers": [str(name) for name, _ in pyogrio.list_layers(source)],
    "zoning": {k: v for k, v in pyogrio.read_info(source, layer="zoning").items()
               if k in ("features", "crs")},
    "parcels": {f: [v.item() if hasattr(v, "item") else v for v in column]
                for f, column in zip(meta["fields"], values)},
}, ensure_ascii=False))
"""


@pytest.fixture
def ogc_url(live_server, public_data, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return f"{live_server.url}/ogc"


def test_the_landing_page_answers_at_the_address_without_the_slash(ogc_url):
    # QGIS 3.22 does not follow the relative redirect /ogc → /ogc/: its OAPIF layer was
    # invalid. The landing page answers there itself.
    address = urlsplit(ogc_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request("GET", address.path, headers={"Accept": "application/json"})
    response = connection.getresponse()
    assert response.status == 200, response.getheader("Location")
    links = {link["rel"]: link["href"] for link in json.load(response)["links"]}
    assert links["data"] == f"{ogc_url}/collections"
    assert links["conformance"] == f"{ogc_url}/conformance"


def test_owslib_reads_the_collections_and_their_features(ogc_url, public_data):
    api = Features(ogc_url)
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        in (api.conformance()["conformsTo"])
    )
    collections = {c["id"]: c for c in api.collections()["collections"]}
    assert {"parcels", "zoning", "permits", "roads", "communes"} <= set(collections)
    assert collections["parcels"]["title"] == "Thửa đất"
    # The extent is on Hải Dương (lon ≈ 106.3, lat ≈ 20.9): where QGIS zooms to.
    minlon, minlat, maxlon, maxlat = api.collection("parcels")["extent"]["spatial"]["bbox"][0]
    assert 106.2 < minlon < maxlon < 106.5 and 20.8 < minlat < maxlat < 21.1

    page = api.collection_items("parcels", limit=2)
    assert page["numberMatched"] == 3 and page["numberReturned"] == 2
    assert any(link["rel"] == "next" for link in page["links"])
    first = page["features"][0]
    assert first["properties"]["commune_name"] == "Phường Tứ Minh"
    assert "holder_name" not in first["properties"]
    feature = api.collection_item("parcels", str(first["id"]))
    assert feature["properties"] == first["properties"]

    zones = api.collection_items("zoning", limit=10)
    assert [z["properties"]["zone_code"] for z in zones["features"]] == ["A1"]


def test_pyogrio_reads_a_collection_with_its_vietnamese_text(ogc_url, public_data):
    read = python_json(PYOGRIO, f"OAPIF:{ogc_url}")
    assert {"parcels", "zoning", "permits"} <= set(read["layers"])
    assert read["zoning"] == {"features": 1, "crs": "EPSG:4326"}
    assert sorted(read["parcels"]["number"]) == [1, 2, 3]
    assert set(read["parcels"]["commune_name"]) == {"Phường Tứ Minh"}
