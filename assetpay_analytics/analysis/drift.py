"""Analyses of change: two frames compared item by item, and payout ratios over time.

Pure functions of frames (re-exported by ``analysis``, reached as ``df.assetpay``):
``compare(before, after)`` and ``payout_trend(history, by, freq)``. The definitions of
``analysis`` hold here (priced rows, value-weighted payout ratios); in addition:

- Items are matched by account and item id (``steam_id``, ``item_id``): an item in
  ``after`` only was **added**, in ``before`` only **removed**, in both **kept**.
- Per exterior and per skin, ``compare`` is like-for-like: the value-weighted payout
  ratio of the kept items priced both times, before and after, so a change is
  AssetPay's offer moving, not the inventory's mix.
- Per account and in the summary, values and ratios are over each whole frame.
- ``payout_trend`` is the value-weighted ratio ``sum(offer) / sum(market)`` over the
  priced rows of every snapshot taken in a period (``freq``, pandas' offset aliases).
  It is computed from per-snapshot sums (``trend_sums``), which the history store can
  also get from DuckDB without loading the history (``trend_table`` finishes both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EXTERIORS
from .definitions import (
    accounts_of,
    aggregate_parts,
    coded,
    exterior_key,
    floats,
    per_row,
    plain,
    priced_rows,
    ratio_values,
    skin_label,
)

__all__ = ["Comparison", "compare", "payout_trend", "trend_sums", "trend_table"]

_KEYS = ["steam_id", "item_id"]
_DESCRIBE = ["name", "market_hash_name", "weapon", "skin", "exterior"]
#: Columns of ``trend_sums``: one row per snapshot and group.
SUM_COLUMNS = ("taken_at", "group", "offer", "market")


@dataclass(frozen=True)
class Comparison:
    """What changed between two inventory frames; made by ``compare``.

    Attributes
    ----------
    added, removed : DataFrame
        The rows of ``after`` not in ``before``, and of ``before`` not in ``after``.
    kept : DataFrame
        One row per item in both: ``steam_id``, ``item_id``, its name columns, then
        ``market_price``, ``offer_price`` and ``payout_ratio`` each ``_before``,
        ``_after`` and ``_change`` (after minus before).
    by_exterior, by_skin : DataFrame
        Like-for-like over kept items priced both times: ``kept_priced``,
        ``payout_ratio_before``, ``payout_ratio_after``, ``payout_ratio_change``,
        ``offer_value_change``; plus ``added`` and ``removed`` item counts.
    by_account : DataFrame
        Per account over each whole frame: ``items_before``, ``items_after``, ``added``,
        ``removed``, ``kept``, then ``market_value``, ``priced_market_value``,
        ``offer_value`` and ``payout_ratio`` each ``_before``, ``_after`` and ``_change``:
        ``payout_ratio_X`` is ``offer_value_X / priced_market_value_X`` (NaN where that
        is 0), the market value of the priced items only (``market_value`` counts every
        item with a market price).
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    kept: pd.DataFrame
    by_exterior: pd.DataFrame
    by_skin: pd.DataFrame
    by_account: pd.DataFrame
    totals: pd.Series

    def summary(self) -> pd.Series:
        """Headline changes: accounts, items, added/removed/kept, values and ratios.

        ``payout_ratio_*`` are over each whole frame, ``offer_value_*`` divided by
        ``priced_market_value_*`` (beside ``market_value_*``, which counts unpriced items
        too); ``kept_payout_ratio_*`` over the kept items priced both times
        (like-for-like). Counts are ints, values and ratios floats (NaN where undefined).
        """
        return self.totals.copy()


def compare(before: pd.DataFrame, after: pd.DataFrame) -> Comparison:
    """Compare two inventory frames of one game, item by item (see the module docstring).

    Parameters
    ----------
    before, after : DataFrame
        Inventory frames, e.g. two snapshots (``store.load(id)``) or two fetches.

    Returns
    -------
    Comparison
        ``added``, ``removed``, ``kept``, ``by_exterior``, ``by_skin``, ``by_account``
        and ``summary()``.

    Raises
    ------
    ValueError
        When an item id appears twice for one account in either frame.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> a = from_items([{"id": "1", "marketPrice": 10, "offer": {"price": 7}},
    ...                 {"id": "2", "marketPrice": 5, "offer": {"price": 4}}], steam_id="7")
    >>> b = from_items([{"id": "1", "marketPrice": 10, "offer": {"price": 6}},
    ...                 {"id": "3", "marketPrice": 2, "offer": {"price": 1}}], steam_id="7")
    >>> change = compare(a, b)
    >>> len(change.added), len(change.removed), change.kept["offer_price_change"].tolist()
    (1, 1, [-1.0])
    """
    old, new = plain(before), plain(after)
    old_key, new_key = _keys(old, new)
    position = pd.Index(new_key).get_indexer(old_key)
    in_old = position >= 0
    in_new = np.zeros(len(new), dtype=bool)
    in_new[position[in_old]] = True
    added, removed = _rows(new, ~in_new), _rows(old, ~in_old)
    old_parts, new_parts = per_row(old), per_row(new)
    kept = _kept(old, new, np.flatnonzero(in_old), position[in_old])
    return Comparison(
        added=added,
        removed=removed,
        kept=kept,
        by_exterior=_like_for_like(kept, added, removed, "exterior"),
        by_skin=_like_for_like(kept, added, removed, "skin_label"),
        by_account=_by_account(before, after, (old_parts, new_parts), kept, added, removed),
        totals=_totals(before, after, (old_parts, new_parts), kept, added, removed),
    )


