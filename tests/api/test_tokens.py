"""Token authentication for scripts beside sessions: ``Authorization: Token …`` gets the
same answers as a signed-in browser; a token comes from ``manage.py drf_create_token``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import include, path
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.test_tokens")]


@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def whoami(request):
    """A minimal protected view with the project's default authentication classes."""
    return Response({"user": request.user.username, "method": request.method})


urlpatterns = [path("test-whoami/", whoami), path("", include("gis.urls"))]


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password="x-Very-Long-Passw0rd")


def test_anonymous_is_refused(client):
    assert client.get("/test-whoami/").status_code in (401, 403)


def test_a_token_gets_the_same_answer_as_a_session(client, alice):
    client.force_login(alice)
    by_session = client.get("/test-whoami/")
    client.logout()
    token = Token.objects.create(user=alice)
    by_token = client.get("/test-whoami/", headers={"Authorization": f"Token {token.key}"})
    assert by_session.status_code == by_token.status_code == 200
    assert by_session.json() == by_token.json() == {"user": "alice", "method": "GET"}


def test_a_token_writes_without_csrf(alice):
    # Scripts have no CSRF cookie: token-authenticated writes need none (sessions do).
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    token = Token.objects.create(user=alice)
    response = strict.post("/test-whoami/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200 and response.json()["method"] == "POST"
    strict.force_login(alice)
    assert strict.post("/test-whoami/").status_code == 403  # session write without CSRF


def test_a_wrong_token_is_refused_with_json(client, alice):
    Token.objects.create(user=alice)
    response = client.get("/test-whoami/", headers={"Authorization": "Token not-a-token"})
    # 403, not 401: sessions come first in DEFAULT_AUTHENTICATION_CLASSES, and DRF takes
    # the WWW-Authenticate challenge (which 401 needs) from the first class only.
    assert response.status_code == 403 and "detail" in response.json()


def test_drf_create_token_makes_a_working_token(client, alice):
    out = io.StringIO()
    call_command("drf_create_token", "alice", stdout=out)
    key = Token.objects.get(user=alice).key
    assert key in out.getvalue()
    response = client.get("/test-whoami/", headers={"Authorization": f"Token {key}"})
    assert response.json()["user"] == "alice"
