"""Loading in PostgreSQL: a temporary staging table filled by ``COPY``, foreign keys
resolved by code, then one upsert on the natural key; or, for a bulk load's batches of new
keys, ``COPY`` straight into the table (DirectCopy). Runs inside the caller's transaction;
identifiers come from model metadata, never from file contents."""

from __future__ import annotations

import io
import itertools
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import psycopg
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, connection, models, transaction
from psycopg import errors, postgres, sql
from psycopg.copy import FileWriter
from psycopg.types.string import BytesBinaryDumper

from gis.crs import WEB_MERCATOR
from gis.geometry import WEB_MERCATOR_COLUMN, WEB_MERCATOR_TRIGGER, has_web_mercator_copy
from importers.geometry import multi_wkb
from importers.values import FLOAT_EXACT_DIGITS, Target
from layers.registry import LayerSpec

logger = logging.getLogger(__name__)
psql = sql  # re-exported for callers composing statements on the staging table
STAGING = "import_staging"
NUMERIC = postgres.types["numeric"].oid
BYTEA = postgres.types["bytea"].oid


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extent: tuple[float, float, float, float] | None = None  # changed rows, GIS_SRID
    bulk: bool = False  # indexes and foreign keys rebuilt after loading (bulk_load)
    batches: int = 0
    merged: bool = False  # ON CONFLICT ran: a key repeated across batches would not show

    def add(self, other: UpsertCounts) -> None:
        self.batches += 1
        self.merged = self.merged or other.merged
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.extent = _union(self.extent, other.extent)


def _pg_type(field: models.Field) -> str:
    """The staging column's type for ``field``: what the converted values are (a code for a
    related row, a date for a date-time), so binary COPY can send them as they are."""
    if field.is_relation:
        return "text"
    if isinstance(field, models.DecimalField) and field.max_digits <= FLOAT_EXACT_DIGITS:
        return "double precision"
    if isinstance(field, models.DateTimeField):
        return "date"
    return field.db_type(connection)


def lookup_field(model: type[models.Model]) -> str:
    """How a related row is named in files: its ``code`` (communes, land uses, roads)."""
    for name in ("code", "number", "name"):
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return name
    raise LookupError(f"{model.__name__} has no code field to look rows up by")


