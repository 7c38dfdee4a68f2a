"""A batch's inputs and failures: jobs from trade URLs, failure records, the batch's arguments.

``parse_all`` turns the caller's list into ``Job``s (position and trade URL) before any
request, a failure record per invalid trade URL; ``fanout`` fetches the jobs; a failure
costs only its job and becomes a record of ``attrs["errors"]`` (``error_row``:
``frame.schema.ERROR_COLUMNS``: steam_id, input, masked trade_url, code, key, status,
message, request_id, attempts, elapsed). Any endpoint that takes many trade URLs batches
this way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import AssetPayError, InvalidRequest
from ..tradeurl import TradeUrl, brief
from .settings import check_flag, check_refresh

__all__ = [
    "ErrorsMode",
    "Job",
    "check_batch_args",
    "distinct_jobs",
    "error_row",
    "parse_all",
    "parse_each",
]

ErrorsMode = Literal["collect", "raise"]


def check_batch_args(
    *, errors: Any, workers: Any, give_up_after: Any, progress: Any = True, refresh: Any = False
) -> None:
    """A batch's arguments checked before any request."""
    if errors not in ("collect", "raise"):
        raise InvalidRequest(f"errors must be 'collect' or 'raise', got {brief(errors)}")
    for name, value in (("workers", workers), ("give_up_after", give_up_after)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidRequest(f"{name} must be a whole number of 1 or more, got {brief(value)}")
    check_flag("progress", progress)
    check_refresh(refresh)


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


@dataclass(frozen=True)
class Job:
    """One account to fetch: its position in the caller's list, and its trade URL."""

    input: int
    url: TradeUrl


def parse_each(
    trade_urls: Iterable[str | TradeUrl], *, raise_invalid: bool
) -> tuple[list[TradeUrl | None], list[dict[str, Any]]]:
    """Every input parsed, in order (None for an invalid one), and a record per invalid one."""
    if isinstance(trade_urls, (str, TradeUrl)):
        raise InvalidRequest("trade_urls must be a list of trade URLs, not one: pass [trade_url]")
    try:
        given = list(trade_urls)
    except TypeError:
        raise InvalidRequest(
            f"trade_urls must be a list (or any iterable) of trade URLs, "
            f"got {type(trade_urls).__name__}"
        ) from None
    parsed: list[TradeUrl | None] = []
    failures = []
    for position, raw in enumerate(given):
        try:
            parsed.append(TradeUrl.parse(raw))
        except InvalidRequest as err:
            if raise_invalid:
                raise
            parsed.append(None)
            failures.append(error_row(None, err, input=position))
    return parsed, failures


def distinct_jobs(parsed: Iterable[TradeUrl | None]) -> list[Job]:
    """The distinct accounts of parsed inputs, in order, each at its first position."""
    jobs: dict[int, Job] = {}
    for position, url in enumerate(parsed):
        if url is not None:
            jobs.setdefault(url.partner, Job(position, url))
    return list(jobs.values())


def parse_all(
    trade_urls: Iterable[str | TradeUrl], *, raise_invalid: bool
) -> tuple[list[Job], list[dict[str, Any]]]:
    """The distinct accounts in input order, and a failure record per invalid trade URL.

    A repeated account is fetched once, under the position of its first appearance.
    """
    parsed, failures = parse_each(trade_urls, raise_invalid=raise_invalid)
    return distinct_jobs(parsed), failures
