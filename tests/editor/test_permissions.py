"""Role × action matrix for ``/api/plans/`` and ``/api/zoning/`` (server-side checks).

Reads of drafts answer 404 to those who may not see drafts (their existence is not public);
writes answer 403. Staff without a planning role is treated as the public.
"""

from __future__ import annotations

import pytest

from planning.models import Plan
from tests.editor.conftest import X, Y, attributes, line, polygon
from tests.factories import PlanFactory, ZoningAreaFactory, square

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "alice", "bob", "charlie", "dave")  # planner, approver, officer, staff
USER = {"anonymous": None}


def _plan_body():
    return {"geometry": polygon(X, Y, 1000), "properties": {"name": "Mới", "level": "zoning"}}


def _zone_body(plan):
    return {"geometry": polygon(X + 300, Y, 50), "properties": {"plan": plan.pk, **attributes()}}


# action: (method, url template, body builder, plan status needed, {role: expected status}).
# Unlisted roles expect the default (last item).
PLANNER_ONLY = {"alice": None, "default": 403}
ACTIONS = {
    "plans list": ("get", "/api/plans/", None, "draft", {"default": 200}),
    "plans create": (
        "post",
        "/api/plans/",
        lambda p, z: _plan_body(),
        "draft",
        {"alice": 201, "default": 403},
    ),
    "plan retrieve draft": (
        "get",
        "/api/plans/{plan}/",
        None,
        "draft",
        {"alice": 200, "bob": 200, "default": 404},
    ),
    "plan retrieve approved": ("get", "/api/plans/{plan}/", None, "approved", {"default": 200}),
    "plan update": (
        "patch",
        "/api/plans/{plan}/",
        lambda p, z: {"properties": {"name": "Đổi"}},
        "draft",
        {"alice": 200, "default": 403},
    ),
    "plan submit": (
        "post",
        "/api/plans/{plan}/submit/",
        None,
        "draft",
        {"alice": 200, "default": 403},
    ),
    "plan approve": (
        "post",
        "/api/plans/{plan}/approve/",
        lambda p, z: {"decision_number": "1/QĐ", "approved_on": "2026-01-05"},
        "in_review",
        {"bob": 200, "default": 403},
    ),
    "plan return": (
        "post",
        "/api/plans/{plan}/return/",
        lambda p, z: {"reason": "Thiếu"},
        "in_review",
        {"bob": 200, "default": 403},
    ),
    "zoning list": ("get", "/api/zoning/", None, "draft", {"default": 200}),
    "zone create": (
        "post",
        "/api/zoning/",
        lambda p, z: _zone_body(p),
        "draft",
        {"alice": 201, "default": 403},
    ),
    "zone retrieve draft": (
        "get",
        "/api/zoning/{zone}/",
        None,
        "draft",
        {"alice": 200, "bob": 200, "default": 404},
    ),
    "zone retrieve approved": ("get", "/api/zoning/{zone}/", None, "approved", {"default": 200}),
    "zone update": (
        "patch",
        "/api/zoning/{zone}/",
        lambda p, z: {"properties": {"version": 1, "max_floors": 6}},
        "draft",
        {"alice": 200, "default": 403},
    ),
    "zone delete": (
        "delete",
        "/api/zoning/{zone}/?version=1",
        None,
        "draft",
        {"alice": 204, "default": 403},
    ),
    "zone history draft": (
        "get",
        "/api/zoning/{zone}/history/",
        None,
        "draft",
        {"alice": 200, "bob": 200, "default": 404},
    ),
    "zone history approved": (
        "get",
        "/api/zoning/{zone}/history/",
        None,
        "approved",
        {"default": 200},
    ),
    "zone revert": (
        "post",
        "/api/zoning/{zone}/revert/",
        lambda p, z: {"version": 1, "current_version": 1},
        "draft",
        {"alice": 200, "default": 403},
    ),
    "zone split": (
        "post",
        "/api/zoning/split/",
        lambda p, z: {"id": z.pk, "version": 1, "line": line((X + 50, Y - 5), (X + 50, Y + 105))},
        "draft",
        {"alice": 200, "default": 403},
    ),
    "zone merge": (
        "post",
        "/api/zoning/merge/",
        lambda p, z: {"zones": [{"id": z.pk, "version": 1}, {"id": z.neighbour, "version": 1}]},
        "draft",
        {"alice": 200, "default": 403},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(client_for, users, action, role):
    method, template, build, status, expected = ACTIONS[action]
    plan = PlanFactory(
        status=status,
        decision_number="9/QĐ" if status == "approved" else "",
        approved_on="2020-01-01" if status == "approved" else None,
        geom=square(X, Y, 1000),
    )
    zone = ZoningAreaFactory(plan=plan, zone_code="A1", geom=square(X, Y, 100))
    zone.neighbour = ZoningAreaFactory(plan=plan, zone_code="A2", geom=square(X + 100, Y, 100)).pk
    client = client_for(USER.get(role, role))
    url = template.format(plan=plan.pk, zone=zone.pk)
    body = build(plan, zone) if build else None
    response = (
        getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    )
    want = expected.get(role, expected["default"])
    assert response.status_code == want, (action, role, response.content[:300])
    if want >= 400:
        assert "detail" in response.json()
        assert Plan.objects.get(pk=plan.pk).status == status  # nothing changed


def test_a_superuser_may_do_what_planners_and_approvers_do(client_for, users, draft_zone):
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    admin = User.objects.create_superuser("root", password="pw-root")
    client = APIClient()
    client.force_authenticate(admin)
    url = f"/api/plans/{draft_zone.plan_id}/"
    assert client.post(f"{url}submit/").status_code == 200
    response = client.post(
        f"{url}approve/", {"decision_number": "1/QĐ", "approved_on": "2026-01-05"}, format="json"
    )
    assert response.status_code == 200


def test_session_writes_need_the_csrf_token(users, draft_zone):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["alice"])
    response = client.patch(
        f"/api/zoning/{draft_zone.pk}/",
        {"properties": {"version": 1, "max_floors": 6}},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), ("alice", 200), ("bob", 200), ("charlie", 403), ("dave", 403)],
)
def test_the_editor_page_is_for_planners_and_approvers(client, users, role, status):
    if role:
        client.force_login(users[role])
    response = client.get("/editor/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/?next=/editor/")
