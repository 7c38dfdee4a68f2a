"""The widget logic without a notebook: set control values, check what the app computes.

Outside a kernel, setting ``.value`` fires the observers (so the app refreshes), but
an Output widget captures nothing: the chart is checked through ``build_figure``.
Expected subsets are computed with plain pandas in each test.
"""

from __future__ import annotations

import ast
import json
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.frame import from_items
from assetpay_analytics.widgets import Explorer, explorer, inventory_loader

matplotlib.use("Agg")
FN, MW, FT, BS = "Factory New", "Minimal Wear", "Field-Tested", "Battle-Scarred"


def row(name, exterior, market, offer, *, stattrak=False, accepted=True, tradable=True,
        rarity="Classified"):  # fmt: skip
    mark = "StatTrak™ " if stattrak else ""
    return {"name": name, "marketHashName": f"{mark}{name} ({exterior})", "exterior": exterior,
            "marketPrice": market, "offer": {"price": offer, "accepted": accepted},
            "tradable": tradable, "rarity": rarity}  # fmt: skip


@pytest.fixture
def df():
    return from_items(
        [
            row("AK-47 | Redline", FT, 40.0, 30.0),
            row("AK-47 | Redline", FN, 100.0, 80.0, stattrak=True),
            row("AK-47 | Slate", BS, 3.0, 2.0, tradable=False, rarity="Restricted"),
            row("AWP | Asiimov", FT, 120.0, 90.0, accepted=False, rarity="Covert"),
            row("AWP | Asiimov", BS, 85.0, 60.0, rarity="Covert"),
            row("M4A1-S | Nitro", MW, 3.5, 2.5, rarity="Restricted"),
        ],
        steam_id="1",
    )


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_starts_with_everything(df):
    app = explorer(df)
    assert len(app.filtered) == len(df)
    assert app.weapon.options == ("All", "AK-47", "AWP", "M4A1-S")
    assert app.max_offer.value == 90.0
    assert repr(app) == "Explorer(6 of 6 items)"


def test_exterior_multiselect(df):
    app = explorer(df)
    app.exteriors.value = (FT, BS)
    expected = df[df["exterior"].isin([FT, BS])]
    assert sorted(app.filtered["item_id"].fillna("").index) == sorted(expected.index)


def test_weapon_rarity_search_and_stattrak(df):
    app = explorer(df)
    app.weapon.value = "AK-47"
    assert set(app.filtered.index) == set(df.index[df["weapon"] == "AK-47"])
    app.stattrak.value = "StatTrak™ only"
    assert app.filtered.index.tolist() == [1]
    app.stattrak.value = "All"
    app.weapon.value = "All"
    app.rarity.value = "Covert"
    assert set(app.filtered.index) == {3, 4}
    app.rarity.value = "All"
    app.search.value = "redline"
    assert set(app.filtered.index) == {0, 1}


def test_price_range_tradable_and_accepted(df):
    app = explorer(df)
    app.min_offer.value = 10
    app.max_offer.value = 85
    offer = df["offer_price"].astype(float)
    assert set(app.filtered.index) == set(df.index[(offer >= 10) & (offer <= 85)])
    app.min_offer.value, app.max_offer.value = 0, 90
    app.tradable_only.value = True
    assert 2 not in app.filtered.index and len(app.filtered) == 5
    app.accepted_only.value = True
    assert set(app.filtered.index) == {0, 1, 4, 5}


def test_sort_choices(df):
    app = explorer(df)
    app.sort.value = "payout ratio ↑"
    ratios = (df["offer_price"] / df["market_price"]).astype(float)
    ratios[3] = float("nan")  # refused offer: not priced, sorted last
    expected = ratios.sort_values(na_position="last", kind="stable").index.tolist()
    assert app.filtered.index.tolist() == expected
    app.sort.value = "market price ↓"
    assert app.filtered["market_price"].tolist() == sorted(df["market_price"], reverse=True)


