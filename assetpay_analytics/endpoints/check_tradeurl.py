"""``POST /secure/check-tradeurl``: can an account be read? Its query, its batch, its frame.

- **Arguments.** ``ScreenQuery`` is one validated check: the trade URL, parsed before
  any request (a malformed one is never sent), and ``force_refresh``. Its JSON body is
  exactly ``{"tradeurl": ..., "forceRefresh": ...}`` (lowercase ``tradeurl``, no other
  key: the OpenAPI document forbids additional properties), the trade URL held as a
  ``Sensitive`` so no repr shows its token.
- **The endpoint.** ``CHECK_TRADEURL`` declares it for ``fetch``: a POST, the
  check-tradeurl rate family (100,000 an hour verified, 100 not), answers fresh for an
  hour (AssetPay's own window), keyed in the cache by the partner and a fingerprint of
  the token (``fetch.keys``; ``forceRefresh`` bypasses the cache and is not keyed), the
  documented shape of ``data`` (``frame.screening.screen_problem``).
- **The batch.** ``screen_batch`` makes the screening frame of a batch: one row per
  input, in input order, failures in ``attrs["errors"]``; ``split_screened`` leaves out
  of an inventory batch the accounts whose state says they cannot be read
  (``constants.UNREADABLE_STATES``), each a failure record with ``attempts`` 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..constants import (
    CHECK_TRADEURL_PATH,
    HOUR_WINDOW_SECONDS,
    SCREENING_STATES,
    UNREADABLE_STATES,
)
from ..errors import AssetPayError
from ..fetch.budget import RateFamily
from ..fetch.jobs import Job, error_row
from ..fetch.page import Page
from ..fetch.settings import check_flag
from ..frame.records import share_attrs
from ..frame.schema import ERROR_COLUMNS
from ..frame.screening import screen_frame, screen_problem
from ..redact import Sensitive
from ..tradeurl import TradeUrl
from .base import FramedEndpoint

__all__ = [
    "CHECK_TRADEURL",
    "ScreenQuery",
    "screen_batch",
    "split_screened",
]


@dataclass(frozen=True)
class ScreenQuery:
    """One validated check of a trade URL: the account and ``force_refresh``."""

    url: TradeUrl
    refresh: bool = False
    params: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    body: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    context: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = {"tradeurl": Sensitive(self.url.url), "forceRefresh": self.refresh}
        object.__setattr__(self, "params", MappingProxyType({}))
        object.__setattr__(self, "body", MappingProxyType(body))
        object.__setattr__(self, "context", f"steam_id {self.url.steam_id}")

    @classmethod
    def build(cls, trade_url: str | TradeUrl, *, force_refresh: Any = False) -> ScreenQuery:
        """Parse the trade URL and check ``force_refresh`` before any request."""
        refresh = check_flag("force_refresh", force_refresh)
        return cls(url=TradeUrl.parse(trade_url), refresh=refresh)


def _one(pages: Sequence[Page], query: ScreenQuery) -> pd.DataFrame:
    df = screen_frame([(query.url.steam_id, pages[0].data)])
    df.attrs.update(_attrs(list(pages), []))
    share_attrs(df.attrs)
    return df


#: ``POST /secure/check-tradeurl``, declared for ``fetch``.
CHECK_TRADEURL = FramedEndpoint(
    name="check-tradeurl",
    path=CHECK_TRADEURL_PATH,
    family=RateFamily.named("check-tradeurl"),
    method="POST",
    expire_after=timedelta(seconds=HOUR_WINDOW_SECONDS),
    data_problem=screen_problem,
    frame=_one,
)


def _attrs(pages: Sequence[Page], errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "request_ids": [page.request_id for page in pages if page.request_id],
        "from_cache": bool(pages) and all(page.from_cache for page in pages),
        "fetched_at": min((p.fetched_at for p in pages if p.fetched_at), default=None),
        "stale": any(page.stale for page in pages),
        "errors": errors,
    }


def _position(row: Mapping[str, Any]) -> int:
    given = row.get("input")
    return -1 if given is None else int(given)


def screen_batch(
    parsed: Sequence[TradeUrl | None],
    answers: Mapping[int, Sequence[Page]],
    failures: Sequence[Mapping[str, Any]],
) -> pd.DataFrame:
    """The screening frame of a batch: one row per input (``parsed``, None when invalid).

    ``answers`` holds each checked account's page by partner id (a repeated account was
    checked once; each of its inputs gets the answer); ``failures`` are the records of
    the inputs that were invalid or failed, sorted by input into ``attrs["errors"]``.
    """
    rows = []
    for url in parsed:
        pages = answers.get(url.partner) if url is not None else None
        rows.append((None if url is None else url.steam_id, pages[0].data if pages else None))
    df = screen_frame(rows)
    errors = [{name: row.get(name) for name in ERROR_COLUMNS} for row in failures]
    errors.sort(key=_position)
    df.attrs.update(_attrs([pages[0] for pages in answers.values() if pages], errors))
    share_attrs(df.attrs)
    return df


def _screened_out(job: Job, state: str) -> dict[str, Any]:
    """The failure record of an account a screened batch did not request (attempts 0)."""
    url = job.url
    err = AssetPayError(
        f"steam_id {url.steam_id}: not requested: screening says {state}, so its inventory "
        "cannot be read (see check_trade_urls, or pass screen=False)",
        key=state,
    )
    row = error_row(url.steam_id, err, input=job.input, trade_url=str(url))
    row["attempts"] = 0
    return row


def split_screened(
    jobs: Sequence[Job], answers: Mapping[int, Sequence[Page]]
) -> tuple[list[Job], list[dict[str, Any]]]:
    """The jobs to request, and a record per job whose state says it cannot be read.

    An account that could not be screened (the check failed) is requested anyway:
    screening only saves requests, it never costs an account.
    """
    keep, skipped = [], []
    for job in jobs:
        pages = answers.get(job.url.partner)
        state = SCREENING_STATES.get(pages[0].data.get("state")) if pages else None
        if state in UNREADABLE_STATES:
            skipped.append(_screened_out(job, str(state)))
        else:
            keep.append(job)
    return keep, skipped
