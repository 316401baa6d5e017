"""The permit compliance check (CONTRACT.md, "Permit check"): one rule at a time against the
approved zoning in force and the QCVN 01:2021/BXD tables kept as data in ``planning/data``.

Geometries and distances are planar metres in ``settings.GIS_SRID`` (VN-2000 / TM-3). The
lot is the union of the permit's parcels; its area is the sum of their legal areas (the
recorded m², never recomputed). A rule that cannot be evaluated (no approved zone, no
footprint, no lot) has ``status: "skipped"`` and ``passed: false``: a permit is compliant
only when every rule was evaluated and passed, so a missing input never reads as "fine".
"""

from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.gis.db.models.functions import Area, Intersection
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.models import ConstructionPermit, EnvironmentZone, RedLine
from planning.models import ZoningArea
from planning.report import zones_in_force

DATA_DIR = Path(__file__).resolve().parent / "data"
# Slivers below this (m²) are drawing noise, not overlaps (the planning report's threshold).
SLIVER_M2 = 0.01
# A red line this close to the lot (m) is the street the lot fronts.
FRONTAGE_M = 1.0

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    required: str
    actual: str
    message: str
    status: str

    @classmethod
    def of(cls, rule: str, passed: bool, required: str, actual: str, message: str):
        return cls(rule, passed, required, actual, message, PASSED if passed else FAILED)

    @classmethod
    def skipped(cls, rule: str, message: str) -> RuleResult:
        return cls(rule, False, "—", "—", message, SKIPPED)


