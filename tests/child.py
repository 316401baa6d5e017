"""Running a GDAL client (pyogrio) against the test's live server in a child process: in
the test's own process GDAL would wait on the live server's thread while holding the GIL
that thread needs."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def python_json(script: str, *args: str) -> Any:
    """Run ``script`` with ``args`` in a fresh Python; what it prints, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
