"""``/api/permits/``: officers register, edit, check and decide; everyone else sees issued
permits' public fields only (no applicant), as RFC 7946 GeoJSON."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.test import Client
from django.utils import timezone

from gis.crs import to_wgs84
from layers.models import ConstructionPermit
from planning.permits import add_working_days
from tests.factories import square
from tests.permits.conftest import X, Y

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


def wgs84_square(x, y, size):
    ring = [list(to_wgs84(px, py, 9209)) for px, py in square(x, y, size)[0][0]]
    return {"type": "Polygon", "coordinates": [ring]}


def register(client, **overrides):
    body = {
        "kind": "new",
        "works_name": "Nhà ở gia đình",
        "intended_use": "ODT",
        "floors": 4,
        "height_m": "15",
        "received_on": "2026-11-02",
        "parcel_keys": [{"commune": "10540", "sheet": 12, "number": 345}],
        "applicant": {"name": "Trần Thị Bình", "id_number": "034190000123"},
        "geometry": wgs84_square(X + 3, Y + 3, 14),
        **overrides,
    }
    return client.post("/api/permits/", body, content_type="application/json")


def test_an_officer_registers_a_permit_with_a_due_date_in_working_days(
    officer_client, parcel, zone
):
    response = register(officer_client)
    assert response.status_code == 201, response.content
    feature = response.json()
    assert feature["type"] == "Feature"
    props = feature["properties"]
    # Received Monday 2 Nov 2026; 7 working days → Wednesday 11 Nov.
    assert props["due_on"] == "2026-11-11"
    assert props["status"] == "received"
    assert props["applicant"]["name"] == "Trần Thị Bình"
    assert props["parcels"][0]["number"] == 345
    permit = ConstructionPermit.objects.get(pk=feature["id"])
    assert isinstance(permit.geom, MultiPolygon)
    assert abs(permit.geom.area - 196) < 0.05  # the footprint back in VN-2000 metres


def test_the_check_returns_the_contract_json(officer_client, parcel, zone):
    pk = register(officer_client).json()["id"]
    response = officer_client.post(f"/api/permits/{pk}/check/")
    assert response.status_code == 200
    body = response.json()
    assert body["compliant"] is True
    assert {"rule", "passed", "required", "actual", "message"} <= set(body["rules"][0])
    assert ConstructionPermit.objects.get(pk=pk).status == "checking"


def test_a_patched_footprint_changes_the_check(officer_client, parcel, zone):
    pk = register(officer_client).json()["id"]
    response = officer_client.patch(
        f"/api/permits/{pk}/",
        {"geometry": wgs84_square(X + 2, Y + 2, 16)},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    coverage = next(
        r
        for r in officer_client.get(f"/api/permits/{pk}/check/").json()["rules"]
        if r["rule"] == "coverage"
    )
    assert (coverage["passed"], coverage["actual"]) == (False, "0.64")


def test_the_lifecycle_to_issued(officer_client, parcel, zone, django_capture_on_commit_callbacks):
    from layers import events

    calls = []
    events.listen(listener := lambda key, extent, srid: calls.append((key, srid)))
    try:
        pk = register(officer_client).json()["id"]
        decide = f"/api/permits/{pk}/decide/"
        post = lambda body: officer_client.post(decide, body, content_type="application/json")  # noqa: E731
        assert post({"decision": "issue", "number": "1/GPXD"}).status_code == 409
        assert post({"decision": "approve"}).json()["properties"]["status"] == "approved"
        assert post({"decision": "reject", "reasons": "x"}).status_code == 409
        assert post({"decision": "issue"}).status_code == 400  # no number
        with django_capture_on_commit_callbacks(execute=True):
            issued = post({"decision": "issue", "number": "12/GPXD-2026"})
        assert issued.status_code == 200
        props = issued.json()["properties"]
        assert props["status"] == "issued" and props["number"] == "12/GPXD-2026"
        assert props["issued_on"] == timezone.localdate().isoformat()
        assert props["decided_on"]
        assert calls == [("permits", 9209)]
        assert post({"decision": "approve"}).status_code == 409
    finally:
        events._listeners.remove(listener)


def test_rejecting_needs_reasons(officer_client, parcel, zone):
    pk = register(officer_client).json()["id"]
    decide = f"/api/permits/{pk}/decide/"
    assert officer_client.post(decide, {"decision": "reject"}).status_code == 400
    response = officer_client.post(decide, {"decision": "reject", "reasons": "Sai quy hoạch"})
    assert response.json()["properties"]["status"] == "rejected"
    assert response.json()["properties"]["reasons"] == "Sai quy hoạch"


def test_approving_a_failing_check_needs_reasons(officer_client, parcel, zone):
    pk = register(officer_client, floors=9).json()["id"]
    decide = f"/api/permits/{pk}/decide/"
    assert officer_client.post(decide, {"decision": "approve"}).status_code == 400
    assert officer_client.post(decide, {"decision": "nonsense"}).status_code == 400


def test_public_sees_only_issued_permits_without_the_applicant(
    officer_client, parcel, zone, make_permit
):
    issued = make_permit(
        square(X + 3, Y + 3, 14),
        status="issued",
        number="7/GPXD",
        issued_on=datetime.date(2026, 11, 20),
        applicant="Lê Văn Cường",
    )
    make_permit(square(X + 3, Y + 3, 10), applicant="Phạm Thị Dung")
    response = Client().get("/api/permits/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [issued.pk]
    props = body["features"][0]["properties"]
    assert set(props) == {"number", "kind", "issued_on", "floors", "basements", "height_m"}
    text = response.content.decode()
    assert "Lê Văn Cường" not in text and "Phạm Thị Dung" not in text
    lon, lat = body["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 106 < lon < 107 and 20 < lat < 21  # RFC 7946: lon, lat
    assert Client().get(f"/api/permits/{issued.pk}/").status_code == 200
    assert officer_client.get("/api/permits/").json()["features"].__len__() == 2


def test_others_cannot_write_check_or_decide(planner, parcel, zone, make_permit):
    permit = make_permit(square(X + 3, Y + 3, 14))
    anonymous = Client()
    planner_client = Client()
    planner_client.force_login(planner)
    for client in (anonymous, planner_client):
        assert register(client).status_code == 403
        assert client.get(f"/api/permits/{permit.pk}/").status_code == 404
        assert client.get(f"/api/permits/{permit.pk}/check/").status_code == 403
        assert (
            client.post(f"/api/permits/{permit.pk}/decide/", {"decision": "approve"}).status_code
            == 403
        )
        assert (
            client.patch(
                f"/api/permits/{permit.pk}/", {}, content_type="application/json"
            ).status_code
            == 403
        )


def test_bad_input_is_a_400_not_a_500(officer_client, parcel, zone):
    assert register(officer_client, geometry={"type": "Nope"}).status_code == 400
    assert (
        register(
            officer_client, parcel_keys=[{"commune": "1", "sheet": 1, "number": 9}]
        ).status_code
        == 400
    )
    invalid = register(officer_client, floors=0)
    assert invalid.status_code == 400
    assert invalid.json()["detail"] and "floors" in invalid.json()["errors"]
    assert officer_client.get("/api/permits/?overdue=maybe").status_code == 400
    assert officer_client.get("/api/permits/?status=bogus").status_code == 400


def test_a_returned_application_resumes_with_a_fresh_due_date(officer_client, parcel, zone):
    pk = register(officer_client).json()["id"]
    decide = f"/api/permits/{pk}/decide/"
    assert officer_client.post(decide, {"decision": "resume"}).status_code == 409
    returned = officer_client.post(decide, {"decision": "return", "reasons": "Thiếu bản vẽ"})
    assert returned.json()["properties"]["status"] == "returned"
    assert returned.json()["properties"]["overdue"] is False  # the clock waits for the applicant
    resumed = officer_client.post(decide, {"decision": "resume"}).json()["properties"]
    today = timezone.localdate()
    assert resumed["status"] == "received"
    assert resumed["received_on"] == today.isoformat()
    assert resumed["due_on"] == add_working_days(today, 7).isoformat()


def test_an_issued_permit_keeps_its_particulars_but_its_footprint_tells_the_tiles(
    officer_client, parcel, zone, make_permit, django_capture_on_commit_callbacks
):
    from layers import events

    permit = make_permit(
        square(X + 3, Y + 3, 14),
        status="issued",
        number="9/GPXD",
        issued_on=datetime.date(2026, 11, 20),
    )
    url = f"/api/permits/{permit.pk}/"
    assert (
        officer_client.patch(url, {"floors": 9}, content_type="application/json").status_code == 409
    )
    calls = []
    events.listen(listener := lambda key, extent, srid: calls.append((key, extent, srid)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.patch(
                url, {"geometry": wgs84_square(X + 4, Y + 4, 14)}, content_type="application/json"
            )
        assert response.status_code == 200
    finally:
        events._listeners.remove(listener)
    [(key, extent, srid)] = calls
    assert (key, srid) == ("permits", 9209)
    # The old (X+3…X+17) and the new (X+4…X+18) footprints, within a centimetre.
    assert [round(v - o, 2) for v, o in zip(extent, (X, Y, X, Y), strict=True)] == [3, 3, 18, 18]
