"""Item columns -> the inventory frame: account columns, anomalies set aside, attrs.

Both builders (``arrow`` and ``rows``) hand their item columns here. A frame holds
one or more accounts' rows in runs (``Run``: steam_id, rows, updatedAt), so a batch
becomes one frame in one pass instead of a frame per account and a concat.
``from_arrow_pages`` is the whole fast path for the pages of one or many accounts;
``items_frame`` and ``pages_frame`` try Arrow on parsed items, or go straight to the
Python rows when Arrow already refused them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from . import rows as _rows
from .anomalies import set_aside
from .arrow import ArrowPage, categorical_from_codes, constant_categorical, item_columns, read_page
from .bodies import gc_paused
from .coerce import to_float, to_int, to_timestamp
from .records import share_attrs
from .schema import SCHEMA

__all__ = ["Run", "assemble", "frame_attrs", "from_arrow_pages", "items_frame", "pages_frame"]


#: Items from which a build hands Arrow's freed memory back to the system.
_LARGE = 100_000


class Run(NamedTuple):
    """One account's rows in a frame: who, how many, and its ``updatedAt``."""

    steam_id: str | None
    rows: int
    updated_at: pd.Timestamp | None


def _steam_ids(runs: Sequence[Run], n: int) -> Any:
    if len(runs) <= 1:
        return constant_categorical(runs[0].steam_id if runs else None, n)
    # categories are the accounts with rows (as when frames are concatenated)
    distinct = sorted({run.steam_id for run in runs if run.steam_id is not None and run.rows})
    position: dict[str | None, int] = {steam_id: i for i, steam_id in enumerate(distinct)}
    per_run = [position.get(run.steam_id, -1) if run.rows else -1 for run in runs]
    codes = np.repeat(np.array(per_run, dtype=np.int64), [run.rows for run in runs])
    return categorical_from_codes(codes, distinct)


def _updated_at(runs: Sequence[Run], n: int) -> Any:
    stamps = [pd.NaT if run.updated_at is None else run.updated_at for run in runs]
    if not runs or all(stamp is pd.NaT for stamp in stamps):
        return pd.array([None] * n, dtype=SCHEMA["updated_at"])
    index = pd.DatetimeIndex(stamps).tz_convert("UTC").as_unit("ns")
    return index.repeat([run.rows for run in runs]).array


def _games(
    appids: Sequence[str | None] | None, game: str, n: int
) -> tuple[Any, list[str | None] | None]:
    """The ``game`` column (an item's ``appid`` when it has one, else the game asked for)
    and, per row, the appid that is not the game asked for (None: none differs)."""
    if appids is None or all(appid is None or appid == game for appid in set(appids)):
        return constant_categorical(game, n), None
    per_row = [game if appid is None else appid for appid in appids]
    distinct = sorted(set(per_row))
    index = {value: i for i, value in enumerate(distinct)}
    codes = np.fromiter((index[value] for value in per_row), dtype=np.int64, count=n)
    odd = [None if appid is None or appid == game else appid for appid in appids]
    return categorical_from_codes(codes, distinct), odd


def assemble(
    columns: dict[str, Any], runs: Sequence[Run], game: str, *, drop_missing_ids: bool
) -> pd.DataFrame:
    """The frame from its item columns (``_rows.ITEM_COLUMNS``) and its accounts' runs.

    Out-of-range values become NA (and id-less rows are dropped with
    ``drop_missing_ids``), each recorded in ``attrs["anomalies"]``.
    """
    odd_exterior, appids = columns.pop("_odd_exterior"), columns.pop("_appid", None)
    n = len(columns["item_id"])
    games, odd_game = _games(appids, str(game), n)
    data = {
        "steam_id": _steam_ids(runs, n),
        "game": games,
        **columns,
        "updated_at": _updated_at(runs, n),
    }
    with gc_paused():  # the records are many small dicts
        frame, anomalies = set_aside(
            pd.DataFrame({name: data[name] for name in SCHEMA}, copy=False),
            odd_exterior,
            drop_missing_ids=drop_missing_ids,
            odd_game=odd_game,
        )
    frame.attrs = {"anomalies": anomalies}
    return frame


