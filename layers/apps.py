"""Thematic layers and the layer registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Map layers")

    def ready(self) -> None:
        from layers import checks  # noqa: F401  (registers the system checks)
        from layers.registry import autodiscover

        autodiscover()
