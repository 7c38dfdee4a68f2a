"""Benchmark: the price book, a body -> frame, and ``offer_vs_catalogue`` on a big inventory.

Issue 21 §7. Pure in-process work: no HTTP, no sandbox process. The inputs are built
once per run, deterministically (``--seed`` changes only the order of the runs):

- the book: ``--entries`` entries (30,000, about the CS2 catalogue) shaped exactly as
  ``GET /secure/prices`` sends them (``shared/assetpay-api.md`` §4), with the sandbox
  book's values (``sandbox.book.entry_json``) as templates, each name made distinct by a
  variant number ("AK-47 | Redline 17 (Minimal Wear)"), prices scaled per variant; 5% are
  Doppler entries with 4 to 6 ``phases[]`` (the entry's own values are its cheapest
  phase's). About 3% have ``itemId: null`` and null withdraw prices, as the sandbox's.
- the inventory: ``--rows`` rows (1,000,000) built by ``frame.from_body`` from pages of
  100,000 compact items: names drawn from the book's (90%), Doppler items with a
  ``doppler.name`` phase (5%: mostly a phase the book lists, else one it does not, which
  falls back to the entry's own row), names the book lacks (5%); offers at the book's
  deposit, a few cents off it, or absent.

Measured, repetitions interleaved in a shuffled order (fixed seed), after one untimed
warm-up run of each:

1. Book to frame. project: ``read_book(body)`` then ``book_frame(..., game="730")``
   (what ``client.prices`` does per body), its name caches (``parse_name``,
   ``exterior_suffix``) cleared before each run, outside the time (a session reads a
   book once). Baselines:

   - floor: ``orjson.loads`` + the same rows (each entry, then its phases) as one
     Python list per column (prices as NumPy arrays) in one tight loop, GC paused: the
     eight data columns, no name parsing and no DataFrame (the "orjson column floor" of
     ``bench_frame``); checked equal to the project's columns before timing;
   - floor + names: the floor plus the six name columns (weapon, skin, exterior and the
     marks) from a tight hand-written parse of each name, checked equal to the project's;
   - json_normalize: ``json.loads`` + ``pd.json_normalize`` of the entries and of their
     phases (with the entry's name and id), concatenated (what users write; untyped).

   Ratios are costs, case / floor ("x floor"): SMALLER IS BETTER; the goal is 0.5x.

2. ``offer_vs_catalogue(inventory, book)`` against the shortest hand-written pandas
   ``merge`` giving the same numbers: a left merge on (game, market_hash_name, phase)
   against the book's phase rows, then one on (game, market_hash_name) against its entry
   rows, each with an indicator; the phase row's prices where one matched, else the
   entry's; ``in_catalogue`` = either matched; ``offer_minus_deposit`` = offer_price -
   deposit rounded to cents. (A ``fillna`` fallback would be shorter and wrong: a phase
   row's null instant price would take the entry's.) Both results are checked equal
   (the five columns, NA for NA, row for row) before any run is timed. Ratio: a cost,
   project / merge ("x merge"), smaller is better; the goal is 1.5x.

``--quick``: 3,000 entries, 100,000 rows and 2 repetitions (explicit flags win).

Run: ``.venv/bin/python benchmarks/bench_catalogue.py [--entries 30000] [--rows 1000000]
[--repeat 5] [--quick] [--seed 0] [--json PATH]``
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report, stopwatch

from assetpay_analytics import frame
from assetpay_analytics.analysis.catalogue import CATALOGUE_COLUMNS, offer_vs_catalogue
from assetpay_analytics.constants import (
    EXTERIORS,
    NON_SKIN_PREFIXES,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)
from assetpay_analytics.frame.bodies import gc_paused  # the floor pauses the GC as bench_reload's
from assetpay_analytics.frame.book import book_frame, read_book
from assetpay_analytics.frame.names import exterior_suffix, parse_name
from assetpay_analytics.sandbox import book as sandbox_book

BENCHMARK = "catalogue"
GAME = "730"
DOPPLER_SHARE = 0.05
#: Phases the sandbox's 6-phase Doppler entries list, and two they never do.
UNLISTED_PHASES = ("Black Pearl", "Emerald")
PAGE_ITEMS = 100_000
QUICK = {"entries": 3_000, "rows": 100_000, "repeat": 2}
FULL = {"entries": 30_000, "rows": 1_000_000, "repeat": 5}
Entry = dict[str, Any]


# --- the book -------------------------------------------------------------------------
def variant(name: str, k: int) -> str:
    """``name`` made distinct by ``k``, before its exterior suffix if it has one."""
    if k == 0:
        return name
    base, sep, exterior = name.rpartition(" (")
    if sep and name.endswith(")"):
        return f"{base} {k} ({exterior}"
    return f"{name} {k}"


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else round(value * factor, 2)


def _prices(template: Entry, factor: float) -> Entry:
    """``accepted``, ``deposit`` and ``withdraw`` of a template entry or phase, scaled."""
    withdraw = template["withdraw"]
    return {
        "accepted": template["accepted"],
        "deposit": _scaled(template["deposit"], factor),
        "withdraw": {
            "standard": _scaled(withdraw["standard"], factor),
            "instant": _scaled(withdraw["instant"], factor),
        },
    }


def make_book(n: int) -> list[Entry]:
    """``n`` CS2 entries with distinct names, 5% of them Doppler entries with phases."""
    rng = random.Random(f"book:{n}")
    templates = [sandbox_book.entry_json(entry) for entry in sandbox_book.entries(GAME)]
    plain = [t for t in templates if "phases" not in t]
    doppler = [t for t in templates if "phases" in t]
    six = [t["phases"] for t in doppler if len(t["phases"]) == 6]
    n_doppler = round(n * DOPPLER_SHARE)
    book: list[Entry] = []
    for i in range(n - n_doppler):
        template, k = plain[i % len(plain)], i // len(plain)
        item_id = None if template["itemId"] is None else str(uuid.UUID(int=rng.getrandbits(128)))
        name = variant(template["marketHashName"], k)
        factor = 1 + (k * 37 % 200) / 1000
        book.append({"itemId": item_id, "marketHashName": name, **_prices(template, factor)})
    for j in range(n_doppler):
        template, k = doppler[j % len(doppler)], j // len(doppler)
        factor = 1 + (k * 37 % 200) / 1000
        phases = [
            {"phase": phase["phase"], **_prices(phase, factor)}
            for phase in six[j % len(six)][: 4 + j % 3]
        ]
        cheapest = min(phases, key=lambda phase: phase["deposit"])
        entry = {
            "itemId": str(uuid.UUID(int=rng.getrandbits(128))),
            "marketHashName": variant(template["marketHashName"], k),
            "accepted": cheapest["accepted"],
            "deposit": cheapest["deposit"],
            "withdraw": dict(cheapest["withdraw"]),
            "phases": phases,
        }
        book.insert(rng.randrange(len(book) + 1), entry)
    if len({entry["marketHashName"] for entry in book}) != n:
        raise AssertionError("the synthetic book's names are not distinct")
    return book


def book_body(entries: list[Entry]) -> bytes:
    return orjson.dumps({"requestId": "bench-book", "success": True, "data": entries})


# --- the inventory --------------------------------------------------------------------
def _item(name: str, phase: str | None, price: float | None) -> dict[str, Any]:
    """A compact inventory item (``id`` set later)."""
    base, sep, exterior = name.rpartition(" (")
    item: dict[str, Any] = {
        "id": "",
        "appid": 730,
        "tradable": True,
        "name": base if sep and exterior.removesuffix(")") in EXTERIORS else name,
        "marketHashName": name,
        "offer": None if price is None else {"price": price, "accepted": True},
    }
    if phase is not None:
        item["doppler"] = {"name": phase}
    return item


def _offer(deposit: float, draw: float) -> float | None:
    """The book's deposit (80%), a few cents off it (15%) or no offer (5%)."""
    if draw < 0.80:
        return deposit
    if draw < 0.95:
        return round(deposit + (0.05 if draw < 0.875 else -0.03), 2)
    return None