def test_summary_line_follows_the_filters(df):
    app = explorer(df)
    app.weapon.value = "AWP"
    # AWP rows: market 120 + 85; priced: only the BS one (the FT offer is refused)
    expected = (
        "2 items · market value $205.00 (priced $85.00) · offer value $60.00 · payout ratio 70.6%"
    )
    assert app.summary_text(app.filtered) == expected
    assert expected in app.summary.value


def test_table_is_formatted(df):
    app = explorer(df, rows=2)
    app.sort.value = "market price ↓"
    table = app.table.value
    assert "<table" in table and "$120.00" in table and "$100.00" in table
    assert "$40.00" not in table and "… and 4 more rows" in table
    assert "75.0%" not in table  # the refused AWP offer shows no payout
    assert "80.0%" in table


def test_chart_of_the_filtered_rows(df):
    app = explorer(df)
    before = app.chart.value
    app.exteriors.value = (FT,)
    assert app.chart.value[:8] == b"\x89PNG\r\n\x1a\n" and app.chart.value != before
    assert plt.get_fignums() == []  # drawn figures are closed
    figure = app.build_figure(app.filtered)
    ax = figure.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[2] == pytest.approx(30 / 40)  # FT priced rows: only the AK
    # each bar: its value (a dash where nothing is priced) and its count
    assert [t.get_text() for t in ax.texts] == ["—\nn=0", "—\nn=0", "75%\nn=1", "—\nn=0",
                                                "—\nn=0"]  # fmt: skip


def test_errors_are_shown_in_the_app(df, monkeypatch):
    app = explorer(df)

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(Explorer, "filter_frame", broken)
    app.search.value = "x"
    assert "RuntimeError" in app.error.value and "boom" in app.error.value


def test_set_frame_resets_choices(df):
    app = explorer(df)
    app.weapon.value = "AWP"
    app.set_frame(df[df["weapon"] == "AK-47"])
    assert app.weapon.value == "All" and app.weapon.options == ("All", "AK-47")
    assert len(app.filtered) == 3


def test_empty_frame():
    app = explorer(from_items([]))
    assert app.summary_text(app.filtered).startswith("0 items")
    assert app.error.value == ""


def anomalies(n):
    return [{"steam_id": "1", "item_id": f"x{i}", "field": "wear", "value": "1.7",
             "reason": "wear outside [0, 1]"} for i in range(n)]  # fmt: skip


@pytest.mark.parametrize(("n", "note"), [(0, None), (1, "1 anomaly set aside"),
                                         (2, "2 anomalies set aside")])  # fmt: skip
def test_summary_line_counts_the_anomalies(df, n, note):
    df.attrs["anomalies"] = anomalies(n)
    app = explorer(df)
    app.weapon.value = "AWP"
    base = (
        "2 items · market value $205.00 (priced $85.00) · offer value $60.00 · payout ratio 70.6%"
    )
    expected = base if note is None else f"{base} · {note}"
    assert app.summary_text(app.filtered) == expected
    assert expected in app.summary.value
    assert "anomal" not in app.summary.value or note is not None


class FakeClient:
    """An ``InventorySource`` handing back a frame built by hand."""

    def __init__(self, frame):
        self.frame = frame

    def inventory(self, trade_url, game="730", *, refresh=False):
        return self.frame


@pytest.mark.parametrize(("n", "note"), [(0, None), (1, "1 anomaly set aside"),
                                         (3, "3 anomalies set aside")])  # fmt: skip
def test_loader_status_counts_the_anomalies(df, n, note):
    df.attrs = {"steam_id": "1", "from_cache": False, "anomalies": anomalies(n)}
    loader = inventory_loader(FakeClient(df))
    assert loader.load() is df
    loaded = "Loaded 6 items for steam_id 1 (from the API)."
    if note is None:
        assert loader.status.value == loaded
    else:
        assert loader.status.value == f"{loaded} {note} (see frame.assetpay.anomalies)."


# --- the loader, against the real sandbox --------------------------------------------


@pytest.fixture
def client(sandbox, tmp_path):
    return apa.AssetPayClient(
        api_key=sandbox.api_key, base_url=sandbox.url, cache=tmp_path / "c.sqlite"
    )


