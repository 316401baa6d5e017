"""The editor in headless Chromium: a planner signs in, draws a zone snapped to a parcel,
saves and submits; an approver approves; the public map then shows the zone and the old
cached tile is gone."""

from __future__ import annotations

import datetime
import io
import math
import os

import pytest
from django.contrib.auth.models import Group, User
from PIL import Image

from gis.crs import to_wgs84
from planning.models import Plan, ZoningArea
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tiles import service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
X, Y = 580_000.0, 2_314_000.0
PX, PY, SIZE = X + 100, Y + 100, 40  # the parcel the planner traces
ZOOM = 16


@pytest.fixture(autouse=True)
def tiles(settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    service.reset()
    yield settings.TILE_CACHE_DIR
    service.reset()


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int, float, float]:
    n = 2**zoom
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), (fx % 1) * 256, (fy % 1) * 256


def public_pixel(tab, live_server, x: float, y: float) -> tuple[int, int, int, int]:
    lon, lat = to_wgs84(x, y, 9209)
    tx, ty, px, py = tile_of(lon, lat, ZOOM)
    response = tab.request.get(
        f"{live_server.url}/tiles/wmts/zoning/webmercator/{ZOOM}/{tx}/{ty}.png"
    )
    assert response.status == 200
    return Image.open(io.BytesIO(response.body())).convert("RGBA").getpixel((int(px), int(py)))


def near(pixel, rgb) -> bool:
    """The colour, give or take rounding of the semi-transparent fill (alpha > 100)."""
    return pixel[3] > 100 and all(abs(a - b) <= 3 for a, b in zip(pixel[:3], rgb, strict=True))


