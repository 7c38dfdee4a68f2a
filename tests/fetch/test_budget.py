"""fetch.budget: a rate budget per merchant and rate family, paced, shared by processes.

Every assertion is about the schedule the budget hands out (the slots it reserves),
read from its state, never about how long anything took: most tests drive the budget
with a fake clock whose ``sleep`` advances it, so they run instantly and exactly.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import warnings

import pytest

import assetpay_analytics as apa
from assetpay_analytics.endpoints.inventory import INVENTORY
from assetpay_analytics.fetch.budget import (
    BUDGET_FILE,
    RATE_MARGIN,
    REPEATED_429,
    BudgetBook,
    Pace,
    RateBudget,
    RateBudgetWarning,
    RateFamily,
    shared_budget,
)
from assetpay_analytics.fetch.cache import CacheWarning
from assetpay_analytics.sandbox import Faults


class FakeClock:
    """Wall-clock seconds that move only when a budget sleeps (or the test says so)."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def budget_on(clock: FakeClock, per_minute: int, path=None, name="k") -> RateBudget:
    return RateBudget(path, name, per_minute, clock=clock, sleep=clock.sleep)


def most_in_window(slots: list[float], window: float) -> int:
    """The most slots in any closed window of ``window`` seconds (two pointers)."""
    slots, most, first = sorted(slots), 0, 0
    for last, slot in enumerate(slots):
        while slot - slots[first] > window + 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most


# --- the pace -------------------------------------------------------------------------


@pytest.mark.parametrize("per_minute", [1, 7, 60, 100, 600, 10_000, 50_000])
def test_no_minute_holds_more_than_the_limit_less_the_margin(per_minute):
    clock = FakeClock()
    budget = budget_on(clock, per_minute)
    slots = [budget.acquire() for _ in range(2 * per_minute + 5)]  # two minutes, always busy
    most = most_in_window(slots, 60.0)
    assert most <= max(1, per_minute * (1 - RATE_MARGIN))
    assert most == budget.pace.most_per_window
    if per_minute >= 100:
        assert most >= 0.95 * per_minute  # the budget is also used, not just respected


@pytest.mark.parametrize("limit", [1, 100, 1_000, 100_000])
def test_no_hour_of_an_hourly_family_holds_more_than_its_limit_less_the_margin(limit):
    clock = FakeClock()
    budget = RateBudget(None, "k:prices", limit, window=3600.0, clock=clock, sleep=clock.sleep)
    slots = [budget.acquire() for _ in range(2 * limit + 5)]  # two hours, always busy
    most = most_in_window(slots, 3600.0)
    assert most <= max(1, limit * (1 - RATE_MARGIN))
    # 200,000 slots of a float interval: a slot may land a hair past the window's edge
    assert budget.pace.most_per_window - 1 <= most <= budget.pace.most_per_window
    if limit >= 100:
        assert most >= 0.95 * limit
        # paced over the hour, not spent in the first minute
        assert most_in_window(slots, 60.0) <= budget.pace.burst + 60 / budget.pace.interval + 1


def test_each_documented_family_has_its_window_and_limits():
    families = {name: RateFamily.named(name) for name in ("inventory", "prices", "check-tradeurl")}
    assert {n: (f.window, f.verified, f.unverified) for n, f in families.items()} == {
        "inventory": (60.0, 10_000, 100),
        "prices": (3600.0, 1_000, 100),
        "check-tradeurl": (3600.0, 100_000, 100),
    }


def test_a_key_has_one_row_per_family_and_a_pause_holds_only_its_family(tmp_path):
    path = tmp_path / BUDGET_FILE
    book = BudgetBook(path, "fp", verified=True, limits={"inventory": 600})
    inventory = book.budget(RateFamily.named("inventory"))
    prices = book.budget(RateFamily.named("prices"))
    assert (inventory.name, inventory.pace.limit, inventory.pace.window) == (
        "fp:inventory",
        600,
        60.0,
    )
    assert (prices.name, prices.pace.limit, prices.pace.window) == ("fp:prices", 1_000, 3600.0)
    assert book.budget(RateFamily.named("prices")) is prices
    inventory.acquire()
    prices.acquire()
    prices.pause(30.0)
    assert prices.state().paused_until > inventory.state().paused_until == 0.0
    unverified = BudgetBook(path, "fp", verified=False).budget(RateFamily.named("check-tradeurl"))
    assert (unverified.pace.limit, unverified.pace.window) == (100, 3600.0)


