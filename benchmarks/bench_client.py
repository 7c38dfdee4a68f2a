"""Benchmark: fetching many accounts, the project's client against ``requests`` on threads.

Everything talks real HTTP to a sandbox on 127.0.0.1 running in a process of its own
(so it does not compete with the client for the GIL). Cases, repetitions interleaved
in a shuffled order (fixed seed):

Fetching ``--accounts`` (200) accounts, the sandbox adding ``--latency`` (200 ms) to
every answer as a remote API would. The work is latency-bound, so the baseline runs
the same number of requests in flight as the client:

- baseline: ``concurrent.futures.ThreadPoolExecutor(max_workers=W)`` over ``requests``
  (one shared Session, its connection pool sized to W), paging as the client does
  (page 1 with ``limit=-1``, then ``limit=<page size>`` until ``count``), no cache;
  W is the client's default (``fetch.fanout.DEFAULT_WORKERS``, 32);
- cold, default workers: ``client.inventories(urls, progress=False)`` (``workers`` not
  passed) on an empty disk cache (a new client and cache file each run);
- cold, workers=W: the same with ``workers=`` passed explicitly;
- cold, cache=None: the same client without a cache (what the cache itself costs);
- sequential loop (a reference for scale, NOT a baseline: no ratio): one request
  after the other on one Session (``--no-sequential`` skips it, 40 s a run).

Ratio = baseline median / case median (above 1: faster than the thread pool; the
target for the cold cached fetch is at least 0.91, within 1.1x of it).

Warm (a notebook re-run): the same call again on a client whose cache was filled once,
served from the cache. It is compared with NO network: its floor is the same bodies
already in memory as bytes in a Python list, parsed by ``orjson`` into one Python list
per column and a ``pd.DataFrame`` (``bench_frame.floor_items``, cyclic GC paused as the
project pauses it). Ratio = warm median / floor median ("x floor", a cost: SMALLER IS
BETTER, 1.00 would match the floor).

Throughput (stretch; reported, not asserted): requests a minute from this machine
for ``--throughput-seconds`` (20) per run, against a sandbox serving pages of 50 items
(``page_cap=50``, no latency, its own rate limit lifted so that it never answers 429):

- baseline: a plain ``requests`` loop on one keep-alive Session, paging as the client
  does (page 1 with ``limit=-1``, then ``limit=<page size>``);
- project: ``AssetPayClient(cache=None, verified=True).inventories(...)`` (default
  workers) called again and again, a new client each run; requests are counted as
  the pages fetched (``df.attrs["request_ids"]``). The client's rate budget paces
  10,000 a minute evenly, a little under the limit (at most 9,800 in any 60 s); the
  row's note says whether it was the cap.

Every client's budget file lives in a temporary ``ASSETPAY_CACHE_DIR`` (never the
user's cache directory), so no run inherits another's schedule.

Ratio = case / baseline (above 1: more requests a minute than the loop).

Run: ``.venv/bin/python benchmarks/bench_client.py [--accounts 200] [--latency 0.2]
[--repeat 3] [--throughput-seconds 20] [--no-throughput] [--no-sequential] [--json PATH]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import requests

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
from bench_frame import floor_items

import assetpay_analytics as apa
from assetpay_analytics.fetch.budget import Pace
from assetpay_analytics.fetch.fanout import DEFAULT_WORKERS
from assetpay_analytics.frame.bodies import gc_paused
from assetpay_analytics.sandbox import SANDBOX_API_KEY, data

BENCHMARK = "client"
#: The client's limit when verified: requests in any 60 s (``verified=True``).
VERIFIED_PER_MINUTE = 10_000
PACE = Pace.for_limit(VERIFIED_PER_MINUTE)
#: A sandbox rate limit no benchmark reaches: (requests, window seconds).
UNLIMITED = (10**9, 60.0)
#: The sandbox's listen backlog here (see ``sandbox_server``).
LISTEN_BACKLOG = 256
THROUGHPUT_PAGE = 50
THROUGHPUT_ACCOUNTS = 100
Task = Callable[[], float]
#: One throughput run of the client: (requests, seconds).
Run = tuple[int, float]


@contextmanager
def sandbox_server(
    latency: float,
    *,
    page_cap: int | None = None,
    rate_limit: tuple[int, float] | None = None,
) -> Iterator[tuple[str, int]]:
    """A sandbox in its own process (``sandbox.run`` on a free port); yields (URL, pid)."""
    faults = f"sandbox.Faults(latency={latency!r})" if latency else "None"
    # socketserver listens with a backlog of 5: 32 connections opened at once overflowed
    # it and some waited for a SYN retransmit (~1 s) in both the client and its baseline
    code = (
        "from assetpay_analytics import sandbox; "
        "from assetpay_analytics.sandbox import server; "
        f"server._Server.request_queue_size = {LISTEN_BACKLOG}; "
        f"sandbox.run(0, faults={faults}, page_cap={page_cap!r}, rate_limit={rate_limit!r})"
    )
    proc = subprocess.Popen([sys.executable, "-u", "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        if not found:
            raise RuntimeError("the sandbox did not print its URL")
        yield found.group(0), proc.pid
    finally:
        proc.send_signal(signal.SIGINT)  # run() stops cleanly on Ctrl-C
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()  # this sandbox only, by its handle
            proc.wait()


@contextmanager
def sandbox_process(
    latency: float,
    *,
    page_cap: int | None = None,
    rate_limit: tuple[int, float] | None = None,
) -> Iterator[str]:
    """A sandbox in its own process (``sandbox.run`` on a free port); yields its URL."""
    with sandbox_server(latency, page_cap=page_cap, rate_limit=rate_limit) as (url, _):
        yield url


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy(pid: int, task: Task, shares: list[float]) -> Task:
    """``task``, also noting how busy process ``pid`` was (CPU seconds / wall seconds)."""

    def measured() -> float:
        cpu, start = cpu_seconds(pid), time.perf_counter()
        value = task()
        shares.append((cpu_seconds(pid) - cpu) / (time.perf_counter() - start))
        return value

    return measured


def trade_urls(n: int) -> list[str]:
    """The demo accounts, then generated ones (any valid URL has a sandbox inventory)."""
    demo = [account.trade_url for account in data.ACCOUNTS if account.kind == "normal"]
    return (demo + partner_urls(1000, max(0, n - len(demo))))[:n]


def get_page(session: requests.Session, base_url: str, url: str, **params: str) -> Any:
    """One ``/secure/inventory`` page's decoded body, as a plain script asks for it."""
    answer = session.get(
        f"{base_url}/secure/inventory",
        params={"tradeUrl": url, "game": "730", **params},
        headers={"api-key": SANDBOX_API_KEY},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def baseline(base_url: str, urls: list[str]) -> int:
    """The sequential loop: every account's inventory in one request, one after the other."""
    items = 0
    with requests.Session() as session:
        for url in urls:
            items += len(get_page(session, base_url, url, limit="-1")["data"]["inventory"])
    return items


def pooled_session(workers: int) -> requests.Session:
    """A Session whose connection pool keeps a connection per worker (requests keeps 10)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=workers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def account_bodies(session: requests.Session, base_url: str, url: str) -> list[bytes]:
    """One account's raw page bodies, paged as the client pages (see ``page_through``)."""
    params = {"tradeUrl": url, "game": "730", "page": "1", "limit": "-1"}
    headers = {"api-key": SANDBOX_API_KEY}
    bodies: list[bytes] = []
    received, count, size = 0, None, 0
    while count is None or (received < count and size):
        answer = session.get(
            f"{base_url}/secure/inventory", params=params, headers=headers, timeout=30
        )
        answer.raise_for_status()
        data = answer.json()["data"]
        bodies.append(answer.content)
        size, count = len(data["inventory"]), data["count"]
        received += size
        params = {**params, "page": str(len(bodies) + 1), "limit": str(size)}
    return bodies


def thread_pool(base_url: str, urls: list[str], workers: int) -> list[bytes]:
    """The fair baseline: ``workers`` threads over ``requests``; every page body, in order."""
    with pooled_session(workers) as session, ThreadPoolExecutor(max_workers=workers) as pool:
        pages = pool.map(lambda url: account_bodies(session, base_url, url), urls)
        return [body for bodies in pages for body in bodies]


def floor_frame(bodies: list[bytes]) -> pd.DataFrame:
    """The bodies in memory -> one frame (``bench_frame.floor_items``), GC paused."""
    with gc_paused():
        return floor_items([i for body in bodies for i in orjson.loads(body)["data"]["inventory"]])


def checked(df: pd.DataFrame, items: int, from_cache: bool) -> pd.DataFrame:
    """The frame, after checking it holds every item and came from where it should."""
    if len(df) != items or df.attrs["errors"] or df.attrs["from_cache"] != from_cache:
        raise RuntimeError(f"unexpected result: {len(df)} rows, expected {items}, {df.attrs}")
    return df


# --- cold and warm fetches ------------------------------------------------------------
def cold_task(
    base_url: str, urls: list[str], items: int, tmp: Path, workers: int | None = None
) -> Task:
    """A run of ``inventories`` on a new client with an empty cache file (``workers``:
    None leaves the client's default)."""
    runs = itertools.count()

    def task() -> float:
        path = tmp / f"cold-{workers}-{next(runs)}.sqlite"
        with apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=path) as client:
            start = time.perf_counter()
            if workers is None:
                df = client.inventories(urls, progress=False)
            else:
                df = client.inventories(urls, progress=False, workers=workers)
            seconds = time.perf_counter() - start
        checked(df, items, from_cache=False)
        return seconds

    return task


