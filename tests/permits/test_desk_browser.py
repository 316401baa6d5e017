"""The permit desk in headless Chromium (issue 7 acceptance): an officer signs in, registers
a permit whose coverage exceeds the zone limit, sees that rule fail with both numbers, fixes
the footprint until every rule passes, issues it, and the public API and map layer show it
without the applicant's name. And a late application shows as overdue in the queue.

Pages are read in English (the language cookie) so the test does not depend on the
translations; nothing may be fetched from outside the live server.
"""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlparse

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import Group, User

from gis.crs import to_wgs84
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tests.tiles.test_mvt import tile_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
X, Y = 580_000.0, 2_314_000.0
APPLICANT = "Nguyễn Thị Hoa"


@pytest.fixture(autouse=True)
def tiles(settings, tmp_path):
    from tiles import service

    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    service.reset()
    yield
    service.reset()


@pytest.fixture
def desk_data():
    # 20 m × 20 m = 400 m²; the zone caps coverage at 0.50 (QCVN would allow 0.55).
    LandParcelFactory(geom=square(X, Y, size=20), area_m2="400.0", sheet=12, number=345)
    ZoningAreaFactory(
        plan=PlanFactory(), zone_code="A1", max_coverage=0.5, geom=square(X - 100, Y - 100, 300)
    )
    user = User.objects.create_user("can_bo", password="desk-pass-9876")
    user.groups.add(Group.objects.get(name="permit_officer"))


@pytest.fixture
def english(page, live_server):
    host = urlparse(live_server.url).hostname
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "domain": host, "path": "/"}]
    )
    return page