def _texts(values: pd.Series) -> pd.Series:
    """A key column as text, NA as "" (so an item without an id still has a key)."""
    return values.astype("str").fillna("")


def _keys(old: pd.DataFrame, new: pd.DataFrame) -> tuple[np.ndarray[Any, Any], ...]:
    """One int64 per row for its (steam_id, item_id), the same in both frames."""
    codes, sizes = [], []
    for column in _KEYS:
        found, size = _key_codes(old[column], new[column])
        codes.append(found)
        sizes.append(size)
    combined = (codes[0][0] * sizes[1] + codes[1][0], codes[0][1] * sizes[1] + codes[1][1])
    for frame, key, which in ((old, combined[0], "before"), (new, combined[1], "after")):
        twice = pd.Index(key).duplicated()
        if twice.any():
            row = int(np.argmax(twice))
            account, item_id = (_texts(frame[c].iloc[row : row + 1]).iloc[0] for c in _KEYS)
            raise ValueError(
                f"compare: item {item_id!r} of account {account!r} is twice in {which}"
            )
    return combined


def _key_codes(old: pd.Series, new: pd.Series) -> tuple[list[np.ndarray[Any, Any]], int]:
    """Codes of one key column in both frames over their joint values, and how many."""
    if isinstance(old.dtype, pd.CategoricalDtype) and isinstance(new.dtype, pd.CategoricalDtype):
        (old_codes, old_texts), (new_codes, new_texts) = coded(old), coded(new)
        union = pd.Index(["", *old_texts, *new_texts]).unique()
        # the last slot is the one NA (-1) takes: "", position 0 of the union
        return [
            np.append(union.get_indexer(pd.Index(texts)), 0)[found]
            for found, texts in ((old_codes, old_texts), (new_codes, new_texts))
        ], len(union)
    joint = pd.concat([_texts(old), _texts(new)], ignore_index=True)
    found, uniques = pd.factorize(joint)
    return [found[: len(old)], found[len(old) :]], len(uniques)


def _rows(df: pd.DataFrame, mask: np.ndarray[Any, Any]) -> pd.DataFrame:
    out = df[mask].reset_index(drop=True)
    out.attrs = {}
    return out


def _kept(
    old: pd.DataFrame,
    new: pd.DataFrame,
    old_rows: np.ndarray[Any, Any],
    new_rows: np.ndarray[Any, Any],
) -> pd.DataFrame:
    """One row per item in both, in ``old``'s order: keys, ``new``'s names, values."""
    out = new[_DESCRIBE].take(new_rows).reset_index(drop=True)
    for key in reversed(_KEYS):
        out.insert(0, key, _texts(new[key].take(new_rows)).reset_index(drop=True))
    out["skin_label"] = skin_label(new).take(new_rows).reset_index(drop=True)
    masks = priced_rows(old), priced_rows(new)
    for value in ("market_price", "offer_price", "payout_ratio"):
        if value == "payout_ratio":
            before = ratio_values(old, masks[0])[old_rows]
            after = ratio_values(new, masks[1])[new_rows]
        else:
            before, after = floats(old[value])[old_rows], floats(new[value])[new_rows]
        out[f"{value}_before"] = before
        out[f"{value}_after"] = after
        out[f"{value}_change"] = after - before
    out["priced_both"] = masks[0][old_rows] & masks[1][new_rows]
    return out


