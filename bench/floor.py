"""What a request costs before any SQL, measured in the same run as the figures it explains.

Two floors under the same gunicorn settings as the benchmarked app (bench.server: 2 workers
× 4 threads, one keep-alive connection from the client):

- the HTTP floor: a bare WSGI app (no Django) answering a body of the same size;
- the framework floor: a request to the real app that goes through every middleware and
  the view but answers before touching the database (the caller names the path).

The bench then reads: endpoint = bare SQL + overhead, overhead ≈ framework floor + the
per-request database work a bare statement does not do (gis.db: a socket poll, no query).

Both floors are paced like the measured requests, which the benchmark sends one after the
other with the bare statement (some milliseconds) in between: the server sits idle that
long before each. Sent back to back instead, a request finds its code and data in the CPU
caches and costs a fraction of what it costs after a pause (on this machine, 0.4 against
1.2 ms for the bare WSGI app; 1.2 against 2.8 ms for a Django view): floors measured that
way would leave a gap in the decomposition that is not the endpoint's doing."""

from __future__ import annotations

import os
import time

from bench.server import ROOT, start_gunicorn
from bench.timing import KeepAlive, pct


def bare_app(environ, start_response):
    """A WSGI app that only answers ``size`` bytes (``?size=N``)."""
    query = environ.get("QUERY_STRING", "")
    size = int(query.removeprefix("size=")) if query.startswith("size=") else 2
    body = b"x" * size
    start_response(
        "200 OK",
        [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))],
    )
    return [body]


def paced_ms(
    client: KeepAlive, path: str, pause_ms: float, samples: int, expect: tuple[int, ...]
) -> float:
    """p50 of ``samples`` requests, each after ``pause_ms`` of silence (see above)."""
    for _ in range(50):  # warm-up
        client.fetch_ms(path, expect)
    times = []
    for _ in range(samples):
        time.sleep(pause_ms / 1000)
        times.append(client.fetch_ms(path, expect))
    return pct(times, 50)


def http_floor_ms(port: int, size: int, pause_ms: float, samples: int = 300) -> float:
    """p50 of keep-alive requests to :func:`bare_app` under gunicorn."""
    process = start_gunicorn(
        {**os.environ, "PYTHONPATH": str(ROOT)}, port, app="bench.floor:bare_app", ready="/"
    )
    try:
        return paced_ms(KeepAlive(port), f"/?size={size}", pause_ms, samples, (200,))
    finally:
        process.terminate()
        process.wait()


def framework_floor_ms(
    client: KeepAlive,
    path: str,
    pause_ms: float,
    expect: tuple[int, ...] = (200, 204),
    samples: int = 300,
) -> float:
    """p50 of a path of the real app that answers without touching the database."""
    return paced_ms(client, path, pause_ms, samples, expect)


def explain(endpoint: float, bare: float, http: float, framework: float, target: float) -> str:
    """The overhead decomposition printed under a ratio."""
    return (
        f"  overhead over the bare SQL {endpoint - bare:.1f} ms: HTTP server floor {http:.2f} ms "
        f"(bare WSGI app, same gunicorn), framework floor {framework:.2f} ms (same app, no SQL);\n"
        f"  a ratio of {target} on this statement leaves {bare * (target - 1):.1f} ms for "
        f"everything that is not SQL, so the floors alone allow at best "
        f"{(bare + framework) / bare:.2f}"
    )