def frame_attrs(
    frame: pd.DataFrame,
    count: int | None,
    updated_at: Any,
    collateral: float | None,
    *,
    game: str,
    steam_id: str | None,
    request_ids: Sequence[str],
    from_cache: bool,
    fetched_at: str | None,
    stale: bool,
) -> dict[Hashable | None, Any]:
    """One account's ``attrs`` (JSON-friendly), the frame's anomalies kept."""
    stamp = to_timestamp(updated_at)
    attrs: dict[Hashable | None, Any] = {
        "count": count,
        # ISO-8601 UTC with a "Z" ("2026-06-01T09:30:00Z"): attrs stay JSON-friendly
        "updated_at": None if stamp is None else stamp.isoformat().replace("+00:00", "Z"),
        "collateral": collateral,
        "game": str(game),
        "steam_id": steam_id,
        "request_ids": list(request_ids),
        "from_cache": bool(from_cache),
        "fetched_at": fetched_at,
        "stale": bool(stale),
        "anomalies": frame.attrs["anomalies"],
    }
    share_attrs(attrs)
    return attrs


def from_arrow_pages(
    accounts: Sequence[tuple[str | None, Sequence[ArrowPage]]], game: str
) -> pd.DataFrame | None:
    """One frame of every account's Arrow pages (``attrs``: anomalies), or None.

    None when a value cannot be typed as the Python path would; the caller then
    builds from the decoded pages.
    """
    pages = [page for _, account_pages in accounts for page in account_pages]
    if not pages:
        return None
    items = pages[0].items if len(pages) == 1 else pa.concat_arrays([p.items for p in pages])
    columns = item_columns(items)
    if columns is None:
        return None
    runs = [
        Run(
            steam_id,
            sum(len(page.items) for page in account_pages),
            to_timestamp(account_pages[0].updated_at) if account_pages else None,
        )
        for steam_id, account_pages in accounts
    ]
    frame = assemble(columns, runs, game, drop_missing_ids=True)
    if len(items) >= _LARGE:
        # Arrow's allocator keeps the parser's freed scratch memory for reuse; after a
        # large build it goes back to the system (measured: 1M items in 1,000 bodies
        # kept ~820 MiB of RSS without this, for a 241 MiB frame)
        pa.default_memory_pool().release_unused()
    return frame


def items_frame(
    items: Sequence[Mapping[str, Any]],
    game: str,
    steam_id: str | None,
    updated_at: Any,
    drop_missing_ids: bool,
    *,
    arrow: bool,
) -> pd.DataFrame:
    """``frame.from_items``; ``arrow=False`` when Arrow already refused these items."""
    columns = _item_columns(items) if arrow else _rows.item_columns(items)
    run = Run(steam_id, len(columns["item_id"]), to_timestamp(updated_at))
    return assemble(columns, [run], game, drop_missing_ids=drop_missing_ids)


def _item_columns(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Typed item columns: through Arrow when it types the items as documented."""
    try:
        # orjson writes the parsed items back in C (~10x faster than the row pass)
        # so Arrow's JSON reader types them against the explicit item schema
        body = orjson.dumps({"success": True, "data": {"inventory": items}})
    except TypeError:  # not JSON values (a hand-made Mapping, a Decimal): the Python path
        return _rows.item_columns(items)
    page = read_page(body)
    columns = item_columns(page.items) if page is not None else None
    return columns if columns is not None else _rows.item_columns(items)


def pages_frame(
    pages: Sequence[Mapping[str, Any]],
    game: str,
    steam_id: str | None,
    *,
    arrow: bool,
    request_ids: Sequence[str],
    from_cache: bool,
    fetched_at: str | None,
    stale: bool,
) -> pd.DataFrame:
    """``frame.from_pages``; ``arrow=False`` when Arrow already refused these pages' bodies."""
    first = pages[0] if pages else {}
    items = [item for page in pages for item in (page.get("inventory") or [])]
    updated_at = first.get("updatedAt")
    frame = items_frame(items, game, steam_id, updated_at, True, arrow=arrow)
    count = to_int(first.get("count")) if first.get("count") is not None else len(items)
    frame.attrs = frame_attrs(
        frame, count, updated_at, to_float(first.get("collateral")), game=game,
        steam_id=steam_id, request_ids=request_ids, from_cache=from_cache,
        fetched_at=fetched_at, stale=stale,
    )  # fmt: skip
    return frame
