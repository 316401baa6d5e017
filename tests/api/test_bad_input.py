"""Bad input is a 4xx JSON {"detail": …}, never a 500 (CONTRACT.md): cases the fuzzer found
or that sit outside what it generates (NaN, infinity, coordinates of the wrong CRS)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/search/?q=%00", 400),
        ("/api/identify/?lon=nan&lat=20", 400),
        ("/api/planning-report/?x=1&y=1&srid=nan", 400),
        ("/api/planning-report/?x=1&y=1&srid=inf", 400),
        ("/api/planning-report/?lon=inf&lat=20", 400),
        # Not a WGS 84 point: PostGIS refuses to transform latitude 2 314 000.
        ("/api/planning-report/?x=580000&y=2314000&srid=4326", 400),
        ("/api/planning-report/?x=1e308&y=1e308&srid=9209", 404),
        ("/api/permits/-1/check/", 404),  # no URL matches: JSON, not Django's HTML page
        ("/api/no-such-thing/", 404),
        ("/ogc/no-such-thing", 404),
    ],
)
def test_bad_input_gets_a_json_4xx(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
