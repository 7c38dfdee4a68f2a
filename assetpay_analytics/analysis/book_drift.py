"""Change in AssetPay's price book: two books compared entry by entry, and deposits over time.

Pure functions of price book frames (``client.prices``, ``store.load_prices``; columns
``frame.book.BOOK_SCHEMA``), re-exported by ``analysis`` and reached as ``df.assetpay``:

- ``compare_prices(before, after)`` gives a ``BookComparison``. Rows are matched by
  (``game``, ``market_hash_name``, ``phase``): a key only in ``after`` was **added**, only
  in ``before`` **removed**, in both **kept**, with its deposit before and after, the
  change and the change as a fraction of before. ``.by(group)`` is the value-weighted
  deposit change per group, like-for-like.
- ``deposit_trend(history, by, freq)`` is the value-weighted deposit ratio
  ``Σ deposit / Σ withdraw_standard`` per period and group of a stored history.

Which rows weigh, as in ``catalogue_spread``: **entry rows** (``phase`` NA; a Doppler's
phase rows would count its name twice) that are **accepted** and have a deposit, both
times for ``compare_prices`` (``like_for_like``), and a standard withdraw price above 0
too for the ratio. Per entry, ``kept`` has every matched row, phases included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EXTERIORS

__all__ = ["BY_COLUMNS", "KEPT_COLUMNS", "BookComparison", "compare_prices", "deposit_trend"]

#: What matches a row of one book with a row of another.
KEYS = ("game", "market_hash_name", "phase")
#: Columns of ``BookComparison.kept``, in order.
KEPT_COLUMNS = (
    *KEYS, "item_id", "weapon", "skin", "exterior", "stattrak", "souvenir", "star",
    "accepted_before", "accepted_after", "deposit_before", "deposit_after",
    "deposit_change", "deposit_pct", "like_for_like",
)  # fmt: skip
_DESCRIBE = KEPT_COLUMNS[3:10]
#: Columns of ``BookComparison.by(group)``, in order.
BY_COLUMNS = (
    "entries", "changed", "deposit_before", "deposit_after", "deposit_change", "deposit_pct",
    "added", "removed",
)  # fmt: skip
#: An NA phase as a key (no phase the API sends is a NUL character).
_NO_PHASE = "\x00"


@dataclass(frozen=True)
class BookComparison:
    """What changed between two price books; made by ``compare_prices``.

    Attributes
    ----------
    added, removed : DataFrame
        The rows of ``after`` whose key is not in ``before``, and of ``before`` not in
        ``after`` (book columns, phase rows included).
    kept : DataFrame
        One row per key in both, in ``before``'s order (``KEPT_COLUMNS``): the key, the
        name columns (``after``'s), ``accepted_before``/``_after``, ``deposit_before``,
        ``deposit_after``, ``deposit_change`` (after minus before, in cents) and
        ``deposit_pct`` (the change as a fraction of before: -0.15 is a 15% cut), and
        ``like_for_like``: an accepted entry row (phase NA) with a deposit both times.
    totals : Series
        What ``summary()`` returns.
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    kept: pd.DataFrame
    totals: pd.Series

    def by(self, group: str | Sequence[str]) -> pd.DataFrame:
        """The deposit change per group, value-weighted over the like-for-like entries.

        Parameters
        ----------
        group : str or list of str
            Columns of ``kept`` to group by: ``"exterior"`` (in wear order), ``"weapon"``,
            ``"skin"``, ``"stattrak"``, ``["weapon", "exterior"]``...

        Returns
        -------
        DataFrame
            One row per group (``BY_COLUMNS``) that has like-for-like, added or removed
            entries (rows whose group is NA are left out): ``entries`` (like-for-like),
            ``changed`` (of those, whose deposit moved), ``deposit_before`` and
            ``deposit_after`` (their sums), ``deposit_change`` (after minus before) and
            ``deposit_pct`` (``Σ after / Σ before - 1``), NaN without entries, then the
            ``added`` and ``removed`` entry rows (phase NA) of the group.

        Examples
        --------
        >>> from assetpay_analytics.frame import from_price_book
        >>> entry = lambda name, d: {"itemId": None, "marketHashName": name, "accepted": True,
        ...     "deposit": d, "withdraw": {"standard": None, "instant": None}}
        >>> a = from_price_book([entry("A (Field-Tested)", 10), entry("B (Field-Tested)", 30)])
        >>> b = from_price_book([entry("A (Field-Tested)", 8), entry("B (Field-Tested)", 30)])
        >>> table = compare_prices(a, b).by("exterior")
        >>> table[["entries", "changed", "deposit_change"]].to_dict("index")
        {'Field-Tested': {'entries': 2, 'changed': 1, 'deposit_change': -2.0}}
        >>> table["deposit_pct"].round(4).tolist()
        [-0.05]
        """
        keys = [group] if isinstance(group, str) else list(group)
        unknown = [key for key in keys if key not in self.kept.columns]
        if unknown:
            raise KeyError(f"BookComparison.by: no column(s) {unknown} in kept")
        parts = [part for part in self._counted(keys) if len(part)]
        if not parts:
            empty = self.kept.iloc[:0].groupby(keys, observed=True).size()
            return pd.DataFrame(index=empty.index, columns=list(BY_COLUMNS), dtype="float64")
        sums = pd.concat(parts, ignore_index=True).groupby(keys, observed=True, sort=True).sum()
        out = sums.astype({n: "int64" for n in ("entries", "changed", "added", "removed")})
        none = out["entries"] == 0
        out["deposit_change"] = (out["deposit_after"] - out["deposit_before"]).round(2).mask(none)
        out["deposit_pct"] = _fraction(out["deposit_after"], out["deposit_before"])
        return out[list(BY_COLUMNS)]

    def _counted(self, keys: list[str]) -> list[pd.DataFrame]:
        """Per row, what it adds to its group: like-for-like entries, added and removed."""
        both = self.kept[self.kept["like_for_like"]]
        counted = [both[keys].assign(
            entries=1, changed=(both["deposit_change"] != 0).astype("int64"),
            deposit_before=both["deposit_before"], deposit_after=both["deposit_after"],
            added=0, removed=0,
        )]  # fmt: skip
        for name, rows in (("added", self.added), ("removed", self.removed)):
            entries = rows.loc[rows["phase"].isna(), keys]
            zeros = {"entries": 0, "changed": 0, "deposit_before": 0.0, "deposit_after": 0.0}
            counted.append(entries.assign(**zeros, added=int(name == "added"),
                                          removed=int(name == "removed")))  # fmt: skip
        return counted

    def summary(self) -> pd.Series:
        """Headline changes: rows, entries, added/removed/kept/changed, deposit sums.

        ``deposit_before``, ``deposit_after``, ``deposit_change`` and ``deposit_pct`` are
        over the like-for-like entries; counts are ints (``changed``: kept rows, phases
        included, whose deposit moved).
        """
        return self.totals.copy()


def compare_prices(before: pd.DataFrame, after: pd.DataFrame) -> BookComparison:
    """Compare two price books, row by row (see the module docstring).

    Parameters
    ----------
    before, after : DataFrame
        Price books (``client.prices``, ``store.load_prices(id)``), of one game or more.

    Returns
    -------
    BookComparison
        ``added``, ``removed``, ``kept``, ``by(group)`` and ``summary()``.

    Raises
    ------
    ValueError
        When a (game, market_hash_name, phase) key is twice in either book.
    KeyError
        When a frame lacks a price book column.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_price_book
    >>> entry = lambda name, d: {"itemId": None, "marketHashName": name, "accepted": True,
    ...     "deposit": d, "withdraw": {"standard": None, "instant": None}}
    >>> a = from_price_book([entry("A", 10.0), entry("B", 4.0)])
    >>> b = from_price_book([entry("A", 8.5), entry("C", 1.0)])
    >>> change = compare_prices(a, b)
    >>> change.added["market_hash_name"].tolist(), change.removed["market_hash_name"].tolist()
    (['C'], ['B'])
    >>> change.kept[["deposit_before", "deposit_after", "deposit_change", "deposit_pct"]]
       deposit_before  deposit_after  deposit_change  deposit_pct
    0            10.0            8.5            -1.5        -0.15
    """
    old, new = _keys(before, "before"), _keys(after, "after")
    where = new.get_indexer(old)
    in_old = where >= 0
    in_new = np.zeros(len(new), dtype=bool)
    in_new[where[in_old]] = True
    added, removed = _rows(after, ~in_new), _rows(before, ~in_old)
    kept = _kept(before, after, np.flatnonzero(in_old), where[in_old])
    return BookComparison(added, removed, kept, _totals(before, after, kept, added, removed))


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}: is it a price book?")