def warm_task(client: apa.AssetPayClient, urls: list[str], items: int) -> Task:
    """The same call again on a client whose cache holds every account."""
    checked(client.inventories(urls, progress=False), items, from_cache=False)  # fills it

    def task() -> float:
        start = time.perf_counter()
        df = client.inventories(urls, progress=False)
        seconds = time.perf_counter() - start
        checked(df, items, from_cache=True)
        return seconds

    return task


def loop_task(base_url: str, urls: list[str]) -> Task:
    def task() -> float:
        start = time.perf_counter()
        baseline(base_url, urls)
        return time.perf_counter() - start

    return task


def pool_task(base_url: str, urls: list[str], items: int, workers: int) -> Task:
    def task() -> float:
        start = time.perf_counter()
        bodies = thread_pool(base_url, urls, workers)
        seconds = time.perf_counter() - start
        got = sum(len(orjson.loads(body)["data"]["inventory"]) for body in bodies)
        if got != items:
            raise RuntimeError(f"the thread pool fetched {got} items, expected {items}")
        return seconds

    return task


def uncached_task(base_url: str, urls: list[str], items: int, workers: int) -> Task:
    """``inventories`` on a new client without a cache."""

    def task() -> float:
        with apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=None) as client:
            start = time.perf_counter()
            df = client.inventories(urls, progress=False, workers=workers)
            seconds = time.perf_counter() - start
        checked(df, items, from_cache=False)
        return seconds

    return task


