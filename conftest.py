"""Test-run set-up: the embedded PostGIS cluster must be up before pytest-django creates
its test database on it. (Environment variables: see gis/testenv.py.)"""


def pytest_configure(config):
    from django.conf import settings

    from gis.pgcluster import ensure_running, uses_embedded_cluster

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    if uses_embedded_cluster():
        ensure_running()
