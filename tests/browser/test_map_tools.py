"""Map tools in headless Chromium: full screen, locate me, measuring (geodesic, keyboard),
print, the PDF certificate from the report panel, station limits and chart, export; with
no console errors, no request leaving 127.0.0.1, and axe-core clean."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from gis.crs import to_wgs84
from layers.models import MonitoringReading, MonitoringStation
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tiles import service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
X, Y = 580_000.0, 2_314_000.0
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Hand-computed: 0.001° of latitude at 20.941° N is the meridian radius of curvature
# M = a(1 − e²)/(1 − e² sin²φ)^1.5 = 6 344 193 m (WGS 84) times 0.001 π/180 = 110.716 m.
LAT0, LON0, DLAT = 20.9405, 106.3145, 0.001
MERIDIAN_ARC_M = 110.716


@pytest.fixture(autouse=True)
def tiles(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    service.reset()
    yield
    service.reset()


@pytest.fixture
def demo_parcel():
    parcel = LandParcelFactory(geom=square(X, Y, size=40), area_m2="1600.0", sheet=12, number=345)
    ZoningAreaFactory(plan=PlanFactory(), zone_code="A1", geom=square(X - 200, Y - 200, 500))
    return parcel


def open_map(page, live_server, lat=LAT0, lon=LON0, zoom=18):
    page.goto(f"{live_server.url}/")
    page.wait_for_function("window.quyhoach && window.quyhoach.map")
    page.evaluate(f"window.quyhoach.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    return json.loads(page.locator("#map-config").text_content())["labels"]


def serious_axe_violations(page) -> list:
    """axe-core's serious and critical findings. The script goes in through DevTools
    (evaluate), which the page's Content-Security-Policy rightly does not let a tag do."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def number(text: str) -> float:
    """A figure as the Vietnamese page writes it: 11.515,7 → 11515.7."""
    return float(text.replace(".", "").replace(",", "."))


def test_the_tools_are_buttons_with_labels(page, live_server, demo_parcel):
    t = open_map(page, live_server)
    for name in (t["fullscreen"], t["locate"], t["measure_distance"], t["measure_area"]):
        assert page.get_by_role("button", name=name).is_visible()
    assert page.get_by_role("button", name=t["print_map"]).is_visible()
    assert page.get_by_role("link", name=t["export_view"]).is_visible()
    assert page.console_errors == [] and page.foreign_requests == []


def test_measuring_from_the_keyboard_gives_the_geodesic_distance(page, live_server):
    from pyproj import Geod

    t = open_map(page, live_server)
    page.get_by_role("button", name=t["measure_distance"]).press("Enter")
    page.get_by_role("button", name=t["measure_add"]).press("Enter")  # point at the centre
    page.evaluate(f"window.quyhoach.map.setView([{LAT0 + DLAT}, {LON0}], 18, {{animate: false}})")
    page.locator("#map").focus()
    page.keyboard.press("Enter")  # the second point, from the map itself
    status = page.get_by_role("status").filter(has_text=t["distance_label"])
    shown = number(status.inner_text().split(":")[1].split("m")[0].strip())
    # The centre snaps to a screen pixel (~0.4 m at z18): the hand figure within a metre,
    # WGS 84 geodesic of the very points taken (pyproj) within the display's 0.1 m.
    assert shown == pytest.approx(MERIDIAN_ARC_M, abs=1.0)
    (lon1, lat1), (lon2, lat2) = page.evaluate(
        "window.quyhoach.measure.points().map(p => [p.lng, p.lat])"
    )
    assert shown == pytest.approx(Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2], abs=0.051)
    page.keyboard.press("Escape")
    assert page.locator(".measure-result").inner_text() == ""


