"""An import killed with ``kill -9`` in the middle of loading leaves nothing behind, and a
re-run of the same file then loads it whole (CONTRACT.md: import_layer is all or nothing)."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from layers.models import LandParcel
from tests.factories import AdminUnitFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
COUNT = 60_000


def generate(path: Path, count: int) -> None:
    """bench/import's generator: 5 × 20 m lots in commune 10540, UTF-8 shapefile + .prj."""
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench/import/run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(path, count)


def import_layer(path: Path) -> subprocess.Popen:
    env = {**os.environ, "QUYHOACH_DB_NAME": connection.settings_dict["NAME"]}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_layer", "parcels", str(path), "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def loading_backend() -> int | None:
    """The server process of a session loading parcels (COPY into staging, or upsert)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' "
            "AND (query LIKE 'COPY%%' OR query LIKE '%%INSERT INTO%%')"
        )
        row = cursor.fetchone()
        return row[0] if row else None


def wait_for_session_to_end(pid: int, timeout_s: float = 120) -> None:
    """The server notices the dead client and rolls its transaction back. (Only that
    session: Mapnik's pooled connections of other tests may stay on this database.)"""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the killed import's session is still there")


def test_an_import_killed_mid_load_leaves_nothing_and_a_re_run_loads_all(tmp_path):
    AdminUnitFactory(code="10540")
    shp = tmp_path / "thua_dat.shp"
    generate(shp, COUNT)
    child = import_layer(shp)
    # Kill it while it writes: during the COPY into staging or the upsert, both inside the
    # one transaction.
    deadline = time.monotonic() + 300
    backend = None
    while time.monotonic() < deadline and child.poll() is None:
        backend = loading_backend()
        if backend:
            break
        time.sleep(0.02)
    assert backend, "the import ended before it was seen loading: make the file bigger"
    time.sleep(0.3)  # some rows in
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    wait_for_session_to_end(backend)
    assert LandParcel.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't'")
        assert cursor.fetchone()[0] == 0  # no staging table left either

    rerun = import_layer(shp)
    _, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr.decode()[-2000:]
    assert LandParcel.objects.count() == COUNT
    assert LandParcel.objects.filter(sheet=COUNT // 500, number=500).exists()