def _keys(book: pd.DataFrame, which: str) -> pd.MultiIndex:
    """Each row's (game, market_hash_name, phase) as text, an NA phase as ``_NO_PHASE``."""
    _require(book, (*KEYS, *_DESCRIBE, "accepted", "deposit"), which)
    columns = {key: book[key].astype("string").fillna(_NO_PHASE).to_numpy(object) for key in KEYS}
    index = pd.MultiIndex.from_arrays(list(columns.values()), names=list(KEYS))
    if index.has_duplicates:
        game, name, phase = index[index.duplicated()][0]
        label = name if phase == _NO_PHASE else f"{name} / {phase}"
        raise ValueError(f"compare_prices: {label!r} (game {game}) is twice in {which}")
    return index


def _rows(book: pd.DataFrame, mask: np.ndarray[Any, Any]) -> pd.DataFrame:
    out = book[mask].reset_index(drop=True)
    out.attrs = {}
    return out


def _floats(values: pd.Series) -> np.ndarray[Any, Any]:
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _fraction(after: Any, before: Any) -> Any:
    """``after / before - 1`` where ``before`` is above 0, else NaN."""
    after, before = np.asarray(after, dtype="float64"), np.asarray(before, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, after / before - 1, np.nan)


def _kept(
    before: pd.DataFrame,
    after: pd.DataFrame,
    old_rows: np.ndarray[Any, Any],
    new_rows: np.ndarray[Any, Any],
) -> pd.DataFrame:
    old, new = before.iloc[old_rows], after.iloc[new_rows]
    out = new[[*KEYS, *_DESCRIBE]].reset_index(drop=True)
    out.attrs = {}
    out["accepted_before"] = old["accepted"].astype("boolean").to_numpy()
    out["accepted_after"] = new["accepted"].astype("boolean").to_numpy()
    old_deposit, new_deposit = _floats(old["deposit"]), _floats(new["deposit"])
    out["deposit_before"] = old_deposit
    out["deposit_after"] = new_deposit
    out["deposit_change"] = np.round(new_deposit - old_deposit, 2)  # cents: 0 stays 0
    out["deposit_pct"] = _fraction(new_deposit, old_deposit)
    accepted = out["accepted_before"].fillna(False) & out["accepted_after"].fillna(False)
    priced = ~np.isnan(old_deposit) & ~np.isnan(new_deposit)
    out["like_for_like"] = (accepted.to_numpy(bool) & priced) & out["phase"].isna().to_numpy()
    return out[list(KEPT_COLUMNS)]


