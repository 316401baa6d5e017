"""``manage.py import_layer LAYER PATH`` (CONTRACT.md): all or nothing, with a progress bar
and a report; a non-zero exit status when the file is refused."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from importers.services import ImportOptions, format_report, run_import
from layers import checks, registry

ENCODINGS = ("auto", "utf-8", "cp1258", "tcvn3", "vni")


class Command(BaseCommand):
    help = "Import a .shp (with sidecars), a .zip holding one, a .gpkg or a .geojson into a layer."
    # The models and the layer registry; not the URLs, templates or admin, whose checks
    # import every view (0.4 s of every run) and which an import never touches.
    requires_system_checks = [Tags.models, checks.TAG]

    def add_arguments(self, parser: CommandParser) -> None:
        keys = [spec.key for spec in registry.all_layers() if spec.importer]
        parser.add_argument("layer", choices=keys)
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--srid", type=int, help="EPSG code of the coordinates (overrides .prj)"
        )
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto")
        parser.add_argument("--mapping", help="a preset name or a YAML mapping file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--layer", dest="layer_name", help="the layer inside a GeoPackage")
        parser.add_argument("--plan", type=int, dest="plan_id", help="zoning: the plan's id")

    def handle(self, *args: object, **options: object) -> None:
        if getattr(self, "_called_from_command_line", False):
            # A process of its own: what start-up built lives until exit. Frozen, it is
            # left out of the collector's full passes during the load and at exit (~1 s
            # of a 200,000-parcel import). Not from call_command, in a longer-lived process.
            gc.freeze()
        import_options = ImportOptions(
            srid=options["srid"],
            encoding=options["encoding"],
            mapping=options["mapping"],
            dry_run=options["dry_run"],
            layer_name=options["layer_name"],
            plan_id=options["plan_id"],
        )
        # One bar, in this process: a thread lock will do. tqdm's default lock also makes a
        # multiprocessing one, importing multiprocessing (50 ms) for nothing.
        tqdm.set_lock(threading.RLock())
        bar = tqdm(
            total=0,
            unit=" features",
            desc=str(options["path"].name),
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
            dynamic_ncols=True,
        )

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = run_import(
                layer=options["layer"],
                path=options["path"],
                options=import_options,
                progress=progress,
            )
        finally:
            bar.close()
        text = format_report(report)
        if not report.ok:
            raise CommandError(text)
        self.stdout.write(text)