def inventory_bodies(book: list[Entry], rows: int) -> list[bytes]:
    """``rows`` items drawn from the book (see the module docstring), as pages of bodies."""
    rng = random.Random(f"inventory:{len(book)}:{rows}")
    plain = [entry for entry in book if "phases" not in entry]
    doppler = [entry for entry in book if "phases" in entry]
    bodies: list[bytes] = []
    for start in range(0, rows, PAGE_ITEMS):
        items = []
        for i in range(start, min(rows, start + PAGE_ITEMS)):
            kind, draw = rng.random(), rng.random()
            if kind < 0.90:
                entry = plain[rng.randrange(len(plain))]
                item = _item(entry["marketHashName"], None, _offer(entry["deposit"], draw))
            elif kind < 0.95:
                entry = doppler[rng.randrange(len(doppler))]
                phases = entry["phases"]
                if rng.random() < 0.9:
                    phase = phases[rng.randrange(len(phases))]
                    name, deposit = phase["phase"], phase["deposit"]
                else:  # a phase the book does not list: the entry's own row
                    name, deposit = rng.choice(UNLISTED_PHASES), entry["deposit"]
                item = _item(entry["marketHashName"], name, _offer(deposit, draw))
            else:
                name = f"Unlisted Case {rng.randrange(2_000)}"
                item = _item(name, None, round(1 + draw, 2))
            item["id"] = f"enc_{i:012x}"
            items.append(item)
        data = {"inventory": items, "count": rows, "updatedAt": "2026-06-01T09:30:00Z",
                "collateral": 0}  # fmt: skip
        bodies.append(orjson.dumps({"requestId": f"bench-{start}", "success": True, "data": data}))
    return bodies


