"""WMS GetFeatureInfo (QGIS's identify on the WMS): our layers answer with the public
fields of the features under the click, in text, HTML, XML or GeoJSON; the base map is not
queryable, and asking it anyway is a client error with an OGC exception, never a 500."""

from __future__ import annotations

import json

import pytest
from owslib.wms import WebMapService

from gis.crs import WEB_MERCATOR, from_wgs84, to_wgs84
from layers.models import ParcelHolder
from tests.factories import ORIGIN_X, ORIGIN_Y, LandParcelFactory, square
from tests.tiles.test_mvt import PARCEL_PROPERTIES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache")]
SIZE = 40  # the parcel's side, metres


@pytest.fixture
def parcel():
    parcel = LandParcelFactory(sheet=7, number=321, geom=square(ORIGIN_X, ORIGIN_Y, SIZE))
    ParcelHolder.objects.create(parcel=parcel, holder_name="Trần Thị Bình", id_number="0301")
    return parcel


def get_feature_info(client, layer: str, info_format: str, *, version="1.3.0", dx=0.0):
    """GetFeatureInfo at the centre of a 256-pixel map of 200 m around the parcel's centre
    (``dx`` metres east of it)."""
    cx, cy = from_wgs84(
        *to_wgs84(ORIGIN_X + SIZE / 2 + dx, ORIGIN_Y + SIZE / 2, 9209), WEB_MERCATOR
    )
    bbox = f"{cx - 100},{cy - 100},{cx + 100},{cy + 100}"
    crs = "SRS=EPSG:3857" if version == "1.1.1" else "CRS=EPSG:3857"
    xy = "X=128&Y=128" if version == "1.1.1" else "I=128&J=128"
    response = client.get(
        f"/tiles/service?SERVICE=WMS&VERSION={version}&REQUEST=GetFeatureInfo&LAYERS={layer}"
        f"&QUERY_LAYERS={layer}&STYLES=&{crs}&BBOX={bbox}&WIDTH=256&HEIGHT=256&{xy}"
        f"&INFO_FORMAT={info_format}&FORMAT=image/png&FEATURE_COUNT=5"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode()


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_a_click_on_a_parcel_gives_its_public_fields_as_text(client, parcel, version):
    status, body = get_feature_info(client, "parcels", "text/plain", version=version)
    assert status == 200, body
    assert "number = 321" in body and "sheet = 7" in body
    assert f"#{parcel.pk}" in body
    assert "Trần Thị Bình" not in body and "0301" not in body  # the holder is private


def test_geojson_has_the_feature_with_exactly_the_public_properties(client, parcel):
    status, body = get_feature_info(client, "parcels", "application/json")
    assert status == 200
    (feature,) = json.loads(body)["features"]
    assert feature["id"] == parcel.pk
    assert feature["properties"]["number"] == 321
    assert set(feature["properties"]) == PARCEL_PROPERTIES


def test_html_is_escaped_and_xml_is_well_formed(client, parcel):
    parcel.address = "Số 5 <b>ngõ</b> & phố"
    parcel.save()
    _status, html = get_feature_info(client, "parcels", "text/html")
    assert "&lt;b&gt;ngõ&lt;/b&gt; &amp; phố" in html and "<b>" not in html
    _status, xml = get_feature_info(client, "parcels", "text/xml")
    assert "<number>321</number>" in xml


def test_a_click_away_from_every_parcel_finds_nothing(client, parcel):
    status, body = get_feature_info(client, "parcels", "application/json", dx=80)
    assert status == 200
    assert json.loads(body or "{}").get("features", []) == []


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_the_base_map_is_not_queryable_a_400_service_exception(client, version):
    status, body = get_feature_info(client, "basemap", "text/plain", version=version)
    assert status == 400, body[:300]
    assert "ServiceException" in body and "not queryable" in body


@pytest.mark.django_db(transaction=True)
def test_owslib_sees_our_layers_as_queryable_and_identifies(live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    LandParcelFactory(sheet=7, number=321, geom=square(ORIGIN_X, ORIGIN_Y, SIZE))
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.1.1")
    assert wms["parcels"].queryable == 1
    assert wms["basemap"].queryable == 0
    cx, cy = from_wgs84(*to_wgs84(ORIGIN_X + SIZE / 2, ORIGIN_Y + SIZE / 2, 9209), WEB_MERCATOR)
    answer = wms.getfeatureinfo(
        layers=["parcels"],
        query_layers=["parcels"],
        srs="EPSG:3857",
        bbox=(cx - 100, cy - 100, cx + 100, cy + 100),
        size=(256, 256),
        xy=(128, 128),
        format="image/png",
        info_format="application/json",
    )
    (feature,) = json.loads(answer.read())["features"]
    assert feature["properties"]["number"] == 321
