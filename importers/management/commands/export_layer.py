"""``manage.py export_layer LAYER PATH [--srid N]`` (CONTRACT.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from importers.exporting import ExportError, export_layer
from layers import registry


class Command(BaseCommand):
    help = "Export a layer's public rows to .gpkg, .zip (shapefile with .cpg/.prj) or .geojson."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=[s.key for s in registry.all_layers() if s.importer])
        parser.add_argument("path", type=Path)
        parser.add_argument("--srid", type=int, help="EPSG code (default: the storage CRS)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            count = export_layer(options["layer"], options["path"], srid=options["srid"])
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} features → {options['path']}")
