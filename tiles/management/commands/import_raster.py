"""``manage.py import_raster PATH [--name NAME]``: a GeoTIFF into a tiled raster layer."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiles import service
from tiles.rasters import RasterImportError, import_raster


class Command(BaseCommand):
    help = "Import a GeoTIFF (orthophoto, DEM) as a tiled raster layer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--name")
        parser.add_argument("--title")

    def handle(self, *args: object, **options: object) -> None:
        try:
            layer = import_raster(options["path"], name=options["name"], title=options["title"])
        except RasterImportError as exc:
            raise CommandError(str(exc)) from None
        service.reset()
        self.stdout.write(f"raster layer {layer.name}: {layer.path} (from {layer.source_crs})")
