"""Geometry checks and repairs on import (shapely 2, vectorised): drop Z/M, make valid,
keep or explode multi-parts by the layer's rule, refuse empties, flag slivers. Every
repair is reported per feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _

from gis.crs import transformer
from importers.errors import ImportRejected, bilingual
from layers.registry import GeometryKind, Multipart

# shapely type ids per geometry family.
FAMILY = {
    GeometryKind.POINT: {0, 4},
    GeometryKind.LINE: {1, 2, 5},
    GeometryKind.POLYGON: {3, 6},
}
FAMILY_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
SLIVER_AREA_M2 = 1.0  # planar, in the storage CRS
SLIVER_THINNESS = 0.02  # 4πA/P²: 1 for a circle, ~0.02 for a 1 × 150 strip


@dataclass
class GeometryResult:
    """Parallel to the input: cleaned geometry (or None when rejected) per feature, and
    whether it differs from what the file holds (repaired, flattened, reprojected)."""

    geometries: np.ndarray
    changed: np.ndarray
    rejected: dict[int, str] = field(default_factory=dict)
    repairs: dict[int, list[str]] = field(default_factory=dict)

    def note(self, index: int, message: str) -> None:
        self.repairs.setdefault(index, []).append(message)


def _check_family(geoms: np.ndarray, kind: GeometryKind) -> None:
    type_ids = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
    if len(type_ids) == 0:
        return
    wrong = ~np.isin(type_ids, list(FAMILY[kind]) + [7])
    if wrong.mean() > 0.5:
        found = FAMILY_NAMES.get(int(np.bincount(type_ids[wrong]).argmax()), "?")
        raise ImportRejected(
            _("Wrong geometry type: the file holds %(found)s features, this layer needs %(kind)s."),
            found=found,
            kind={"polygon": "Polygon", "line": "LineString", "point": "Point"}[kind],
        )


def _only_family(geom: shapely.Geometry, kind: GeometryKind) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    keep = [p for p in parts if shapely.get_type_id(p) in FAMILY[kind] and not p.is_empty]
    flat = []
    for part in keep:
        flat.extend(shapely.get_parts(part))
    if not flat:
        return shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    if kind == GeometryKind.POLYGON:
        return shapely.multipolygons(flat)
    if kind == GeometryKind.LINE:
        return shapely.multilinestrings(flat)
    return shapely.multipoints(flat)


def reproject(geoms: np.ndarray, source_srid: int, target_srid: int) -> np.ndarray:
    if source_srid == target_srid:
        return geoms  # legal coordinates stay exactly as recorded
    forward = transformer(source_srid, target_srid)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, apply)


# WKB type → bytes before the coordinates of a geometry whose coordinates are one run:
# byte order, type, count (line); and a ring count (polygon); a multi with one such part
# has its own byte order, type and part count first.
_ONE_RUN_HEADER = np.array([0, 0, 9, 13, 0, 18, 22, 0])  # by WKB type 0-7; 0: never one run


def transformed_wkb(
    wkb: np.ndarray,
    geometries: np.ndarray,
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> list[bytes]:
    """The WKB of ``geometries`` with every coordinate mapped by ``transform`` (x, y
    arrays to x, y arrays), byte for byte what shapely.transform and shapely.to_wkb give.

    ``wkb`` holds the geometries' own WKB. Where a geometry's coordinates are one run of
    little-endian 2D doubles at its end (a line, a polygon without holes, a one-part multi
    of either: nearly every parcel), the new coordinates are written over a copy of it,
    without building a geometry; shapely does the rest."""
    count = len(wkb)
    buffer, starts, lengths = _joined(wkb)
    points = shapely.get_num_coordinates(geometries).astype(np.int64)
    header = lengths - 16 * points
    one_run = (lengths >= 9) & (points > 0)
    at = starts[one_run]
    little = buffer[at] == 1
    kinds = _uint32(buffer, at + 1)
    known = kinds < len(_ONE_RUN_HEADER)
    ok = little & known & (_ONE_RUN_HEADER[np.where(known, kinds, 0)] == header[one_run])
    multi = np.flatnonzero(ok & ((kinds == 5) | (kinds == 6)))
    inner = at[multi] + 9  # the one part's own byte order and type
    ok[multi] &= (buffer[inner] == 1) & (_uint32(buffer, inner + 1) == kinds[multi] - 3)
    one_run[np.flatnonzero(one_run)] = ok
    out: list[bytes | None] = [None] * count
    rows = np.flatnonzero(one_run).tolist()
    if rows:
        heads = header[rows].tolist()
        runs = [wkb[row] for row in rows]
        xy = np.frombuffer(b"".join([w[h:] for w, h in zip(runs, heads, strict=True)]), "<f8")
        x, y = transform(xy[0::2], xy[1::2])
        moved = np.empty_like(xy)
        moved[0::2], moved[1::2] = x, y
        data = moved.astype("<f8", copy=False).tobytes()
        end = 0
        for row, w, h in zip(rows, runs, heads, strict=True):
            start, end = end, end + len(w) - h
            out[row] = w[:h] + data[start:end]
    rest = np.flatnonzero(~one_run)
    if len(rest):

        def apply(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transform(xy[:, 0], xy[:, 1]))

        moved = shapely.to_wkb(shapely.transform(geometries[rest], apply))
        for row, value in zip(rest.tolist(), moved.tolist(), strict=True):
            out[row] = value
    return out


# A single point, line or polygon's WKB type → the one-part multi header around it.
_MULTI_HEADER = {kind: bytes([1, kind + 3, 0, 0, 0, 1, 0, 0, 0]) for kind in (1, 2, 3)}


def multi_wkb(wkb: list[bytes]) -> list[bytes] | None:
    """Each geometry's WKB as its multi type, byte for byte PostGIS's ST_Multi: a single
    point, line or polygon in a one-part multi, a multi as it is. None when one is neither
    or not little-endian 2D WKB (ST_Multi is then left to PostgreSQL)."""
    if not wkb:
        return []
    buffer, starts, lengths = _joined(wkb)
    if (lengths < 9).any():
        return None
    kinds = _uint32(buffer, starts + 1)
    if (buffer[starts] != 1).any() or ((kinds < 1) | (kinds > 6)).any():
        return None
    single = kinds <= 3
    if not single.any():
        return wkb
    if single.all() and (kinds == kinds[0]).all():
        header = _MULTI_HEADER[int(kinds[0])]
        return [header + w for w in wkb]
    return [
        _MULTI_HEADER[kind] + w if kind <= 3 else w
        for kind, w in zip(kinds.tolist(), wkb, strict=True)
    ]


def _joined(wkb) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The WKB values end to end as bytes, with each one's start and length."""
    lengths = np.fromiter(map(len, wkb), dtype=np.int64, count=len(wkb))
    buffer = np.frombuffer(b"".join(wkb), dtype=np.uint8)
    return buffer, np.cumsum(lengths) - lengths, lengths


