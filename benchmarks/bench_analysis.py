"""Benchmark: every public analysis function against the shortest pandas giving its numbers.

Issue 24. Pure in-process work: the sandbox runs once, in this process, only to build the
input. Its demo batch (``sandbox.serve()`` + ``AssetPayClient.inventories``, 6 accounts,
1,692 items, the frame builder's Arrow-backed and categorical dtypes) is tiled to each
size: copy ``k`` of account ``j`` is a new account (SteamID ``76561198000000000 + 8k + j``)
and every item gets a new ``item_id`` and ``asset_id``, so 1M rows hold ~3,500 accounts
(empty ones included, listed in ``attrs["steam_ids"]`` as a batch lists them). Inputs:

- the inventory: the tiled frame, its attrs those of a batch (request ids, errors, ...);
- ``compare``: that frame as before; after drops 5% of its rows, gains 5% new items and
  has 30% of its offers cut 3%, so added, removed and kept are all large;
- ``payout_trend``: the frame with ``taken_at`` spread over 30 daily snapshots.

Each function (``analysis.__all__`` working on inventories: priced, price_gap, summary,
by_exterior, by_group on weapon+skin, by_account, exterior_ladder, wear_bands, outliers,
sticker_effect, compare, payout_trend) has beside it an expert's version: what someone
fluent in pandas writes in a few lines with groupby/agg/merge for the same numbers, on the
frame as it is. Both outputs are ASSERTED equal before anything is timed
(``assert_frame_equal`` / ``assert_series_equal``, floats to rtol 1e-9, since sums in
another order differ in the last bits). Relaxed where the expert's dtypes differ, values
still compared: ``compare``'s ``kept`` (``check_dtype=False``: the function's values are
float64 with NaN and its keys ``str``, the expert's Float64 and object) and
``exterior_ladder``'s index and columns (the function's index is ``str``, the expert's
``string``; its columns' categories sort by name). The ``df.assetpay.*`` methods are
checked equal too and timed at 100k rows or fewer. The price-book functions
(offer_vs_catalogue: ``bench_catalogue``; catalogue_spread, compare_prices, deposit_trend,
on books of ~30k rows) and ``formatted`` are not here.

Repetitions of every case are interleaved in one shuffled order (fixed seed) per size;
the checks, run first, are the warm-up.
Rows: the expert ("baseline"), then the function (and the accessor) as a cost, case
median / expert median ("x expert", SMALLER IS BETTER, goal <= 1.5); with several sizes,
per function the linearity: its median at the largest size / at the smallest (unit "x"),
against the ratio of rows (50 for 5M / 100k).

``--quick``: 100k rows only, 2 repetitions.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [--sizes 100000 1000000 5000000]
[--repeat 3] [--only NAME ...] [--quick] [--seed 0] [--json PATH]``
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal, assert_series_equal

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report, stopwatch

import assetpay_analytics as apa
from assetpay_analytics import analysis
from assetpay_analytics.analysis import GROUP_COLUMNS
from assetpay_analytics.constants import (
    EXTERIOR_FLOAT_RANGES,
    EXTERIORS,
    NO_EXTERIOR,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)

BENCHMARK = "analysis"
SIZES = (100_000, 1_000_000, 5_000_000)
QUICK_SIZES, QUICK_REPEAT = [100_000], 2
RTOL = 1e-9
BASE_ID = 76_561_198_000_000_000


# --- the input --------------------------------------------------------------------------
def sandbox_batch() -> pd.DataFrame:
    """The sandbox's demo batch, fetched over HTTP from an in-process server."""
    with apa.sandbox.serve() as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        return client.inventories(box.trade_urls, progress=False)


def _suffixed(values: pd.Series, copies: np.ndarray, n: int) -> Any:
    """``value-k`` for each tiled row (distinct ids across copies), in the column's dtype."""
    base = values.astype(object).to_numpy()
    rows = np.arange(n) % len(base)
    text = [f"{base[i]}-{k}" for i, k in zip(rows.tolist(), copies.tolist(), strict=True)]
    return pd.Series(text, dtype=values.dtype).array