def test_loader_loads_and_reports_the_cache(sandbox, client):
    loader = inventory_loader(client, trade_url=sandbox.trade_urls[0])
    seen = []
    loader.on_load(seen.append)
    frame = loader.load()
    assert len(frame) == len(sandbox.items(sandbox.trade_urls[0]))
    assert loader.frame is frame and seen == [frame]
    assert "from the API" in loader.status.value
    loader.load()
    assert "from the cache" in loader.status.value
    assert not loader.button.disabled
    assert sandbox.api_key not in loader.status.value


def test_loader_rust_and_refresh(sandbox, client):
    rust = next(a for a in sandbox.accounts.values() if a.games == ("252490",))
    loader = inventory_loader(client, trade_url=rust.trade_url)
    loader.game.value = "252490"
    loader.refresh.value = True
    frame = loader.load()
    assert (frame["game"] == "252490").all()
    assert sandbox.requests[-1].params.get("refresh") == "true"


def test_loader_invalid_url_is_a_message_not_a_traceback(sandbox, client):
    loader = inventory_loader(client, trade_url="https://example.com/nope")
    assert loader.load() is None
    assert "InvalidTradeUrl" in loader.status.value and "host" in loader.status.value
    assert sandbox.requests == []


def test_loader_private_inventory_message(sandbox, client):
    loader = inventory_loader(client, trade_url=sandbox.accounts["private"].trade_url)
    assert loader.load() is None
    assert "InventoryUnavailable" in loader.status.value
    assert "public" in loader.status.value
    assert loader.frame is None


def test_loader_feeds_the_explorer(sandbox, client):
    app = explorer(pd.DataFrame(from_items([])))
    loader = inventory_loader(client, trade_url=sandbox.trade_urls[1])
    loader.on_load(app.set_frame)
    loader.load()
    assert len(app.filtered) == len(sandbox.items(sandbox.trade_urls[1]))


# --- saying why nothing is shown -----------------------------------------------------------


def test_an_inverted_offer_range_is_called_out(df):
    # on main the explorer silently showed nothing
    app = explorer(df)
    app.min_offer.value, app.max_offer.value = 50.0, 10.0
    assert app.filtered.empty
    assert "above" in app.notice.value and "$50.00" in app.notice.value
    assert "$10.00" in app.notice.value
    app.max_offer.value = 100.0
    assert app.notice.value == "" and len(app.filtered) == 3  # offers of 60, 80 and 90


def test_an_empty_selection_says_so(df):
    app = explorer(df)
    app.search.value = "Dragon Lore"
    assert app.filtered.empty and "No item matches" in app.notice.value
    app.search.value = ""
    assert app.notice.value == ""


def test_accounts_are_chosen_by_label(df):
    other = from_items([row("Glock-18 | Fade", FN, 500.0, 400.0)], steam_id="2")
    both = pd.concat([df, other], ignore_index=True)
    app = Explorer(both, labels={"1": "alice", "2": "bob"})
    assert [label for label, _ in app.account.options] == ["All", "alice (1)", "bob (2)"]
    app.account.value = "2"
    assert app.filtered["steam_id"].astype(str).unique().tolist() == ["2"]
    assert "1 items" in app.summary.value


# --- issue 22: a load starts afresh, the chart follows the data, a readable table ---------


def rust_row(name, kind, market, offer, *, amount=1, accepted=True):
    offered = None if offer is None else {"price": offer, "accepted": accepted}
    return {"name": name, "marketHashName": name, "type": kind, "marketPrice": market,
            "offer": offered, "tradable": True, "amount": amount}  # fmt: skip


@pytest.fixture
def rust():
    return from_items(
        [
            rust_row("Tempered AK47", "Skin", 40.0, 30.0),
            rust_row("Big Grin", "Skin", 30.0, 24.0),
            rust_row("Scrap Pile", "Resource", 0.1, 0.05, amount=100),
            rust_row("Metal Fragments Crate", "Resource", 0.2, 0.1, amount=50, accepted=False),
            rust_row("Neon Rider Jacket", "Skin", 2.0, None),
        ],
        game="252490",
        steam_id="76561198162210440",
    )


