"""Timing helpers the benchmarks share: loopback HTTP requests and percentiles."""

from __future__ import annotations

import http.client
import time
import urllib.request


def fetch_ms(url: str) -> float:
    """One request on a new connection; milliseconds until the body is read."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback only
        response.read()
    return (time.perf_counter() - started) * 1000


class KeepAlive:
    """One HTTP/1.1 connection reused across requests, as a browser's fetches are."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def fetch_ms(self, path: str, expect: tuple[int, ...] = (200, 204)) -> float:
        started = time.perf_counter()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        response.read()
        if response.status not in expect:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - started) * 1000


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
