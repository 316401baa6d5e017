"""Shared fixtures: data the migrations load (land-use codes, roles) is put back after a
transactional test flushed the tables."""

from __future__ import annotations

import importlib

import pytest

from tests.playwright_fixtures import browser, page  # noqa: F401 - one Chromium per run


@pytest.fixture(autouse=True)
def _migration_data(request):
    if not request.node.get_closest_marker("django_db"):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps
    from django.contrib.auth.models import Group

    from layers.models import LandUseType

    if not LandUseType.objects.exists():
        importlib.import_module("layers.migrations.0002_land_use_types").load(apps, None)
    if not Group.objects.filter(name="planner").exists():
        importlib.import_module("gis.migrations.0002_roles").create_roles(apps, None)
    yield


@pytest.fixture
def tile_cache(settings, tmp_path):
    """A tile cache of the test's own (its path), with MapProxy rebuilt on it before and
    after; any Host accepted, for clients that call the live server by address."""
    from tiles import service

    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    settings.ALLOWED_HOSTS = ["*"]
    service.reset()
    yield settings.TILE_CACHE_DIR
    service.reset()
