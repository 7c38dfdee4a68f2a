"""The lists ``attrs`` keep (errors, anomalies, request ids), shared, and their typed views.

``attrs`` hold JSON-friendly lists of records (pandas writes them into Parquet with
``json.dumps``); ``records_frame`` is their typed view: ``df.assetpay.errors`` and
``.anomalies`` (the accessor), and the review document's failures table, which must not
need the accessor to be registered.

pandas deep-copies a frame's ``attrs`` into nearly every frame derived from it (a column
selection, a ``groupby``, a comparison). A batch of 1,000 accounts keeps thousands of
request ids and failure records there, so each of an analysis' few hundred pandas
operations paid milliseconds to seconds copying them. ``share_attrs`` turns those lists
into ``SharedList`` (records into ``Record``): read-only, so every derived frame can hold
the same one, and a deep copy returns it as is. They are still a ``list`` and ``dict`` for
``json.dumps``, orjson, equality and indexing; their repr is a list's, cut short past
``REPR_ITEMS`` items.
(No library type does this: ``frozenlist`` and ``frozendict`` are not ``list``/``dict``
subclasses, which ``json.dumps`` and existing callers comparing with ``[...]`` need.)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, MutableMapping
from typing import Any, NoReturn

import pandas as pd

__all__ = ["Record", "SharedList", "records_frame", "share_attrs"]

#: Items a ``SharedList`` shows in full in its repr; beyond, a count and the first few.
REPR_ITEMS = 20
_REPR_HEAD = 3
#: ``attrs`` names whose values are lists a frame shares with the frames derived from it.
SHARED_ATTRS = ("errors", "anomalies", "request_ids", "steam_ids", "snapshots")
_READ_ONLY = (
    "{kind} in a frame's attrs are shared by every frame pandas derives from it, so they "
    "are read-only: copy first ({copy}), change the copy and assign it to attrs."
)


def _read_only(kind: str, copy: str) -> NoReturn:
    raise TypeError(_READ_ONLY.format(kind=kind, copy=copy))


class Record(dict[str, Any]):
    """One record of a ``SharedList``: a ``dict`` that cannot change.

    Examples
    --------
    >>> record = Record({"steam_id": "76561198000000001", "code": 2001})
    >>> record["code"], record == {"steam_id": "76561198000000001", "code": 2001}
    (2001, True)
    """

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        _read_only("records", "dict(record)")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> Record:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Record:
        return self

    def __reduce__(self) -> tuple[type[Record], tuple[dict[str, Any]]]:
        return Record, (dict(self),)

    def __hash__(self) -> int:  # type: ignore[override]  # dict's is None; this one cannot change
        return hash(tuple(self.items()))


class SharedList(list[Any]):
    """A read-only ``list`` of ``attrs`` that derived frames share instead of copying.

    Examples
    --------
    >>> ids = SharedList(f"req-{i}" for i in range(1000))
    >>> ids[0], len(ids), ids == [f"req-{i}" for i in range(1000)]
    ('req-0', 1000, True)
    >>> ids
    ['req-0', 'req-1', 'req-2', ... (1000 items)]
    >>> import copy
    >>> copy.deepcopy(ids) is ids
    True
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(_frozen(item) for item in items)

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        _read_only("lists", "list(df.attrs[name])")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = clear = extend = insert = pop = remove = reverse = sort = _refuse

    def __copy__(self) -> SharedList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedList:
        return self

    def __reduce__(self) -> tuple[type[SharedList], tuple[list[Any]]]:
        return SharedList, (list(self),)

    def __hash__(self) -> int:  # type: ignore[override]  # list's is None; this one cannot change
        return hash(tuple(self))

    def __repr__(self) -> str:
        if len(self) <= REPR_ITEMS:
            return list.__repr__(self)
        head = ", ".join(repr(item) for item in self[:_REPR_HEAD])
        return f"[{head}, ... ({len(self)} items)]"


def _frozen(item: Any) -> Any:
    if isinstance(item, Mapping) and not isinstance(item, Record):
        return Record(item)
    return item


def share_attrs(attrs: MutableMapping[Hashable, Any]) -> MutableMapping[Hashable, Any]:
    """Make the lists of ``attrs`` (``SHARED_ATTRS``) shared, in place; ``attrs`` returned.

    Parameters
    ----------
    attrs : dict
        A frame's ``attrs``. Lists under ``SHARED_ATTRS`` become ``SharedList`` (their
        mappings ``Record``); every other value is left as it is.

    Returns
    -------
    dict
        ``attrs`` itself.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2]})
    >>> df.attrs = share_attrs({"errors": [{"code": 2001}], "game": "730"})
    >>> df[["x"]].attrs["errors"] is df.attrs["errors"]
    True
    """
    for name in SHARED_ATTRS:
        value = attrs.get(name)
        if isinstance(value, list | tuple) and not isinstance(value, SharedList):
            attrs[name] = SharedList(value)
    return attrs


def records_frame(records: Any, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame with exactly ``columns`` (name -> dtype) from a list of records.

    Parameters
    ----------
    records : list of mappings, DataFrame or None
        The records (keys missing from a record are NA, other keys are ignored); a
        DataFrame (as older versions kept in ``attrs``) is reindexed and cast; None
        gives an empty frame.
    columns : mapping
        Column name -> dtype, in column order.

    Returns
    -------
    DataFrame
        One row per record, the given columns and dtypes, a fresh ``RangeIndex``.

    Examples
    --------
    >>> records_frame([{"a": 1}, {"b": "x"}], {"a": "Int64", "b": "string"}).dtypes.tolist()
    [Int64Dtype(), <StringDtype(na_value=<NA>)>]
    """
    if isinstance(records, pd.DataFrame):
        return records.reindex(columns=list(columns)).astype(dict(columns)).reset_index(drop=True)
    rows: list[Mapping[str, Any]] = list(records or [])
    return pd.DataFrame(
        {name: _array([row.get(name) for row in rows], dtype) for name, dtype in columns.items()}
    )


def _array(values: Iterable[Any], dtype: Any) -> Any:
    values = [None if value is None or value is pd.NA else value for value in values]
    if pd.api.types.is_string_dtype(dtype):
        values = [None if value is None else str(value) for value in values]
    return pd.array(values, dtype=dtype)
