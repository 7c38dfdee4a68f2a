"""The sandbox's ``GET /secure/prices`` route: the price book of a game, as of the day served.

``parse`` reads ``game`` ([OA] 0.8.3: an integer > 0, default 730; the sandbox knows 730
and 252490 and answers VALIDATION_FAILED with ``fields`` for anything else); ``answer``
gives the ``data``: the book of ``book`` aged to the sandbox's ``as_of`` (``aging``), an
array with one entry per name the demo inventories can draw, in a fixed order.

Examples
--------
>>> parse({"game": "252490"})
PricesQuery(game='252490')
>>> parse({"game": "0"})
Traceback (most recent call last):
...
assetpay_analytics.sandbox.query.ApiError: VALIDATION_FAILED
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..constants import GAME_CS2, GAMES
from .query import ApiError
from .state import SandboxState

__all__ = ["PricesQuery", "answer", "parse"]

_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class PricesQuery:
    """A validated price-book request: the game's app id."""

    game: str


def parse(params: Mapping[str, str], body: object = None) -> PricesQuery:
    """Validate the query string of ``GET /secure/prices`` (a body is ignored).

    Raises
    ------
    ApiError
        VALIDATION_FAILED naming ``game`` when it is not an integer > 0 the sandbox knows.
    """
    game = params.get("game", GAME_CS2)
    if not _DIGITS.fullmatch(game) or int(game) <= 0:
        raise ApiError("VALIDATION_FAILED", {"game": "must be an integer > 0"})
    if str(int(game)) not in GAMES:
        raise ApiError("VALIDATION_FAILED", {"game": f"must be one of {', '.join(GAMES)}"})
    return PricesQuery(str(int(game)))


def answer(state: SandboxState, query: PricesQuery) -> list[dict[str, Any]]:
    """The ``data`` of a price-book answer: the book of the day served."""
    return state.price_book(query.game)