def _like_for_like(
    kept: pd.DataFrame, added: pd.DataFrame, removed: pd.DataFrame, by: str
) -> pd.DataFrame:
    both = kept[kept["priced_both"].to_numpy()]
    key = _group_key(both, by)
    sums = both.groupby(key, observed=by != "exterior", dropna=True).agg(
        kept_priced=("item_id", "size"),
        offer_before=("offer_price_before", "sum"),
        market_before=("market_price_before", "sum"),
        offer_after=("offer_price_after", "sum"),
        market_after=("market_price_after", "sum"),
    )
    out = pd.DataFrame(index=sums.index)
    out["kept_priced"] = sums["kept_priced"].astype("int64")
    out["payout_ratio_before"] = _ratio(sums["offer_before"], sums["market_before"])
    out["payout_ratio_after"] = _ratio(sums["offer_after"], sums["market_after"])
    out["payout_ratio_change"] = out["payout_ratio_after"] - out["payout_ratio_before"]
    out["offer_value_change"] = (sums["offer_after"] - sums["offer_before"]).astype("float64")
    for name, rows in (("added", added), ("removed", removed)):
        labels = _group_key(_described(rows), by)
        counts = labels.value_counts(dropna=True)
        out[name] = counts.reindex(out.index, fill_value=0).astype("int64")
    if by != "exterior":
        out = out.sort_values("kept_priced", ascending=False, kind="stable")
    return out