class Stager:
    """Staging table for one import: row number, one column per target, geometry, and its
    Web Mercator copy when the layer keeps one (see gis.geometry)."""

    def __init__(self, spec: LayerSpec, targets: Sequence[Target]) -> None:
        self.spec = spec
        self.model = spec.get_model()
        self.targets = list(targets)
        self.web_mercator = has_web_mercator_copy(self.model)

    def _geometry_columns(self) -> list[str]:
        return ["geom", WEB_MERCATOR_COLUMN] if self.web_mercator else ["geom"]

    def create(self, cursor) -> None:
        columns = [sql.SQL("row_no integer PRIMARY KEY")]
        columns += [
            sql.SQL("{} {}").format(sql.Identifier(t.column), sql.SQL(_pg_type(t.field)))
            for t in self.targets
        ]
        # WKB without SRID comes in: the column's type gives it the storage SRID.
        columns.append(sql.SQL("geom geometry(Geometry, {})").format(sql.Literal(storage_srid())))
        if self.web_mercator:
            columns.append(
                sql.SQL("{} geometry(Geometry, {})").format(
                    sql.Identifier(WEB_MERCATOR_COLUMN), sql.Literal(WEB_MERCATOR)
                )
            )
        # ON COMMIT DROP is not enough when one transaction runs several imports.
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(STAGING)))
        cursor.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                sql.Identifier(STAGING), sql.SQL(", ").join(columns)
            )
        )
        self._copy_types = list(copy_types(cursor, STAGING).values())
        self._encoder = binary_encoder(cursor)
        self.encode([])

    def _columns(self) -> list[str]:
        return ["row_no", *(t.column for t in self.targets), *self._geometry_columns()]

    def encode(self, rows: Iterable[Sequence[object]]) -> bytes:
        """``rows`` as binary COPY data for the staging table, for the reading thread (one
        thread at a time): formatting then costs the thread feeding PostgreSQL nothing.
        Touches no connection."""
        return copy_data(self._encoder, self._copy_types, rows)

    def copy(self, cursor, rows: Iterable[Sequence[object]] | bytes) -> None:
        """Stage ``rows``, or the COPY data ``encode`` made of them."""
        # Formatted here, with this cursor's dumpers, when not made already: the reading
        # thread may be using the encoder's meanwhile.
        copy_in(cursor, sql.Identifier(STAGING), self._columns(), rows, self._copy_types)

    def position(self, target: Target) -> int:
        """Where ``target``'s value sits in a COPY row (after the row number)."""
        return 1 + self.targets.index(target)

    # --- foreign keys -----------------------------------------------------------------
    def foreign_keys(self) -> list[Target]:
        return [t for t in self.targets if t.relation is None and t.field.is_relation]

    def code_ids(self, cursor) -> dict[str, dict[str, int]]:
        """For each foreign key the file feeds, every code of the related table and the id
        it names (a province's few hundred communes, a few dozen land uses): the reading
        thread resolves codes, and rejects those naming nothing, without a query."""
        ids = {}
        for target in self.foreign_keys():
            related = target.field.related_model
            cursor.execute(
                sql.SQL("SELECT {lookup}::text, id FROM {table}").format(
                    table=sql.Identifier(related._meta.db_table),
                    lookup=sql.Identifier(lookup_field(related)),
                )
            )
            ids[target.name] = dict(cursor.fetchall())
        return ids

    def encode_columns(self, targets: Sequence[Target], rows: Iterable[Sequence[object]]) -> bytes:
        """Row numbers and ``targets``' values as binary COPY data for ``stage_columns``,
        in the reading thread (as ``encode``)."""
        types = [self._copy_types[0], *(self._copy_types[self.position(t)] for t in targets)]
        return copy_data(self._encoder, types, rows)

    def stage_columns(self, cursor, targets: Sequence[Target], payload: bytes) -> None:
        """Stage only the row numbers and ``targets`` (COPY data from ``encode_columns``):
        of rows DirectCopy loaded, the keys ``duplicates`` and the private values
        ``upsert_private`` read."""
        columns = ["row_no", *(t.column for t in targets)]
        copy_in(cursor, sql.Identifier(STAGING), columns, payload)

    def unresolved(self, cursor, rows: tuple[int, int] | None = None) -> list[tuple[int, str, str]]:
        """(row, field, value) for codes that name no existing row (among ``rows``, first
        and last row numbers, when given)."""
        missing = []
        for target in self.foreign_keys():
            related = target.field.related_model
            statement = sql.SQL(
                "SELECT s.row_no, s.{col} FROM {staging} s LEFT JOIN {table} r "
                "ON r.{lookup} = s.{col} WHERE s.{col} IS NOT NULL AND r.id IS NULL AND {rows}"
            ).format(
                col=sql.Identifier(target.column),
                staging=sql.Identifier(STAGING),
                table=sql.Identifier(related._meta.db_table),
                lookup=sql.Identifier(lookup_field(related)),
                rows=row_filter(rows),
            )
            cursor.execute(statement)
            missing += [(row, target.name, value) for row, value in cursor.fetchall()]
        return missing

    def drop_rows(self, cursor, rows: Iterable[int]) -> None:
        cursor.execute(
            sql.SQL("DELETE FROM {} WHERE row_no = ANY(%s)").format(sql.Identifier(STAGING)),
            [list(rows)],
        )

    def duplicates(self, cursor, key: Sequence[Target]) -> list[tuple[str, list[int]]]:
        columns = sql.SQL(", ").join(sql.Identifier(t.column) for t in key)
        cursor.execute(
            sql.SQL(
                "SELECT concat_ws(' / ', {cols}), array_agg(row_no ORDER BY row_no) "
                "FROM {staging} GROUP BY {cols} HAVING count(*) > 1 ORDER BY min(row_no) LIMIT 20"
            ).format(cols=columns, staging=sql.Identifier(STAGING))
        )
        return cursor.fetchall()


def row_filter(rows: tuple[int, int] | None) -> sql.Composable:
    """Staging rows ``s`` numbered from ``rows[0]`` to ``rows[1]``; all when None."""
    if rows is None:
        return sql.SQL("true")
    return sql.SQL("s.row_no BETWEEN {} AND {}").format(
        sql.Literal(int(rows[0])), sql.Literal(int(rows[1]))
    )


