"""The database refuses what must never be wrong: invalid or empty geometry, non-positive
areas, duplicate natural keys, out-of-range planning controls."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import IntegrityError, connection, transaction

from layers.models import LandParcel
from tests.factories import (
    AdminUnitFactory,
    ConstructionPermitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
    square,
)

pytestmark = pytest.mark.django_db


def refuses(factory, **fields) -> bool:
    try:
        with transaction.atomic():
            factory(**fields)
    except IntegrityError:
        return True
    return False


def bowtie() -> MultiPolygon:
    x, y = 580_000, 2_314_000
    ring = ((x, y), (x + 10, y + 10), (x + 10, y), (x, y + 10), (x, y))
    return MultiPolygon(Polygon(ring), srid=settings.GIS_SRID)


def test_a_valid_parcel_is_stored_with_its_legal_area_as_recorded():
    parcel = LandParcelFactory(area_m2="99.7", geom=square(size=10))
    parcel.refresh_from_db()
    assert str(parcel.area_m2) == "99.7"
    assert parcel.geom.area == pytest.approx(100.0)


def test_a_self_intersecting_parcel_is_refused():
    assert refuses(LandParcelFactory, geom=bowtie())


def test_an_empty_parcel_geometry_is_refused():
    empty = GEOSGeometry("MULTIPOLYGON EMPTY", srid=settings.GIS_SRID)
    assert refuses(LandParcelFactory, geom=empty)


def test_a_parcel_without_area_is_refused():
    assert refuses(LandParcelFactory, area_m2=0)


def test_a_zero_area_parcel_geometry_is_refused():
    x, y = 580_000, 2_314_000
    flat = MultiPolygon(Polygon(((x, y), (x + 10, y), (x + 20, y), (x, y))), srid=settings.GIS_SRID)
    assert refuses(LandParcelFactory, geom=flat)


def test_the_same_commune_sheet_and_number_cannot_exist_twice():
    LandParcelFactory(sheet=12, number=345)
    assert refuses(LandParcelFactory, sheet=12, number=345)


def test_the_same_sheet_and_number_may_exist_in_another_commune():
    LandParcelFactory(sheet=12, number=345)
    other = AdminUnitFactory(code="10532", name="Phường Lê Thanh Nghị")
    LandParcelFactory(commune=other, sheet=12, number=345)
    assert LandParcel.objects.filter(sheet=12, number=345).count() == 2


def test_sheet_and_parcel_numbers_start_at_one():
    assert refuses(LandParcelFactory, sheet=0)
    assert refuses(LandParcelFactory, number=0)


def test_zone_coverage_must_be_a_fraction():
    assert refuses(ZoningAreaFactory, max_coverage=1.2)
    assert refuses(ZoningAreaFactory, max_coverage=0)


def test_zone_codes_are_unique_within_a_plan():
    zone = ZoningAreaFactory(zone_code="B1")
    assert refuses(ZoningAreaFactory, plan=zone.plan, zone_code="B1")


def test_an_approved_plan_needs_its_decision():
    assert refuses(PlanFactory, decision_number="")
    assert refuses(PlanFactory, approved_on=None)


def test_an_issued_permit_needs_a_number_and_an_issue_date():
    assert refuses(ConstructionPermitFactory, status="issued", number=None)
    permit = ConstructionPermitFactory(
        status="issued", number="125/GPXD", issued_on=datetime.date(2026, 11, 10)
    )
    assert permit.pk


def test_a_permit_cannot_be_due_before_it_was_received():
    assert refuses(ConstructionPermitFactory, due_on=datetime.date(2026, 11, 1))


def test_the_web_mercator_copy_follows_the_geometry():
    parcel = LandParcelFactory(geom=square(size=10))
    parcel.refresh_from_db()
    assert parcel.geom_3857.srid == 3857
    before = parcel.geom_3857.centroid
    lonlat = before.transform(4326, clone=True)
    assert lonlat.x == pytest.approx(106.27097, abs=1e-3)
    assert lonlat.y == pytest.approx(20.91738, abs=1e-3)
    parcel.geom = square(x=581_000, size=10)
    parcel.save()
    parcel.refresh_from_db()
    # 1 km east in VN-2000 is about 1.07 km east in Web Mercator at this latitude.
    assert parcel.geom_3857.centroid.x - before.x == pytest.approx(1000 / 0.9999 / 0.934, rel=0.01)


def test_the_web_mercator_copy_cannot_be_written_apart_from_the_geometry():
    parcel = LandParcelFactory(geom=square(size=10))
    expected = parcel.geom.transform(3857, clone=True)
    # Returned by the INSERT, as a generated column's would be.
    assert parcel.geom_3857.equals_exact(expected, 1e-6)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE layers_landparcel SET geom_3857 = ST_Translate(geom_3857, 500, 0) "
            "WHERE id = %s",
            [parcel.pk],
        )
    parcel.refresh_from_db()
    assert parcel.geom_3857.equals_exact(expected, 1e-6)
