"""OGC API - Features Part 3 at /ogc/: each collection's queryables (its public properties
as JSON Schema) and those properties as equality filters of its items, which GDAL's OAPIF
driver (QGIS) sends instead of downloading every feature."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.api.test_ogcapi import PARCEL_PROPERTIES

pytestmark = pytest.mark.django_db
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def test_conformance_declares_queryables_and_their_query_parameters(client):
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    part3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
    assert part3 + "queryables" in conforms
    assert part3 + "queryables-query-parameters" in conforms


def test_a_collection_links_its_queryables(client):
    links = client.get("/ogc/collections/parcels").json()["links"]
    (link,) = [link for link in links if link["rel"] == QUERYABLES]
    assert link["href"] == "http://testserver/ogc/collections/parcels/queryables"
    assert link["type"] == "application/schema+json"


def test_the_queryables_are_the_public_properties_with_their_types(client):
    response = client.get("/ogc/collections/parcels/queryables")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema["$id"] == "http://testserver/ogc/collections/parcels/queryables"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    properties = schema["properties"]
    assert set(properties) == PARCEL_PROPERTIES  # never a holder's name or id number
    assert properties["sheet"]["type"] == "integer"
    assert properties["area_m2"]["type"] == "number"
    assert properties["commune_code"]["type"] == "string"
    assert properties["sheet"]["title"]  # the field's name in the asked language


def test_dates_are_typed_as_dates(client):
    properties = client.get("/ogc/collections/permits/queryables").json()["properties"]
    assert properties["issued_on"] == {**properties["issued_on"], "format": "date"}


def test_every_collection_has_queryables(client):
    for collection in client.get("/ogc/collections").json()["collections"]:
        response = client.get(f"/ogc/collections/{collection['id']}/queryables")
        assert response.status_code == 200, collection["id"]


def test_a_property_given_as_a_parameter_filters_the_items(client, public_data):
    body = client.get("/ogc/collections/parcels/items?sheet=12&number=2").json()
    assert body["numberMatched"] == 1
    (feature,) = body["features"]
    assert feature["id"] == public_data["parcels"][1].pk
    # The filter is kept in the paging links.
    (self_link,) = [link for link in body["links"] if link["rel"] == "self"]
    assert "number=2" in self_link["href"] and "sheet=12" in self_link["href"]


def test_filters_combine_with_bbox_and_text_matches_exactly(client, public_data):
    items = "/ogc/collections/parcels/items"
    assert client.get(f"{items}?commune_code=10540").json()["numberMatched"] == 3
    assert client.get(f"{items}?commune_code=1054").json()["numberMatched"] == 0
    assert client.get(f"{items}?number=1&bbox=0,0,1,1").json()["numberMatched"] == 0


def test_a_date_filter(client, public_data):
    items = "/ogc/collections/permits/items"
    assert client.get(f"{items}?issued_on=2026-11-20").json()["numberMatched"] == 1
    assert client.get(f"{items}?issued_on=2026-11-21").json()["numberMatched"] == 0


@pytest.mark.parametrize("query", ["holder__holder_name=Nguyễn Văn An", "holder_name=An", "foo=1"])
def test_an_unknown_parameter_is_a_400_naming_it(client, public_data, query):
    """OGC 17-069r4 /req/core/query-param-unknown: a filter the server would ignore must
    not look applied. A private field is no filter either."""
    response = client.get(f"/ogc/collections/parcels/items?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["detail"]


def test_the_queryables_title_names_the_related_row(client):
    properties = client.get("/ogc/collections/parcels/queryables").json()["properties"]
    assert properties["commune_name"]["title"] != properties["commune_code"]["title"]
    assert "(" in properties["commune_name"]["title"]


@pytest.mark.parametrize(
    "query", ["sheet=twelve", "sheet=1.5", "area_m2=NaN", "area_m2=abc", "sheet=" + "9" * 40]
)
def test_a_value_of_the_wrong_type_is_a_400_naming_the_property(client, query):
    response = client.get(f"/ogc/collections/parcels/items?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["detail"]


def test_a_bad_date_is_a_400(client):
    response = client.get("/ogc/collections/permits/items?issued_on=20-11-2026")
    assert response.status_code == 400


def test_an_unknown_collection_has_no_queryables(client):
    assert client.get("/ogc/collections/owners/queryables").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin is not installed")
def test_gdal_sends_an_attribute_filter_to_the_server(live_server, public_data, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    done = subprocess.run(
        ["ogr2ogr", "--debug", "ON", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{live_server.url}/ogc"]
        + ["parcels", "-where", "number = 2"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "*"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"number": 2' in done.stdout and '"number": 1' not in done.stdout
    # Asked of the server (the debug log has the URL), not filtered after downloading all.
    assert "number=2" in done.stderr, done.stderr[-2000:]


def test_the_api_definition_is_openapi_3_with_each_collections_queryables(client):
    from openapi_spec_validator import validate

    response = client.get("/ogc/api")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    validate(document)
    assert document["servers"] == [{"url": "http://testserver/ogc"}]
    limit = document["components"]["parameters"]["limit"]
    assert limit["schema"]["maximum"] == 10_000  # QGIS pages by this much

    def parameters(path: str) -> dict[str, dict]:
        listed = document["paths"][path]["get"]["parameters"]
        resolved = [limit if "$ref" in p else p for p in listed]
        return {p["name"]: p for p in resolved}

    items = parameters("/collections/parcels/items")
    assert PARCEL_PROPERTIES | {"bbox", "limit", "offset"} <= set(items)
    assert not any("holder" in name or "id_number" in name for name in items)
    # Described as OGC 17-069 does: QGIS 3.32+ only sends filters on such parameters.
    assert items["sheet"]["style"] == "form" and items["sheet"]["explode"] is False
    assert items["sheet"]["schema"]["type"] == "integer"
    # The generic path: a parcel's number is an integer, a permit's text.
    generic = parameters("/collections/{collectionId}/items")
    assert generic["number"]["schema"]["type"] == "string"
    assert parameters("/collections/permits/items")["number"]["schema"]["type"] == "string"


def test_the_landing_page_points_to_the_ogc_api_definition(client):
    links = client.get("/ogc/").json()["links"]
    (desc,) = [link for link in links if link["rel"] == "service-desc"]
    assert desc["href"] == "http://testserver/ogc/api"
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
