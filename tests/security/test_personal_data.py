"""The personal-data walk: with holders (ParcelHolder) and applicants (PermitApplicant)
holding known names and ID numbers, no public GET answer — pages, API, the endpoints the
OpenAPI document lists, OGC API - Features, vector tiles, WMS GetFeatureInfo — contains any
of them, in any encoding. (Owner names and ID numbers are personal data: Decree 13/2023/NĐ-CP
on personal data protection; CONTRACT.md, "/api/parcels/".)"""

from __future__ import annotations

import datetime
import gzip
import json
import math
import re

import mapbox_vector_tile
import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from gis.crs import to_wgs84
from layers import registry
from layers.models import ParcelHolder, PermitApplicant
from tests.factories import (
    ORIGIN_X,
    ORIGIN_Y,
    ConstructionPermitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
    square,
)

pytestmark = pytest.mark.django_db

HOLDER = {
    "holder_name": "Nguyễn Thị Bảo Mật",
    "id_number": "036199004321",
    "certificate_number": "CX 918273",
}
APPLICANT = {
    "name": "Trần Văn Riêng Tư",
    "id_number": "001088765432",
    "address": "Số 99 ngõ Kín, Hà Nội",
    "phone": "0912345678",
}
SECRETS = [*HOLDER.values(), *APPLICANT.values()]
X, Y = ORIGIN_X + 5, ORIGIN_Y + 5  # inside the parcel


@pytest.fixture
def data(db):
    parcel = LandParcelFactory(geom=square(size=40), sheet=12, number=345)
    ParcelHolder.objects.create(parcel=parcel, **HOLDER)
    permit = ConstructionPermitFactory(
        status="issued",
        number="123/GPXD",
        issued_on=datetime.date(2026, 11, 10),
        geom=square(ORIGIN_X + 2, ORIGIN_Y + 2, size=20),
    )
    permit.parcels.add(parcel)
    PermitApplicant.objects.create(permit=permit, **APPLICANT)
    plan = PlanFactory()
    zone = ZoningAreaFactory(plan=plan)
    return {"parcel": parcel.pk, "permit": permit.pk, "plan": plan.pk, "zone": zone.pk}


def tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat_r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(lat_r)) / math.pi) / 2 * n)


def routed(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def texts_raw(response) -> list[bytes]:
    """The body, read once (streaming answers are kept for ``texts``)."""
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
        response.streaming_content = [response.content_bytes]
        return [response.content_bytes]
    return [response.content]


def texts(response) -> list[str]:
    """Every readable form of a body: raw, JSON with its escapes undone, decoded MVT."""
    body = texts_raw(response)[0]
    if response.get("Content-Encoding") == "gzip" or body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    out = [body.decode("utf-8", errors="replace")]
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        out.append(json.dumps(json.loads(body), ensure_ascii=False))
    if "protobuf" in content_type or "mvt" in content_type:
        out.append(json.dumps(mapbox_vector_tile.decode(body), ensure_ascii=False, default=str))
    return out


def public_paths(client: Client, ids: dict[str, int]) -> list[str]:
    lon, lat = to_wgs84(X, Y, 9209)
    paths = [
        "/",
        f"/report/{ids['parcel']}/",
        "/api/layers/",
        "/api/parcels/",
        "/api/parcels/?commune=10540&sheet=12&number=345",
        f"/api/planning-report/?parcel={ids['parcel']}",
        f"/api/planning-report/?lon={lon}&lat={lat}",
        f"/api/identify/?lon={lon}&lat={lat}&zoom=18",
        # Searching for the secrets themselves must find nothing that shows them.
        *(f"/api/search/?q={secret}" for secret in SECRETS),
        "/api/zoning/",
        f"/api/zoning/{ids['zone']}/",
        f"/api/zoning/{ids['zone']}/history/",
        "/api/plans/",
        f"/api/plans/{ids['plan']}/",
        "/api/permits/",
        f"/api/permits/{ids['permit']}/",
        "/ogc/",
        "/ogc/collections",
        "/tiles/wmts/1.0.0/WMTSCapabilities.xml",
    ]
    # Every parameter-free GET of the OpenAPI document, and the ones that take our ids.
    if routed("/api/schema/"):
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        for path, item in schema.get("paths", {}).items():
            if "get" not in item:
                continue
            names = re.findall(r"{(\w+)}", path)
            if all(name in ("id", "pk") for name in names):
                paths += (
                    [re.sub(r"{\w+}", str(pk), path) for pk in ids.values()] if names else [path]
                )
    # OGC API - Features: each collection and its items.
    if routed("/ogc/collections"):
        collections = client.get("/ogc/collections", HTTP_ACCEPT="application/json")
        if collections.status_code == 200:
            for collection in collections.json().get("collections", []):
                paths += [
                    f"/ogc/collections/{collection['id']}",
                    f"/ogc/collections/{collection['id']}/items?limit=1000",
                ]
    # Vector tiles of every layer at the parcel, and WMS GetFeatureInfo there.
    for spec in registry.all_layers():
        if getattr(spec, "mvt", False):
            for z in (14, 16, 18):
                tx, ty = tile(lon, lat, z)
                paths.append(f"/tiles/mvt/{spec.key}/{z}/{tx}/{ty}.pbf")
        d = 0.0005
        paths.append(
            "/tiles/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo"
            f"&LAYERS={spec.key}&QUERY_LAYERS={spec.key}&SRS=EPSG:4326"
            f"&BBOX={lon - d},{lat - d},{lon + d},{lat + d}&WIDTH=256&HEIGHT=256&X=128&Y=128"
            "&INFO_FORMAT=application/json"
        )
    return list(dict.fromkeys(paths))


def test_no_public_answer_shows_a_holder_or_an_applicant(data, client, settings, tmp_path):
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    walked, leaks = [], []
    for path in public_paths(client, data):
        if not routed(path):
            continue
        response = client.get(path)
        if "GetFeatureInfo" in path and b"is not queryable" in b"".join(texts_raw(response)):
            continue  # GetFeatureInfo is not enabled for this layer: nothing to leak
        assert response.status_code < 500, f"{path}: {response.status_code}"
        walked.append((path, response.status_code))
        if response.status_code != 200:
            continue
        for text in texts(response):
            leaks += [(path, secret) for secret in SECRETS if secret in text]
    assert not leaks, leaks
    # The walk really reached the data: the parcel's public record and its vector tile.
    ok = {path for path, status in walked if status == 200}
    assert "/api/parcels/?commune=10540&sheet=12&number=345" in ok
    assert any(path.startswith("/tiles/mvt/parcels/18/") for path in ok)
    assert len(ok) >= 20


def test_the_walk_would_see_a_leak(data, client):
    """The check itself can fail: the holder's name in a body is found, in every encoding."""
    from django.http import HttpResponse, JsonResponse

    escaped = JsonResponse({"owner": HOLDER["holder_name"]})  # \\u escapes
    assert "\\u" in escaped.content.decode()
    assert any(HOLDER["holder_name"] in text for text in texts(escaped))
    plain = HttpResponse(f"<p>{APPLICANT['id_number']}</p>", content_type="text/html")
    assert any(APPLICANT["id_number"] in text for text in texts(plain))