class Upsert:
    """``INSERT … ON CONFLICT (natural key) DO UPDATE … WHERE changed`` for the layer's table."""

    def __init__(
        self,
        stager: Stager,
        key: Sequence[str],
        constants: dict[str, object],
        *,
        spatial_order: bool = True,
    ) -> None:
        self.stager = stager
        self.model = stager.model
        self.table = sql.Identifier(self.model._meta.db_table)
        self.key = list(key)
        self.constants = constants  # column → value for fields no file carries
        # Spatial order (PostGIS sorts geometry along a Hilbert curve) keeps the GiST
        # inserts of files delivered in random order local; useless when the spatial
        # indexes are built afterwards (see bulk_load).
        self.spatial_order = spatial_order

    def _direct_targets(self) -> list[Target]:
        return [t for t in self.stager.targets if t.relation is None]

    def _select(self) -> tuple[list[tuple[str, sql.Composable]], list[object], sql.Composable]:
        """(column, expression filling it) pairs, their params, and the FROM clause."""
        pairs: list[tuple[str, sql.Composable]] = []
        params: list[object] = []
        joins = [sql.SQL("{} s").format(sql.Identifier(STAGING))]
        for target in self._direct_targets():
            if target.field.is_relation:
                alias = sql.Identifier(f"r_{target.column}")
                related = target.field.related_model
                joins.append(
                    sql.SQL("LEFT JOIN {table} {alias} ON {alias}.{lookup} = s.{col}").format(
                        table=sql.Identifier(related._meta.db_table),
                        alias=alias,
                        lookup=sql.Identifier(lookup_field(related)),
                        col=sql.Identifier(target.column),
                    )
                )
                pairs.append((target.field.column, sql.SQL("{}.id").format(alias)))
            else:
                pairs.append(
                    (target.field.column, sql.SQL("s.{}").format(sql.Identifier(target.column)))
                )
        for column, value in self.constants.items():
            if isinstance(value, str) and value.startswith("="):
                pairs.append((column, sql.SQL("s.{}").format(sql.Identifier(value[1:]))))
            else:
                pairs.append((column, sql.Literal(value)))
        for column in self.stager._geometry_columns():
            value = sql.SQL("s.{}").format(sql.Identifier(column))
            if self._multi():
                value = sql.SQL("ST_Multi({})").format(value)
            pairs.append((column, value))
        return pairs, params, sql.SQL(" ").join(joins)

    @staticmethod
    def _compared(pairs) -> list[tuple[str, sql.Composable]]:
        """The pairs that say whether a row changed: not the Web Mercator copy, which follows
        ``geom`` (and may differ from the stored one in its last bit)."""
        return [(name, expr) for name, expr in pairs if name != WEB_MERCATOR_COLUMN]

    def _multi(self) -> bool:
        return self.model._meta.get_field("geom").geom_type.startswith("MULTI")

    def _timestamps(self) -> list[str]:
        return [
            f.column
            for f in self.model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]

    def run(
        self,
        cursor,
        rows: tuple[int, int] | None = None,
        *,
        fresh: bool = False,
        staged: int | None = None,
        extent: tuple[float, float, float, float] | None = None,
    ) -> UpsertCounts:
        """Upsert the staged rows (those numbered ``rows[0]`` to ``rows[1]`` when given;
        ``staged``: how many there are, ``extent``: their bounds in GIS_SRID, when the
        caller knows them).

        ``fresh``: no row that was in the table before this import can share a key with
        these (no older row has their commune, see ``first_key_values``): a plain INSERT,
        no old extent to look up; a key the file repeats then hits the unique index. With
        ``staged`` and ``extent`` known, every row is new and the INSERT returns nothing."""
        pairs, params, source = self._select()
        where = row_filter(rows)
        names = [name for name, _expr in pairs]
        stamps = self._timestamps()
        columns = [sql.Identifier(n) for n in names + stamps]
        values = [expr for _n, expr in pairs] + [sql.SQL("now()") for _ in stamps]
        compared = [name for name, _expr in self._compared(pairs)]
        old_row = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in compared)
        new_row = sql.SQL(", ").join(
            sql.SQL("EXCLUDED.{}").format(sql.Identifier(n)) for n in compared
        )
        # Extent of rows about to change, before they change (tiles there must go too).
        started = time.perf_counter()
        existing, old_extent = (
            (0, None) if fresh else self._old_extent(cursor, pairs, params, source, where)
        )
        logger.debug("old extent in %.2f s", time.perf_counter() - started)
        # No staged key is in the table yet (a first load): a plain INSERT, without the
        # speculative insertion ON CONFLICT costs on every row. A key inserted meanwhile
        # by another transaction fails this import, which can then simply be run again.
        conflict = sql.SQL(
            "ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE ({old}) IS DISTINCT FROM ({new})"
            if existing
            else ""
        )
        insert = sql.SQL(
            "INSERT INTO {table} AS t ({columns}) SELECT {values} FROM {source} "
            "WHERE {where} {order} {conflict}"
        ).format(
            table=self.table,
            columns=sql.SQL(", ").join(columns),
            values=sql.SQL(", ").join(values),
            source=source,
            where=where,
            order=sql.SQL("ORDER BY s.geom" if self.spatial_order else ""),
            conflict=conflict.format(
                key=sql.SQL(", ").join(sql.Identifier(k) for k in self.key),
                assignments=sql.SQL(", ").join(
                    sql.SQL("{c} = EXCLUDED.{c}").format(c=c) for c in columns
                ),
                old=old_row,
                new=new_row,
            ),
        )
        started = time.perf_counter()
        if fresh and staged is not None and extent is not None:
            cursor.execute(insert, params)
            created, updated, box = cursor.rowcount, 0, None
        else:
            cursor.execute(
                sql.SQL(
                    "WITH up AS ({insert} RETURNING (xmax = 0) AS inserted, t.geom) "
                    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT "
                    "inserted), ST_Extent(geom)::text FROM up"
                ).format(insert=insert),
                params,
            )
            created, updated, box = cursor.fetchone()
            extent = None
        logger.debug("upsert statement in %.2f s", time.perf_counter() - started)
        if staged is None:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {} s WHERE {}").format(
                    sql.Identifier(STAGING), row_filter(rows)
                )
            )
            staged = cursor.fetchone()[0]
        extent = _union(extent or _parse_box(box), old_extent)
        return UpsertCounts(
            created, updated, staged - created - updated, extent, merged=bool(existing)
        )

    def first_key_target(self) -> Target | None:
        """The file column feeding the natural key's first column (a parcel's commune)."""
        return next(
            (
                t
                for t in self._direct_targets()
                if t.field.column == self.key[0] and t.relation is None
            ),
            None,
        )

    def first_key_values(self, cursor) -> set | None:
        """The distinct values of the natural key's first column in the table, in the file's
        terms (a parcel's commune, by code), read before the import writes: one index probe
        per value (a loose index scan over the natural key's unique index). None for a
        one-column key, where that would be every row."""
        target = self.first_key_target()
        if len(self.key) < 2 or target is None:
            return None
        values = sql.SQL("SELECT value FROM v WHERE value IS NOT NULL")
        if target.field.is_relation:
            related = target.field.related_model
            values = sql.SQL("SELECT r.{lookup} FROM v JOIN {related} r ON r.id = v.value").format(
                lookup=sql.Identifier(lookup_field(related)),
                related=sql.Identifier(related._meta.db_table),
            )
        statement = sql.SQL(
            "WITH RECURSIVE v AS ("
            "(SELECT {c} AS value FROM {table} ORDER BY {c} LIMIT 1) UNION ALL "
            "SELECT (SELECT {c} FROM {table} WHERE {c} > v.value ORDER BY {c} LIMIT 1) "
            "FROM v WHERE v.value IS NOT NULL) {values}"
        ).format(c=sql.Identifier(self.key[0]), table=self.table, values=values)
        cursor.execute(statement)
        return {value for (value,) in cursor.fetchall()}

    def _key_match(self, pairs) -> sql.Composable:
        """The table row ``t`` with the natural key of the staged row."""
        expressions = dict(pairs)
        return sql.SQL(" AND ").join(
            sql.SQL("t.{k} = {v}").format(k=sql.Identifier(k), v=expressions[k]) for k in self.key
        )

    def existing(self, cursor, rows: tuple[int, int] | None = None) -> tuple[int, int]:
        """(staged keys the table holds already, staged rows), among ``rows`` if given."""
        pairs, params, source = self._select()
        statement = sql.SQL(
            "SELECT count(t.id), count(*) FROM {source} LEFT JOIN {table} t ON {match} "
            "WHERE {where}"
        ).format(
            source=source, table=self.table, match=self._key_match(pairs), where=row_filter(rows)
        )
        cursor.execute(statement, params)
        return cursor.fetchone()

    def _old_extent(self, cursor, pairs, params, source, where) -> tuple[int, tuple | None]:
        """How many staged keys the table holds already, and the extent of those rows
        the upsert will change."""
        key_match = self._key_match(pairs)
        compared = self._compared(pairs)
        old_row = sql.SQL(", ").join(
            sql.SQL("t.{}").format(sql.Identifier(n)) for n, _e in compared
        )
        new_row = sql.SQL(", ").join(e for _n, e in compared)
        statement = sql.SQL(
            "SELECT count(*), "
            "ST_Extent(t.geom) FILTER (WHERE ({old}) IS DISTINCT FROM ({new}))::text "
            "FROM {source} JOIN {table} t ON {match} WHERE {where}"
        ).format(
            source=source, table=self.table, match=key_match, where=where, old=old_row, new=new_row
        )
        cursor.execute(statement, params)
        existing, box = cursor.fetchone()
        return existing, _parse_box(box)


