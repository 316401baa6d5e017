"""Role × endpoint × method: who may do what on every URL of CONTRACT.md (and the pages
and APIs built on it), for anonymous visitors, planners, plan approvers, permit officers
and staff (superusers).

One row per endpoint and method in ``MATRIX``: the roles allowed. For an allowed role the
answer must not be a refusal (401/403/405, or a redirect to the sign-in page) and never a
5xx; a 400 or 409 for the minimal body a write sends here is fine: the permission check
passed. For every other role it must be a refusal. Reads that everyone may make but that
show each role a different subset (plans: drafts to planners and approvers only) have their
own tests below. A row whose route does not resolve yet is skipped with the
reason: add rows as endpoints land.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.factories import (
    ConstructionPermitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
)
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"staff"})
PLANNERS = frozenset({"planner", "staff"})
APPROVERS = frozenset({"plan_approver", "staff"})
PLANNING = frozenset({"planner", "plan_approver", "staff"})
OFFICERS = frozenset({"permit_officer", "staff"})


@dataclass(frozen=True)
class Row:
    """``path`` and ``body`` string values may name the fixture objects: {parcel}, {plan}
    (a draft), {zone} (in the draft), {permit}."""

    method: str
    path: str
    allowed: frozenset[str]
    body: dict = field(default_factory=dict)


# A point inside the fixture parcel (VN-2000 580 005, 2 314 005 in WGS 84).
LONLAT = "lon=106.27102&lat=20.91743"

MATRIX: list[Row] = [
    # Public pages and reads.
    Row("GET", "/", EVERYONE),
    Row("GET", "/healthz", EVERYONE),
    Row("GET", "/report/{parcel}/", EVERYONE),
    Row("GET", "/api/layers/", EVERYONE),
    Row("GET", "/api/search/?q=12", EVERYONE),
    Row("GET", f"/api/identify/?{LONLAT}&zoom=18", EVERYONE),
    Row("GET", "/api/parcels/", EVERYONE),
    Row("GET", "/api/planning-report/?parcel={parcel}", EVERYONE),
    Row("GET", f"/api/planning-report/?{LONLAT}", EVERYONE),
    Row("GET", "/api/schema/", EVERYONE),
    Row("GET", "/api/docs/", EVERYONE),
    Row("GET", "/tiles/wmts/1.0.0/WMTSCapabilities.xml", EVERYONE),
    Row("GET", "/tiles/mvt/parcels/16/52727/29162.pbf", EVERYONE),
    Row("GET", "/ogc/", EVERYONE),
    Row("GET", "/ogc/collections", EVERYONE),
    Row("GET", "/accounts/login/", EVERYONE),
    # Public reads are reads only.
    Row("POST", "/api/parcels/", frozenset()),
    Row("DELETE", "/api/parcels/", frozenset()),
    Row("POST", "/api/layers/", frozenset()),
    # Zoning: read by everyone (approved plans), written by planners.
    Row("GET", "/api/zoning/", EVERYONE),
    Row("GET", "/api/zoning/{zone}/", EVERYONE),
    Row("GET", "/api/zoning/{zone}/history/", EVERYONE),
    Row("POST", "/api/zoning/", PLANNERS, {"properties": {"plan": "{plan}"}, "geometry": None}),
    Row("PATCH", "/api/zoning/{zone}/", PLANNERS),
    Row("PUT", "/api/zoning/{zone}/", PLANNERS),
    Row("DELETE", "/api/zoning/{zone}/", PLANNERS),
    # Plans: planners; approval: plan approvers.
    Row("GET", "/api/plans/", EVERYONE),  # approved ones to all, drafts to PLANNING
    Row("GET", "/api/plans/{plan}/", PLANNING),  # a draft: 404 to the others
    Row("POST", "/api/plans/", PLANNERS),
    Row("POST", "/api/plans/{plan}/submit/", PLANNERS),
    Row("POST", "/api/plans/{plan}/approve/", APPROVERS),
    Row("POST", "/api/plans/{plan}/import/", PLANNERS),
    # Permits: officers; issued permits' public fields: everyone.
    Row("GET", "/api/permits/", EVERYONE),
    Row("POST", "/api/permits/", OFFICERS),
    Row("PATCH", "/api/permits/{permit}/", OFFICERS),
    Row("POST", "/api/permits/{permit}/check/", OFFICERS),
    Row("POST", "/api/permits/{permit}/decide/", OFFICERS),
    # Work pages.
    Row("GET", "/editor/", PLANNING),  # approvers review drafts there
    Row("GET", "/desk/", OFFICERS),
    # The admin: staff accounts; private tables to those whose role needs them.
    Row("GET", "/admin/", SIGNED_IN),
    Row("GET", "/admin/layers/parcelholder/", OFFICERS),
    Row("GET", "/admin/layers/permitapplicant/", OFFICERS),
    Row("GET", "/admin/planning/zoningarea/", frozenset(ROLES) - {"anonymous"}),
    Row("GET", "/admin/layers/constructionpermit/", OFFICERS),
    Row("GET", "/admin/importers/importrun/upload/", STAFF),
    Row("GET", "/admin/quyhoach/auditevent/", STAFF),
    Row("GET", "/admin/auth/user/", STAFF),
]


@pytest.fixture
def objects(db):
    parcel = LandParcelFactory()
    plan = PlanFactory(status="draft", decision_number="", approved_on=None)
    zone = ZoningAreaFactory(plan=plan)
    permit = ConstructionPermitFactory()
    permit.parcels.add(parcel)
    return {"parcel": parcel.pk, "plan": plan.pk, "zone": zone.pk, "permit": permit.pk}


def fill(value, objects: dict[str, int]):
    """The body with "{plan}"-like strings replaced by the fixture objects' ids."""
    if isinstance(value, dict):
        return {key: fill(item, objects) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return objects[value[1:-1]]
    return value


def refused(response) -> bool:
    if response.status_code in (401, 403, 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and "login" in location


def resolves(path: str) -> bool:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    # The admin's catch-all answers every unknown /admin/ path with a redirect or 404.
    return match.url_name is not None or not path.startswith("/admin/")


CASES = [
    pytest.param(row, role, id=f"{row.method} {row.path} as {role}")
    for row in MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("row", "role"), CASES)
def test_role_may_or_may_not(row: Row, role: str, role_client, objects):
    path = row.path.format(**objects)
    if not resolves(path):
        pytest.skip(f"{urlsplit(path).path} is not routed yet")
    client = role_client(role)
    body = json.dumps(fill(row.body, objects))
    response = client.generic(
        row.method,
        path,
        data=body.encode() if row.method != "GET" else b"",
        content_type="application/json",
    )
    assert response.status_code < 500, response.content[:500]
    if role in row.allowed:
        assert not refused(response), f"{role} refused: {response.status_code}"
    elif path.startswith("/api/plans/") and row.method == "GET":
        assert response.status_code in (401, 403, 404), response.status_code
    else:
        assert refused(response), f"{role} not refused: {response.status_code}"


@pytest.mark.parametrize("role", ["anonymous", "permit_officer"])
def test_draft_plans_are_hidden_from_people_outside_planning(role, role_client, objects):
    approved = PlanFactory(name="Quy hoạch đã duyệt")
    if not resolves("/api/plans/"):
        pytest.skip("/api/plans/ is not routed yet")
    listed = role_client(role).get("/api/plans/").json()["features"]
    assert [feature["id"] for feature in listed] == [approved.pk]
