"""The sandbox's demo data: deterministic accounts and the inventories generated for them.

What lives here: the named demo ``Account``s (``ACCOUNTS``, ``account_by_partner``), the
raw inventory generator ``inventory``, the ids of its items priced off the book
(``off_book``) and ``updated_at``. The curated catalogue of real
items they are drawn from is package data, ``catalogue.json``, read by ``catalogue.py``:
adding a skin is an edit there, not here.

Pure generation, no HTTP. Every inventory is generated from a fixed seed with
``random.Random`` (never ``hash()``, which is salted per process), so two processes
serve byte-identical inventories.

Prices are shaped so the analysis finds real structure: the market price of a skin
follows its exterior, StatTrak™/Souvenir, its Doppler phase and a low-float premium, plus
noise. AssetPay prices by name: an item's offer is the price book's deposit for its
``marketHashName`` (and Doppler phase), a payout ratio of the name's reference price that
depends on the price level, the exterior and the rarity (``book``), whatever the item's
own float or market price. About 1.2% of the items are deliberate outliers whose offer is
off the book (``off_book``); a name the book refuses is offered 0 and not accepted.

The extra fields a few items carry (``fade``, ``hardened``, ``charm``,
``offer.delivery``, ``offer.maxAmount``) are drawn apart, from the item's id (``extras``),
so adding them changed no other draw.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..constants import (
    DOPPLER_PAINT_INDEX,
    EXTERIOR_FLOAT_RANGES,
    GAME_CS2,
    GAME_RUST,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)
from ..tradeurl import TradeUrl
from . import book, catalogue, extras
from .catalogue import PlainItem, RustItem, Skin

# ``fresh_item``, ``fresh_drawn`` and ``off_book`` are for the sandbox's own modules and
# stay out of the (pinned) ``__all__``.
__all__ = ["ACCOUNTS", "Account", "account_by_partner", "inventory", "updated_at"]

# --- the catalogue (package data: catalogue.json, loaded by catalogue.py) -------------

_CATALOGUE = catalogue.load()
# The tables under their historical names (kept for code that imports them from here).
RARITY_COLORS: Mapping[str, str] = _CATALOGUE.rarity_colors
#: Market price multiplier by exterior, relative to Field-Tested.
EXTERIOR_FACTOR: Mapping[str, float] = _CATALOGUE.exterior_factor
#: Payout ratio adjustment by exterior (AssetPay pays a little more for clean skins).
EXTERIOR_PAYOUT: Mapping[str, float] = _CATALOGUE.exterior_payout
#: How common each exterior is in an inventory (Field-Tested most of all).
EXTERIOR_SHARE: Mapping[str, float] = _CATALOGUE.exterior_share
RARITY_PAYOUT: Mapping[str, float] = _CATALOGUE.rarity_payout
#: Market price multiplier by Doppler phase.
PHASE_FACTOR: Mapping[str, float] = _CATALOGUE.phase_factor
SKINS: tuple[Skin, ...] = _CATALOGUE.skins
#: Items with no wear: (name, type, rarity, USD price).
PLAIN_ITEMS: tuple[PlainItem, ...] = _CATALOGUE.plain_items
STICKER_NAMES: tuple[str, ...] = _CATALOGUE.sticker_names
#: Rust items: (name, type, USD price, stackable).
RUST_ITEMS: tuple[RustItem, ...] = _CATALOGUE.rust_items


# --- accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A demo Steam account the sandbox knows.

    Attributes
    ----------
    name : str
        Its name in ``Sandbox.accounts``.
    partner, token : int, str
        The trade URL's parts.
    trade_url, steam_id : str
        The canonical trade URL and the SteamID64.
    kind : str
        normal, private, fetch_failed, empty, flaky, steam_down, throttled, escrow,
        vac_banned, ghost, untradeable or screen_flip (see ``Sandbox.accounts``).
    games : tuple of str
        The app ids it holds items for.
    """

    name: str
    partner: int
    token: str
    kind: str
    games: tuple[str, ...]
    sizes: tuple[tuple[str, int], ...] = ()
    minute: int = 0

    @property
    def trade_url(self) -> str:
        return TradeUrl(self.partner, self.token).url

    @property
    def steam_id(self) -> str:
        return TradeUrl(self.partner, self.token).steam_id


def _account(
    name: str,
    partner: int,
    token: str,
    kind: str = "normal",
    sizes: Sequence[tuple[str, int]] = (),
    minute: int = 0,
) -> Account:
    games = tuple(game for game, _ in sizes) or (GAME_CS2,)
    return Account(name, partner, token, kind, games, tuple(sizes), minute)


