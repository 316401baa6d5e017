"""The printable planning report page."""

import pytest

from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square

pytestmark = pytest.mark.django_db
X, Y = 580_000.0, 2_314_000.0


def test_the_printable_report_shows_the_parcel_and_its_zones(client):
    parcel = LandParcelFactory(sheet=12, number=345, area_m2="100.0", geom=square(X, Y, 10))
    ZoningAreaFactory(plan=PlanFactory(), zone_code="A1", geom=square(X - 50, Y - 50, 200))
    page = client.get(f"/report/{parcel.pk}/").content.decode()
    assert "Báo cáo quy hoạch" in page and "A1" in page and "1234/QĐ-UBND" in page
    assert "100%" in page and "345" in page


def test_an_unknown_parcel_is_404(client):
    assert client.get("/report/999999/").status_code == 404
