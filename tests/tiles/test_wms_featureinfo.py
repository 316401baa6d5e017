"""WMS GetFeatureInfo: our layers are not queryable (identify is /api/identify/, with public
fields only), and asking anyway is a client error with an OGC exception, never a 500."""

from __future__ import annotations

import pytest

from tiles import service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tile_cache(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    service.reset()
    yield
    service.reset()


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_getfeatureinfo_on_a_layer_is_a_400_service_exception(client, version):
    crs = "SRS=EPSG:3857" if version == "1.1.1" else "CRS=EPSG:3857"
    xy = "X=10&Y=10" if version == "1.1.1" else "I=10&J=10"
    response = client.get(
        f"/tiles/service?SERVICE=WMS&VERSION={version}&REQUEST=GetFeatureInfo&LAYERS=parcels"
        f"&QUERY_LAYERS=parcels&STYLES=&{crs}&BBOX=11700000,2400000,11710000,2410000"
        f"&WIDTH=256&HEIGHT=256&{xy}&INFO_FORMAT=text/plain&FORMAT=image/png"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 400, (response.status_code, body[:300])
    assert b"ServiceException" in body and b"not queryable" in body
