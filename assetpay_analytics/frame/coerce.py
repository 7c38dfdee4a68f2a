"""API values -> Python values: the forgiving conversions the frame builder relies on.

The API's nullability is unspecified (``shared/assetpay-api.md`` §8), prices may come
as numbers or numeric strings, and ``wear`` is a string. Each function here takes any
JSON value and returns the typed value or None (missing); none raises.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = [
    "to_bool",
    "to_float",
    "to_int",
    "to_price",
    "to_str",
    "to_text",
    "to_timestamp",
]

_INT64 = 2**63


def to_float(value: Any) -> float | None:
    """A finite number from a number, a numeric string, null or junk (junk -> None).

    Examples
    --------
    >>> to_float("0.25"), to_float(True), to_float("nan"), to_float([1])
    (0.25, None, None, None)
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # NaN, inf -> missing


def to_price(value: Any) -> float | None:
    """``to_float`` with a fast path for the common finite float (the hot loop's prices)."""
    # `v - v == 0` is False for NaN and inf: the common finite float skips the slow path.
    return value if type(value) is float and value - value == 0 else to_float(value)


def to_int(value: Any) -> int | None:
    """A whole number that fits in int64, else None.

    Examples
    --------
    >>> to_int("3"), to_int(2.5), to_int(2**70), to_int(2**53 + 1)
    (3, None, None, 9007199254740993)
    """
    if type(value) is int:  # exact: through a float, ints above 2**53 would round
        return value if -_INT64 <= value < _INT64 else None
    number = to_float(value)
    if number is None or not number.is_integer() or not -_INT64 <= number < _INT64:
        return None
    return int(number)


def to_str(value: Any) -> str | None:
    """Text of a scalar; None for null, objects and arrays."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def to_text(value: Any) -> str | None:
    """``to_str`` with a fast path for values that already are ``str``."""
    return value if type(value) is str else to_str(value)


def to_bool(value: Any) -> bool | None:
    """Only a JSON boolean is a boolean; anything else is unknown (None)."""
    return value if isinstance(value, bool) else None


def to_timestamp(value: Any) -> pd.Timestamp | None:
    """A UTC timestamp from an ISO-8601 string (naive times are taken as UTC), else None.

    Examples
    --------
    >>> to_timestamp("2026-06-01T09:30:00Z")
    Timestamp('2026-06-01 09:30:00+0000', tz='UTC')
    """
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