def _described(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[["item_id", *_DESCRIBE]].copy()
    out["skin_label"] = skin_label(rows)
    return out


def _group_key(df: pd.DataFrame, by: str) -> pd.Series:
    if by == "exterior":
        order = pd.CategoricalDtype(list(EXTERIORS), ordered=True)
        key = exterior_key(df["exterior"], order, fill=False)
        return pd.Series(key, index=df.index, name="exterior")
    return df[by].astype("string").rename("skin" if by == "skin_label" else by)


def _ratio(offer: pd.Series, market: pd.Series) -> pd.Series:
    market = market.astype("float64")
    return (offer.astype("float64") / market).where(market > 0)


def _per_account(parts: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    table = aggregate_parts(parts, frame["steam_id"].rename("steam_id"), observed=True, dropna=True)
    table.index = table.index.astype(str)
    return table


def _account_counts(steam_ids: pd.Series) -> pd.Series:
    """Rows per account (text), through a categorical's codes when it is one."""
    if isinstance(steam_ids.dtype, pd.CategoricalDtype):
        codes = steam_ids.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(steam_ids.cat.categories))
        return pd.Series(counts, index=steam_ids.cat.categories.astype(str))
    return steam_ids.astype("string").value_counts()


def _by_account(
    before: pd.DataFrame,
    after: pd.DataFrame,
    parts: tuple[pd.DataFrame, pd.DataFrame],
    kept: pd.DataFrame,
    added: pd.DataFrame,
    removed: pd.DataFrame,
) -> pd.DataFrame:
    accounts = sorted(set(accounts_of(before)) | set(accounts_of(after)))
    old = _per_account(parts[0], plain(before))
    new = _per_account(parts[1], plain(after))
    out = pd.DataFrame(index=pd.Index(accounts, name="steam_id", dtype="string"))
    out["items_before"] = old["items"].reindex(out.index, fill_value=0).astype("int64")
    out["items_after"] = new["items"].reindex(out.index, fill_value=0).astype("int64")
    for name, rows in (("added", added), ("removed", removed), ("kept", kept)):
        counts = _account_counts(rows["steam_id"])
        out[name] = counts.reindex(out.index, fill_value=0).astype("int64")
    for value in ("market_value", "priced_market_value", "offer_value", "payout_ratio"):
        empty = np.nan if value == "payout_ratio" else 0.0
        out[f"{value}_before"] = old[value].reindex(out.index, fill_value=empty).astype(float)
        out[f"{value}_after"] = new[value].reindex(out.index, fill_value=empty).astype(float)
        out[f"{value}_change"] = out[f"{value}_after"] - out[f"{value}_before"]
    return out


def _totals(
    before: pd.DataFrame,
    after: pd.DataFrame,
    parts: tuple[pd.DataFrame, pd.DataFrame],
    kept: pd.DataFrame,
    added: pd.DataFrame,
    removed: pd.DataFrame,
) -> pd.Series:
    values: dict[str, Any] = {
        "accounts_before": len(set(accounts_of(before))),
        "accounts_after": len(set(accounts_of(after))),
        "items_before": len(before),
        "items_after": len(after),
        "added": len(added),
        "removed": len(removed),
        "kept": len(kept),
    }
    for rows, when in zip(parts, ("before", "after"), strict=True):
        market = float(rows["market_priced"].sum())
        values[f"market_value_{when}"] = float(rows["market_any"].sum())
        values[f"priced_market_value_{when}"] = market
        values[f"offer_value_{when}"] = float(rows["offer_priced"].sum())
        values[f"payout_ratio_{when}"] = (
            float(rows["offer_priced"].sum()) / market if market > 0 else np.nan
        )
    both = kept[kept["priced_both"].to_numpy()]
    for when in ("before", "after"):
        market = float(both[f"market_price_{when}"].sum())
        offer = float(both[f"offer_price_{when}"].sum())
        values[f"kept_payout_ratio_{when}"] = offer / market if market > 0 else np.nan
    for value in (
        "market_value",
        "priced_market_value",
        "offer_value",
        "payout_ratio",
        "kept_payout_ratio",
    ):
        values[f"{value}_change"] = values[f"{value}_after"] - values[f"{value}_before"]
    # object dtype: counts stay whole numbers in a notebook (never 1.535000e+03)
    return pd.Series(values, dtype=object, name="compare")


# --- payout over time ------------------------------------------------------------------------


def payout_trend(
    history: pd.DataFrame, by: str | None = "exterior", freq: str = "D"
) -> pd.DataFrame:
    """The value-weighted payout ratio over time, per group.

    Parameters
    ----------
    history : DataFrame
        Snapshots stacked with their ``taken_at`` (``store.load()`` without an id).
    by : str or None
        A column to group by (``"exterior"`` (default, the five in order), ``"weapon"``,
        ``"rarity"``, ``"steam_id"``...); rows whose value is NA are left out. None:
        one column, ``"all"``, over every row.
    freq : str
        The period, as a pandas offset alias: ``"D"`` (default), ``"W"``, ``"MS"``...

    Returns
    -------
    DataFrame
        One row per period (the ``as_of`` index, UTC: the data's time; ``taken_at`` for
        a history without ``as_of``), one column per group: the
        ratio ``sum(offer_price) / sum(market_price)`` over the period's priced rows,
        NaN where a group had none.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> day = from_items([{"id": "1", "exterior": "Field-Tested", "marketPrice": 10,
    ...                    "offer": {"price": 7}}])
    >>> history = day.assign(taken_at=pd.Timestamp("2026-06-01T09:00Z"))
    >>> payout_trend(history)["Field-Tested"].tolist()
    [0.7]
    >>> payout_trend(history.assign(as_of=pd.Timestamp("2026-05-31T09:00Z"))).index.name
    'as_of'
    """
    table = trend_table(trend_sums(history, by), freq, by)
    table.index.name = trend_time(history)
    return table


def trend_time(history: pd.DataFrame) -> str:
    """The column a history is dated by: ``as_of`` (its data's time) where it has one
    (``store.load()``), else ``taken_at`` (when it was fetched)."""
    return "as_of" if "as_of" in history.columns else "taken_at"


def trend_sums(history: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Per snapshot time (``trend_time``) and group: the sums of offer and market over the
    priced rows (the time column is named ``taken_at`` here, whichever it is)."""
    if "taken_at" not in history.columns:
        raise ValueError(
            "payout_trend needs a history, a frame with taken_at: store.load() gives one"
        )
    if by is not None and by not in history.columns:
        raise KeyError(f"payout_trend: no column {by!r}; the frame has {list(history.columns)}")
    history = plain(history)
    parts = per_row(history)
    group = (
        pd.Series(
            pd.Categorical.from_codes(np.zeros(len(history), dtype=np.int8), pd.Index(["all"])),
            index=history.index,
        )
        if by is None
        else history[by]
    )
    frame = pd.DataFrame(
        {
            "taken_at": history[trend_time(history)],
            "group": group,
            "offer": parts["offer_priced"].astype("float64"),
            "market": parts["market_priced"].astype("float64"),
        }
    )
    grouped = frame.groupby(["taken_at", "group"], dropna=True, sort=True, observed=True)
    sums = grouped.sum().reset_index()
    sums["group"] = sums["group"].astype("string")
    # the groups' order as text, whatever the column's own order (a categorical's)
    sums = sums.sort_values(["taken_at", "group"], kind="stable", ignore_index=True)
    return sums[list(SUM_COLUMNS)]


def trend_table(sums: pd.DataFrame, freq: str, by: str | None) -> pd.DataFrame:
    """The trend from ``trend_sums`` (pandas or DuckDB): periods down, groups across."""
    sums = sums.astype({"group": "string", "offer": "float64", "market": "float64"})
    period = pd.Grouper(key="taken_at", freq=freq)
    totals = sums.groupby([period, "group"]).agg(offer=("offer", "sum"), market=("market", "sum"))
    table = _ratio(totals["offer"], totals["market"]).unstack("group")
    if table.empty:
        table = pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="taken_at"))
    groups = [str(g) for g in table.columns]
    order = [g for g in EXTERIORS if g in groups] if by == "exterior" else sorted(groups)
    table = table.reindex(columns=order)
    table.columns = pd.Index(order, name=by or "all", dtype="object")
    return table.astype("float64")