def test_requests_are_paced_evenly_after_a_small_burst():
    clock = FakeClock()
    budget = budget_on(clock, 600)
    slots = [budget.acquire() for _ in range(50)]
    pace = budget.pace
    assert slots[: pace.burst] == [slots[0]] * pace.burst  # an idle budget allows a burst
    gaps = [b - a for a, b in zip(slots[pace.burst - 1 :], slots[pace.burst :], strict=False)]
    assert gaps == pytest.approx([pace.interval] * len(gaps))
    assert pace.interval == pytest.approx(60 / (600 * (1 - RATE_MARGIN) - pace.burst))
    assert most_in_window(slots, 1.0) <= pace.burst + 1 / pace.interval


def test_an_idle_budget_does_not_bank_more_than_its_burst():
    clock = FakeClock()
    budget = budget_on(clock, 600)
    for _ in range(5):
        budget.acquire()
    clock.now += 3_600  # an hour idle
    slots = [budget.acquire() for _ in range(budget.pace.burst + 1)]
    assert slots.count(clock.now - (slots[-1] - slots[0])) == budget.pace.burst
    assert slots[-1] - slots[0] == pytest.approx(budget.pace.interval)


def test_pace_for_a_limit():
    pace = Pace.for_limit(10_000)
    assert pace.burst == 17  # a tenth of a second's worth
    assert pace.most_per_window <= 9_800
    assert Pace.for_limit(100).burst == 2


# --- sharing ----------------------------------------------------------------------------


def test_two_budgets_on_one_file_share_the_schedule(tmp_path):
    clock = FakeClock()
    path = tmp_path / BUDGET_FILE
    first, second = budget_on(clock, 600, path), budget_on(clock, 600, path)
    slots = [budget.acquire() for _ in range(300) for budget in (first, second)]
    assert len(set(slots) - {slots[0]}) == len(slots) - first.pace.burst  # no slot twice
    assert most_in_window(slots, 60.0) <= first.pace.most_per_window


def test_the_budget_is_named_by_the_key(tmp_path):
    clock = FakeClock()
    path = tmp_path / BUDGET_FILE
    mine, theirs = budget_on(clock, 600, path, "key-a"), budget_on(clock, 600, path, "key-b")
    for _ in range(10):
        mine.acquire()
    assert mine.state().next_slot > clock.now  # this merchant's next request would wait
    assert theirs.acquire() == clock.now  # another merchant's budget is untouched


