"""The sandbox "as of" a day: aged demo inventories over real HTTP, and the aging model.

The expectations come from the specification of the model (1.5% of the items leave a
day, prices drift ~1.2% a day, a 15% offer cut on day 10, a 40% market spike on day 18)
and from the demo data as generated (day 0), not from the aging code itself.
"""

from __future__ import annotations

import json
import math
import statistics
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from assetpay_analytics import sandbox as sb
from assetpay_analytics.constants import GAME_CS2, GAME_RUST
from assetpay_analytics.sandbox import aging, data
from tests.sandbox_http import in_another_process

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "/secure/inventory"
BASE = date(2026, 6, 1)  # the demo data's updatedAt day
DAYS = 30
DAILY_LEAVE = 0.015  # specified: each held item leaves with probability 1.5% a day
#: The error statuses the special accounts answer with before succeeding.
TRANSIENT = {429, 503}


def fetch(box, url, game=GAME_CS2, session=None, **params):
    """(status, parsed body, raw text) of a full-inventory GET, retrying the transient errors."""
    sender = session or requests
    for _ in range(4):
        response = sender.get(
            f"{box.url}{ENDPOINT}",
            params={"tradeUrl": url, "game": game, "limit": "-1", **params},
            headers={"api-key": box.api_key},
            timeout=30,
        )
        if response.status_code not in TRANSIENT:
            break
    return response.status_code, response.json(), response.text


def served(box, url, game=GAME_CS2, session=None):
    """The ``data`` of a successful full-inventory answer."""
    status, body, _ = fetch(box, url, game, session)
    assert status == 200, body
    return body["data"]


def cs2_accounts():
    """The named accounts that hold CS2 items (the normal ones, flaky and throttled)."""
    return [a for a in data.ACCOUNTS if dict(a.sizes).get(GAME_CS2)]


def price(value):
    """A price as a float (the demo data sends numbers, a malformed one strings), else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def offer_price(item):
    offer = item.get("offer")
    return price(offer.get("price")) if isinstance(offer, dict) else None


def static(item):
    """Everything but the two prices: what aging must leave alone."""
    rest = {k: v for k, v in item.items() if k not in ("marketPrice", "offer")}
    offer = item.get("offer")
    if isinstance(offer, dict):
        rest["offer"] = {k: v for k, v in offer.items() if k != "price"}
    else:
        rest["offer"] = offer
    rest["has marketPrice"] = "marketPrice" in item
    return rest


@pytest.fixture(scope="module")
def history():
    """(account name, day) -> the CS2 inventory served that day, days 0..30, one server."""
    days = {}
    with sb.serve() as box, requests.Session() as session:
        for day in range(DAYS + 1):
            box.set_as_of(BASE + timedelta(days=day))
            assert box.as_of == BASE + timedelta(days=day)
            for account in cs2_accounts():
                body = served(box, account.trade_url, session=session)
                assert body["count"] == len(body["inventory"])
                days[account.name, day] = body["inventory"]
    return days


def by_id(items):
    return {item["id"]: item for item in items}


# --- day 0 is today's data --------------------------------------------------------------


@pytest.mark.parametrize("as_of", [BASE, "2026-06-01"])
def test_as_of_base_date_serves_todays_inventories(sandbox, as_of):
    assert sandbox.as_of is None
    with sb.serve(as_of=as_of) as aged:
        assert aged.as_of == BASE
        for account in data.ACCOUNTS:
            for game in (GAME_CS2, GAME_RUST):
                now_status, now, _ = fetch(sandbox, account.trade_url, game)
                then_status, then, _ = fetch(aged, account.trade_url, game)
                assert now_status == then_status, account.name
                if now_status != 200:
                    assert now["error"] == then["error"]
                    continue
                assert now["data"] == then["data"], (account.name, game)
                expected = data.inventory(account.partner, game)
                assert json.dumps(then["data"]["inventory"]) == json.dumps(expected)
                assert then["data"]["updatedAt"] == data.updated_at(account.partner)


def test_box_items_reflect_as_of():
    with sb.serve(as_of="2026-06-12") as box:
        for url in box.trade_urls:
            assert box.items(url) == served(box, url)["inventory"]
        assert box.items("alice") != data.inventory(box.accounts["alice"].partner, GAME_CS2)


# --- determinism ------------------------------------------------------------------------


def bodies_as_of(as_of: str) -> list[str]:
    """Every normal account's raw answers (CS2 and Rust) on ``as_of``, requestId cut out."""
    out = []
    with sb.serve(as_of=as_of) as box:
        for url in box.trade_urls:
            for game in (GAME_CS2, GAME_RUST):
                _, body, text = fetch(box, url, game)
                out.append(text.replace(body["requestId"], ""))
    return out


def test_same_as_of_is_byte_identical_in_another_process():
    other = in_another_process("sandbox.test_sandbox_aging", "bodies_as_of", "2026-06-23")
    here = bodies_as_of("2026-06-23")
    assert other == here
    assert here != bodies_as_of("2026-06-01")


