"""Data the API tests share: a few public rows of each layer around Hải Dương, plus rows
the public must never see (a draft plan's zone, a permit still under review)."""

from __future__ import annotations

import datetime

import pytest

from layers.models import ConstructionPermit, ParcelHolder
from planning.models import Plan
from tests.factories import (
    ConstructionPermitFactory,
    LandParcelFactory,
    PlanFactory,
    ZoningAreaFactory,
    square,
)

X, Y = 580_000.0, 2_314_000.0


@pytest.fixture
def public_data(db):
    """Three parcels in a row 20 m apart, an approved zone over them, an issued permit; a
    draft plan's zone and a permit under review that must stay hidden."""
    parcels = [
        LandParcelFactory(sheet=12, number=n + 1, geom=square(X + 20 * n, Y, 10)) for n in range(3)
    ]
    ParcelHolder.objects.create(
        parcel=parcels[0], holder_name="Nguyễn Văn An", id_number="030201001234"
    )
    approved = ZoningAreaFactory(zone_code="A1", geom=square(X - 5, Y - 5, 70))
    draft_plan = PlanFactory(
        name="Bản nháp", status=Plan.Status.DRAFT, approved_on=None, decision_number=""
    )
    draft = ZoningAreaFactory(plan=draft_plan, zone_code="D1", geom=square(X - 5, Y - 5, 70))
    issued = ConstructionPermitFactory(
        number="GP-01/2026",
        status=ConstructionPermit.Status.ISSUED,
        issued_on=datetime.date(2026, 11, 20),
        geom=square(X + 2, Y + 2, 5),
    )
    pending = ConstructionPermitFactory(number="GP-02/2026", geom=square(X + 22, Y + 2, 5))
    return {
        "parcels": parcels,
        "zone": approved,
        "draft_zone": draft,
        "permit": issued,
        "pending_permit": pending,
    }
