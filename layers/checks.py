"""System checks: the registry declares every CONTRACT layer, consistently and privately."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from layers import registry
from layers.privacy import reaches_private_data, resolve_path

TAG = "layers"  # the commands that read and write layers run these checks (import_layer)


def _check_spec(spec: registry.LayerSpec) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    try:
        model = spec.get_model()
    except LookupError:
        return [checks.Error(f"layer {spec.key!r}: unknown model {spec.model!r}", id="layers.E002")]
    if spec.group not in registry.GROUPS:
        errors.append(
            checks.Error(f"layer {spec.key!r}: unknown group {spec.group!r}", id="layers.E003")
        )
    paths = [*spec.public_fields, spec.geometry_field]
    if spec.style.fill_by:
        paths.append(spec.style.fill_by)
    if spec.style.label_field:
        paths.append(spec.style.label_field)
    for path in paths:
        try:
            resolve_path(model, path)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"layer {spec.key!r}: no field {path!r} on {spec.model}", id="layers.E004"
                )
            )
            continue
        if reaches_private_data(model, path):
            errors.append(
                checks.Error(
                    f"layer {spec.key!r}: public field {path!r} reaches personal data",
                    id="layers.E005",
                )
            )
    if spec.importer:
        for target in (*spec.importer.natural_key, *spec.importer.required):
            if target not in spec.importer.aliases and not any(
                alias.startswith(f"{target}.") for alias in spec.importer.aliases
            ):
                errors.append(
                    checks.Error(
                        f"layer {spec.key!r}: importer field {target!r} has no aliases",
                        id="layers.E006",
                    )
                )
    if not 0 <= spec.min_zoom <= spec.max_zoom <= 22:
        errors.append(checks.Error(f"layer {spec.key!r}: bad zoom range", id="layers.E007"))
    return errors


@checks.register(TAG)
def check_layer_registry(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    declared = {spec.key for spec in registry.all_layers()}
    for key in registry.CONTRACT_KEYS:
        if key not in declared:
            errors.append(checks.Error(f"CONTRACT layer {key!r} is not declared", id="layers.E001"))
    for spec in registry.all_layers():
        errors.extend(_check_spec(spec))
    return errors
