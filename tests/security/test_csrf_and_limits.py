"""Writes from a signed-in browser need the CSRF token (Django's middleware for pages, DRF's
SessionAuthentication for the API); request bodies and uploads have size limits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.factories import PlanFactory, ZoningAreaFactory
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(db):
    user = User.objects.create_user("thu", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="planner"))
    return user


def draft_plan():
    plan = PlanFactory(status="draft", decision_number="", approved_on=None)
    ZoningAreaFactory(plan=plan)  # a plan needs a zone to be submitted
    return plan


def browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_an_api_write_without_the_csrf_token_is_refused(planner):
    plan = draft_plan()
    response = browser(planner).post(
        f"/api/plans/{plan.pk}/submit/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_same_api_write_with_the_token_passes_the_check(planner):
    plan = draft_plan()
    client = browser(planner)
    client.get("/")  # the map page sets the csrftoken cookie (language form)
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/api/plans/{plan.pk}/submit/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code != 403, response.content
    plan.refresh_from_db()
    assert plan.status == "in_review"


def test_an_admin_upload_without_the_csrf_token_is_refused(db):
    admin_user = User.objects.create_superuser("hoa", "hoa@example.invalid", PASSWORD)
    response = browser(admin_user).post(
        "/admin/importers/importrun/upload/", {"layer": "parcels", "encoding": "auto"}
    )
    assert response.status_code == 403


def test_scripts_with_a_token_need_no_csrf_token(planner):
    from rest_framework.authtoken.models import Token

    plan = draft_plan()
    token = Token.objects.create(user=planner)
    response = Client(enforce_csrf_checks=True).post(
        f"/api/plans/{plan.pk}/submit/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200, response.content


def test_a_request_body_over_the_limit_is_refused(client, planner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(planner)
    response = client.post(
        "/api/plans/", b'{"name": "' + b"x" * 2048 + b'"}', content_type="application/json"
    )
    assert response.status_code in (400, 413)


def test_an_upload_over_the_import_limit_is_refused(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from importers.models import ImportRun

    settings.IMPORT_MAX_BYTES = 1000
    settings.MEDIA_ROOT = tmp_path
    admin_user = User.objects.create_superuser("hoa", "hoa@example.invalid", PASSWORD)
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("thua_dat.zip", b"PK" + b"\0" * 2000)
    response = client.post(
        "/admin/importers/importrun/upload/",
        {"layer": "parcels", "file": upload, "encoding": "auto"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "size limit" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_upload_limits_are_set_for_production():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 2000
    assert settings.IMPORT_MAX_BYTES == 2 * 1024**3
