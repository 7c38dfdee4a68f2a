"""Many accounts: the arguments, the failure records, and one frame at the end.

``parse_all`` turns the caller's list into ``Job``s (position and trade URL) before
any request; ``_fanout`` fetches them; ``combine`` makes one frame. A failure costs
only its account: with ``errors="collect"`` it becomes a record of ``attrs["errors"]``
(``ERROR_COLUMNS``: steam_id, input, masked trade_url, code, key, status, message,
request_id, attempts, elapsed) and the other accounts' rows are kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ._coerce import to_timestamp
from ._http import Page
from ._params import check_filters, check_flag, check_refresh
from .errors import AssetPayError, InvalidRequest
from .frame import from_accounts
from .schema import ERROR_COLUMNS
from .tradeurl import TradeUrl, brief

__all__ = [
    "ERROR_COLUMNS",
    "ErrorsMode",
    "Job",
    "check_batch_args",
    "combine",
    "error_frame",
    "error_row",
    "parse_all",
    "save_snapshot",
]

ErrorsMode = Literal["collect", "raise"]


def check_batch_args(
    *,
    errors: Any,
    workers: Any,
    give_up_after: Any,
    progress: Any = True,
    refresh: Any = False,
    filters: Mapping[str, Any] | None = None,
    snapshot: Any = None,
) -> None:
    """A batch's arguments checked before any request (``check_filters`` for filters)."""
    if errors not in ("collect", "raise"):
        raise InvalidRequest(f"errors must be 'collect' or 'raise', got {brief(errors)}")
    for name, value in (("workers", workers), ("give_up_after", give_up_after)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidRequest(f"{name} must be a whole number of 1 or more, got {brief(value)}")
    check_flag("progress", progress)
    check_refresh(refresh)
    check_filters(filters or {})
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


def error_row(
    steam_id: str | None,
    err: AssetPayError,
    *,
    input: int | None = None,
    trade_url: str | None = None,
) -> dict[str, Any]:
    """One failure as a record of ``attrs["errors"]`` (``ERROR_COLUMNS``, JSON-friendly).

    ``input`` is the position in the caller's list, ``trade_url`` the masked URL
    (``str(TradeUrl)``); ``attempts`` and ``elapsed`` (seconds) come from the error
    when it carries them.
    """
    attempts = getattr(err, "attempts", None)
    elapsed = getattr(err, "elapsed", None)
    return {
        "steam_id": steam_id,
        "input": None if input is None else int(input),
        "trade_url": trade_url,
        "code": None if err.code is None else int(err.code),
        "key": err.key,
        "status": None if err.status is None else int(err.status),
        "message": err.message,
        "request_id": err.request_id,
        "attempts": None if attempts is None else int(attempts),
        "elapsed": None if elapsed is None else float(elapsed),
    }


def error_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The errors frame: ``ERROR_COLUMNS``, one row per failure (empty when none)."""
    data = {
        name: pd.array([row.get(name) for row in rows], dtype=dtype)
        for name, dtype in ERROR_COLUMNS.items()
    }
    return pd.DataFrame(data)


@dataclass(frozen=True)
class Job:
    """One account to fetch: its position in the caller's list, and its trade URL."""

    input: int
    url: TradeUrl


def parse_all(
    trade_urls: Iterable[str | TradeUrl], *, raise_invalid: bool
) -> tuple[list[Job], list[dict[str, Any]]]:
    """The distinct accounts in input order, and a failure record per invalid trade URL.

    A repeated account is fetched once, under the position of its first appearance.
    """
    if isinstance(trade_urls, (str, TradeUrl)):
        raise InvalidRequest("trade_urls must be a list of trade URLs; use inventory() for one")
    try:
        given = list(trade_urls)
    except TypeError:
        raise InvalidRequest(
            f"trade_urls must be a list (or any iterable) of trade URLs, "
            f"got {type(trade_urls).__name__}"
        ) from None
    jobs: dict[int, Job] = {}
    failures = []
    for position, raw in enumerate(given):
        try:
            url = TradeUrl.parse(raw)
        except InvalidRequest as err:
            if raise_invalid:
                raise
            failures.append(error_row(None, err, input=position))
            continue
        jobs.setdefault(url.partner, Job(position, url))
    return list(jobs.values()), failures


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
    stamps = [to_timestamp(account[0].updated_at) for _, account in fetched if account]
    combined.attrs = {
        "game": game,
        "steam_ids": [steam_id for steam_id, _ in fetched],
        "count": sum(account[0].count or 0 for _, account in fetched if account),
        "request_ids": [page.request_id for page in every if page.request_id],
        "from_cache": bool(every) and all(page.from_cache for page in every),
        "fetched_at": min((p.fetched_at for p in every if p.fetched_at), default=None),
        "stale": any(page.stale for page in every),
        "updated_at": _iso(max((s for s in stamps if s is not None), default=None)),
        "errors": sorted(errors, key=position),
        "anomalies": combined.attrs["anomalies"],
    }
    return combined


def _iso(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else stamp.isoformat().replace("+00:00", "Z")
