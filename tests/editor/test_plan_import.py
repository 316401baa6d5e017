"""A zoning file loaded into a draft plan from the editor (/api/plans/ID/import/): the same
importer as ``import_layer zoning --plan ID``, then every zone checked as an edit is; all or
nothing."""

from __future__ import annotations

import shutil

import pytest

from planning.models import Plan, ZoningArea
from tests.editor.conftest import X, Y
from tests.importers.conftest import lot, write_shapefile

pytestmark = pytest.mark.django_db


def zipped(tmp_path, rows) -> bytes:
    shp = write_shapefile(tmp_path / "in", rows, name="qh")
    archive = shutil.make_archive(str(tmp_path / "qh"), "zip", shp.parent)
    return open(archive, "rb").read()


def row(code: str, i: int, **extra) -> dict:
    # 100 m lots 102 m apart from the plan's SW corner: inside its 1 km square.
    return {"KyHieuO": code, "ChucNang": "ODT", "MatDo": 80, "TangCao": 5,
            "geometry": lot(i, 100, X + 10, Y + 10), **extra}  # fmt: skip


def post(client, plan, data: bytes, name: str = "qh.zip"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data, content_type="application/zip")
    return client.post(f"/api/plans/{plan.pk}/import/", {"file": upload}, format="multipart")


def test_a_planner_loads_zones_into_a_draft(client_for, draft_plan, tmp_path):
    response = post(client_for("alice"), draft_plan, zipped(tmp_path, [row("A1", 0), row("A2", 1)]))
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    zones = ZoningArea.objects.filter(plan=draft_plan).order_by("zone_code")
    assert [z.zone_code for z in zones] == ["A1", "A2"]
    assert zones[0].geom.area == pytest.approx(100 * 100)


def test_a_zone_outside_the_boundary_rolls_the_whole_file_back(client_for, draft_plan, tmp_path):
    far = row("Z9", 0)
    far["geometry"] = lot(0, 100, X + 950, Y + 10)  # 50 m of its 100 m outside the plan
    response = post(client_for("alice"), draft_plan, zipped(tmp_path, [row("A1", 0), far]))
    assert response.status_code == 400
    body = response.json()
    assert [p["zone"] for p in body["problems"]] == ["Z9"]
    assert "5000.0 m²" in " ".join(body["problems"][0]["errors"]["geometry"])
    assert not ZoningArea.objects.filter(plan=draft_plan).exists()


@pytest.mark.parametrize("who, expected", [(None, 403), ("bob", 403), ("charlie", 403)])
def test_only_planners_load_files(client_for, users, draft_plan, tmp_path, who, expected):
    response = post(client_for(who), draft_plan, zipped(tmp_path, [row("A1", 0)]))
    assert response.status_code == expected
    assert not ZoningArea.objects.filter(plan=draft_plan).exists()


def test_an_approved_plan_takes_no_file(client_for, draft_plan, tmp_path):
    Plan.objects.filter(pk=draft_plan.pk).update(
        status="approved", decision_number="1/QĐ", approved_on="2024-01-01"
    )
    response = post(client_for("alice"), draft_plan, zipped(tmp_path, [row("A1", 0)]))
    assert response.status_code == 409


def test_a_broken_file_is_a_400_with_the_importers_message(client_for, draft_plan):
    response = post(client_for("alice"), draft_plan, b"not a zip at all")
    assert response.status_code == 400
    assert response.json()["detail"]
