"""National environmental limits (QCVN) for monitoring readings, kept as data in
``layers/data/qcvn_limits.csv`` with their source: air QCVN 05:2023/BTNMT, surface water
QCVN 08:2023/BTNMT, groundwater QCVN 09:2023/BTNMT, noise QCVN 26:2010/BTNMT. The values
are transcriptions: verify them against the gazette before relying on them (DOMAIN.md)."""

from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

LIMITS_CSV = Path(__file__).resolve().parent / "data" / "qcvn_limits.csv"


@dataclass(frozen=True)
class Limit:
    medium: str
    parameter: str
    unit: str
    averaging: str
    lower: float | None
    upper: float | None
    standard: str
    source: str
    note: str
    hours: tuple[int, int] | None = None  # local [start, end) hours, e.g. noise by day

    def applies_at(self, when: datetime.datetime) -> bool:
        if self.hours is None:
            return True
        start, end = self.hours
        hour = timezone.localtime(when).hour
        return start <= hour < end if start < end else hour >= start or hour < end

    def status(self, value: float) -> str:
        """``exceeds`` outside the limit (above the upper, below the lower), else ``within``."""
        if self.upper is not None and value > self.upper:
            return "exceeds"
        if self.lower is not None and value < self.lower:
            return "exceeds"
        return "within"

    def as_dict(self) -> dict[str, object]:
        return {
            "lower": self.lower,
            "upper": self.upper,
            "unit": self.unit,
            "averaging": self.averaging,
            "standard": self.standard,
            "source": self.source,
            "note": self.note,
        }


def normalise_unit(unit: str) -> str:
    """``µg/m3``, ``ug/m³`` and ``μg/m3`` (Greek mu) are one unit; so are ``mg/L`` and ``mg/l``."""
    text = unit.strip().lower().replace("³", "3").replace("μ", "µ").replace(" ", "")
    return "µ" + text[1:] if text.startswith("ug/") else text


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def all_limits() -> tuple[Limit, ...]:
    with LIMITS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Limit(
                medium=row["medium"],
                parameter=row["parameter"],
                unit=row["unit"],
                averaging=row["averaging"],
                lower=_number(row["lower"]),
                upper=_number(row["upper"]),
                standard=row["standard"],
                source=row["source"],
                note=row["note"],
                hours=tuple(int(h) for h in row["hours"].split("-")) if row["hours"] else None,
            )
            for row in csv.DictReader(fh)
        )


def limit_for(*, medium: str, parameter: str, unit: str, when: datetime.datetime) -> Limit | None:
    """The limit a reading is held to; None when the standard has none in that unit
    (a reading in other units is never compared with a limit it cannot be set against)."""
    for limit in all_limits():
        if (
            limit.medium == medium
            and limit.parameter.lower() == parameter.strip().lower()
            and normalise_unit(limit.unit) == normalise_unit(unit)
            and limit.applies_at(when)
        ):
            return limit
    return None
