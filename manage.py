#!/usr/bin/env python
"""Django's command-line utility; starts the embedded PostGIS cluster when it is in use."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis.settings")
    from gis.pgcluster import ensure_running, uses_embedded_cluster

    if uses_embedded_cluster() and os.environ.get("QUYHOACH_NO_AUTOSTART") != "1":
        ensure_running()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