def test_a_load_resets_every_filter(df, rust):
    app = explorer(df)
    app.exteriors.value = (FN,)
    app.stattrak.value = "StatTrak™ only"
    app.weapon.value = "AK-47"
    app.rarity.value = "Classified"
    app.search.value = "redline"
    app.min_offer.value, app.max_offer.value = 50.0, 85.0
    app.tradable_only.value = True
    app.accepted_only.value = True
    app.sort.value = "name A→Z"
    assert len(app.filtered) == 1
    rust.attrs = {"steam_id": "76561198162210440", "from_cache": False}
    loader = inventory_loader(FakeClient(rust))
    loader.on_load(app.set_frame)
    loader.load()
    assert app.exteriors.value == () and app.stattrak.value == "All"
    assert (app.account.value, app.weapon.value, app.rarity.value) == ("All", "All", "All")
    assert app.search.value == ""
    assert (app.min_offer.value, app.max_offer.value) == (0.0, 30.0)  # the top offer, rounded up
    assert not app.tradable_only.value and not app.accepted_only.value
    assert app.sort.value == "name A→Z"  # an order, not a filter: it is kept
    assert len(app.filtered) == 5 and app.filtered["market_hash_name"].tolist() == sorted(
        rust["market_hash_name"].astype(str)
    )
    assert "Loaded 5 items" in loader.status.value and "<b>5 items" in app.summary.value
    assert app.notice.value == ""


def test_the_chart_draws_payout_by_type_and_band_without_exteriors(rust):
    app = explorer(rust)
    figure = app.build_figure(app.filtered)
    by_type, by_band = figure.axes
    assert by_type.get_title() == "AssetPay payout by item type"
    assert by_band.get_title() == "AssetPay payout by market price"
    # value-weighted, per unit; the refused crate and the jacket without an offer are unpriced
    skin, resource = (30 + 24) / (40 + 30), (0.05 * 100) / (0.1 * 100)
    assert [t.get_text() for t in by_type.get_xticklabels()] == ["Skin", "Resource"]
    assert [b.get_height() for b in by_type.patches] == pytest.approx([skin, resource])
    # bands: < $1, $1–10, $10–100, $100–1k, ≥ $1k
    assert [b.get_height() for b in by_band.patches] == pytest.approx([resource, 0, skin, 0, 0])
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "no priced items" not in texts


def test_the_chart_switches_with_the_filtered_rows(df):
    sticker = {"name": "Sticker | Crown (Foil)", "marketHashName": "Sticker | Crown (Foil)",
               "type": "Sticker", "marketPrice": 50.0, "offer": {"price": 35.0},
               "tradable": True}  # fmt: skip
    both = pd.concat([df, from_items([sticker], steam_id="1")], ignore_index=True)
    app = explorer(both)
    titles = [ax.get_title() for ax in app.build_figure(app.filtered).axes]
    assert titles == ["AssetPay payout by exterior"]
    app.search.value = "sticker"
    by_type = app.build_figure(app.filtered).axes[0]
    assert by_type.get_title() == "AssetPay payout by item type"
    assert [b.get_height() for b in by_type.patches] == pytest.approx([35 / 50])
    app.search.value = "no such item"  # nothing priced: the exterior chart says so
    empty = app.build_figure(app.filtered).axes
    assert [ax.get_title() for ax in empty] == ["AssetPay payout by exterior"]
    assert [t.get_text() for t in empty[0].texts] == ["no priced items"]


