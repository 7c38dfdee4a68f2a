"""The demo inventories "as of" a calendar day: deterministic aging for drift analyses.

The demo data (``data``) is a snapshot taken on ``BASE_DATE`` (its ``updatedAt``).
``inventory_as_of`` tells what an account holds ``d = (as_of - BASE_DATE).days`` days
later, so a month of history can be built offline in seconds, identically in every
process. Pure functions, no HTTP; the server serves them when started with ``as_of=``.

The model, day by day (day 0 is the snapshot itself, returned unchanged):

- **Market drift**: every ``marketHashName`` (else ``name``) follows a multiplicative
  random walk, its daily log-step ``N(0, DRIFT_SIGMA)`` drawn from
  ``random.Random(f"drift:{name}:{day}")`` (never ``hash()``, salted per process). All
  copies of one skin move together. The walks are memoised and extended a day at a
  time, so a month of days for every account costs a few thousand draws.
- **Offer drift**: AssetPay's offer follows the market price (the item's offer/market
  ratio is kept) times its own payout drift per exterior, a walk of daily log-steps
  ``N(0, PAYOUT_SIGMA)`` kept within ``±PAYOUT_BOUND``: the ratios move a little.
- **Events** (``EVENTS``): from its day on (inclusive), an ``Event`` multiplies the
  offer (``kind="offer"``) or the market price (``kind="market"``) of every item whose
  name contains ``match``, on top of the drift.
- **Trades**: every item leaves on a day drawn from its id (each day it is held, it
  leaves with probability ``LEAVE_RATE``: about 36% are gone after 30 days). An account
  holding the game receives, each day with probability ``ARRIVAL_RATE``, one new item
  (``data.fresh_item``, id ``enc_aged_<partner>_<game>_<day>``), newest first. Its drawn
  prices are its value on ``BASE_DATE``, so from its arrival on it moves exactly like
  the same skin held elsewhere (drift and events included), and it leaves later too.

Prices are rounded to cents and keep their type (a price sent as a string stays a
string); a missing or null price or offer stays so; no other field is touched.

**The price book ages alike** (``book_as_of``): an entry's deposit moves by the offer
factor an item of its name gets that day (the drift of its ``marketHashName``, the payout
walk of its exterior, the offer events matching its name), rounded to cents in the same
way, so every offer priced by the book still equals the book's deposit on any day (the
day-10 AWP | Asiimov cut shows in both). Its withdraw prices move with the market factor
(drift and market events), and stay at least a cent above the deposit (and instant above
standard). ``off_book_as_of`` tells which items held that day are off the book.
"""

from __future__ import annotations

import math
import random
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from . import book, data
from .book import Entry, Quote

__all__ = [
    "ARRIVAL_RATE",
    "BASE_DATE",
    "DRIFT_SIGMA",
    "EVENTS",
    "LEAVE_RATE",
    "MAX_DAYS",
    "PAYOUT_BOUND",
    "PAYOUT_SIGMA",
    "Event",
    "age_item",
    "as_of_date",
    "book_as_of",
    "day_index",
    "inventory_as_of",
    "off_book_as_of",
    "updated_at_as_of",
]

