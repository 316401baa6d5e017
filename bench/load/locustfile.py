"""Load mix for bench/load/run.py (locust): public visitors browse tiles, search and open
planning reports; permit officers and planners sign in and open their pages and APIs.

An endpoint that is not there (404 on a page or API root) is skipped, not counted as an
error, so the mix runs on any stage of the project. Settings come from the environment
(run.py sets them): BENCH_EXTENT (west,south,east,north), BENCH_PARCELS (ids),
BENCH_OFFICER / BENCH_PLANNER ("username:password").
"""

from __future__ import annotations

import math
import os
import random

from locust import HttpUser, between, task

WEST, SOUTH, EAST, NORTH = (float(v) for v in os.environ["BENCH_EXTENT"].split(","))
PARCELS = [int(v) for v in os.environ["BENCH_PARCELS"].split(",")]
SEARCHES = ["to 12 thua 3", "nguyen trai", "Tứ Minh", "tran hung dao", "Việt Hòa", "20.94, 106.31"]
# Visitors look around the same neighbourhoods: a fixed set of tiles per zoom level
# (after the first visit they come from the cache, as in production).
RNG = random.Random(7)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    )


TILES = [
    (z, *tile_xy(RNG.uniform(WEST, EAST), RNG.uniform(SOUTH, NORTH), z))
    for z in (14, 15, 16, 17)
    for _ in range(25)
]


def skip_missing(response) -> None:
    """A 404 on a route that is not built yet is no error of the load."""
    if response.status_code == 404:
        response.success()
    elif response.status_code >= 400:
        response.failure(f"HTTP {response.status_code}")


class PublicVisitor(HttpUser):
    weight = 8
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.get("/", name="/ (map page)")
        self.client.get("/api/layers/")

    @task(6)
    def browse_tiles(self) -> None:
        z, x, y = RNG.choice(TILES)
        for dx in (0, 1):
            self.client.get(
                f"/tiles/wmts/parcels/webmercator/{z}/{x + dx}/{y}.png", name="/tiles/wmts/parcels"
            )
        self.client.get(f"/tiles/mvt/parcels/{z}/{x}/{y}.pbf", name="/tiles/mvt/parcels")

    @task(2)
    def search(self) -> None:
        self.client.get("/api/search/", params={"q": RNG.choice(SEARCHES)}, name="/api/search/")

    @task(2)
    def open_report(self) -> None:
        parcel = RNG.choice(PARCELS)
        self.client.get(f"/api/planning-report/?parcel={parcel}", name="/api/planning-report/")

    @task(1)
    def printable_report(self) -> None:
        self.client.get(f"/report/{RNG.choice(PARCELS)}/", name="/report/ID/")


class _StaffUser(HttpUser):
    abstract = True
    wait_time = between(2, 5)
    account = ""

    def on_start(self) -> None:
        username, password = os.environ[self.account].split(":", 1)
        self.client.get("/accounts/login/", name="/accounts/login/")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
        )

    def get(self, path: str, name: str | None = None) -> None:
        with self.client.get(path, name=name or path, catch_response=True) as response:
            skip_missing(response)


class PermitOfficer(_StaffUser):
    weight = 1
    account = "BENCH_OFFICER"

    @task(2)
    def desk(self) -> None:
        self.get("/desk/")

    @task(3)
    def permits(self) -> None:
        self.get("/api/permits/")

    @task(2)
    def parcel_lookup(self) -> None:
        self.get(f"/api/planning-report/?parcel={RNG.choice(PARCELS)}", "/api/planning-report/")


class Planner(_StaffUser):
    weight = 1
    account = "BENCH_PLANNER"

    @task(2)
    def editor(self) -> None:
        self.get("/editor/")

    @task(3)
    def plans(self) -> None:
        self.get("/api/plans/")

    @task(3)
    def zoning(self) -> None:
        lon, lat = RNG.uniform(WEST, EAST), RNG.uniform(SOUTH, NORTH)
        d = 0.004
        self.get(f"/api/zoning/?bbox={lon - d},{lat - d},{lon + d},{lat + d}", "/api/zoning/")
