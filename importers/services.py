"""The import use case: file → checks → staging → one upsert, all or nothing (a first
load's batches straight into the table: sql.DirectCopy).

Reads with pyogrio's Arrow stream in batches (memory stays flat on large files); text is
read as raw bytes and decoded in Python (GDAL's own CP1258 recoding loses characters);
coordinates are checked against the province and reprojected to ``GIS_SRID`` with pyproj
(which agrees with PostGIS, see tests/test_crs.py). Tiles are invalidated after commit.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import psycopg
import pyarrow as pa
import pyogrio
import shapely
from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis.crs import WEB_MERCATOR, transformer
from gis.geometry import WEB_MERCATOR_COLUMN, has_web_mercator_copy
from importers import encodings, geometry, sql
from importers.errors import ImportRejected, bilingual
from importers.mapping import describe, resolve_mapping
from importers.models import ImportRun
from importers.prefetch import Prefetched
from importers.projections import (
    bbox_to_wgs84,
    check_default_zone,
    check_in_province,
    resolve_crs,
)
from importers.sources import Source, open_source
from importers.values import ColumnConverter, FeatureRejected, Target
from layers import registry
from layers.events import layer_changed
from layers.models import AdminUnit

logger = logging.getLogger(__name__)
BATCH_SIZE = 20_000
FIRST_BATCH = 2_000
ENCODING_SAMPLE = 5_000
# Shapefile text is read as Latin-1 stand-ins for its raw bytes and decoded in Python (see
# _Decoder). Spelled as GDAL spells it: GDAL converts "ISO-8859-1" to UTF-8 itself, any
# other name ("latin1") through iconv, opened anew for every value (twice the reading time).
RAW_TEXT = "ISO-8859-1"
Progress = Callable[[int, int], None]


@dataclass
class ImportOptions:
    srid: int | None = None
    encoding: str = "auto"
    mapping: str | None = None
    dry_run: bool = False
    layer_name: str | None = None  # inside a GeoPackage
    plan_id: int | None = None  # zoning: the plan the zones belong to


@dataclass
class ImportReport:
    run: ImportRun
    ok: bool
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: dict[int, str] = field(default_factory=dict)
    repairs: dict[int, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed_nothing(self) -> bool:
        return self.ok and self.created == 0 and self.updated == 0


def run_import(
    *,
    layer: str,
    path: Path,
    options: ImportOptions | None = None,
    user=None,
    progress: Progress | None = None,
    run: ImportRun | None = None,
) -> ImportReport:
    options = options or ImportOptions()
    spec = registry.get(layer)
    if spec.importer is None:
        raise ImportRejected(_("Layer %(layer)s cannot be imported."), layer=layer)
    run = run or ImportRun.objects.create(
        layer=layer, file_name=Path(path).name, user=user, options=_options_json(options)
    )
    report = ImportReport(run=run, ok=False)
    try:
        with open_source(Path(path), layer=options.layer_name) as source:
            try:
                _import(spec, source, options, report, progress)
            finally:
                run.file_sha256 = source.sha256
        report.ok = True
    except ImportRejected as exc:
        report.error = exc.bilingual()
    except DatabaseError as exc:
        logger.exception("import of %s failed in the database", path)
        report.error = bilingual(
            _("The database refused the data: %(error)s"), error=str(exc)[:300]
        )
    _finish(run, report, options)
    return report


def _options_json(options: ImportOptions) -> dict[str, Any]:
    return {k: v for k, v in options.__dict__.items() if v not in (None, False, "auto")}


def _finish(run: ImportRun, report: ImportReport, options: ImportOptions) -> None:
    run.finished_at = timezone.now()
    if not report.ok:
        run.status = ImportRun.Status.FAILED
    elif options.dry_run:
        run.status = ImportRun.Status.DRY_RUN
    else:
        run.status = ImportRun.Status.SUCCEEDED
    run.features_read = report.read
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.rejected = len(report.rejected)
    run.warnings = report.warnings + [
        f"#{n}: {'; '.join(notes)}" for n, notes in sorted(report.repairs.items())[:1000]
    ]
    run.errors = ([report.error] if report.error else []) + [
        f"#{n}: {reason}" for n, reason in sorted(report.rejected.items())[:1000]
    ]
    run.report = format_report(report)
    run.save()


def _import(spec, source: Source, options: ImportOptions, report: ImportReport, progress) -> None:
    # The reading thread is made first: pyproj prepares a transformation once per thread,
    # from the PROJ database (30-40 ms each), which it then does while this thread reads
    # the file's header, text samples and CRS. GDAL reads the file's batches in a thread of
    # its own (the GIL released), one or two batches ahead of the reading thread.
    with (
        ThreadPoolExecutor(1, thread_name_prefix="prefetch") as reading,
        ThreadPoolExecutor(1, thread_name_prefix="prefetch-gdal") as gdal,
    ):
        if has_web_mercator_copy(spec.get_model()):
            reading.submit(_prepare_transformation, settings.GIS_SRID, WEB_MERCATOR)
        reading.submit(_prepare_arrow)
        stream = _Stream(gdal)
        try:
            _import_in(spec, source, options, report, progress, reading, stream)
        finally:
            stream.close()


class _Stream:
    """The file's features in Arrow batches (``_batches``), opened and their first batch
    read as soon as the columns are known, while this thread checks the file's text, CRS
    and extent; then read ahead of the reading thread that converts them. Opened, read and
    closed in one thread of its own only: the stream holds thread-local GDAL options (see
    _import_in)."""

    def __init__(self, thread: ThreadPoolExecutor) -> None:
        self._thread = thread
        self._opened: Future | None = None
        self._taken = False

    def open(self, source: Source, read_encoding: str | None, columns: list[str]) -> None:
        self._opened = self._thread.submit(self._open, source, read_encoding, columns)

    @staticmethod
    def _open(source, read_encoding, columns) -> tuple[Iterator[pa.RecordBatch], list]:
        features = _batches(source, read_encoding, columns)
        return features, list(itertools.islice(features, 1))

    def take(self) -> _ReadAhead:
        """The batches, the first one included, read ahead in the stream's thread."""
        assert self._opened is not None
        self._taken = True
        features, first = self._opened.result()

        def chained() -> Iterator[pa.RecordBatch]:
            try:
                yield from first
                yield from features
            finally:
                features.close()

        return _ReadAhead(chained, self._thread)

    def close(self) -> None:
        """Close the stream if it was never taken, in its thread."""
        if self._opened is None or self._taken:
            return
        try:
            features, _first = self._opened.result()
        except Exception:  # noqa: BLE001 - the file failed to open: nothing to close
            return
        self._thread.submit(features.close).result()


