"""The embedded cluster: Unix socket only, owned by the project under var/."""

import subprocess

import pytest
from django.db import connection

from gis.pgcluster import (
    Cluster,
    _serving,
    default_cluster,
    ensure_running,
    is_running,
    uses_embedded_cluster,
)

pytestmark = pytest.mark.skipif(not uses_embedded_cluster(), reason="DATABASE_URL in use")


def test_the_cluster_listens_on_no_tcp_port():
    with connection.cursor() as cursor:
        cursor.execute("SHOW listen_addresses")
        assert cursor.fetchone()[0] == ""


def test_the_cluster_lives_in_the_project_var_folder():
    cluster = default_cluster()
    assert (cluster.data_dir / "PG_VERSION").exists()
    assert is_running(cluster)


def test_ensure_running_is_idempotent():
    assert ensure_running().data_dir == default_cluster().data_dir
    assert is_running(default_cluster())


def test_a_running_cluster_is_found_without_starting_a_process(monkeypatch):
    # Every manage.py command asks: one connection answers, no pg_ctl, pg_isready or psql.
    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "run", no_process)
    assert ensure_running().data_dir == default_cluster().data_dir


def test_a_cluster_that_is_down_is_not_taken_for_running(tmp_path):
    assert not _serving(Cluster(tmp_path))


pytestmark = [pytestmark, pytest.mark.django_db]
