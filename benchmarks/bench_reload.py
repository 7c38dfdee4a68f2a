"""Benchmark: a warm reload of many cached inventories into one frame, against floors.

A cache is filled once from a sandbox in another process: the generated accounts
with partner ids 1000 .. 1000 + ``--accounts`` - 1 (1,000 accounts, about 109,000
items, one page each). Then, repetitions interleaved in a shuffled order (fixed seed):

- project: a NEW client, ``AssetPayClient(api_key=..., base_url=url, cache=path)
  .inventories(urls, progress=False)``, every account served from the cache, into one
  frame (the client's construction is timed apart and given in the note);
- floor: the same bodies already in memory as bytes, then ``orjson.loads`` + one
  Python list per column + ``pd.DataFrame`` over every body's items concatenated
  (``bench_frame.floor_items``), with the garbage collector paused;
- in-memory build: the same bodies already in memory, parsed into the SAME typed
  frame the client returns, by the project's own builder (the endpoint's bulk Arrow
  reading ``INVENTORY.read_bodies`` + ``frame.build.from_accounts``, one steam id per
  body): what the project costs with no cache at all, so project / in-memory build is
  what reading from the cache adds;
- sqlite blobs + floor: the rows read from the cache's sqlite file with ``sqlite3``
  (table ``responses``), each decoded as requests-cache does (``SERIALIZER.loads``,
  cattrs + orjson, body in base64) to its ``.content``, then the floor (collector
  paused throughout);
- requests-cache reads alone: ``session.cache.responses.values()`` read to the end
  on a session built as the client builds it (``_session.build_session``);
- with ``--serializers`` on (the default): the reload through a client on a
  ``build_session`` session whose rows are pickles (requests-cache's default, the
  cache's format before) and through one with the safe rows (``SERIALIZER``, now),
  each on its own cache filled the same way (what the former ``bench_cache.py`` measured).

No row compares with network latency: the sandbox adds none, and every case reads
the cache or memory. Every ratio here is a cost: case median / floor median ("x
floor"), so SMALLER IS BETTER (1.00x floor would be as fast as the floor); the
project is also given as "x in-memory build", the safe rows as "x pickle" (above 1:
slower than pickle).

Run: ``.venv/bin/python benchmarks/bench_reload.py [--accounts 1000] [--repeat 3]
[--no-serializers] [--json PATH]``
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import requests
from requests_cache import CacheMixin
from requests_cache.models.response import CachedResponse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import (
    Row,
    add_common_args,
    interleaved,
    make_row,
    partner_urls,
    report,
    stopwatch,
)
from bench_client import sandbox_process
from bench_frame import floor_items

import assetpay_analytics as apa
from assetpay_analytics.constants import STEAM_ID64_BASE
from assetpay_analytics.endpoints.inventory import INVENTORY
from assetpay_analytics.fetch.budget import BudgetBook
from assetpay_analytics.fetch.cache import CacheLocation
from assetpay_analytics.fetch.page import Page
from assetpay_analytics.fetch.session import SERIALIZER, Routes, build_session
from assetpay_analytics.frame.bodies import gc_paused  # the floors pause the GC as the package does
from assetpay_analytics.frame.build import from_accounts
from assetpay_analytics.sandbox import SANDBOX_API_KEY

BENCHMARK = "reload"
#: The client's limit when verified (requests a minute), as the client builds it.
VERIFIED_PER_MINUTE = 10_000
Task = Callable[[], float]


def cached_session(path: Path, base_url: str, serializer: Any = SERIALIZER) -> requests.Session:
    """A session on the cache file ``path``, built as the client builds its own."""
    book = BudgetBook(
        None, "bench-reload", verified=True, limits={"inventory": VERIFIED_PER_MINUTE}
    )
    routes = Routes(book)
    routes.add(base_url + INVENTORY.path, INVENTORY)  # the endpoint it serves, as a client's
    return build_session(
        cache=CacheLocation(path, path), expire_after=None, routes=routes, serializer=serializer
    )


def session_client(base_url: str, session: requests.Session) -> apa.AssetPayClient:
    return apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, session=session)


def checked(df: pd.DataFrame, items: int) -> pd.DataFrame:
    """The frame, after checking that it is a complete warm reload."""
    if not df.attrs["from_cache"] or df.attrs["errors"] or len(df) != items:
        raise RuntimeError(f"not a warm reload: {len(df)} rows of {items}, {df.attrs['errors']}")
    return df


# --- the floors -----------------------------------------------------------------------
def floor(bodies: Sequence[bytes]) -> pd.DataFrame:
    """``bench_frame``'s floor over every body's items concatenated, collector paused."""
    with gc_paused():
        return floor_items([i for body in bodies for i in orjson.loads(body)["data"]["inventory"]])


def sqlite_bodies(path: Path) -> list[bytes]:
    """Every cached body, read from the sqlite file and decoded as requests-cache does."""
    return [body for _, body in keyed_bodies(path)]


def keyed_bodies(path: Path) -> list[tuple[str, bytes]]:
    """(steam id, body) of every cached row (the key's second part is the partner id)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT key, value FROM responses ORDER BY key").fetchall()
    finally:
        connection.close()
    return [
        (str(int(key.split(":")[1]) + STEAM_ID64_BASE), content(SERIALIZER.loads(blob)))
        for key, blob in rows
    ]


def in_memory_build(keyed: Sequence[tuple[str, bytes]]) -> pd.DataFrame:
    """The client's typed frame from bodies already in memory: its bulk reading and builder."""
    if INVENTORY.read_bodies is None:
        raise RuntimeError("the inventory endpoint has no bulk reading")
    readings = INVENTORY.read_bodies([body for _, body in keyed])
    accounts = []
    for (steam_id, body), fast in zip(keyed, readings, strict=True):
        if fast is None:
            raise RuntimeError("a cached body the Arrow reading refused")
        accounts.append((steam_id, [Page(None, fast.request_id, True, arrow=fast, body=body)]))
    return from_accounts(accounts)


def content(response: CachedResponse | None) -> bytes:
    if response is None:
        raise RuntimeError("a cached row did not decode to a response")
    body: bytes = response.content
    return body


def sqlite_floor(path: Path) -> pd.DataFrame:
    with gc_paused():
        return floor(sqlite_bodies(path))


def cache_reads(path: Path, base_url: str) -> int:
    """Read every response of the cache through requests-cache; returns the bytes read."""
    session = cached_session(path, base_url)
    if not isinstance(session, CacheMixin):
        raise RuntimeError(f"build_session made a {type(session).__name__}, not a cached one")
    with session:
        return sum(len(content(response)) for response in session.cache.responses.values())


# --- the tasks ------------------------------------------------------------------------
def timed_reload(client: apa.AssetPayClient, urls: list[str], items: int) -> float:
    """Seconds of one ``inventories()`` reload, its frame checked afterwards (untimed)."""
    start = time.perf_counter()
    df = client.inventories(urls, progress=False)
    seconds = time.perf_counter() - start
    checked(df, items)
    return seconds


def project_task(
    base_url: str, path: Path, urls: list[str], items: int, setup: list[float]
) -> Task:
    """A new client reloading every account from the cache (construction timed apart)."""

    def task() -> float:
        start = time.perf_counter()
        client = apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=path)
        setup.append(time.perf_counter() - start)
        with client:
            return timed_reload(client, urls, items)

    return task