class DirectCopy:
    """COPY straight into the layer's table, for the batches of a bulk load that bring only
    new keys, their codes resolved in the reading thread: PostgreSQL writes each row once,
    a page of rows to a WAL record, instead of staging it and inserting it again (INSERT …
    SELECT logs row by row): 0.085 s instead of 0.15 s a batch of 18,000 parcels. The
    caller keeps the rows' keys and private values, to stage them when they are needed
    (``Stager.stage_columns``).

    The rows are what the upsert would write: the staged values with ids for codes, the
    constants, the geometry as ST_Multi makes it, ``now`` (the transaction's start, as
    now() in SQL) in the timestamps, and numbers rounded as PostgreSQL rounds a double
    into the column's scale (``numeric_binary``)."""

    def __init__(self, upsert: Upsert, layout: list, types: list[int], numeric, encoder) -> None:
        self.table = upsert.table
        self._layout = layout  # (column, "target" | "geometry" | "constant", its index or value)
        self._types = types
        self._numeric = numeric  # column → (precision, scale)
        self._encoder = encoder
        self._multi = upsert._multi()

    @classmethod
    def make(cls, upsert: Upsert, cursor) -> DirectCopy | None:
        """For ``upsert``'s layer, None where its rows cannot go straight in: zones named by
        their plan, a column copied from another, dates staged for date-times, more than
        four decimals. Values for a private table (a parcel's holder) are left to the
        staging table."""
        stager = upsert.stager
        if any(t.relation == "plan" for t in stager.targets):
            return None
        if any(isinstance(v, str) and v.startswith("=") for v in upsert.constants.values()):
            return None
        own = [(i, t) for i, t in enumerate(stager.targets) if t.relation is None]
        for _i, target in own:
            field = target.field
            if isinstance(field, models.DateTimeField):
                return None
            if isinstance(field, models.DecimalField) and not (
                field.decimal_places <= 4 and field.max_digits <= FLOAT_EXACT_DIGITS
            ):
                return None
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
        layout = [(t.field.column, "target", i) for i, t in own]
        layout += [(column, "constant", value) for column, value in upsert.constants.items()]
        layout += [(c, "geometry", k) for k, c in enumerate(stager._geometry_columns())]
        layout += [(column, "constant", now) for column in upsert._timestamps()]
        oids = copy_types(cursor, upsert.model._meta.db_table)
        fields = {f.column: f for f in upsert.model._meta.concrete_fields}
        numeric = {}
        for at, (column, kind, value) in enumerate(layout):
            if oids[column] != NUMERIC:
                continue
            field = fields[column]
            numeric[column] = (field.max_digits, field.decimal_places)
            if kind == "constant":
                encoded = numeric_binary([value], field.max_digits, field.decimal_places)
                if encoded is None:
                    return None
                layout[at] = (column, kind, encoded[0])
        # Numbers go as numeric_binary encodes them: bytes sent as they are, as geometry.
        types = [BYTEA if oids[c] == NUMERIC else oids[c] for c, _kind, _ref in layout]
        direct = cls(upsert, layout, types, numeric, binary_encoder(cursor))
        direct.encode([[] for _t in stager.targets], [[] for _c in stager._geometry_columns()])
        return direct

    def encode(self, values: list[list], geometries: list[list[bytes]]) -> bytes | None:
        """The rows as binary COPY data for the table, in the reading thread: ``values``
        the targets' (ids for codes), ``geometries`` the staged WKB. None when one cannot
        be sent as it is (a number PostgreSQL would refuse, a geometry ST_Multi would
        change otherwise): the rows are then staged and inserted."""
        count = len(geometries[0])
        columns: list[Iterable] = []
        for column, kind, ref in self._layout:
            if kind == "target":
                items = values[ref]
                if column in self._numeric:
                    items = numeric_binary(items, *self._numeric[column])
            elif kind == "geometry":
                items = multi_wkb(geometries[ref]) if self._multi else geometries[ref]
            else:
                items = itertools.repeat(ref, count)
            if items is None:
                return None
            columns.append(items)
        return copy_data(self._encoder, self._types, zip(*columns, strict=True))

    def copy(self, cursor, payload: bytes) -> None:
        copy_in(cursor, self.table, [c for c, _kind, _ref in self._layout], payload)


