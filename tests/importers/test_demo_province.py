"""The demo province: deterministic files as surveyors deliver them, loaded through the real
importers."""

from __future__ import annotations

import hashlib

import pyogrio
import pytest
import shapely
from django.core.management import call_command

from importers.demo_province import generate
from importers.encodings import detect


def digest(folder) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        sha.update(path.name.encode() + path.read_bytes())
    return sha.hexdigest()


def test_the_default_province_has_at_least_20000_parcels(tmp_path):
    manifest = generate(tmp_path, parcels_target=20_000)
    assert manifest.counts["thua_dat"] >= 20_000


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    generate(tmp_path / "a", parcels_target=1_500)
    generate(tmp_path / "b", parcels_target=1_500)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_parcels_arrive_in_tcvn3_without_a_cpg_and_do_not_overlap(tmp_path):
    manifest = generate(tmp_path, parcels_target=1_500)
    parcels = dict((key, path) for key, path, _extra in manifest.files)["parcels"]
    assert not parcels.with_suffix(".cpg").exists()
    meta, _fids, wkb, values = pyogrio.raw.read(parcels, encoding="latin1")
    table = dict(zip(meta["fields"], values, strict=True))
    samples = [v.encode("latin1") for v in table["DiaChi"]]
    assert detect(samples).encoding == "tcvn3"
    geoms = shapely.from_wkb(wkb)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="overlaps")
    overlaps = [
        shapely.intersection(geoms[a], geoms[b]).area
        for a, b in zip(left, right, strict=True)
        if a < b
    ]
    assert all(area < 0.01 for area in overlaps)
    keys = list(zip(table["MaXa"], table["SoHieuToBa"], table["SoThuTuThu"], strict=True))
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_load_demo_loads_every_layer_through_import_layer(tmp_path, client):
    from importers.models import ImportRun
    from layers.models import ConstructionPermit, LandParcel, MonitoringReading
    from planning.models import Plan

    call_command("load_demo", "--parcels", "1500", "--folder", str(tmp_path), verbosity=0)
    runs = ImportRun.objects.all()
    assert {run.status for run in runs} == {"succeeded"}
    assert {run.layer for run in runs} >= {
        "communes",
        "roads",
        "red_lines",
        "environment_zones",
        "monitoring_stations",
        "parcels",
        "zoning",
        "permits",
    }
    assert runs.get(layer="parcels").encoding == "tcvn3"
    assert LandParcel.objects.count() >= 1_500
    assert set(Plan.objects.values_list("status", flat=True)) == {"approved", "draft"}
    assert ConstructionPermit.objects.filter(status="issued").count() == 300
    # The officer desk opens on a queue: pending applications with footprints, some late.
    from planning.permits import is_overdue, run_check

    pending = ConstructionPermit.objects.filter(status="received")
    assert pending.count() == 12
    assert all(p.geom is not None and p.applicant.name for p in pending)
    assert any(is_overdue(p) for p in pending) and not all(is_overdue(p) for p in pending)
    checks = [run_check(permit=p) for p in pending]
    assert all(c["rules"] for c in checks)
    assert MonitoringReading.objects.exists()
    parcel = LandParcel.objects.filter(land_use__code="ODT").order_by("pk").first()
    report = client.get("/api/planning-report/", {"parcel": parcel.pk}).json()
    assert report["zoning"] and report["zoning"][0]["plan"]["decision"] == "2718/QĐ-UBND"
    assert "Số" in report["parcel"]["address"]
