"""Every colour the charts use, in one place: exteriors, the rest, and the ratio colour map.

The exterior palette is Paul Tol's "muted" scheme (indigo, cyan, green, sand, rose, and
grey for items without an exterior), chosen to stay apart for readers with a red-green
colour-vision deficiency: ``tests/plots/test_plots.py`` simulates deuteranopia and protanopia
(Machado et al. 2009) and checks that every pair stays at least 15 CIELAB units apart.
The palette it replaced (matplotlib's tab10 blue/cyan/green/orange/brown) fell to 4.6
units under protanopia. The scatter also gives each exterior its own marker, so colour
is never the only cue.

Ratios are drawn with a diverging map (``RATIO_CMAP``, Moreland's cool-warm, whose two
halves are even in lightness) centred on the data's own median, with limits from the
data: nothing is clipped, and the colour bar says where the centre is.

To restyle every chart, change the values here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "EXTERIOR_COLORS",
    "EXTERIOR_MARKERS",
    "GROUP_COLOR",
    "NO_EXTERIOR_COLOR",
    "NO_EXTERIOR_MARKER",
    "OUTLIER_COLOR",
    "RATIO_CMAP",
    "REFERENCE_COLOR",
]

#: One colour per exterior, clean to worn.
EXTERIOR_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "Factory New": "#332288",
        "Minimal Wear": "#88ccee",
        "Field-Tested": "#117733",
        "Well-Worn": "#ddcc77",
        "Battle-Scarred": "#cc6677",
    }
)
#: Items without an exterior (stickers, cases, agents, Rust).
NO_EXTERIOR_COLOR = "#bbbbbb"
#: One marker per exterior in scatters (a second cue beside the colour).
EXTERIOR_MARKERS: Mapping[str, str] = MappingProxyType(
    {
        "Factory New": "o",
        "Minimal Wear": "s",
        "Field-Tested": "^",
        "Well-Worn": "D",
        "Battle-Scarred": "v",
    }
)
NO_EXTERIOR_MARKER = "X"
#: Bars of groups that are not exteriors (item types, price bands).
GROUP_COLOR = "#44aa99"
#: Rings around outliers; reference lines (parity, 100%).
OUTLIER_COLOR = "#000000"
REFERENCE_COLOR = "#000000"
#: Diverging, even in lightness on both sides; centred on the data's median.
RATIO_CMAP = "coolwarm_r"