def _totals(
    before: pd.DataFrame,
    after: pd.DataFrame,
    kept: pd.DataFrame,
    added: pd.DataFrame,
    removed: pd.DataFrame,
) -> pd.Series:
    both = kept[kept["like_for_like"]]
    deposit_before = float(both["deposit_before"].sum())
    deposit_after = float(both["deposit_after"].sum())
    values: dict[str, Any] = {
        "rows_before": len(before),
        "rows_after": len(after),
        "entries_before": int(before["phase"].isna().sum()),
        "entries_after": int(after["phase"].isna().sum()),
        "added": len(added),
        "removed": len(removed),
        "kept": len(kept),
        "changed": int((kept["deposit_change"].fillna(0) != 0).sum()),
        "like_for_like": len(both),
        "deposit_before": deposit_before,
        "deposit_after": deposit_after,
        "deposit_change": round(deposit_after - deposit_before, 2),
        "deposit_pct": float(_fraction(deposit_after, deposit_before)),
    }
    # object dtype: counts stay whole numbers in a notebook
    return pd.Series(values, dtype=object, name="compare_prices")


# --- deposits over time ----------------------------------------------------------------------


def deposit_trend(
    history: pd.DataFrame, by: str | None = "exterior", freq: str = "D"
) -> pd.DataFrame:
    """AssetPay's value-weighted deposit ratio over time, per group.

    Parameters
    ----------
    history : DataFrame
        Price books stacked with their ``date`` (``store.load_prices()`` without an id).
    by : str or None
        A column to group by: ``"exterior"`` (default, the five in wear order),
        ``"weapon"``, ``"skin"``, ``"stattrak"``...; rows whose value is NA are left out.
        None: one column, ``"all"``, over every row.
    freq : str
        The period, a pandas offset alias of a day or longer: ``"D"`` (default), ``"W"``,
        ``"MS"``... Periods are of the books' ``date`` (the UTC day of their data).

    Returns
    -------
    DataFrame
        One row per period holding a book (the ``date`` index, labelled as pandas labels
        ``freq``'s periods: the day, a week's Sunday...), one column per group: the ratio
        ``Σ deposit / Σ withdraw_standard`` over the period's accepted entry rows
        (``phase`` NA) with a deposit and a standard withdraw price above 0, every book
        of the period pooled; NaN where a group had none. As ``catalogue_spread(book,
        by)["deposit_ratio"]`` for a period of one book.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_price_book
    >>> entry = lambda name, d, w: {"itemId": None, "marketHashName": name, "accepted": True,
    ...     "deposit": d, "withdraw": {"standard": w, "instant": None}}
    >>> day1 = from_price_book([entry("A (Field-Tested)", 6, 10), entry("B (Field-Tested)", 2, 10)])
    >>> day2 = from_price_book([entry("A (Field-Tested)", 5, 10), entry("B (Field-Tested)", 2, 10)])
    >>> history = pd.concat([day1.assign(date=pd.Timestamp("2026-06-10")),
    ...                      day2.assign(date=pd.Timestamp("2026-06-11"))])
    >>> trend = deposit_trend(history)
    >>> trend.index.strftime("%Y-%m-%d").tolist(), trend["Field-Tested"].tolist()
    (['2026-06-10', '2026-06-11'], [0.4, 0.35])
    """
    _require(history, ("date", "phase", "accepted", "deposit", "withdraw_standard"), "history")
    if by is not None and by not in history.columns:
        raise KeyError(f"deposit_trend: no column {by!r}; the frame has {list(history.columns)}")
    deposit, withdraw = _floats(history["deposit"]), _floats(history["withdraw_standard"])
    accepted = history["accepted"].astype("boolean").fillna(False).to_numpy(bool)
    usable = history["phase"].isna().to_numpy() & accepted & ~np.isnan(deposit) & (withdraw > 0)
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(history["date"]).to_numpy(),
            "group": "all" if by is None else history[by].astype("string").to_numpy(object),
            "deposit": np.where(usable, deposit, 0.0),
            "withdraw": np.where(usable, withdraw, 0.0),
        }
    )
    return _trend_table(frame.dropna(subset=["group"]), freq, by)


def _trend_table(frame: pd.DataFrame, freq: str, by: str | None) -> pd.DataFrame:
    """Periods down, groups across: Σ deposit / Σ withdraw where Σ withdraw is above 0."""
    period = pd.Grouper(key="date", freq=freq)
    sums = frame.groupby([period, "group"]).agg(
        deposit=("deposit", "sum"), withdraw=("withdraw", "sum")
    )
    ratio = (sums["deposit"] / sums["withdraw"]).where(sums["withdraw"] > 0)
    table = ratio.unstack("group")
    if table.empty:
        table = pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    groups = [str(g) for g in table.columns]
    order = [g for g in EXTERIORS if g in groups] if by == "exterior" else sorted(groups)
    table = table.reindex(columns=order)
    table.columns = pd.Index(order, name=by or "all", dtype="object")
    table.index.name = "date"
    return table.astype("float64")
