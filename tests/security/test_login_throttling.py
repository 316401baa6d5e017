"""django-axes: after AXES_FAILURE_LIMIT (5) wrong passwords for one user name from one
address, that pair is locked out for the cool-off (15 minutes), on /accounts/login/ and on
the admin's sign-in alike."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db
OFFICE, HOME = "10.0.0.7", "10.0.0.8"


@pytest.fixture
def lan(db):
    return User.objects.create_user("lan", password=PASSWORD, is_staff=True)


def sign_in(client, url: str, password: str, ip: str = OFFICE):
    return client.post(url, {"username": "lan", "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_account_from_that_address(client, lan, url):
    client.cookies["django_language"] = "en"
    for _ in range(4):
        assert sign_in(client, url, "wrong").status_code == 200  # the form again
    # The fifth failure reaches the limit: locked out from now on.
    assert sign_in(client, url, "wrong").status_code == 429
    response = sign_in(client, url, PASSWORD)  # even with the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert "Too many failed sign-ins: 5 wrong passwords" in text
    assert "Try again in 15 minutes" in text


def test_four_wrong_passwords_do_not_lock(client, lan):
    for _ in range(4):
        sign_in(client, "/accounts/login/", "wrong")
    response = sign_in(client, "/accounts/login/", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lan.pk)


def test_the_lock_holds_one_user_at_one_address_only(client, lan):
    User.objects.create_user("minh", password=PASSWORD)
    for _ in range(5):
        sign_in(client, "/accounts/login/", "wrong")
    # The same user from another address, and another user from the same one, still sign in.
    assert sign_in(client, "/accounts/login/", PASSWORD, ip=HOME).status_code == 302
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": "minh", "password": PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, lan):
    for _ in range(5):
        sign_in(client, "/accounts/login/", "wrong")
    assert sign_in(client, "/accounts/login/", PASSWORD).status_code == 429
    # 16 minutes later (the cool-off is 15).
    earlier = datetime.timedelta(minutes=16)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - earlier
        )
    assert sign_in(client, "/accounts/login/", PASSWORD).status_code == 302


def test_the_lockout_page_follows_the_language_switch(client, lan):
    for _ in range(5):
        sign_in(client, "/accounts/login/", "wrong")
    response = sign_in(client, "/accounts/login/", PASSWORD)
    assert response.status_code == 429
    assert '<html lang="vi">' in response.content.decode()  # Vietnamese by default
    client.cookies["django_language"] = "en"
    english = sign_in(client, "/accounts/login/", PASSWORD)
    assert english.status_code == 429
    assert '<html lang="en">' in english.content.decode()
