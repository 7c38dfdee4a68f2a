"""CS2 item names: weapon, skin and the ★ / StatTrak™ / Souvenir marks; exterior names.

``marketHashName`` reads ``[★ ][StatTrak™ |Souvenir ]<Weapon> | <Skin>[ (<Exterior>)]``
(``shared/assetpay-api.md`` §7); ``name`` is the same without the exterior suffix.
Pure string work, cached: an inventory repeats the same few hundred names.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from ..constants import (
    EXTERIOR_SHORT,
    EXTERIORS,
    NON_SKIN_PREFIXES,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)

__all__ = ["ParsedName", "exterior_name", "exterior_suffix", "parse_name"]

_EXTERIOR_BY_NAME = {**{e: e for e in EXTERIORS}, **{s: e for e, s in EXTERIOR_SHORT.items()}}


class ParsedName(NamedTuple):
    """What an item's names say: weapon, skin and the ★ / StatTrak™ / Souvenir marks."""

    weapon: str | None
    skin: str | None
    star: bool
    stattrak: bool
    souvenir: bool


@lru_cache(maxsize=65536)
def parse_name(name: str | None, market_hash_name: str | None = None) -> ParsedName:
    """Split a CS2 item name into weapon and skin and read its marks.

    Parameters
    ----------
    name : str or None
        The API's ``name`` (``"AK-47 | Redline"``; no exterior suffix).
    market_hash_name : str, optional
        The API's ``marketHashName``, which carries ``★``, ``StatTrak™`` and ``Souvenir``.

    Returns
    -------
    ParsedName
        ``weapon`` and ``skin`` are None for items that are not weapon skins
        (stickers, cases, agents...); a vanilla knife has a weapon and no skin.

    Examples
    --------
    >>> parse_name("AK-47 | Redline", "StatTrak™ AK-47 | Redline (Field-Tested)")
    ParsedName(weapon='AK-47', skin='Redline', star=False, stattrak=True, souvenir=False)
    >>> parse_name("★ Karambit", "★ Karambit")
    ParsedName(weapon='Karambit', skin=None, star=True, stattrak=False, souvenir=False)
    """
    full = market_hash_name or name or ""
    star = full.startswith(STAR_PREFIX) or (name or "").startswith(STAR_PREFIX)
    rest = full.removeprefix(STAR_PREFIX)
    stattrak = rest.startswith(STATTRAK_PREFIX)
    souvenir = rest.startswith(SOUVENIR_PREFIX)
    base = _strip_marks(name if name else rest)
    if not base or base.startswith(NON_SKIN_PREFIXES):
        return ParsedName(None, None, star, stattrak, souvenir)
    if " | " in base:
        weapon, _, skin = base.partition(" | ")
        return ParsedName(weapon, _strip_exterior(skin), star, stattrak, souvenir)
    return ParsedName(base if star else None, None, star, stattrak, souvenir)


def _strip_marks(text: str) -> str:
    text = text.removeprefix(STAR_PREFIX)
    for prefix in (STATTRAK_PREFIX, SOUVENIR_PREFIX):
        text = text.removeprefix(prefix)
    return text.strip()


def _strip_exterior(skin: str) -> str:
    for exterior in EXTERIORS:
        suffix = f" ({exterior})"
        if skin.endswith(suffix):
            return skin[: -len(suffix)]
    return skin


@lru_cache(maxsize=65536)
def exterior_suffix(market_hash_name: str | None) -> str | None:
    """The exterior a ``marketHashName`` ends with (``" (Field-Tested)"``), else None.

    Examples
    --------
    >>> exterior_suffix("AK-47 | Redline (Field-Tested)"), exterior_suffix("★ Karambit")
    ('Field-Tested', None)
    >>> exterior_suffix("Sticker | Crown (Foil)") is None
    True
    """
    for exterior in EXTERIORS:
        if (market_hash_name or "").endswith(f" ({exterior})"):
            return exterior
    return None


def exterior_name(value: object) -> str | None:
    """One of the five exterior names for a full or short name (``"FT"``), else None.

    Examples
    --------
    >>> exterior_name("FT"), exterior_name("Field-Tested"), exterior_name("Pristine")
    ('Field-Tested', 'Field-Tested', None)
    """
    return _EXTERIOR_BY_NAME.get(value) if isinstance(value, str) else None