# --- book to frame ---------------------------------------------------------------------
def project_book(body: bytes) -> pd.DataFrame:
    """What ``client.prices`` does with a body."""
    reading = read_book(body)
    if reading is None:
        raise AssertionError("Arrow refused the synthetic book")
    return book_frame(reading, game=GAME)


def clear_name_caches() -> None:
    parse_name.cache_clear()
    exterior_suffix.cache_clear()


def floor_book(body: bytes) -> dict[str, Any]:
    """``orjson.loads`` + the eight data columns, entry then phases, in one tight loop."""
    with gc_paused():
        names: list[str] = []
        phases: list[str | None] = []
        ids: list[str | None] = []
        accepted: list[bool] = []
        deposit: list[float] = []
        standard: list[float | None] = []
        instant: list[float | None] = []
        add_name, add_phase, add_id = names.append, phases.append, ids.append
        add_accepted, add_deposit = accepted.append, deposit.append
        add_standard, add_instant = standard.append, instant.append
        for entry in orjson.loads(body)["data"]:
            name, item_id, withdraw = entry["marketHashName"], entry["itemId"], entry["withdraw"]
            add_name(name)
            add_phase(None)
            add_id(item_id)
            add_accepted(entry["accepted"])
            add_deposit(entry["deposit"])
            add_standard(withdraw["standard"])
            add_instant(withdraw["instant"])
            for phase in entry.get("phases") or ():
                withdraw = phase["withdraw"]
                add_name(name)
                add_phase(phase["phase"])
                add_id(item_id)
                add_accepted(phase["accepted"])
                add_deposit(phase["deposit"])
                add_standard(withdraw["standard"])
                add_instant(withdraw["instant"])
        return {
            "game": [GAME] * len(names),
            "market_hash_name": names,
            "phase": phases,
            "item_id": ids,
            "accepted": np.array(accepted, dtype=bool),
            "deposit": np.array(deposit, dtype=np.float64),
            "withdraw_standard": np.array(standard, dtype=np.float64),  # None -> NaN
            "withdraw_instant": np.array(instant, dtype=np.float64),
        }


_SUFFIXES = {f" ({exterior})": exterior for exterior in EXTERIORS}


def _parse(name: str) -> tuple[str | None, str | None, str | None, bool, bool, bool]:
    """weapon, skin, exterior, stattrak, souvenir, star: a tight hand-written parse."""
    star = name.startswith(STAR_PREFIX)
    rest = name[len(STAR_PREFIX) :] if star else name
    stattrak = rest.startswith(STATTRAK_PREFIX)
    souvenir = not stattrak and rest.startswith(SOUVENIR_PREFIX)
    base = rest[10:] if stattrak else rest[9:] if souvenir else rest
    cut = name.rfind(" (")
    exterior = _SUFFIXES.get(name[cut:]) if cut >= 0 else None
    if base.startswith(NON_SKIN_PREFIXES):
        return None, None, exterior, stattrak, souvenir, star
    weapon, bar, skin = base.partition(" | ")
    if not bar:
        return (base if star else None), None, exterior, stattrak, souvenir, star
    if exterior is not None:
        skin = skin[: len(skin) - len(exterior) - 3]
    return weapon, skin, exterior, stattrak, souvenir, star


