"""Roles (CONTRACT.md): Django groups created by a data migration, with their permissions."""

import pytest
from django.contrib.auth.models import Group, User

pytestmark = pytest.mark.django_db


def member(role: str) -> User:
    user = User.objects.create_user(username=f"u-{role}", password="x-" + role * 3)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def test_the_three_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "planner",
        "plan_approver",
        "permit_officer",
    }


def test_a_planner_edits_zoning_but_sees_no_personal_data():
    planner = member("planner")
    assert planner.has_perm("planning.change_zoningarea")
    assert planner.has_perm("planning.add_plan")
    assert not planner.has_perm("layers.view_parcelholder")
    assert not planner.has_perm("layers.view_permitapplicant")


def test_a_permit_officer_handles_permits_and_applicants_but_not_zoning():
    officer = member("permit_officer")
    assert officer.has_perm("layers.change_constructionpermit")
    assert officer.has_perm("layers.view_permitapplicant")
    assert not officer.has_perm("planning.change_zoningarea")


def test_a_plan_approver_reviews_plans_without_editing_zones():
    approver = member("plan_approver")
    assert approver.has_perm("planning.change_plan")
    assert not approver.has_perm("planning.change_zoningarea")
