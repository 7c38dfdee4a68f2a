"""Many accounts: the arguments, the failure records, and one frame at the end.

``parse_all`` turns the caller's list into ``Job``s (position and trade URL) before
any request; ``_fanout`` fetches them; ``combine`` makes one frame. A failure costs
only its account: with ``errors="collect"`` it becomes a record of ``attrs["errors"]``
(``ERROR_COLUMNS``: steam_id, input, masked trade_url, code, key, status, message,
request_id, attempts, elapsed) and the other accounts' rows are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from .errors import AssetPayError, InvalidRequest
from .frame import empty_frame
from .schema import ERROR_COLUMNS, concat
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
]

ErrorsMode = Literal["collect", "raise"]


def check_batch_args(*, errors: Any, workers: Any, give_up_after: Any) -> None:
    """``errors``, ``workers`` and ``give_up_after`` checked before any request."""
    if errors not in ("collect", "raise"):
        raise InvalidRequest(f"errors must be 'collect' or 'raise', got {brief(errors)}")
    for name, value in (("workers", workers), ("give_up_after", give_up_after)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidRequest(f"{name} must be a whole number of 1 or more, got {brief(value)}")


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
    frames: Mapping[int, pd.DataFrame],
    failures: Sequence[Mapping[str, Any]],
    game: str,
) -> pd.DataFrame:
    """One frame of every fetched account in input order, with the batch's ``attrs``.

    Every ``attrs`` value is JSON-friendly: ``errors`` and ``anomalies`` are lists of
    records (``df.assetpay.errors`` / ``.anomalies`` are their typed views) and
    ``updated_at`` is the latest account's ISO-8601 UTC string (None when none has one).
    """
    ordered = [frames[url.partner] for url in urls if url.partner in frames]
    combined = concat(ordered) if ordered else empty_frame()
    order = {url.steam_id: i for i, url in enumerate(urls)}

    def position(row: Mapping[str, Any]) -> int:
        given = row.get("input")
        return int(given) if given is not None else order.get(str(row.get("steam_id")), -1)

    errors = [{name: row.get(name) for name in ERROR_COLUMNS} for row in failures]
    stamps = [f.attrs.get("updated_at") for f in ordered]
    combined.attrs = {
        "game": game,
        "steam_ids": [f.attrs["steam_id"] for f in ordered],
        "count": sum(f.attrs["count"] for f in ordered),
        "request_ids": [rid for f in ordered for rid in f.attrs["request_ids"]],
        "from_cache": bool(ordered) and all(f.attrs["from_cache"] for f in ordered),
        "fetched_at": min((s for f in ordered if (s := f.attrs.get("fetched_at"))), default=None),
        "stale": any(f.attrs.get("stale", False) for f in ordered),
        "updated_at": max((s for s in stamps if s is not None), key=pd.Timestamp, default=None),
        "errors": sorted(errors, key=position),
        "anomalies": [a for f in ordered for a in f.attrs.get("anomalies", [])],
    }
    return combined
