"""Starting the app under gunicorn for a benchmark, as in production, and waiting for it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_gunicorn(
    env: dict[str, str],
    port: int,
    *,
    app: str = "gis.wsgi",
    workers: int = 2,
    extra: Sequence[str] = (),
    ready: str = "/healthz",
) -> subprocess.Popen:
    """gunicorn ``app`` on 127.0.0.1:``port`` (``workers`` × 4 threads), once ``ready``
    answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-w", str(workers), "--threads", "4"]
        + [*extra, "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=5):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn ({app}) did not start")