#: Every named account, normal ones first (in the order of ``Sandbox.trade_urls``).
ACCOUNTS: tuple[Account, ...] = (
    _account("alice", 103582791, "aL1ce_01", sizes=[(GAME_CS2, 32)], minute=0),
    _account("bob", 120458377, "b0bTr4de", sizes=[(GAME_CS2, 150)], minute=4),
    _account("carol", 145937019, "Car0l-77", sizes=[(GAME_CS2, 420)], minute=9),
    _account("dave", 187264401, "DaVe_9x2", sizes=[(GAME_CS2, 1000)], minute=13),
    _account("rusty", 201944712, "RuSt_252", sizes=[(GAME_RUST, 60)], minute=21),
    _account("erin", 233019558, "eRin-mix", sizes=[(GAME_CS2, 90), (GAME_RUST, 25)], minute=27),
    _account("private", 250000007, "Priv8tee", kind="private"),
    _account("fetch_failed", 250000003, "Fetch3rr", kind="fetch_failed"),
    _account("empty", 250000010, "Empty000", kind="empty"),
    _account("flaky", 250001011, "Flaky101", kind="flaky", sizes=[(GAME_CS2, 24)], minute=33),
    _account("steam_down", 250000031, "Steam031", kind="steam_down"),
    _account(
        "throttled", 250001005, "Thrott1e", kind="throttled", sizes=[(GAME_CS2, 18)], minute=38
    ),
    # screened by POST /secure/check-tradeurl (``screening``); their inventories as listed
    _account("escrow", 250002007, "Escr0w07", kind="escrow", sizes=[(GAME_CS2, 6)], minute=41),
    _account(
        "vac_banned", 250002002, "VacBan02", kind="vac_banned", sizes=[(GAME_CS2, 12)], minute=44
    ),
    _account("ghost", 250002077, "Gh0st077", kind="ghost"),
    _account("untradeable", 250002009, "NoTrade9", kind="untradeable"),
    _account(
        "screen_flip", 250002010, "Fl1pScrn", kind="screen_flip", sizes=[(GAME_CS2, 8)], minute=47
    ),
)
_BY_PARTNER = {account.partner: account for account in ACCOUNTS}


def account_by_partner(partner: int) -> Account | None:
    """The named account with this partner id, if any."""
    return _BY_PARTNER.get(partner)


# --- generation --------------------------------------------------------------------


def _wear_in(rng: random.Random, skin: Skin, exterior: str) -> float:
    low, high = EXTERIOR_FLOAT_RANGES[exterior]
    low, high = max(low, skin.min_float), min(high, skin.max_float)
    # strictly inside the range: boundaries are ambiguous between sources
    return low + (high - low) * (0.001 + 0.998 * rng.random())


def _position(exterior: str, wear: float) -> float:
    """0 at the exterior's best float, 1 at its worst."""
    low, high = EXTERIOR_FLOAT_RANGES[exterior]
    return (wear - low) / (high - low)


def _offer_draws(rng: random.Random, market: float) -> tuple[float | None, str]:
    """The offer's draws: (an outlier's payout ratio, else None; the offer's reference).

    The draws are those of the former per-item payout rule (a noise, a roll, an outlier
    ratio, the reference, and an acceptance draw under $0.10), so every later draw, id
    and price of an inventory is unchanged; only the outlier ratio is still used.
    """
    rng.uniform(-0.02, 0.02)  # the former per-item noise
    roll = rng.random()
    outlier = None
    if roll < 0.006:
        outlier = rng.uniform(0.28, 0.34)  # the seeded disagreements: far under the book
    elif roll < 0.012:
        outlier = rng.uniform(1.02, 1.08)  # ... or above the market price itself
    reference = str(40_000_000_000 + rng.randrange(10**9))
    if market < 0.10:
        rng.random()  # the former acceptance draw
    return outlier, reference


