"""Test-run set-up: the embedded PostGIS cluster must be up before pytest-django creates
its test database on it. (Environment variables: see gis/testenv.py.)"""

import pytest


def pytest_configure(config):
    from django.conf import settings

    from gis.pgcluster import ensure_running, uses_embedded_cluster

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    if uses_embedded_cluster():
        ensure_running()


@pytest.fixture(scope="session", autouse=True)
def _close_renderer_connections(django_db_setup, django_db_blocker):
    """Mapnik keeps its own pooled connections to the test database; end them before
    pytest-django drops it."""
    yield
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if not name.startswith("test_"):
        return  # never touch a real database
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
