"""The charts wing: review-ready matplotlib charts of a frame (public as ``apa.plots``).

- ``charts``: the public chart functions and the review figure (``pricing_review``);
- ``bars``: bars by type, by price band, and two dates by exterior;
- ``review``: which panels a review shows, its headline and its footer;
- ``axes``: what every chart shares (empty charts, value labels, dollar and percent axes);
- ``palette``: every colour and marker (colour-blind safe); ``export``: ``save_figure``,
  ``to_image``.

May import the ground floor, ``frame`` and ``analysis``: never ``fetch``, ``endpoints``, the
client or ``report``.
"""

from __future__ import annotations

from .charts import (
    EXTERIOR_COLORS,
    NO_EXTERIOR_COLOR,
    OUTLIER_COLOR,
    exterior_ladder_heatmap,
    footer,
    market_vs_offer,
    payout_by_exterior,
    payout_by_price_band,
    payout_by_type,
    payout_change_by_exterior,
    payout_distribution,
    payout_vs_market,
    pricing_review,
    save_figure,
    to_image,
)

__all__ = [
    "EXTERIOR_COLORS",
    "NO_EXTERIOR_COLOR",
    "OUTLIER_COLOR",
    "exterior_ladder_heatmap",
    "footer",
    "market_vs_offer",
    "payout_by_exterior",
    "payout_by_price_band",
    "payout_by_type",
    "payout_change_by_exterior",
    "payout_distribution",
    "payout_vs_market",
    "pricing_review",
    "save_figure",
    "to_image",
]
