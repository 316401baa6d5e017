"""Which column of the file feeds which field: the registry's alias presets (names as
Vietnamese cadastral software writes them) or a YAML mapping file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from django.utils.translation import gettext_lazy as _

from importers.errors import ImportRejected
from layers.registry import ImportMapping

PRESETS_DIR = Path(__file__).resolve().parent / "mappings"
DBF_NAME_LENGTH = 10  # dBase cuts field names: SoHieuToBanDo arrives as SoHieuToBa


def _load_mapping_file(option: str) -> dict[str, str]:
    path = Path(option)
    if not path.suffix:
        path = PRESETS_DIR / f"{option}.yaml"
    if not path.exists():
        presets = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))) or "—"
        raise ImportRejected(
            _("Mapping %(name)s not found (presets: %(presets)s)."), name=option, presets=presets
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ImportRejected(
            _("Mapping file %(name)s is not valid YAML: %(error)s"),
            name=path.name,
            error=str(exc)[:160],
        ) from None
    fields = document.get("fields") if isinstance(document, dict) else None
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise ImportRejected(
            _("Mapping file %(name)s needs a 'fields:' table of target: FileColumn."),
            name=path.name,
        )
    return {str(k): v for k, v in fields.items()}


def resolve_mapping(
    importer: ImportMapping, file_fields: Sequence[str], option: str | None = None
) -> dict[str, str]:
    """target field → column name in the file. Aliases match case-insensitively, first wins."""
    by_lower = {name.lower(): name for name in file_fields}
    found = ", ".join(file_fields) or "—"
    mapping: dict[str, str] = {}
    rank: dict[str, int] = {}  # target → priority of the alias that found its column
    for target, aliases in importer.aliases.items():
        for index, alias in enumerate(aliases):
            if alias.lower() in by_lower:
                mapping[target], rank[target] = by_lower[alias.lower()], index
                break
    # dBase cut long names to 10 characters: SoHieuToBanDo and SoHieuToBanDoCu both arrive
    # as SoHieuToBa. A cut column goes to the target whose alias lost least (the shorter),
    # and keeps its alias's priority: DienTichPhapLy, cut to DienTichPh, beats DienTich.
    used = {column: importer.aliases[target] for target, column in mapping.items()}
    candidates = sorted(
        (len(alias), order, index, target, alias.lower()[:DBF_NAME_LENGTH])
        for order, (target, aliases) in enumerate(importer.aliases.items())
        for index, alias in enumerate(aliases)
        if len(alias) > DBF_NAME_LENGTH and index < rank.get(target, len(aliases))
    )
    for _length, _order, index, target, cut in candidates:
        column = by_lower.get(cut)
        # A column feeds two targets only when they declare the same aliases on purpose
        # (land_use_codes and land_use read one column).
        free = column not in used or used[column] == importer.aliases[target]
        if column and free and index < rank.get(target, len(importer.aliases[target])):
            mapping[target], rank[target] = column, index
            used = {col: importer.aliases[t] for t, col in mapping.items()}
    if option:
        explicit = _load_mapping_file(option)
        unknown_targets = sorted(set(explicit) - set(importer.aliases))
        if unknown_targets:
            raise ImportRejected(
                _("The mapping names fields this layer does not have: %(fields)s."),
                fields=", ".join(unknown_targets),
            )
        absent = sorted(col for col in explicit.values() if col.lower() not in by_lower)
        if absent:
            raise ImportRejected(
                _(
                    "The mapping names columns absent from the file: %(absent)s. "
                    "The file has: %(found)s."
                ),
                absent=", ".join(absent),
                found=found,
            )
        mapping.update({t: by_lower[c.lower()] for t, c in explicit.items()})
    missing = [t for t in importer.required if t not in mapping]
    if missing:
        raise ImportRejected(
            _(
                "Required fields not found: %(missing)s (expected e.g. %(examples)s). "
                "The file has: %(found)s."
            ),
            missing=", ".join(missing),
            examples="; ".join(f"{t}: {'/'.join(importer.aliases[t][:3])}" for t in missing),
            found=found,
        )
    return mapping


def describe(mapping: Mapping[str, str]) -> str:
    return ", ".join(f"{column}→{target}" for target, column in mapping.items())
