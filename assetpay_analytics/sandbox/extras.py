"""The extra fields of a few demo items ([OA] only), drawn from the item's own id.

What lives here: ``add``, which gives a generated item (in place) the fields the OpenAPI
document adds to an inventory row. They are drawn from ``random.Random(f"extras:{id}")``,
apart from the inventory's own sequence, so adding them moved no other draw; the same
id always gets the same extras. The same number of values is drawn for every item.

- ``fade {percentage}``: every Fade skin (a ``name`` ending in "| Fade": the Glock-18,
  ★ Karambit and ★ Butterfly Knife Fades), 80.0 to 100.0 with one decimal.
- ``hardened {status, name}``: every Case Hardened skin (AK-47, Five-SeveN, ★ M9
  Bayonet): ``HARDENED_PATTERNS``, status 0 "Standard" for most, 3 to 1 for the rarer
  blue gems ("Blue Gem Tier 1" is the rarest).
- ``charm {name, marketHashName, iconUrl}``: about ``CHARM_SHARE`` (5%) of the weapon
  skins (those with an exterior; knives and gloves carry none), a name of
  ``catalogue.json``'s ``charm_names``.
- ``offer.delivery``: about half of the CS2 offers, "standard" or "instant" evenly.
- ``offer.maxAmount``: a stacked Rust row's offer (``amount`` > 1) has its ``amount``;
  about a quarter of the CS2 offers have 1.

Examples
--------
>>> item = {"id": "enc_doc", "appid": 730, "name": "Glock-18 | Fade",
...         "exterior": "Factory New", "offer": {"price": 1.0}}
>>> add(item)
>>> 80 <= item["fade"]["percentage"] <= 100
True
>>> copy = {"id": "enc_doc", "appid": 730, "name": "Glock-18 | Fade",
...         "exterior": "Factory New", "offer": {"price": 1.0}}
>>> add(copy)
>>> copy == item
True
"""

from __future__ import annotations

import random
from typing import Any

from ..constants import GAME_RUST, STAR_PREFIX
from . import catalogue

__all__ = ["CHARM_SHARE", "DELIVERY_SHARE", "HARDENED_PATTERNS", "MAX_AMOUNT_SHARE", "add"]

#: The share of weapon skins with a charm.
CHARM_SHARE = 0.05
#: The share of CS2 offers that say their delivery mode.
DELIVERY_SHARE = 0.5
#: The share of CS2 offers with ``maxAmount: 1``.
MAX_AMOUNT_SHARE = 0.25
#: Case Hardened patterns: (cumulative share, status, name), rarest first.
HARDENED_PATTERNS: tuple[tuple[float, int, str], ...] = (
    (0.02, 1, "Blue Gem Tier 1"),
    (0.06, 2, "Blue Gem Tier 2"),
    (0.15, 3, "Blue Gem Tier 3"),
    (1.00, 0, "Standard"),
)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _hardened(roll: float) -> dict[str, Any]:
    status, name = next((s, n) for top, s, n in HARDENED_PATTERNS if roll < top)
    return {"status": status, "name": name}


def _charm(pick: float, icon: str) -> dict[str, Any]:
    names = catalogue.load().charm_names
    name = names[int(pick * len(names))]
    return {"name": name, "marketHashName": f"Charm | {name}", "iconUrl": icon}


def _offer_extras(item: dict[str, Any], delivery: float, instant: float, one: float) -> None:
    offer = item.get("offer")
    if not isinstance(offer, dict):
        return
    if str(item.get("appid")) == GAME_RUST:
        if int(item.get("amount") or 1) > 1:
            offer["maxAmount"] = item["amount"]
        return
    if delivery < DELIVERY_SHARE:
        offer["delivery"] = "instant" if instant < 0.5 else "standard"
    if one < MAX_AMOUNT_SHARE:
        offer["maxAmount"] = 1


def add(item: dict[str, Any]) -> None:
    """Give a generated item (in place) its extras, drawn from its ``id``."""
    rng = random.Random(f"extras:{item.get('id')}")
    fade, pattern, charm, pick, icon = (rng.random(), rng.random(), rng.random(), rng.random(),
                                        _hex(rng, 20))  # fmt: skip
    delivery, instant, one = rng.random(), rng.random(), rng.random()
    name = str(item.get("name") or "")
    if name.endswith("| Fade"):
        item["fade"] = {"percentage": round(80 + 20 * fade, 1)}
    if name.endswith("| Case Hardened"):
        item["hardened"] = _hardened(pattern)
    if "exterior" in item and not name.startswith(STAR_PREFIX) and charm < CHARM_SHARE:
        item["charm"] = _charm(pick, icon)
    _offer_extras(item, delivery, instant, one)
