"""factory_boy factories; geometries in VN-2000 / TM-3 105-30 metres around Hải Dương."""

from __future__ import annotations

import datetime

import factory
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon

from layers import models as layers
from planning import models as planning

# A point in the old Hải Dương city centre (VN-2000 / TM-3 105-30).
ORIGIN_X, ORIGIN_Y = 580_000.0, 2_314_000.0


def square(x: float = ORIGIN_X, y: float = ORIGIN_Y, size: float = 10.0) -> MultiPolygon:
    ring = ((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))
    return MultiPolygon(Polygon(ring), srid=settings.GIS_SRID)


class AdminUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = layers.AdminUnit
        django_get_or_create = ("code",)

    code = "10540"
    name = "Phường Tứ Minh"
    level = layers.AdminUnit.Level.WARD


class LandParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = layers.LandParcel

    commune = factory.SubFactory(AdminUnitFactory)
    sheet = 12
    number = factory.Sequence(lambda n: n + 1)
    area_m2 = 100
    land_use_codes = "ODT"
    land_use = factory.LazyFunction(lambda: layers.LandUseType.objects.get(code="ODT"))
    geom = factory.LazyFunction(square)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = planning.Plan

    name = "Quy hoạch phân khu khu đô thị phía Đông"
    level = planning.Plan.Level.ZONING
    status = planning.Plan.Status.APPROVED
    decision_number = "1234/QĐ-UBND"
    approved_on = datetime.date(2024, 5, 1)
    geom = factory.LazyFunction(lambda: square(size=1000))


class ZoningAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = planning.ZoningArea

    plan = factory.SubFactory(PlanFactory)
    zone_code = factory.Sequence(lambda n: f"A{n + 1}")
    land_use = factory.LazyFunction(lambda: layers.LandUseType.objects.get(code="ODT"))
    max_coverage = 0.8
    max_floors = 5
    max_height_m = 21
    max_far = 4
    geom = factory.LazyFunction(lambda: square(size=100))


class ConstructionPermitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = layers.ConstructionPermit

    kind = layers.ConstructionPermit.Kind.NEW
    works_name = "Nhà ở riêng lẻ"
    floors = 4
    height_m = 15
    received_on = datetime.date(2026, 11, 2)
    due_on = datetime.date(2026, 11, 11)
