"""The sandbox's price book over real HTTP, and the demo offers priced by it.

Expectations come from the raw JSON answers (the book of ``GET /secure/prices``, the
inventories of ``GET /secure/inventory``) joined on ``marketHashName`` (+ the Doppler
phase), and from ``Sandbox.off_book``, the seeded disagreements: never from the pricing
rule itself.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from assetpay_analytics.constants import DOPPLER_PHASES, GAME_CS2, GAME_RUST
from assetpay_analytics.sandbox import aging, catalogue, serve
from tests.sandbox.calls import book, inventory, prices

BASE = date(2026, 6, 1)
PHASES_1_4 = ("Phase 1", "Phase 2", "Phase 3", "Phase 4")


def offer(item):
    return item.get("offer") if isinstance(item.get("offer"), dict) else None


def accepted(item):
    """The offer's acceptance, in either spelling (``offer.accepted`` or the .co top level)."""
    return offer(item).get("accepted", item.get("accepted"))


def book_index(entries):
    """(marketHashName, phase or None) -> the book's price element (an entry or a phase)."""
    index = {}
    for entry in entries:
        for phase in entry.get("phases", []):
            index[entry["marketHashName"], phase["phase"]] = phase
        if "phases" not in entry:
            index[entry["marketHashName"], None] = entry
    return index


def item_key(item):
    return item["marketHashName"], (item.get("doppler") or {}).get("name")


def held_accounts(box, game):
    return [a for a in box.accounts.values() if dict(a.sizes).get(game)]


def disagreements(box, game):
    """account name -> ids of the served items whose offer is not the served book's deposit."""
    index = book_index(book(box, game=game))
    found = {}
    for account in held_accounts(box, game):
        found[account.name] = set()
        for item in inventory(box, account.trade_url, game):
            if offer(item) is None:
                continue
            entry = index[item_key(item)]  # every name an inventory draws is in the book
            if offer(item)["price"] != entry["deposit"]:
                found[account.name].add(item["id"])
    return found


# --- the book's shape -------------------------------------------------------------------


def test_book_is_an_array_in_a_fixed_order(sandbox):
    first = prices(sandbox)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"requestId", "success", "data"} and body["success"] is True
    assert body["data"] == book(sandbox, game="730") == sandbox.price_book()
    names = [entry["marketHashName"] for entry in body["data"]]
    assert len(names) == len(set(names)) > 500


def test_cs2_entries(sandbox):
    entries = book(sandbox)
    keys = {"itemId", "marketHashName", "accepted", "deposit", "withdraw"}
    for entry in entries:
        assert set(entry) in (keys, keys | {"phases"}), entry
        assert entry["accepted"] is (entry["deposit"] > 0)
        assert set(entry["withdraw"]) == {"standard", "instant"}
        if entry["itemId"] is None:  # "null when no withdraw floor"
            assert entry["withdraw"] == {"standard": None, "instant": None}
        else:
            assert isinstance(entry["itemId"], str) and entry["withdraw"]["standard"] is not None
    no_floor = [e for e in entries if e["itemId"] is None]
    assert 0 < len(no_floor) < 0.1 * len(entries)
    assert {e["marketHashName"] for e in entries if "Souvenir AWP | Dragon Lore" in
            e["marketHashName"]} <= {e["marketHashName"] for e in no_floor}  # fmt: skip
    ids = [e["itemId"] for e in entries if e["itemId"] is not None]
    assert len(ids) == len(set(ids))


def test_every_name_the_catalogue_allows(sandbox):
    names = {entry["marketHashName"] for entry in book(sandbox)}
    cat = catalogue.load()
    for skin in cat.skins:
        star = "★ " if skin.star else ""
        for exterior in skin.exteriors:
            assert f"{star}{skin.weapon} | {skin.skin} ({exterior})" in names
            stattrak = f"{star}StatTrak™ {skin.weapon} | {skin.skin} ({exterior})"
            souvenir = f"Souvenir {skin.weapon} | {skin.skin} ({exterior})"
            assert (stattrak in names) is skin.stattrak
            assert (souvenir in names) is skin.souvenir
    assert {item.name for item in cat.plain_items} | {"★ Karambit"} <= names


