"""Create (or reset) the demo accounts, one per role, with fresh random passwords."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

# username → (role group or None for the administrator, display name)
DEMO_ACCOUNTS = {
    "admin": (None, "Quản trị hệ thống"),
    "planner": ("planner", "Chuyên viên quy hoạch"),
    "approver": ("plan_approver", "Lãnh đạo phê duyệt"),
    "officer": ("permit_officer", "Cán bộ cấp phép"),
}


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) and print their new passwords."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write("Demo accounts (passwords are new on every run):")
        for username, (role, full_name) in DEMO_ACCOUNTS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = full_name
            user.is_staff = True
            user.is_superuser = role is None
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<9} {password}  ({role or 'superuser'})")