# --- Tables (data with their source; see planning/data/*.csv) -------------------------


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of a CSV table in ``planning/data`` (lines starting with # are its notes)."""
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _bound(value: str) -> float | None:
    return float(value) if value.strip() else None


@functools.cache
def _detached_table() -> tuple[tuple[float, float], ...]:
    rows = read_table("qcvn01_2021_coverage_detached.csv")
    return tuple(sorted((float(r["lot_area_m2"]), float(r["max_coverage"])) for r in rows))


@functools.cache
def _commercial_table() -> tuple[tuple[float, float | None, tuple[tuple[float, float], ...]], ...]:
    bands: dict[tuple[float, float | None], list[tuple[float, float]]] = {}
    for row in read_table("qcvn01_2021_coverage_commercial.csv"):
        key = (float(row["min_height_m"]), _bound(row["max_height_m"]))
        bands.setdefault(key, []).append((float(row["lot_area_m2"]), float(row["max_coverage"])))
    return tuple((low, high, tuple(sorted(points))) for (low, high), points in bands.items())


@functools.cache
def _setback_table() -> tuple[tuple[float, float | None, float, float | None, float], ...]:
    return tuple(
        (
            float(r["min_road_width_m"]),
            _bound(r["max_road_width_m"]),
            float(r["min_height_m"]),
            _bound(r["max_height_m"]),
            float(r["setback_m"]),
        )
        for r in read_table("qcvn01_2021_setbacks.csv")
    )


def interpolate(points: tuple[tuple[float, float], ...], x: float) -> float:
    """Linear interpolation in a sorted (x, y) table, clamped at both ends."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x == x1:
            return y1
        if x < x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def qcvn_max_coverage(*, works_type: str, lot_area_m2: float, height_m: float) -> float | None:
    """QCVN 01:2021 cap on net coverage (fraction), or None where we keep no table."""
    if works_type == ConstructionPermit.WorksType.DETACHED_HOUSE:
        return interpolate(_detached_table(), lot_area_m2)
    if works_type == ConstructionPermit.WorksType.COMMERCIAL:
        for low, high, points in _commercial_table():
            if low < height_m and (high is None or height_m <= high):
                return interpolate(points, lot_area_m2)
    # TODO(issue 7): the apartment table (2.9) and the middle height bands of 2.10.
    return None


def qcvn_min_setback(*, road_width_m: float, height_m: float) -> float | None:
    """QCVN 01:2021 table 2.7: minimum setback (m) for a road width and building height."""
    for min_w, max_w, min_h, max_h, setback in _setback_table():
        if min_w <= road_width_m and (max_w is None or road_width_m < max_w):
            if min_h <= height_m and (max_h is None or height_m < max_h):
                return setback
    return None


# --- Inputs -----------------------------------------------------------------------------


@dataclass
class _Inputs:
    permit: ConstructionPermit
    on: datetime.date
    lot: GEOSGeometry | None
    lot_area_m2: float
    footprint: GEOSGeometry | None
    zone: ZoningArea | None


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def _lot(permit: ConstructionPermit) -> tuple[GEOSGeometry | None, float]:
    parcels = list(permit.parcels.all())
    if not parcels:
        return None, 0.0
    lot = parcels[0].geom
    for parcel in parcels[1:]:
        lot = lot.union(parcel.geom)
    return lot, float(sum(Decimal(p.area_m2) for p in parcels))


def _dominant_zone(lot: GEOSGeometry, on: datetime.date) -> ZoningArea | None:
    """The approved zone in force holding the largest part of the lot."""
    zone = (
        zones_in_force(on)
        .filter(geom__intersects=lot)
        .select_related("plan", "land_use")
        .annotate(overlap=Area(Intersection("geom", lot)))
        .order_by("-overlap", "-plan__approved_on", "zone_code")
        .first()
    )
    if zone is None or zone.overlap.sq_m <= SLIVER_M2:
        return None
    return zone


def _no_zone(rule: str) -> RuleResult:
    return RuleResult.skipped(rule, _("No approved zoning covers this parcel."))


def _no_footprint(rule: str) -> RuleResult:
    return RuleResult.skipped(rule, _("No building footprint has been given."))


# --- Rules ------------------------------------------------------------------------------


def rule_land_use(data: _Inputs) -> RuleResult:
    if data.zone is None:
        return _no_zone("land_use")
    planned = data.zone.land_use.code
    intended = (data.permit.intended_use or "").strip().upper()
    if not intended:
        return RuleResult.skipped("land_use", _("The intended use has not been given."))
    passed = intended == planned
    if passed:
        message = _("The zone's planned land use %(planned)s allows %(intended)s.")
    else:
        message = _("The zone's planned land use %(planned)s does not allow %(intended)s.")
    return RuleResult.of(
        "land_use", passed, planned, intended, message % {"planned": planned, "intended": intended}
    )


def rule_coverage(data: _Inputs) -> RuleResult:
    if data.footprint is None:
        return _no_footprint("coverage")
    if data.lot is None or data.lot_area_m2 <= 0:
        return RuleResult.skipped("coverage", _("The permit names no parcel."))
    permit = data.permit
    limits = []
    if data.zone is not None and data.zone.max_coverage is not None:
        limits.append(float(data.zone.max_coverage))
    qcvn = qcvn_max_coverage(
        works_type=permit.works_type, lot_area_m2=data.lot_area_m2, height_m=float(permit.height_m)
    )
    if qcvn is not None:
        limits.append(qcvn)
    if not limits:
        return RuleResult.skipped("coverage", _("Neither the zone nor QCVN 01:2021 gives a limit."))
    limit = min(limits)
    coverage = data.footprint.area / data.lot_area_m2
    # Compared as displayed (two decimals), so the numbers shown always explain the result.
    passed = round(coverage, 4) <= round(limit, 4)
    message = _(
        "Footprint %(footprint).1f m² on a lot of %(lot).1f m²: coverage %(actual)s, "
        "limit %(limit)s (zone %(zone)s, QCVN 01:2021 %(qcvn)s)."
    ) % {
        "footprint": data.footprint.area,
        "lot": data.lot_area_m2,
        "actual": _fmt(coverage),
        "limit": _fmt(limit),
        "zone": _fmt(float(data.zone.max_coverage))
        if data.zone is not None and data.zone.max_coverage is not None
        else "—",
        "qcvn": _fmt(qcvn) if qcvn is not None else "—",
    }
    return RuleResult.of("coverage", passed, f"≤ {_fmt(limit)}", _fmt(coverage), message)


def rule_floors(data: _Inputs) -> RuleResult:
    if data.zone is None:
        return _no_zone("floors")
    if data.zone.max_floors is None:
        return RuleResult.skipped("floors", _("The zone sets no maximum number of floors."))
    floors, limit = data.permit.floors, data.zone.max_floors
    passed = floors <= limit
    message = _("%(actual)s floors above ground; the zone allows %(limit)s.") % {
        "actual": floors,
        "limit": limit,
    }
    return RuleResult.of("floors", passed, f"≤ {limit}", str(floors), message)


def rule_height(data: _Inputs) -> RuleResult:
    if data.zone is None:
        return _no_zone("height")
    if data.zone.max_height_m is None:
        return RuleResult.skipped("height", _("The zone sets no maximum height."))
    height, limit = float(data.permit.height_m), float(data.zone.max_height_m)
    passed = height <= limit
    message = _("Height %(actual)s m; the zone allows %(limit)s m.") % {
        "actual": _fmt(height),
        "limit": _fmt(limit),
    }
    return RuleResult.of("height", passed, f"≤ {_fmt(limit)} m", f"{_fmt(height)} m", message)


def rule_far(data: _Inputs) -> RuleResult:
    if data.zone is None:
        return _no_zone("far")
    if data.zone.max_far is None:
        return RuleResult.skipped("far", _("The zone sets no maximum land-use coefficient."))
    if data.lot is None or data.lot_area_m2 <= 0:
        return RuleResult.skipped("far", _("The permit names no parcel."))
    permit = data.permit
    if permit.gross_floor_area_m2 is not None:
        gross = float(permit.gross_floor_area_m2)
        basis = _("gross floor area %(gross).1f m²")
    elif data.footprint is not None:
        # No declared floor area: every floor taken as large as the footprint.
        gross = data.footprint.area * permit.floors
        basis = _("estimated floor area %(gross).1f m² (footprint × floors)")
    else:
        return _no_footprint("far")
    far, limit = gross / data.lot_area_m2, float(data.zone.max_far)
    passed = round(far, 4) <= round(limit, 4)
    message = _("Land-use coefficient %(actual)s from %(basis)s; the zone allows %(limit)s.") % {
        "actual": _fmt(far),
        "basis": basis % {"gross": gross},
        "limit": _fmt(limit),
    }
    return RuleResult.of("far", passed, f"≤ {_fmt(limit)}", _fmt(far), message)


def rule_footprint_in_parcel(data: _Inputs) -> RuleResult:
    if data.footprint is None:
        return _no_footprint("footprint_in_parcel")
    if data.lot is None:
        return RuleResult.skipped("footprint_in_parcel", _("The permit names no parcel."))
    outside = data.footprint.difference(data.lot).area
    passed = outside <= SLIVER_M2
    if passed:
        message = _("The footprint lies inside the parcel.")
    else:
        message = _("%(outside).1f m² of the footprint lie outside the parcel.") % {
            "outside": outside
        }
    return RuleResult.of("footprint_in_parcel", passed, "0.0 m²", f"{_fmt(outside, 1)} m²", message)


def _road_width(red_line: RedLine) -> float | None:
    for value in (
        red_line.planned_width_m,
        red_line.road.planned_width_m if red_line.road else None,
        red_line.road.width_m if red_line.road else None,
    ):
        if value is not None:
            return float(value)
    return None


def rule_building_line(data: _Inputs) -> RuleResult:
    """Footprint behind the red line by the setback: the larger of the zone's minimum and
    QCVN 01:2021 table 2.7 for the width of each road the lot fronts."""
    if data.footprint is None:
        return _no_footprint("building_line")
    if data.lot is None:
        return RuleResult.skipped("building_line", _("The permit names no parcel."))
    fronting = list(
        RedLine.objects.filter(geom__dwithin=(data.lot, FRONTAGE_M))
        .select_related("road")
        .order_by("code")
    )
    if not fronting:
        return RuleResult.of("building_line", True, "—", "—", _("No red line borders this parcel."))
    height = float(data.permit.height_m)
    zone_setback = (
        float(data.zone.min_setback_m)
        if data.zone is not None and data.zone.min_setback_m is not None
        else 0.0
    )
    worst: tuple[float, float, RedLine] | None = None  # (margin, required, red line)
    distances: dict[int, float] = {}
    for red_line in fronting:
        width = _road_width(red_line)
        qcvn = qcvn_min_setback(road_width_m=width, height_m=height) if width else None
        required = max(zone_setback, qcvn or 0.0)
        distance = 0.0
        if not data.footprint.intersects(red_line.geom) or (
            data.footprint.intersection(red_line.geom).area <= SLIVER_M2
        ):
            distance = data.footprint.distance(red_line.geom)
        distances[red_line.pk] = distance
        margin = distance - required
        if worst is None or margin < worst[0]:
            worst = (margin, required, red_line)
    assert worst is not None
    margin, required, red_line = worst
    actual = distances[red_line.pk]
    passed = round(margin, 2) >= 0
    message = _(
        "The footprint stands %(actual)s m behind the red line %(code)s; "
        "the building line requires %(required)s m."
    ) % {"actual": _fmt(actual), "code": red_line.code, "required": _fmt(required)}
    return RuleResult.of(
        "building_line", passed, f"≥ {_fmt(required)} m", f"{_fmt(actual)} m", message
    )


def rule_no_build_zone(data: _Inputs) -> RuleResult:
    shape = data.footprint or data.lot
    if shape is None:
        return RuleResult.skipped("no_build_zone", _("Neither a footprint nor a parcel is given."))
    zones = [
        zone
        for zone in EnvironmentZone.objects.filter(no_build=True, geom__intersects=shape)
        .annotate(overlap=Area(Intersection("geom", shape)))
        .order_by("code")
        if zone.overlap.sq_m > SLIVER_M2
    ]
    area = sum(zone.overlap.sq_m for zone in zones)
    if zones:
        message = _("%(area).1f m² lie in a zone where building is prohibited: %(names)s.") % {
            "area": area,
            "names": ", ".join(zone.name for zone in zones),
        }
    else:
        message = _("Not in any zone where building is prohibited.")
    return RuleResult.of("no_build_zone", not zones, "0.0 m²", f"{_fmt(area, 1)} m²", message)


def rule_planned_road(data: _Inputs) -> RuleResult:
    """Land inside the red line (planned road) may carry only a temporary permit."""
    if data.lot is None:
        return RuleResult.skipped("planned_road", _("The permit names no parcel."))
    overlaps = (
        RedLine.objects.filter(geom__intersects=data.lot)
        .annotate(overlap=Area(Intersection("geom", data.lot)))
        .values_list("overlap", flat=True)
    )
    area = sum(a.sq_m for a in overlaps if a.sq_m > SLIVER_M2)
    temporary = data.permit.kind == ConstructionPermit.Kind.TEMPORARY
    if area <= 0:
        return RuleResult.of(
            "planned_road", True, "0.0 m²", "0.0 m²", _("The parcel is outside planned road land.")
        )
    if temporary:
        message = _(
            "%(area).1f m² of the parcel lie in planned road land: a temporary permit is allowed."
        )
    else:
        message = _(
            "%(area).1f m² of the parcel lie in planned road land: only a temporary permit "
            "can be issued."
        )
    return RuleResult.of(
        "planned_road",
        temporary,
        _("temporary permit") if not temporary else "—",
        f"{_fmt(area, 1)} m²",
        message % {"area": area},
    )


RULES = (
    rule_land_use,
    rule_coverage,
    rule_floors,
    rule_height,
    rule_far,
    rule_footprint_in_parcel,
    rule_building_line,
    rule_no_build_zone,
    rule_planned_road,
)


def check_permit(*, permit: ConstructionPermit, on: datetime.date | None = None) -> dict[str, Any]:
    """Every rule for ``permit`` against the zoning in force on ``on`` (today when None)."""
    day = on or timezone.localdate()
    lot, lot_area = _lot(permit)
    footprint = permit.geom
    if isinstance(footprint, MultiPolygon) and footprint.empty:
        footprint = None
    zone = _dominant_zone(lot, day) if lot is not None else None
    data = _Inputs(permit, day, lot, lot_area, footprint, zone)
    results = [rule(data) for rule in RULES]
    return {
        "compliant": all(result.passed for result in results),
        "on": day.isoformat(),
        "lot_area_m2": round(lot_area, 1),
        "footprint_area_m2": round(footprint.area, 1) if footprint is not None else None,
        "zone": {
            "id": zone.pk,
            "zone": zone.zone_code,
            "plan": zone.plan.name,
            "decision": zone.plan.decision_number,
            "land_use": zone.land_use.code,
        }
        if zone is not None
        else None,
        "rules": [asdict(result) for result in results],
    }