def tiled(base: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows: copies of ``base``, each copy's accounts and item ids new (see above)."""
    accounts = [str(s) for s in base.attrs["steam_ids"]]
    position = {s: j for j, s in enumerate(accounts)}
    copies = np.arange(n) // len(base)
    out = base.take(np.arange(n) % len(base)).reset_index(drop=True)
    slot = base["steam_id"].astype(str).map(position).to_numpy()[np.arange(n) % len(base)]
    ids = BASE_ID + 8 * copies + slot
    names = [str(BASE_ID + 8 * k + j) for k in range(int(copies[-1]) + 1) for j in range(8)]
    codes = ids - BASE_ID  # names are in increasing order: their position is the code
    out["steam_id"] = pd.Categorical.from_codes(
        codes, categories=pd.Index(names)
    ).remove_unused_categories()
    for column in ("item_id", "asset_id"):
        out[column] = _suffixed(base[column], copies, n)
    listed = [BASE_ID + 8 * k + j for k in range(int(copies[-1]) + 1) for j in range(len(accounts))]
    out.attrs = {**base.attrs, "steam_ids": [str(s) for s in listed], "count": n,
                 "request_ids": [f"bench-{i}" for i in range(len(listed))]}  # fmt: skip
    return out


def snapshot_after(before: pd.DataFrame) -> pd.DataFrame:
    """``before`` a while later: 5% of its rows gone, 5% new items, 30% of offers cut 3%."""
    rng = np.random.default_rng(24)
    n = len(before)
    kept = before[rng.random(n) >= 0.05]
    new = before.take(rng.choice(n, size=n // 20, replace=False)).copy()
    ids = [f"new-{i}" for i in range(len(new))]
    new["item_id"] = pd.Series(ids, index=new.index, dtype=before["item_id"].dtype)
    after = apa.frame.concat([kept, new]).reset_index(drop=True)
    cut = rng.random(len(after)) < 0.30
    offer = after["offer_price"]
    after["offer_price"] = offer.where(~cut, (offer * 0.97).round(2))
    after.attrs = dict(before.attrs)
    return after


def history_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as 30 daily snapshots (``taken_at``), as ``store.load()`` stacks them."""
    days = np.arange(len(frame)) * 30 // len(frame)
    start = pd.Timestamp("2026-06-01T09:00Z")
    return frame.assign(taken_at=start + pd.to_timedelta(days, unit="D"))


# --- the experts ------------------------------------------------------------------------
def _columns(df: pd.DataFrame) -> pd.DataFrame:
    """The per-row numbers an expert writes once: priced, units, values, ratio, wear."""
    m, o = df["market_price"], df["offer_price"]
    ok = m.gt(0).fillna(False) & o.notna() & df["offer_accepted"].fillna(True)
    n = df["amount"].fillna(1).clip(lower=1) if "amount" in df else 1
    mv = m * n
    return pd.DataFrame(
        {
            "ok": ok.astype(bool),
            "n": n,
            "mv": mv,
            "pm": mv.where(ok),
            "po": (o * n).where(ok),
            "r": (o / m).where(ok),
            "wear": df["wear"],
        }
    )


def _table(parts: pd.DataFrame, keys: Any, **groupby: Any) -> pd.DataFrame:
    g = parts.groupby(keys, **groupby).agg(
        items=("ok", "size"), units=("n", "sum"), priced_items=("ok", "sum"),
        market_value=("mv", "sum"), priced_market_value=("pm", "sum"),
        offer_value=("po", "sum"), median_payout_ratio=("r", "median"),
        mean_wear=("wear", "mean"),
    )  # fmt: skip
    pm = g["priced_market_value"]
    g["payout_ratio"] = (g["offer_value"] / pm).where(pm > 0)
    return (
        g[list(GROUP_COLUMNS)]
        .astype("float64")
        .astype({"items": "int64", "units": "int64", "priced_items": "int64"})
    )


def expert_priced(df: pd.DataFrame) -> pd.Series:
    ok = df["market_price"].gt(0).fillna(False) & df["offer_price"].notna()
    return (ok & df["offer_accepted"].fillna(True)).astype(bool)


def expert_price_gap(df: pd.DataFrame) -> pd.DataFrame:
    ok = expert_priced(df)
    m, o = df["market_price"], df["offer_price"]
    ratio = (o / m).where(ok)
    return df.assign(spread=(m - o).where(ok), payout_ratio=ratio, discount_pct=1 - ratio)


def expert_summary(df: pd.DataFrame) -> pd.Series:
    p = _columns(df)
    pm, offers = p["pm"].sum(), df["offer_price"].notna()
    return pd.Series({
        "items": len(df), "units": int(p["n"].sum()),
        "tradable_items": int(df["tradable"].fillna(False).sum()),
        "priced_items": int(p["ok"].sum()), "market_value": float(p["mv"].sum()),
        "priced_market_value": float(pm), "offer_value": float(p["po"].sum()),
        "payout_ratio": float(p["po"].sum() / pm) if pm > 0 else np.nan,
        "median_payout_ratio": float(p["r"].median()),
        "accepted_share": float((offers & df["offer_accepted"].ne(False)).sum() / offers.sum()),
    }, name="summary", dtype=object)  # fmt: skip


def expert_by_exterior(df: pd.DataFrame) -> pd.DataFrame:
    exterior = df["exterior"].cat.add_categories(NO_EXTERIOR).fillna(NO_EXTERIOR)
    return _table(_columns(df), exterior, observed=False)


def expert_by_group(df: pd.DataFrame) -> pd.DataFrame:
    table = _table(_columns(df), [df["weapon"], df["skin"]], observed=True, dropna=False)
    return table.sort_values("market_value", ascending=False, kind="stable")


def expert_by_account(df: pd.DataFrame) -> pd.DataFrame:
    named = list(dict.fromkeys(df.attrs["steam_ids"]))
    accounts = named + sorted(set(df["steam_id"].dropna().unique()) - set(named))
    table = _table(_columns(df), df["steam_id"], observed=True).reindex(accounts)
    filled = [
        "items", "units", "priced_items", "market_value", "priced_market_value", "offer_value",
    ]  # fmt: skip
    table[filled] = table[filled].fillna(0).astype({"items": "int64", "priced_items": "int64"})
    table.index.name = "account"
    return table


def _skin_label(df: pd.DataFrame) -> pd.Series:
    mark = np.where(df["stattrak"], STATTRAK_PREFIX, np.where(df["souvenir"], "Souvenir ", ""))
    prefix = pd.Series(np.char.add(np.where(df["star"], STAR_PREFIX, ""), mark), index=df.index)
    return prefix + df["weapon"].astype("string") + " | " + df["skin"].astype("string")


def expert_exterior_ladder(df: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "skin": _skin_label(df),
            "exterior": df["exterior"],
            "ratio": (df["offer_price"] / df["market_price"]).where(expert_priced(df)),
            "market": df["market_price"].fillna(0),
        }
    ).dropna(subset=["skin", "exterior"])
    table = rows.pivot_table(index="skin", columns="exterior", values="ratio",
                             aggfunc="median", observed=False).astype("float64")  # fmt: skip
    order = rows.groupby("skin")["market"].sum().sort_values(ascending=False, kind="stable")
    return table.reindex(order.index[order.index.isin(table.index)])


def expert_wear_bands(df: pd.DataFrame) -> pd.DataFrame:
    rows = df[df["exterior"].notna() & df["wear"].notna()]
    low = rows["exterior"].map({e: r[0] for e, r in EXTERIOR_FLOAT_RANGES.items()}).astype(float)
    high = rows["exterior"].map({e: r[1] for e, r in EXTERIOR_FLOAT_RANGES.items()}).astype(float)
    position = ((rows["wear"].astype(float) - low) / (high - low)).clip(0, 1)
    edges = np.linspace(0, 100, 11)
    labels = [f"{edges[i]:.0f}–{edges[i + 1]:.0f}%" for i in range(10)]
    codes = np.minimum((position * 10).to_numpy().astype("int64"), 9)
    band = pd.Series(pd.Categorical.from_codes(codes, pd.Index(labels), ordered=True),
                     index=rows.index, name="wear_band")  # fmt: skip
    return _table(_columns(rows), [rows["exterior"], band], observed=True)


def expert_outliers(df: pd.DataFrame) -> pd.DataFrame:
    ok = expert_priced(df)
    ratio = (df["offer_price"] / df["market_price"])[ok].astype(float)
    exterior = df.loc[ok, "exterior"]

    def mad(r: pd.Series) -> Any:
        return 1.4826 * (r - r.median()).abs().median()

    groups = ratio.groupby(exterior, observed=True)
    big = groups.transform("size").ge(8) & exterior.notna()
    median = groups.transform("median").where(big, ratio.median())
    scale = groups.transform(mad).where(big, mad(ratio))
    scale = scale.where(scale > 0, mad(ratio))
    deviation = (ratio - median) / scale.where(scale > 0)
    far = deviation.abs() > 3
    out = expert_price_gap(df[ok][far]).assign(
        reference_median=median[far], deviation=deviation[far]
    )
    return out.loc[deviation[far].abs().sort_values(ascending=False, kind="stable").index]


def expert_sticker_effect(df: pd.DataFrame) -> pd.DataFrame:
    rows = df[df["weapon"].notna() & ~df["star"]]
    count = rows["sticker_count"].fillna(0)
    has = count.gt(0).map({False: "without stickers", True: "with stickers"})
    by_has = _table(_columns(rows), has.rename("stickers"))
    by_has = by_has.reindex(["without stickers", "with stickers"])
    filled = ["items", "priced_items", "market_value", "priced_market_value", "offer_value"]
    by_has[filled] = by_has[filled].fillna(0).astype({"items": "int64", "priced_items": "int64"})
    stuck = rows[count > 0]
    by_count = _table(_columns(stuck), stuck["sticker_count"].rename("stickers"))
    by_count.index = [f"{n} sticker{'s' if n > 1 else ''}" for n in by_count.index]
    return pd.concat([by_has, by_count]).rename_axis("stickers")


KEY = ["steam_id", "item_id"]
DESCRIBE = ["name", "market_hash_name", "weapon", "skin", "exterior"]


def _side(df: pd.DataFrame) -> pd.DataFrame:
    ok = expert_priced(df)
    return pd.DataFrame({
        "steam_id": df["steam_id"].astype(str), "item_id": df["item_id"].astype(str),
        **{c: df[c] for c in DESCRIBE}, "skin_label": _skin_label(df),
        "market_price": df["market_price"], "offer_price": df["offer_price"],
        "payout_ratio": (df["offer_price"] / df["market_price"]).where(ok), "priced": ok,
    })  # fmt: skip


def _sums(kept: pd.DataFrame, added: pd.DataFrame, removed: pd.DataFrame, by: str) -> Any:
    both = kept[kept["priced_both"]]
    key = both[by] if by == "exterior" else both[by].astype("string").rename("skin")
    sums = both.groupby(key, observed=True).agg(
        kept_priced=("item_id", "size"), ob=("offer_price_before", "sum"),
        mb=("market_price_before", "sum"), oa=("offer_price_after", "sum"),
        ma=("market_price_after", "sum"),
    ).astype("float64")  # fmt: skip
    if by == "exterior":
        sums = sums.reindex(
            pd.CategoricalIndex(EXTERIORS, EXTERIORS, ordered=True, name="exterior")
        )
        sums["kept_priced"] = sums["kept_priced"].fillna(0)
    out = pd.DataFrame(
        {
            "kept_priced": sums["kept_priced"].astype("int64"),
            "payout_ratio_before": (sums["ob"] / sums["mb"]).where(sums["mb"] > 0),
            "payout_ratio_after": (sums["oa"] / sums["ma"]).where(sums["ma"] > 0),
        }
    )
    out["payout_ratio_change"] = out["payout_ratio_after"] - out["payout_ratio_before"]
    out["offer_value_change"] = sums["oa"] - sums["ob"]
    for name, rows in (("added", added), ("removed", removed)):
        labels = rows["exterior"] if by == "exterior" else _skin_label(rows)
        out[name] = labels.value_counts().reindex(out.index, fill_value=0).astype("int64")
    return (
        out if by == "exterior" else out.sort_values("kept_priced", ascending=False, kind="stable")
    )


def expert_compare(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, Any]:
    old, new = _side(before), _side(after)
    kept = old.drop(columns=[*DESCRIBE, "skin_label"]).merge(
        new, on=KEY, suffixes=("_before", "_after")
    )
    side = new[KEY].merge(old[KEY], how="left", indicator=True)["_merge"].eq("left_only")
    gone = old[KEY].merge(new[KEY], how="left", indicator=True)["_merge"].eq("left_only")
    added = after[side.to_numpy()].reset_index(drop=True)
    removed = before[gone.to_numpy()].reset_index(drop=True)
    for value in ("market_price", "offer_price", "payout_ratio"):
        kept[f"{value}_change"] = kept[f"{value}_after"] - kept[f"{value}_before"]
    kept["priced_both"] = kept.pop("priced_before") & kept.pop("priced_after")
    order = [*KEY, *DESCRIBE, "skin_label"] + [f"{v}_{w}" for v in ("market_price", "offer_price",
             "payout_ratio") for w in ("before", "after", "change")] + ["priced_both"]  # fmt: skip
    kept = kept[order]
    tables = {}
    for frame, when in ((before, "before"), (after, "after")):
        tables[when] = _table(_columns(frame), frame["steam_id"].astype(str))
    accounts = sorted(set(before.attrs["steam_ids"]) | set(after.attrs["steam_ids"]))
    account = pd.DataFrame(index=pd.Index(accounts, name="steam_id", dtype="string"))
    for when in ("before", "after"):
        account[f"items_{when}"] = tables[when]["items"].reindex(accounts, fill_value=0).to_numpy()
    for name, rows in (("added", added), ("removed", removed), ("kept", kept)):
        counts = rows["steam_id"].astype(str).value_counts()
        account[name] = counts.reindex(accounts, fill_value=0).to_numpy()
    for value in ("market_value", "offer_value", "payout_ratio"):
        empty = np.nan if value == "payout_ratio" else 0.0
        for when in ("before", "after"):
            got = tables[when][value].reindex(accounts, fill_value=empty)
            account[f"{value}_{when}"] = got.to_numpy()
        account[f"{value}_change"] = account[f"{value}_after"] - account[f"{value}_before"]
    return {"added": added, "removed": removed, "kept": kept, "by_account": account,
            "by_exterior": _sums(kept, added, removed, "exterior"),
            "by_skin": _sums(kept, added, removed, "skin_label")}  # fmt: skip


def expert_payout_trend(history: pd.DataFrame) -> pd.DataFrame:
    p = _columns(history)
    t = pd.DataFrame({"taken_at": history["taken_at"], "g": history["exterior"],
                      "o": p["po"].fillna(0), "m": p["pm"].fillna(0)})  # fmt: skip
    s = t.groupby([pd.Grouper(key="taken_at", freq="D"), "g"], observed=True).sum()
    table = (s["o"] / s["m"]).where(s["m"] > 0).unstack("g").astype("float64")
    table.columns = pd.Index([str(c) for c in table.columns], name="exterior", dtype=object)
    return table


# --- the checks -------------------------------------------------------------------------
def same_frame(got: pd.DataFrame, want: pd.DataFrame, **kw: Any) -> None:
    assert_frame_equal(got, want, check_exact=False, rtol=RTOL, **kw)


def check_summary(got: pd.Series, want: pd.Series) -> None:
    assert_series_equal(pd.Series(got, dtype=object).astype(float), want.astype(float),
                        check_exact=False, rtol=RTOL)  # fmt: skip
    assert got.index.tolist() == want.index.tolist()


def check_ladder(got: pd.DataFrame, want: pd.DataFrame) -> None:
    # the function's index is "str" (the expert's "string") and its columns' categories
    # are sorted by name (the expert's in exterior order): values and labels compared
    same_frame(got, want, check_index_type=False, check_column_type=False, check_categorical=False)


def check_compare(got: Any, want: dict[str, Any]) -> None:
    for part in ("added", "removed", "by_exterior", "by_skin", "by_account"):
        same_frame(getattr(got, part), want[part])
    # dtypes differ (the function's prices are float64 with NaN, its keys object), values not
    kept = want["kept"].astype(
        {c: "float64" for c in want["kept"].columns if "_b" in c or "_a" in c or "_ch" in c}
    )
    same_frame(got.kept, kept, check_dtype=False)


def check_trend(got: pd.DataFrame, want: pd.DataFrame) -> None:
    same_frame(got, want.reindex(columns=got.columns), check_freq=False)


Case = tuple[str, Callable[..., Any], Callable[..., Any], Callable[[Any, Any], None], str]
CASES: list[Case] = [
    ("priced", analysis.priced, expert_priced,
     lambda g, w: assert_series_equal(g, w, check_names=False), "inventory"),
    ("price_gap", analysis.price_gap, expert_price_gap, same_frame, "inventory"),
    ("summary", analysis.summary, expert_summary, check_summary, "inventory"),
    ("by_exterior", analysis.by_exterior, expert_by_exterior, same_frame, "inventory"),
    ("by_group(weapon, skin)", lambda df: analysis.by_group(df, ["weapon", "skin"]),
     expert_by_group, same_frame, "inventory"),
    ("by_account", analysis.by_account, expert_by_account, same_frame, "inventory"),
    ("exterior_ladder", analysis.exterior_ladder, expert_exterior_ladder, check_ladder,
     "inventory"),
    ("wear_bands", analysis.wear_bands, expert_wear_bands, same_frame, "inventory"),
    ("outliers", analysis.outliers, expert_outliers, same_frame, "inventory"),
    ("sticker_effect", analysis.sticker_effect, expert_sticker_effect, same_frame, "inventory"),
    ("compare", analysis.compare, expert_compare, check_compare, "snapshots"),
    ("payout_trend", analysis.payout_trend, expert_payout_trend, check_trend, "history"),
]  # fmt: skip
ACCESSOR = {"priced": "priced", "price_gap": "price_gap", "summary": "summary",
            "by_exterior": "by_exterior", "by_account": "by_account",
            "exterior_ladder": "exterior_ladder", "wear_bands": "wear_bands",
            "outliers": "outliers", "sticker_effect": "sticker_effect",
            "compare": "compare", "payout_trend": "payout_trend"}  # fmt: skip


def inputs_of(base: pd.DataFrame, n: int) -> dict[str, tuple[pd.DataFrame, ...]]:
    inventory = tiled(base, n)
    return {"inventory": (inventory,), "snapshots": (inventory, snapshot_after(inventory)),
            "history": (history_of(inventory),)}  # fmt: skip


def accessor_call(name: str, args: tuple[pd.DataFrame, ...]) -> Any:
    return getattr(args[0].assetpay, ACCESSOR[name])(*args[1:])


def measure_size(
    inputs: dict[str, tuple[pd.DataFrame, ...]],
    cases: Sequence[Case],
    repeat: int,
    seed: int,
    accessor: bool,
) -> dict[str, list[float]]:
    """Check every case against its expert, then time them all, interleaved."""
    tasks: dict[str, Callable[[], float]] = {}
    for name, fn, expert, check, kind in cases:
        args = inputs[kind]
        got = fn(*args)
        check(got, expert(*args))
        tasks[f"{name}: expert"] = stopwatch(functools.partial(expert, *args))
        tasks[f"{name}: project"] = stopwatch(functools.partial(fn, *args))
        if accessor and name in ACCESSOR:
            check(accessor_call(name, args), expert(*args))
            tasks[f"{name}: df.assetpay"] = stopwatch(functools.partial(accessor_call, name, args))
        del got
    return interleaved(tasks, repeat, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="rows (100k, 1M, 5M)")
    parser.add_argument("--only", nargs="+", help="these functions only")
    parser.add_argument("--quick", action="store_true", help="100k rows, 2 repetitions")
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    sizes: list[int] = args.sizes or (QUICK_SIZES if args.quick else list(SIZES))
    repeat: int = QUICK_REPEAT if args.quick and args.repeat == 3 else args.repeat
    cases = [c for c in CASES if not args.only or c[0].split("(")[0] in args.only]
    base = sandbox_batch()
    rows: list[Row] = []
    medians: dict[tuple[str, int], float] = {}
    for i, n in enumerate(sizes):
        start = time.perf_counter()
        inputs = inputs_of(base, n)
        accounts = inputs["inventory"][0]["steam_id"].nunique()
        print(f"{n:,} rows ({accounts:,} accounts) built in {time.perf_counter() - start:.1f} s",
              file=sys.stderr)  # fmt: skip
        times = measure_size(inputs, cases, repeat, args.seed + i, accessor=n <= 100_000)
        for name, *_ in cases:
            expert = times[f"{name}: expert"]
            what = f"{name}, {n:,} rows"
            rows.append(make_row(BENCHMARK, f"{what}: expert", "s", expert,
                                 note=f"baseline: hand-written pandas, checked equal; "
                                      f"{accounts:,} accounts"))  # fmt: skip
            for variant in ("project", "df.assetpay"):
                if f"{name}: {variant}" in times:
                    rows.append(make_row(BENCHMARK, f"{what}: {variant}", "s",
                                         times[f"{name}: {variant}"], baseline=("expert", expert),
                                         note="goal <= 1.5x expert", kind="cost"))  # fmt: skip
            medians[(name, n)] = statistics.median(times[f"{name}: project"])
        del inputs
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name, *_ in cases:
            grown = medians[(name, large)] / medians[(name, small)]
            rows.append(make_row(BENCHMARK, f"{name}: time at {large:,} / at {small:,}", "x",
                                 [grown], note=f"linear: {large / small:.0f}"))  # fmt: skip
    report(rows, args.json)


if __name__ == "__main__":
    main()
