"""The sandbox's item catalogue: typed, immutable views of the package data ``catalogue.json``.

What lives here: the record types (``Skin``, ``PlainItem``, ``RustItem`` and the whole
``Catalogue``), the parser ``from_json`` and ``load``, which reads ``catalogue.json``
once through ``importlib.resources`` (so it works from a wheel or a zip) and caches it.
Everything returned is immutable: frozen dataclasses, named tuples, tuples and
read-only mappings.

**To add a skin, a sticker, a case or a Rust item, edit ``catalogue.json``**, not code.
The demo inventories are drawn from this data (``data.inventory``), so any edit changes
them: update the pinned digests in ``tests/sandbox/test_sandbox_data.py`` in the same change.

Layout of ``catalogue.json`` (keys starting with ``_`` are comments and ignored):

- ``format``: 1.
- ``rarity_colors``: rarity name → ``#RRGGBB`` colour.
- ``exterior_factor``: exterior → market price multiplier, relative to Field-Tested.
- ``exterior_payout``: exterior → payout ratio adjustment (clean skins are paid more).
- ``exterior_share``: exterior → how common it is in an inventory (a weight).
- ``rarity_payout``: rarity → payout ratio adjustment (0 when absent).
- ``phase_factor``: Doppler phase → market price multiplier (Ruby and Sapphire far above
  Phases 1-4); every phase a skin lists must have one.
- ``skins``: ``weapon``, ``skin``, ``type``, ``rarity``, ``price`` (Field-Tested-equivalent
  USD), optional ``min_float``/``max_float`` (default 0 and 1), ``star`` (knives and
  gloves), ``souvenir``, ``stattrak`` (default true) and ``phases`` (Doppler phases).
- ``plain_items``: items with no wear: ``name``, ``type``, ``rarity``, ``price``.
- ``sticker_names``: names drawn for the stickers applied to skins.
- ``charm_names``: names drawn for the charms hung on some weapon skins.
- ``rust_items``: ``name``, ``type``, ``price``, ``stackable``.

The order of every list matters: the generator draws from them by position.

Examples
--------
>>> catalogue = load()
>>> catalogue is load()
True
>>> skin = catalogue.skins[0]
>>> skin.weapon, skin.skin, skin.exteriors
('AK-47', 'Redline', ('Minimal Wear', 'Field-Tested', 'Well-Worn', 'Battle-Scarred'))
>>> catalogue.rarity_colors[skin.rarity]
'#D32CE6'
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from ..constants import EXTERIOR_FLOAT_RANGES

__all__ = [
    "DATA_FILE",
    "FORMAT",
    "Catalogue",
    "PlainItem",
    "RustItem",
    "Skin",
    "from_json",
    "load",
]

#: The data file's name inside this package.
DATA_FILE = "catalogue.json"
#: The layout version ``from_json`` understands.
FORMAT = 1

_T = TypeVar("_T")


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

    @property
    def exteriors(self) -> tuple[str, ...]:
        """The exteriors its float range reaches, best first."""
        return tuple(
            exterior
            for exterior, (low, high) in EXTERIOR_FLOAT_RANGES.items()
            if low < self.max_float and high > self.min_float
        )


class PlainItem(NamedTuple):
    """An item with no wear (case, sticker, patch, agent, music kit)."""

    name: str
    type: str
    rarity: str
    price: float


class RustItem(NamedTuple):
    """A Rust item; stackable ones come in amounts."""

    name: str
    type: str
    price: float
    stackable: bool


@dataclass(frozen=True)
class Catalogue:
    """Everything in ``catalogue.json``, typed and read-only (see the module docstring)."""

    rarity_colors: Mapping[str, str]
    exterior_factor: Mapping[str, float]
    exterior_payout: Mapping[str, float]
    exterior_share: Mapping[str, float]
    rarity_payout: Mapping[str, float]
    phase_factor: Mapping[str, float]
    skins: tuple[Skin, ...]
    plain_items: tuple[PlainItem, ...]
    sticker_names: tuple[str, ...]
    charm_names: tuple[str, ...]
    rust_items: tuple[RustItem, ...]


# --- loading -------------------------------------------------------------------------


@functools.cache
def load() -> Catalogue:
    """The packaged catalogue, read from ``catalogue.json`` on the first call only."""
    text = resources.files(__package__ or "assetpay_analytics.sandbox").joinpath(DATA_FILE)
    return from_json(text.read_text(encoding="utf-8"))


def from_json(text: str) -> Catalogue:
    """Parse a catalogue document; ``ValueError`` says where it is malformed.

    Examples
    --------
    >>> from_json('{"format": 1}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: catalogue: missing key(s) rarity_colors, exterior_factor, ...
    """
    doc = _record(json.loads(text), "catalogue", _TOP_KEYS)
    if doc["format"] != FORMAT:
        raise ValueError(f"catalogue.format: expected {FORMAT}, got {doc['format']!r}")
    catalogue = Catalogue(
        rarity_colors=_table(doc["rarity_colors"], "rarity_colors", _str),
        exterior_factor=_table(doc["exterior_factor"], "exterior_factor", _float),
        exterior_payout=_table(doc["exterior_payout"], "exterior_payout", _float),
        exterior_share=_table(doc["exterior_share"], "exterior_share", _float),
        rarity_payout=_table(doc["rarity_payout"], "rarity_payout", _float),
        phase_factor=_table(doc["phase_factor"], "phase_factor", _float),
        skins=_rows(doc["skins"], "skins", _skin),
        plain_items=_rows(doc["plain_items"], "plain_items", _plain_item),
        sticker_names=_rows(doc["sticker_names"], "sticker_names", _str),
        charm_names=_rows(doc["charm_names"], "charm_names", _str),
        rust_items=_rows(doc["rust_items"], "rust_items", _rust_item),
    )
    unpriced = sorted({p for s in catalogue.skins for p in s.phases} - set(catalogue.phase_factor))
    if unpriced:
        raise ValueError(f"phase_factor: missing phase(s) {', '.join(unpriced)}")
    return catalogue


# --- parsing helpers -----------------------------------------------------------------

_TOP_KEYS = (
    "format", "rarity_colors", "exterior_factor", "exterior_payout", "exterior_share",
    "rarity_payout", "phase_factor", "skins", "plain_items", "sticker_names", "charm_names",
    "rust_items",
)  # fmt: skip
_SKIN_KEYS = ("weapon", "skin", "type", "rarity", "price")
_SKIN_OPTIONAL = ("min_float", "max_float", "star", "souvenir", "stattrak", "phases")


def _record(
    raw: object, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, object]:
    """A JSON object with exactly these keys (plus optional and ``_comment`` ones)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    missing = [key for key in required if key not in raw]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = [k for k in raw if k not in required + optional and not str(k).startswith("_")]
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    return {str(key): value for key, value in raw.items()}


def _str(raw: object, where: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise ValueError(f"{where}: expected a non-empty string, got {raw!r}")
    return raw


def _float(raw: object, where: str) -> float:
    # bool is an int subclass: true/false is never a number here
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError(f"{where}: expected a number, got {raw!r}")
    return float(raw)


def _bool(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"{where}: expected true or false, got {raw!r}")
    return raw


def _table(raw: object, where: str, value: Callable[[object, str], _T]) -> Mapping[str, _T]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    return MappingProxyType({str(key): value(item, f"{where}.{key}") for key, item in raw.items()})


def _rows(raw: object, where: str, row: Callable[[object, str], _T]) -> tuple[_T, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: expected a list, got {type(raw).__name__}")
    return tuple(row(item, f"{where}[{index}]") for index, item in enumerate(raw))


def _skin(raw: object, where: str) -> Skin:
    row = _record(raw, where, _SKIN_KEYS, _SKIN_OPTIONAL)
    return Skin(
        weapon=_str(row["weapon"], f"{where}.weapon"),
        skin=_str(row["skin"], f"{where}.skin"),
        type=_str(row["type"], f"{where}.type"),
        rarity=_str(row["rarity"], f"{where}.rarity"),
        price=_float(row["price"], f"{where}.price"),
        min_float=_float(row.get("min_float", Skin.min_float), f"{where}.min_float"),
        max_float=_float(row.get("max_float", Skin.max_float), f"{where}.max_float"),
        star=_bool(row.get("star", Skin.star), f"{where}.star"),
        souvenir=_bool(row.get("souvenir", Skin.souvenir), f"{where}.souvenir"),
        stattrak=_bool(row.get("stattrak", Skin.stattrak), f"{where}.stattrak"),
        phases=_rows(row.get("phases", []), f"{where}.phases", _str),
    )


def _plain_item(raw: object, where: str) -> PlainItem:
    row = _record(raw, where, PlainItem._fields)
    return PlainItem(
        name=_str(row["name"], f"{where}.name"),
        type=_str(row["type"], f"{where}.type"),
        rarity=_str(row["rarity"], f"{where}.rarity"),
        price=_float(row["price"], f"{where}.price"),
    )


def _rust_item(raw: object, where: str) -> RustItem:
    row = _record(raw, where, RustItem._fields)
    return RustItem(
        name=_str(row["name"], f"{where}.name"),
        type=_str(row["type"], f"{where}.type"),
        price=_float(row["price"], f"{where}.price"),
        stackable=_bool(row["stackable"], f"{where}.stackable"),
    )
