"""The sandbox's demo data: a curated catalog of real items and deterministic accounts.

Pure data and generation, no HTTP. Every inventory is generated from a fixed seed with
``random.Random`` (never ``hash()``, which is salted per process), so two processes
serve byte-identical inventories.

Prices are shaped so the analysis finds real structure: the market price of a skin
follows its exterior, StatTrak™/Souvenir and a low-float premium; AssetPay's offer is
a payout ratio that depends on the price level, the exterior, the rarity and the float
inside the exterior, plus noise and about 1% deliberate outliers.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..constants import (
    EXTERIOR_FLOAT_RANGES,
    GAME_CS2,
    GAME_RUST,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)
from ..tradeurl import TradeUrl

__all__ = ["ACCOUNTS", "Account", "account_by_partner", "inventory", "updated_at"]

# --- the catalog -------------------------------------------------------------------

RARITY_COLORS: Mapping[str, str] = {
    "Consumer Grade": "#B0C3D9",
    "Industrial Grade": "#5E98D9",
    "Mil-Spec Grade": "#4B69FF",
    "Restricted": "#8847FF",
    "Classified": "#D32CE6",
    "Covert": "#EB4B4B",
    "Extraordinary": "#EB4B4B",
    "Contraband": "#E4AE39",
    "High Grade": "#4B69FF",
    "Remarkable": "#8847FF",
    "Exotic": "#D32CE6",
    "Base Grade": "#B0C3D9",
}

#: Market price multiplier by exterior, relative to Field-Tested.
EXTERIOR_FACTOR: Mapping[str, float] = {
    "Factory New": 2.6,
    "Minimal Wear": 1.55,
    "Field-Tested": 1.0,
    "Well-Worn": 0.82,
    "Battle-Scarred": 0.7,
}
#: Payout ratio adjustment by exterior (AssetPay pays a little more for clean skins).
EXTERIOR_PAYOUT: Mapping[str, float] = {
    "Factory New": 0.025,
    "Minimal Wear": 0.012,
    "Field-Tested": 0.0,
    "Well-Worn": -0.03,
    "Battle-Scarred": -0.05,
}
#: How common each exterior is in an inventory (Field-Tested most of all).
EXTERIOR_SHARE: Mapping[str, float] = {
    "Factory New": 0.16,
    "Minimal Wear": 0.24,
    "Field-Tested": 0.34,
    "Well-Worn": 0.1,
    "Battle-Scarred": 0.16,
}
RARITY_PAYOUT: Mapping[str, float] = {
    "Covert": 0.015,
    "Extraordinary": 0.02,
    "Classified": 0.008,
    "Restricted": 0.0,
    "Mil-Spec Grade": -0.01,
    "Industrial Grade": -0.02,
    "Consumer Grade": -0.03,
    "Contraband": 0.02,
}


@dataclass(frozen=True)
class Skin:
    """A weapon skin: (weapon, skin, type, rarity, FT-equivalent USD price, float range)."""

    weapon: str
    skin: str
    type: str
    rarity: str
    price: float
    min_float: float = 0.0
    max_float: float = 1.0
    star: bool = False
    souvenir: bool = False
    stattrak: bool = True
    phases: tuple[str, ...] = ()


SKINS: tuple[Skin, ...] = (
    Skin("AK-47", "Redline", "Rifle", "Classified", 38.0, 0.10, 0.70),
    Skin("AK-47", "Asiimov", "Rifle", "Covert", 62.0, 0.05, 0.70),
    Skin("AK-47", "Vulcan", "Rifle", "Covert", 210.0, 0.00, 0.90),
    Skin("AK-47", "Case Hardened", "Rifle", "Classified", 180.0, 0.00, 1.00),
    Skin("AK-47", "Slate", "Rifle", "Restricted", 4.1, 0.00, 1.00),
    Skin("AK-47", "Elite Build", "Rifle", "Mil-Spec Grade", 2.9, 0.00, 1.00),
    Skin("AK-47", "Neon Rider", "Rifle", "Covert", 74.0, 0.00, 0.80),
    Skin("AK-47", "Bloodsport", "Rifle", "Covert", 88.0, 0.00, 0.50),
    Skin("AWP", "Asiimov", "Sniper Rifle", "Covert", 118.0, 0.18, 1.00),
    Skin("AWP", "Hyper Beast", "Sniper Rifle", "Covert", 46.0, 0.00, 1.00),
    Skin("AWP", "Atheris", "Sniper Rifle", "Restricted", 4.8, 0.00, 1.00),
    Skin("AWP", "Redline", "Sniper Rifle", "Classified", 32.0, 0.10, 0.70),
    Skin("AWP", "Neo-Noir", "Sniper Rifle", "Covert", 52.0, 0.00, 0.70),
    Skin(
        "AWP",
        "Dragon Lore",
        "Sniper Rifle",
        "Covert",
        9400.0,
        0.00,
        0.70,
        souvenir=True,
        stattrak=False,
    ),
    Skin("M4A4", "Howl", "Rifle", "Contraband", 5200.0, 0.00, 0.40),
    Skin("M4A4", "Desolate Space", "Rifle", "Classified", 14.0, 0.00, 1.00),
    Skin("M4A4", "The Emperor", "Rifle", "Covert", 28.0, 0.00, 1.00),
    Skin("M4A4", "Neo-Noir", "Rifle", "Covert", 24.0, 0.00, 0.80),
    Skin("M4A1-S", "Hyper Beast", "Rifle", "Covert", 21.0, 0.00, 1.00),
    Skin("M4A1-S", "Printstream", "Rifle", "Covert", 145.0, 0.00, 0.80),
    Skin("M4A1-S", "Decimator", "Rifle", "Classified", 16.0, 0.00, 0.85),
    Skin("M4A1-S", "Nitro", "Rifle", "Restricted", 3.4, 0.06, 0.80),
    Skin("Desert Eagle", "Printstream", "Pistol", "Covert", 48.0, 0.00, 1.00),
    Skin("Desert Eagle", "Blaze", "Pistol", "Restricted", 480.0, 0.00, 0.08, stattrak=False),
    Skin("Desert Eagle", "Code Red", "Pistol", "Covert", 38.0, 0.00, 1.00),
    Skin("USP-S", "Kill Confirmed", "Pistol", "Covert", 58.0, 0.00, 1.00),
    Skin("USP-S", "Cortex", "Pistol", "Classified", 7.5, 0.00, 1.00),
    Skin("USP-S", "Orion", "Pistol", "Classified", 19.0, 0.00, 0.80),
    Skin("Glock-18", "Water Elemental", "Pistol", "Classified", 6.2, 0.00, 1.00),
    Skin("Glock-18", "Fade", "Pistol", "Restricted", 1650.0, 0.00, 0.08, stattrak=False),
    Skin("Glock-18", "Vogue", "Pistol", "Classified", 5.8, 0.00, 1.00),
    Skin("P250", "Asiimov", "Pistol", "Classified", 4.4, 0.10, 1.00),
    Skin(
        "P250",
        "Sand Dune",
        "Pistol",
        "Consumer Grade",
        0.04,
        0.06,
        0.80,
        souvenir=True,
        stattrak=False,
    ),
    Skin("Five-SeveN", "Case Hardened", "Pistol", "Mil-Spec Grade", 3.1, 0.00, 1.00),
    Skin("MP9", "Starlight Protector", "SMG", "Covert", 16.0, 0.00, 1.00),
    Skin("MAC-10", "Neon Rider", "SMG", "Covert", 5.6, 0.00, 0.70),
    Skin("UMP-45", "Primal Saber", "SMG", "Classified", 3.2, 0.00, 1.00),
    Skin("P90", "Asiimov", "SMG", "Covert", 6.9, 0.00, 0.90),
    Skin("FAMAS", "Commemoration", "Rifle", "Classified", 5.1, 0.00, 1.00),
    Skin("Galil AR", "Chatterbox", "Rifle", "Covert", 13.0, 0.35, 0.85),
    Skin("SG 553", "Integrale", "Rifle", "Classified", 9.0, 0.00, 0.60),
    Skin("Nova", "Hyper Beast", "Shotgun", "Classified", 1.9, 0.00, 1.00),
    Skin("MAG-7", "Justice", "Shotgun", "Classified", 2.4, 0.00, 1.00),
    Skin("Tec-9", "Fuel Injector", "Pistol", "Restricted", 2.7, 0.00, 1.00),
    Skin("CZ75-Auto", "Victoria", "Pistol", "Classified", 8.4, 0.00, 0.75),
    Skin("Dual Berettas", "Cobra Strike", "Pistol", "Restricted", 1.1, 0.00, 1.00),
    Skin("SSG 08", "Blood in the Water", "Sniper Rifle", "Covert", 44.0, 0.06, 0.20),
    Skin("MP7", "Bloodsport", "SMG", "Classified", 2.2, 0.00, 0.65),
    Skin("Negev", "Power Loader", "Machinegun", "Restricted", 0.9, 0.00, 1.00),
    Skin("XM1014", "Incinegator", "Shotgun", "Classified", 2.0, 0.00, 1.00),
    Skin("PP-Bizon", "Judgement of Anubis", "SMG", "Covert", 1.6, 0.00, 1.00),
    Skin("G3SG1", "Flux", "Sniper Rifle", "Restricted", 0.45, 0.00, 1.00),
    Skin("MP5-SD", "Lab Rats", "SMG", "Restricted", 0.6, 0.00, 0.70),
    Skin("SCAR-20", "Cardiac", "Sniper Rifle", "Restricted", 0.35, 0.00, 0.70),
    Skin("Sawed-Off", "Apocalypto", "Shotgun", "Mil-Spec Grade", 0.12, 0.00, 0.80),
    Skin("R8 Revolver", "Bone Mask", "Pistol", "Consumer Grade", 0.03, 0.06, 0.80, stattrak=False),
    Skin(
        "Karambit",
        "Doppler",
        "Knife",
        "Covert",
        980.0,
        0.00,
        0.08,
        star=True,
        phases=("Phase 1", "Phase 2", "Phase 3", "Phase 4", "Ruby", "Sapphire"),
    ),
    Skin("Karambit", "Fade", "Knife", "Covert", 1650.0, 0.00, 0.08, star=True),
    Skin("Karambit", "Tiger Tooth", "Knife", "Covert", 1020.0, 0.00, 0.08, star=True),
    Skin("Butterfly Knife", "Fade", "Knife", "Covert", 2100.0, 0.00, 0.08, star=True),
    Skin("Butterfly Knife", "Slaughter", "Knife", "Covert", 1450.0, 0.01, 0.26, star=True),
    Skin("M9 Bayonet", "Tiger Tooth", "Knife", "Covert", 760.0, 0.00, 0.08, star=True),
    Skin("M9 Bayonet", "Case Hardened", "Knife", "Covert", 520.0, 0.00, 1.00, star=True),
    Skin("Bayonet", "Marble Fade", "Knife", "Covert", 560.0, 0.00, 0.08, star=True),
    Skin(
        "Flip Knife",
        "Doppler",
        "Knife",
        "Covert",
        320.0,
        0.00,
        0.08,
        star=True,
        phases=("Phase 1", "Phase 2", "Phase 3", "Phase 4"),
    ),
    Skin("Gut Knife", "Night", "Knife", "Covert", 95.0, 0.06, 0.80, star=True),
    Skin("Shadow Daggers", "Urban Masked", "Knife", "Covert", 88.0, 0.06, 0.80, star=True),
    Skin(
        "Sport Gloves",
        "Vice",
        "Gloves",
        "Extraordinary",
        1450.0,
        0.06,
        0.80,
        star=True,
        stattrak=False,
    ),
    Skin(
        "Specialist Gloves",
        "Crimson Kimono",
        "Gloves",
        "Extraordinary",
        820.0,
        0.06,
        0.80,
        star=True,
        stattrak=False,
    ),
    Skin(
        "Driver Gloves",
        "King Snake",
        "Gloves",
        "Extraordinary",
        310.0,
        0.06,
        0.80,
        star=True,
        stattrak=False,
    ),
    Skin(
        "Hand Wraps",
        "Cobalt Skulls",
        "Gloves",
        "Extraordinary",
        190.0,
        0.06,
        0.80,
        star=True,
        stattrak=False,
    ),
)

#: Items with no wear: (name, type, rarity, USD price).
PLAIN_ITEMS: tuple[tuple[str, str, str, float], ...] = (
    ("Kilowatt Case", "Container", "Base Grade", 0.62),
    ("Revolution Case", "Container", "Base Grade", 0.55),
    ("Dreams & Nightmares Case", "Container", "Base Grade", 1.35),
    ("Operation Breakout Weapon Case", "Container", "Base Grade", 7.4),
    ("Sticker | Crown (Foil)", "Sticker", "Exotic", 310.0),
    ("Sticker | Titan (Holo) | Katowice 2014", "Sticker", "Exotic", 14500.0),
    ("Sticker | Natus Vincere (Holo) | Stockholm 2021", "Sticker", "Remarkable", 3.8),
    ("Sticker | FaZe Clan | Paris 2023", "Sticker", "High Grade", 0.18),
    ("Patch | Howl", "Patch", "Remarkable", 1.9),
    ("Sir Bloody Darryl Royale | The Professionals", "Agent", "Covert", 7.9),
    ("Music Kit | Darude, Moments CS:GO", "Music Kit", "High Grade", 4.2),
)

STICKER_NAMES: tuple[str, ...] = (
    "Crown (Foil)", "Howling Dawn", "Natus Vincere (Holo) | Stockholm 2021",
    "FaZe Clan | Paris 2023", "Vitality | Copenhagen 2024", "s1mple (Gold) | Antwerp 2022",
    "Battle Scarred", "Bish (Holo)", "Flammable (Foil)", "Gold Web (Foil)",
)  # fmt: skip

#: Rust items: (name, type, USD price, stackable).
RUST_ITEMS: tuple[tuple[str, str, float, bool], ...] = (
    ("Tempered AK47", "Skin", 42.5, False),
    ("Alien Red", "Skin", 11.8, False),
    ("Big Grin", "Skin", 36.0, False),
    ("No Mercy Door", "Skin", 9.4, False),
    ("Punishment Mask", "Skin", 48.0, False),
    ("Whiteout Hoodie", "Skin", 6.1, False),
    ("Glory AK47", "Skin", 28.0, False),
    ("Blackout Kilt", "Skin", 3.2, False),
    ("Tempered Mask", "Skin", 15.0, False),
    ("Azul Hoodie", "Skin", 1.4, False),
    ("Neon Rider Jacket", "Skin", 2.2, False),
    ("Metal Fragments Crate", "Resource", 0.12, True),
    ("Cloth Bundle", "Resource", 0.05, True),
    ("Scrap Pile", "Resource", 0.08, True),
    ("Low Grade Fuel Drum", "Resource", 0.09, True),
)


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
        normal, private, fetch_failed, empty, flaky, steam_down or throttled.
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


def _account(name, partner, token, kind="normal", sizes=(), minute=0) -> Account:
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
)
_BY_PARTNER = {account.partner: account for account in ACCOUNTS}


def account_by_partner(partner: int) -> Account | None:
    """The named account with this partner id, if any."""
    return _BY_PARTNER.get(partner)


# --- generation --------------------------------------------------------------------


def _exteriors_of(skin: Skin) -> list[str]:
    return [
        exterior
        for exterior, (low, high) in EXTERIOR_FLOAT_RANGES.items()
        if low < skin.max_float and high > skin.min_float
    ]


def _wear_in(rng: random.Random, skin: Skin, exterior: str) -> float:
    low, high = EXTERIOR_FLOAT_RANGES[exterior]
    low, high = max(low, skin.min_float), min(high, skin.max_float)
    # strictly inside the range: boundaries are ambiguous between sources
    return low + (high - low) * (0.001 + 0.998 * rng.random())


def _position(exterior: str, wear: float) -> float:
    """0 at the exterior's best float, 1 at its worst."""
    low, high = EXTERIOR_FLOAT_RANGES[exterior]
    return (wear - low) / (high - low)


