"""Many accounts: fan-out over threads, progress, failures collected, one frame.

The client hands ``fetch_many`` a function that fetches one account's frame; this
module never calls back into the client. A failure costs only its account: with
``errors="collect"`` it becomes a row of ``attrs["errors"]`` (steam_id, code, key,
message, request_id) and the other accounts' rows are kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any, Literal

import pandas as pd

from .errors import AssetPayError, InvalidRequest
from .frame import empty_frame
from .tradeurl import TradeUrl

__all__ = [
    "ERROR_COLUMNS",
    "ErrorsMode",
    "check_batch_args",
    "combine",
    "error_frame",
    "error_row",
    "fetch_many",
    "parse_all",
]

ErrorsMode = Literal["collect", "raise"]
#: Columns of ``attrs["errors"]`` and their dtypes.
ERROR_COLUMNS: Mapping[str, Any] = {
    "steam_id": "string",
    "code": "Int64",
    "key": "string",
    "message": "string",
    "request_id": "string",
}
Fetch = Callable[[TradeUrl], pd.DataFrame]


def check_batch_args(*, errors: Any, workers: Any) -> None:
    """``errors`` and ``workers`` checked before any request."""
    if errors not in ("collect", "raise"):
        raise InvalidRequest(f"errors must be 'collect' or 'raise', got {errors!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidRequest(f"workers must be a whole number of 1 or more, got {workers!r}")


def error_row(steam_id: str | None, err: AssetPayError) -> dict[str, Any]:
    """One failure as a row of the errors frame."""
    return {
        "steam_id": steam_id,
        "code": err.code,
        "key": err.key,
        "message": err.message,
        "request_id": err.request_id,
    }


def error_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The errors frame: ``ERROR_COLUMNS``, one row per failure (empty when none)."""
    data = {
        name: pd.array([row.get(name) for row in rows], dtype=dtype)
        for name, dtype in ERROR_COLUMNS.items()
    }
    return pd.DataFrame(data)


def parse_all(
    trade_urls: Iterable[str | TradeUrl], *, raise_invalid: bool
) -> tuple[list[TradeUrl], list[dict[str, Any]]]:
    """The distinct accounts in input order, and a failure row per invalid trade URL."""
    if isinstance(trade_urls, (str, TradeUrl)):
        raise InvalidRequest("trade_urls must be a list of trade URLs; use inventory() for one")
    urls: dict[int, TradeUrl] = {}
    failures = []
    for raw in trade_urls:
        try:
            url = TradeUrl.parse(raw)
        except InvalidRequest as err:
            if raise_invalid:
                raise
            failures.append(error_row(None, err))
            continue
        urls.setdefault(url.partner, url)
    return list(urls.values()), failures


def _quiet(progress: bool) -> bool:
    # TQDM_DISABLE=1 turns every bar off (tqdm.notebook ignores it, so it is read here)
    return not progress or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true")


def fetch_many(
    urls: Sequence[TradeUrl],
    fetch: Fetch,
    *,
    workers: int,
    progress: bool,
    errors: ErrorsMode,
) -> tuple[dict[int, pd.DataFrame], list[dict[str, Any]]]:
    """Fetch every account on a thread pool; frames by partner id, and failure rows.

    With ``errors="raise"`` the first failure cancels the accounts not yet started
    and is raised; with ``"collect"`` an ``AssetPayError`` becomes a failure row.
    """
    from tqdm.auto import tqdm

    frames: dict[int, pd.DataFrame] = {}
    failures: list[dict[str, Any]] = []
    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        tqdm(total=len(urls), desc="inventories", unit="account", disable=_quiet(progress)) as bar,
    ):
        futures: dict[Future[pd.DataFrame], TradeUrl] = {
            pool.submit(fetch, url): url for url in urls
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                url = futures[future]
                bar.update(1)
                err = future.exception()
                if err is None:
                    frames[url.partner] = future.result()
                elif isinstance(err, AssetPayError) and errors == "collect":
                    failures.append(error_row(url.steam_id, err))
                else:
                    for other in pending:
                        other.cancel()
                    raise err
    return frames, failures


def combine(
    urls: Sequence[TradeUrl],
    frames: Mapping[int, pd.DataFrame],
    failures: Sequence[Mapping[str, Any]],
    game: str,
) -> pd.DataFrame:
    """One frame of every fetched account in input order, with the batch's ``attrs``."""
    ordered = [frames[url.partner] for url in urls if url.partner in frames]
    combined = pd.concat(ordered, ignore_index=True) if ordered else empty_frame()
    order = {url.steam_id: i for i, url in enumerate(urls)}
    errors = error_frame(sorted(failures, key=lambda row: order.get(row["steam_id"], -1)))
    combined.attrs = {
        "game": game,
        "steam_ids": [f.attrs["steam_id"] for f in ordered],
        "count": sum(f.attrs["count"] for f in ordered),
        "request_ids": [rid for f in ordered for rid in f.attrs["request_ids"]],
        "from_cache": bool(ordered) and all(f.attrs["from_cache"] for f in ordered),
        "updated_at": max(
            (f.attrs["updated_at"] for f in ordered if f.attrs["updated_at"] is not None),
            default=None,
        ),
        "errors": errors,
    }
    return combined