def test_withdraw_is_above_deposit_with_a_spread_by_band_and_exterior(sandbox):
    entries = book(sandbox)
    rows = [(e, e["withdraw"]) for e in entries]
    rows += [(p, p["withdraw"]) for e in entries for p in e.get("phases", [])]
    keeps = set()
    for price, withdraw in rows:
        standard, instant = withdraw["standard"], withdraw["instant"]
        if standard is not None:
            assert standard > price["deposit"], price
            if price["accepted"]:
                assert 0.59 <= price["deposit"] / standard <= 0.91, price
                keeps.add(round(price["deposit"] / standard, 2))
        if instant is not None:
            assert standard is not None and instant > standard, price
    assert len(keeps) >= 10  # the spread varies: by price band and by exterior
    instants = [w["instant"] for e, w in rows if "phase" not in e and w["standard"] is not None]
    assert 0 < sum(i is None for i in instants) < 0.3 * len(instants)


def test_refused_names(sandbox):
    entries = book(sandbox)
    refused = {e["marketHashName"] for e in entries if not e["accepted"]}
    assert refused and all(e["deposit"] == 0 for e in entries if not e["accepted"])
    assert "R8 Revolver | Bone Mask (Field-Tested)" in refused
    seen = 0
    for account in held_accounts(sandbox, GAME_CS2):
        for item in inventory(sandbox, account.trade_url):
            if item["marketHashName"] in refused and offer(item) is not None:
                assert offer(item)["price"] == 0.0 and accepted(item) is False, item
                seen += 1
    assert seen > 0


def test_doppler_phases(sandbox):
    dopplers = [e for e in book(sandbox) if "phases" in e]
    assert {e["marketHashName"].split(" (")[0] for e in dopplers} >= {
        "★ Karambit | Doppler", "★ Flip Knife | Doppler"}  # fmt: skip
    for entry in dopplers:
        phases = {p["phase"]: p for p in entry["phases"]}
        assert set(phases) <= set(DOPPLER_PHASES) and set(PHASES_1_4) <= set(phases)
        assert len(phases) == len(entry["phases"])
        floor = min(entry["phases"], key=lambda p: p["deposit"])
        assert (entry["deposit"], entry["accepted"]) == (floor["deposit"], floor["accepted"])
        assert entry["withdraw"]["standard"] == floor["withdraw"]["standard"]
        top = max(phases[p]["deposit"] for p in PHASES_1_4)
        for gem in ("Ruby", "Sapphire"):
            if gem in phases:
                assert phases[gem]["deposit"] > 2 * top
    instants = [p["withdraw"]["instant"] for e in dopplers for p in e["phases"]]
    assert sum(i is None for i in instants) > len(instants) / 2  # [gg]: instant often null


def test_doppler_items_are_priced_by_phase(box):
    index = book_index(box.price_book())
    markets = {}
    for account in held_accounts(box, GAME_CS2):
        for item in box.items(account.name):
            if "doppler" not in item:
                continue
            assert item_key(item) in index
            if isinstance(item.get("marketPrice"), float):
                markets.setdefault(item["doppler"]["name"], []).append(item["marketPrice"])
    gems = [p for gem in ("Ruby", "Sapphire") for p in markets.get(gem, [])]
    plain = [p for phase in PHASES_1_4 for p in markets.get(phase, [])]
    assert gems and plain and statistics.median(gems) > 2 * statistics.median(plain)


def test_rust_book(sandbox):
    entries = book(sandbox, game="252490")
    assert [e["marketHashName"] for e in entries] == [i.name for i in catalogue.load().rust_items]
    for entry in entries:
        assert set(entry) == {"marketHashName", "accepted", "deposit", "withdraw"}
        assert entry["accepted"] is (entry["deposit"] > 0)
        assert entry["withdraw"] is None or entry["withdraw"] > entry["deposit"]
    assert any(e["withdraw"] is None for e in entries)
    assert any(not e["accepted"] for e in entries)


# --- offers against the book -------------------------------------------------------------