class Cells(HTMLParser):
    """The table's cells as (tag, style, text), one list per row."""

    def __init__(self, page):
        super().__init__()
        self.rows, self._cell = [], None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = [tag, dict(attrs).get("style") or "", ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None


HEADERS = ["item", "account", "exterior", "float", "market price (USD)", "offer price (USD)",
           "payout ratio"]  # fmt: skip
NUMBERS = {"float", "market price (USD)", "offer price (USD)", "payout ratio"}


def style_of(style):
    return {k.strip(): v.strip() for k, v in (p.split(":") for p in style.split(";") if p)}


def test_the_table_reads_like_a_review(df):
    app = explorer(df)
    app.sort.value = "market price ↓"
    head, *body = Cells(app.table.value).rows
    assert [text for _, _, text in head] == HEADERS
    assert len(body) == len(df)
    for cells in [head, *body]:
        for (_, style, _), column in zip(cells, HEADERS, strict=True):
            rules = style_of(style)
            assert rules["text-align"] == ("right" if column in NUMBERS else "left"), column
            assert rules["padding"].split()[1] != "0"  # room between the columns
    first = dict(zip(HEADERS, (text for _, _, text in body[0]), strict=True))
    # the AWP FT: market 120, offer 90 refused (not priced: no payout ratio)
    assert first == {"item": "AWP | Asiimov (Field-Tested)", "account": "1", "exterior": FT,
                     "float": "—", "market price (USD)": "$120.00",
                     "offer price (USD)": "$90.00", "payout ratio": "—"}  # fmt: skip
    second = [text for _, _, text in body[1]]
    assert second[4:] == ["$100.00", "$80.00", f"{80 / 100:.1%}"]


def test_the_table_names_accounts_and_never_shows_a_float_id(df):
    alice, bob = "76561198063848519", "76561198080724105"
    other = from_items([row("Glock-18 | Fade", FN, 500.0, 400.0)], steam_id=bob)
    both = pd.concat([df.assign(steam_id=alice), other], ignore_index=True)
    app = Explorer(both, labels={alice: "alice"})
    app.sort.value = "market price ↓"
    accounts = [cells[1][2] for cells in Cells(app.table.value).rows[1:]]
    assert accounts == [bob] + [f"alice ({alice})"] * len(df)
    # a hand-made frame whose ids went through a float: digits, never 7.6e+16
    floats = both.assign(steam_id=both["steam_id"].astype("int64").astype(float))
    app = Explorer(floats)
    accounts = [cells[1][2] for cells in Cells(app.table.value).rows[1:]]
    assert all(a.isdigit() and len(a) == 17 for a in accounts), accounts
    assert all(label.isdigit() for label, _ in app.account.options[1:])


def test_text_from_the_data_is_escaped(df):
    name = '<img src=x onerror="alert(1)"> & Co'
    hostile = from_items([row(name, FN, 5.0, 4.0)], steam_id="<b>1</b>")
    app = Explorer(hostile, labels={"<b>1</b>": "<i>eve</i>"})
    page = app.table.value
    assert "<img" not in page and "<b>" not in page and "<i>" not in page
    cells = Cells(page).rows[1]
    assert cells[0][2] == f"{name} ({FN})" and cells[1][2] == "<i>eve</i> (<b>1</b>)"


# --- notebook 03: Run All leaves the explorer it first shows unfiltered --------------------

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_explorer.ipynb"


def run_cells(notebook, namespace):
    """Run a notebook's code cells here, in order, in ``namespace``; what each displays."""
    shown = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(notebook), "exec"), namespace)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), str(notebook), "eval"),
                              namespace))  # fmt: skip
    return shown


def test_notebook_03_shows_the_explorer_unfiltered(monkeypatch, tmp_path):
    # in JupyterLab every displayed widget is live: a later cell that sets a control
    # filters the explorer shown above it
    monkeypatch.delenv("ASSETPAY_API_KEY", raising=False)
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.setattr("tempfile.mkdtemp", lambda *a, **k: str(tmp_path))
    namespace = {}
    try:
        shown = run_cells(NOTEBOOK, namespace)
        first = next(value for value in shown if isinstance(value, Explorer))
        n = len(namespace["df"])
        assert n > 0 and repr(first) == f"Explorer({n} of {n} items)"
        assert first.summary_text(first.filtered) == first.summary_text(namespace["df"])
        # the notebook still demonstrates filtering from code, on an explorer of its own
        assert any(isinstance(v, Explorer) and len(v.filtered) < n for v in shown)
    finally:
        if "box" in namespace:
            namespace["box"].stop()
