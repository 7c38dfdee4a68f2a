"""The charts wing: review-ready matplotlib charts of a frame (public as ``apa.plots``).

- ``charts``: the exterior charts (payout by exterior, market against offer, payout
  against market, the payout distribution, the exterior ladder);
- ``bars``: bars by type, by price band, and two dates by exterior;
- ``book``: the price book's deposit against its withdraw price, by exterior and by band;
- ``review``: the review figure (``pricing_review``): the panels that apply, its headline
  and its footer;
- ``axes``: what every chart shares (empty charts, value labels, dollar and percent axes,
  ``literal``: text from the data drawn as sent, never as mathtext);
- ``palette``: every colour and marker (colour-blind safe), the widgets' too;
  ``export``: ``save_figure``, ``to_image``.

May import the ground floor, ``frame`` and ``analysis``: never ``fetch``, ``endpoints``, the
client or ``report``.
"""

from __future__ import annotations

from .bars import payout_by_price_band, payout_by_type, payout_change_by_exterior
from .book import deposit_ratio_by_band, deposit_ratio_by_exterior
from .charts import (
    exterior_ladder_heatmap,
    market_vs_offer,
    payout_by_exterior,
    payout_distribution,
    payout_vs_market,
)
from .export import save_figure, to_image
from .palette import EXTERIOR_COLORS, NO_EXTERIOR_COLOR, OUTLIER_COLOR
from .review import footer, pricing_review

__all__ = [
    "EXTERIOR_COLORS",
    "NO_EXTERIOR_COLOR",
    "OUTLIER_COLOR",
    "deposit_ratio_by_band",
    "deposit_ratio_by_exterior",
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
