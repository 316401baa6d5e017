"""Each rule of the permit check with hand-computed squares and rectangles (VN-2000 metres).

The parcel is 20 m × 20 m = 400 m² at (X, Y); the zone allows coverage 0.80, 5 floors,
21 m and FAR 4. QCVN 01:2021 for a 400 m² detached-house lot: halfway between 300 m² →
0.60 and 500 m² → 0.50, so 0.55 — the stricter limit.
"""

from __future__ import annotations

import datetime

import pytest

from layers.models import EnvironmentZone, LandUseType, RedLine
from planning.compliance import check_permit, interpolate, qcvn_max_coverage, qcvn_min_setback
from planning.models import Plan
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square
from tests.permits.conftest import X, Y, rect

pytestmark = pytest.mark.django_db


def rule(result, name):
    return next(r for r in result["rules"] if r["rule"] == name)


def test_qcvn_detached_house_table_interpolates_between_rows():
    assert qcvn_max_coverage(works_type="detached_house", lot_area_m2=400, height_m=10) == 0.55
    assert qcvn_max_coverage(works_type="detached_house", lot_area_m2=150, height_m=10) == 0.8
    assert qcvn_max_coverage(works_type="detached_house", lot_area_m2=60, height_m=10) == 1.0
    assert qcvn_max_coverage(works_type="detached_house", lot_area_m2=2000, height_m=10) == 0.4


def test_qcvn_commercial_table_depends_on_height_and_lot_area():
    # ≤ 16 m: 3 000 m² → 0.80, 10 000 m² → 0.70; 6 500 m² is halfway: 0.75.
    assert qcvn_max_coverage(works_type="commercial", lot_area_m2=6500, height_m=12) == 0.75
    # > 46 m: 10 000 m² → 0.45.
    assert qcvn_max_coverage(works_type="commercial", lot_area_m2=10000, height_m=60) == 0.45
    assert qcvn_max_coverage(works_type="commercial", lot_area_m2=10000, height_m=30) is None
    assert qcvn_max_coverage(works_type="other", lot_area_m2=10000, height_m=60) is None


def test_qcvn_setback_table_by_road_width_and_height():
    assert qcvn_min_setback(road_width_m=12, height_m=15) == 0
    assert qcvn_min_setback(road_width_m=12, height_m=20) == 3
    assert qcvn_min_setback(road_width_m=12, height_m=25) == 4
    assert qcvn_min_setback(road_width_m=12, height_m=30) == 6
    assert qcvn_min_setback(road_width_m=20, height_m=25) == 3
    assert qcvn_min_setback(road_width_m=30, height_m=25) == 0


def test_interpolate_clamps_at_both_ends():
    points = ((0.0, 1.0), (10.0, 0.0))
    assert interpolate(points, -5) == 1.0
    assert interpolate(points, 5) == 0.5
    assert interpolate(points, 50) == 0.0


def test_a_small_footprint_passes_every_rule(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14)))  # 196 m²: 0.49
    assert [r["rule"] for r in result["rules"] if not r["passed"]] == []
    assert result["compliant"] is True
    assert rule(result, "coverage")["required"] == "≤ 0.55"
    assert rule(result, "coverage")["actual"] == "0.49"


def test_coverage_over_the_qcvn_limit_fails_with_both_numbers(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 2, Y + 2, 16)))  # 256 / 400 = 0.64
    coverage = rule(result, "coverage")
    assert coverage["passed"] is False and coverage["status"] == "failed"
    assert coverage["required"] == "≤ 0.55"
    assert coverage["actual"] == "0.64"
    assert "0.64" in coverage["message"] and "0.55" in coverage["message"]
    assert result["compliant"] is False


def test_coverage_uses_the_zone_limit_when_it_is_stricter(zone, make_permit):
    zone.max_coverage = 0.5
    zone.save()
    result = check_permit(permit=make_permit(square(X + 2, Y + 2, 15)))  # 225 / 400 = 0.5625
    assert rule(result, "coverage")["required"] == "≤ 0.50"
    assert rule(result, "coverage")["actual"] == "0.56"
    assert rule(result, "coverage")["passed"] is False


def test_too_many_floors_fail(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), floors=6))
    floors = rule(result, "floors")
    assert (floors["passed"], floors["required"], floors["actual"]) == (False, "≤ 5", "6")


def test_too_high_fails(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), height_m=22))
    height = rule(result, "height")
    assert (height["passed"], height["required"], height["actual"]) == (
        False,
        "≤ 21.00 m",
        "22.00 m",
    )


def test_far_from_the_declared_gross_floor_area(zone, make_permit):
    over = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), gross_floor_area_m2=1700))
    assert (rule(over, "far")["passed"], rule(over, "far")["actual"]) == (False, "4.25")
    at_limit = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), gross_floor_area_m2=1600))
    assert (rule(at_limit, "far")["passed"], rule(at_limit, "far")["actual"]) == (True, "4.00")


def test_far_is_estimated_from_footprint_and_floors_without_a_floor_area(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), floors=4))
    assert rule(result, "far")["actual"] == "1.96"  # 196 m² × 4 / 400 m²


def test_a_footprint_over_the_parcel_edge_fails(zone, make_permit):
    result = check_permit(permit=make_permit(rect(X + 15, Y + 5, X + 25, Y + 15)))
    inside = rule(result, "footprint_in_parcel")
    assert (inside["passed"], inside["actual"]) == (False, "50.0 m²")  # 5 m × 10 m outside


def test_land_use_must_match_the_zone(zone, make_permit):
    ok = check_permit(permit=make_permit(square(X + 3, Y + 3, 14)))
    assert rule(ok, "land_use")["passed"] is True
    bad = check_permit(permit=make_permit(square(X + 3, Y + 3, 14), intended_use="TMD"))
    land_use = rule(bad, "land_use")
    assert (land_use["passed"], land_use["required"], land_use["actual"]) == (False, "ODT", "TMD")