def copy_types(cursor, table: str) -> dict[str, int]:
    """Binary COPY's type for each column of ``table``, in order; geometry goes as its WKB
    bytes (bytea's format)."""
    cursor.execute(
        "SELECT attname, CASE WHEN atttypid = 'geometry'::regtype THEN %s ELSE atttypid END "
        "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [BYTEA, table],
    )
    return dict(cursor.fetchall())


def binary_encoder(cursor):
    """A cursor of the import's connection that never runs a statement: it carries the
    dumpers ``copy_data`` formats rows with, in the reading thread. Made in the thread
    that uses the connection (a text dumper asks libpq for the client encoding when it is
    made); the copies find the dumpers in the cursor's transformer."""
    encoder = cursor.connection.cursor()
    # Bytes (WKB) go through psycopg's own bytea dumper (C), not the DB-API one the bytea
    # OID otherwise finds, which wraps it in Python (two calls a row).
    encoder.adapters.register_dumper(bytes, BytesBinaryDumper)
    return encoder


def copy_data(encoder, types: Sequence[int], rows: Iterable[Sequence[object]]) -> bytes:
    """``rows`` as binary COPY data of columns of ``types``, with ``encoder``'s dumpers
    (binary_encoder). Touches no connection."""
    buffer = io.BytesIO()
    with psycopg.Copy(encoder, binary=True, writer=FileWriter(buffer)) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
    return buffer.getvalue()


