"""``/api/plans/``: draft → in review → approved, or back with a reason; approval supersedes
the older zones the new plan covers and invalidates the public zoning tiles."""

from __future__ import annotations

import datetime

import pytest

from layers import events
from planning.models import Plan, ZoningArea
from tests.editor.conftest import X, Y, create, polygon
from tests.factories import PlanFactory, ZoningAreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    """Every ``layer_changed`` event (the tiles app listens the same way)."""
    seen = []

    def record(key, extent, srid):
        seen.append((key, extent, srid))

    events.listen(record)
    yield seen
    events._listeners.remove(record)


def new_plan(client, **properties):
    body = {
        "type": "Feature",
        "geometry": polygon(X, Y, 1000),
        "properties": {"name": "Khu dân cư Tứ Minh", "level": "detailed", **properties},
    }
    return client.post("/api/plans/", body, format="json")


def test_a_planner_creates_a_draft_plan(client_for, users):
    response = new_plan(client_for("alice"))
    assert response.status_code == 201, response.json()
    props = response.json()["properties"]
    assert props["status"] == "draft" and props["created_by"] == "alice"
    assert props["actions"] == ["edit", "submit"]
    plan = Plan.objects.get()
    assert abs(plan.geom.area - 1_000_000) < 1  # 1 km², in VN-2000 metres


def test_a_plan_needs_a_name_a_level_and_a_boundary(client_for, users):
    response = client_for("alice").post("/api/plans/", {"properties": {}}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "level", "geometry"}


def test_a_plan_without_zones_cannot_be_submitted(client_for, draft_plan):
    response = client_for("alice").post(f"/api/plans/{draft_plan.pk}/submit/")
    assert response.status_code == 400
    assert Plan.objects.get(pk=draft_plan.pk).status == "draft"


def test_the_boundary_cannot_shrink_past_a_zone(client_for, draft_zone):
    response = client_for("alice").patch(
        f"/api/plans/{draft_zone.plan_id}/", {"geometry": polygon(X + 500, Y, 500)}, format="json"
    )
    assert response.status_code == 400
    assert "A1" in response.json()["errors"]["geometry"][0]