class _ReadAhead:
    """``batches()`` iterated in ``thread`` (Prefetched); closing stops it there and closes
    it in that thread."""

    def __init__(self, batches: Callable[[], Iterator], thread: ThreadPoolExecutor) -> None:
        self._prefetched = Prefetched(batches, thread)
        self._items = self._prefetched.__enter__()

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self._items

    def close(self) -> None:
        self._prefetched.__exit__(None, None, None)


def _prepare_arrow() -> None:
    """Arrow registers its compute functions on first use (30 ms): done in the reading
    thread while this one reads the file's header, not in the first batch."""
    pa.array([""]).dictionary_encode()


def _prepare_transformation(source_srid: int, target_srid: int) -> None:
    """Make pyproj prepare this transformation in the calling thread (see _import)."""
    transformer(source_srid, target_srid).transform(0.0, 0.0)


def _import_in(spec, source, options, report, progress, reading, stream: _Stream) -> None:
    run = report.run
    raw_text = source.kind == "shapefile"
    read_encoding = RAW_TEXT if raw_text else None
    try:
        info = pyogrio.read_info(source.path, layer=source.layer, encoding=read_encoding)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ImportRejected(
            _("GDAL cannot read %(name)s: %(error)s"),
            name=source.original_name,
            error=str(exc)[:200],
        ) from None
    total = int(info["features"])
    if total <= 0:
        raise ImportRejected(_("%(name)s holds no features."), name=source.original_name)
    run.progress_total = total
    fields = [str(f) for f in info["fields"]]
    mapping = resolve_mapping(spec.importer, fields, options.mapping)
    report.warnings.append(bilingual(_("Columns used: %(mapping)s"), mapping=describe(mapping)))
    stream.open(source, read_encoding, sorted(set(mapping.values())))

    text_encoding = _choose_encoding(source, options, mapping, info, report)
    crs = resolve_crs(
        prj=source.prj or (info["crs"] if source.kind == "gpkg" else None),
        srid_option=options.srid,
        kind=source.kind,
    )
    report.warnings += crs.warnings
    run.source_srid, run.crs_source = crs.srid, crs.source
    if crs.srid != settings.GIS_SRID:
        reading.submit(_prepare_transformation, crs.srid, settings.GIS_SRID)
    check_in_province(tuple(info["total_bounds"]), crs.srid)
    if crs.source == "default":
        _check_zone_by_communes(source, mapping, info, crs.srid, report, read_encoding)
    run.save()

    targets = _targets(spec, mapping, options)
    stager = sql.Stager(spec, targets)
    given_plan = _plan_name(options)
    with transaction.atomic():
        with connection.cursor() as cursor:
            stager.create(cursor)
            load = None
            if not _plan_from_file(targets):
                load = _ByBatch.prepare(cursor, spec, stager, targets, total)

            def row_batches() -> Iterator[_Batch]:
                features = stream.take()
                try:
                    yield from _row_batches(
                        spec,
                        features,
                        mapping,
                        targets,
                        text_encoding,
                        crs.srid,
                        report,
                        given_plan,
                        web_mercator=stager.web_mercator,
                        encode=stager.encode,
                        load=load,
                    )
                finally:
                    # Closed now, in the stream's thread, also when a feature refuses the
                    # file: closing the stream restores the thread-local GDAL options it
                    # was opened with (SHAPE_ENCODING), which the garbage collector would
                    # otherwise do later, in whatever thread it runs, under another
                    # import's reading.
                    features.close()

            # Reading, checking and converting run in a thread of their own while this
            # one feeds PostgreSQL: on two cores, the Python and the SQL halves overlap.
            with Prefetched(row_batches, reading) as batches:
                if _plan_from_file(targets):
                    counts = _load_at_once(
                        cursor, spec, stager, targets, batches, report, options, progress, total
                    )
                else:
                    counts = _load_by_batch(
                        cursor, spec, stager, targets, batches, report, progress, total, load
                    )
        report.created, report.updated, report.unchanged = (
            counts.created,
            counts.updated,
            counts.unchanged,
        )
        if counts.bulk:
            report.warnings.append(
                bilingual(
                    _(
                        "Bulk load: the file is at least as large as the layer, so its "
                        "indexes and foreign keys were rebuilt after loading (the layer was "
                        "locked until the import finished)."
                    )
                )
            )
        if options.dry_run:
            transaction.set_rollback(True)
        elif counts.extent:
            extent = counts.extent
            transaction.on_commit(lambda: layer_changed(spec.key, extent, srid=settings.GIS_SRID))


