"""Locate the dataset inside what the user gave: a .shp with its sidecars, a .zip holding
one (any folder depth, any case of extensions), a .gpkg or a .geojson — refusing unsafe
or broken files before GDAL ever reads them."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyogrio
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from importers.errors import ImportRejected

SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")


@dataclass
class Source:
    """The dataset to read, after unpacking and checks."""

    path: Path  # the .shp, .gpkg or .geojson itself
    kind: str  # "shapefile" | "gpkg" | "geojson"
    original_name: str
    digest: Future[str]  # the file's SHA-256, computed meanwhile (open_source)
    layer: str | None = None
    prj: str | None = None
    cpg: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.digest.result()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > _max_bytes():
        raise ImportRejected(
            _("The file is %(size)s, over the %(limit)s limit."),
            size=filesizeformat(size),
            limit=filesizeformat(_max_bytes()),
        )


def _sibling(path: Path, suffix: str) -> Path | None:
    """The sidecar with this extension in any letter case (X.SHX beside x.shp happens)."""
    for candidate in path.parent.iterdir():
        if candidate.stem == path.stem and candidate.suffix.lower() == suffix:
            return candidate
    return None


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    # Notepad puts a UTF-8 byte-order mark in front of a .prj or .cpg it saves; GDAL skips it.
    return path.read_bytes().removeprefix(codecs.BOM_UTF8).decode("latin-1").strip()


def _check_shp_header(path: Path) -> None:
    """A .shp states its own length (in 16-bit words) at byte 24: a copy cut short by a
    broken transfer is caught here, not halfway through loading."""
    data = path.read_bytes()[:100]
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise ImportRejected(_("%(name)s is not a valid .shp file."), name=path.name)
    declared = struct.unpack(">i", data[24:28])[0] * 2
    actual = path.stat().st_size
    if actual < declared:
        raise ImportRejected(
            _("%(name)s is truncated: %(actual)s of %(declared)s bytes. Copy the file again."),
            name=path.name,
            actual=actual,
            declared=declared,
        )


def _shapefile(path: Path, original_name: str, digest: Future[str]) -> Source:
    missing = [s for s in (".shx", ".dbf") if _sibling(path, s) is None]
    if missing:
        raise ImportRejected(
            _("The shapefile %(name)s is incomplete: %(missing)s missing beside it."),
            name=path.name,
            missing=", ".join(missing),
        )
    _check_shp_header(path)
    return Source(
        path=path,
        kind="shapefile",
        original_name=original_name,
        digest=digest,
        prj=_read_text(_sibling(path, ".prj")),
        cpg=_read_text(_sibling(path, ".cpg")),
    )


def _gpkg(path: Path, original_name: str, digest: Future[str], layer: str | None) -> Source:
    try:
        layers = [name for name, geometry_type in pyogrio.list_layers(path) if geometry_type]
    except pyogrio.errors.DataSourceError:
        raise ImportRejected(_("%(name)s is not a readable GeoPackage."), name=path.name) from None
    if not layers:
        raise ImportRejected(_("%(name)s has no layer with geometries."), name=path.name)
    if layer is None:
        if len(layers) > 1:
            raise ImportRejected(
                _("%(name)s holds several layers (%(layers)s): choose one with --layer."),
                name=path.name,
                layers=", ".join(layers),
            )
        layer = layers[0]
    elif layer not in layers:
        raise ImportRejected(
            _("%(name)s has no layer %(layer)s; it has: %(layers)s."),
            name=path.name,
            layer=layer,
            layers=", ".join(layers),
        )
    return Source(path=path, kind="gpkg", original_name=original_name, digest=digest, layer=layer)


def _check_rfc7946(path: Path) -> None:
    """RFC 7946: WGS 84 longitude/latitude, no ``crs`` member (other than CRS84)."""
    try:
        with path.open("rb") as fh:
            document = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(
            _("%(name)s is not valid JSON: %(error)s"), name=path.name, error=str(exc)[:120]
        ) from None
    if not isinstance(document, dict) or document.get("type") not in (
        "FeatureCollection",
        "Feature",
    ):
        raise ImportRejected(_("%(name)s is not a GeoJSON FeatureCollection."), name=path.name)
    crs_name = (document.get("crs") or {}).get("properties", {}).get("name", "")
    if crs_name and not crs_name.upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        raise ImportRejected(
            _(
                "%(name)s declares the coordinate system %(crs)s: GeoJSON must be WGS 84 "
                "longitude/latitude (RFC 7946). Export it again as RFC 7946, or send a "
                "shapefile with its .prj."
            ),
            name=path.name,
            crs=crs_name,
        )
    position = _first_position(document)
    if position and (abs(position[0]) > 180 or abs(position[1]) > 90):
        # Caught here: the generic check would say "use --srid", which GeoJSON ignores.
        raise ImportRejected(
            _(
                "%(name)s holds coordinates such as (%(x)s, %(y)s), which are not longitude "
                "and latitude: GeoJSON must be WGS 84 longitude/latitude (RFC 7946). Export "
                "it again as RFC 7946, or send a shapefile with its .prj."
            ),
            name=path.name,
            x=f"{position[0]:.2f}",
            y=f"{position[1]:.2f}",
        )


def _first_position(document: dict) -> tuple[float, float] | None:
    """The first coordinate pair of the first feature that has a geometry."""
    features = document.get("features") if document.get("type") == "FeatureCollection" else None
    for feature in features if isinstance(features, list) else [document]:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        value = geometry.get("coordinates") if isinstance(geometry, dict) else None
        while isinstance(value, list) and value and isinstance(value[0], list):
            value = value[0]
        if isinstance(value, list) and len(value) >= 2:
            x, y = value[:2]
            if isinstance(x, int | float) and isinstance(y, int | float):
                return float(x), float(y)
    return None


def _geojson(path: Path, original_name: str, digest: Future[str]) -> Source:
    _check_rfc7946(path)
    return Source(path=path, kind="geojson", original_name=original_name, digest=digest)


def _safe_members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    members = [m for m in archive.infolist() if not m.is_dir()]
    total = 0
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in member.filename:
            raise ImportRejected(
                _("%(name)s contains an unsafe path (%(path)s): refused."),
                name=name,
                path=member.filename,
            )
        total += member.file_size
    compressed = sum(m.compress_size for m in members) or 1
    if total > _max_bytes() or total / compressed > settings.IMPORT_MAX_ZIP_RATIO:
        raise ImportRejected(
            _("%(name)s unpacks to %(size)s MB (%(ratio)s times its size): refused as a zip bomb."),
            name=name,
            size=round(total / 1e6),
            ratio=round(total / compressed),
        )
    return members


def _unpack_zip(path: Path, workdir: Path) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ImportRejected(_("%(name)s is not a readable zip file."), name=path.name) from None
    with archive:
        members = _safe_members(archive, path.name)
        datasets = [
            m for m in members if PurePosixPath(m.filename).suffix.lower() in DATASET_SUFFIXES
        ]
        shapefiles = [m for m in datasets if m.filename.lower().endswith(".shp")]
        chosen = shapefiles or datasets
        if len(chosen) != 1:
            found = ", ".join(m.filename for m in chosen) or "—"
            raise ImportRejected(
                _(
                    "%(name)s must hold exactly one dataset (.shp, .gpkg or .geojson); "
                    "found: %(found)s."
                ),
                name=path.name,
                found=found,
            )
        target = PurePosixPath(chosen[0].filename)
        wanted = [target]
        if target.suffix.lower() == ".shp":
            wanted = [
                PurePosixPath(m.filename)
                for m in members
                if PurePosixPath(m.filename).parent == target.parent
                and PurePosixPath(m.filename).stem == target.stem
            ]
        for member_path in wanted:
            # Flatten and lower-case the extension: GDAL wants x.shp beside x.shx and x.dbf.
            out = workdir / (target.stem + member_path.suffix.lower())
            try:
                with archive.open(str(member_path)) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ImportRejected(
                    _("%(name)s is damaged (%(error)s)."), name=path.name, error=str(exc)[:120]
                ) from None
        return workdir / (target.stem + target.suffix.lower())


@contextlib.contextmanager
def open_source(path: Path, *, layer: str | None = None) -> Iterator[Source]:
    """Yield the checked dataset; temporary files are removed afterwards. The file's hash
    is computed in a thread of its own meanwhile (hashlib works without the GIL)."""
    path = Path(path)
    if not path.exists():
        raise ImportRejected(_("File not found: %(path)s"), path=str(path))
    _check_size(path)
    suffix = path.suffix.lower()
    with (
        ThreadPoolExecutor(1, thread_name_prefix="sha256") as hashing,
        tempfile.TemporaryDirectory(prefix="quyhoach-import-") as tmp,
    ):
        digest = hashing.submit(file_sha256, path)
        dataset = _unpack_zip(path, Path(tmp)) if suffix == ".zip" else path
        kind = dataset.suffix.lower()
        if kind == ".shp":
            yield _shapefile(dataset, path.name, digest)
        elif kind == ".gpkg":
            yield _gpkg(dataset, path.name, digest, layer)
        elif kind in (".geojson", ".json"):
            yield _geojson(dataset, path.name, digest)
        else:
            raise ImportRejected(
                _("Unsupported file type %(suffix)s: give a .shp, .zip, .gpkg or .geojson."),
                suffix=suffix or path.name,
            )
