"""``manage.py load_demo``: build the demo province's source files and import them through
the real importers (``import_layer``), then its monitoring readings."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from importers.demo_applications import register_demo_applications
from importers.demo_province import generate
from importers.readings import load_readings


class Command(BaseCommand):
    help = "Generate the demo province (Hải Dương city centre) and load it through import_layer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parcels", type=int, default=20_000, help="about how many parcels")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--folder", type=Path, default=None)

    def handle(self, *args: object, **options: object) -> None:
        folder = options["folder"] or Path(settings.VAR_DIR) / "demo"
        started = time.perf_counter()
        manifest = generate(folder, seed=options["seed"], parcels_target=options["parcels"])
        self.stdout.write(
            f"Demo files in {folder} ({time.perf_counter() - started:.1f} s): "
            + ", ".join(f"{name} {count}" for name, count in manifest.counts.items())
        )
        for key, path, extra in manifest.files:
            self.stdout.write(f"→ import_layer {key} {path.name}")
            call_command("import_layer", key, str(path), verbosity=options["verbosity"], **extra)
        made = register_demo_applications()
        self.stdout.write(f"→ {made} pending permit applications for the officer desk")
        if manifest.readings:
            report = load_readings(manifest.readings)
            self.stdout.write(
                f"→ readings {manifest.readings.name}: {report.read} read, {report.created} new"
            )