def _choose_encoding(source: Source, options: ImportOptions, mapping, info, report) -> str | None:
    """The encoding to decode shapefile text with; None when GDAL already gives text
    (GeoPackage and GeoJSON are UTF-8 by definition)."""
    run = report.run
    if source.kind != "shapefile":
        run.encoding, run.encoding_confidence = "utf-8", 1.0
        return None
    if options.encoding != "auto":
        run.encoding, run.encoding_confidence = options.encoding, 1.0
        report.warnings.append(bilingual(_("Text encoding %(enc)s (given)."), enc=options.encoding))
        return options.encoding
    from_cpg = encodings.encoding_from_cpg(source.cpg) if source.cpg else None
    detection = encodings.detect(_text_samples(source, mapping, info))
    if from_cpg and not encodings.overrules(detection, from_cpg):
        run.encoding, run.encoding_confidence = from_cpg, 1.0
        report.warnings.append(
            bilingual(_("Text encoding %(enc)s (from the .cpg file)."), enc=from_cpg)
        )
        return from_cpg
    if from_cpg:
        report.warnings.append(
            bilingual(
                _(
                    "The .cpg file says %(cpg)s, but the text does not read as Vietnamese "
                    "in that encoding: the .cpg is ignored."
                ),
                cpg=source.cpg,
            )
        )
    run.encoding, run.encoding_confidence = detection.encoding, detection.confidence
    example = ""
    if detection.sample_after:
        example = f" «{detection.sample_before!r}» → «{detection.sample_after}»"
    report.warnings.append(
        bilingual(
            _("Text encoding detected: %(enc)s (confidence %(conf)s%%).%(example)s"),
            enc=detection.encoding,
            conf=round(detection.confidence * 100),
            example=example,
        )
    )
    return detection.encoding


def _check_zone_by_communes(source, mapping, info, srid, report, read_encoding) -> None:
    """No .prj: do the features lie on the communes the file names (when those have
    boundaries)? See projections.check_default_zone."""
    column = mapping.get("commune")
    if column is None:
        return
    table = pyogrio.read_arrow(
        source.path,
        layer=source.layer,
        columns=[column],
        read_geometry=False,
        max_features=ENCODING_SAMPLE,
        encoding=read_encoding,
    )[1]
    codes = {str(v).strip() for v in table.column(column).to_pylist() if v is not None}
    codes |= {code.removesuffix(".0") for code in codes}  # a numeric dBase column
    extent = AdminUnit.objects.filter(code__in=codes, geom__isnull=False).aggregate(
        box=Extent("geom")
    )["box"]
    if extent is None:
        return
    communes = bbox_to_wgs84(tuple(extent), settings.GIS_SRID)
    warning = check_default_zone(
        tuple(info["total_bounds"]), srid, communes, ", ".join(sorted(codes)[:5])
    )
    if warning:
        report.warnings.append(warning)


def _text_samples(source: Source, mapping, info) -> list[bytes]:
    text_fields = [
        column
        for column, dtype in zip(info["fields"], info["dtypes"], strict=True)
        if dtype == "object" and column in mapping.values()
    ]
    if not text_fields:
        return []
    table = pyogrio.read_arrow(
        source.path,
        columns=text_fields,
        read_geometry=False,
        max_features=ENCODING_SAMPLE,
        encoding=RAW_TEXT,
    )[1]
    samples = []
    for column in table.columns:
        samples += [v.encode("latin1") for v in column.to_pylist() if v]
    return samples


def _targets(spec, mapping: dict[str, str], options: ImportOptions) -> list[Target]:
    model = spec.get_model()
    targets = []
    for name in mapping:
        head, _sep, tail = name.partition(".")
        field = model._meta.get_field(head)
        if tail:
            field = field.related_model._meta.get_field(tail)
        targets.append(Target(name=name, field=field, column=name.replace(".", "__")))
    if (options.plan_id or any(t.relation == "plan" for t in targets)) and "plan" not in mapping:
        targets.append(Target(name="plan", field=model._meta.get_field("plan"), column="plan"))
    return targets