def copy_in(
    cursor,
    table: sql.Composable,
    columns: Sequence[str],
    rows: bytes | Iterable[Sequence[object]],
    types: Sequence[int] = (),
) -> None:
    """COPY into ``table``'s ``columns`` binary COPY data, or ``rows`` formatted here with
    ``types`` (binary: PostgreSQL parses no text, half the time with two geometries a row)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        table, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    # psycopg's COPY bypasses Django's cursor wrapper: its errors are wrapped here, as the
    # callers expect (a DatabaseError, psycopg's error as its cause).
    with connection.wrap_database_errors, cursor.copy(statement) as copy:
        if isinstance(rows, bytes):
            copy.write(rows)
            return
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def numeric_binary(values: Sequence[object], precision: int, scale: int) -> list | None:
    """``values`` (floats, Decimals, ints; None stays None) in PostgreSQL's binary format
    for numeric(``precision``, ``scale``), each as an INSERT of it as double precision
    stores it: PostgreSQL writes a double with 15 significant digits, then rounds half
    away from zero to the scale. None when one would be refused (not finite, too large)
    or ``scale`` is over 4: PostgreSQL then says so itself."""
    if not 0 <= scale <= 4:
        return None
    count = len(values)
    scaled = np.zeros(count, dtype=np.int64)
    present = np.ones(count, dtype=bool)
    if all(type(v) is float for v in values):
        given = np.array(values, dtype=np.float64)
        x = np.abs(given) * 10**scale
        if not (np.isfinite(x) & (x < 10.0**precision)).all():
            return None
        scaled[:] = np.floor(x + 0.5)
        # Where x is near a half, the double and its 15 digits may round apart: exactly.
        exact = np.flatnonzero(np.abs(x - np.floor(x) - 0.5) <= x * 1e-13 + 1e-9).tolist()
        signs = np.signbit(given)
    else:
        exact = range(count)
        signs = np.zeros(count, dtype=bool)
    unit = Decimal(1).scaleb(-scale)
    for i in exact:
        value = values[i]
        if value is None:
            present[i] = False
            continue
        number = _rounded(value, unit)
        if number is None:
            return None
        signs[i] = number < 0
        scaled[i] = abs(int(number.scaleb(scale)))
    if (scaled >= 10**precision).any():
        return None
    out = _numeric_wire(scaled, signs, precision, scale)
    for i in np.flatnonzero(~present).tolist():
        out[i] = None
    return out


def _rounded(value: object, unit: Decimal) -> Decimal | None:
    """``value`` as PostgreSQL stores it in a numeric of ``unit``'s scale (see
    numeric_binary); None for a float that is not finite."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        value = Decimal(f"{value:.15g}")
    try:
        return Decimal(value).quantize(unit, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits
        return None


def _numeric_wire(scaled: np.ndarray, signs: np.ndarray, precision: int, scale: int) -> list:
    """Binary numerics of the non-negative ``scaled`` integers (the value times
    10**scale; ``signs``: negative): fixed base-10000 digits, the integer part's groups then
    the fraction's, weight counted from the first; PostgreSQL strips the zeros."""
    groups = max(1, -(-(precision - scale) // 4))
    whole, fraction = np.divmod(scaled, 10**scale)
    digits = [(whole // 10 ** (4 * g)) % 10_000 for g in reversed(range(groups))]
    if scale:
        digits.append(fraction * 10 ** (4 - scale))
    table = np.empty((len(scaled), 4 + len(digits)), dtype=">u2")
    table[:, :4] = [len(digits), groups - 1, 0, scale]
    table[:, 2] = np.where(signs & (scaled > 0), 0x4000, 0)
    for k, column in enumerate(digits):
        table[:, 4 + k] = column
    data = table.tobytes()
    width = table.shape[1] * 2
    return [data[i : i + width] for i in range(0, len(data), width)]


# Below this many incoming rows, index maintenance row by row is cheap enough.
BULK_MIN_ROWS = 10_000
# A bulk load only when at most this share of the first batch's keys exist already: the
# same file loaded again changes (almost) nothing and must not lock and rebuild the layer.
BULK_MAX_EXISTING = 0.1


def wants_bulk_load(cursor, model: type[models.Model], incoming: int) -> bool:
    """A bulk load when the file brings at least as many rows as the table holds (a first
    load, or a reload of most of it): rebuilding the indexes afterwards then costs less
    than maintaining them row by row. Counting stops past ``incoming`` rows."""
    if incoming < BULK_MIN_ROWS:
        return False
    cursor.execute(
        sql.SQL("SELECT count(*) FROM (SELECT FROM {} LIMIT %s) AS held").format(
            sql.Identifier(model._meta.db_table)
        ),
        [incoming + 1],
    )
    return cursor.fetchone()[0] <= incoming


class BulkLoad:
    """A bulk load under way (``bulk_load``): ``active`` when the table's indexes and
    foreign keys are down. ``restore_key`` rebuilds the natural key's unique constraint
    when one was deferred: before the first upsert that needs it (ON CONFLICT's arbiter),
    or when loading ends; building it finds any key loaded twice meanwhile."""

    def __init__(self, cursor, table: str, active: bool, key: list[tuple[str, str]]) -> None:
        self.cursor = cursor
        self.table = table
        self.active = active
        self._key = key

    def __bool__(self) -> bool:
        return self.active

    def restore_key(self) -> None:
        for name, definition in self._key:
            _add_constraint(self.cursor, self.table, name, definition)
        self._key = []


def _add_constraint(cursor, table: str, name: str, definition: str) -> None:
    """Add back a constraint dropped for a bulk load, from its catalogue definition."""
    cursor.execute(
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
            sql.Identifier(table), sql.Identifier(name)
        )
        + sql.SQL(definition)
    )


@contextmanager
def bulk_load(
    cursor, model: type[models.Model], *, defer_key: Sequence[str] = ()
) -> Iterator[BulkLoad]:
    """Inside the import's transaction: drop the table's non-unique indexes and its
    foreign keys, let the caller load, then rebuild the indexes (one sorted build each,
    several times faster than row-by-row GiST inserts) and add the foreign keys back,
    which checks every row in one join instead of one trigger query per row and key.

    ``defer_key`` (the natural key's columns): its unique constraint is dropped too, for
    a caller whose plain INSERTs need no arbiter, and rebuilt by ``restore_key`` (also
    when loading ends): one sorted build instead of one index insertion per row.

    The Web Mercator trigger is switched off meanwhile: the upsert writes the copies the
    reading thread computed (gis.geometry). The other unique indexes stay and so do the
    CHECK constraints. Until commit the table is locked for readers too: the price of a
    bulk load, paid only when the file is at least as large as the table
    (wants_bulk_load). Yields an inactive BulkLoad, changing nothing, when the transaction
    already has deferred trigger events on the table (PostgreSQL cannot alter it then):
    the load is row by row.
    """
    table = model._meta.db_table
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    key = []
    if defer_key:
        # The unique constraint on exactly these columns, unless a foreign key elsewhere
        # depends on its index.
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'u' "
            "AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a "
            "     WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)) "
            "    = (SELECT array_agg(k ORDER BY k) FROM unnest(%s::text[]) k) "
            "AND NOT EXISTS (SELECT FROM pg_constraint f "
            "                WHERE f.contype = 'f' AND f.conindid = c.conindid)",
            [table, list(defer_key)],
        )
        key = cursor.fetchall()
    cursor.execute(
        "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s)",
        [table, WEB_MERCATOR_TRIGGER],
    )
    trigger = cursor.fetchone()[0]
    try:
        with transaction.atomic():
            for name, _definition in [*foreign_keys, *key]:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                )
            for name, _definition in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            if trigger:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                        sql.Identifier(table), sql.Identifier(WEB_MERCATOR_TRIGGER)
                    )
                )
    except DatabaseError as exc:
        if not isinstance(exc.__cause__, errors.ObjectInUse):
            raise
        logger.info("bulk load of %s not possible (%s): row by row", table, exc)
        yield BulkLoad(cursor, table, active=False, key=[])
        return
    bulk = BulkLoad(cursor, table, active=True, key=key)
    yield bulk
    started = time.perf_counter()
    bulk.restore_key()
    if trigger:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(
                sql.Identifier(table), sql.Identifier(WEB_MERCATOR_TRIGGER)
            )
        )
    for _name, definition in indexes:  # from the catalogue, not from any file
        cursor.execute(definition)
    for name, definition in foreign_keys:
        _add_constraint(cursor, table, name, definition)
    logger.debug(
        "indexes and foreign keys of %s rebuilt in %.2f s", table, time.perf_counter() - started
    )