def _offer(
    game: str, hash_name: str, phase: str | None, market: float,
    draws: tuple[float | None, str],
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """The offer of an item and whether it is off the book: the book's deposit, unless the
    item is an outlier (and its name is accepted), whose price is off the book."""
    outlier, reference = draws
    quote = book.quote(game, hash_name, phase)
    if outlier is None or not quote.accepted:
        return {"price": quote.deposit, "reference": reference, "accepted": quote.accepted}, False
    price = max(0.01, round(market * outlier, 2))
    if price == quote.deposit:  # never on the book by chance
        price = round(price + 0.01, 2)
    return {"price": price, "reference": reference, "accepted": True}, True


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _stickers(rng: random.Random) -> list[dict[str, Any]]:
    if rng.random() > 0.3:
        return []
    slots = sorted(rng.sample(range(5), rng.randint(1, 4)))
    stickers: list[dict[str, Any]] = []
    for slot in slots:
        name = rng.choice(STICKER_NAMES)
        stickers.append(
            {
                "name": name,
                "slot": slot,
                "wear": round(rng.choice([0.0, 0.0, rng.random()]), 4),
                "iconUrl": _hex(rng, 20),
                "marketHashName": f"Sticker | {name}",
            }
        )
    return stickers


_Drawn = tuple[dict[str, Any], bool]  # an item body (or item) and whether it is off the book


def _skin_item(rng: random.Random) -> _Drawn:
    skin = rng.choice(SKINS)
    exteriors = skin.exteriors
    exterior = rng.choices(exteriors, [EXTERIOR_SHARE[e] for e in exteriors])[0]
    wear = _wear_in(rng, skin, exterior)
    stattrak = skin.stattrak and rng.random() < 0.18
    souvenir = skin.souvenir and not stattrak and rng.random() < 0.5
    position = _position(exterior, wear)
    market = skin.price * EXTERIOR_FACTOR[exterior] * (1.12 - 0.14 * position)
    market *= (1.6 + 1.2 * rng.random()) if stattrak else 1.0
    market *= 1.8 if souvenir else 1.0
    market = round(market * rng.uniform(0.9, 1.1), 2)
    mark = STATTRAK_PREFIX if stattrak else SOUVENIR_PREFIX if souvenir else ""
    star = STAR_PREFIX if skin.star else ""
    hash_name = f"{star}{mark}{skin.weapon} | {skin.skin} ({exterior})"
    draws = _offer_draws(rng, market)
    paint_seed = rng.randrange(1001)
    stickers = [] if skin.star else _stickers(rng)
    phase = rng.choice(skin.phases) if skin.phases else None
    if phase is not None:
        market = round(market * PHASE_FACTOR[phase], 2)
    offer, off_book = _offer(GAME_CS2, hash_name, phase, market, draws)
    item: dict[str, Any] = {
        "name": f"{star}{skin.weapon} | {skin.skin}",
        "marketHashName": hash_name,
        "type": skin.type,
        "marketPrice": market,
        "offer": offer,
        "exterior": exterior,
        "wear": f"{wear:.8f}",
        "rarity": skin.rarity,
        "color": RARITY_COLORS[skin.rarity],
        "paintSeed": paint_seed,
        "stickers": stickers,
    }
    if phase is not None:
        item["doppler"] = {"name": phase, "paintIndex": DOPPLER_PAINT_INDEX[phase]}
    return item, off_book


def _plain_item(rng: random.Random) -> _Drawn:
    if rng.random() < 0.08:
        market = round(rng.uniform(380, 520), 2)
        offer, off_book = _offer(GAME_CS2, book.KARAMBIT, None, market, _offer_draws(rng, market))
        return {"name": book.KARAMBIT, "marketHashName": book.KARAMBIT, "type": "Knife",
                "rarity": "Covert", "color": RARITY_COLORS["Covert"], "marketPrice": market,
                "offer": offer}, off_book  # fmt: skip
    name, kind, rarity, price = rng.choice(PLAIN_ITEMS)
    market = round(price * rng.uniform(0.92, 1.08), 2)
    offer, off_book = _offer(GAME_CS2, name, None, market, _offer_draws(rng, market))
    return {"name": name, "marketHashName": name, "type": kind, "rarity": rarity,
            "color": RARITY_COLORS[rarity], "marketPrice": market,
            "offer": offer}, off_book  # fmt: skip


def _rust_item(rng: random.Random) -> _Drawn:
    name, kind, price, stackable = rng.choice(RUST_ITEMS)
    market = round(price * rng.uniform(0.9, 1.1), 2)
    offer, off_book = _offer(GAME_RUST, name, None, market, _offer_draws(rng, market))
    item: dict[str, Any] = {"name": name, "marketHashName": name, "type": kind,
                            "marketPrice": market, "offer": offer}  # fmt: skip
    item["amount"] = rng.randint(20, 600) if stackable else 1
    return item, off_book


def _finish(rng: random.Random, drawn: _Drawn, appid: int) -> _Drawn:
    """Common fields, the documented quirks (nulls, .co top-level accepted, extra keys).

    An item whose offer the quirks drop (null or missing) is no longer off the book.
    """
    body, off_book = drawn
    item: dict[str, Any] = {
        "id": f"enc_{_hex(rng, 24)}",
        "assetId": str(30_000_000_000 + rng.randrange(10**10)),
        "appid": appid,
        "tradable": rng.random() < 0.9,
        "iconUrl": f"-9a81dlWLwJ2UUGcVs_nsVtzdOEdtWwKGZZLQHTxDZ7I56KU0Zwwo4NUX4oFJZ{_hex(rng, 16)}",
        **body,
    }
    roll = rng.random()
    if roll < 0.01:
        item["marketPrice"] = None
    elif roll < 0.02:
        del item["marketPrice"]
    elif roll < 0.035:
        item["offer"] = None
    elif roll < 0.05:
        del item["offer"]
    elif roll < 0.07 and item.get("offer"):
        item["accepted"] = item["offer"].pop("accepted")  # the .co spelling
    if rng.random() < 0.03:
        item["botInfo"] = {"id": rng.randrange(100), "region": "eu"}
    if rng.random() < 0.02:
        item["previewToken"] = _hex(rng, 12)
    return item, off_book and isinstance(item.get("offer"), dict)


def _draw(rng: random.Random, game: str) -> _Drawn:
    """One item (its id drawn too, its extras not yet added) and whether it is off the book."""
    if game == GAME_RUST:
        return _finish(rng, _rust_item(rng), 252490)
    return _finish(rng, _skin_item(rng) if rng.random() < 0.86 else _plain_item(rng), 730)


def _generated(partner: int, game: str) -> list[_Drawn]:
    account = account_by_partner(partner)
    if account is not None:
        size = dict(account.sizes).get(game, 0)
    else:
        size = random.Random(f"size:{partner}").randint(20, 200) if game == GAME_CS2 else 0
    rng = random.Random(f"inventory:{partner}:{game}")
    drawn = [_draw(rng, game) for _ in range(size)]
    for item, _ in drawn:
        extras.add(item)
    return drawn


def inventory(partner: int, game: str) -> list[dict[str, Any]]:
    """The full raw inventory of an account for one game, exactly as served.

    Named accounts have their listed sizes (0 for a game they do not hold);
    any other partner gets a generated CS2 inventory of 20–200 items.

    Examples
    --------
    >>> len(inventory(103582791, "730"))
    32
    >>> inventory(103582791, "730") == inventory(103582791, "730")
    True
    """
    return [item for item, _ in _generated(partner, game)]


def off_book(partner: int, game: str) -> frozenset[str]:
    """The ids of ``inventory(partner, game)``'s items whose offer is off the price book.

    These are the seeded disagreements (about 1.2% of the items): an offer far under
    the book's deposit for the name, or above the market price. Every other item with
    an offer is offered exactly the book's deposit (``book.quote``).

    Examples
    --------
    >>> ids = off_book(120458377, "730")
    >>> ids <= {item["id"] for item in inventory(120458377, "730")}
    True
    """
    return frozenset(item["id"] for item, off in _generated(partner, game) if off)


def fresh_drawn(seed: str, game: str, item_id: str) -> _Drawn:
    """``fresh_item(seed, game, item_id)`` and whether it is off the price book."""
    item, off = _draw(random.Random(f"fresh:{seed}:{game}"), game)
    item["id"] = item_id
    extras.add(item)
    return item, off


def fresh_item(seed: str, game: str, item_id: str) -> dict[str, Any]:
    """One new item drawn from ``seed`` (deterministic), carrying the given id.

    Used by the sandbox's faults that invent items (a shifting or an endless inventory)
    and by aging (the items an account receives); the demo inventories never call it, so
    their draws are unchanged.

    Examples
    --------
    >>> item = fresh_item("doc", "730", "enc_new_1")
    >>> item["id"], item["appid"], item == fresh_item("doc", "730", "enc_new_1")
    ('enc_new_1', 730, True)
    """
    return fresh_drawn(seed, game, item_id)[0]


def updated_at(partner: int) -> str:
    """The fixed time an account's upstream cache was last refreshed (ISO-8601 UTC)."""
    account = account_by_partner(partner)
    minute = account.minute if account is not None else partner % 60
    return f"2026-06-01T09:{30 + minute % 30:02d}:00.000Z"
