"""The sandbox's price book on ``aging.BASE_DATE``: what AssetPay pays and sells for, by name.

What lives here: the pricing rule (``reference_price``, ``payout_ratio``, ``deposit_for``,
``keep_ratio``), the book's entries (``Entry``, ``Quote``, ``entries``), the lookup the
demo inventories price their offers with (``quote``), and the JSON of an entry as
``GET /secure/prices`` serves it (``entry_json``). Pure functions of the catalogue
(``catalogue.json``); the book of a later day is ``aging.book_as_of``.

AssetPay prices by name: every item of one ``marketHashName`` (and Doppler phase) is
offered the same deposit, whatever its float. The rule, for one name:

- **Reference market price**: for a skin, its Field-Tested price × the exterior's
  factor (``exterior_factor``) × ``MID_FLOAT`` (the float premium of the middle of the
  exterior) × ``STATTRAK_FACTOR`` or ``SOUVENIR_FACTOR`` × the Doppler phase's
  ``phase_factor``; for a plain item or a Rust item its catalogue price; for the vanilla
  "★ Karambit" ``KARAMBIT_REFERENCE``. Rounded to cents.
- **Deposit** (what AssetPay pays): the reference × the payout ratio, rounded to cents
  (at least 0.01). The ratio is the price band's (``payout_ratio``: 60% under $1, 68.5%
  under $10, 74% under $100, 79% above) plus the exterior's ``exterior_payout``, the
  rarity's ``rarity_payout`` and ``RUST_PAYOUT`` for Rust. A name whose reference is
  under ``REFUSED_BELOW`` ($0.10) is refused: ``accepted: false``, ``deposit: 0``.
- **Withdraw** (the fee-inclusive buy price): ``standard`` = deposit / ``keep_ratio``
  (the share of the buy price AssetPay pays back: 0.64 under $1 up to 0.84 from $100,
  plus an exterior adjustment, so deposit/standard lies between 0.6 and 0.87, the
  cheapest names' cents included), at least a cent above the deposit; a refused name
  sells at ``REFUSED_MARKUP`` × its reference. ``instant`` is ``INSTANT_MARKUP`` ×
  standard (at least a cent more); it is null for the names whose
  ``random.Random(f"instant:{name}")`` draws under 0.12 (about one in eight) and for the
  Doppler phases drawing under 0.75 (23 of the 40). Rust has one ``withdraw`` value (the
  standard one).
- **No withdraw floor**: every Souvenir AWP | Dragon Lore and about 3% of the other CS2
  names (``random.Random(f"floor:{name}")``) have ``itemId: null`` and both withdraw
  values null; the Rust names drawn under 10% (three of the fifteen) have
  ``withdraw: null``. Every other CS2
  entry has a catalogue ``itemId`` (a UUID drawn from ``random.Random(f"catalog:{name}")``).
- **Doppler** names are one entry with ``phases[]``, one element per phase the catalogue
  lists; the entry's own values are those of its floor, the cheapest phase.

Examples
--------
>>> awp = quote("730", "AWP | Asiimov (Field-Tested)")
>>> awp.accepted, awp.deposit, awp.deposit < awp.standard < awp.instant
(True, 99.74, True)
>>> quote("730", "R8 Revolver | Bone Mask (Field-Tested)").deposit
0.0
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..constants import GAME_CS2, GAME_RUST, SOUVENIR_PREFIX, STAR_PREFIX, STATTRAK_PREFIX
from . import catalogue
from .catalogue import Skin

__all__ = [
    "INSTANT_MARKUP",
    "KARAMBIT",
    "KARAMBIT_REFERENCE",
    "MID_FLOAT",
    "REFUSED_BELOW",
    "REFUSED_MARKUP",
    "RUST_PAYOUT",
    "SOUVENIR_FACTOR",
    "STATTRAK_FACTOR",
    "Entry",
    "Quote",
    "deposit_for",
    "entries",
    "entry_json",
    "keep_ratio",
    "payout_ratio",
    "quote",
    "reference_price",
]

#: The float premium of an exterior's middle float (the market's 1.12 - 0.14 x position).
MID_FLOAT = 1.05
#: The reference price multiplier of a StatTrak™ name: a conservative premium (the
#: market's runs from 1.6 to 2.8 item by item, 2.2 on average), so that no offer on the
#: book tops its item's market price: only the seeded disagreements do.
STATTRAK_FACTOR = 1.8
#: The reference price multiplier of a Souvenir name.
SOUVENIR_FACTOR = 1.8
#: The vanilla knife the inventories draw (no skin, no exterior), and its reference price.
KARAMBIT = "★ Karambit"
KARAMBIT_REFERENCE = 450.0
#: Names with a reference price under this (USD) are refused: deposit 0.
REFUSED_BELOW = 0.10
#: The payout ratio adjustment of Rust items.
RUST_PAYOUT = -0.01
#: A refused name's standard withdraw price, relative to its reference price.
REFUSED_MARKUP = 1.25
#: The instant withdraw price, relative to the standard one.
INSTANT_MARKUP = 1.03

_KEEP_BANDS = ((1.0, 0.64), (10.0, 0.72), (100.0, 0.78), (float("inf"), 0.84))
_KEEP_EXTERIOR = {"Factory New": 0.03, "Minimal Wear": 0.015, "Well-Worn": -0.02,
                  "Battle-Scarred": -0.03}  # fmt: skip
_NO_INSTANT_SHARE, _NO_INSTANT_PHASE_SHARE = 0.12, 0.75
_NO_FLOOR_SHARE = {GAME_CS2: 0.03, GAME_RUST: 0.10}
_NO_FLOOR_SKINS = ("AWP | Dragon Lore",)  # its Souvenir names are never listed


@dataclass(frozen=True)
class Quote:
    """One price of the book: whether it is accepted, the deposit, the withdraw prices.

    Attributes
    ----------
    accepted : bool
        ``deposit > 0``.
    deposit : float
        What AssetPay pays (USD); 0 for a refused name.
    standard, instant : float or None
        The withdraw (buy) prices per delivery mode; None when unavailable.
    """

    accepted: bool
    deposit: float
    standard: float | None
    instant: float | None


@dataclass(frozen=True)
class Entry:
    """One entry of the book (one ``marketHashName``) and what aging needs to know of it.

    Attributes
    ----------
    game : str
        ``"730"`` or ``"252490"``.
    name, market_hash_name : str
        The items' ``name`` (no exterior, no StatTrak™/Souvenir) and ``marketHashName``.
    exterior : str or None
        The items' ``exterior`` (None for items without wear).
    item_id : str or None
        The CS2 catalogue id (None: no withdraw floor; always None for Rust).
    quote : Quote
        The entry's own values (a Doppler entry's: its floor phase's).
    phases : tuple of (str, Quote)
        A Doppler entry's phases, in the catalogue's order; empty otherwise.
    """

    game: str
    name: str
    market_hash_name: str
    exterior: str | None
    item_id: str | None
    quote: Quote
    phases: tuple[tuple[str, Quote], ...] = ()


# --- the rule ------------------------------------------------------------------------


def reference_price(skin: Skin, exterior: str, mark: str = "", phase: str | None = None) -> float:
    """The reference market price of a skin's name (USD, in cents).

    Parameters
    ----------
    skin : Skin
        The catalogue skin.
    exterior : str
        One of ``skin.exteriors``.
    mark : str
        ``""``, ``STATTRAK_PREFIX`` or ``SOUVENIR_PREFIX``.
    phase : str, optional
        A Doppler phase of the skin.

    Examples
    --------
    >>> redline = catalogue.load().skins[0]
    >>> reference_price(redline, "Field-Tested")
    39.9
    >>> reference_price(redline, "Well-Worn", "StatTrak™ ")
    58.89
    """
    cat = catalogue.load()
    price = skin.price * cat.exterior_factor[exterior] * MID_FLOAT
    price *= STATTRAK_FACTOR if mark == STATTRAK_PREFIX else 1.0
    price *= SOUVENIR_FACTOR if mark == SOUVENIR_PREFIX else 1.0
    price *= cat.phase_factor[phase] if phase is not None else 1.0
    return round(price, 2)


def payout_ratio(reference: float, exterior: str | None, rarity: str | None, game: str) -> float:
    """The share of the reference price AssetPay pays for a name.

    Examples
    --------
    >>> round(payout_ratio(39.9, "Field-Tested", "Classified", "730"), 3)
    0.748
    >>> round(payout_ratio(5.0, None, None, "252490"), 3)
    0.675
    """
    cat = catalogue.load()
    base = 0.60 if reference < 1 else 0.685 if reference < 10 else 0.74 if reference < 100 else 0.79
    base += cat.exterior_payout.get(exterior, 0.0) if exterior else 0.0
    base += cat.rarity_payout.get(rarity, 0.0) if rarity else 0.0
    return base + (RUST_PAYOUT if game == GAME_RUST else 0.0)


def deposit_for(reference: float, ratio: float) -> float:
    """The deposit of a name: 0 when refused (under ``REFUSED_BELOW``), else in cents.

    Examples
    --------
    >>> deposit_for(39.9, 0.748), deposit_for(0.08, 0.6)
    (29.85, 0.0)
    """
    if reference < REFUSED_BELOW:
        return 0.0
    return max(0.01, round(reference * ratio, 2))


def keep_ratio(reference: float, exterior: str | None) -> float:
    """deposit / standard withdraw price: the share of its buy price AssetPay pays back.

    Examples
    --------
    >>> keep_ratio(39.9, "Field-Tested"), keep_ratio(0.5, "Battle-Scarred")
    (0.78, 0.61)
    """
    band = next(keep for top, keep in _KEEP_BANDS if reference < top)
    return round(band + _KEEP_EXTERIOR.get(exterior or "", 0.0), 4)


def _draw(kind: str, name: str) -> float:
    return random.Random(f"{kind}:{name}").random()


def _quote(name: str, reference: float, ratio: float, exterior: str | None,
           floor: bool, instant_share: float) -> Quote:  # fmt: skip
    deposit = deposit_for(reference, ratio)
    if not floor:
        return Quote(deposit > 0, deposit, None, None)
    if deposit > 0:
        standard = max(
            round(deposit + 0.01, 2), round(deposit / keep_ratio(reference, exterior), 2)
        )
    else:
        standard = max(0.01, round(reference * REFUSED_MARKUP, 2))
    instant = max(round(standard + 0.01, 2), round(standard * INSTANT_MARKUP, 2))
    return Quote(deposit > 0, deposit, standard, None if _draw("instant", name) < instant_share
                 else instant)  # fmt: skip


def _has_floor(game: str, name: str) -> bool:
    if any(f"{SOUVENIR_PREFIX}{skin}" in name for skin in _NO_FLOOR_SKINS):
        return False
    return _draw("floor", name) >= _NO_FLOOR_SHARE[game]


def _item_id(name: str, floor: bool) -> str | None:
    if not floor:
        return None
    return str(uuid.UUID(int=random.Random(f"catalog:{name}").getrandbits(128), version=4))


# --- the entries ---------------------------------------------------------------------


def _marks(skin: Skin) -> Iterator[str]:
    yield ""
    if skin.stattrak:
        yield STATTRAK_PREFIX
    if skin.souvenir:
        yield SOUVENIR_PREFIX


def _skin_entry(skin: Skin, exterior: str, mark: str) -> Entry:
    star = STAR_PREFIX if skin.star else ""
    name = f"{star}{skin.weapon} | {skin.skin}"
    hash_name = f"{star}{mark}{skin.weapon} | {skin.skin} ({exterior})"
    floor = _has_floor(GAME_CS2, hash_name)

    def priced(phase: str | None, share: float) -> Quote:
        reference = reference_price(skin, exterior, mark, phase)
        ratio = payout_ratio(reference, exterior, skin.rarity, GAME_CS2)
        label = hash_name if phase is None else f"{hash_name}:{phase}"
        return _quote(label, reference, ratio, exterior, floor, share)

    if not skin.phases:
        return Entry(GAME_CS2, name, hash_name, exterior, _item_id(hash_name, floor),
                     priced(None, _NO_INSTANT_SHARE))  # fmt: skip
    phases = tuple((phase, priced(phase, _NO_INSTANT_PHASE_SHARE)) for phase in skin.phases)
    cheapest = min(phases, key=lambda pair: pair[1].deposit)[1]
    own = priced(None, _NO_INSTANT_SHARE)  # the entry's own instant rule, on the floor
    standard = cheapest.standard
    instant = None if own.instant is None or standard is None else max(
        round(standard + 0.01, 2), round(standard * INSTANT_MARKUP, 2))  # fmt: skip
    floor_quote = Quote(cheapest.accepted, cheapest.deposit, standard, instant)
    return Entry(GAME_CS2, name, hash_name, exterior, _item_id(hash_name, floor), floor_quote,
                 phases)  # fmt: skip


def _plain_entry(name: str, rarity: str, reference: float) -> Entry:
    floor = _has_floor(GAME_CS2, name)
    ratio = payout_ratio(reference, None, rarity, GAME_CS2)
    quote = _quote(name, reference, ratio, None, floor, _NO_INSTANT_SHARE)
    return Entry(GAME_CS2, name, name, None, _item_id(name, floor), quote)


def _rust_entry(name: str, reference: float) -> Entry:
    floor = _has_floor(GAME_RUST, name)
    quote = _quote(
        name, reference, payout_ratio(reference, None, None, GAME_RUST), None, floor, 1.0
    )
    return Entry(GAME_RUST, name, name, None, None, quote)


@functools.cache
def entries(game: str) -> tuple[Entry, ...]:
    """Every name the demo inventories of ``game`` can draw, priced, in a fixed order.

    CS2: every skin × the exteriors it reaches × plain/StatTrak™/Souvenir as the
    catalogue allows (in the catalogue's order), then the plain items, then the vanilla
    "★ Karambit". Rust: the Rust items. Any other game: none.

    Examples
    --------
    >>> [entry.market_hash_name for entry in entries("730")[:2]]
    ['AK-47 | Redline (Minimal Wear)', 'StatTrak™ AK-47 | Redline (Minimal Wear)']
    >>> entries("252490")[0].market_hash_name
    'Tempered AK47'
    """
    cat = catalogue.load()
    if game == GAME_RUST:
        return tuple(_rust_entry(item.name, item.price) for item in cat.rust_items)
    if game != GAME_CS2:
        return ()
    skins = [_skin_entry(skin, exterior, mark)
             for skin in cat.skins for exterior in skin.exteriors
             for mark in _marks(skin)]  # fmt: skip
    plain = [_plain_entry(item.name, item.rarity, item.price) for item in cat.plain_items]
    return (*skins, *plain, _plain_entry(KARAMBIT, "Covert", KARAMBIT_REFERENCE))


@functools.cache
def _index(game: str) -> Mapping[tuple[str, str | None], Quote]:
    index: dict[tuple[str, str | None], Quote] = {}
    for entry in entries(game):
        index[entry.market_hash_name, None] = entry.quote
        for phase, phase_quote in entry.phases:
            index[entry.market_hash_name, phase] = phase_quote
    return MappingProxyType(index)


def quote(game: str, market_hash_name: str, phase: str | None = None) -> Quote:
    """The book's quote for a name (and Doppler phase) on ``aging.BASE_DATE``.

    Raises
    ------
    KeyError
        For a name (or phase) the book does not list.
    """
    return _index(str(game))[market_hash_name, phase]


def _withdraw(quote: Quote) -> dict[str, float | None]:
    return {"standard": quote.standard, "instant": quote.instant}


def entry_json(entry: Entry, quotes: Mapping[str | None, Quote] | None = None) -> dict[str, Any]:
    """An entry as ``GET /secure/prices`` serves it ([OA] 0.8.3).

    Parameters
    ----------
    entry : Entry
        The entry.
    quotes : mapping of (str or None) to Quote, optional
        The quotes to serve instead of the entry's own (key None) and its phases' (the
        phase names): the book of another day (``aging.book_as_of``).

    Examples
    --------
    >>> entry_json(entries("252490")[0])
    {'marketHashName': 'Tempered AK47', 'accepted': True, 'deposit': 31.02, 'withdraw': 39.77}
    """
    own = entry.quote if quotes is None else quotes[None]
    if entry.game == GAME_RUST:
        return {"marketHashName": entry.market_hash_name, "accepted": own.accepted,
                "deposit": own.deposit, "withdraw": own.standard}  # fmt: skip
    body: dict[str, Any] = {"itemId": entry.item_id, "marketHashName": entry.market_hash_name,
                            "accepted": own.accepted, "deposit": own.deposit,
                            "withdraw": _withdraw(own)}  # fmt: skip
    if entry.phases:
        body["phases"] = [
            {"phase": phase, "accepted": q.accepted, "deposit": q.deposit, "withdraw": _withdraw(q)}
            for phase, q in ((p, q if quotes is None else quotes[p]) for p, q in entry.phases)
        ]
    return body
