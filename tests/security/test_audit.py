"""The audit log: one row per sign-in (success and failure) and per successful write, with
who, method, path, status, object and address; never the request body; read-only in the
admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from gis.models import AuditEvent
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def hoa(db):
    return User.objects.create_superuser("hoa", "hoa@example.invalid", PASSWORD)


def test_a_sign_in_is_recorded_with_user_and_address(client, hoa):
    response = client.post(
        "/accounts/login/", {"username": "hoa", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get()  # one row: the sign-in, not also a "write"
    assert (event.kind, event.user, event.username) == ("login", hoa, "hoa")
    assert (event.method, event.path, event.remote_ip) == ("POST", "/accounts/login/", "10.1.2.3")


def test_a_failed_sign_in_is_recorded_without_the_password(client, hoa):
    client.post("/admin/login/", {"username": "hoa", "password": "Secret-guess-1"})
    event = AuditEvent.objects.get()
    assert (event.kind, event.user, event.username) == ("login_failed", None, "hoa")
    assert event.path == "/admin/login/"
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("Secret-guess-1" in str(value) for value in row.values())


def test_a_sign_out_is_recorded(client, hoa):
    client.force_login(hoa)
    client.post("/accounts/logout/")
    assert list(AuditEvent.objects.values_list("kind", "username")) == [
        ("logout", "hoa"),
        ("login", "hoa"),  # force_login is a sign-in too
    ]


def test_a_successful_write_is_recorded_with_its_object_but_not_its_body(client, hoa):
    client.force_login(hoa)
    group = Group.objects.create(name="kiem_tra")
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "Nguyễn Văn Bí Mật 036099123456"},
        REMOTE_ADDR="10.1.2.4",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="write")
    assert (event.kind, event.user, event.method, event.status) == ("write", hoa, "POST", 302)
    assert event.path == f"/admin/auth/group/{group.pk}/change/"
    assert event.view == "admin:auth_group_change"
    assert event.object_id == str(group.pk)
    assert event.remote_ip == "10.1.2.4"
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("036099123456" in str(value) for value in row.values())


def test_a_form_shown_again_with_errors_is_not_recorded_as_a_write(client, hoa):
    client.force_login(hoa)
    response = client.post("/admin/auth/group/add/", {"name": ""})
    assert response.status_code == 200  # "This field is required."
    assert not AuditEvent.objects.filter(kind="write").exists()


def test_a_refused_write_is_not_recorded_as_a_write(client, db):
    clerk = User.objects.create_user("binh", password=PASSWORD, is_staff=True)
    client.force_login(clerk)
    response = client.post("/admin/auth/group/add/", {"name": "x"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind="write").exists()


def test_reads_and_language_switches_are_not_recorded(client, db):
    client.get("/")
    client.get("/api/layers/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert not AuditEvent.objects.exists()


def test_the_audit_log_is_read_only_in_the_admin(client, hoa):
    event = AuditEvent.objects.create(kind="write", username="hoa", method="POST", path="/x/")
    client.force_login(hoa)
    listing = client.get("/admin/quyhoach/auditevent/")
    assert listing.status_code == 200
    assert "/x/" in listing.content.decode()
    assert client.get("/admin/quyhoach/auditevent/add/").status_code == 403
    assert client.post(f"/admin/quyhoach/auditevent/{event.pk}/delete/").status_code == 403
    # The change page only shows the row: a POST changes nothing.
    client.post(f"/admin/quyhoach/auditevent/{event.pk}/change/", {"path": "/y/"})
    event.refresh_from_db()
    assert event.path == "/x/"


def test_officers_cannot_read_the_audit_log(client, db):
    officer = User.objects.create_user("an", password=PASSWORD, is_staff=True)
    officer.groups.add(Group.objects.get(name="permit_officer"))
    client.force_login(officer)
    assert client.get("/admin/quyhoach/auditevent/").status_code == 403
