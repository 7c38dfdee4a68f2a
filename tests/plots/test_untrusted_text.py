"""Text from the data is drawn literally: no mathtext out of a ``$``, no line break out of a name.

Item names, skins and types come from the API or a user's file. matplotlib reads
``$...$`` as mathtext: ``AK-47 | $\\alpha$ Money`` used to render as "α Money", and a
name containing ``$\\frac$`` crashed the ladder, the review figure and the report. Every
public chart in ``plots.__all__`` is drawn on a frame of such names (a new chart is
covered by being listed there), and the figures are rendered to SVG with text kept as
text, so the test reads what a reader sees.
"""

from __future__ import annotations

import copy
import html
import inspect
import io
import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.text import Text

from assetpay_analytics import plots, report
from assetpay_analytics.frame import from_body, from_price_book

matplotlib.use("Agg")

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "inventory_cs2.json"
STEAM_ID = "76561198000000001"
FT, FN, MW, BS = "Field-Tested", "Factory New", "Minimal Wear", "Battle-Scarred"
#: (name, exterior, type, market, offer) of each item; every name or type is hostile.
ITEMS = [
    ("AK-47 | $\\alpha$ Money", FT, "$x^2$ Rifle", 10.0, 7.0),
    ("AWP | $\\frac$", FN, "Sniper\nRifle", 50.0, 40.0),
    ("M4A1-S | Line\nBreak", MW, "Rifle", 20.0, 15.0),
    ("Glock-18 | $x^2$", BS, "Pistol", 4.0, 2.0),
    ("Sticker | $\\frac$", None, "$\\frac$ sticker", 30.0, 12.0),
    ("$x^2$ Case", None, "Con\ntainer", 1.0, 0.5),
]
#: What the ladder's rows and the type bars must show: the names as sent, a line break
#: drawn as a space (a name stays on its row).
SKINS = ["AK-47 | $\\alpha$ Money", "AWP | $\\frac$", "M4A1-S | Line Break", "Glock-18 | $x^2$"]
TYPES = ["$x^2$ Rifle", "Sniper Rifle", "Rifle", "Pistol", "$\\frac$ sticker", "Con tainer"]
SOURCE = "feed $\\frac$ of $x^2$\nsecond line"
SOURCE_SHOWN = "feed $\\frac$ of $x^2$ second line"
#: Public names that are not charts of a frame.
NOT_CHARTS = {"footer", "save_figure", "to_image"}


def hostile_body() -> bytes:
    """The sample inventory answer with its items renamed to the hostile ones."""
    body = json.loads(SAMPLE.read_text(encoding="utf-8"))
    template = body["data"]["inventory"][0]
    items = []
    for n, (name, exterior, kind, market, offer) in enumerate(ITEMS):
        item = copy.deepcopy(template)
        item.update(id=f"hostile-{n}", name=name, exterior=exterior, type=kind,
                    marketHashName=f"{name} ({exterior})" if exterior else name,
                    marketPrice=market, offer={"price": offer, "accepted": True})  # fmt: skip
        items.append(item)
    body["data"]["inventory"] = items
    body["data"]["count"] = len(items)
    return json.dumps(body).encode()


@pytest.fixture
def hostile():
    return from_body(hostile_body(), steam_id=STEAM_ID)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def book():
    entries = [{"itemId": f"b{n}", "marketHashName": f"{name} ({ext})" if ext else name,
                "accepted": True, "deposit": offer, "withdraw": {"standard": market,
                                                                 "instant": None}}
               for n, (name, ext, _, market, offer) in enumerate(ITEMS)]  # fmt: skip
    return from_price_book(entries)


def draw(name, df):
    """Call the public chart ``name`` on the hostile frame; its figure."""
    chart = getattr(plots, name)
    if name.startswith("deposit_ratio"):
        drawn = chart(book())
    elif name == "payout_change_by_exterior":
        after = df.copy()
        after["offer_price"] = after["offer_price"] * 0.9
        drawn = chart(df, after)
    elif name == "pricing_review":
        drawn = chart(df, source=SOURCE)
    else:  # a new chart of an inventory frame is covered without an entry here
        drawn = chart(df)
    return drawn if isinstance(drawn, Figure) else drawn.get_figure(root=True)


def svg_text(figure: Figure) -> str:
    """The figure as SVG with text kept as text (what a reader sees, escaped for XML)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    return html.unescape(buffer.getvalue())


def mathtext(figure: Figure) -> list[str]:
    """The texts of a figure that matplotlib would parse as mathtext."""
    return [t.get_text() for t in figure.findobj(Text)
            if t.get_parse_math() and cbook.is_math_text(t.get_text())]  # fmt: skip


CHARTS = sorted(
    name for name in plots.__all__
    if inspect.isfunction(getattr(plots, name)) and name not in NOT_CHARTS
)  # fmt: skip
#: The charts that show names or types, and which.
SHOWN = {"exterior_ladder_heatmap": SKINS, "payout_by_type": TYPES, "pricing_review": SKINS}


def test_the_frame_keeps_the_hostile_names(hostile):
    assert hostile["name"].tolist() == [name for name, *_ in ITEMS]
    assert hostile["type"].tolist() == [kind for _, _, kind, *_ in ITEMS]


def test_the_charts_are_found():
    assert {"exterior_ladder_heatmap", "payout_by_type", "pricing_review"} <= set(CHARTS)


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_draws_hostile_text_literally(name, hostile):
    figure = draw(name, hostile)
    figure.canvas.draw()
    assert mathtext(figure) == []
    shown = svg_text(figure)
    for text in SHOWN.get(name, []):
        assert text in shown, f"{name}: {text!r} not drawn as sent"
    assert "α" not in shown  # $\alpha$ was once drawn as the Greek letter


def test_the_review_without_exteriors_shows_the_types_literally(hostile):
    figure = plots.pricing_review(hostile[hostile["exterior"].isna()], source=SOURCE)
    figure.canvas.draw()
    shown = svg_text(figure)
    for text in ["$\\frac$ sticker", "Con tainer"]:
        assert text in shown
    assert mathtext(figure) == []


def test_the_footer_is_one_line_and_drawn_literally(hostile):
    figure = plots.pricing_review(hostile, source=SOURCE)
    assert figure.get_supxlabel() == plots.footer(hostile, SOURCE)
    assert SOURCE_SHOWN in plots.footer(hostile, SOURCE)
    assert SOURCE_SHOWN in svg_text(figure)


def test_a_line_break_in_a_name_stays_on_its_row(hostile):
    ax = plots.exterior_ladder_heatmap(hostile)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 4 and not any("\n" in row for row in rows)


def test_the_report_of_hostile_names_is_written_with_the_names_as_sent(hostile, tmp_path):
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        files = report.write_report(hostile, tmp_path / "report", source=SOURCE,
                                    labels={STEAM_ID: "$\\frac$ alice\nsecond"},
                                    formats=("png", "svg"))  # fmt: skip
    svgs = {path.stem: html.unescape(path.read_text(encoding="utf-8"))
            for path in files.charts if path.suffix == ".svg"}  # fmt: skip
    for name in ("pricing_review", "exterior_ladder_heatmap"):
        for text in SKINS:
            assert text in svgs[name], f"{name}: {text!r}"
    assert all("α" not in svg for svg in svgs.values())