#: The day of the demo data's ``updatedAt``: day 0.
BASE_DATE = date(2026, 6, 1)
#: The latest day served, ten years on (the walks are memoised day by day).
MAX_DAYS = 3653
#: Standard deviation of a market price's daily log-step.
DRIFT_SIGMA = 0.012
#: Standard deviation of the payout ratio's daily log-step (per exterior).
PAYOUT_SIGMA = 0.004
#: The payout drift stays within ``exp(±PAYOUT_BOUND)`` of the snapshot's ratio.
PAYOUT_BOUND = 0.03
#: The probability that an item held on a day is gone the next.
LEAVE_RATE = 0.015
#: The probability that an account receives one new item on a given day.
ARRIVAL_RATE = 0.3

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WALK_SHAPES = {"drift": (DRIFT_SIGMA, math.inf), "payout": (PAYOUT_SIGMA, PAYOUT_BOUND)}
_WALKS: dict[tuple[str, str], list[float]] = {}
_WALKS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Event:
    """A dated change applied from ``day`` on to every item whose name contains ``match``.

    Attributes
    ----------
    day : int
        The first day (from ``BASE_DATE``) it applies.
    kind : str
        ``"offer"`` (AssetPay's offer is multiplied) or ``"market"`` (the market price).
    match : str
        A substring of the item's ``name`` (else ``marketHashName``).
    factor : float
        The multiplier (0.85: a 15% cut).
    description : str
        What happened, for a chart's annotation.

    Examples
    --------
    >>> cut = Event(3, "offer", "AWP | Asiimov", 0.85, "offer cut")
    >>> cut.date, cut.matches({"name": "AWP | Asiimov"}), cut.matches({"name": "AWP | Atheris"})
    (datetime.date(2026, 6, 4), True, False)
    """

    day: int
    kind: str
    match: str
    factor: float
    description: str

    def __post_init__(self) -> None:
        if self.kind not in ("offer", "market"):
            raise ValueError(f"an event's kind is 'offer' or 'market', not {self.kind!r}")
        if self.day < 1 or not self.factor > 0:
            raise ValueError("an event starts on day 1 or later, with a positive factor")

    @property
    def date(self) -> date:
        """The calendar day it starts."""
        return BASE_DATE + timedelta(days=self.day)

    def matches(self, item: dict[str, Any]) -> bool:
        """Whether the event touches this raw item (by ``name``, else ``marketHashName``)."""
        return self.match in _label(item)


#: The dated events of the demo market, in order.
EVENTS: tuple[Event, ...] = (
    Event(10, "offer", "AWP | Asiimov", 0.85,
          "AssetPay cuts its offer for every AWP | Asiimov by 15%"),
    Event(18, "market", "AK-47 | Redline", 1.40,
          "The AK-47 | Redline market price spikes by 40% (offers stay)"),
)  # fmt: skip


def as_of_date(value: date | str | None) -> date | None:
    """``value`` as a ``date`` (None stays None), checked to be a day the sandbox serves.

    Parameters
    ----------
    value : date, str or None
        A ``datetime.date`` (a ``datetime`` counts by its date) or ``"YYYY-MM-DD"``.

    Raises
    ------
    ValueError
        For anything else, a day before ``BASE_DATE`` or more than ``MAX_DAYS`` after.

    Examples
    --------
    >>> as_of_date("2026-06-15"), as_of_date(None)
    (datetime.date(2026, 6, 15), None)
    >>> as_of_date("2026-05-31")
    Traceback (most recent call last):
    ...
    ValueError: as_of 2026-05-31 is before the demo data's BASE_DATE 2026-06-01
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"as_of {value!r} is not a calendar day") from None
    if not isinstance(value, date):
        raise ValueError(f"as_of must be a datetime.date or a 'YYYY-MM-DD' string, not {value!r}")
    if value < BASE_DATE:
        raise ValueError(f"as_of {value} is before the demo data's BASE_DATE {BASE_DATE}")
    if (value - BASE_DATE).days > MAX_DAYS:
        raise ValueError(f"as_of {value} is more than {MAX_DAYS} days after BASE_DATE")
    return value


def day_index(as_of: date | str) -> int:
    """Days from ``BASE_DATE`` to ``as_of`` (validated by ``as_of_date``).

    Examples
    --------
    >>> day_index("2026-06-01"), day_index(date(2026, 7, 1))
    (0, 30)
    """
    day = as_of_date(as_of)
    if day is None:
        raise ValueError("as_of must be a day, not None")
    return (day - BASE_DATE).days


def _walk(kind: str, name: str, day: int) -> float:
    """The cumulative log-change of walk ``kind`` for ``name`` on ``day`` (0 on day 0)."""
    sigma, bound = _WALK_SHAPES[kind]
    with _WALKS_LOCK:
        path = _WALKS.setdefault((kind, name), [0.0])
        while len(path) <= day:
            step = random.Random(f"{kind}:{name}:{len(path)}").gauss(0.0, sigma)
            path.append(min(bound, max(-bound, path[-1] + step)))
        return path[day]


def _label(item: dict[str, Any]) -> str:
    for key in ("name", "marketHashName"):
        if isinstance(item.get(key), str):
            return str(item[key])
    return ""


def _drift_key(item: dict[str, Any]) -> str:
    for key in ("marketHashName", "name"):
        if isinstance(item.get(key), str):
            return str(item[key])
    return str(item.get("id"))


def _cents(value: float, factor: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return value  # a nonsense price is left as it is
    return max(0.01, round(value * factor, 2))


def _scaled(value: Any, factor: float) -> Any:
    """A price times ``factor``, in cents, keeping its JSON type; non-prices unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _cents(float(value), factor)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return str(_cents(number, factor)) if math.isfinite(number) else value
    return value


