"""The database stopped and restarted under traffic: ``/healthz`` answers 503 meanwhile,
pages and the API answer 503 rather than 500, and the app recovers by itself (Django's
CONN_HEALTH_CHECKS) with no error after.

A private PostgreSQL cluster in a temporary folder, migrated, served by gunicorn: stopping
it touches no one else's database (gis/pgcluster.py)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gis import pgcluster

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["/healthz", "/api/layers/", "/api/parcels/?commune=10540", "/api/search/?q=12", "/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # connection refused/reset: the server itself is gone


def wait_for(url: str, status: int, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if get(url) == status:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {timeout_s} s")


@pytest.fixture(scope="module")
def private_site():
    """A migrated private cluster and gunicorn on it; both stopped afterwards."""
    var = Path(tempfile.mkdtemp(prefix="qh-fault-", dir="/tmp"))
    cluster = pgcluster.Cluster(var)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "QUYHOACH_DB_NAME", "TILE_CACHE_DIR", "CACHE_DIR")
    }
    env.update(
        QUYHOACH_VAR_DIR=str(var),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        WHITENOISE_USE_FINDERS="1",
    )
    port = free_port()
    server = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "gis.wsgi", "-w", "2", "--threads", "4"]
            + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", 200, 60)
        yield base, cluster
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        pgcluster.stop(cluster, mode="immediate")
        subprocess.run(["rm", "-rf", str(var)], check=False)


def test_a_database_restart_gives_503_meanwhile_and_recovers_by_itself(private_site):
    base, cluster = private_site
    log: list[tuple[str, str, int]] = []  # (phase, path, status)
    phase = ["before"]
    stop = threading.Event()

    def traffic(offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = PATHS[i % len(PATHS)]
            log.append((phase[0], path, get(base + path)))
            i += 1
            time.sleep(0.02)

    threads = [threading.Thread(target=traffic, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        phase[0] = "down"
        pgcluster.stop(cluster, mode="fast")
        wait_for(f"{base}/healthz", 503, 15)
        time.sleep(2)
        phase[0] = "restarting"
        pgcluster.ensure_running(cluster)
        recovered_in = wait_for(f"{base}/healthz", 200, 30)
        phase[0] = "after"
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert recovered_in < 30
    by_phase: dict[str, list[int]] = {}
    for name, _path, status in log:
        by_phase.setdefault(name, []).append(status)
    assert set(by_phase["before"]) == {200}
    # While the database is down: 503 from /healthz and from whatever needs the database,
    # never a 500 page (the map page itself needs no database).
    down = [(path, status) for name, path, status in log if name == "down"]
    assert ("/healthz", 503) in down
    assert ("/api/parcels/?commune=10540", 503) in down  # gis/outage.py, not a 500
    assert {status for _, status in down} <= {200, 503}, down
    assert {status for name, _, status in log if name == "restarting"} <= {200, 503}
    # After: everything answers again, no error at all.
    after = [(path, status) for name, path, status in log if name == "after"]
    assert len(after) >= 20
    assert {status for _, status in after} == {200}, after