def session_task(base_url: str, path: Path, serializer: Any, urls: list[str], items: int) -> Task:
    """The reload through a client on a ``build_session`` session with ``serializer``."""

    def task() -> float:
        with session_client(base_url, cached_session(path, base_url, serializer)) as client:
            return timed_reload(client, urls, items)

    return task


# --- measuring ------------------------------------------------------------------------
def fill(base_url: str, urls: list[str], path: Path, serializer: Any = None) -> int:
    """Fill a cache once (the default client, or a session with ``serializer``)."""
    if serializer is None:
        client = apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=path)
    else:
        client = session_client(base_url, cached_session(path, base_url, serializer))
    with client:
        df = client.inventories(urls, progress=False)
    if df.attrs["errors"]:
        raise RuntimeError(f"the cache could not be filled: {df.attrs['errors']}")
    return len(df)


CASES = {
    "built": "in-memory build: read_bodies + from_accounts on the bodies in memory",
    "project": "new client, inventories() from the cache",
    "sqlite": "sqlite3 blobs + SERIALIZER.loads + floor",
    "reads": "requests-cache reads alone (responses.values())",
    "pickle": "client on build_session(serializer='pickle') rows",
    "safe": "client on build_session(SERIALIZER) rows",
}


def rows_of(times: dict[str, list[float]], what: str, setup: list[float]) -> list[Row]:
    """The floor row, then every case as "x floor"; the safe rows also as "x pickle"."""
    floor_base = ("floor", times["floor"])
    floor_row = f"floor: bodies in memory, {what}"
    rows = [make_row(BENCHMARK, floor_row, "s", times["floor"], note="baseline; GC paused")]
    construction = statistics.median(setup) * 1000
    built = statistics.median(times["project"]) / statistics.median(times["built"])
    notes = {
        "project": f"client construction {construction:.0f} ms (median, not included); "
        f"{built:.2f}x in-memory build",
        "built": "the same typed frame, no cache read",
    }
    for key, label in CASES.items():
        if key in times:
            note = "; ".join(filter(None, ["x floor: smaller is better", notes.get(key)]))
            rows.append(
                make_row(
                    BENCHMARK,
                    f"{label}, {what}",
                    "s",
                    times[key],
                    baseline=floor_base,
                    note=note,
                    kind="cost",
                )
            )
    if "pickle" in times:
        pickle_base = ("pickle", times["pickle"])
        rows.append(
            make_row(
                BENCHMARK,
                f"safe rows vs pickle rows, {what}",
                "s",
                times["safe"],
                baseline=pickle_base,
                note="x pickle: smaller is better",
                kind="cost",
            )
        )
    return rows


