"""Attribute values from files to typed field values, by the target model field's type.

Numbers come as "120,5" or "120.5", dates as ISO or dd/mm/yyyy, choices as their code or
their Vietnamese/English label (accents and case ignored). A number that is not a number
refuses the file (the column is probably mapped wrongly); other bad values reject only
their feature, with the reason.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import connection, models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from importers.errors import ImportRejected
from layers.search import fold


class FeatureRejected(ValueError):
    """This feature only is refused; the message says why."""


@dataclass(frozen=True)
class Target:
    """A model field the file feeds: ``holder.holder_name`` reaches a one-to-one table."""

    name: str  # as in the registry ("sheet", "commune", "holder.holder_name")
    field: models.Field
    column: str  # staging column name

    @property
    def relation(self) -> str | None:
        return self.name.split(".")[0] if "." in self.name else None


_INT = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _integer(value: Any, label: str) -> int:
    if isinstance(value, bool):
        raise ImportRejected(
            _("%(column)s: %(value)s is not a whole number."), column=label, value=value
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not _INT.match(text):
        raise ImportRejected(
            _("%(column)s: %(value)r is not a whole number (is the right column mapped?)."),
            column=label,
            value=text,
        )
    return int(re.split(r"[.,]", text)[0])


# Decimals of at most this many digits are staged as double precision, which keeps them
# exactly (15 significant digits); see importers.sql._pg_type.
FLOAT_EXACT_DIGITS = 15


def integer_range(field: models.Field) -> tuple[int, int]:
    """The values ``field``'s column holds (PostgreSQL's integer types, positive ones from 0)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low if low is not None else -(2**63)), (high if high is not None else 2**63 - 1)


def _in_range(value: int, bounds: tuple[int, int], label: str) -> int:
    """``value``, if its column can hold it: binary COPY would wrap it round silently."""
    if bounds[0] <= value <= bounds[1]:
        return value
    raise ImportRejected(
        _("%(column)s: %(value)s is out of range (%(low)s to %(high)s)."),
        column=label,
        value=value,
        low=bounds[0],
        high=bounds[1],
    )


def _decimal(value: Any, label: str) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).strip().replace(" ", "")
    if not _DECIMAL.match(text):
        raise ImportRejected(
            _("%(column)s: %(value)r is not a number (is the right column mapped?)."),
            column=label,
            value=text,
        )
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above excludes it
        raise ImportRejected(
            _("%(column)s: %(value)r is not a number."), column=label, value=text
        ) from None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d", "%Y/%m/%d")


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise FeatureRejected(f"{text!r}: not a date")


_TRUE = {"1", "true", "t", "yes", "y", "x", "co", "có"}
_FALSE = {"0", "false", "f", "no", "n", "khong", "không", ""}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FeatureRejected(f"{value!r}: not yes/no")


def _choice(value: Any, field: models.Field) -> str:
    wanted = fold(_text(value))
    for code, label in field.flatchoices:
        names = {fold(str(code))}
        for language in ("vi", "en"):
            with translation.override(language):
                names.add(fold(str(label)))
        if wanted in names:
            return code
    allowed = ", ".join(str(code) for code, _label in field.flatchoices)
    raise FeatureRejected(f"{value!r}: not one of {allowed}")


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    # "ONT+CLN" → "ONT": the main land use of a multi-use parcel.
    "first_code": lambda v: re.split(r"[+,;/ ]+", _text(v).upper())[0],
    "upper": lambda v: re.sub(r"\s+", "", _text(v).upper()),
    # Coverage in percent (80) or as a fraction (0.8).
    "fraction": lambda v: d / 100 if (d := _decimal(v, "coverage")) > 1 else d,
}


def convert(value: Any, target: Target, *, column_label: str, converter: str | None = None) -> Any:
    """The typed value for ``target`` (None for missing values)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        text_field = isinstance(target.field, models.CharField | models.TextField)
        return "" if text_field and not target.field.null and not target.field.is_relation else None
    if converter:
        value = CONVERTERS[converter](value)
    field = target.field
    if field.is_relation:
        return _text(value)
    if isinstance(field, models.BooleanField):
        return _boolean(value)
    if isinstance(field, models.IntegerField):
        return _in_range(_integer(value, column_label), integer_range(field), column_label)
    if isinstance(field, models.DecimalField):
        number = _decimal(value, column_label)
        return number.quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.FloatField):
        return float(_decimal(value, column_label))
    if isinstance(field, models.DateField):
        return _date(value)
    if field.choices:
        return _choice(value, field)
    text = _text(value)
    if field.max_length and len(text) > field.max_length:
        raise FeatureRejected(f"{column_label}: longer than {field.max_length} characters")
    return text


class ColumnConverter:
    """Converts one file column for one target, fast on the common cases: numbers that
    already are numbers pass through; repeated text (codes, street names) is converted
    once."""

    def __init__(self, target: Target, *, column_label: str, converter: str | None) -> None:
        self.target = target
        self.label = column_label
        self.converter = converter
        self._memo: dict[Any, Any] = {}
        field = target.field
        self._passthrough_int = isinstance(field, models.IntegerField) and not field.is_relation
        self._range = integer_range(field) if self._passthrough_int else None
        # Floats stay floats where the staging column is a double precision (sql._pg_type).
        self._passthrough_float = isinstance(field, models.FloatField) or (
            isinstance(field, models.DecimalField) and field.max_digits <= FLOAT_EXACT_DIGITS
        )

    def one(self, value: Any) -> Any:
        if self.converter is None:
            if self._passthrough_int and type(value) is int:
                return _in_range(value, self._range, self.label)
            if self._passthrough_float and type(value) is float:
                return value  # PostgreSQL rounds it to the column's scale
        try:
            return self._memo[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: convert without memo
            return convert(value, self.target, column_label=self.label, converter=self.converter)
        result = convert(value, self.target, column_label=self.label, converter=self.converter)
        if len(self._memo) < 100_000:
            self._memo[value] = result
        return result

    def numbers(self, array: pa.Array, rows: np.ndarray, first: int) -> list[Any] | None:
        """The converted values of the rows kept of a numeric Arrow column, checked in one
        pass, when every value is a number the column takes as it is (no nulls, no
        conversion; whole numbers in range for an integer column): what ``one`` would
        give row by row. None when a value needs ``one``'s row-by-row treatment."""
        if self.converter is not None or array.null_count:
            return None
        kind = array.type
        if self._passthrough_float and pa.types.is_floating(kind):
            return array.take(pa.array(rows)).to_pylist()
        if not (self._passthrough_int and pa.types.is_integer(kind)) or not len(rows):
            return None
        taken = array.take(pa.array(rows))
        values = taken.to_numpy()
        low, high = self._range
        outside = np.flatnonzero((values < low) | (values > high))
        if len(outside):
            at = int(outside[0])
            try:
                _in_range(int(values[at]), self._range, self.label)
            except ImportRejected as exc:
                exc.feature = first + int(rows[at])
                raise
        return taken.to_pylist()

    def column(self, values: list[Any], rows, first: int, rejected: dict[int, str]) -> list[Any]:
        """Converted values of the rows kept (``rows``: indices into ``values``); feature
        rejections go to ``rejected`` by feature number (``first`` numbers row 0)."""
        out = []
        one = self.one
        for i in rows.tolist():
            try:
                out.append(one(values[i]))
            except FeatureRejected as exc:
                rejected[first + i] = str(exc)
                out.append(None)
            except ImportRejected as exc:
                exc.feature = first + i
                raise
        return out