def footprint_file(x, y, size):
    ring = [list(to_wgs84(px, py, 9209)) for px, py in square(x, y, size)[0][0]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return {
        "name": "footprint.geojson",
        "mimeType": "application/geo+json",
        "buffer": json.dumps(feature).encode(),
    }


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/desk/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("can_bo")
    page.get_by_label("Password").fill("desk-pass-9876")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Permit queue").wait_for()


def upload_footprint(page, x, y, size):
    status = page.locator("#footprint-status")
    status.evaluate("element => { element.textContent = ''; }")
    page.locator("#footprint-file").set_input_files(footprint_file(x, y, size))
    status.get_by_text("Footprint saved.").wait_for()


def test_an_officer_checks_fixes_and_issues_a_permit_that_the_public_then_sees(
    english, live_server, desk_data, browser
):
    page = english
    sign_in(page, live_server)
    page.get_by_role("link", name="Register a permit").first.click()
    page.get_by_label("Commune").select_option("10540")
    page.get_by_label("Map sheet").fill("12")
    page.get_by_label("Parcel number").fill("345")
    page.get_by_label("Kind of permit").select_option("new")
    page.get_by_label("Type of works").select_option("detached_house")
    # Registers often name the works after the owner: the public must not see that either.
    page.get_by_label("Works name").fill(f"Nhà ở hộ bà {APPLICANT}")
    page.get_by_label("Intended use (land-use code)").fill("ODT")
    page.get_by_label("Floors above ground").fill("4")
    page.get_by_label("Height (m)").fill("15")
    page.get_by_label("Applicant name").fill(APPLICANT)
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Compliance check").wait_for()
    page.locator("#permit-map.leaflet-container .leaflet-overlay-pane path").first.wait_for()

    # 16 m × 16 m = 256 m² on 400 m²: coverage 0.64 over the zone's 0.50.
    upload_footprint(page, X + 2, Y + 2, 16)
    page.get_by_role("button", name="Run the check").click()
    coverage = page.locator("#check-table tr[data-rule=coverage]")
    coverage.wait_for()
    text = coverage.inner_text()
    assert "failed" in text and "≤ 0.50" in text and "0.64" in text
    assert "rule-failed" in coverage.get_attribute("class")
    assert page.locator("#check-summary").inner_text() == "The application does not comply."

    # 14 m × 14 m = 196 m²: 0.49. The check runs again by itself once the footprint is saved.
    upload_footprint(page, X + 3, Y + 3, 14)
    page.locator("#check-summary", has_text="Every rule passes.").wait_for()
    rows = page.locator("#check-table tbody tr")
    assert rows.count() == 9
    assert page.locator("#check-table tbody tr.rule-passed").count() == 9
    assert "0.49" in coverage.inner_text()
    page.screenshot(path="/tmp/desk_permit.png", full_page=True)

    page.get_by_role("combobox", name="Decision").select_option("approve")
    page.get_by_role("button", name="Record the decision").click()
    page.locator("#permit-status[data-status=approved]").wait_for()
    page.get_by_role("combobox", name="Decision").select_option("issue")
    page.get_by_label("Permit number (when issuing)").fill("15/GPXD-2026")
    page.get_by_role("button", name="Record the decision").click()
    page.locator("#permit-status[data-status=issued]").wait_for()
    pdf = page.get_by_role("link", name="Print the permit (PDF)")
    printed = page.request.get(live_server.url + pdf.get_attribute("href"))
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.body().startswith(b"%PDF")
    assert page.console_errors == []
    assert page.foreign_requests == []

    # The public: a fresh, anonymous browser.
    public = browser.new_context()
    try:
        api = public.request.get(f"{live_server.url}/api/permits/")
        assert api.ok
        body = api.json()
        assert [f["properties"]["number"] for f in body["features"]] == ["15/GPXD-2026"]
        assert APPLICANT not in api.text()
        z = 18
        tx, ty = tile_at(X + 10, Y + 10, z)
        tile = public.request.get(f"{live_server.url}/tiles/mvt/permits/{z}/{tx}/{ty}.pbf")
        assert tile.ok
        decoded = mapbox_vector_tile.decode(tile.body())
        props = [f["properties"] for f in decoded["permits"]["features"]]
        assert [p["number"] for p in props] == ["15/GPXD-2026"]
        assert APPLICANT not in json.dumps(props, ensure_ascii=False)
        assert APPLICANT.encode() not in tile.body()
    finally:
        public.close()


def test_a_late_application_shows_as_overdue_in_the_queue_and_the_api(
    english, live_server, desk_data
):
    from layers.models import ConstructionPermit, LandParcel

    late = ConstructionPermit.objects.create(
        kind="new",
        works_name="Hồ sơ quá hạn",
        floors=3,
        height_m=11,
        received_on=datetime.date(2026, 1, 5),
        due_on=datetime.date(2026, 1, 14),
    )
    late.parcels.set(LandParcel.objects.all())
    page = english
    sign_in(page, live_server)
    row = page.locator(f"tr[data-permit='{late.pk}']")
    assert "Overdue" in row.inner_text()
    assert "overdue" in row.get_attribute("class")
    api = page.request.get(f"{live_server.url}/api/permits/?overdue=true")
    assert [f["id"] for f in api.json()["features"]] == [late.pk]
    assert api.json()["features"][0]["properties"]["overdue"] is True


def test_an_officer_draws_the_footprint_with_geoman(english, live_server, desk_data):
    from layers.models import ConstructionPermit, LandParcel

    permit = ConstructionPermit.objects.create(
        kind="new",
        works_name="Nhà vẽ tay",
        intended_use="ODT",
        floors=3,
        height_m=11,
        received_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2026, 11, 11),
    )
    permit.parcels.set(LandParcel.objects.all())
    page = english
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/desk/permits/{permit.pk}/")
    page.locator("#permit-map.leaflet-container .leaflet-overlay-pane path").first.wait_for()
    page.locator("#permit-map .leaflet-pm-icon-polygon").click()
    # A 12 m × 12 m square, 4 m inside the parcel's south-west corner.
    corners = [(X + 4, Y + 4), (X + 16, Y + 4), (X + 16, Y + 16), (X + 4, Y + 16), (X + 4, Y + 4)]
    for x, y in corners:
        lon, lat = to_wgs84(x, y, 9209)
        point = page.evaluate(
            "([lat, lon]) => window.quyhoachDesk.map.latLngToContainerPoint([lat, lon])",
            [lat, lon],
        )
        page.locator("#permit-map").click(position={"x": point["x"], "y": point["y"]})
    page.get_by_role("button", name="Save the drawn footprint").click()
    page.locator("#footprint-status").get_by_text("Footprint saved.").wait_for()
    permit.refresh_from_db()
    assert abs(permit.geom.area - 144) < 8  # a click lands within a pixel (~0.15 m here)
    assert page.console_errors == []