# --- prices -------------------------------------------------------------------------


def test_drift_is_realistic(history):
    changes = []
    for account in cs2_accounts():
        for day in range(DAYS):
            before = by_id(history[account.name, day])
            for item in history[account.name, day + 1]:
                if item["id"] not in before:
                    continue
                old, new = price(before[item["id"]].get("marketPrice")), item.get("marketPrice")
                if old is not None:
                    assert price(new) is not None, item  # stays a positive price
                    changes.append(abs(price(new) / old - 1))
                if offer_price(before[item["id"]]) is not None:
                    assert offer_price(item) is not None, item
    assert len(changes) > 10_000
    assert 0.003 <= statistics.median(changes) <= 0.03
    # prices do move: not one day with every price unchanged
    assert sum(c > 0 for c in changes) > 0.8 * len(changes)


def named(match, inside=True):
    """A predicate: the item's name contains ``match`` (or does not, ``inside=False``)."""
    return lambda item: (match in item["name"]) is inside


def _ratio(item):
    market, offer = price(item.get("marketPrice")), offer_price(item)
    return None if market is None or offer is None else offer / market


def _day_over_day(history, day, wanted, value, floor=1.0):
    """value(item on day) / value(item on day - 1) for the items held both days."""
    moves = []
    for account in cs2_accounts():
        before = by_id(history[account.name, day - 1])
        for item in history[account.name, day]:
            old = before.get(item["id"])
            if old is None or not wanted(item):
                continue
            if (price(item.get("marketPrice")) or 0) < floor or (offer_price(item) or 0) < floor:
                continue
            moves.append((account.name, value(item) / value(old)))
    return moves


def test_offer_cut_event(history):
    (cut,) = [e for e in aging.EVENTS if e.kind == "offer"]
    assert (cut.day, cut.factor) == (10, 0.85) and cut.date == BASE + timedelta(days=10)
    hit, miss = named(cut.match), named(cut.match, inside=False)
    cut_moves = _day_over_day(history, cut.day, hit, _ratio)
    assert len({name for name, _ in cut_moves}) >= 3, "the cut touches several accounts"
    assert len(cut_moves) >= 10
    assert all(abs(move - 0.85) < 0.025 for _, move in cut_moves), cut_moves
    others = [abs(move - 1) for _, move in _day_over_day(history, cut.day, miss, _ratio)]
    assert statistics.median(others) < 0.01 and max(others) < 0.05
    before = [move for _, move in _day_over_day(history, cut.day - 1, hit, _ratio)]
    assert all(abs(move - 1) < 0.05 for move in before), "no cut before its day"
    # and it stays: a month on, the cut items pay ~15% less of the market than on day 0
    first = by_id(i for a in cs2_accounts() for i in history[a.name, 0])
    for account in cs2_accounts():
        for item in history[account.name, DAYS]:
            if hit(item) and item["id"] in first and _ratio(item) and _ratio(first[item["id"]]):
                assert 0.8 < _ratio(item) / _ratio(first[item["id"]]) < 0.9


def test_market_spike_event(history):
    (spike,) = [e for e in aging.EVENTS if e.kind == "market"]
    assert (spike.day, spike.factor) == (18, 1.40)
    hit = named(spike.match)

    def market(item):
        return price(item["marketPrice"])

    jumps = _day_over_day(history, spike.day, hit, market)
    assert len({name for name, _ in jumps}) >= 3 and len(jumps) >= 10
    assert all(abs(jump / 1.40 - 1) < 0.06 for _, jump in jumps), jumps
    offers = _day_over_day(history, spike.day, hit, offer_price)
    assert all(abs(move - 1) < 0.07 for _, move in offers), offers
    ratios = _day_over_day(history, spike.day, hit, _ratio)
    assert all(abs(move * 1.40 - 1) < 0.07 for _, move in ratios)  # the payout ratio drops
    calm = _day_over_day(history, spike.day, named(spike.match, inside=False), market)
    assert max(abs(move - 1) for _, move in calm) < 0.1


# --- items leave and arrive --------------------------------------------------------


def test_items_leave_and_arrive(history):
    base = {a.name: by_id(history[a.name, 0]) for a in cs2_accounts()}
    first_seen = {}
    for account in cs2_accounts():
        held = set(base[account.name])
        for day in range(DAYS + 1):
            items = history[account.name, day]
            ids = [item["id"] for item in items]
            assert len(ids) == len(set(ids)), (account.name, day)
            arrived = set(ids) - held
            assert not arrived & set(base[account.name]), "a traded item never comes back"
            for item in items:
                seen = first_seen.setdefault(item["id"], (account.name, item))
                assert seen[0] == account.name
                assert static(item) == static(seen[1]), item["id"]
                assert type(item.get("marketPrice")) is type(seen[1].get("marketPrice"))
            held = set(ids)
    total = sum(len(ids) for ids in base.values())
    kept = sum(len(set(base[a.name]) & set(by_id(history[a.name, DAYS]))) for a in cs2_accounts())
    expected = 1 - (1 - DAILY_LEAVE) ** DAYS  # ~36%
    left = 1 - kept / total
    assert 0.2 <= left <= 0.5 and abs(left - expected) < 0.08
    new = [i for i in first_seen if not any(i in ids for ids in base.values())]
    months = len(cs2_accounts()) * DAYS  # ~0.3 new item an account-day
    assert 0.15 * months <= len(new) <= 0.45 * months
    assert all(i.startswith("enc_") for i in new)


