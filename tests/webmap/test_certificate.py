"""The planning information certificate: ``/api/planning-report/?…&format=pdf``."""

from __future__ import annotations

import re
import zlib

import pytest

from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tiles import service
from webmap.certificate import RefusedFetch, map_extent, url_fetcher

# Mapnik reads through its own database connections: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)
X, Y = 580_000.0, 2_314_000.0


@pytest.fixture(autouse=True)
def tiles(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    service.reset()
    yield
    service.reset()


@pytest.fixture
def parcel():
    parcel = LandParcelFactory(geom=square(X, Y, size=40), area_m2="1600.0", sheet=12, number=345)
    ZoningAreaFactory(plan=PlanFactory(), zone_code="A1", geom=square(X - 200, Y - 200, 500))
    return parcel


def streams(pdf: bytes) -> list[bytes]:
    """The PDF's content streams, inflated where they are compressed."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def pdf_info_title(inflated: bytes) -> str:
    """The document's title from its information dictionary (beside /Producer)."""
    match = re.search(rb"/Producer \([^)]*\)/Title <feff([0-9a-f]+)>", inflated)
    return bytes.fromhex(match.group(1).decode()).decode("utf-16-be")


def test_format_pdf_downloads_a_pdf_certificate(client, parcel):
    response = client.get("/api/planning-report/", {"parcel": parcel.pk, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="planning-certificate-10540-12-345.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    inflated = b"".join(streams(pdf))
    # Vietnamese text is set in Noto Sans, embedded (a subset) in the file.
    assert b"/FontFamily (Noto Sans)" in inflated and b"/FontFile2" in inflated
    # The document title names the parcel, in Vietnamese (UTF-16 in the PDF).
    # …and its glyphs map back to Vietnamese letters (ToUnicode): ư U+01B0, ứ U+1EE9.
    cmap = inflated.lower()
    assert b"<01b0>" in cmap and b"<1ee9>" in cmap
    title = pdf_info_title(inflated)
    assert "Phường Tứ Minh" in title and "345" in title
    # The map image from our WMS is in it (the QR code is vector).
    assert re.search(rb"/Subtype\s*/Image/Width 1000/Height 600", pdf + inflated)


def test_the_certificate_page_names_the_parcel_links_the_report_and_has_the_map(
    rf, parcel, settings
):
    settings.ALLOWED_HOSTS = ["qh.example.vn"]
    from django.utils import translation

    from planning.report import planning_report
    from webmap.certificate import certificate_html

    request = rf.get("/api/planning-report/", {"parcel": parcel.pk}, HTTP_HOST="qh.example.vn")
    with translation.override("vi"):
        html = certificate_html(report=planning_report(parcel=parcel), request=request)
    assert "Phường Tứ Minh" in html and "345" in html and "1234/QĐ-UBND" in html
    assert f"http://qh.example.vn/report/{parcel.pk}/" in html
    assert 'src="data:image/png;base64,' in html  # the WMS map, inline
    assert 'src="data:image/svg+xml' in html  # the QR code, inline


def test_the_wms_map_shows_the_parcel_outline_and_zoning_colours(parcel):
    import base64
    import io

    from PIL import Image

    from webmap.certificate import OUTLINE, map_data_uri

    uri = map_data_uri(parcel.pk)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")
    colours = set(image.get_flattened_data())
    assert OUTLINE in colours
    # The parcel's ODT fill (#FFA0FF) from the parcels layer, under the outline.
    assert any(r > 240 and 150 < g < 200 and b > 240 for r, g, b in colours)


def test_errors_stay_json_when_a_pdf_is_asked_for(client):
    response = client.get("/api/planning-report/", {"parcel": 999999, "format": "pdf"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    bad = client.get("/api/planning-report/", {"lon": "x", "lat": "1", "format": "pdf"})
    assert bad.status_code == 400 and "detail" in bad.json()


def test_the_json_report_is_unchanged(client, parcel):
    response = client.get("/api/planning-report/", {"parcel": parcel.pk})
    assert response["Content-Type"] == "application/json"
    assert response.json()["parcel"]["number"] == 345


@pytest.mark.parametrize(
    "url", ["http://example.com/x.png", "https://fonts.gstatic.com/a.woff2", "file:///etc/passwd"]
)
def test_the_pdf_url_fetcher_refuses_anything_not_inline(url):
    with pytest.raises(RefusedFetch):
        url_fetcher().fetch(url)


def test_the_url_fetcher_reads_inline_data():
    assert url_fetcher().fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_the_map_extent_keeps_the_image_aspect_and_a_minimum_span():
    minx, miny, maxx, maxy = map_extent((0.0, 0.0, 10.0, 10.0))
    assert (maxx - minx) == pytest.approx(160.0)  # MIN_SPAN_M wins over 2.5 × 10 m
    assert (maxx - minx) / (maxy - miny) == pytest.approx(1000 / 600)
    assert (minx + maxx) / 2 == pytest.approx(5.0) and (miny + maxy) / 2 == pytest.approx(5.0)


def test_a_wms_error_gives_no_map_rather_than_a_broken_image(parcel, monkeypatch):
    from webmap import certificate

    monkeypatch.setattr(certificate, "MAP_LAYERS", ("no_such_layer",))
    assert certificate.map_data_uri(parcel.pk) is None