def _batches(
    source: Source, read_encoding: str | None, columns: list[str]
) -> Iterator[pa.RecordBatch]:
    """The file's features in Arrow batches: the mapped columns and the geometry only
    (cadastral files carry dozens of attributes an import never reads)."""
    with pyogrio.raw.open_arrow(
        source.path,
        layer=source.layer,
        columns=columns,
        encoding=read_encoding,
        batch_size=BATCH_SIZE,
        use_pyarrow=True,
    ) as (_meta, reader):
        batches = iter(reader)
        first = next(batches, None)
        if first is None:
            return
        # A short first batch: PostgreSQL starts (and the bulk-load decision is taken)
        # while the reading thread converts the rest, instead of waiting for a full one.
        yield first.slice(0, FIRST_BATCH)
        if first.num_rows > FIRST_BATCH:
            yield first.slice(FIRST_BATCH)
        yield from batches


def _geometry_column(batch: pa.RecordBatch) -> str:
    for schema_field in batch.schema:
        metadata = schema_field.metadata or {}
        if metadata.get(b"ARROW:extension:name") == b"geoarrow.wkb":
            return schema_field.name
    return batch.schema.names[-1]


def _plan_name(options: ImportOptions) -> str | None:
    if options.plan_id is None:
        return None
    from planning.models import Plan

    try:
        return Plan.objects.get(pk=options.plan_id).name
    except Plan.DoesNotExist:
        raise ImportRejected(_("There is no plan %(id)s."), id=options.plan_id) from None


def _row_batches(
    spec,
    batches,
    mapping,
    targets,
    text_encoding,
    source_srid,
    report,
    given_plan,
    *,
    web_mercator: bool = False,
    encode: Callable[[list[tuple]], bytes] | None = None,
    load: _ByBatch | None = None,
) -> Iterator[_Batch]:
    """COPY rows, (row_no, *target values, WKB[, Web Mercator WKB]) for every
    accepted feature, a list per batch read, with the number of features read so far, the
    rows' bounds and, given ``encode``, their COPY data.

    Given ``load`` (a load batch by batch): rows whose codes name nothing are rejected, a
    batch none of whose keys the table can hold already is marked fresh, and a fresh one
    comes as COPY data for the table itself when ``load`` has a DirectCopy, with its keys.
    Touches no database: it runs in the reading thread (see Prefetched)."""
    importer = spec.importer
    offset = 0
    synthetic_plan = any(t.name == "plan" for t in targets) and "plan" not in mapping
    fed = [t for t in targets if not (t.name == "plan" and synthetic_plan)]
    plan_index = next((i for i, t in enumerate(fed) if t.name == "plan.name"), None)
    converters = [
        ColumnConverter(t, column_label=mapping[t.name], converter=importer.converters.get(t.name))
        for t in fed
    ]
    decoder = _Decoder(text_encoding)
    for batch in batches:
        source_wkb = batch.column(_geometry_column(batch)).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(source_wkb)
        cleaned = geometry.clean(
            geoms,
            kind=spec.geometry,
            multipart=importer.multipart,
            source_srid=source_srid,
            target_srid=settings.GIS_SRID,
            offset=offset + 1,
        )
        report.rejected.update(cleaned.rejected)
        report.repairs.update(cleaned.repairs)
        kept = np.flatnonzero(~shapely.is_missing(cleaned.geometries))
        # Plain WKB (the staging column gives it GIS_SRID): the file's own when nothing
        # changed the feature.
        wkb = source_wkb[kept]
        changed = np.flatnonzero(cleaned.changed[kept])
        if len(changed):
            wkb[changed] = shapely.to_wkb(cleaned.geometries[kept[changed]])
        geometries = [wkb.tolist()]
        if web_mercator:
            geometries.append(_web_mercator_wkb(wkb, cleaned.geometries[kept]))
        rejected: dict[int, str] = {}
        columns = []
        for target, converter in zip(fed, converters, strict=True):
            label = mapping[target.name]
            columns.append(
                _converted(
                    batch.column(label), kept, converter, decoder, label, offset + 1, rejected
                )
            )
        if synthetic_plan:
            # The zone's plan, looked up by name: --plan ID wins over the file's TenDoAn.
            columns.append([given_plan] * len(kept) if given_plan else columns[plan_index])
        numbers = (kept + offset + 1).tolist()
        _reject_missing(fed, columns, numbers, rejected)
        if load:
            _reject_unknown_codes(load.codes, fed, columns, numbers, rejected)
        report.rejected.update(rejected)
        offset += batch.num_rows
        bounds = _bounds(cleaned.geometries[kept])
        if rejected:
            keep = [k for k, number in enumerate(numbers) if number not in rejected]
            columns = [[column[k] for k in keep] for column in columns]
            geometries = [[column[k] for k in keep] for column in geometries]
            numbers = [numbers[k] for k in keep]
        fresh = bool(numbers) and load is not None and load.fresh(columns)
        if fresh and load.direct is not None:
            direct = load.direct.encode(load.with_ids(fed, columns), geometries)
            if direct is not None:
                # No staging rows: made from ``parts`` only if the batch is staged after all.
                keys = load.late_values(numbers, columns)
                parts = (numbers, columns, geometries)
                yield _Batch(None, offset, bounds, None, direct, fresh, keys, parts)
                continue
        rows = list(zip(numbers, *columns, *geometries, strict=True))
        yield _Batch(rows, offset, bounds, encode(rows) if encode and rows else None, fresh=fresh)