def test_submit_return_with_reason_and_resubmit(client_for, draft_zone):
    plan_url = f"/api/plans/{draft_zone.plan_id}/"
    planner, approver = client_for("alice"), client_for("bob")
    submitted = planner.post(f"{plan_url}submit/")
    assert submitted.status_code == 200 and submitted.json()["properties"]["status"] == "in_review"
    assert approver.get(plan_url).json()["properties"]["actions"] == ["approve", "return"]
    assert approver.post(f"{plan_url}return/", {"reason": ""}, format="json").status_code == 400
    returned = approver.post(f"{plan_url}return/", {"reason": "Thiếu ô cây xanh"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["properties"]["status"] == "draft"
    assert returned.json()["properties"]["return_reason"] == "Thiếu ô cây xanh"
    assert planner.post(f"{plan_url}submit/").status_code == 200


def test_approval_needs_decision_number_and_date(client_for, draft_zone):
    Plan.objects.filter(pk=draft_zone.plan_id).update(status="in_review")
    url = f"/api/plans/{draft_zone.plan_id}/approve/"
    response = client_for("bob").post(url, {"approved_on": "2026-01-05"}, format="json")
    assert response.status_code == 400 and "decision_number" in response.json()["errors"]
    response = client_for("bob").post(url, {"decision_number": "12/QĐ-UBND"}, format="json")
    assert response.status_code == 400 and "approved_on" in response.json()["errors"]
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client_for("bob").post(
        url, {"decision_number": "12/QĐ-UBND", "approved_on": future}, format="json"
    )
    assert response.status_code == 400
    assert Plan.objects.get(pk=draft_zone.plan_id).status == "in_review"


def test_a_draft_cannot_be_approved_before_review(client_for, draft_zone):
    response = client_for("bob").post(
        f"/api/plans/{draft_zone.plan_id}/approve/",
        {"decision_number": "12/QĐ-UBND", "approved_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 409


def test_approval_supersedes_whole_older_zones_it_covers_and_invalidates_tiles(
    client_for, draft_zone, changes, django_capture_on_commit_callbacks
):
    # Older plan (2020) with one zone half under the new boundary, one beside it (touching
    # only along the edge X), one far away.
    old_plan = PlanFactory(
        name="QH 2020", approved_on=datetime.date(2020, 3, 1), geom=square(X - 3000, Y - 1000, 5000)
    )
    half = ZoningAreaFactory(plan=old_plan, zone_code="C1", geom=square(X - 100, Y, 200))
    beside = ZoningAreaFactory(plan=old_plan, zone_code="C2", geom=square(X - 100, Y + 300, 100))
    far = ZoningAreaFactory(plan=old_plan, zone_code="C3", geom=square(X - 2000, Y, 100))
    Plan.objects.filter(pk=draft_zone.plan_id).update(status="in_review")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for("bob").post(
            f"/api/plans/{draft_zone.plan_id}/approve/",
            {"decision_number": "345/QĐ-UBND", "approved_on": "2026-01-05"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["properties"]["status"] == "approved"
    assert len(callbacks) == 1
    superseded = {z.zone_code: z.superseded_on for z in ZoningArea.objects.filter(plan=old_plan)}
    assert superseded == {"C1": datetime.date(2026, 1, 5), "C2": None, "C3": None}
    assert Plan.objects.get(pk=old_plan.pk).status == "approved"  # C2 and C3 stay in force
    # One event for the zoning layer: the new boundary and the whole of C1 (x from X - 100).
    [(key, extent, srid)] = changes
    assert key == "zoning" and srid == 9209
    assert extent == pytest.approx((X - 100, Y, X + 1000, Y + 1000))
    assert half.pk and beside.pk and far.pk


def test_an_older_plan_whose_zones_are_all_covered_becomes_superseded(client_for, draft_zone):
    old_plan = PlanFactory(name="QH 2020", approved_on=datetime.date(2020, 3, 1))
    ZoningAreaFactory(plan=old_plan, zone_code="C1", geom=square(X + 500, Y + 500, 100))
    Plan.objects.filter(pk=draft_zone.plan_id).update(status="in_review")
    client_for("bob").post(
        f"/api/plans/{draft_zone.plan_id}/approve/",
        {"decision_number": "345/QĐ-UBND", "approved_on": "2026-01-05"},
        format="json",
    )
    old_plan.refresh_from_db()
    assert (old_plan.status, old_plan.superseded_on) == ("superseded", datetime.date(2026, 1, 5))


def test_draft_edits_do_not_touch_the_tiles(
    client_for, draft_plan, changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            create(client_for("alice"), draft_plan, polygon(X + 10, Y + 10, 50)).status_code == 201
        )
    assert changes == []


def test_time_travel_answers_differ_before_and_after_the_approval_date(client_for, draft_zone):
    from tests.factories import LandParcelFactory

    old_plan = PlanFactory(name="QH 2020", approved_on=datetime.date(2020, 3, 1))
    ZoningAreaFactory(plan=old_plan, zone_code="C1", geom=square(X, Y, 100))
    parcel = LandParcelFactory(geom=square(X + 10, Y + 10, 20))
    Plan.objects.filter(pk=draft_zone.plan_id).update(status="in_review")
    client_for("bob").post(
        f"/api/plans/{draft_zone.plan_id}/approve/",
        {"decision_number": "345/QĐ-UBND", "approved_on": "2026-01-05"},
        format="json",
    )
    public = client_for(None)

    def codes(day):
        body = public.get(f"/api/zoning/?date={day}").json()
        return [f["properties"]["zone_code"] for f in body["features"]]

    def report(day):
        body = public.get(f"/api/planning-report/?parcel={parcel.pk}&date={day}").json()
        return [z["zone"] for z in body["zoning"]]

    assert codes("2026-01-04") == ["C1"]
    assert codes("2026-01-05") == ["A1"]
    assert codes("2019-12-31") == []
    assert report("2026-01-04") == ["C1"]
    assert report("2026-01-05") == ["A1"]
    assert [
        f["properties"]["zone_code"] for f in public.get("/api/zoning/").json()["features"]
    ] == ["A1"]


def test_the_public_sees_approved_plans_only(client_for, draft_plan):
    PlanFactory(name="Approved")
    names = [
        f["properties"]["name"] for f in client_for(None).get("/api/plans/").json()["features"]
    ]
    assert names == ["Approved"]
    assert client_for(None).get(f"/api/plans/{draft_plan.pk}/").status_code == 404
    props = client_for(None).get("/api/plans/").json()["features"][0]["properties"]
    assert props["created_by"] is None and props["actions"] == []