def fetch_cases(workers: int) -> dict[str, str]:
    return {
        "cold": "inventories(), default workers, empty cache",
        "cold_w": f"inventories(workers={workers}), empty cache",
        "nocache": f"inventories(workers={workers}), cache=None",
    }


def fetch_tasks(
    base_url: str, urls: list[str], items: int, tmp: Path, sequential: bool
) -> dict[str, Task]:
    workers = DEFAULT_WORKERS
    tasks = {
        "pool": pool_task(base_url, urls, items, workers),
        "cold": cold_task(base_url, urls, items, tmp),
        "cold_w": cold_task(base_url, urls, items, tmp, workers=workers),
        "nocache": uncached_task(base_url, urls, items, workers),
    }
    if sequential:
        tasks["loop"] = loop_task(base_url, urls)
    return tasks


def measure_fetch(
    accounts: int, latency: float, repeat: int, seed: int, sequential: bool = True
) -> list[Row]:
    urls = trade_urls(accounts)
    workers = DEFAULT_WORKERS
    with sandbox_process(latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        bodies = thread_pool(base_url, urls, workers)  # also warms the sandbox up
        items = len(floor_frame(bodies))
        warm_cache = Path(tmp) / "warm.sqlite"
        with apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=warm_cache) as c:
            tasks = fetch_tasks(base_url, urls, items, Path(tmp), sequential)
            tasks["warm"] = warm_task(c, urls, items)
            tasks["floor"] = stopwatch(lambda: floor_frame(bodies))
            times = interleaved(tasks, repeat, seed)
    what = f"{accounts} accounts ({items:,} items), {latency * 1000:.0f} ms latency"
    pool_name = f"ThreadPoolExecutor({workers}) + requests"
    base = (pool_name, times["pool"])
    rows = [
        make_row(
            BENCHMARK,
            f"{pool_name}, shared Session (pool {workers}), paged as the client, {what}",
            "s",
            times["pool"],
            note="baseline: same requests in flight as the client, no cache",
        )
    ]
    for key, label in fetch_cases(workers).items():
        rows.append(make_row(BENCHMARK, f"{label}, {what}", "s", times[key], baseline=base))
    if sequential:
        rows.append(
            make_row(
                BENCHMARK,
                f"sequential requests loop (reference only), {what}",
                "s",
                times["loop"],
                note="one request at a time: for scale, not a baseline",
            )
        )
    rows += warm_rows(times, what, len(bodies))
    return rows


def warm_rows(times: dict[str, list[float]], what: str, bodies: int) -> list[Row]:
    """The warm reload against the floor on the same bodies in memory (no network)."""
    floor_row = f"floor: {bodies} bodies already in memory -> orjson + lists + DataFrame"
    return [
        make_row(
            BENCHMARK, f"{floor_row}, {what}", "s", times["floor"], note="baseline; GC paused"
        ),
        make_row(
            BENCHMARK,
            f"inventories() again, from the cache, {what}",
            "s",
            times["warm"],
            baseline=("floor", times["floor"]),
            note="x floor: smaller is better; no request is sent",
            kind="cost",
        ),
    ]