def _reject_missing(
    fed: list[Target], columns: list[list], numbers: list[int], rejected: dict[int, str]
) -> None:
    """Reject the rows without a value the layer requires (a parcel's commune, sheet or
    number): PostgreSQL would refuse the whole file for one of them."""
    for target, column in zip(fed, columns, strict=False):
        field = target.field
        if target.relation is not None or field.null or field.has_default():
            continue
        if None not in column:
            continue
        message = bilingual(_("missing %(field)s"), field=target.name)
        for number, value in zip(numbers, column, strict=True):
            if value is None:
                rejected.setdefault(number, message)


def _reject_unknown_codes(
    codes: dict[str, dict[str, int]],
    fed: list[Target],
    columns: list[list],
    numbers: list[int],
    rejected: dict[int, str],
) -> None:
    """Reject the rows whose code names no related row (an unknown commune or land use),
    ``codes`` holding every code there is (Stager.code_ids)."""
    for target, column in zip(fed, columns, strict=False):
        found = codes.get(target.name)
        if found is None:
            continue
        missing = set(column) - found.keys() - {None}
        if not missing:
            continue
        messages = {
            code: bilingual(_("unknown %(field)s %(value)s"), field=target.name, value=code)
            for code in missing
        }
        for number, code in zip(numbers, column, strict=True):
            if code in missing:
                rejected.setdefault(number, messages[code])


class _Batch(NamedTuple):
    rows: list[tuple] | None  # COPY rows for the staging table (see staging_rows)
    done: int  # features read so far
    bounds: tuple[float, float, float, float] | None  # of the rows, in GIS_SRID
    payload: bytes | None = None  # the rows as COPY data (Stager.encode)
    direct: bytes | None = None  # or as COPY data for the table itself (DirectCopy.encode)
    fresh: bool = False  # no row of the table before this import can share a key with these
    keys: bytes | None = None  # with ``direct``: what is staged later (_ByBatch.late_values)
    parts: tuple | None = None  # with ``direct``: row numbers, values and geometries

    @property
    def count(self) -> int:
        return len(self.parts[0]) if self.rows is None else len(self.rows)

    @property
    def span(self) -> tuple[int, int]:
        """The first and last row numbers (the features' numbers in the file)."""
        if self.rows is None:
            return self.parts[0][0], self.parts[0][-1]
        return self.rows[0][0], self.rows[-1][0]

    def staging_rows(self) -> list[tuple]:
        """The rows for the staging table, made from ``parts`` for a direct batch."""
        if self.rows is not None:
            return self.rows
        numbers, columns, geometries = self.parts
        return list(zip(numbers, *columns, *geometries, strict=True))


def _bounds(geometries: np.ndarray) -> tuple[float, float, float, float] | None:
    if not len(geometries):
        return None
    return tuple(float(v) for v in shapely.total_bounds(geometries))


def _web_mercator_wkb(wkb: np.ndarray, geometries: np.ndarray) -> list[bytes]:
    """The Web Mercator copies (geom_3857) of ``geometries`` (in GIS_SRID, ``wkb`` their
    WKB), as WKB: the PROJ operation PostGIS's ST_Transform uses, so equal to its result to
    the last bit or within a few nanometres (tests/importers/test_bulk_load.py)."""
    to_mercator = transformer(settings.GIS_SRID, WEB_MERCATOR)
    return geometry.transformed_wkb(wkb, geometries, to_mercator.transform)


