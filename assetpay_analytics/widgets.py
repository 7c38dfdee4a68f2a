"""ipywidgets apps for JupyterLab: an inventory explorer and an inventory loader.

The logic lives in plain methods (``filter_frame``, ``summary_text``, ``table_html``,
``build_figure``, ``load``) that tests call without a kernel; the widgets only wire
them to controls. Errors inside callbacks are written into the app (JupyterLab
would otherwise swallow them). The chart is a PNG in an ``Image`` widget, replaced
on every change, and each figure is closed once drawn so none pile up. The chart
follows the data as the review figure does: payout by exterior, or (when no priced
item has an exterior: Rust, stickers, cases) payout by item type and by price band.
The table is built here with inline styles, every cell's text escaped (names and
labels come from the data).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, Protocol

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import accessor as _accessor  # noqa: F401  (app.filtered gets df.assetpay)
from . import analysis, plots
from .analysis.formats import MISSING, header, labelled, pct, usd
from .constants import EXTERIORS, GAME_CS2, GAME_RUST
from .errors import AssetPayError
from .plots.palette import ERROR_COLOR, WARNING_COLOR
from .plots.review import has_exteriors

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SORTS",
    "Explorer",
    "InventoryLoader",
    "InventorySource",
    "explorer",
    "inventory_loader",
]


class InventorySource(Protocol):
    """What the loader needs of a client: ``inventory(trade_url, game, refresh=...)``.

    ``AssetPayClient`` is one; the widgets never import the client module itself.
    """

    def inventory(self, trade_url: str, game: str = ..., *, refresh: bool = ...) -> pd.DataFrame:
        """One account's inventory as a typed frame."""
        ...


_ALL = "All"
_STATTRAK = {"All": None, "StatTrak™ only": True, "No StatTrak™": False}
#: Sort choices of the explorer: label -> (column, ascending).
SORTS: dict[str, tuple[str, bool]] = {
    "market price ↓": ("market_price", False),
    "offer price ↓": ("offer_price", False),
    "payout ratio ↑": ("payout_ratio", True),
    "payout ratio ↓": ("payout_ratio", False),
    "name A→Z": ("market_hash_name", True),
}
_TABLE_COLUMNS = ("market_hash_name", "steam_id", "exterior", "wear", "market_price",
                  "offer_price", "payout_ratio")  # fmt: skip
#: Headers ``formats.header`` would spell from the column name alone.
_HEADERS = {"market_hash_name": "item", "steam_id": "account", "wear": "float"}
_CELL = "padding:3px 10px;text-align:{align};vertical-align:top"
_NUMBER_CELL = ";white-space:nowrap;font-variant-numeric:tabular-nums"
_HEAD_CELL = ";border-bottom:1px solid;font-weight:bold"


def _wear(value: float) -> str:
    return MISSING if value != value else f"{value:.4f}"


#: The right-aligned columns and how each number reads.
_NUMBERS: dict[str, Callable[[float], str]] = {
    "wear": _wear, "market_price": usd, "offer_price": usd, "payout_ratio": pct,
}  # fmt: skip


def _steam_ids(series: pd.Series) -> pd.Series:
    """SteamIDs as their digits: a float column (a hand-made frame) never reads 7.6e+16."""
    if pd.api.types.is_float_dtype(series.dtype):
        return series.astype("Float64").round().astype("Int64").astype("string")
    return series.astype("string")


def _texts(series: pd.Series) -> list[str]:
    return [MISSING if pd.isna(value) else str(value) for value in series]


def _cell(tag: str, column: str, text: str) -> str:
    style = _CELL.format(align="right" if column in _NUMBERS else "left")
    style += (_NUMBER_CELL if column in _NUMBERS else "") + (_HEAD_CELL if tag == "th" else "")
    return f'<{tag} style="{style}">{html.escape(text)}</{tag}>'