@pytest.mark.parametrize("game", [GAME_CS2, GAME_RUST])
def test_every_offer_is_the_book_deposit_except_off_book(sandbox, game):
    found = disagreements(sandbox, game)
    for name, ids in found.items():
        assert ids == sandbox.off_book(name, game), name
    total = sum(len(inventory(sandbox, a.trade_url, game)) for a in held_accounts(sandbox, game))
    seeded = sum(len(ids) for ids in found.values())
    if game == GAME_CS2:
        assert 0 < seeded < 0.03 * total


def test_only_the_seeded_disagreements_top_the_market_price(box):
    above = set()
    for account in held_accounts(box, GAME_CS2):
        off = box.off_book(account.name)
        for item in box.items(account.name):
            market = item.get("marketPrice")
            if offer(item) and isinstance(market, float) and offer(item)["price"] > market:
                assert item["id"] in off, item
                above.add(item["id"])
    assert above  # some of them do


def test_off_book_of_an_unnamed_partner_and_of_accounts_without_items(sandbox):
    url = "https://steamcommunity.com/tradeoffer/new/?partner=12345&token=ABCDEFGH"
    index = book_index(sandbox.price_book())
    served = inventory(sandbox, url)
    off = {
        i["id"] for i in served if offer(i) and offer(i)["price"] != index[item_key(i)]["deposit"]
    }
    assert off == sandbox.off_book(url)
    assert sandbox.off_book("empty") == sandbox.off_book("rusty") == frozenset()


@pytest.mark.parametrize("day", [10, 19, 31])
def test_the_book_ages_with_the_offers(day):
    with serve(as_of=BASE + timedelta(days=day)) as box:
        assert book(box) == box.price_book() != book_at(None)
        for game in (GAME_CS2, GAME_RUST):
            for name, ids in disagreements(box, game).items():
                assert ids == box.off_book(name, game), (name, game)


def book_at(day):
    with serve(as_of=None if day is None else BASE + timedelta(days=day)) as box:
        return book(box)


def test_the_asiimov_cut_shows_in_the_book_and_the_offers():
    (cut,) = [event for event in aging.EVENTS if event.kind == "offer"]
    with serve(as_of=BASE + timedelta(days=cut.day - 1)) as box:
        before = {e["marketHashName"]: e for e in book(box)}
        box.set_as_of(BASE + timedelta(days=cut.day))
        after = {e["marketHashName"]: e for e in book(box)}
        index = book_index(after.values())
        offers = [
            offer(i)["price"] == index[item_key(i)]["deposit"]
            for a in held_accounts(box, GAME_CS2)
            for i in inventory(box, a.trade_url)
            if cut.match in i["name"] and offer(i) and i["id"] not in box.off_book(a.name)
        ]
    assert len(offers) >= 10 and all(offers)

    def keep(entry):  # deposit / standard: the deposit takes the cut, the market does not
        return entry["deposit"] / entry["withdraw"]["standard"]

    moves = {name: keep(after[name]) / keep(before[name]) for name in after
             if after[name]["withdraw"]["standard"] and after[name]["deposit"] >= 10}  # fmt: skip
    cut_moves = [move for name, move in moves.items() if cut.match in name]
    others = [move for name, move in moves.items() if cut.match not in name]
    assert len(cut_moves) >= 5 and all(abs(move - cut.factor) < 0.02 for move in cut_moves)
    assert statistics.median(abs(move - 1) for move in others) < 0.01


# --- the request -------------------------------------------------------------------------


@pytest.mark.parametrize("game", ["440", "0", "-1", "abc", "7.3", "", "730 "])
def test_game_must_be_a_known_positive_integer(sandbox, game):
    response = prices(sandbox, game=game)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["key"]) == (1001, "VALIDATION_FAILED")
    assert set(error["fields"]) == {"game"}


def test_validation_status_follows_the_dialect():
    with serve(dialect="co") as box:
        assert prices(box, game="x").status_code == 400


def test_prices_needs_the_api_key(sandbox):
    assert prices(sandbox, key=None).json()["error"]["key"] == "MISSING_API_KEY"
    assert prices(sandbox, key="ap_wrong").status_code == 401
    assert [r.path for r in sandbox.requests] == ["/secure/prices"] * 2