def _converted(
    array: pa.Array,
    kept: np.ndarray,
    converter: ColumnConverter,
    decoder: _Decoder,
    label: str,
    first: int,
    rejected: dict[int, str],
) -> list[Any]:
    """The converted values of the ``kept`` rows of one file column. Text is dictionary-
    encoded first, so each distinct value (codes, street names, the commune) is decoded
    and converted once, whatever the number of rows."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        numbers = converter.numbers(array, kept, first)
        if numbers is not None:
            return numbers
        return converter.column(array.to_pylist(), kept, first, rejected)
    encoded = array.take(pa.array(kept)).dictionary_encode()
    distinct = [*encoded.dictionary.to_pylist(), None]  # the last one stands for null
    indices = encoded.indices.fill_null(len(distinct) - 1).to_numpy(zero_copy_only=False)
    values = np.empty(len(distinct), dtype=object)
    for k, raw in enumerate(distinct):
        try:
            values[k] = converter.one(None if raw is None else decoder.one(raw, label))
        except FeatureRejected as exc:
            for i in kept[indices == k].tolist():
                rejected[first + i] = str(exc)
        except ImportRejected as exc:
            exc.feature = first + int(kept[np.argmax(indices == k)])
            raise
    return values[indices].tolist()


class _Decoder:
    """Shapefile text arrives as Latin-1 stand-ins for its raw bytes (see _batches)."""

    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding
        self._memo: dict[str, str] = {}

    def one(self, value: str, column: str) -> str:
        if self.encoding is None:
            return value
        try:
            return self._memo[value]
        except KeyError:
            pass
        try:
            text = encodings.decode(value.encode("latin1"), self.encoding)
        except encodings.EncodingError as exc:
            raise ImportRejected(
                _(
                    "Column %(column)s: text cannot be decoded as %(enc)s (%(error)s). "
                    "Try --encoding."
                ),
                column=column,
                enc=self.encoding,
                error=exc.detail[:120],
            ) from None
        if len(self._memo) < 200_000:
            self._memo[value] = text
        return text


def _plan_from_file(targets: list[Target]) -> bool:
    """Zones name their plan in the file: plans are resolved from all rows at once."""
    return any(t.name == "plan" or t.relation == "plan" for t in targets)


def _staged(cursor, stager, batches, report, progress, total) -> Iterator[_Batch]:
    """COPY each batch into the staging table; yields the batches staged."""
    for batch in batches:
        _count_read(batch, report, progress, total)
        if batch.rows:
            stager.copy(cursor, batch.payload or batch.rows)
            yield batch


def _count_read(batch: _Batch, report: ImportReport, progress, total: int) -> None:
    report.read = report.run.progress_done = batch.done
    if progress:
        progress(batch.done, total)


@dataclass
class _ByBatch:
    """What loading batch by batch needs before the first batch is read, some of it in the
    reading thread: the layer's codes, whether the file is a bulk load, which communes
    already have rows (``fresh``), and DirectCopy for a bulk load's fresh batches."""

    upsert: sql.Upsert
    codes: dict[str, dict[str, int]]  # foreign-key target → code → id (Stager.code_ids)
    bulk_wanted: bool  # the file is at least as large as the layer (sql.wants_bulk_load)
    older: set | None  # the natural key's first values the table holds (first_key_values)
    key_at: int  # that value's target, by index
    late: list[int]  # targets staged after a DirectCopy (the natural key, private values)
    direct: sql.DirectCopy | None

    @classmethod
    def prepare(cls, cursor, spec, stager: sql.Stager, targets: list[Target], total: int):
        upsert = sql.Upsert(stager, _key_columns(spec), _constants(spec, targets))
        older = upsert.first_key_values(cursor)  # the communes the layer already has rows in
        bulk_wanted = sql.wants_bulk_load(cursor, spec.get_model(), total)
        by_name = {t.name: i for i, t in enumerate(stager.targets)}
        late = [by_name[n] for n in spec.importer.natural_key if n in by_name]
        late += [i for i, t in enumerate(stager.targets) if t.relation is not None]
        # Straight into the table only in a bulk load (indexes built afterwards): otherwise
        # staged rows are inserted in spatial order, which keeps the GiST inserts local.
        direct = bulk_wanted and older is not None and sql.DirectCopy.make(upsert, cursor)
        return cls(
            upsert=upsert,
            codes=stager.code_ids(cursor),
            bulk_wanted=bulk_wanted,
            older=older,
            key_at=stager.targets.index(upsert.first_key_target()) if older is not None else 0,
            late=late,
            direct=direct or None,
        )

    def with_ids(self, fed: list[Target], columns: list[list]) -> list[list]:
        """``columns`` with the ids their codes name in place of the codes."""
        return [
            column if (ids := self.codes.get(target.name)) is None else list(map(ids.get, column))
            for target, column in zip(fed, columns, strict=False)
        ]

    def fresh(self, columns: list[list]) -> bool:
        """No row the table held before can share a key with the rows of ``columns`` (the
        targets' values; none has their commune): they can be inserted without ON
        CONFLICT."""
        return self.older is not None and not set(columns[self.key_at]) & self.older

    def late_values(self, numbers: list[int], columns: list[list]) -> bytes:
        """Row numbers and ``late`` values of rows loaded directly, as COPY data for the
        staging table (``_DirectRows``), in the reading thread."""
        stager = self.upsert.stager
        late = [columns[i] for i in self.late]
        return stager.encode_columns(
            [stager.targets[i] for i in self.late], zip(numbers, *late, strict=True)
        )


class _DirectRows:
    """What the staging table still lacks of the rows DirectCopy loaded: their row numbers,
    natural keys and private values, as COPY data kept until ``stage`` gives it to the
    staging table (to name a repeated key, to fill the private tables), or until it holds
    ``LIMIT`` bytes: memory stays flat on a large file."""

    LIMIT = 64 * 2**20

    def __init__(self, stager: sql.Stager, late: list[int]) -> None:
        self._stager = stager
        self._targets = [stager.targets[i] for i in late]
        self._payloads: list[bytes] = []
        self._size = 0

    def keep(self, cursor, payload: bytes | None) -> None:
        if payload is None:
            return
        self._payloads.append(payload)
        self._size += len(payload)
        if self._size >= self.LIMIT:
            self.stage(cursor)

    def stage(self, cursor) -> None:
        for payload in self._payloads:
            self._stager.stage_columns(cursor, self._targets, payload)
        self._payloads, self._size = [], 0


