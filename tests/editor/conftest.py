"""Named users per role, a draft plan, and GeoJSON squares given in VN-2000 metres."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from gis.crs import from_wgs84, to_wgs84
from planning.models import Plan
from tests.factories import PlanFactory, ZoningAreaFactory, square

X, Y = 580_000.0, 2_314_000.0
ROLES = {
    "alice": "planner",
    "amy": "planner",
    "bob": "plan_approver",
    "charlie": "permit_officer",
}


def ring(x: float, y: float, size: float, height: float | None = None) -> list[list[float]]:
    h = size if height is None else height
    corners = [(x, y), (x + size, y), (x + size, y + h), (x, y + h), (x, y)]
    return [list(to_wgs84(cx, cy, 9209)) for cx, cy in corners]


def polygon(x: float, y: float, size: float, height: float | None = None) -> dict:
    """A GeoJSON polygon (WGS 84) of the square/rectangle with its SW corner at (x, y)."""
    return {"type": "Polygon", "coordinates": [ring(x, y, size, height)]}


def line(*points: tuple[float, float]) -> dict:
    return {
        "type": "LineString",
        "coordinates": [list(to_wgs84(px, py, 9209)) for px, py in points],
    }


def area_m2(geometry: dict) -> float:
    """Planar area in VN-2000 / TM-3 of a GeoJSON (Multi)Polygon, by the shoelace formula."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    total = 0.0
    for rings in polygons:
        for i, points in enumerate(rings):
            xy = [from_wgs84(lon, lat, 9209) for lon, lat in points]
            a = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False)) / 2
            total += abs(a) if i == 0 else -abs(a)
    return total


def attributes(**overrides) -> dict:
    return {
        "zone_code": "B1",
        "land_use": "ODT",
        "max_coverage": 0.6,
        "max_floors": 5,
        "max_height_m": 21,
        "max_far": 3,
        "min_setback_m": 3,
        **overrides,
    }


@pytest.fixture
def users(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    people = {}
    for name, role in ROLES.items():
        user = User.objects.create_user(name, password="pw-" + name)
        user.groups.add(Group.objects.get(name=role))
        people[name] = user
    people["dave"] = User.objects.create_user("dave", password="pw-dave", is_staff=True)
    return people


@pytest.fixture
def client_for(users):
    def make(name: str | None) -> APIClient:
        client = APIClient()
        if name:
            client.force_authenticate(users[name])
        return client

    return make


@pytest.fixture
def draft_plan(users):
    """A 1 km draft plan whose SW corner is (X, Y)."""
    return PlanFactory(
        name="Quy hoạch chi tiết khu dân cư mới",
        status=Plan.Status.DRAFT,
        decision_number="",
        approved_on=None,
        geom=square(X, Y, 1000),
        created_by=users["alice"],
    )


@pytest.fixture
def draft_zone(draft_plan):
    """Zone A1 of the draft plan: a 100 m square at (X, Y), version 1."""
    return ZoningAreaFactory(plan=draft_plan, zone_code="A1", geom=square(X, Y, 100))


def create(client, plan, geometry, **attrs) -> object:
    return client.post(
        "/api/zoning/",
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"plan": plan.pk, **attributes(**attrs)},
        },
        format="json",
    )