def test_processes_share_one_budget(tmp_path):
    """Two real processes reserve from one file; together they keep to one pace."""
    path = tmp_path / BUDGET_FILE
    code = (
        "import json, sys; from pathlib import Path; "
        "from assetpay_analytics.fetch.budget import RateBudget; "
        "b = RateBudget(Path(sys.argv[1]), 'shared', 6000); "
        "print(json.dumps([b.acquire() for _ in range(40)]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    slots = [slot for proc in procs for slot in json.loads(proc.communicate(timeout=120)[0])]
    assert all(proc.returncode == 0 for proc in procs)
    pace = Pace.for_limit(6000)
    ordered = sorted(slots)
    # a leaky bucket: any run of slots fits the burst plus one per interval
    for i, start in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            assert j - i + 1 <= pace.burst + (ordered[j] - start) / pace.interval + 1e-6


OPENER = """
import sys, time, warnings
from pathlib import Path
from assetpay_analytics.fetch.budget import RateBudget
go = Path(sys.argv[2])
while not go.exists():  # both processes open the file at the same moment
    time.sleep(0.001)
with warnings.catch_warnings():
    warnings.simplefilter("error")  # a budget kept in this process only would warn
    budget = RateBudget(Path(sys.argv[1]), "shared", 600)
budget.acquire()
print(budget.path)
"""


def test_processes_creating_the_file_together_both_use_it(tmp_path):
    """Found by CI: a process opening the file while another created it got "database is
    locked" at once and fell back to a budget of its own (5 of 30 pairs on this machine)."""
    for round_ in range(8):
        path, go = tmp_path / f"{round_}" / BUDGET_FILE, tmp_path / f"go-{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPENER, str(path), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        time.sleep(0.5)  # let both import, then start them together
        go.touch()
        outputs = [proc.communicate(timeout=120) for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], outputs
        assert [out.strip() for out, _ in outputs] == [str(path)] * 2
        assert RateBudget(path, "shared", 600).state().next_slot > 0


def test_clients_in_a_process_share_one_budget(box, tmp_path):
    def client(key_dir, api_key=box.api_key, **kwargs):
        return apa.AssetPayClient(api_key=api_key, base_url=box.url, cache=key_dir, **kwargs)

    one, two = client(tmp_path / "c"), client(tmp_path / "c")
    assert one._budgets.budget(INVENTORY.family) is two._budgets.budget(INVENTORY.family)
    other_key = client(tmp_path / "c", api_key="ap_another_merchant_key")
    inventory = INVENTORY.family
    assert other_key._budgets.budget(inventory).name != one._budgets.budget(inventory).name
    assert one._budgets.budget(INVENTORY.family).path == tmp_path / "c" / BUDGET_FILE
    no_cache = client(None)
    # the default cache dir
    assert no_cache._budgets.budget(INVENTORY.family).path.name == BUDGET_FILE


def test_the_budget_file_holds_the_fingerprint_not_the_key(sandbox, tmp_path):
    client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=tmp_path)
    client.inventory(sandbox.trade_urls[0])
    raw = b"".join(path.read_bytes() for path in tmp_path.glob(BUDGET_FILE + "*"))
    assert client.key_fingerprint.encode() in raw  # what names the budget
    assert sandbox.api_key.encode() not in raw


def test_shared_budget_is_one_object_per_file_key_and_limit(tmp_path):
    path = tmp_path / BUDGET_FILE
    assert shared_budget(path, "a", 100) is shared_budget(path, "a", 100)
    assert shared_budget(path, "a", 100) is not shared_budget(path, "b", 100)