NAME_COLUMNS = ("weapon", "skin", "exterior", "stattrak", "souvenir", "star")


def floor_names(body: bytes) -> dict[str, Any]:
    """The floor plus the six name columns, each distinct name parsed once."""
    columns = floor_book(body)
    with gc_paused():
        parsed: dict[str, tuple[Any, ...]] = {}
        rows = []
        for name in columns["market_hash_name"]:
            one = parsed.get(name)
            if one is None:
                one = parsed[name] = _parse(name)
            rows.append(one)
        weapon, skin, exterior, stattrak, souvenir, star = zip(*rows, strict=True)
        columns |= {"weapon": list(weapon), "skin": list(skin), "exterior": list(exterior),
                    "stattrak": np.array(stattrak, dtype=bool),
                    "souvenir": np.array(souvenir, dtype=bool),
                    "star": np.array(star, dtype=bool)}  # fmt: skip
    return columns


_META = ["marketHashName", "itemId", "accepted", "deposit", "withdraw"]


def normalize_book(body: bytes) -> pd.DataFrame:
    """``json.loads`` + ``pd.json_normalize`` of the entries and of their phases."""
    data = json.loads(body)["data"]
    own = pd.json_normalize(data)
    phases = pd.json_normalize(
        [entry for entry in data if entry.get("phases")],
        record_path="phases",
        meta=["marketHashName", "itemId"],
    )
    return pd.concat([own.drop(columns="phases", errors="ignore"), phases], ignore_index=True)


def _same(name: str, got: Sequence[Any], expected: Sequence[Any]) -> None:
    def equal(a: Any, b: Any) -> bool:
        return bool(pd.isna(b)) if pd.isna(a) else not pd.isna(b) and bool(a == b)

    if len(got) != len(expected) or not all(map(equal, got, expected)):
        raise AssertionError(f"the floor's {name} differs from the project's")


def check_floors(body: bytes) -> None:
    """The floors build the project's rows and values (a wrong fast floor must not count)."""
    df = project_book(body)
    columns = floor_names(body)
    for name, values in columns.items():
        expected = df[name].astype(object).tolist()
        _same(name, list(values), expected)


def cold(fn: Callable[[], object]) -> Callable[[], float]:
    """A stopwatch task that clears the name caches first, outside its time."""
    timed = stopwatch(fn)

    def task() -> float:
        clear_name_caches()
        return timed()

    return task


BOOK_CASES: dict[str, Callable[[bytes], object]] = {
    "floor": floor_book,
    "floor + names": floor_names,
    "json_normalize": normalize_book,
    "project": project_book,
}


def measure_book(body: bytes, n: int, repeat: int, seed: int) -> list[Row]:
    check_floors(body)
    for builder in BOOK_CASES.values():  # warm-up: imports, pools, first-call costs
        builder(body)
    tasks = {name: cold(functools.partial(fn, body)) for name, fn in BOOK_CASES.items()}
    times = interleaved(tasks, repeat, seed)
    rows_note = f"{len(project_book(body)):,} rows, body {len(body) / 2**20:.1f} MiB"
    what = f"book of {n:,} entries"
    rows = [
        make_row(BENCHMARK, f"{what}: floor", "s", times["floor"],
                 note=f"baseline: orjson + 8 data columns as lists/arrays, GC paused; {rows_note}")
    ]  # fmt: skip
    notes = {
        "floor + names": "also the 6 name columns, hand-parsed",
        "json_normalize": "json.loads + json_normalize, entries + phases; untyped",
        "project": "read_book + book_frame (name caches cold); goal <= 0.5x floor",
    }
    medians = {name: float(np.median(values)) for name, values in times.items()}
    notes["project"] += f"; {medians['project'] / medians['floor + names']:.2f}x floor + names"
    for name in ("floor + names", "json_normalize", "project"):
        rows.append(
            make_row(BENCHMARK, f"{what}: {name}", "s", times[name],
                     baseline=("floor", times["floor"]), note=notes[name], kind="cost")
        )  # fmt: skip
    return rows