# --- throughput -----------------------------------------------------------------------
def page_through(session: requests.Session, base_url: str, url: str) -> int:
    """One account's pages as the client asks for them; returns the requests sent."""
    first = get_page(session, base_url, url, page="1", limit="-1")["data"]
    size, count = len(first["inventory"]), first["count"]
    received, sent = size, 1
    while received < count and size:
        sent += 1
        page = get_page(session, base_url, url, page=str(sent), limit=str(size))["data"]
        received += len(page["inventory"])
    return sent


def paged_loop(base_url: str, urls: list[str], seconds: float) -> float:
    """Requests a minute of a plain keep-alive loop paging accounts for ``seconds``."""
    sent, start = 0, time.perf_counter()
    with requests.Session() as session:
        for url in itertools.cycle(urls):
            sent += page_through(session, base_url, url)
            if time.perf_counter() - start >= seconds:
                break
    return sent / (time.perf_counter() - start) * 60


def client_loop(base_url: str, urls: list[str], seconds: float, runs: list[Run]) -> float:
    """Requests a minute of a new client (no cache) fetching ``urls`` again and again."""
    client = apa.AssetPayClient(
        api_key=SANDBOX_API_KEY, base_url=base_url, cache=None, verified=True
    )
    pages, start = 0, time.perf_counter()
    with client:
        while time.perf_counter() - start < seconds:
            df = client.inventories(urls, progress=False)
            if df.attrs["errors"]:
                raise RuntimeError(f"errors while measuring throughput: {df.attrs['errors']}")
            pages += len(df.attrs["request_ids"])
    elapsed = time.perf_counter() - start
    runs.append((pages, elapsed))
    return pages / elapsed * 60


def cap_note(runs: list[Run]) -> str:
    """Whether the client's rate budget (10,000 a minute, paced) capped the runs."""
    counts = "; ".join(f"{pages:,} requests in {elapsed:.1f} s" for pages, elapsed in runs)
    # the budget lets a run of t seconds send at most a burst plus one request per interval
    reached = any(pages >= 0.98 * (PACE.burst + t / PACE.interval) for pages, t in runs)
    return (
        f"runs: {counts}. The client's budget (10,000 a minute, paced at "
        f"{PACE.most_per_window:,} in any 60 s) {'WAS' if reached else 'was not'} the cap"
    )


def measure_throughput(seconds: float, repeat: int, seed: int) -> list[Row]:
    urls = partner_urls(1000, THROUGHPUT_ACCOUNTS)
    runs: list[Run] = []
    shares: dict[str, list[float]] = {"loop": [], "client": []}
    with sandbox_server(0.0, page_cap=THROUGHPUT_PAGE, rate_limit=UNLIMITED) as (base_url, pid):
        paged_loop(base_url, urls[:2], 0.0)  # the sandbox warms up
        tasks = {
            "loop": busy(pid, lambda: paged_loop(base_url, urls, seconds), shares["loop"]),
            "client": busy(
                pid, lambda: client_loop(base_url, urls, seconds, runs), shares["client"]
            ),
        }
        rates = interleaved(tasks, repeat, seed)
    what = f"pages of {THROUGHPUT_PAGE} items, no latency, {seconds:g} s a run"
    server = {
        k: f"sandbox process busy {statistics.median(v):.0%} of the time" for k, v in shares.items()
    }
    note = f"min = slowest run; {server['client']}; " + cap_note(runs)
    return [
        make_row(
            BENCHMARK,
            f"requests loop, one keep-alive Session, {what}",
            "req/min",
            rates["loop"],
            note=f"baseline; {server['loop']}",
        ),
        make_row(
            BENCHMARK,
            f"inventories(), cache=None, {what}",
            "req/min",
            rates["client"],
            baseline=("requests loop", rates["loop"]),
            note=note,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--throughput-seconds", type=float, default=20.0)
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput")
    parser.add_argument(
        "--no-sequential", action="store_true", help="skip the sequential reference loop"
    )
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    budget_dir = tempfile.TemporaryDirectory(prefix="bench-client-budget-")
    os.environ["ASSETPAY_CACHE_DIR"] = budget_dir.name  # never the user's cache directory
    rows = measure_fetch(
        args.accounts, args.latency, args.repeat, args.seed, sequential=not args.no_sequential
    )
    if not args.no_throughput:
        rows += measure_throughput(args.throughput_seconds, args.repeat, args.seed)
    report(rows, args.json)


if __name__ == "__main__":
    main()
