"""CS2 names parsed in Arrow: ``names.parse_name``'s answers without a Python call per name.

What lives here: ``name_columns``, the ``weapon``, ``skin``, ``exterior`` and mark
columns of rows given as codes into their distinct names, and ``sorted_codes`` /
``category``, the sorted Categorical of a text column built by Arrow. A price book holds
some 30,000 distinct names, one row each, so parsing each in Python cost about twice the
whole orjson floor (``benchmarks/bench_catalogue.py``); here the same steps run as
Arrow string kernels: ``★`` then ``StatTrak™`` / ``Souvenir`` read, the marks removed,
the rest split at its first ``" | "``, the exterior cut off the skin. A name whose rest
``str.strip`` would change (Arrow's and Python's whitespace differ) is handed to
``parse_name`` itself, so every name gets exactly ``parse_name``'s answer (a hypothesis
test holds them equal, ``tests/frame/test_arrow_names.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..constants import (
    EXTERIORS,
    NON_SKIN_PREFIXES,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)
from .names import parse_name
from .schema import EXTERIOR_DTYPE, TEXT

__all__ = ["category", "name_columns", "sorted_codes"]


def sorted_codes(values: pa.Array) -> tuple[np.ndarray[Any, Any], pa.Array]:
    """Each value's index into the sorted distinct values (-1 for null), and those values.

    Sorted by Arrow: UTF-8 byte order is code point order, Python's order of ``str``.
    """
    encoded = pc.dictionary_encode(values)
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    remap = np.empty(len(order) + 1, dtype=np.int64)
    remap[order] = np.arange(len(order))
    remap[-1] = -1  # null (code -1) stays -1
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return remap[codes], encoded.dictionary.take(pa.array(order))


def category(codes: np.ndarray[Any, Any], categories: pa.Array) -> pd.Categorical[Any]:
    """A Categorical of ``codes`` into sorted ``categories`` (as ``categorical_from_codes``)."""
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype=TEXT))
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _starts(values: pa.Array, prefix: str) -> np.ndarray[Any, Any]:
    """Where each value starts with ``prefix`` (``str.startswith``)."""
    found: np.ndarray[Any, Any] = pc.starts_with(values, prefix).to_numpy(zero_copy_only=False)
    return found


def _without_marks(names: pa.Array) -> pa.Array:
    """The names without their marks, as ``names._strip_marks`` before its ``strip``.

    ``★``, ``★`` again, ``StatTrak™`` and ``Souvenir`` are each removed in turn when the
    rest starts with it (``str.removeprefix``). The names are grouped by the marks they
    start with (a handful of groups); each group is cut once (Arrow slices by code point,
    as Python) and put back in place.
    """
    group, labels = np.zeros(len(names), dtype=np.int64), [""]
    for mark in (STAR_PREFIX, STAR_PREFIX, STATTRAK_PREFIX, SOUVENIR_PREFIX):
        for g, label in enumerate(list(labels)):
            hits = (group == g) & _starts(names, label + mark)
            if hits.any():
                labels.append(label + mark)
                group[hits] = len(labels) - 1
    pieces, index = [names], np.arange(len(names))
    for g, label in enumerate(labels[1:], start=1):
        rows = np.flatnonzero(group == g)
        if len(rows):
            index[rows] = sum(map(len, pieces)) + np.arange(len(rows))
            pieces.append(pc.utf8_slice_codeunits(names.take(pa.array(rows)), len(label)))
    return pa.concat_arrays(pieces).take(pa.array(index)) if len(pieces) > 1 else names


#: The exterior suffixes (``exterior_suffix``), in ``EXTERIORS`` order.
_SUFFIXES = tuple(f" ({exterior})" for exterior in EXTERIORS)


def _plain_ends(values: pa.Array) -> np.ndarray[Any, Any]:
    """Where a string's first and last characters are printable ASCII, not a space.

    Such a string is not empty and ``str.strip`` leaves it as it is (Python's whitespace
    is spaces and control characters); read from the bytes, so others count as not plain.
    """
    _, offsets_buffer, data_buffer = values.buffers()
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    offsets: np.ndarray[Any, Any] = np.frombuffer(offsets_buffer, dtype=width)
    offsets = offsets[values.offset : values.offset + len(values) + 1]  # into the data
    if data_buffer is None or not data_buffer.size:
        return np.zeros(len(values), dtype=bool)
    data: np.ndarray[Any, Any] = np.frombuffer(data_buffer, dtype=np.uint8)
    start, end = offsets[:-1], offsets[1:]
    filled = end > start
    first, last = data[np.where(filled, start, 0)], data[np.where(filled, end - 1, 0)]
    plain: np.ndarray[Any, Any] = filled & (first > 0x20) & (first < 0x7F)
    return plain & (last > 0x20) & (last < 0x7F)


def _heads(parts: pa.ListArray) -> tuple[pa.Array, pa.Array, np.ndarray[Any, Any]]:
    """The first and the last element of each (non-null) list, and where it has two."""
    offsets = parts.offsets.to_numpy()
    two = np.diff(offsets) == 2
    return parts.values.take(offsets[:-1]), parts.values.take(offsets[:-1] + two), two


def _patched(values: pa.Array, rows: np.ndarray[Any, Any], given: list[Any]) -> pa.Array:
    """``values`` with ``given`` at positions ``rows``."""
    full: list[Any] = [None] * len(values)
    for row, value in zip(rows.tolist(), given, strict=True):
        full[row] = value
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.if_else(pa.array(mask), pa.array(full, values.type), values)


def _parsed(distinct: pa.Array) -> dict[str, Any]:
    """``parse_name(None, name)`` and ``exterior_suffix(name)`` of distinct names, in Arrow.

    The same steps as ``names.parse_name``: ``★`` then ``StatTrak™`` / ``Souvenir`` read,
    the marks removed, the rest split at its first ``" | "``, the exterior cut off the
    skin. Names whose rest ``str.strip`` would change (or an empty rest) are left to
    ``parse_name`` itself, so every name gets exactly ``parse_name``'s answer.
    """
    star = _starts(distinct, STAR_PREFIX)
    # read on the name without its first ★, as parse_name does
    stattrak = np.where(star, _starts(distinct, STAR_PREFIX + STATTRAK_PREFIX),
                        _starts(distinct, STATTRAK_PREFIX))  # fmt: skip
    souvenir = np.where(star, _starts(distinct, STAR_PREFIX + SOUVENIR_PREFIX),
                        _starts(distinct, SOUVENIR_PREFIX))  # fmt: skip
    base = _without_marks(distinct)
    odd = ~_plain_ends(base)  # str.strip could change it, or empty: parse_name decides
    non_skin = pc.starts_with(base, NON_SKIN_PREFIXES[0])
    for prefix in NON_SKIN_PREFIXES[1:]:
        non_skin = pc.or_(non_skin, pc.starts_with(base, prefix))
    weapon, second, split = _heads(pc.split_pattern(base, " | ", max_splits=1))
    # the skin without its exterior: the suffix starts at the skin's last " ("
    cut = np.zeros(len(distinct), dtype=bool)
    for suffix in _SUFFIXES:
        cut |= pc.ends_with(second, suffix).to_numpy(zero_copy_only=False)
    head = _heads(pc.split_pattern(second, " (", max_splits=1, reverse=True))[0]
    skin = pc.if_else(pa.array(cut), head, second)
    none = pa.nulls(len(distinct), distinct.type)
    split_array = pa.array(split)
    weapon = pc.if_else(split_array, weapon, pc.if_else(pa.array(star), base, none))
    weapon = pc.if_else(non_skin, none, weapon)
    skin = pc.if_else(pc.or_(non_skin, pc.invert(split_array)), none, skin)
    odd_rows = np.flatnonzero(odd)
    if len(odd_rows):  # parse_name's own answer, where str.strip has a say
        found = [parse_name(None, name) for name in distinct.take(pa.array(odd_rows)).to_pylist()]
        weapon = _patched(weapon, odd_rows, [one.weapon for one in found])
        skin = _patched(skin, odd_rows, [one.skin for one in found])
    exterior = np.full(len(distinct), -1, dtype=np.int8)
    for position, suffix in enumerate(_SUFFIXES):  # the first that matches, as exterior_suffix
        ends = pc.ends_with(distinct, suffix).to_numpy(zero_copy_only=False)
        exterior[ends & (exterior < 0)] = position
    return {
        "weapon": weapon,
        "skin": skin,
        "exterior": exterior,
        "stattrak": stattrak,
        "souvenir": souvenir,
        "star": star,
    }


def name_columns(codes: np.ndarray[Any, Any], distinct: pa.Array) -> dict[str, Any]:
    """weapon, skin, exterior and the marks of rows given as ``codes`` into ``distinct``.

    Parsed once per distinct name; a null name (code -1) parses as ``parse_name(None)``:
    no weapon, no skin, no exterior, no marks (each per-name array gets one last slot).
    """
    parsed = _parsed(distinct)
    columns: dict[str, Any] = {}
    for field in ("weapon", "skin"):
        per_name, categories = sorted_codes(parsed[field])
        columns[field] = category(np.append(per_name, -1)[codes], categories)
    exterior_codes = np.append(parsed["exterior"], np.int8(-1))[codes]
    columns["exterior"] = pd.Categorical.from_codes(exterior_codes, dtype=EXTERIOR_DTYPE)
    for field in ("stattrak", "souvenir", "star"):
        columns[field] = np.append(parsed[field].astype(bool), False)[codes]
    return columns