def _base_payout(price: float) -> float:
    if price < 1:
        return 0.60
    if price < 10:
        return 0.685
    if price < 100:
        return 0.74
    return 0.79


def _offer(rng: random.Random, market: float, adjust: float) -> dict[str, Any] | None:
    ratio = _base_payout(market) + adjust + rng.uniform(-0.02, 0.02)
    roll = rng.random()
    if roll < 0.006:
        ratio = rng.uniform(0.28, 0.34)  # deliberate outliers
    elif roll < 0.012:
        ratio = rng.uniform(1.02, 1.08)
    price = max(0.01, round(market * ratio, 2))
    reference = str(40_000_000_000 + rng.randrange(10**9))
    accepted = market >= 0.10 or rng.random() < 0.3
    return {"price": price, "reference": reference, "accepted": accepted}


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _stickers(rng: random.Random) -> list[dict[str, Any]]:
    if rng.random() > 0.3:
        return []
    slots = sorted(rng.sample(range(5), rng.randint(1, 4)))
    stickers = []
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


def _skin_item(rng: random.Random) -> dict[str, Any]:
    skin = rng.choice(SKINS)
    exteriors = _exteriors_of(skin)
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
    adjust = EXTERIOR_PAYOUT[exterior] + RARITY_PAYOUT.get(skin.rarity, 0.0)
    adjust += 0.02 * (0.5 - position)  # low floats are paid a little more
    item: dict[str, Any] = {
        "name": f"{star}{skin.weapon} | {skin.skin}",
        "marketHashName": f"{star}{mark}{skin.weapon} | {skin.skin} ({exterior})",
        "type": skin.type,
        "marketPrice": market,
        "offer": _offer(rng, market, adjust),
        "exterior": exterior,
        "wear": f"{wear:.8f}",
        "rarity": skin.rarity,
        "color": RARITY_COLORS[skin.rarity],
        "paintSeed": rng.randrange(1001),
        "stickers": [] if skin.star else _stickers(rng),
    }
    if skin.phases:
        item["doppler"] = {"name": rng.choice(skin.phases)}
    return item