def _factors(item: dict[str, Any], day: int) -> tuple[float, float]:
    """(market factor, offer factor) of a raw item on ``day``: drift and events."""
    drift = _walk("drift", _drift_key(item), day)
    exterior = item.get("exterior")
    payout = _walk("payout", exterior if isinstance(exterior, str) else "", day)
    market, offer = math.exp(drift), math.exp(drift + payout)
    for event in EVENTS:
        if event.day <= day and event.matches(item):
            if event.kind == "market":
                market *= event.factor
            else:
                offer *= event.factor
    return market, offer


def age_item(item: dict[str, Any], day: int) -> dict[str, Any]:
    """A raw item's prices ``day`` days after ``BASE_DATE`` (a new dict; ``item`` untouched).

    Parameters
    ----------
    item : dict
        A raw item as ``data.inventory`` gives it, with its ``BASE_DATE`` prices.
    day : int
        Days from ``BASE_DATE`` (0 or more).

    Examples
    --------
    >>> item = {"name": "AWP | Asiimov", "marketPrice": "100.00", "offer": None}
    >>> aged = age_item(item, 10)
    >>> type(aged["marketPrice"]), aged["offer"], age_item(item, 0) == item
    (<class 'str'>, None, True)
    """
    if day < 0:
        raise ValueError("day must be 0 or more")
    aged = dict(item)
    if day == 0:
        return aged
    market, offer_factor = _factors(item, day)
    if "marketPrice" in aged:
        aged["marketPrice"] = _scaled(aged["marketPrice"], market)
    offer = aged.get("offer")
    if isinstance(offer, dict) and "price" in offer:
        aged["offer"] = {**offer, "price": _scaled(offer["price"], offer_factor)}
    return aged


@lru_cache(maxsize=65_536)
def _lifetime(item_id: str) -> int:
    """How many days an item stays from its first day: P(lifetime > k) = (1 - rate)^k."""
    draw = random.Random(f"leave:{item_id}").random()
    return 1 + math.floor(math.log1p(-draw) / math.log1p(-LEAVE_RATE))


def _held(item: dict[str, Any], since: int, day: int) -> bool:
    return day - since < _lifetime(str(item.get("id")))


@lru_cache(maxsize=65_536)
def _arrives(partner: int, game: str, day: int) -> bool:
    return random.Random(f"arrive:{partner}:{game}:{day}").random() < ARRIVAL_RATE


def _arrivals_drawn(partner: int, game: str, day: int) -> list[tuple[dict[str, Any], bool]]:
    """The items received on days 1..``day`` and still held on ``day``, newest first, each
    with whether it is off the price book."""
    found = []
    for since in range(day, 0, -1):
        if not _arrives(partner, game, since):
            continue
        item_id = f"enc_aged_{partner}_{game}_{since:04d}"
        if day - since < _lifetime(item_id):
            found.append(data.fresh_drawn(f"aged:{partner}:{game}:{since}", game, item_id))
    return found


def _arrivals(partner: int, game: str, day: int) -> list[dict[str, Any]]:
    """The items received on days 1..``day`` and still held on ``day``, newest first."""
    return [item for item, _ in _arrivals_drawn(partner, game, day)]


