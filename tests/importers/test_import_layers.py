"""Every LAYER key of CONTRACT.md imports through the same pipeline."""

from __future__ import annotations

import datetime
import json

import pytest
import shapely

from importers.services import ImportOptions, run_import
from layers.models import ConstructionPermit, EnvironmentZone, MonitoringStation, RedLine, Road
from planning.models import Plan, ZoningArea
from tests.importers.conftest import X0, Y0, lot, write_shapefile

pytestmark = pytest.mark.django_db


def test_communes_load_with_their_official_codes(tmp_path):
    rows = [
        {"MaXa": "10540", "TenXa": "Phường Tứ Minh", "Cap": "ward", "geometry": lot(0, 500)},
        {
            "MaXa": "10532",
            "TenXa": "Phường Lê Thanh Nghị",
            "Cap": "Phường",
            "geometry": lot(1, 500),
        },
    ]
    report = run_import(layer="communes", path=write_shapefile(tmp_path / "in", rows, name="xa"))
    assert report.ok, report.error
    from layers.models import AdminUnit

    assert dict(AdminUnit.objects.values_list("code", "level")) == {
        "10540": "ward",
        "10532": "ward",
    }


def test_roads_in_windows_1258_with_a_cpg_keep_their_names(tmp_path):
    rows = [
        {
            "MaDuong": "D1",
            "TenDuong": "Nguyễn Lương Bằng",
            "CapDuong": "main",
            "BeRong": 12.5,
            "LoGioi": 30,
            "geometry": shapely.LineString([(X0, Y0), (X0 + 500, Y0)]),
        },
    ]
    path = write_shapefile(tmp_path / "in", rows, name="duong", encoding="cp1258", cpg="1258")
    report = run_import(layer="roads", path=path)
    assert report.ok, report.error
    road = Road.objects.get()
    assert road.name == "Nguyễn Lương Bằng"
    assert (road.road_class, str(road.planned_width_m)) == ("main", "30.00")
    assert road.geom.geom_type == "MultiLineString"


def test_red_lines_link_to_their_road(tmp_path):
    Road.objects.create(
        code="D1",
        road_class="main",
        geom="SRID=9209;MULTILINESTRING((580000 2314000, 580500 2314000))",
    )
    rows = [
        {
            "MaCGDD": "CG1",
            "MaDuong": "D1",
            "LoGioi": 30,
            "QuyetDinh": "2718/QĐ-UBND",
            "geometry": shapely.LineString([(X0, Y0), (X0 + 500, Y0)]).buffer(15, cap_style="flat"),
        }
    ]
    report = run_import(layer="red_lines", path=write_shapefile(tmp_path / "in", rows, name="cgdd"))
    assert report.ok, report.error
    assert RedLine.objects.get().road.code == "D1"