def test_an_unusable_file_keeps_the_budget_in_the_process(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.warns(CacheWarning, match="this process only"):
        budget = RateBudget(blocker / BUDGET_FILE, "k", 600)
    assert budget.path is None
    assert budget.acquire() > 0


def test_a_row_far_ahead_of_the_clock_is_repaired_with_one_warning(tmp_path):
    """A row from before a reboot, or an older version's wall-clock row: far ahead."""
    clock = FakeClock(10_000.0)
    budget = budget_on(clock, 60, tmp_path / BUDGET_FILE)
    for _ in range(30):
        budget.acquire()  # the schedule now runs ~30 s ahead of the clock
    clock.now = 5_000.0  # the monotonic clock restarted (a reboot)
    with pytest.warns(RateBudgetWarning, match="more than two windows ahead") as caught:
        assert budget.acquire() == 5_000.0
        budget.acquire()
    assert len(caught) == 1


def test_a_clock_stepping_back_never_shortens_a_pause(tmp_path):
    """On main a row 'from the future' started afresh: a 1 s step back dropped a 429 pause."""
    clock = FakeClock(10_000.0)
    budget = budget_on(clock, 120, tmp_path / BUDGET_FILE)
    budget.acquire()
    budget.rate_limited(30.0)
    clock.now -= 1.0  # a step back, as NTP may make a wall clock do
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to repair: no warning
        assert budget.acquire() >= 10_030.0 - 1e-9


# --- 429s ---------------------------------------------------------------------------------


def test_a_pause_moves_every_next_slot_past_it():
    clock = FakeClock()
    budget = budget_on(clock, 600)
    budget.acquire()
    budget.pause(5.0)
    assert budget.state().paused_until == clock.now + 5.0
    after = [budget.acquire() for _ in range(3)]
    assert after[0] == pytest.approx(1_005.0)
    # the pace resumes without a burst: the server has just refused us
    assert after[1] - after[0] == pytest.approx(budget.pace.interval)


def test_a_pause_from_elsewhere_voids_a_slot_being_waited_for(tmp_path):
    """Another process pauses the budget while this one sleeps towards its slot."""
    path = tmp_path / BUDGET_FILE
    clock = FakeClock()
    other = budget_on(clock, 60, path)

    def sleep_while_the_other_is_refused(seconds):
        if clock.now < 1_010:
            other.pause(30.0)
        clock.sleep(seconds)

    mine = RateBudget(path, "k", 60, clock=clock, sleep=sleep_while_the_other_is_refused)
    mine.acquire(), mine.acquire()  # the burst
    slot = mine.acquire()  # had to wait; the other process was refused meanwhile
    assert slot >= other.state().paused_until - 1e-9


def test_repeated_429s_well_below_the_limit_suggest_verified_false(caplog):
    clock = FakeClock()
    budget = budget_on(clock, 10_000, name="low")
    with caplog.at_level(logging.WARNING, logger="assetpay_analytics"):
        for _ in range(REPEATED_429 + 2):
            budget.acquire()
            budget.rate_limited(retry_after=1.0)
    lines = [r.getMessage() for r in caplog.records if "429" in r.getMessage()]
    assert len(lines) == 1
    assert "verified=False" in lines[0] and "requests_per_minute=" in lines[0]


def test_429s_at_the_limit_do_not_blame_the_merchant_status(caplog):
    clock = FakeClock()
    budget = budget_on(clock, 100, name="busy")
    with caplog.at_level(logging.WARNING, logger="assetpay_analytics"):
        for _ in range(60):
            budget.acquire()  # more than half the limit within the minute
        for _ in range(REPEATED_429):
            budget.rate_limited(retry_after=None)
    assert not [r for r in caplog.records if "verified=False" in r.getMessage()]


def test_a_429_pauses_the_budget_of_every_client_with_the_key(tmp_path):
    with apa.sandbox.serve(rate_limit=(2, 60.0)) as box:

        def client():
            return apa.AssetPayClient(
                api_key=box.api_key, base_url=box.url, cache=tmp_path / "c",
                retry=apa.RetryPolicy(attempts=1), requests_per_minute=10_000,
            )  # fmt: skip

        first, second = client(), client()
        first.inventory(box.trade_urls[0])
        first.inventory(box.trade_urls[1])
        with pytest.raises(apa.RateLimited) as info:
            first.inventory(box.trade_urls[2])
        refused_at = time.monotonic()  # the budget's clock: one for every process
    assert info.value.retry_after is not None and info.value.retry_after > 30
    budget = second._budgets.budget(INVENTORY.family)
    pause = min(info.value.retry_after, budget.max_pause)
    assert budget.state().paused_until >= refused_at + pause - 5  # not a timing bound


def test_a_client_refused_again_and_again_logs_the_suggestion_once(tmp_path, caplog):
    faults = Faults(rate_limit_rate=1.0, retry_after=0.01, seed=1)
    with apa.sandbox.serve(faults=faults) as box:
        client = apa.AssetPayClient(
            api_key=box.api_key, base_url=box.url, cache=tmp_path / "c",
            retry=apa.RetryPolicy(attempts=REPEATED_429, backoff=0.0),
        )  # fmt: skip
        logs = caplog.at_level(logging.WARNING, logger="assetpay_analytics")
        with logs, pytest.raises(apa.RateLimited):
            client.inventory(box.trade_urls[0])
        refused = [r for r in box.requests if r.status == 429]
    assert len(refused) == REPEATED_429
    lines = [r.getMessage() for r in caplog.records if "verified=False" in r.getMessage()]
    assert len(lines) == 1 and box.api_key not in lines[0]


# --- the limit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "limit"),
    [
        ({}, 10_000),
        ({"verified": False}, 100),
        ({"verified": False, "requests_per_minute": 600}, 600),
        ({"requests_per_minute": 50}, 50),
    ],
)
def test_requests_per_minute_overrides_verified(box, kwargs, limit):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None, **kwargs)
    assert client.requests_per_minute == limit
    assert client._budgets.budget(INVENTORY.family).pace.limit == limit


@pytest.mark.parametrize("bad", [0, -5, 1.5, "600", True])
def test_a_bad_requests_per_minute_is_refused_before_any_request(sandbox, bad):
    with pytest.raises(apa.InvalidRequest, match="requests_per_minute"):
        apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, requests_per_minute=bad)
    assert not sandbox.requests


def test_no_warning_when_the_default_cache_dir_is_usable(box):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