def _load_by_batch(cursor, spec, stager, targets, batches, report, progress, total, load):
    """Each batch is loaded as soon as it is read, so PostgreSQL works on one batch while
    the reading thread prepares the next.

    A batch no older row can meet (none shares its communes) is a plain INSERT, and the
    unique index catches a key the file repeats (in a bulk load, when the index is rebuilt
    after loading); in a bulk load it goes straight into the table (DirectCopy). Once a
    batch has run ON CONFLICT, a key repeated across batches would merge silently: the
    check over all rows' keys at the end catches it (the transaction is then rolled back).

    Bulk or not is decided on the first batch: a file at least as large as the layer whose
    first batch is mostly new rows (a first load, not the same file again). A bulk load
    defers the natural key's unique index too, until loading ends or a batch must upsert."""
    model = spec.get_model()
    upsert = load.upsert
    counts = sql.UpsertCounts()
    loaded = _DirectRows(stager, load.late)
    bulk = None
    with ExitStack() as bulk_load:
        for batch in batches:
            _count_read(batch, report, progress, total)
            count = batch.count
            if not count:
                continue
            span = batch.span
            if batch.direct is None:
                stager.copy(cursor, batch.payload or batch.rows)
            if counts.batches == 0 and _first_load(
                cursor, upsert, span, load.bulk_wanted, batch.fresh
            ):
                # Plain INSERTs need no unique index: the natural key's is rebuilt once,
                # when loading ends or before the first batch that must upsert.
                bulk = bulk_load.enter_context(
                    sql.bulk_load(cursor, model, defer_key=_key_columns(spec))
                )
                counts.bulk = bulk.active
                upsert.spatial_order = not counts.bulk
            if batch.direct is not None:
                if bulk:
                    loaded.keep(cursor, batch.keys)
                    with _naming_repeated_keys(cursor, stager, spec, loaded):
                        load.direct.copy(cursor, batch.direct)
                    counts.add(sql.UpsertCounts(created=count, extent=batch.bounds))
                    continue
                stager.copy(cursor, batch.staging_rows())  # not a bulk load after all
            if bulk and not batch.fresh:
                with _naming_repeated_keys(cursor, stager, spec, loaded):
                    bulk.restore_key()
            with _naming_repeated_keys(cursor, stager, spec, loaded):
                counts.add(
                    upsert.run(
                        cursor,
                        rows=span,
                        fresh=batch.fresh,
                        staged=count,
                        extent=batch.bounds,
                    )
                )
        if bulk:
            with _naming_repeated_keys(cursor, stager, spec, loaded):
                bulk.restore_key()
        if counts.merged:
            loaded.stage(cursor)
            _check_duplicates(cursor, stager, spec)
    if _private_relations(targets):
        loaded.stage(cursor)
    _upsert_private(cursor, spec, stager, targets)
    return counts


# A key twice in the file: ON CONFLICT refuses to touch a row twice, a plain INSERT or the
# unique index's rebuild after a bulk load finds it twice.
_REPEATED = (psycopg.errors.CardinalityViolation, psycopg.errors.UniqueViolation)


@contextmanager
def _naming_repeated_keys(
    cursor, stager: sql.Stager, spec, loaded: _DirectRows | None = None
) -> Iterator[None]:
    """Run the block in a savepoint; a key found twice refuses the file naming the keys
    (the savepoint rolled back leaves the transaction usable to look them up, among the
    staged rows and those ``loaded`` directly)."""
    try:
        with transaction.atomic():
            yield
    except DatabaseError as exc:
        if isinstance(exc.__cause__, _REPEATED):
            if loaded is not None:
                loaded.stage(cursor)
            _check_duplicates(cursor, stager, spec)
        raise


def _first_load(cursor, upsert, rows, wanted: bool, fresh: bool = False) -> bool:
    """Whether to bulk load (``wanted``: sql.wants_bulk_load): a first load, when the first
    staged ``rows`` are fresh or mostly new keys."""
    if not wanted:
        return False
    if fresh:
        return True
    existing, staged = upsert.existing(cursor, rows)
    return existing <= staged * sql.BULK_MAX_EXISTING


def _load_at_once(cursor, spec, stager, targets, batches, report, options, progress, total):
    """Stage every row first: zones' plans are created from the union of their zones."""
    for _rows in _staged(cursor, stager, batches, report, progress, total):
        pass
    _check_duplicates(cursor, stager, spec)
    _resolve_plan(cursor, spec, targets, options)
    _reject_unresolved(cursor, stager, report)
    model = spec.get_model()
    upsert = sql.Upsert(stager, _key_columns(spec), _constants(spec, targets))
    with ExitStack() as bulk_load:
        wanted = sql.wants_bulk_load(cursor, model, total)
        bulk = _first_load(cursor, upsert, None, wanted) and bulk_load.enter_context(
            sql.bulk_load(cursor, model)
        )
        upsert.spatial_order = not bulk
        counts = upsert.run(cursor)
        counts.bulk = bool(bulk)
    _upsert_private(cursor, spec, stager, targets)
    return counts


