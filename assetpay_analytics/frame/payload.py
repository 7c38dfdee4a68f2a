"""The documented shape of a successful inventory answer, checked before it is believed.

``data`` must be an object with an ``inventory`` list of item objects and an integer
``count``; ``updatedAt`` is a string when present and ``collateral`` a number. Each
item's ``id`` is a string or a number when present (an item without one is set aside
by the frame builder as an anomaly, not refused here). ``shape_problem`` names the
first field that breaks the contract, so the client can raise ``MalformedResponse``
and the cache can refuse to store the answer. Pure: no HTTP, no pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["count_of", "shape_problem"]


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"[:60]


def count_of(data: Mapping[str, Any]) -> int | None:
    """``data.count`` as an int when it is a whole number >= 0 (``True`` is not), else None.

    Examples
    --------
    >>> count_of({"count": 3}), count_of({"count": 3.0}), count_of({"count": "lots"})
    (3, 3, None)
    """
    value = data.get("count")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value < 0 or int(value) != value:  # NaN, negative, fractional
        return None
    return int(value)


def _item_problem(items: list[Any]) -> str | None:
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            return f"data.inventory[{i}] is {_kind(item)}, expected an item object"
        item_id = item.get("id")
        if item_id is not None and (
            isinstance(item_id, bool) or not isinstance(item_id, (str, int))
        ):
            return f"data.inventory[{i}].id is {_kind(item_id)}, expected a string"
    return None


def shape_problem(data: Any) -> str | None:
    """What is wrong with a success envelope's ``data``, or None when it has the documented shape.

    Parameters
    ----------
    data : object
        The envelope's ``data`` value, as decoded from JSON.

    Returns
    -------
    str or None
        The first problem found, naming the field (``"data.count is str 'lots'..."``).

    Examples
    --------
    >>> shape_problem({"inventory": [], "count": 0, "updatedAt": None, "collateral": 0})
    >>> shape_problem({"inventory": {}, "count": 0})
    'data.inventory is an object, expected a list of items'
    """
    if not isinstance(data, Mapping):
        return f"data is {_kind(data)}, expected an object"
    items = data.get("inventory")
    if not isinstance(items, list):
        what = "missing" if items is None else _kind(items)
        return f"data.inventory is {what}, expected a list of items"
    if count_of(data) is None:
        return f"data.count is {_kind(data.get('count'))}, expected a whole number >= 0"
    updated = data.get("updatedAt")
    if updated is not None and not isinstance(updated, str):
        return f"data.updatedAt is {_kind(updated)}, expected an ISO-8601 string"
    collateral = data.get("collateral")
    if collateral is not None and (
        isinstance(collateral, bool) or not isinstance(collateral, (int, float))
    ):
        return f"data.collateral is {_kind(collateral)}, expected a number"
    return _item_problem(items)