@pytest.fixture
def street():
    """A 12 m planned road south of the parcel: red line along the parcel's south edge."""
    return RedLine.objects.create(
        code="CGDD-1", planned_width_m=12, geom=rect(X - 50, Y - 12, X + 70, Y)
    )


def test_building_line_takes_the_zone_setback(zone, street, make_permit):
    zone.min_setback_m = 3
    zone.save()
    near = check_permit(permit=make_permit(rect(X + 3, Y + 2, X + 15, Y + 14)))
    line = rule(near, "building_line")
    assert (line["passed"], line["required"], line["actual"]) == (False, "≥ 3.00 m", "2.00 m")
    behind = check_permit(permit=make_permit(rect(X + 3, Y + 3, X + 15, Y + 15)))
    assert rule(behind, "building_line")["passed"] is True


def test_building_line_takes_the_qcvn_setback_for_a_tall_building(zone, street, make_permit):
    # 20 m on a 12 m road: QCVN 01:2021 table 2.7 asks 3 m; the zone asks nothing.
    result = check_permit(permit=make_permit(rect(X + 3, Y + 2, X + 15, Y + 14), height_m=20))
    line = rule(result, "building_line")
    assert (line["passed"], line["required"], line["actual"]) == (False, "≥ 3.00 m", "2.00 m")


def test_no_red_line_nearby_passes_the_building_line(zone, make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14)))
    assert rule(result, "building_line")["passed"] is True


def test_a_no_build_zone_under_the_footprint_fails(zone, make_permit):
    EnvironmentZone.objects.create(
        code="W1",
        name="Hành lang bảo vệ nguồn nước",
        kind="water_source_protection",
        no_build=True,
        geom=square(X - 10, Y - 10, 15),
    )
    result = check_permit(permit=make_permit(square(X, Y, 14)))  # overlap 5 m × 5 m
    no_build = rule(result, "no_build_zone")
    assert (no_build["passed"], no_build["actual"]) == (False, "25.0 m²")
    assert "Hành lang bảo vệ nguồn nước" in no_build["message"]


def test_a_zone_where_building_is_allowed_does_not_fail(zone, make_permit):
    EnvironmentZone.objects.create(
        code="F1", name="Vùng ngập", kind="flood_zone", no_build=False, geom=square(X, Y, 50)
    )
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14)))
    assert rule(result, "no_build_zone")["passed"] is True


@pytest.fixture
def road_through_parcel():
    # Planned road land cutting 2 m off the parcel's south side: 20 m × 2 m = 40 m².
    return RedLine.objects.create(code="CGDD-2", geom=rect(X - 50, Y - 10, X + 70, Y + 2))


def test_a_parcel_in_planned_road_land_needs_a_temporary_permit(
    zone, road_through_parcel, make_permit
):
    result = check_permit(permit=make_permit(rect(X + 3, Y + 4, X + 15, Y + 16)))
    road = rule(result, "planned_road")
    assert (road["passed"], road["actual"]) == (False, "40.0 m²")
    temporary = check_permit(
        permit=make_permit(rect(X + 3, Y + 4, X + 15, Y + 16), kind="temporary")
    )
    assert rule(temporary, "planned_road")["passed"] is True


def test_without_approved_zoning_the_zone_rules_are_skipped(make_permit):
    result = check_permit(permit=make_permit(square(X + 3, Y + 3, 14)))
    for name in ("land_use", "floors", "height", "far"):
        assert rule(result, name)["status"] == "skipped"
        assert rule(result, name)["passed"] is False
    assert rule(result, "coverage")["status"] == "passed"  # QCVN alone still applies
    assert result["compliant"] is False


def test_without_a_footprint_the_geometric_rules_are_skipped(zone, make_permit):
    result = check_permit(permit=make_permit(None))
    for name in ("coverage", "footprint_in_parcel", "building_line"):
        assert rule(result, name)["status"] == "skipped"
    assert rule(result, "floors")["status"] == "passed"


def test_draft_zoning_and_later_plans_do_not_count(make_permit):
    odt = LandUseType.objects.get(code="ODT")
    draft = PlanFactory(status=Plan.Status.DRAFT, decision_number="", approved_on=None)
    ZoningAreaFactory(plan=draft, land_use=odt, geom=square(X - 100, Y - 100, 300))
    later = PlanFactory(name="Later", approved_on=datetime.date(2027, 1, 1))
    ZoningAreaFactory(plan=later, land_use=odt, geom=square(X - 100, Y - 100, 300))
    permit = make_permit(square(X + 3, Y + 3, 14))
    assert check_permit(permit=permit, on=datetime.date(2026, 11, 29))["zone"] is None
    assert check_permit(permit=permit, on=datetime.date(2027, 1, 2))["zone"] is not None


def test_two_parcels_make_one_lot_with_their_legal_areas(zone, make_permit, parcel):
    east = LandParcelFactory(geom=square(X + 20, Y, 20), area_m2="400.0", sheet=12, number=346)
    # 30 m × 10 m = 300 m² across both parcels (800 m²): 0.375; QCVN 800 m² → 0.44.
    result = check_permit(
        permit=make_permit(rect(X + 5, Y + 5, X + 35, Y + 15), parcels=[parcel, east])
    )
    assert result["lot_area_m2"] == 800.0
    assert rule(result, "footprint_in_parcel")["passed"] is True
    assert rule(result, "coverage")["actual"] == "0.38"
    assert rule(result, "coverage")["required"] == "≤ 0.44"