def _uint32(buffer: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Little-endian unsigned 32-bit integers at byte offsets ``at``."""
    return (
        buffer[at].astype(np.int64)
        | buffer[at + 1].astype(np.int64) << 8
        | buffer[at + 2].astype(np.int64) << 16
        | buffer[at + 3].astype(np.int64) << 24
    )


def clean(
    geoms: np.ndarray,
    *,
    kind: GeometryKind,
    multipart: Multipart,
    source_srid: int,
    target_srid: int,
    offset: int = 0,
) -> GeometryResult:
    """Checked geometries in ``target_srid``. ``offset`` numbers features across chunks.

    Vectorised: only the features that need a repair go through Python one by one.
    Single parts stay single: the table's column type decides (``ST_Multi`` on loading,
    see sql.Upsert), so a feature nothing changed is still the file's own WKB.
    """
    _check_family(geoms, kind)
    result = GeometryResult(
        geometries=np.empty(len(geoms), dtype=object),
        changed=np.full(len(geoms), source_srid != target_srid),
    )
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        result.rejected[offset + int(i)] = bilingual(_("empty geometry"))
    for i in np.flatnonzero(shapely.has_z(geoms) & ~missing):
        result.note(offset + int(i), bilingual(_("Z coordinate dropped")))
    flattened = shapely.has_z(geoms) | shapely.has_m(geoms)
    if flattened.any():  # else a copy for nothing
        geoms = shapely.force_2d(geoms)
        result.changed |= flattened
    for i in np.flatnonzero(~shapely.is_valid(geoms) & ~missing):
        result.changed[i] = True
        reason = shapely.is_valid_reason(geoms[i])
        geoms[i] = shapely.make_valid(geoms[i], method="structure", keep_collapsed=False)
        result.note(
            offset + int(i), bilingual(_("repaired invalid geometry (%(reason)s)"), reason=reason)
        )
    single, multi = {
        GeometryKind.POLYGON: (3, 6),
        GeometryKind.LINE: (1, 5),
        GeometryKind.POINT: (0, 4),
    }[kind]
    type_ids = shapely.get_type_id(geoms)
    out = result.geometries
    plain = np.isin(type_ids, (single, multi)) & ~missing
    out[plain] = geoms[plain]
    for i in np.flatnonzero(~np.isin(type_ids, (single, multi)) & ~missing):
        result.changed[i] = True
        part = _only_family(geoms[i], kind)
        if part.is_empty:
            result.rejected[offset + int(i)] = bilingual(
                _("no %(kind)s left after repair"), kind=str(kind)
            )
        else:
            out[i] = part
    _enforce_parts(result, kind, multipart, offset)
    kept = np.flatnonzero(~shapely.is_missing(out))
    out[kept] = reproject(out[kept], source_srid, target_srid)
    if kind == GeometryKind.POLYGON:
        _flag_slivers(result, kept, offset)
    return result


def _enforce_parts(
    result: GeometryResult, kind: GeometryKind, multipart: Multipart, offset: int
) -> None:
    out = result.geometries
    present = np.flatnonzero(~shapely.is_missing(out))
    if kind == GeometryKind.POINT:
        parts = shapely.get_num_geometries(out[present])
        multi = shapely.get_type_id(out[present]) == 4
        for j in np.flatnonzero(multi & (parts == 1)):
            out[present[j]] = shapely.get_geometry(out[present[j]], 0)
            result.changed[present[j]] = True
        too_many = multi & (parts > 1)
    elif multipart == Multipart.SINGLE:
        parts = shapely.get_num_geometries(out[present])
        too_many = parts > 1
    else:
        return
    for j in np.flatnonzero(too_many):
        i = int(present[j])
        result.rejected[offset + i] = bilingual(
            _("%(parts)s parts where one is expected"), parts=int(parts[j])
        )
        out[i] = None


def _flag_slivers(result: GeometryResult, kept: np.ndarray, offset: int) -> None:
    geoms = result.geometries[kept]
    area, length = shapely.area(geoms), shapely.length(geoms)
    thinness = 4 * np.pi * area / np.maximum(length * length, 1e-12)
    for i in np.flatnonzero((area < SLIVER_AREA_M2) | (thinness < SLIVER_THINNESS)):
        result.note(
            offset + int(kept[i]),
            bilingual(_("sliver: %(area)s m²"), area=round(float(area[i]), 2)),
        )