def test_missing_prices_and_offers_stay_missing(history):
    for account in cs2_accounts():
        now = by_id(history[account.name, DAYS])
        for item_id, item in by_id(history[account.name, 0]).items():
            if item_id not in now:
                continue
            for key in ("marketPrice", "offer"):
                assert (key in item) == (key in now[item_id])
                if item.get(key) is None:
                    assert now[item_id].get(key) is None


def test_rust_inventories_age_too():
    with sb.serve(as_of="2026-07-01") as box:
        for name in ("rusty", "erin"):
            partner = box.accounts[name].partner
            today = by_id(data.inventory(partner, GAME_RUST))
            later = served(box, box.accounts[name].trade_url, GAME_RUST)["inventory"]
            assert all(i["appid"] == 252490 for i in later)
            kept = [i for i in later if i["id"] in today]
            assert 0 < len(kept) < len(today)
            assert all(static(i) == static(today[i["id"]]) for i in kept)
            assert any(i["marketPrice"] != today[i["id"]]["marketPrice"] for i in kept)


# --- the wiring ---------------------------------------------------------------------


def test_updated_at_carries_the_day():
    with sb.serve(as_of=date(2026, 6, 17)) as box:
        for account in cs2_accounts():
            stamp = served(box, account.trade_url)["updatedAt"]
            expected = data.updated_at(account.partner).replace("2026-06-01", "2026-06-17")
            assert stamp == expected
        days = {datetime.now(UTC).date().isoformat()}
        _, body, _ = fetch(box, box.trade_urls[0], refresh="true")
        days.add(datetime.now(UTC).date().isoformat())
        assert body["data"]["updatedAt"][:10] in days  # refresh still reports now


def test_set_as_of_changes_a_running_server():
    url = data.ACCOUNTS[1].trade_url
    with sb.serve() as box, sb.serve(as_of="2026-06-15") as fixed:
        today = served(box, url)
        box.set_as_of("2026-06-15")
        assert box.as_of == date(2026, 6, 15)
        assert served(box, url) == served(fixed, url) != today
        with pytest.raises(ValueError):
            box.set_as_of("2026-05-01")
        assert box.as_of == date(2026, 6, 15)
        box.set_as_of(None)
        assert box.as_of is None and served(box, url) == today


def test_set_as_of_from_many_threads_serves_whole_days():
    url = data.ACCOUNTS[0].trade_url
    days = [BASE + timedelta(days=n) for n in (0, 5, 9)]
    with sb.serve() as box:
        expected = {}
        for day in days:
            box.set_as_of(day)
            expected[served(box, url)["updatedAt"]] = served(box, url)
        seen = []

        def worker():
            for _ in range(5):
                seen.append(served(box, url))

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for day in days * 3:
            box.set_as_of(day)
        for thread in threads:
            thread.join()
    assert all(body == expected[body["updatedAt"]] for body in seen)


@pytest.mark.parametrize(
    "bad", [date(2026, 5, 31), "2026-05-31", "yesterday", 5, "2026-02-30", "2026/06/10", "", 1.5]
)
def test_bad_as_of_raises_before_the_server_starts(bad):
    running = sum(t.name == "assetpay-sandbox" for t in threading.enumerate())
    with pytest.raises(ValueError) as raised, sb.serve(as_of=bad):
        pass
    if bad in (date(2026, 5, 31), "2026-05-31"):
        assert "2026-06-01" in str(raised.value)
    with pytest.raises(ValueError):
        sb.start(as_of=bad)
    assert sum(t.name == "assetpay-sandbox" for t in threading.enumerate()) == running


def test_special_accounts_behave_as_before(sandbox):
    with sb.serve(as_of="2026-07-01") as aged:
        for account in data.ACCOUNTS:
            if account.kind == "normal":
                continue
            now_status, now, _ = fetch(sandbox, account.trade_url)
            then_status, then, _ = fetch(aged, account.trade_url)
            assert then_status == now_status, account.name
            if now_status != 200:
                assert then["error"]["key"] == now["error"]["key"]
            elif account.kind == "empty":
                assert then["data"]["inventory"] == [] and then["data"]["count"] == 0
            else:
                assert then["data"]["inventory"] == aged.items(account.name)
                assert then["data"]["inventory"] != now["data"]["inventory"]


def test_a_month_of_history_through_http(history):
    assert len(history) == (DAYS + 1) * len(cs2_accounts())
    assert {name for name, _ in history} >= {"alice", "bob", "carol", "dave", "erin", "flaky"}
    assert all(history[a.name, DAYS] for a in cs2_accounts())
