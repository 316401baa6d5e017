"""WMS legends: LegendURL in the capabilities and GetLegendGraphic, drawn from the same
legend entries as the web map (land-use colours, Vietnamese labels)."""

from __future__ import annotations

import io

import pytest
from owslib.wms import WebMapService
from PIL import Image

from layers import registry
from layers.catalogue import legend
from layers.models import LandUseType
from tiles.legends import PADDING, ROW, SWATCH, legend_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache")]


def swatch_colour(png: bytes, row: int) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    top = PADDING + row * ROW + (ROW - SWATCH[1]) // 2 - 2
    return image.getpixel((PADDING + SWATCH[0] // 2, top + SWATCH[1] // 2))


def test_the_parcel_legend_has_a_swatch_per_land_use_in_its_colour():
    spec = registry.get("parcels")
    entries = legend(spec, language="vi")
    png = legend_png(spec)
    image = Image.open(io.BytesIO(png))
    assert image.height == len(entries) * ROW + PADDING
    odt = next(i for i, entry in enumerate(entries) if entry["code"] == "ODT")
    assert swatch_colour(png, odt) == (0xFF, 0xA0, 0xFF)
    # The label is drawn: dark pixels right of the swatch on that row.
    text = image.convert("L").crop(
        (PADDING + SWATCH[0] + 6, PADDING + odt * ROW, 200, PADDING + (odt + 1) * ROW)
    )
    assert text.getextrema()[0] < 100


def test_get_legend_graphic_serves_it(client):
    response = client.get(
        "/tiles/service?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=parcels"
        "&FORMAT=image/png&SLD_VERSION=1.1.0"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:300]
    assert Image.open(io.BytesIO(body)).height > 10 * ROW  # a row per land use


def test_a_changed_land_use_colour_reaches_the_legend(client):
    LandUseType.objects.filter(code="ODT").update(color="#123456")
    spec = registry.get("parcels")
    entries = legend(spec, language="vi")
    odt = next(i for i, entry in enumerate(entries) if entry["code"] == "ODT")
    assert swatch_colour(legend_png(spec), odt) == (0x12, 0x34, 0x56)


@pytest.mark.django_db(transaction=True)
def test_owslib_finds_the_legend_url_of_our_layers(live_server):
    wms = WebMapService(f"{live_server.url}/tiles/service", version="1.3.0")
    for key in ("parcels", "zoning"):
        styles = wms[key].styles
        assert any("legend" in style for style in styles.values()), (key, styles)
