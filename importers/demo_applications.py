"""Pending permit applications for the demo province, so the officer desk opens on a real
queue: residential parcels inside approved zones, footprints set back from the parcel edge
(some too large for the zone's coverage), received over the last weeks so some are overdue.
Registered through the desk's own service (planning.permits), never on a second path."""

from __future__ import annotations

import datetime
import random

from layers.models import ConstructionPermit, LandParcel
from planning.permits import register_permit
from planning.report import zones_in_force

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
GIVEN = ("Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Minh Đức", "Thu Hà", "Quốc Hùng")


def register_demo_applications(*, count: int = 12, seed: int = 7) -> int:
    """Register ``count`` applications unless the queue already holds some; how many."""
    if ConstructionPermit.objects.exclude(status=ConstructionPermit.Status.ISSUED).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - invented demo data
    candidates: list[tuple[LandParcel, str]] = []  # (parcel, the zone's planned land use)
    zones = zones_in_force().filter(land_use__code__in=("ODT", "ONT")).select_related("land_use")
    for zone in zones.order_by("pk"):
        parcels = LandParcel.objects.filter(
            land_use__code__in=("ODT", "ONT"), area_m2__gte=60, geom__coveredby=zone.geom
        ).order_by("pk")[:40]
        candidates += [(parcel, zone.land_use.code) for parcel in parcels]
        if len(candidates) >= 400:
            break
    today = datetime.date.today()
    made = 0
    rng.shuffle(candidates)
    for parcel, planned_use in candidates:
        if made == count:
            break
        inset = rng.choice((0.2, 0.5, 1.0, 2.0))  # a thin inset breaks the coverage limit
        footprint = parcel.geom.buffer(-inset)
        if footprint.empty:
            continue
        floors = rng.randint(2, 6)
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        register_permit(
            fields={
                "kind": ConstructionPermit.Kind.NEW,
                "works_type": ConstructionPermit.WorksType.DETACHED_HOUSE,
                "works_name": "Nhà ở riêng lẻ",
                "intended_use": planned_use,
                "floors": floors,
                "height_m": round(3.6 * floors + 0.9, 1),
                "gross_floor_area_m2": round(footprint.area * floors, 1),
                "received_on": today - datetime.timedelta(days=rng.randint(0, 20)),
            },
            parcels=[parcel],
            applicant={"name": name, "address": parcel.address or ""},
            footprint=footprint,
        )
        made += 1
    return made
