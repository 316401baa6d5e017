"""``/api/zoning/``: validated, versioned writes by planners; history and revert."""

from __future__ import annotations

from decimal import Decimal

import pytest

from planning.models import Plan, ZoningArea, ZoningAreaRevision
from tests.editor.conftest import X, Y, area_m2, create, line, polygon
from tests.factories import ZoningAreaFactory, square

pytestmark = pytest.mark.django_db


def test_a_planner_creates_a_zone_at_version_1(client_for, draft_plan):
    response = create(client_for("alice"), draft_plan, polygon(X + 200, Y + 200, 100))
    assert response.status_code == 201, response.json()
    feature = response.json()
    assert feature["properties"]["version"] == 1
    assert feature["properties"]["zone_code"] == "B1"
    assert feature["properties"]["max_coverage"] == 0.6
    zone = ZoningArea.objects.get(pk=feature["id"])
    assert zone.geom.srid == 9209
    assert abs(zone.geom.area - 10_000) < 0.05  # 100 m × 100 m, stored in VN-2000 metres
    assert abs(area_m2(feature["geometry"]) - 10_000) < 0.05
    revision = ZoningAreaRevision.objects.get(zone_id=zone.pk)
    assert (revision.version, revision.action) == (1, "create")


def test_a_self_intersecting_shape_is_rejected_with_the_reason(client_for, draft_plan):
    bowtie = polygon(X + 200, Y + 200, 100)
    ring = bowtie["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # crossed edges
    response = create(client_for("alice"), draft_plan, bowtie)
    assert response.status_code == 400
    body = response.json()
    assert "detail" in body and "không hợp lệ" in body["errors"]["geometry"][0]  # vi default
    assert not ZoningArea.objects.exists()


def test_a_zone_outside_the_plan_boundary_is_rejected_with_the_part_outside(client_for, draft_plan):
    # 100 m square with its east half (50 × 100 m) beyond the boundary's east edge X + 1000.
    response = create(client_for("alice"), draft_plan, polygon(X + 950, Y + 200, 100))
    assert response.status_code == 400
    body = response.json()
    assert "ngoài ranh giới đồ án" in body["errors"]["geometry"][0]  # Vietnamese by default
    assert abs(area_m2(body["outside"]) - 5_000) < 0.5


def test_an_overlap_with_another_zone_is_rejected_with_the_overlap(client_for, draft_zone):
    # A1 covers X..X+100; the new zone X+50..X+150 overlaps it by 50 m × 100 m.
    response = create(client_for("alice"), draft_zone.plan, polygon(X + 50, Y, 100))
    assert response.status_code == 400
    body = response.json()
    assert "A1" in body["errors"]["geometry"][0]
    assert abs(area_m2(body["overlap"]) - 5_000) < 0.5


def test_a_zone_sharing_an_edge_is_not_an_overlap(client_for, draft_zone):
    response = create(client_for("alice"), draft_zone.plan, polygon(X + 100, Y, 100))
    assert response.status_code == 201, response.json()


def test_required_controls_must_be_present(client_for, draft_plan):
    response = create(
        client_for("alice"),
        draft_plan,
        polygon(X + 200, Y + 200, 100),
        zone_code="",
        land_use="XYZ",
        max_coverage=None,
        max_floors=None,
        max_height_m=None,
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"zone_code", "land_use", "max_coverage", "max_floors", "max_height_m"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_coverage", 1.2),
        ("max_coverage", 0),
        ("max_floors", 0),
        ("max_height_m", -3),
        ("max_far", 0),
        ("min_setback_m", -1),
        ("max_coverage", "abc"),
    ],
)
def test_controls_out_of_bounds_are_rejected(client_for, draft_plan, field, value):
    response = create(
        client_for("alice"), draft_plan, polygon(X + 200, Y + 200, 100), **{field: value}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_floors_alone_or_height_alone_is_enough(client_for, draft_plan):
    client = client_for("alice")
    assert create(client, draft_plan, polygon(X + 200, Y, 50), max_height_m=None).status_code == 201
    assert (
        create(
            client, draft_plan, polygon(X + 300, Y, 50), zone_code="B2", max_floors=None
        ).status_code
        == 201
    )


def test_a_duplicate_zone_code_in_the_plan_is_rejected(client_for, draft_zone):
    response = create(client_for("alice"), draft_zone.plan, polygon(X + 300, Y, 50), zone_code="A1")
    assert response.status_code == 400
    assert "zone_code" in response.json()["errors"]


def test_an_update_without_version_is_rejected(client_for, draft_zone):
    response = client_for("alice").patch(
        f"/api/zoning/{draft_zone.pk}/", {"properties": {"max_floors": 7}}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_stale_version_gets_409_with_the_current_zone(client_for, draft_zone):
    client = client_for("alice")
    first = client.patch(
        f"/api/zoning/{draft_zone.pk}/",
        {"properties": {"version": 1, "max_floors": 7}},
        format="json",
    )
    assert first.status_code == 200 and first.json()["properties"]["version"] == 2
    stale = client.patch(
        f"/api/zoning/{draft_zone.pk}/",
        {"properties": {"version": 1, "max_floors": 9}},
        format="json",
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version"
    assert body["current"]["properties"]["version"] == 2
    assert body["current"]["properties"]["max_floors"] == 7


def test_two_editors_saving_the_same_zone_one_wins_the_other_gets_409_nothing_lost(
    client_for, draft_zone
):
    alice, amy = client_for("alice"), client_for("amy")
    url = f"/api/zoning/{draft_zone.pk}/"
    read_by_alice = alice.get(url).json()["properties"]["version"]
    read_by_amy = amy.get(url).json()["properties"]["version"]
    assert read_by_alice == read_by_amy == 1
    won = alice.patch(
        url,
        {
            "geometry": polygon(X, Y, 80),
            "properties": {"version": read_by_alice, "comment": "smaller"},
        },
        format="json",
    )
    lost = amy.patch(
        url, {"properties": {"version": read_by_amy, "land_use": "TMD"}}, format="json"
    )
    assert (won.status_code, lost.status_code) == (200, 409)
    # Amy sees what Alice changed (the 80 m square), then saves again on top of it.
    assert abs(area_m2(lost.json()["current"]["geometry"]) - 6_400) < 0.5
    again = amy.patch(url, {"properties": {"version": 2, "land_use": "TMD"}}, format="json")
    assert again.status_code == 200
    zone = ZoningArea.objects.get(pk=draft_zone.pk)
    assert zone.version == 3 and zone.land_use.code == "TMD" and abs(zone.geom.area - 6_400) < 0.05
    history = client_for("alice").get(f"{url}history/").json()["history"]
    assert [(h["version"], h["by"]) for h in history] == [(1, None), (2, "alice"), (3, "amy")]
    assert history[1]["comment"] == "smaller"


def test_revert_restores_the_exact_geometry_and_attributes_as_a_new_version(client_for, draft_plan):
    client = client_for("alice")
    created = create(client, draft_plan, polygon(X + 200, Y + 200, 100), max_coverage=0.655).json()
    url = f"/api/zoning/{created['id']}/"
    original = ZoningArea.objects.get(pk=created["id"])
    original_wkb = bytes(original.geom.wkb)
    changed = client.patch(
        url,
        {
            "geometry": polygon(X + 210, Y + 190, 120, 60),
            "properties": {
                "version": 1,
                "zone_code": "B9",
                "land_use": "TMD",
                "max_coverage": 0.4,
                "max_floors": None,
                "max_height_m": 45.5,
                "max_far": None,
            },
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    reverted = client.post(f"{url}revert/", {"version": 1, "current_version": 2}, format="json")
    assert reverted.status_code == 200, reverted.json()
    assert reverted.json()["properties"]["version"] == 3
    zone = ZoningArea.objects.get(pk=created["id"])
    assert bytes(zone.geom.wkb) == original_wkb
    assert (zone.zone_code, zone.land_use.code) == ("B1", "ODT")
    assert zone.max_coverage == Decimal("0.655")
    assert (zone.max_floors, zone.max_height_m, zone.max_far, zone.min_setback_m) == (
        5,
        Decimal("21.00"),
        Decimal("3.00"),
        Decimal("3.00"),
    )
    last = ZoningAreaRevision.objects.get(zone_id=zone.pk, version=3)
    assert last.action == "revert"


def test_revert_with_a_stale_current_version_gets_409(client_for, draft_zone):
    client = client_for("alice")
    url = f"/api/zoning/{draft_zone.pk}/"
    client.patch(url, {"properties": {"version": 1, "max_floors": 7}}, format="json")
    response = client.post(f"{url}revert/", {"version": 1, "current_version": 1}, format="json")
    assert response.status_code == 409


def test_history_shows_before_and_after_of_every_change(client_for, draft_zone):
    client = client_for("alice")
    url = f"/api/zoning/{draft_zone.pk}/"
    client.patch(
        url, {"properties": {"version": 1, "max_floors": 7, "comment": "taller"}}, format="json"
    )
    history = client.get(f"{url}history/").json()["history"]
    assert len(history) == 2
    change = history[1]
    assert (
        change["action"] == "update" and change["by"] == "alice" and change["comment"] == "taller"
    )
    assert change["before"]["attributes"]["max_floors"] == 5
    assert change["after"]["attributes"]["max_floors"] == 7
    assert abs(area_m2(change["after"]["geometry"]) - 10_000) < 0.05


def test_delete_needs_the_current_version_and_keeps_the_history(client_for, draft_zone):
    client = client_for("alice")
    url = f"/api/zoning/{draft_zone.pk}/"
    assert client.delete(f"{url}?version=3").status_code == 409
    assert client.delete(f"{url}?version=1").status_code == 204
    assert not ZoningArea.objects.filter(pk=draft_zone.pk).exists()
    history = client.get(f"{url}history/").json()["history"]
    assert [h["action"] for h in history] == ["create", "delete"]
    assert history[1]["after"]["geometry"] is None
    assert client.patch(url, {"properties": {"version": 2}}, format="json").status_code == 409


def test_zones_of_a_plan_in_review_cannot_be_edited(client_for, draft_zone):
    Plan.objects.filter(pk=draft_zone.plan_id).update(status=Plan.Status.IN_REVIEW)
    response = client_for("alice").patch(
        f"/api/zoning/{draft_zone.pk}/",
        {"properties": {"version": 1, "max_floors": 7}},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_split_cuts_a_zone_into_two_in_one_transaction(client_for, draft_zone):
    blade = line((X + 30, Y - 10), (X + 30, Y + 110))  # 30 m from the west edge
    response = client_for("alice").post(
        "/api/zoning/split/", {"id": draft_zone.pk, "version": 1, "line": blade}, format="json"
    )
    assert response.status_code == 200, response.json()
    features = response.json()["features"]
    assert [f["properties"]["zone_code"] for f in features] == ["A1", "A1-2"]
    assert [round(area_m2(f["geometry"])) for f in features] == [7_000, 3_000]
    assert features[0]["properties"]["version"] == 2


def test_merge_joins_neighbours_into_the_first(client_for, draft_zone):
    other = ZoningAreaFactory(plan=draft_zone.plan, zone_code="A2", geom=square(X + 100, Y, 100))
    response = client_for("alice").post(
        "/api/zoning/merge/",
        {"zones": [{"id": draft_zone.pk, "version": 1}, {"id": other.pk, "version": 1}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    merged = response.json()
    assert merged["properties"]["zone_code"] == "A1" and merged["properties"]["version"] == 2
    assert abs(area_m2(merged["geometry"]) - 20_000) < 0.1
    assert merged["geometry"]["type"] == "MultiPolygon"
    assert len(merged["geometry"]["coordinates"]) == 1  # one polygon: the shared edge is gone
    assert not ZoningArea.objects.filter(pk=other.pk).exists()


def test_merge_with_a_stale_version_changes_nothing(client_for, draft_zone):
    other = ZoningAreaFactory(plan=draft_zone.plan, zone_code="A2", geom=square(X + 100, Y, 100))
    response = client_for("alice").post(
        "/api/zoning/merge/",
        {"zones": [{"id": draft_zone.pk, "version": 1}, {"id": other.pk, "version": 4}]},
        format="json",
    )
    assert response.status_code == 409
    assert ZoningArea.objects.count() == 2
    assert not ZoningAreaRevision.objects.exists()


def test_the_public_reads_approved_zones_in_force_only(client_for, draft_zone):
    approved = ZoningAreaFactory(zone_code="P1", geom=square(X - 500, Y, 100))
    ZoningAreaFactory(plan=approved.plan, zone_code="P2", superseded_on="2025-01-01")
    codes = [
        f["properties"]["zone_code"]
        for f in client_for(None).get("/api/zoning/").json()["features"]
    ]
    assert codes == ["P1"]
    planner = [
        f["properties"]["zone_code"]
        for f in client_for("alice").get("/api/zoning/").json()["features"]
    ]
    assert sorted(planner) == ["A1", "P1"]


def test_bbox_and_plan_narrow_the_answer(client_for, draft_zone):
    from gis.crs import to_wgs84

    far = ZoningAreaFactory(zone_code="P1", geom=square(X - 5000, Y, 100))
    ZoningAreaFactory(plan=far.plan, zone_code="P3", geom=square(X + 300, Y, 100))
    lon0, lat0 = to_wgs84(X - 10, Y - 10, 9209)
    lon1, lat1 = to_wgs84(X + 500, Y + 500, 9209)
    body = client_for(None).get(f"/api/zoning/?bbox={lon0},{lat0},{lon1},{lat1}").json()
    assert [f["properties"]["zone_code"] for f in body["features"]] == ["P3"]
    body = client_for("alice").get(f"/api/zoning/?plan={draft_zone.plan_id}").json()
    assert [f["properties"]["zone_code"] for f in body["features"]] == ["A1"]
    assert client_for(None).get("/api/zoning/?bbox=1,2,3").status_code == 400
    assert client_for(None).get("/api/zoning/?date=2024-13-01").status_code == 400


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Detached houses, QCVN 01:2021 table 2.8: 200 m² → 70 %; 150 m² halfway 90 %–70 %.
        ("land_use=ODT&lot_area_m2=200", 0.7),
        ("land_use=ONT&lot_area_m2=150", 0.8),
        ("land_use=ODT&lot_area_m2=60", 1.0),
        ("land_use=DGT&lot_area_m2=200", None),  # no table for roads
    ],
)
def test_the_qcvn_coverage_suggestion(client_for, users, query, expected):
    body = client_for("alice").get(f"/api/zoning/qcvn/?{query}").json()
    assert body["max_coverage"] == expected