# --- offer_vs_catalogue --------------------------------------------------------------
KEYS = ["game", "market_hash_name"]
PRICES = ["deposit", "withdraw_standard", "withdraw_instant"]


def merge_baseline(inventory: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """The shortest hand-written pandas ``merge`` that gives offer_vs_catalogue's numbers."""
    phased = book["phase"].notna()
    out = inventory.merge(book.loc[phased, [*KEYS, "phase", *PRICES]], how="left",
                          on=[*KEYS, "phase"], indicator="by_phase")  # fmt: skip
    out = out.merge(book.loc[~phased, KEYS + PRICES], how="left", on=KEYS,
                    suffixes=("", "_own"), indicator="own")  # fmt: skip
    hit = out.pop("by_phase").eq("both")
    for column in PRICES:
        out[column] = out[column].where(hit, out.pop(f"{column}_own"))
    out["in_catalogue"] = hit | out.pop("own").eq("both")
    out["offer_minus_deposit"] = (out["offer_price"] - out["deposit"]).round(2)
    return out


def check_join(inventory: pd.DataFrame, book: pd.DataFrame) -> str:
    """Both give the same numbers, row for row; a note on what the data holds."""
    got, expected = offer_vs_catalogue(inventory, book), merge_baseline(inventory, book)
    if len(got) != len(inventory) or len(expected) != len(inventory):
        raise AssertionError("a join changed the number of rows")
    if not got["item_id"].equals(expected["item_id"]):
        raise AssertionError("the joins' rows are not in the same order")
    for column in CATALOGUE_COLUMNS:
        a = got[column].to_numpy(dtype="float64", na_value=np.nan)
        b = expected[column].to_numpy(dtype="float64", na_value=np.nan)
        if not np.array_equal(a, b, equal_nan=True):
            raise AssertionError(f"offer_vs_catalogue and the merge differ on {column}")
    found = got["in_catalogue"].to_numpy(dtype=bool)
    phase = inventory["phase"].notna().to_numpy()
    zero = got["offer_minus_deposit"].eq(0).fillna(False).to_numpy(dtype=bool)
    return (f"{found.mean():.1%} in the book, {phase.mean():.1%} with a phase, "
            f"{zero.mean():.1%} offer = deposit")  # fmt: skip


def measure_join(
    inventory: pd.DataFrame, book: pd.DataFrame, n: int, repeat: int, seed: int
) -> list[Row]:
    data_note = check_join(inventory, book)
    tasks = {
        "merge": stopwatch(functools.partial(merge_baseline, inventory, book)),
        "project": stopwatch(functools.partial(offer_vs_catalogue, inventory, book)),
    }
    for task in tasks.values():
        task()  # warm-up
    times = interleaved(tasks, repeat, seed)
    what = f"offer_vs_catalogue, {len(inventory):,} rows x {n:,} entries"
    return [
        make_row(BENCHMARK, f"{what}: pandas merge", "s", times["merge"],
                 note=f"baseline: two left merges + indicator, checked equal; {data_note}"),
        make_row(BENCHMARK, f"{what}: project", "s", times["project"],
                 baseline=("merge", times["merge"]), note="goal <= 1.5x merge", kind="cost"),
    ]  # fmt: skip


# --- command line ---------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, help="entries in the book (30,000)")
    parser.add_argument("--rows", type=int, help="inventory rows (1,000,000)")
    parser.add_argument("--quick", action="store_true", help="3,000 entries, 100k rows, 2 runs")
    add_common_args(parser, repeat=0)
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if not getattr(args, name):
            setattr(args, name, value)
    return args


def main() -> None:
    args = parse_args()
    start = time.perf_counter()
    book_entries = make_book(args.entries)
    body = book_body(book_entries)
    inventory = frame.from_body(inventory_bodies(book_entries, args.rows), game=GAME)
    book = project_book(body)
    print(f"inputs built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    rows = measure_book(body, args.entries, args.repeat, args.seed)
    rows += measure_join(inventory, book, args.entries, args.repeat, args.seed + 1)
    report(rows, args.json)


if __name__ == "__main__":
    main()
