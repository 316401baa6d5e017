"""Acceptance (issue 8): GDAL's OAPIF driver lists our collections and reads features from
a live server, the way QGIS does."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is not installed"),
]


@pytest.fixture
def ogc_url(live_server, public_data, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return f"OAPIF:{live_server.url}/ogc"


def _gdal(*args: str) -> str:
    # No proxy between GDAL and the loopback server; GDAL's own caches off.
    env = {"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "*"}
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_every_collection(ogc_url):
    listing = _gdal("ogrinfo", "-ro", "-q", ogc_url)
    for key in ("parcels", "zoning", "permits", "roads", "communes"):
        assert f": {key} " in listing or f": {key}\n" in listing, listing


def test_ogr2ogr_reads_all_parcels_through_the_next_links(ogc_url, tmp_path):
    out = tmp_path / "parcels.geojson"
    # Two features a page: three parcels take two requests joined by a "next" link.
    _gdal("ogr2ogr", "-oo", "PAGE_SIZE=2", "-f", "GeoJSON", str(out), ogc_url, "parcels")
    features = json.loads(out.read_text())["features"]
    assert sorted(f["properties"]["number"] for f in features) == [1, 2, 3]
    assert features[0]["properties"]["commune_code"] == "10540"


def test_ogrinfo_counts_only_public_zones_and_permits(ogc_url):
    zoning = _gdal("ogrinfo", "-ro", "-so", ogc_url, "zoning")
    permits = _gdal("ogrinfo", "-ro", "-so", ogc_url, "permits")
    assert "Feature Count: 1" in zoning and "Feature Count: 1" in permits
