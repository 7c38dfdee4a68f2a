"""Many inventories at once: the batch's own arguments, its one frame, its snapshot.

The accounts are fetched by ``fetch.fanout`` (jobs and failure records in
``fetch.jobs``); this module checks what only an inventory batch takes (the filters, a
snapshot store) and makes one frame of every fetched account (``combine``). A failure
costs only its account: with ``errors="collect"`` it is a record of ``attrs["errors"]``
and the other accounts' rows are kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import InvalidRequest
from ..fetch.page import Page
from ..frame import from_accounts
from ..frame.coerce import to_timestamp
from ..frame.records import share_attrs
from ..frame.schema import ERROR_COLUMNS
from ..tradeurl import TradeUrl, brief
from .inventory import PAGING, check_filters

__all__ = ["check_inventory_batch", "combine", "save_snapshot"]


def check_inventory_batch(*, filters: Mapping[str, Any], snapshot: Any) -> None:
    """The filters (as ``check_filters``) and the snapshot store, before any request."""
    check_filters(filters)
    if snapshot is not None and not callable(getattr(snapshot, "save", None)):
        raise InvalidRequest(
            f"snapshot must be a SnapshotStore (or have a save(df) method), got {brief(snapshot)}"
        )


def save_snapshot(df: pd.DataFrame, store: Any) -> pd.DataFrame:
    """Save the batch's frame with ``store.save(df)``; its id goes to ``attrs["snapshot_id"]``.

    A store that cannot be written (disk full, no permission) costs the snapshot, not
    what was fetched: the frame is returned with one warning and no ``snapshot_id``.
    """
    try:
        df.attrs["snapshot_id"] = store.save(df)
    except OSError as exc:
        warnings.warn(
            f"The snapshot was not saved ({exc.strerror or exc}); the fetched frame is "
            "returned unsaved: save it with store.save(df) once the store can be written.",
            RuntimeWarning,
            stacklevel=3,
        )
    return df


def combine(
    urls: Sequence[TradeUrl],
    pages: Mapping[int, Sequence[Page]],
    failures: Sequence[Mapping[str, Any]],
    game: str,
) -> pd.DataFrame:
    """One frame of every fetched account in input order, with the batch's ``attrs``.

    The accounts' pages are built into one frame in one pass (``frame.from_accounts``),
    not a frame per account and a concat. Every ``attrs`` value is JSON-friendly:
    ``errors`` and ``anomalies`` are lists of records (``df.assetpay.errors`` /
    ``.anomalies`` are their typed views) and ``updated_at`` is the latest account's
    ISO-8601 UTC string (None when none has one).
    """
    fetched = [(url.steam_id, pages[url.partner]) for url in urls if url.partner in pages]
    combined = from_accounts(fetched, game=game)
    order = {url.steam_id: i for i, url in enumerate(urls)}

    def position(row: Mapping[str, Any]) -> int:
        given = row.get("input")
        return int(given) if given is not None else order.get(str(row.get("steam_id")), -1)

    errors = [{name: row.get(name) for name in ERROR_COLUMNS} for row in failures]
    every = [page for _, account in fetched for page in account]
    stamps = [to_timestamp(_updated_at(account[0])) for _, account in fetched if account]
    cached = [account for _, account in fetched if account and all(p.from_cache for p in account)]
    combined.attrs = {
        "game": game,
        "steam_ids": [steam_id for steam_id, _ in fetched],
        "count": sum(PAGING.count(account[0]) or 0 for _, account in fetched if account),
        "request_ids": [page.request_id for page in every if page.request_id],
        "from_cache": bool(every) and all(page.from_cache for page in every),
        # accounts served wholly from the cache, and when AssetPay answered the oldest one
        "cached_accounts": len(cached),
        "cached_fetched_at": min(
            (p.fetched_at for account in cached for p in account if p.fetched_at), default=None
        ),
        "fetched_at": min((p.fetched_at for p in every if p.fetched_at), default=None),
        "stale": any(page.stale for page in every),
        "updated_at": _iso(max((s for s in stamps if s is not None), default=None)),
        "errors": sorted(errors, key=position),
        "anomalies": combined.attrs["anomalies"],
    }
    share_attrs(combined.attrs)
    return combined


def _iso(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else stamp.isoformat().replace("+00:00", "Z")


def _updated_at(page: Page) -> str | None:
    """A page's ``updatedAt`` as sent (ISO-8601), None when absent."""
    if page.arrow is not None:
        updated: str | None = page.arrow.updated_at
        return updated
    stamp = page.data.get("updatedAt")
    return stamp if isinstance(stamp, str) else None
