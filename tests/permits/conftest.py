"""Permit fixtures: a 20 m × 20 m parcel (400 m²) in an approved residential zone, an
officer and a bystander; geometries in VN-2000 / TM-3 105-30 metres."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import MultiPolygon, Polygon

from layers.models import ConstructionPermit, PermitApplicant
from tests.factories import LandParcelFactory, PlanFactory, ZoningAreaFactory, square

X, Y = 580_000.0, 2_314_000.0


def rect(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    ring = ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))
    return MultiPolygon(Polygon(ring), srid=9209)


@pytest.fixture
def parcel():
    return LandParcelFactory(geom=square(X, Y, size=20), area_m2="400.0", sheet=12, number=345)


@pytest.fixture
def zone():
    # max coverage 0.8, 5 floors, 21 m, FAR 4 (factory defaults) over the whole area.
    return ZoningAreaFactory(plan=PlanFactory(), zone_code="A1", geom=square(X - 100, Y - 100, 300))


@pytest.fixture
def make_permit(parcel):
    def make(footprint=None, *, parcels=None, applicant="Nguyễn Văn An", **fields):
        values = {
            "kind": ConstructionPermit.Kind.NEW,
            "works_name": "Nhà ở riêng lẻ",
            "intended_use": "ODT",
            "floors": 4,
            "height_m": 15,
            "received_on": datetime.date(2026, 11, 2),
            "due_on": datetime.date(2026, 11, 11),
            **fields,
        }
        permit = ConstructionPermit.objects.create(geom=footprint, **values)
        permit.parcels.set(parcels if parcels is not None else [parcel])
        if applicant:
            PermitApplicant.objects.create(permit=permit, name=applicant, id_number="001099012345")
        return permit

    return make


@pytest.fixture
def officer(db):
    user = User.objects.create_user("officer", password="officer-pass-1234")
    user.groups.add(Group.objects.get(name="permit_officer"))
    return user


@pytest.fixture
def planner(db):
    user = User.objects.create_user("planner", password="planner-pass-1234")
    user.groups.add(Group.objects.get(name="planner"))
    return user
