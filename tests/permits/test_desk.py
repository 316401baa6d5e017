"""The officer's desk pages: who may enter, the queue by due date with overdue marked in
text, registering on a parcel by commune/sheet/number, and the printed permit or refusal."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from layers.models import ConstructionPermit
from tests.factories import square
from tests.permits.conftest import X, Y

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/desk/")


def test_other_roles_get_403(planner):
    client = Client()
    client.force_login(planner)
    assert client.get("/desk/").status_code == 403
    assert client.get("/desk/new/").status_code == 403


def test_the_queue_is_sorted_by_due_date_and_says_overdue(officer_client, make_permit):
    later = make_permit(None, works_name="Later", due_on=datetime.date(2999, 1, 1))
    late = make_permit(
        None,
        works_name="Late",
        received_on=datetime.date(2026, 1, 5),
        due_on=datetime.date(2026, 1, 14),
    )
    make_permit(None, works_name="Done", status="rejected", decided_on=datetime.date(2026, 1, 9))
    officer_client.cookies["django_language"] = "en"
    response = officer_client.get("/desk/")
    assert response.status_code == 200, response.content[:500]
    page = response.content.decode()
    assert page.index("Late") < page.index("Later")
    assert "Done" not in page
    late_row = page[page.index(f'data-permit="{late.pk}"') - 40 :][:600]
    assert 'class="overdue"' in late_row and "Overdue" in late_row
    later_row = page[page.index(f'data-permit="{later.pk}"') - 40 :][:600]
    assert "Overdue" not in later_row


def test_registering_on_a_parcel_by_commune_sheet_and_number(officer_client, parcel):
    response = officer_client.post(
        "/desk/new/",
        {
            "commune": "10540",
            "sheet": 12,
            "number": 345,
            "kind": "new",
            "works_type": "detached_house",
            "works_name": "Nhà anh Hùng",
            "intended_use": "odt",
            "floors": 3,
            "basements": 0,
            "height_m": "12.5",
            "received_on": "2026-11-06",
            "applicant_name": "Đỗ Văn Hùng",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    permit = ConstructionPermit.objects.get()
    assert response["Location"] == f"/desk/permits/{permit.pk}/"
    assert list(permit.parcels.all()) == [parcel]
    assert permit.intended_use == "ODT"
    assert permit.due_on == datetime.date(2026, 11, 17)  # Friday + 7 working days
    assert permit.applicant.name == "Đỗ Văn Hùng"
    assert officer_client.get(response["Location"]).status_code == 200


def test_an_unknown_parcel_is_a_form_error(officer_client, parcel):
    response = officer_client.post(
        "/desk/new/", {"commune": "10540", "sheet": 99, "number": 1, "kind": "new"}
    )
    assert response.status_code == 200
    assert ConstructionPermit.objects.count() == 0


def test_the_permit_page_carries_its_map_layers(officer_client, zone, make_permit):
    permit = make_permit(square(X + 3, Y + 3, 14))
    response = officer_client.get(f"/desk/permits/{permit.pk}/")
    layers = response.context["config"]["layers"]
    assert len(layers["parcels"]["features"]) == 1
    assert len(layers["footprint"]["features"]) == 1
    assert len(layers["zoning"]["features"]) == 1
    lon, lat = layers["footprint"]["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 106 < lon < 107 and 20 < lat < 21


def test_the_issued_permit_prints_as_pdf(officer_client, zone, make_permit):
    permit = make_permit(
        square(X + 3, Y + 3, 14),
        status="issued",
        number="21/GPXD-2026",
        issued_on=datetime.date(2026, 11, 20),
        decided_on=datetime.date(2026, 11, 19),
    )
    response = officer_client.get(f"/desk/permits/{permit.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_refusal_prints_and_an_open_application_does_not(officer_client, zone, make_permit):
    refused = make_permit(None, status="rejected", reasons="Vượt mật độ xây dựng")
    assert officer_client.get(f"/desk/permits/{refused.pk}/pdf/").content.startswith(b"%PDF")
    open_one = make_permit(None)
    assert officer_client.get(f"/desk/permits/{open_one.pk}/pdf/").status_code == 409


def test_the_printed_page_fetches_nothing(officer_client, zone, make_permit, monkeypatch):
    from webmap import certificate

    fetched = []
    original = certificate.url_fetcher

    def spy():
        fetcher = original()
        inner = fetcher.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return inner(url, headers)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(certificate, "url_fetcher", spy)
    refused = make_permit(None, status="rejected", reasons="x")
    assert officer_client.get(f"/desk/permits/{refused.pk}/pdf/").status_code == 200
    assert [url for url in fetched if not url.startswith("data:")] == []
