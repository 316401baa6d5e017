"""OGC API - Features, Part 1 Core at /ogc/: landing page, conformance, collections, items
(bbox, limit, offset, next links), one item; public rows and fields only, CRS84."""

from __future__ import annotations

import pytest

from gis.crs import to_wgs84
from layers import registry
from tests.api.conftest import X, Y

pytestmark = pytest.mark.django_db
PARCEL_PROPERTIES = {
    "commune_code",
    "commune_name",
    "sheet",
    "number",
    "area_m2",
    "land_use_codes",
    "land_use_code",
    "address",
}


def _rel(body, rel):
    return [link for link in body["links"] if link["rel"] == rel]


def test_landing_page_links_the_definition_conformance_and_collections(client):
    body = client.get("/ogc/").json()
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["self"] == "http://testserver/ogc/"
    assert rels["conformance"] == "http://testserver/ogc/conformance"
    assert rels["data"] == "http://testserver/ogc/collections"
    assert rels["service-desc"] == "http://testserver/ogc/api"


def test_conformance_declares_core_and_geojson(client):
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_every_registry_layer_is_a_collection(client):
    body = client.get("/ogc/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids == [spec.key for spec in registry.all_layers()]
    assert {"parcels", "zoning", "permits"} <= set(ids)


def test_a_collection_gives_its_items_link_and_crs84_extent(client, public_data):
    body = client.get("/ogc/collections/parcels").json()
    (items,) = _rel(body, "items")
    assert items["href"] == "http://testserver/ogc/collections/parcels/items"
    assert items["type"] == "application/geo+json"
    # Parcels cover x 580000..580050, y 2314000..2314010 (VN-2000 / TM-3 105-30); grid
    # north is not true north, so each bound comes from whichever corner reaches furthest.
    corners = [to_wgs84(x, y, 9209) for x in (X, X + 50) for y in (Y, Y + 10)]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    expected = [min(lons), min(lats), max(lons), max(lats)]
    assert body["extent"]["spatial"]["bbox"][0] == pytest.approx(expected, abs=1e-7)


def test_items_are_geojson_in_crs84_with_public_fields_only(client, public_data):
    response = client.get("/ogc/collections/parcels/items")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (3, 3)
    first = body["features"][0]
    assert first["id"] == public_data["parcels"][0].pk
    assert set(first["properties"]) == PARCEL_PROPERTIES
    assert first["properties"]["area_m2"] == 100.0
    # DOMAIN.md's reference point: (580 000, 2 314 000) → 106.27097221327, 20.91738443124.
    assert first["geometry"]["coordinates"][0][0][0] == pytest.approx(
        [106.27097221327, 20.91738443124], abs=1e-8
    )
    text = response.content.decode()
    assert "Nguyễn Văn An" not in text and "030201001234" not in text


def test_drafts_and_unissued_permits_are_not_items(client, public_data):
    zoning = client.get("/ogc/collections/zoning/items").json()
    assert [f["properties"]["zone_code"] for f in zoning["features"]] == ["A1"]
    permits = client.get("/ogc/collections/permits/items").json()
    assert [f["properties"]["number"] for f in permits["features"]] == ["GP-01/2026"]
    hidden = public_data["pending_permit"].pk
    assert client.get(f"/ogc/collections/permits/items/{hidden}").status_code == 404


def test_limit_and_next_links_page_through_the_items(client, public_data):
    first = client.get("/ogc/collections/parcels/items", {"limit": 2}).json()
    assert (first["numberMatched"], first["numberReturned"]) == (3, 2)
    (next_link,) = _rel(first, "next")
    assert next_link["href"] == "http://testserver/ogc/collections/parcels/items?limit=2&offset=2"
    second = client.get(next_link["href"]).json()
    assert second["numberReturned"] == 1 and not _rel(second, "next")
    assert _rel(second, "prev")[0]["href"].endswith("/items?limit=2")
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert ids == [p.pk for p in public_data["parcels"]]


def test_bbox_selects_the_features_it_meets(client, public_data):
    # The middle parcel spans x 580020..580030: a box around its centre meets it alone.
    lon, lat = to_wgs84(X + 25, Y + 5, 9209)
    bbox = f"{lon - 1e-5},{lat - 1e-5},{lon + 1e-5},{lat + 1e-5}"
    body = client.get("/ogc/collections/parcels/items", {"bbox": bbox}).json()
    assert [f["id"] for f in body["features"]] == [public_data["parcels"][1].pk]
    assert body["numberMatched"] == 1


def test_a_world_bbox_meets_everything(client, public_data):
    body = client.get("/ogc/collections/parcels/items", {"bbox": "-180,-90,180,90"}).json()
    assert body["numberMatched"] == 3


def test_one_item_by_id(client, public_data):
    parcel = public_data["parcels"][2]
    response = client.get(f"/ogc/collections/parcels/items/{parcel.pk}")
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["id"] == parcel.pk and feature["type"] == "Feature"
    assert _rel(feature, "self")[0]["href"].endswith(f"/items/{parcel.pk}")


def test_f_json_serves_the_same_features_as_plain_json(client, public_data):
    response = client.get("/ogc/collections/parcels/items", {"f": "json"})
    assert response["Content-Type"] == "application/json"
    assert response.json()["numberReturned"] == 3


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/ogc/collections/nothing", 404),
        ("/ogc/collections/nothing/items", 404),
        ("/ogc/collections/parcels/items/abc", 404),
        ("/ogc/collections/parcels/items?bbox=1,2,3", 400),
        ("/ogc/collections/parcels/items?bbox=10,10,5,5", 400),
        ("/ogc/collections/parcels/items?bbox=a,b,c,d", 400),
        ("/ogc/collections/parcels/items?limit=0", 400),
        ("/ogc/collections/parcels/items?offset=-1", 400),
        ("/ogc/collections/parcels/items?f=xml", 400),
    ],
)
def test_bad_requests_get_json_errors(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


def test_an_offset_past_the_end_returns_no_features_and_no_next_link(client, public_data):
    body = client.get("/ogc/collections/parcels/items", {"offset": 5}).json()
    assert (body["numberMatched"], body["numberReturned"]) == (3, 0)
    assert body["features"] == [] and not _rel(body, "next")


def test_web_maps_on_other_sites_may_read_the_collections(client, public_data):
    for path in ("/ogc/", "/ogc/collections", "/ogc/collections/parcels/items?limit=1"):
        response = client.get(path, HTTP_ORIGIN="https://example.org")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