def _html_table(columns: Mapping[str, list[str]]) -> str:
    """A table of ready-made texts, one list per column; every text is escaped here."""
    head = "".join(_cell("th", column, _HEADERS.get(column, header(column))) for column in columns)
    rows = zip(*columns.values(), strict=True)
    body = "".join(
        "<tr>" + "".join(_cell("td", c, t) for c, t in zip(columns, texts, strict=True)) + "</tr>"
        for texts in rows
    )
    return (
        '<table class="assetpay" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _options(series: pd.Series) -> list[str]:
    return [_ALL, *sorted(str(v) for v in series.dropna().unique())]


def _notice_html(text: str) -> str:
    return f"<span style='color:{WARNING_COLOR}'>⚠ {html.escape(text)}</span>" if text else ""


def _anomalies(frame: pd.DataFrame) -> str:
    """``n anomalies set aside`` (values out of range), or "" when there are none."""
    n = len(frame.assetpay.anomalies)
    return f"{n} {'anomaly' if n == 1 else 'anomalies'} set aside" if n else ""


def _error_html(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, AssetPayError) else str(exc)
    return (
        f'<div style="color:{ERROR_COLOR}"><b>{html.escape(type(exc).__name__)}</b>: '
        f"{html.escape(text)}</div>"
    )


class Explorer(w.VBox):
    """Filter, sort and summarise an inventory frame; chart the filtered rows.

    Parameters
    ----------
    df : DataFrame
        An inventory frame (one account or many).
    rows : int
        How many rows the table shows (default 15).
    labels : mapping of str to str, optional
        SteamID -> a name for the account selector (``"alice (7656...)"``).

    Attributes
    ----------
    filtered : DataFrame
        The rows the controls currently select (with ``payout_ratio``), for the
        notebook to continue from.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"name": "AK-47 | Redline", "exterior": "Field-Tested",
    ...                   "marketPrice": 10, "offer": {"price": 7}, "tradable": True}])
    >>> app = Explorer(df)
    >>> app.weapon.value = "AK-47"
    >>> app.summary_text(app.filtered)
    '1 items · market value $10.00 (priced $10.00) · offer value $7.00 · payout ratio 70.0%'
    """

    def __init__(
        self, df: pd.DataFrame, *, rows: int = 15, labels: Mapping[str, str] | None = None
    ) -> None:
        self.rows, self.labels = rows, dict(labels or {})
        self.exteriors = w.SelectMultiple(description="Exterior", rows=5,
                                          layout=w.Layout(width="260px"))  # fmt: skip
        self.account = w.Dropdown(description="Account")
        self.weapon = w.Dropdown(description="Weapon")
        self.rarity = w.Dropdown(description="Rarity")
        self.search = w.Text(description="Search", placeholder="name contains…")
        self.min_offer = w.BoundedFloatText(description="Offer ≥ $", min=0, max=1e9)
        self.max_offer = w.BoundedFloatText(description="Offer ≤ $", min=0, max=1e9)
        self.tradable_only = w.Checkbox(description="tradable only", indent=False)
        self.accepted_only = w.Checkbox(description="accepted offers only", indent=False)
        self.stattrak = w.Dropdown(description="StatTrak™", options=list(_STATTRAK))
        self.sort = w.Dropdown(description="Sort", options=list(SORTS))
        self.summary = w.HTML()
        self.notice = w.HTML()  # why nothing is shown, when nothing is
        self.table = w.HTML()
        self.chart = w.Image(
            format="png", layout=w.Layout(width="500px", height="auto", object_fit="contain")
        )
        self.error = w.HTML()
        self._frame = pd.DataFrame()
        self._steam_ids = pd.Series(dtype="string")
        self._top_offer = 0.0
        self._resetting = False
        self.filtered = pd.DataFrame()
        super().__init__(children=self._layout())
        self.set_frame(df)
        for control in self._controls():
            control.observe(self._on_change, names="value")

    def __repr__(self) -> str:
        return f"Explorer({len(self.filtered)} of {len(self._frame)} items)"

    def _controls(self) -> list[w.ValueWidget]:
        return [self.exteriors, self.account, self.weapon, self.rarity, self.search,
                self.min_offer, self.max_offer, self.tradable_only, self.accepted_only,
                self.stattrak, self.sort]  # fmt: skip

    def _layout(self) -> tuple[w.Widget, ...]:
        left = w.VBox([self.exteriors, self.stattrak, self.sort])
        middle = w.VBox([self.account, self.weapon, self.rarity, self.search])
        right = w.VBox([self.min_offer, self.max_offer, self.tradable_only, self.accepted_only])
        top = w.HBox([left, middle, right])
        return (top, self.summary, self.notice, self.error, self.chart, self.table)

    def set_frame(self, df: pd.DataFrame) -> None:
        """Explore another frame: every filter back to its default, then one redraw.

        The loader calls this on each load. The sort order is kept: it selects no row.
        """
        self._frame = analysis.price_gap(df)
        self._steam_ids = _steam_ids(self._frame["steam_id"])
        self._resetting = True
        try:
            self._reset_filters(df)
        finally:
            self._resetting = False
        self.refresh()

    def _reset_filters(self, df: pd.DataFrame) -> None:
        self.exteriors.options = list(EXTERIORS)
        self.exteriors.value = ()
        steam_ids = sorted(self._steam_ids.dropna().unique())
        self.account.options = [(_ALL, _ALL), *((self._label(s), s) for s in steam_ids)]
        self.account.value = _ALL
        self.weapon.options = _options(df["weapon"])
        self.weapon.value = _ALL
        self.rarity.options = _options(df["rarity"])
        self.rarity.value = _ALL
        self.search.value = ""
        offers = df["offer_price"].dropna().astype(float)
        self._top_offer = float(np.ceil(offers.max())) if len(offers) else 0.0
        self.max_offer.value = self._top_offer
        self.min_offer.value = 0.0
        self.tradable_only.value = False
        self.accepted_only.value = False
        self.stattrak.value = _ALL

    def _label(self, steam_id: str) -> str:
        label = self.labels.get(steam_id)
        return f"{label} ({steam_id})" if label else steam_id

    def notice_text(self, frame: pd.DataFrame) -> str:
        """Why nothing is shown, when nothing is: an inverted offer range, no match."""
        low, high = self.min_offer.value, self.max_offer.value
        if low > high:
            return (
                f"Offer ≥ ${low:,.2f} is above offer ≤ ${high:,.2f}: no item can match. "
                "Swap or widen the bounds."
            )
        if frame.empty and not self._frame.empty:
            return "No item matches these filters: widen or clear one."
        return ""

    def _on_change(self, _change: dict[str, Any]) -> None:
        if not self._resetting:  # ``set_frame`` redraws once, when every control is reset
            self.refresh()

    def refresh(self) -> None:
        """Recompute the filtered rows, the summary, the table and the chart."""
        try:
            self.filtered = self.filter_frame()
            self.summary.value = f"<b>{html.escape(self.summary_text(self.filtered))}</b>"
            self.notice.value = _notice_html(self.notice_text(self.filtered))
            self.table.value = self.table_html(self.filtered)
            self._draw(self.filtered)
            self.error.value = ""
        except Exception as exc:
            self.error.value = _error_html(exc)

    def filter_frame(self) -> pd.DataFrame:
        """The rows the controls select, sorted as chosen."""
        df = self._frame
        keep = pd.Series(True, index=df.index)
        if self.exteriors.value:
            keep &= df["exterior"].isin(self.exteriors.value).fillna(False)
        if self.account.value != _ALL:
            keep &= self._steam_ids.eq(self.account.value).fillna(False)
        if self.weapon.value != _ALL:
            keep &= df["weapon"].eq(self.weapon.value).fillna(False)
        if self.rarity.value != _ALL:
            keep &= df["rarity"].eq(self.rarity.value).fillna(False)
        if self.search.value.strip():
            needle = self.search.value.strip()
            keep &= (
                df["market_hash_name"].str.contains(needle, case=False, regex=False).fillna(False)
            )
        if self.min_offer.value > 0 or self.max_offer.value < self._top_offer:
            # like the API's minPrice/maxPrice: a bound leaves out rows without an offer
            offer = df["offer_price"].astype(float)
            keep &= offer.ge(self.min_offer.value) & offer.le(self.max_offer.value)
        if self.tradable_only.value:
            keep &= df["tradable"].fillna(False).astype(bool)
        if self.accepted_only.value:
            keep &= df["offer_accepted"].fillna(False).astype(bool)
        wanted = _STATTRAK[self.stattrak.value]
        if wanted is not None:
            keep &= df["stattrak"].eq(wanted)
        column, ascending = SORTS[self.sort.value]
        return df[keep.astype(bool)].sort_values(
            column, ascending=ascending, na_position="last", kind="stable"
        )

    @staticmethod
    def summary_text(frame: pd.DataFrame) -> str:
        """``n items · market value (priced) · offer value · payout ratio`` of a frame.

        The ratio divides the offer value by the priced market value, both shown.

        When values were set aside as out of range (``frame.assetpay.anomalies``),
        ``· n anomalies set aside`` follows.
        """
        totals = analysis.summary(frame)
        text = (
            f"{int(totals['items'])} items · market value {usd(totals['market_value'])} "
            f"(priced {usd(totals['priced_market_value'])}) · "
            f"offer value {usd(totals['offer_value'])} · "
            f"payout ratio {pct(totals['payout_ratio'])}"
        )
        anomalies = _anomalies(frame)
        return f"{text} · {anomalies}" if anomalies else text

    def table_html(self, frame: pd.DataFrame) -> str:
        """The first ``rows`` rows as an HTML table for people.

        Readable headers, padded cells, numbers right-aligned: prices in dollars, the
        payout ratio in percent, the float to four places, a dash where a value is missing.
        Accounts read ``"alice (7656...)"`` where ``labels`` names them, else as their
        digits. Text from the data (names, labels) is HTML-escaped.
        """
        shown = frame.reindex(columns=list(_TABLE_COLUMNS)).head(self.rows)
        columns: dict[str, list[str]] = {}
        for column in _TABLE_COLUMNS:
            values = shown[column]
            if column in _NUMBERS:
                numbers = values.astype("Float64").to_numpy(float, na_value=np.nan)
                columns[column] = [_NUMBERS[column](float(v)) for v in numbers]
            elif column == "steam_id":
                columns[column] = labelled(_steam_ids(values).fillna(MISSING), self.labels)
            else:
                columns[column] = _texts(values)
        more = len(frame) - len(shown)
        note = f"<div>… and {more} more rows</div>" if more > 0 else ""
        return _html_table(columns) + note

    @staticmethod
    def build_figure(frame: pd.DataFrame) -> Figure:
        """The payout chart that fits the rows, as the review figure chooses its panels.

        Payout by exterior; when no priced row has an exterior (Rust, stickers, cases),
        payout by item type above payout by market price band instead. With nothing
        priced, the exterior chart says so.
        """
        if has_exteriors(frame) or not analysis.priced(frame).any():
            figure, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
            plots.payout_by_exterior(frame, ax=ax)
            return figure
        figure, (by_type, by_band) = plt.subplots(2, 1, figsize=(5.5, 6.4), layout="constrained")
        plots.payout_by_type(frame, ax=by_type)
        plots.payout_by_price_band(frame, ax=by_band)
        return figure

    def _draw(self, frame: pd.DataFrame) -> None:
        # An Image widget, not an Output: the new chart replaces the old one in a single
        # state update (no flicker, nothing for a kernel without a frontend to print).
        figure = self.build_figure(frame)
        buffer = BytesIO()
        try:
            figure.savefig(buffer, format="png", dpi=90)
        finally:
            plt.close(figure)
        self.chart.value = buffer.getvalue()


class InventoryLoader(w.VBox):
    """Trade URL box, game toggle, refresh checkbox and Load button over a client.

    Messages (progress, an invalid trade URL, a private inventory) are shown in
    place; the loaded frame is ``loader.frame``.

    Parameters
    ----------
    client : InventorySource
        Any client (the sandbox's or the real API's ``AssetPayClient``).
    trade_url : str
        Pre-filled trade URL.

    Examples
    --------
    >>> import assetpay_analytics as apa
    >>> with apa.sandbox.serve() as box:
    ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    ...     loader = InventoryLoader(client, trade_url="not a url")
    ...     loader.load() is None, "Invalid trade URL" in loader.status.value
    (True, True)
    """

    def __init__(self, client: InventorySource, *, trade_url: str = "") -> None:
        self._client = client
        self._callbacks: list[Callable[[pd.DataFrame], None]] = []
        self.frame: pd.DataFrame | None = None
        self.trade_url = w.Text(value=trade_url, description="Trade URL",
                                placeholder="https://steamcommunity.com/tradeoffer/new/?partner=…",
                                layout=w.Layout(width="640px"))  # fmt: skip
        self.game = w.ToggleButtons(options=[("CS2", GAME_CS2), ("Rust", GAME_RUST)],
                                    description="Game")  # fmt: skip
        self.refresh = w.Checkbox(description="refresh (bypass caches)", indent=False)
        self.button = w.Button(description="Load", button_style="primary", icon="download")
        self.status = w.HTML()
        self.button.on_click(lambda _button: self.load())
        super().__init__(
            children=(self.trade_url, w.HBox([self.game, self.refresh, self.button]), self.status)
        )

    def __repr__(self) -> str:
        loaded = "nothing loaded" if self.frame is None else f"{len(self.frame)} items loaded"
        return f"InventoryLoader({loaded})"

    def on_load(self, callback: Callable[[pd.DataFrame], None]) -> None:
        """Call ``callback(frame)`` after every successful load."""
        self._callbacks.append(callback)

    def load(self) -> pd.DataFrame | None:
        """Load the inventory the controls describe; None (and a message) on failure."""
        self.button.disabled = True
        self.status.value = "Loading…"
        try:
            frame = self._client.inventory(
                self.trade_url.value, self.game.value, refresh=self.refresh.value
            )
        except AssetPayError as err:
            self.status.value = _error_html(err)
            return None
        finally:
            self.button.disabled = False
        self.frame = frame
        source = "from the cache" if frame.attrs.get("from_cache") else "from the API"
        anomalies = _anomalies(frame)
        note = f" {anomalies} (see frame.assetpay.anomalies)." if anomalies else ""
        self.status.value = html.escape(
            f"Loaded {len(frame)} items for steam_id {frame.attrs.get('steam_id')} ({source})."
            + note
        )
        for callback in self._callbacks:
            callback(frame)
        return frame


def explorer(
    df: pd.DataFrame, *, rows: int = 15, labels: Mapping[str, str] | None = None
) -> Explorer:
    """An ipywidgets explorer of an inventory frame (see ``Explorer``).

    Examples
    --------
    >>> from assetpay_analytics.frame import empty_frame
    >>> explorer(empty_frame())
    Explorer(0 of 0 items)
    """
    return Explorer(df, rows=rows, labels=labels)


def inventory_loader(client: InventorySource, *, trade_url: str = "") -> InventoryLoader:
    """A trade-URL loader bound to a client (see ``InventoryLoader``)."""
    return InventoryLoader(client, trade_url=trade_url)
