"""Security headers on pages, the API and tiles: Content-Security-Policy (django-csp),
Referrer-Policy, X-Content-Type-Options, X-Frame-Options, Permissions-Policy."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/login/", "/api/layers/"])
def test_every_answer_carries_the_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP


@pytest.mark.parametrize("path", ["/", "/api/layers/", "/healthz"])
def test_every_answer_carries_the_other_security_headers(client, path):
    response = client.get(path)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    assert policy["geolocation"] == "(self)"  # "locate me" on the map
    assert policy["camera"] == "()" and policy["microphone"] == "()"


def test_pages_hold_no_inline_script_or_event_handler(client):
    import re

    for path in ("/", "/accounts/login/"):
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\son[a-z]+=", html), path
