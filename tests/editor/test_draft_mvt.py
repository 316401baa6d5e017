"""Draft zoning as vector tiles: the plan's zones for planners and approvers only."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest

from gis.crs import to_wgs84
from tests.editor.conftest import X, Y

pytestmark = pytest.mark.django_db
ZOOM = 17


def tile_url(plan_id: int) -> str:
    lon, lat = to_wgs84(X + 50, Y + 50, 9209)
    n = 2**ZOOM
    tx = int((lon + 180) / 360 * n)
    ty = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/tiles/mvt/drafts/zoning/{plan_id}/{ZOOM}/{tx}/{ty}.pbf"


@pytest.fixture
def signed_in(client, users):
    """A plain Django client (the tile view is not DRF) signed in as the named user."""

    def sign_in(name):
        if name:
            client.force_login(users[name])
        return client

    return sign_in


@pytest.mark.parametrize("role", [None, "charlie", "dave"])
def test_draft_tiles_are_refused_to_everyone_else(signed_in, draft_zone, role):
    assert signed_in(role).get(tile_url(draft_zone.plan_id)).status_code == 403


@pytest.mark.parametrize("role", ["alice", "bob"])
def test_planners_and_approvers_get_the_draft_zones(signed_in, draft_zone, role):
    response = signed_in(role).get(tile_url(draft_zone.plan_id))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    layer = mapbox_vector_tile.decode(response.content)["zoning_draft"]
    [feature] = layer["features"]
    assert feature["id"] == draft_zone.pk
    assert feature["properties"]["zone_code"] == "A1"
    assert feature["properties"]["plan_status"] == "draft"
    assert feature["properties"]["version"] == 1


def test_the_public_zoning_tile_leaves_the_draft_out(client_for, draft_zone):
    url = tile_url(draft_zone.plan_id).replace(f"drafts/zoning/{draft_zone.plan_id}", "zoning")
    assert client_for(None).get(url).status_code == 204
