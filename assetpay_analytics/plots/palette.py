"""Every colour the charts and widgets use, in one place: exteriors, the rest, the ratio map.

The exterior palette is Paul Tol's "muted" scheme (indigo, cyan, green, sand, rose, and
grey for items without an exterior), chosen to stay apart for readers with a red-green
colour-vision deficiency: ``tests/plots/test_plots.py`` simulates deuteranopia and protanopia
(Machado et al. 2009) and checks that every pair stays at least 15 CIELAB units apart.
The palette it replaced (matplotlib's tab10 blue/cyan/green/orange/brown) fell to 4.6
units under protanopia. The scatter also gives each exterior its own marker, so colour
is never the only cue.

Ratios are drawn with a diverging map (``RATIO_CMAP``, Moreland's cool-warm, whose two
halves are even in lightness) centred on the data's own median, with the same span both
ways: the value furthest from the median sets it (at least ``RATIO_MIN_HALFRANGE``), so a
cell 3 points above the median is paler than one 7 points below, and nothing is clipped.
Cells with no items are left blank (``NO_ITEMS_COLOR``) and keyed. A label on a coloured
cell is black or white, whichever contrasts more with the cell (``text_on``).

To restyle every chart, change the values here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from matplotlib.colors import to_rgb
from matplotlib.typing import ColorType

__all__ = [
    "DARK_TEXT",
    "ERROR_COLOR",
    "EXTERIOR_COLORS",
    "EXTERIOR_MARKERS",
    "FOOTER_COLOR",
    "GROUP_COLOR",
    "LIGHT_TEXT",
    "NO_EXTERIOR_COLOR",
    "NO_EXTERIOR_MARKER",
    "NO_ITEMS_COLOR",
    "OUTLIER_COLOR",
    "PAGE_COLORS",
    "RATIO_CMAP",
    "RATIO_MIN_HALFRANGE",
    "REFERENCE_COLOR",
    "WARNING_COLOR",
    "text_on",
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
#: Items without an exterior (stickers, cases, agents, Rust); the edge of blank-cell keys.
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
#: The least span either side of the centre (0.05: 5 percentage points), so a ladder whose
#: cells differ by a fraction of a point is drawn pale, not at full strength.
RATIO_MIN_HALFRANGE = 0.05
#: Heatmap cells with no items.
NO_ITEMS_COLOR = "#ffffff"
#: Labels on coloured cells: dark on light backgrounds, light on dark ones.
DARK_TEXT = "#000000"
LIGHT_TEXT = "#ffffff"
#: The footer under a figure (source and time of the data).
FOOTER_COLOR = "#555555"
#: The widgets' notices (anomalies set aside) and errors.
WARNING_COLOR = "#a50026"
ERROR_COLOR = "#b00020"
#: The review page's own colours (``report.html``'s style sheet), by role.
PAGE_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "text": "#222222",
        "meta": FOOTER_COLOR,
        "rule": "#dddddd",
        "line": "#eeeeee",
        "warning": WARNING_COLOR,
        "warning_background": "#fdf0f0",
    }
)


def text_on(background: ColorType) -> str:
    """``DARK_TEXT`` or ``LIGHT_TEXT``, whichever contrasts more with ``background``.

    By WCAG 2 relative luminance ``L``: white text has the contrast ``1.05 / (L + 0.05)``,
    black text ``(L + 0.05) / 0.05``; white wins below ``L`` ≈ 0.18.

    Examples
    --------
    >>> text_on("#3b4cc0"), text_on("#dddddd")
    ('#ffffff', '#000000')
    """
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(background)
    )
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return LIGHT_TEXT if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else DARK_TEXT
