"""The admin: every model has pages, and map widgets load nothing from the internet."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User

from tests.factories import LandParcelFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"layers", "planning", "importers", "tiles"}


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("root-admin", "admin@example.invalid", "a-long-pass-1")
    client.force_login(user)
    return client


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    registered = set(admin.site._registry)
    for app in ("layers", "planning"):
        for model in apps.get_app_config(app).get_models():
            assert model in registered, model


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_every_admin_page_renders(staff_client, rf, view):
    request = rf.get("/admin/")
    request.user = User.objects.get(username="root-admin")
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if view == "add":
            if not model_admin.has_add_permission(request):
                continue  # e.g. import runs: created by imports only
            url += "add/"
        assert staff_client.get(url).status_code == 200, url


def test_the_parcel_form_uses_the_offline_map_widget(staff_client):
    parcel = LandParcelFactory()
    html = staff_client.get(f"/admin/layers/landparcel/{parcel.pk}/change/").content.decode()
    assert "/static/vendor/ol/ol.js" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert "source.OSM" not in html
