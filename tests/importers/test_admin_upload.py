"""The admin upload page runs the same import in the background and reports progress."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User

from importers.models import ImportRun
from layers.models import LandParcel
from tests.importers.conftest import parcel_rows, write_shapefile, zip_folder

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_upload_a_zip_and_follow_it_to_the_report(client, ward, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin_user = User.objects.create_superuser("hoa", "hoa@example.invalid", "a-long-pass-9")
    client.force_login(admin_user)
    folder = tmp_path / "in"
    write_shapefile(folder, parcel_rows(4))
    archive = zip_folder(folder, tmp_path / "thua_dat.zip")
    assert client.get("/admin/importers/importrun/upload/").status_code == 200
    with archive.open("rb") as fh:
        response = client.post(
            "/admin/importers/importrun/upload/",
            {"layer": "parcels", "file": fh, "encoding": "auto"},
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"].endswith(f"/admin/importers/importrun/{run.pk}/progress/")
    deadline = time.monotonic() + 60
    while True:
        status = client.get(f"/admin/importers/importrun/{run.pk}/progress.json").json()
        if status["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["status"] == "succeeded", status
    assert (status["done"], status["total"]) == (4, 4)
    assert "created: 4" in status["report"]
    assert LandParcel.objects.count() == 4
    page = client.get(f"/admin/importers/importrun/{run.pk}/progress/").content.decode()
    assert 'role="status"' in page


def test_people_without_import_rights_cannot_upload(client, ward):
    clerk = User.objects.create_user("binh", password="a-long-pass-9", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/importers/importrun/upload/").status_code == 403