def test_measuring_an_area_by_clicking_gives_square_metres_and_hectares(page, live_server):
    from pyproj import Geod

    t = open_map(page, live_server, zoom=17)
    page.get_by_role("button", name=t["measure_area"]).click()
    corners = [(LAT0, LON0), (LAT0, LON0 + 0.001), (LAT0 + DLAT, LON0 + 0.001), (LAT0 + DLAT, LON0)]
    clicked = []
    for lat, lon in corners:
        p = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
        page.locator("#map").click(position={"x": p["x"], "y": p["y"]})
    clicked = page.evaluate("window.quyhoach.measure.points().map(p => [p.lng, p.lat])")
    lons, lats = zip(*clicked, strict=True)
    expected = abs(Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)[0])
    assert expected == pytest.approx(11_515.7, rel=0.01)  # ≈ 104.0 m × 110.7 m
    text = page.locator(".measure-result").inner_text()
    m2 = number(text.split(":")[1].split("m²")[0].strip())
    ha = number(text.split("(")[1].split("ha")[0].strip())
    assert m2 == pytest.approx(expected, abs=0.5)
    assert ha == pytest.approx(expected / 10_000, abs=0.0001)
    # Measuring clicks do not open the planning report.
    assert page.locator("#report").is_hidden()
    assert page.console_errors == []


def test_print_hides_the_page_chrome_and_keeps_the_map(page, live_server):
    open_map(page, live_server)
    page.emulate_media(media="print")
    assert page.locator("#layer-tree").is_hidden()
    assert page.locator("header.bar").is_hidden()
    assert page.locator("#map").is_visible()


def test_the_report_panel_downloads_the_pdf_certificate(page, live_server, demo_parcel):
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    t = open_map(page, live_server, lat=lat, lon=lon)
    page.wait_for_load_state("networkidle")
    p = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": p["x"], "y": p["y"]})
    link = page.get_by_role("link", name=t["certificate"])
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "planning-certificate-10540-12-345.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page.console_errors == [] and page.foreign_requests == []


def test_a_station_shows_its_readings_against_the_limits_with_a_chart(
    page, live_server, demo_parcel
):
    # The station stands on the parcel (a click off every parcel is a 404 in the console).
    station = MonitoringStation.objects.create(
        code="KK-01",
        name="Trạm không khí Tứ Minh",
        medium="air",
        geom=Point(X + 5, Y + 5, srid=9209),
    )
    vn = datetime.timezone(datetime.timedelta(hours=7))
    for day, value in ((1, 38.0), (2, 44.0), (3, 61.5)):
        MonitoringReading.objects.create(
            station=station,
            parameter="PM2.5",
            value=value,
            unit="µg/m3",
            measured_at=datetime.datetime(2025, 12, day, 9, tzinfo=vn),
        )
    lon, lat = to_wgs84(X + 5, Y + 5, 9209)
    t = open_map(page, live_server, lat=lat, lon=lon)
    p = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": p["x"], "y": p["y"]})
    section = page.locator("section.station")
    section.wait_for()
    row = section.get_by_role("row").filter(has_text="PM2.5")
    assert t["exceeds"] in row.inner_text() and "QCVN 05:2023/BTNMT" in row.inner_text()
    chart = section.get_by_role("img")
    assert "PM2.5" in chart.get_attribute("aria-label")
    assert chart.locator("circle").count() == 3
    assert chart.locator("circle.exceeds").count() == 1  # 61.5 > 50 µg/m³
    assert chart.locator("path.chart-limit").count() == 1
    assert serious_axe_violations(page) == []
    assert page.console_errors == [] and page.foreign_requests == []


def test_axe_finds_no_serious_violations_with_the_tools_open(page, live_server, demo_parcel):
    t = open_map(page, live_server)
    page.get_by_role("button", name=t["measure_distance"]).click()
    page.get_by_role("button", name=t["measure_add"]).click()
    page.wait_for_load_state("networkidle")
    assert serious_axe_violations(page) == []


