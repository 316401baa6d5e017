"""Extra output formats of the planning report, chosen with ``?format=…`` (DRF's format
override).

The PDF certificate needs the map tiles and templates of higher layers, so webmap registers
its renderer here at start-up instead of planning importing it. It registers a dotted path,
imported when a report is first rendered: start-up (every management command) does not pay
for the certificate's imports (DRF views, MapProxy).
"""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

_paths: list[str] = []


def register_report_renderer(path: str) -> None:
    if path not in _paths:
        _paths.append(path)
        report_renderers.cache_clear()


@cache
def report_renderers() -> tuple[type, ...]:
    return tuple(import_string(path) for path in _paths)