def upsert_private(cursor, stager: Stager, relation: str, key: Sequence[str]) -> None:
    """Fill a one-to-one private table (``holder``, ``applicant``) from the staging rows."""
    model = stager.model
    rel = model._meta.get_field(relation)
    private = rel.related_model
    parent_column = rel.field.column
    targets = [t for t in stager.targets if t.relation == relation]
    if not targets:
        return
    key_targets = {t.name: t for t in stager.targets if t.relation is None}
    match = []
    for name in key:
        target = key_targets[name]
        if target.field.is_relation:
            related = target.field.related_model
            match.append(
                sql.SQL("t.{col} = (SELECT id FROM {rt} WHERE {lk} = s.{sc})").format(
                    col=sql.Identifier(target.field.column),
                    rt=sql.Identifier(related._meta.db_table),
                    lk=sql.Identifier(lookup_field(related)),
                    sc=sql.Identifier(target.column),
                )
            )
        else:
            match.append(
                sql.SQL("t.{col} = s.{sc}").format(
                    col=sql.Identifier(target.field.column), sc=sql.Identifier(target.column)
                )
            )
    columns = [sql.Identifier(t.field.column) for t in targets]
    values = [sql.SQL("coalesce(s.{}, '')").format(sql.Identifier(t.column)) for t in targets]
    # Private text columns the file does not carry still need a value.
    for field in private._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.column not in {
            t.field.column for t in targets
        }:
            columns.append(sql.Identifier(field.column))
            values.append(sql.Literal(""))
    statement = sql.SQL(
        "INSERT INTO {private} AS p ({parent}, {columns}) "
        "SELECT t.id, {values} FROM {staging} s JOIN {table} t ON {match} "
        "ON CONFLICT ({parent}) DO UPDATE SET {assign} "
        "WHERE ({old}) IS DISTINCT FROM ({new})"
    ).format(
        private=sql.Identifier(private._meta.db_table),
        parent=sql.Identifier(parent_column),
        columns=sql.SQL(", ").join(columns),
        values=sql.SQL(", ").join(values),
        staging=sql.Identifier(STAGING),
        table=sql.Identifier(model._meta.db_table),
        match=sql.SQL(" AND ").join(match),
        assign=sql.SQL(", ").join(
            sql.SQL("{c} = EXCLUDED.{c}").format(c=c) for c in columns[: len(targets)]
        ),
        old=sql.SQL(", ").join(sql.SQL("p.{}").format(c) for c in columns[: len(targets)]),
        new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(c) for c in columns[: len(targets)]),
    )
    cursor.execute(statement)


def _parse_box(box: str | None) -> tuple[float, float, float, float] | None:
    if not box:
        return None
    inner = box[box.index("(") + 1 : box.index(")")]
    (minx, miny), (maxx, maxy) = (map(float, corner.split()) for corner in inner.split(","))
    return minx, miny, maxx, maxy


def _union(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def storage_srid() -> int:
    return settings.GIS_SRID
