"""``/export/map.html``: the current view as a standalone folium map over our own tiles."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db
PARAMS = {"lat": "20.9405", "lon": "106.3145", "zoom": "16", "layers": "zoning,parcels"}


def test_the_export_is_a_download_of_a_leaflet_map_over_our_tiles(client):
    response = client.get("/export/map.html", PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="quyhoach-20.94050-106.31450-z16.html"'
    )
    html = response.content.decode()
    assert "http://testserver/tiles/wmts/basemap/webmercator/{z}/{x}/{y}.png" in html
    assert "http://testserver/tiles/wmts/zoning/webmercator/{z}/{x}/{y}.png" in html
    assert "http://testserver/tiles/wmts/parcels/webmercator/{z}/{x}/{y}.png" in html
    assert "roads/webmercator" not in html  # not asked for
    assert re.search(r"\[20\.9405, 106\.3145\]", html) and '"zoom": 16' in html


def test_the_export_loads_scripts_and_styles_from_this_host_only(client):
    html = client.get("/export/map.html", PARAMS).content.decode()
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "http://testserver/static/vendor/leaflet/leaflet.js" in loaded
    assert "http://testserver/static/vendor/leaflet/leaflet.css" in loaded
    assert all(url.startswith("http://testserver/") for url in loaded), loaded
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": "x", "lon": "106", "zoom": "16"},
        {"lat": "95", "lon": "106", "zoom": "16"},
        {"lat": "20.9", "lon": "106.3", "zoom": "16", "layers": "owners"},
    ],
)
def test_a_bad_view_gets_400_json(client, params):
    response = client.get("/export/map.html", params)
    assert response.status_code == 400 and "detail" in response.json()
