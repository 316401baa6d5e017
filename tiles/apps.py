"""Tile services (MapProxy over Mapnik) and vector tiles."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = _("Tiles")

    def ready(self) -> None:
        from tiles import invalidation

        invalidation.connect()