def _plain_item(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.08:
        market = round(rng.uniform(380, 520), 2)
        return {"name": "★ Karambit", "marketHashName": "★ Karambit", "type": "Knife",
                "rarity": "Covert", "color": RARITY_COLORS["Covert"], "marketPrice": market,
                "offer": _offer(rng, market, 0.0)}  # fmt: skip
    name, kind, rarity, price = rng.choice(PLAIN_ITEMS)
    market = round(price * rng.uniform(0.92, 1.08), 2)
    return {"name": name, "marketHashName": name, "type": kind, "rarity": rarity,
            "color": RARITY_COLORS[rarity], "marketPrice": market,
            "offer": _offer(rng, market, 0.0)}  # fmt: skip


def _rust_item(rng: random.Random) -> dict[str, Any]:
    name, kind, price, stackable = rng.choice(RUST_ITEMS)
    market = round(price * rng.uniform(0.9, 1.1), 2)
    item = {"name": name, "marketHashName": name, "type": kind, "marketPrice": market,
            "offer": _offer(rng, market, -0.01)}  # fmt: skip
    item["amount"] = rng.randint(20, 600) if stackable else 1
    return item


def _finish(rng: random.Random, body: dict[str, Any], appid: int) -> dict[str, Any]:
    """Common fields, the documented quirks (nulls, .co top-level accepted, extra keys)."""
    item = {
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
    return item


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
    account = account_by_partner(partner)
    if account is not None:
        size = dict(account.sizes).get(game, 0)
    else:
        size = random.Random(f"size:{partner}").randint(20, 200) if game == GAME_CS2 else 0
    rng = random.Random(f"inventory:{partner}:{game}")
    items = []
    for _ in range(size):
        if game == GAME_RUST:
            items.append(_finish(rng, _rust_item(rng), 252490))
        else:
            body = _skin_item(rng) if rng.random() < 0.86 else _plain_item(rng)
            items.append(_finish(rng, body, 730))
    return items


def updated_at(partner: int) -> str:
    """The fixed time an account's upstream cache was last refreshed (ISO-8601 UTC)."""
    account = account_by_partner(partner)
    minute = account.minute if account is not None else partner % 60
    return f"2026-06-01T09:{30 + minute % 30:02d}:00.000Z"
