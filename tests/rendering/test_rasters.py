"""import_raster: a GeoTIFF in VN-2000 becomes a tiled Web Mercator layer served by MapProxy."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import rasterio
from django.core.management import call_command
from PIL import Image
from rasterio.transform import from_origin

from gis.crs import to_wgs84
from tiles import service
from tiles.models import RasterLayer

pytestmark = pytest.mark.django_db(transaction=True)
X, Y = 580_000.0, 2_314_000.0


@pytest.fixture(autouse=True)
def dirs(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    settings.RASTER_DIR = tmp_path / "rasters"
    service.reset()
    yield
    service.reset()


def orthophoto(path, colour=(200, 30, 40)):
    """A 400 × 400 m RGB image at 1 m in VN-2000 / TM-3 105-30, one colour."""
    data = np.stack([np.full((400, 400), c, dtype="uint8") for c in colour])
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=400,
        height=400,
        count=3,
        dtype="uint8",
        crs="EPSG:9209",
        transform=from_origin(X, Y + 400, 1, 1),
    ) as out:
        out.write(data)
    return path


def test_an_orthophoto_is_tiled_with_overviews_and_served(client, tmp_path):
    call_command("import_raster", str(orthophoto(tmp_path / "anh.tif")), "--name", "anh_2024")
    layer = RasterLayer.objects.get(name="anh_2024")
    with rasterio.open(layer.path) as tiled:
        assert tiled.crs.to_epsg() == 3857
        assert tiled.profile["tiled"] and tiled.overviews(1)
    lon, lat = to_wgs84(X + 200, Y + 200, 9209)
    n = 2**17
    tx = int((lon + 180) / 360 * n)
    ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    response = client.get(f"/tiles/wmts/raster_anh_2024/webmercator/17/{tx}/{ty}.png")
    assert response.status_code == 200
    png = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = {p for p in image.getdata()}
    assert (200, 30, 40) in colours


def test_a_raster_without_georeferencing_is_refused(tmp_path):
    path = tmp_path / "scan.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8"
    ) as out:
        out.write(np.zeros((1, 10, 10), dtype="uint8"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no coordinate system"):
        call_command("import_raster", str(path))
