"""Benchmark: fetching many accounts, the project's client against a plain ``requests`` loop.

Everything talks real HTTP to a sandbox on 127.0.0.1 running in a process of its own
(so it does not compete with the client for the GIL). Cases, repetitions interleaved
in a shuffled order (fixed seed):

Fetching ``--accounts`` (200) accounts, the sandbox adding ``--latency`` (200 ms) to
every answer as a remote API would:

- baseline: a plain ``requests`` loop, one account after the other, no cache;
- cold, default workers: ``client.inventories(urls, progress=False)`` (``workers`` not
  passed) on an empty disk cache (a new client and cache file each run);
- cold, workers=32: the same with ``workers=32``;
- warm: the same call again on a client whose cache was filled once (a notebook
  re-run), served from the cache.

Ratio = baseline median / case median (above 1: faster than the loop).

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
[--repeat 3] [--throughput-seconds 20] [--no-throughput] [--json PATH]``
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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, partner_urls, report

import assetpay_analytics as apa
from assetpay_analytics.fetch.budget import Pace
from assetpay_analytics.sandbox import SANDBOX_API_KEY, data

BENCHMARK = "client"
#: The client's limit when verified: requests in any 60 s (``verified=True``).
VERIFIED_PER_MINUTE = 10_000
PACE = Pace.for_limit(VERIFIED_PER_MINUTE)
#: A sandbox rate limit no benchmark reaches: (requests, window seconds).
UNLIMITED = (10**9, 60.0)
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
    code = (
        "from assetpay_analytics import sandbox; "
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
    """The plain loop: every account's inventory in one request, one after the other."""
    items = 0
    with requests.Session() as session:
        for url in urls:
            items += len(get_page(session, base_url, url, limit="-1")["data"]["inventory"])
    return items


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


FETCH_CASES = {
    "cold": "inventories(), default workers, empty cache",
    "cold32": "inventories(workers=32), empty cache",
    "warm": "inventories() again, from the cache",
}


def measure_fetch(accounts: int, latency: float, repeat: int, seed: int) -> list[Row]:
    urls = trade_urls(accounts)
    with sandbox_process(latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        items = baseline(base_url, urls)  # also warms the sandbox up
        warm_cache = Path(tmp) / "warm.sqlite"
        with apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, cache=warm_cache) as c:
            tasks = {
                "loop": loop_task(base_url, urls),
                "cold": cold_task(base_url, urls, items, Path(tmp)),
                "cold32": cold_task(base_url, urls, items, Path(tmp), workers=32),
                "warm": warm_task(c, urls, items),
            }
            times = interleaved(tasks, repeat, seed)
    what = f"{accounts} accounts ({items:,} items), {latency * 1000:.0f} ms latency"
    base = ("sequential requests", times["loop"])
    rows = [
        make_row(BENCHMARK, f"sequential requests, {what}", "s", times["loop"], note="baseline")
    ]
    for key, label in FETCH_CASES.items():
        rows.append(make_row(BENCHMARK, f"{label}, {what}", "s", times[key], baseline=base))
    return rows


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
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    budget_dir = tempfile.TemporaryDirectory(prefix="bench-client-budget-")
    os.environ["ASSETPAY_CACHE_DIR"] = budget_dir.name  # never the user's cache directory
    rows = measure_fetch(args.accounts, args.latency, args.repeat, args.seed)
    if not args.no_throughput:
        rows += measure_throughput(args.throughput_seconds, args.repeat, args.seed)
    report(rows, args.json)


if __name__ == "__main__":
    main()
