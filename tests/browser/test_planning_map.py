"""The public planning map in headless Chromium: tiles paint, a click shows the report,
nothing is fetched from outside 127.0.0.1, no console errors."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gis.crs import to_wgs84
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tiles import service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
X, Y = 580_000.0, 2_314_000.0


@pytest.fixture(autouse=True)
def tiles(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    service.reset()
    yield
    service.reset()


@pytest.fixture
def demo_parcel():
    parcel = LandParcelFactory(geom=square(X, Y, size=40), area_m2="1600.0", sheet=12, number=345)
    plan = PlanFactory()
    ZoningAreaFactory(
        plan=plan, zone_code="A1", max_coverage=0.7, geom=square(X - 200, Y - 200, 220)
    )
    ZoningAreaFactory(plan=plan, zone_code="A2", geom=square(X + 20, Y - 200, 300))
    return parcel


def open_map_at(page, live_server, lon, lat, zoom=18):
    page.goto(f"{live_server.url}/")
    page.wait_for_function("window.quyhoach && window.quyhoach.map")
    page.evaluate(f"window.quyhoach.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_load_state("networkidle")


def test_tiles_paint_and_a_click_shows_the_planning_report(page, live_server, demo_parcel):
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    open_map_at(page, live_server, lon, lat)
    shot = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
    assert len(set(shot.getdata())) > 5  # not a blank map
    assert any(
        p == (0xFF, 0xA0, 0xFF) or (p[0] > 240 and 150 < p[1] < 200 and p[2] > 240)
        for p in shot.getdata()
    )  # the parcel's ODT colour
    point = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    report = page.get_by_role("complementary", name="Báo cáo quy hoạch")
    report.locator("dd", has_text="A2 (").wait_for()
    text = report.inner_text()
    assert "345" in text and "12" in text
    assert "1.600" in text or "1600" in text  # legal area, Vietnamese number format
    assert "A1" in text and "A2" in text
    assert "50%" in text  # each zone holds half of the parcel
    page.locator('.leaflet-overlay-pane path[stroke="#e31a1c"]').wait_for()  # the outline
    page.screenshot(path="/tmp/planning_map.png")
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_the_map_works_on_a_phone(browser, live_server, demo_parcel, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.wait_for_function("window.quyhoach && window.quyhoach.map")
    box = page.locator("#map").bounding_box()
    assert box["width"] >= 380 and box["height"] > 300
    assert page.get_by_role("navigation").is_visible()
    context.close()


def test_search_finds_a_parcel_and_a_street_without_accents(page, live_server, demo_parcel):
    from django.contrib.gis.geos import LineString, MultiLineString

    from layers.models import Road

    line = MultiLineString(LineString((X, Y), (X + 300, Y)), srid=9209)
    Road.objects.create(code="D1", name="Đường Nguyễn Trãi", road_class="main", geom=line)
    page.goto(f"{live_server.url}/")
    search = page.get_by_role("searchbox")
    search.fill("to 12 thua 345")
    search.press("Enter")
    results = page.get_by_role("listbox", name="Kết quả tìm kiếm")
    results.get_by_role("option").first.get_by_role("button").click()
    report = page.get_by_role("complementary", name="Báo cáo quy hoạch")
    report.locator("dd", has_text="A2 (").wait_for()
    assert "345" in report.inner_text()
    search.fill("nguyen trai")
    search.press("Enter")
    results.get_by_role("button", name="Đường Nguyễn Trãi").wait_for()
    assert results.get_by_role("option").first.inner_text() == "Đường Nguyễn Trãi"
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_the_vn2000_read_out_matches_pyproj_and_the_permalink_restores_the_view(
    page, live_server, demo_parcel
):
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    open_map_at(page, live_server, lon, lat, zoom=17)
    point = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").hover(position={"x": point["x"], "y": point["y"]})
    text = page.locator("#coords").inner_text()
    x = float(text.split("X ")[1].split()[0])
    y = float(text.split("Y ")[1].split()[0])
    # Within a pixel at zoom 17 (~1 m): the browser's datum shift is PostGIS's.
    assert abs(x - (X + 10)) < 1.5 and abs(y - (Y + 20)) < 1.5
    url = page.url
    assert "#17/" in url
    # A fresh load of the link (from "/" the browser would only change the fragment, and
    # the map follow it a moment later).
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("window.quyhoach && window.quyhoach.map")
    centre = page.evaluate("window.quyhoach.map.getCenter()")
    assert page.evaluate("window.quyhoach.map.getZoom()") == 17
    assert abs(centre["lat"] - lat) < 1e-4 and abs(centre["lng"] - lon) < 1e-4


def test_axe_finds_no_serious_or_critical_accessibility_violations(page, live_server, demo_parcel):
    from pathlib import Path

    axe = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    open_map_at(page, live_server, lon, lat)
    point = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    page.get_by_role("complementary", name="Báo cáo quy hoạch").locator("dd").first.wait_for()
    # Through DevTools: the page's Content-Security-Policy (rightly) refuses a script tag.
    page.evaluate(axe.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_a_click_also_lists_the_road_and_zone_there(page, live_server, demo_parcel):
    from django.contrib.gis.geos import LineString, MultiLineString

    from layers.models import EnvironmentZone, Road

    Road.objects.create(
        code="D1",
        name="Đường Nguyễn Trãi",
        road_class="main",
        planned_width_m=30,
        geom=MultiLineString(LineString((X, Y + 20), (X + 300, Y + 20)), srid=9209),
    )
    EnvironmentZone.objects.create(
        code="F1",
        name="Vùng ngập lụt ven sông",
        kind="flood_zone",
        geom=square(X - 100, Y - 100, 400),
    )
    lon, lat = to_wgs84(X + 10, Y + 20, 9209)
    open_map_at(page, live_server, lon, lat)
    point = page.evaluate(f"window.quyhoach.map.latLngToContainerPoint([{lat}, {lon}])")
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    report = page.get_by_role("complementary", name="Báo cáo quy hoạch")
    report.get_by_text("Cũng tại vị trí này").wait_for()
    text = report.inner_text()
    assert "Đường Nguyễn Trãi" in text and "Vùng ngập lụt ven sông" in text
