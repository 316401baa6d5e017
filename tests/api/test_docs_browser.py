"""/api/docs/ in headless Chromium: Swagger UI and Redoc render the OpenAPI document under
the Content-Security-Policy, from our own origin only."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_api(page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/parcels/").first.wait_for(timeout=20_000)
    assert page.get_by_role("heading", name="QuyHoach API").count() >= 1
    assert page.foreign_requests == []
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_redoc_lists_the_api(page, live_server):  # noqa: F811
    own = live_server.url
    fetched = []
    local = (own, "blob:", "data:")
    page.on("requestfinished", lambda r: r.url.startswith(local) or fetched.append(r.url))
    page.goto(f"{live_server.url}/api/docs/redoc/")
    page.get_by_role("heading", name="QuyHoach API").first.wait_for(timeout=20_000)
    # The operations are rendered (in the side menu, collapsed).
    assert page.get_by_text("Planning report of a parcel").count() >= 1
    # Redoc always asks for its "by Redocly" logo from cdn.redoc.ly: the CSP (img-src
    # 'self') blocks it, so nothing is fetched from outside.
    assert fetched == []
    assert set(page.foreign_requests) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
