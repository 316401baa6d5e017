"""Named users, one per role of CONTRACT.md ("Roles"), in the groups the roles migration
creates (gis/migrations/0002_roles.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

PASSWORD = "a-long-pass-9"  # noqa: S105 - test accounts only
ROLES = ("anonymous", "planner", "plan_approver", "permit_officer", "staff")


def make_user(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "staff":
        # Administrators: superusers, as CONTRACT.md says ("superusers administer").
        return User.objects.create_superuser(f"{role}_user", f"{role}@example.invalid", PASSWORD)
    user = User.objects.create_user(f"{role}_user", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def role_client(client, db):
    """``role_client(role)``: the test client signed in as a user of that role."""

    def sign_in(role: str):
        user = make_user(role)
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