def inventory_as_of(
    partner: int, game: str, as_of: date | str, base: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """An account's raw inventory for one game as of a day: ``base`` aged by the model.

    Parameters
    ----------
    partner : int
        The trade URL's partner id.
    game : str
        ``"730"`` or ``"252490"``.
    as_of : date or str
        The day (``BASE_DATE`` or later); see ``as_of_date``.
    base : list of dict, optional
        The inventory on ``BASE_DATE`` (default ``data.inventory(partner, game)``); not
        modified. When it is empty the account does not hold the game and gets nothing.

    Returns
    -------
    list of dict
        The items received since and still held (newest first), then the ``base`` items
        still held, in their order. On day 0, exactly ``base``.

    Examples
    --------
    >>> today = inventory_as_of(103582791, "730", "2026-06-01")
    >>> today == data.inventory(103582791, "730")
    True
    >>> later = inventory_as_of(103582791, "730", "2026-07-01")
    >>> later == inventory_as_of(103582791, "730", "2026-07-01"), later == today
    (True, False)
    """
    day = day_index(as_of)
    items = data.inventory(partner, game) if base is None else base
    if day == 0:
        return [dict(item) for item in items]
    held = [item for item in items if _held(item, 0, day)]
    received = _arrivals(partner, game, day) if items else []
    return [age_item(item, day) for item in (*received, *held)]


def updated_at_as_of(partner: int, as_of: date | str) -> str:
    """``data.updated_at(partner)``'s time of day on the ``as_of`` date (ISO-8601 UTC).

    Examples
    --------
    >>> updated_at_as_of(103582791, "2026-06-20")
    '2026-06-20T09:30:00.000Z'
    """
    day = as_of_date(as_of)
    if day is None:
        raise ValueError("as_of must be a day, not None")
    return f"{day.isoformat()}{data.updated_at(partner)[10:]}"


def off_book_as_of(
    partner: int, game: str, as_of: date | str, base: list[dict[str, Any]] | None = None
) -> frozenset[str]:
    """The ids of the items ``inventory_as_of`` gives whose offer is off the price book.

    Parameters
    ----------
    partner, game, as_of, base
        As ``inventory_as_of``; ``base`` (default ``data.inventory(partner, game)``) is
        the inventory on ``BASE_DATE`` whose off-book items are ``data.off_book``'s.

    Examples
    --------
    >>> later = {i["id"] for i in inventory_as_of(145937019, "730", "2026-07-01")}
    >>> off_book_as_of(145937019, "730", "2026-07-01") <= later
    True
    """
    day = day_index(as_of)
    items = data.inventory(partner, game) if base is None else base
    seeded = set(data.off_book(partner, game))
    if day and items:
        seeded |= {item["id"] for item, off in _arrivals_drawn(partner, game, day) if off}
    held = {item.get("id") for item in items if day == 0 or _held(item, 0, day)}
    if day and items:
        held |= {item["id"] for item in _arrivals(partner, game, day)}
    return frozenset(seeded & held)


# --- the price book --------------------------------------------------------------------


def _entry_item(entry: Entry) -> dict[str, Any]:
    """What aging reads of an item of the entry's name (its factors are an item's)."""
    item: dict[str, Any] = {"name": entry.name, "marketHashName": entry.market_hash_name}
    if entry.exterior is not None:
        item["exterior"] = entry.exterior
    return item


def _above(value: float | None, floor: float, factor: float) -> float | None:
    """A withdraw price times ``factor``, in cents, at least a cent above ``floor``."""
    if value is None:
        return None
    return max(round(floor + 0.01, 2), _cents(value, factor))


def _aged_quote(quote: Quote, market: float, offer: float) -> Quote:
    deposit = _cents(quote.deposit, offer)
    standard = _above(quote.standard, deposit, market)
    instant = None if standard is None else _above(quote.instant, standard, market)
    return Quote(quote.accepted, deposit, standard, instant)


def book_as_of(game: str, as_of: date | str | None) -> list[dict[str, Any]]:
    """The price book of ``game`` as ``GET /secure/prices`` serves it on ``as_of``.

    Parameters
    ----------
    game : str
        ``"730"`` or ``"252490"`` (any other: an empty book).
    as_of : date, str or None
        The day (None or ``BASE_DATE``: the book of ``book.entries`` as it is).

    Examples
    --------
    >>> def asiimov(day):
    ...     entries = book_as_of("730", day)
    ...     return next(e["deposit"] for e in entries if e["marketHashName"].startswith("AWP |"))
    >>> round(asiimov("2026-06-10") / asiimov("2026-06-11"), 1)  # the day-10 cut
    1.2
    """
    day = 0 if as_of is None else day_index(as_of)
    served = []
    for entry in book.entries(str(game)):
        if day == 0:
            served.append(book.entry_json(entry))
            continue
        market, offer = _factors(_entry_item(entry), day)
        quotes: dict[str | None, Quote] = {None: _aged_quote(entry.quote, market, offer)}
        quotes.update((phase, _aged_quote(q, market, offer)) for phase, q in entry.phases)
        served.append(book.entry_json(entry, quotes))
    return served