def _check_duplicates(cursor, stager: sql.Stager, spec) -> None:
    by_name = {t.name: t for t in stager.targets}
    if not all(name in by_name for name in spec.importer.natural_key):
        return
    key = [by_name[name] for name in spec.importer.natural_key]  # commune / sheet / number
    duplicates = stager.duplicates(cursor, key)
    if duplicates:
        listed = "; ".join(
            f"{value} (#{', #'.join(map(str, rows[:5]))})" for value, rows in duplicates[:5]
        )
        raise ImportRejected(
            _("The file holds the same key more than once: %(listed)s."), listed=listed
        )


def _resolve_plan(cursor, spec, targets: list[Target], options: ImportOptions) -> None:
    if options.plan_id is not None:
        return
    if not any(t.name == "plan" for t in targets):
        if spec.importer and "plan" in spec.importer.natural_key and options.plan_id is None:
            raise ImportRejected(
                _("Which plan do these zones belong to? Give --plan ID, or a TenDoAn column.")
            )
        return
    from planning.services import plan_for_import

    present = {t.column for t in targets}
    columns = [
        sql.psql.SQL("max({})").format(sql.psql.Identifier(c)) if c in present else sql.psql.NULL
        for c in ("plan__decision_number", "plan__approved_on", "plan__level")
    ]
    cursor.execute(
        sql.psql.SQL(
            "SELECT plan__name, {}, ST_AsEWKB(ST_Multi(ST_Union(geom))) "
            "FROM import_staging GROUP BY plan__name"
        ).format(sql.psql.SQL(", ").join(columns))
    )
    for name, decision, approved_on, level, boundary in cursor.fetchall():
        plan_for_import(
            name=name,
            decision_number=decision or "",
            approved_on=approved_on,
            level=level,
            boundary=bytes(boundary),
        )


def _reject_unresolved(
    cursor, stager: sql.Stager, report: ImportReport, rows: tuple[int, int] | None = None
) -> None:
    missing = stager.unresolved(cursor, rows)
    if not missing:
        return
    for row, target, value in missing:
        report.rejected[row] = bilingual(
            _("unknown %(field)s %(value)s"), field=target, value=value
        )
    stager.drop_rows(cursor, {row for row, _t, _v in missing})


def _constants(spec, targets: list[Target]) -> dict[str, object]:
    """Values for the columns no file column feeds: the layer's declared defaults, then the
    model's defaults, then "" for optional text."""
    model = spec.get_model()
    mapped = {t.field.column for t in targets if t.relation is None}
    constants = {
        model._meta.get_field(name).column: value
        for name, value in spec.importer.defaults.items()
        if model._meta.get_field(name).column not in mapped
    }
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if model_field.primary_key or column in mapped or column in constants:
            continue
        if getattr(model_field, "generated", False) or column in ("geom", WEB_MERCATOR_COLUMN):
            continue
        if model_field.has_default() and not callable(model_field.default):
            constants[column] = model_field.default
        elif isinstance(model_field, models.CharField | models.TextField) and not model_field.null:
            constants[column] = ""
    return constants


def _key_columns(spec) -> list[str]:
    model = spec.get_model()
    return [model._meta.get_field(name).column for name in spec.importer.natural_key]


def _private_relations(targets: list[Target]) -> set[str]:
    """The one-to-one private tables the file feeds (a parcel's holder)."""
    return {t.relation for t in targets if t.relation and t.relation != "plan"}


def _upsert_private(cursor, spec, stager: sql.Stager, targets: list[Target]) -> None:
    for relation in _private_relations(targets):
        sql.upsert_private(cursor, stager, relation, spec.importer.natural_key)


def format_report(report: ImportReport) -> str:
    run = report.run
    lines = [
        f"{run.layer} ← {run.file_name}",
        f"  mã hoá / encoding: {run.encoding or '—'}"
        + (f" ({round((run.encoding_confidence or 0) * 100)}%)" if run.encoding else ""),
        f"  hệ toạ độ / CRS: EPSG:{run.source_srid or '—'} ({run.crs_source or '—'})",
        f"  đọc / read: {report.read}",
        f"  tạo mới / created: {report.created}",
        f"  cập nhật / updated: {report.updated}",
        f"  không đổi / unchanged: {report.unchanged}",
        f"  loại / rejected: {len(report.rejected)}",
    ]
    if report.changed_nothing:
        lines.append("  Không có thay đổi nào. / Nothing changed.")
    for warning in report.warnings:
        lines.append("  ! " + warning.replace("\n", "\n    "))
    if report.repairs:
        lines.append(f"  sửa hình học / geometry repairs: {len(report.repairs)}")
        for n, notes in sorted(report.repairs.items())[:20]:
            lines.append(f"    #{n}: " + "; ".join(n_.replace("\n", " / ") for n_ in notes))
    for n, reason in sorted(report.rejected.items())[:50]:
        lines.append(f"  ✗ #{n}: " + reason.replace("\n", " / "))
    if report.error:
        lines.append("LỖI / ERROR: " + report.error.replace("\n", "\n  "))
    return "\n".join(lines)
