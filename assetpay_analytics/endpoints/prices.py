"""``GET /secure/prices``: AssetPay's price book for one game: its query, its frame.

- **Arguments.** ``PricesQuery.build`` checks ``game`` and ``refresh`` before any
  request; the only parameter sent is ``game``.
- **The endpoint.** ``PRICES`` declares it for ``fetch``: the prices rate family (1,000
  an hour verified, 100 not, shared by every process using the key), answers fresh for
  an hour (AssetPay's own window), the documented shape of ``data``
  (``frame.book.book_problem``: a list of CS2 or Rust entries) and the Arrow reading of
  a body (``frame.book.read_book``, no Python object per entry). One request, no paging.
- **The frame.** ``prices_frame``: one row per entry, then per Doppler phase
  (``frame.book.book_frame``), with ``attrs`` game, fetched_at, request_id, from_cache,
  stale and anomalies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..constants import HOUR_WINDOW_SECONDS, PRICES_PATH
from ..errors import MalformedResponse
from ..fetch.budget import RateFamily
from ..fetch.page import Page
from ..fetch.settings import check_game, check_refresh
from ..frame.book import BookReading, book_entries, book_frame, book_problem, read_book
from ..frame.records import share_attrs
from .base import FramedEndpoint

__all__ = ["PRICES", "PricesQuery", "prices_frame"]


@dataclass(frozen=True)
class PricesQuery:
    """One validated price book request: the game, and ``refresh``."""

    game: str
    refresh: bool = False
    params: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    context: str = field(init=False, repr=False, compare=False)
    #: A GET: no body.
    body: None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType({"game": self.game}))
        object.__setattr__(self, "context", f"price book (game {self.game})")

    @classmethod
    def build(cls, game: Any, *, refresh: Any = False) -> PricesQuery:
        """Check ``game`` and ``refresh`` before any request."""
        check_refresh(refresh)
        return cls(game=check_game(game), refresh=refresh)


def _reading(page: Page) -> BookReading:
    if isinstance(page.arrow, BookReading):
        return page.arrow
    return book_entries(page.data)  # decoded, and checked by book_problem


def prices_frame(pages: Sequence[Page], query: PricesQuery) -> pd.DataFrame:
    """The book's frame from its one page, with the answer's ``attrs``."""
    (page,) = pages
    try:
        df = book_frame(_reading(page), game=query.game)
    except ValueError as err:  # the other game's shape: the answer is not this book
        raise MalformedResponse(
            f"{query.context}: {err}. Report it to AssetPay support with the request id.",
            request_id=page.request_id,
        ) from None
    df.attrs = {
        "game": query.game,
        "fetched_at": page.fetched_at,
        "request_id": page.request_id,
        "from_cache": page.from_cache,
        "stale": page.stale,
        "anomalies": df.attrs["anomalies"],
    }
    share_attrs(df.attrs)
    return df


#: ``GET /secure/prices``, declared for ``fetch``.
PRICES = FramedEndpoint(
    name="prices",
    path=PRICES_PATH,
    family=RateFamily.named("prices"),
    expire_after=timedelta(seconds=HOUR_WINDOW_SECONDS),
    data_problem=book_problem,
    read_body=read_book,
    frame=prices_frame,
)