def measure(accounts: int, repeat: int, seed: int, serializers: bool) -> list[Row]:
    urls = partner_urls(1000, accounts)
    setup: list[float] = []
    with sandbox_process(0.0) as base_url, tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / f"{name}.sqlite" for name in ("project", "pickle", "safe")}
        items = fill(base_url, urls, paths["project"])
        keyed = keyed_bodies(paths["project"])
        bodies = [body for _, body in keyed]
        if len(in_memory_build(keyed)) != items:
            raise RuntimeError("the in-memory build does not hold every item")
        tasks: dict[str, Task] = {
            "floor": stopwatch(lambda: floor(bodies)),
            "built": stopwatch(lambda: in_memory_build(keyed)),
            "project": project_task(base_url, paths["project"], urls, items, setup),
            "sqlite": stopwatch(lambda: sqlite_floor(paths["project"])),
            "reads": stopwatch(lambda: cache_reads(paths["project"], base_url)),
        }
        if serializers:
            for name, serializer in (("pickle", "pickle"), ("safe", SERIALIZER)):
                fill(base_url, urls, paths[name], serializer)
                tasks[name] = session_task(base_url, paths[name], serializer, urls, items)
        times = interleaved(tasks, repeat, seed)
    if len(bodies) != accounts:
        raise RuntimeError(f"{len(bodies)} cached bodies for {accounts} accounts")
    return rows_of(times, f"{accounts:,} accounts ({items:,} items)", setup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument(
        "--no-serializers", action="store_true", help="skip the pickle vs safe rows"
    )
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    report(measure(args.accounts, args.repeat, args.seed, not args.no_serializers), args.json)


if __name__ == "__main__":
    main()