def sign_in(tab, live_server, name: str) -> None:
    tab.goto(f"{live_server.url}/editor/")
    assert "/accounts/login/" in tab.url  # anonymous → sign-in page
    tab.fill("#id_username", name)
    tab.fill("#id_password", f"pw-{name}")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/editor/**")
    tab.wait_for_function("() => window.quyhoachEditor && window.quyhoachEditor.ready")


def click_at(tab, lon: float, lat: float, dx: float = 0, dy: float = 0) -> None:
    point = tab.evaluate(f"window.quyhoachEditor.map.latLngToContainerPoint([{lat}, {lon}])")
    tab.locator("#map").click(position={"x": point["x"] + dx, "y": point["y"] + dy})


@pytest.fixture
def scene(db):
    for name, role in (("alice", "planner"), ("bob", "plan_approver")):
        User.objects.create_user(name, password=f"pw-{name}").groups.add(
            Group.objects.get(name=role)
        )
    parcel = LandParcelFactory(geom=square(PX, PY, SIZE), area_m2="1600.0")
    old = PlanFactory(
        name="QH 2020", approved_on=datetime.date(2020, 3, 1), geom=square(X - 500, Y - 500, 2000)
    )
    ZoningAreaFactory(plan=old, zone_code="C1", land_use=_land_use("DGT"), geom=square(X, Y, 300))
    draft = PlanFactory(
        name="QH chi tiết Tứ Minh",
        status="draft",
        decision_number="",
        approved_on=None,
        geom=square(X, Y, 500),
    )
    return parcel, old, draft


def _land_use(code):
    from layers.models import LandUseType

    return LandUseType.objects.get(code=code)


def test_a_planner_draws_submits_and_an_approver_publishes(
    browser, page, live_server, scene, tiles
):
    parcel, old, draft = scene
    # The public tile at the parcel, before: the old plan's DGT zone (#FFAA32), now cached.
    before = public_pixel(page, live_server, PX + 5, PY + 5)
    assert near(before, (0xFF, 0xAA, 0x32))
    tx, ty, _px, _py = tile_of(*to_wgs84(PX + 5, PY + 5, 9209), ZOOM)
    cached = [p for p in (tiles / "zoning").rglob(f"{ty}.png") if p.parent.name == str(tx)]
    assert len(cached) == 1  # the tile file under the parcel

    sign_in(page, live_server, "alice")
    page.select_option("#plan-select", str(draft.pk))
    lon, lat = to_wgs84(PX + SIZE / 2, PY + SIZE / 2, 9209)
    page.evaluate(f"window.quyhoachEditor.map.setView([{lat}, {lon}], 19, {{animate: false}})")
    page.wait_for_function("() => window.quyhoachEditor.parcels.getLayers().length > 0")
    page.locator("#draw-zone").click()
    corners = [(PX, PY), (PX + SIZE, PY), (PX + SIZE, PY + SIZE), (PX, PY + SIZE)]
    for cx, cy in corners:  # 6 px off each corner: snapping puts the vertex on it
        click_at(page, *to_wgs84(cx, cy, 9209), dx=6, dy=-6)
    click_at(page, *to_wgs84(PX, PY, 9209))  # back on the first vertex closes the ring
    page.locator("#zone-form").wait_for()
    page.fill("#zone_code", "B1")
    page.select_option("#land_use", "ODT")
    page.fill("#max_coverage", "0.6")
    page.fill("#max_floors", "5")
    page.fill("#max_height_m", "21")
    page.fill("#comment", "Ô đất ở mới")
    page.locator("#save-zone").click()
    page.wait_for_function("() => document.getElementById('status').textContent.includes('1')")
    zone = ZoningArea.objects.get(plan=draft)
    assert zone.version == 1 and zone.land_use.code == "ODT"
    # Snapped: every vertex on the parcel's corner (to the millimetre), so the same area.
    for (vx, vy), (cx, cy) in zip(sorted(zone.geom.coords[0][0][:4]), sorted(corners), strict=True):
        assert abs(vx - cx) < 0.002 and abs(vy - cy) < 0.002
    assert abs(zone.geom.area - SIZE * SIZE) < 0.1
    assert zone.geom.sym_difference(parcel.geom).area < 0.2  # ≤ 1 mm along 160 m of edges

    page.locator("#submit-plan").click()
    page.wait_for_function(
        "() => document.getElementById('plan-select').selectedOptions[0].textContent.length > 0"
    )
    page.wait_for_function("() => !document.getElementById('submit-plan').offsetParent")
    assert Plan.objects.get(pk=draft.pk).status == "in_review"
    assert page.console_errors == [] and page.foreign_requests == []

    approver = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 800}
    ).new_page()
    approver.console_errors = []
    approver.on("pageerror", lambda e: approver.console_errors.append(str(e)))
    sign_in(approver, live_server, "bob")
    approver.goto(f"{live_server.url}/editor/?plan={draft.pk}")
    approver.wait_for_function("() => window.quyhoachEditor && window.quyhoachEditor.ready")
    approver.locator("#approve-form").wait_for()
    approver.fill("#decision-number", "345/QĐ-UBND")
    approver.fill("#approved-on", "2026-01-05")
    approver.locator("#approve-form button[type=submit]").click()
    approver.locator("#approve-form").wait_for(state="hidden")
    assert Plan.objects.get(pk=draft.pk).status == "approved"
    assert ZoningArea.objects.get(zone_code="C1").superseded_on == datetime.date(2026, 1, 5)
    assert approver.console_errors == []

    # The old cached tile is gone; the public tile now shows the new zone (ODT #FFA0FF)...
    assert not cached[0].exists()
    after = public_pixel(page, live_server, PX + 5, PY + 5)
    assert near(after, (0xFF, 0xA0, 0xFF))
    # ...and so does the planning report.
    report = page.request.get(f"{live_server.url}/api/planning-report/?parcel={parcel.pk}").json()
    assert [z["zone"] for z in report["zoning"]] == ["B1"]
    assert report["zoning"][0]["share"] == 1.0


def test_the_editor_shows_errors_inline_the_other_persons_save_and_reverts(page, live_server, db):
    for name in ("alice", "amy"):
        User.objects.create_user(name, password=f"pw-{name}").groups.add(
            Group.objects.get(name="planner")
        )
    draft = PlanFactory(
        status="draft", decision_number="", approved_on=None, geom=square(X, Y, 500)
    )
    zone = ZoningAreaFactory(plan=draft, zone_code="A1", max_floors=5, geom=square(X, Y, 100))
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/editor/?plan={draft.pk}")
    page.wait_for_function("() => window.quyhoachEditor.zones.getLayers().length === 1")
    click_at(page, *to_wgs84(X + 50, Y + 50, 9209))
    assert page.input_value("#zone_code") == "A1"

    # Amy saves first (version 2: 9 floors) while Alice edits the same zone.
    from planning import editing

    editing.update_zone(
        zone_id=zone.pk,
        version=1,
        by=User.objects.get(username="amy"),
        attributes={"max_floors": 9},
    )
    page.fill("#max_floors", "7")
    page.locator("#save-zone").click()
    conflict = page.locator("#conflict")
    conflict.wait_for()
    assert conflict.locator("tr.changed").count() == 1  # max floors: 9 (theirs) against 7
    assert "9" in conflict.locator("tr.changed").inner_text()
    conflict.get_by_role("button").click()
    page.locator("#save-zone").click()
    page.wait_for_function("() => document.getElementById('status').textContent.includes('3')")
    zone.refresh_from_db()
    assert (zone.version, zone.max_floors) == (3, 7)

    # A value out of bounds: the message sits next to the field, nothing is saved.
    page.fill("#max_coverage", "1.5")
    page.locator("#save-zone").click()
    page.wait_for_function("() => document.getElementById('err-max_coverage').textContent !== ''")
    assert page.get_attribute("#max_coverage", "aria-invalid") == "true"
    zone.refresh_from_db()
    assert zone.version == 3

    # History: restore version 1 (5 floors) as version 4.
    history = page.locator("#history li")
    assert history.count() == 3
    history.last.get_by_role("button").last.click()
    page.wait_for_function("() => document.getElementById('status').textContent.includes('1')")
    page.wait_for_function("() => document.querySelectorAll('#history li').length === 4")
    zone.refresh_from_db()
    assert (zone.version, zone.max_floors) == (4, 5)
    # The 409 and the 400 are logged by the browser as failed loads; nothing else went wrong.
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
    assert page.foreign_requests == []


def test_split_and_merge_in_the_editor(page, live_server, db):
    User.objects.create_user("alice", password="pw-alice").groups.add(
        Group.objects.get(name="planner")
    )
    draft = PlanFactory(
        status="draft", decision_number="", approved_on=None, geom=square(X, Y, 500)
    )
    ZoningAreaFactory(plan=draft, zone_code="A1", geom=square(X, Y, 100))
    ZoningAreaFactory(plan=draft, zone_code="A2", geom=square(X + 100, Y, 100))
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/editor/?plan={draft.pk}")
    page.wait_for_function("() => window.quyhoachEditor.zones.getLayers().length === 2")
    lon, lat = to_wgs84(X + 100, Y + 50, 9209)
    page.evaluate(f"window.quyhoachEditor.map.setView([{lat}, {lon}], 18, {{animate: false}})")

    # Merge: A1 selected, "Merge", then a click on A2.
    click_at(page, *to_wgs84(X + 50, Y + 50, 9209))
    page.locator("#merge-zone").click()
    click_at(page, *to_wgs84(X + 150, Y + 50, 9209))
    page.wait_for_function("() => window.quyhoachEditor.zones.getLayers().length === 1")
    [merged] = ZoningArea.objects.filter(plan=draft)
    assert merged.zone_code == "A1" and abs(merged.geom.area - 20_000) < 0.1

    # Split: "Split", a line across at X + 60 (from below to above), finished on its end.
    page.locator("#split-zone").click()
    click_at(page, *to_wgs84(X + 60, Y - 20, 9209))
    click_at(page, *to_wgs84(X + 60, Y + 120, 9209))
    click_at(page, *to_wgs84(X + 60, Y + 120, 9209))
    page.wait_for_function("() => window.quyhoachEditor.zones.getLayers().length === 2")
    areas = dict(ZoningArea.objects.filter(plan=draft).values_list("zone_code", "geom"))
    assert abs(areas["A1"].area - 14_000) < 1 and abs(areas["A1-2"].area - 6_000) < 1
    assert page.console_errors == []


def test_axe_finds_no_serious_accessibility_violations_in_the_editor(
    browser, live_server, scene, settings
):
    from pathlib import Path

    axe = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    _parcel, _old, draft = scene
    settings.ALLOWED_HOSTS = ["*"]
    # axe is injected as an inline script: only this test's context sets the CSP aside.
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/editor/?plan={draft.pk}")
    page.wait_for_function("() => window.quyhoachEditor.ready")
    page.locator("#draw-zone").wait_for()
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []
