"""The layer registry: one declaration per layer (DESIGN.md, "One declaration per layer").

Each app declares its layers in ``maplayers.py`` with ``register(LayerSpec(...))``; the
modules are discovered at start-up the way the admin finds ``admin.py``. Tiles, the map's
layer tree and legend, the API catalogue, importers and exports read these specs and
nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules

# Every LAYER key of CONTRACT.md ("Management commands").
CONTRACT_KEYS = (
    "communes",
    "parcels",
    "zoning",
    "roads",
    "red_lines",
    "environment_zones",
    "monitoring_stations",
    "permits",
)


class GeometryKind(StrEnum):
    POLYGON = "polygon"
    LINE = "line"
    POINT = "point"


class Multipart(StrEnum):
    KEEP = "keep"  # a multi-part feature is one row (e.g. a parcel split by a canal)
    SINGLE = "single"  # one part per feature: multi-part features are refused with a reason


@dataclass(frozen=True)
class Style:
    """How a layer is drawn. Colours are #RRGGBB.

    ``fill_by``: a field path whose value picks the fill from ``fill_colors``
    (``"land_use"`` means: the official land-use colour table, loaded from ``LandUseType``).
    """

    fill: str | None = None
    fill_opacity: float = 0.6
    fill_by: str | None = None
    fill_colors: str | None = None
    stroke: str | None = "#333333"
    stroke_width: float = 1.0
    dash: tuple[float, ...] = ()
    hatch: bool = False
    label_field: str | None = None
    label_min_zoom: int = 17
    outline_min_zoom: int = 0
    point_radius: float = 5.0

    @property
    def legend_entries_from_land_use(self) -> bool:
        return self.fill_colors == "land_use"


@dataclass(frozen=True)
class ImportMapping:
    """How source files map to the model: target field → attribute aliases (in priority
    order, matched case-insensitively) as delivered by Vietnamese surveying software."""

    natural_key: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    multipart: Multipart = Multipart.KEEP
    # target → named converter in importers.values ("first_code", "fraction", …)
    converters: Mapping[str, str] = field(default_factory=dict)
    # target → value for fields the files do not carry ("=other" copies another target)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("aliases", "converters", "defaults"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


@dataclass(frozen=True)
class LayerSpec:
    key: str
    model: str  # "app_label.ModelName"
    title_vi: str
    title_en: str
    geometry: GeometryKind
    group: str  # layer-tree group key, see GROUPS
    public_fields: tuple[str, ...]
    style: Style
    importer: ImportMapping | None = None
    public_filter: Mapping[str, Any] = field(default_factory=dict)
    min_zoom: int = 10
    max_zoom: int = 20
    raster: bool = True
    mvt: bool = True
    visible_by_default: bool = False
    geometry_field: str = "geom"

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_filter", MappingProxyType(dict(self.public_filter)))

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def public_queryset(self) -> models.QuerySet[Any]:
        """The rows anyone may see (e.g. only approved plans, only issued permits)."""
        return self.get_model()._default_manager.filter(**self.public_filter)

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title_vi


# Layer-tree groups: key → (Vietnamese, English), in display order.
GROUPS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "planning": ("Quy hoạch", "Planning"),
        "land": ("Đất đai", "Land"),
        "transport": ("Giao thông", "Transport"),
        "environment": ("Môi trường", "Environment"),
        "construction": ("Xây dựng", "Construction"),
        "admin": ("Hành chính", "Administrative"),
    }
)


class RegistryError(ValueError):
    pass


_registry: dict[str, LayerSpec] = {}


def register(spec: LayerSpec) -> LayerSpec:
    if spec.key in _registry and _registry[spec.key] != spec:
        raise RegistryError(f"layer {spec.key!r} is declared twice")
    _registry[spec.key] = spec
    return spec


def get(key: str) -> LayerSpec:
    try:
        return _registry[key]
    except KeyError:
        known = ", ".join(sorted(_registry))
        raise RegistryError(f"unknown layer {key!r}; known layers: {known}") from None


def all_layers() -> Iterator[LayerSpec]:
    """Every declared layer, in layer-tree order (group, then declaration)."""
    order = list(GROUPS)
    return iter(sorted(_registry.values(), key=lambda s: order.index(s.group)))


def autodiscover() -> None:
    autodiscover_modules("maplayers")
