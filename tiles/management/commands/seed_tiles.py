"""``manage.py seed_tiles [--layer L] [--bbox minlon,minlat,maxlon,maxlat] [--levels A-B]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiles.seeding import DEFAULT_LEVELS, seed


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise CommandError("--bbox takes minlon,minlat,maxlon,maxlat") from None
    if not (west < east and south < north):
        raise CommandError("--bbox: min must be below max")
    return west, south, east, north


def _levels(text: str) -> tuple[int, int]:
    try:
        low, _sep, high = text.partition("-")
        levels = int(low), int(high or low)
    except ValueError:
        raise CommandError("--levels takes A-B, e.g. 10-16") from None
    if not 0 <= levels[0] <= levels[1] <= 22:
        raise CommandError("--levels must lie within 0-22, low first")
    return levels


class Command(BaseCommand):
    help = "Pre-render tiles into the cache, with progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--layer", action="append", dest="layers", help="repeatable")
        parser.add_argument("--bbox", type=_bbox)
        parser.add_argument("--levels", type=_levels, default=DEFAULT_LEVELS)
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: object, **options: object) -> None:
        try:
            seed(
                layers=options["layers"],
                bbox=options["bbox"],
                levels=options["levels"],
                concurrency=options["concurrency"],
                out=self.stdout,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
