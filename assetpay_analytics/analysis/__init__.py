"""The analysis wing: how AssetPay's offer compares with the market (public as ``apa.analysis``).

Pure functions of a frame; none talks to the network, so they work on any frame (from the
API, the sandbox, a Parquet snapshot or a hand-made test frame).

- ``tables``: the public pricing functions (``summary``, ``by_exterior``, ``by_group``,
  ``by_account``, ``exterior_ladder``, ``wear_bands``, ``outliers``, ``sticker_effect``...)
  and the definitions every figure follows (its docstring);
- ``definitions``: what a priced row is, the ratios, the value-weighted group aggregate;
- ``catalogue``: offers against AssetPay's price book (``offer_vs_catalogue``) and its
  deposit/withdraw spread (``catalogue_spread``);
- ``drift``: change between two frames (``compare``) and over a history (``payout_trend``);
- ``book_drift``: change between two price books (``compare_prices``) and AssetPay's deposit
  ratio over a history of books (``deposit_trend``);
- ``formats``: dollars, percentages and counts for people (``formatted``).

May import the ground floor and ``frame`` only: never ``fetch``, ``endpoints``, the client,
``plots`` or ``report``. The public names load ``tables`` (and pandas) on first use, so
``formats`` stays light for the command line's ``--help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tables import (
        GROUP_COLUMNS,
        BookComparison,
        Comparison,
        by_account,
        by_exterior,
        by_group,
        catalogue_spread,
        compare,
        compare_prices,
        deposit_trend,
        exterior_ladder,
        formatted,
        offer_vs_catalogue,
        outliers,
        payout_trend,
        price_gap,
        priced,
        sticker_effect,
        summary,
        wear_bands,
    )

__all__ = [
    "GROUP_COLUMNS",
    "BookComparison",
    "Comparison",
    "by_account",
    "by_exterior",
    "by_group",
    "catalogue_spread",
    "compare",
    "compare_prices",
    "deposit_trend",
    "exterior_ladder",
    "formatted",
    "offer_vs_catalogue",
    "outliers",
    "payout_trend",
    "price_gap",
    "priced",
    "sticker_effect",
    "summary",
    "wear_bands",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