def test_the_tools_fit_a_phone(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t = open_map(page, live_server)
    box = page.locator("#map").bounding_box()
    for name in (t["measure_distance"], t["locate"], t["fullscreen"], t["print_map"]):
        button = page.get_by_role("button", name=name).bounding_box()
        assert box["x"] <= button["x"] and button["x"] + button["width"] <= box["x"] + box["width"]
        assert (
            box["y"] <= button["y"] and button["y"] + button["height"] <= box["y"] + box["height"]
        )
    page.get_by_role("button", name=t["measure_distance"]).tap()
    assert page.get_by_role("button", name=t["measure_add"]).is_visible()
    assert errors == []
    context.close()


def test_export_view_downloads_a_standalone_map_over_our_own_tiles(page, live_server, demo_parcel):
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    t = open_map(page, live_server, lat=lat, lon=lon, zoom=17)
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t["export_view"]).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-z17.html")
    html = Path(download.path()).read_text(encoding="utf-8")
    assert "/tiles/wmts/parcels/webmercator/" in html  # visible by default
    # Opened as a file on this host (Chromium keeps about:blank pages off loopback).
    saved = f"{live_server.url}/saved-export.html"
    page.route(saved, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(saved)
    page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof L") == "object"
    assert page.console_errors == [] and page.foreign_requests == []


def test_the_identified_parcel_is_outlined_from_our_vector_tile(page, live_server, demo_parcel):
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    open_map(page, live_server, lat=lat, lon=lon)
    page.wait_for_load_state("networkidle")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    p = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": p["x"], "y": p["y"]})
    outline = page.locator('.leaflet-overlay-pane path[stroke="#e31a1c"]')
    outline.wait_for()
    assert any("/tiles/mvt/parcels/16/" in url for url in requested)
    assert not any("/api/parcels/" in url for url in requested)  # no GeoJSON fallback
    # The outline's box is the parcel's (its VN-2000 corners) within two pixels.
    corners = [to_wgs84(X + dx, Y + dy, 9209) for dx in (0, 40) for dy in (0, 40)]
    points = [
        page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{la}, {lo}])")
        for lo, la in corners
    ]
    xs, ys = [pt["x"] for pt in points], [pt["y"] for pt in points]
    box, frame = outline.bounding_box(), page.locator("#map").bounding_box()
    half_stroke = 1.5
    assert abs(box["x"] - frame["x"] + half_stroke - min(xs)) < 2
    assert abs(box["y"] - frame["y"] + half_stroke - min(ys)) < 2
    assert abs(box["width"] - 2 * half_stroke - (max(xs) - min(xs))) < 2
    assert abs(box["height"] - 2 * half_stroke - (max(ys) - min(ys))) < 2
    assert page.console_errors == [] and page.foreign_requests == []


def test_a_parcel_across_a_tile_edge_is_outlined_from_its_geojson(page, live_server):
    from gis.crs import from_wgs84

    # The z16 tile column edge east of (X, Y): a parcel straddling it is clipped in both
    # tiles, so the outline comes whole from /api/parcels/ instead.
    lon, lat = to_wgs84(X, Y, 9209)
    edge_lon = (int((lon + 180) / 360 * 2**16) + 1) / 2**16 * 360 - 180
    edge_x, _ = from_wgs84(edge_lon, lat, 9209)
    LandParcelFactory(geom=square(edge_x - 20, Y, size=40), sheet=12, number=346)
    lon, lat = to_wgs84(edge_x - 10, Y + 20, 9209)
    open_map(page, live_server, lat=lat, lon=lon)
    page.wait_for_load_state("networkidle")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    p = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": p["x"], "y": p["y"]})
    page.locator('.leaflet-overlay-pane path[stroke="#e31a1c"]').wait_for()
    assert any("/tiles/mvt/parcels/16/" in url for url in requested)
    assert any("/api/parcels/?commune=10540&sheet=12&number=346" in url for url in requested)
    assert page.console_errors == []