def test_environment_zones_read_their_kind_and_no_build_flag(tmp_path):
    rows = [
        {
            "Ma": "NN1",
            "Ten": "Vùng bảo vệ nguồn nước",
            "Loai": "water_source_protection",
            "CamXayDung": 1,
            "CanCu": "QĐ 123",
            "geometry": lot(0, 300),
        }
    ]
    report = run_import(layer="environment_zones", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok, report.error
    zone = EnvironmentZone.objects.get()
    assert (zone.kind, zone.no_build) == ("water_source_protection", True)


def test_monitoring_stations_are_points(tmp_path):
    rows = [
        {
            "MaTram": "KK01",
            "TenTram": "Trạm không khí Tứ Minh",
            "LoaiTram": "air",
            "geometry": shapely.Point(X0, Y0),
        }
    ]
    report = run_import(layer="monitoring_stations", path=write_shapefile(tmp_path / "in", rows))
    assert report.ok, report.error
    assert MonitoringStation.objects.get().geom.coords == (X0, Y0)


def test_zoning_creates_its_approved_plan_from_the_file(tmp_path):
    rows = [
        {
            "KyHieuO": f"A{i}",
            "ChucNang": "ODT",
            "MatDo": 80,
            "TangCao": 5,
            "ChieuCao": 21,
            "HSSDD": 4,
            "KhoangLui": 3,
            "TenDoAn": "QHPK khu Đông",
            "SoQD": "2718/QĐ-UBND",
            "NgayPD": "2024-05-15",
            "CapQH": "zoning",
            "geometry": lot(i, 100),
        }
        for i in range(3)
    ]
    report = run_import(layer="zoning", path=write_shapefile(tmp_path / "in", rows, name="qh"))
    assert report.ok, report.error
    plan = Plan.objects.get()
    assert (plan.status, plan.decision_number, plan.approved_on) == (
        "approved",
        "2718/QĐ-UBND",
        datetime.date(2024, 5, 15),
    )
    zone = ZoningArea.objects.get(zone_code="A1")
    assert (str(zone.max_coverage), zone.max_floors, zone.plan) == ("0.800", 5, plan)
    assert plan.geom.area == pytest.approx(3 * 100 * 100)


def test_zoning_without_a_decision_starts_as_a_draft(tmp_path):
    rows = [
        {
            "KyHieuO": "B1",
            "ChucNang": "TMD",
            "MatDo": 0.6,
            "TenDoAn": "Điều chỉnh QHPK",
            "SoQD": "",
            "NgayPD": "",
            "geometry": lot(0, 100),
        }
    ]
    report = run_import(layer="zoning", path=write_shapefile(tmp_path / "in", rows, name="qh"))
    assert report.ok, report.error
    assert Plan.objects.get().status == "draft"
    assert str(ZoningArea.objects.get().max_coverage) == "0.600"


def test_zoning_into_a_given_plan(tmp_path):
    from tests.factories import PlanFactory

    plan = PlanFactory()
    rows = [{"KyHieuO": "C1", "ChucNang": "DGD", "geometry": lot(0, 100)}]
    path = write_shapefile(tmp_path / "in", rows, name="qh")
    report = run_import(layer="zoning", path=path, options=ImportOptions(plan_id=plan.pk))
    assert report.ok, report.error
    assert ZoningArea.objects.get().plan == plan


def test_a_permit_register_loads_issued_permits_with_private_applicants(tmp_path):
    rows = [
        {
            "SoGiayPhep": "125/GPXD",
            "LoaiGiayPhep": "new",
            "TenCongTrinh": "Nhà ở riêng lẻ",
            "SoTang": 4,
            "SoTangHam": 0,
            "ChieuCao": 15.2,
            "NgayCap": "2025-03-02",
            "ChuDauTu": "Trần Thị Bích Ngọc",
            "geometry": lot(0, 8),
        }
    ]
    report = run_import(layer="permits", path=write_shapefile(tmp_path / "in", rows, name="gp"))
    assert report.ok, report.error
    permit = ConstructionPermit.objects.get()
    assert (permit.status, permit.issued_on, permit.received_on) == (
        "issued",
        datetime.date(2025, 3, 2),
        datetime.date(2025, 3, 2),
    )
    assert permit.applicant.name == "Trần Thị Bích Ngọc"


def test_a_geojson_in_wgs84_is_reprojected_to_the_storage_crs(tmp_path, ward):
    from gis.crs import to_wgs84
    from layers.models import LandParcel

    corners = [
        to_wgs84(x, y, 9209)
        for x, y in ((X0, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 10), (X0, Y0 + 10))
    ]
    feature = {
        "type": "Feature",
        "properties": {
            "MaXa": "10540",
            "SoTo": 3,
            "SoThua": 7,
            "DienTich": "100,0",
            "LOAIDAT": "ONT",
        },
        "geometry": {"type": "Polygon", "coordinates": [[*map(list, corners), list(corners[0])]]},
    }
    path = tmp_path / "thua.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8"
    )
    report = run_import(layer="parcels", path=path)
    assert report.ok, report.error
    parcel = LandParcel.objects.get()
    assert parcel.geom.extent == pytest.approx((X0, Y0, X0 + 10, Y0 + 10), abs=0.01)
    assert str(parcel.area_m2) == "100.0"


def test_a_geopackage_layer_can_be_chosen(tmp_path, ward):
    from importers.writing import write_rows
    from layers.models import LandParcel
    from tests.importers.conftest import parcel_rows

    path = tmp_path / "thua.gpkg"
    write_rows(path, parcel_rows(2), crs=9209, layer="thua_dat")
    write_rows(path, parcel_rows(2)[:1], crs=9209, layer="thua_dat_cu")
    report = run_import(layer="parcels", path=path, options=ImportOptions(layer_name="thua_dat"))
    assert report.ok, report.error
    assert LandParcel.objects.count() == 2
