"""Monitoring readings from CSV (MaTram, ThongSo, GiaTri, DonVi, ThoiGian): one row per
station, parameter and time; re-loading the same file changes nothing."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from importers.errors import ImportRejected
from layers.models import MonitoringReading, MonitoringStation

COLUMNS = {
    "station": ("MaTram", "station"),
    "parameter": ("ThongSo", "parameter"),
    "value": ("GiaTri", "value"),
    "unit": ("DonVi", "unit"),
    "measured_at": ("ThoiGian", "measured_at"),
}


@dataclass
class ReadingsReport:
    read: int = 0
    created: int = 0
    updated: int = 0


def _column(header: list[str], names: tuple[str, ...]) -> str:
    lowered = {h.lower(): h for h in header}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    raise ImportRejected(
        _("Column %(names)s not found; the file has: %(found)s."),
        names=" / ".join(names),
        found=", ".join(header),
    )


@transaction.atomic
def load_readings(path: Path) -> ReadingsReport:
    report = ReadingsReport()
    stations = dict(MonitoringStation.objects.values_list("code", "pk"))
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = {key: _column(reader.fieldnames or [], names) for key, names in COLUMNS.items()}
        for n, row in enumerate(reader, start=2):
            report.read += 1
            code = row[columns["station"]].strip()
            if code not in stations:
                raise ImportRejected(_("Line %(n)s: unknown station %(code)s."), n=n, code=code)
            try:
                value = float(row[columns["value"]].replace(",", "."))
                measured_at = datetime.datetime.fromisoformat(row[columns["measured_at"]].strip())
            except ValueError:
                raise ImportRejected(_("Line %(n)s: bad value or time."), n=n) from None
            _reading, created = MonitoringReading.objects.update_or_create(
                station_id=stations[code],
                parameter=row[columns["parameter"]].strip(),
                measured_at=measured_at,
                defaults={"value": value, "unit": row[columns["unit"]].strip()},
            )
            report.created += created
            report.updated += not created
    return report
