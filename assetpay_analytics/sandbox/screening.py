"""The sandbox's ``POST /secure/check-tradeurl`` route: screening a trade URL ([OA] 0.8.3).

``parse`` reads the JSON body ``{tradeurl, forceRefresh?}`` (``additionalProperties:
false``, the key lowercase): a body that is not a JSON object, a missing or ill-typed
key, an extra one (``tradeUrl`` included) or a trade URL not matching the pattern in full
is VALIDATION_FAILED with ``fields`` naming each. ``answer`` gives the ``data``:
``state`` (1-10, ``constants.SCREENING_STATES``), ``steamid``, ``message``, ``canTrade``
(states 1-4), ``reason {escrowDays, probation}`` (when ``canTrade`` is false) and
``bans {vacBanned, gameBans, economyBan}`` (when the account was found).

The upstream's view of each account (``PROFILES``, by ``Account.kind``):

============================  ===================  ========  ==========================
account                       state                canTrade  reason / bans
============================  ===================  ========  ==========================
normal ones, unnamed, empty,  1 Normal             true      clean bans
flaky, throttled
escrow                        1 Normal             false     escrowDays 7, probation false
vac_banned                    2 CS2Banned          true      vacBanned, gameBans 1
fetch_failed                  4 Banned             false     economyBan "banned"
private                       5 InventoryPrivate   -         clean bans
ghost                         7 UserNotFound       -         -
untradeable                   9 UserNotTradeable   -         clean bans
steam_down                    10 SteamUnavailable  -         -
screen_flip                   10, then 1           -, true   its first lookup fails
============================  ===================  ========  ==========================

A known partner with another token, or a partner out of range, is 6 TradeUrlInvalid.
Answers are remembered for an hour per trade URL (``SandboxState.screen``);
``forceRefresh: true`` asks the upstream again. ``screen_flip`` makes that observable:
its first lookup says 10, every later one 1, so its cached answer stays 10 until a
``forceRefresh``.

Examples
--------
>>> url = "https://steamcommunity.com/tradeoffer/new/?partner=103582791&token=aL1ce_01"
>>> parse({}, {"tradeurl": url})
Screening(partner=103582791, token='aL1ce_01', force=False)
>>> look_up(103582791, "aL1ce_01", 1)["state"], look_up(103582791, "wrong_01", 1)["state"]
(1, 6)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..constants import MAX_ACCOUNT_ID, SCREENING_CAN_TRADE_STATES, STEAM_ID64_BASE
from . import data
from .query import ApiError, trade_url_parts
from .state import SandboxState

__all__ = ["PROFILES", "Profile", "Screening", "answer", "look_up", "parse"]

_KEYS = ("tradeurl", "forceRefresh")
_PATTERN_REASON = (
    "Trade URL must be https://steamcommunity.com/tradeoffer/new/?partner=<1-10 digits>"
    "&token=<8 characters of A-Z a-z 0-9 _ ->, nothing after it"
)


@dataclass(frozen=True)
class Screening:
    """A validated check-tradeurl request."""

    partner: int
    token: str
    force: bool


@dataclass(frozen=True)
class Profile:
    """What the upstream says of an account: state, message, and the optional parts.

    ``can_trade`` is None for the states that carry no ``canTrade``; ``reason`` is
    (escrowDays, probation); ``bans`` is (vacBanned, gameBans, economyBan), None when the
    account is not found (or Steam does not answer).
    """

    state: int
    message: str
    can_trade: bool | None = None
    reason: tuple[int, bool] | None = None
    bans: tuple[bool, int, str] | None = (False, 0, "none")


_NORMAL = Profile(1, "Trade URL is valid and the user can trade", can_trade=True)
#: The upstream's answer by ``Account.kind`` (any other kind, and unnamed partners: normal).
PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "normal": _NORMAL,
        "escrow": Profile(1, "The user can trade; trades are held in escrow for 7 days",
                          can_trade=False, reason=(7, False)),
        "vac_banned": Profile(2, "The user has a VAC ban: CS2 deposits are blocked",
                              can_trade=True, bans=(True, 1, "none")),
        "fetch_failed": Profile(4, "The user is banned from trading", can_trade=False,
                                reason=(0, False), bans=(False, 0, "banned")),
        "private": Profile(5, "The user's inventory is private"),
        "ghost": Profile(7, "No Steam user has this trade URL", bans=None),
        "untradeable": Profile(9, "The user cannot trade"),
        "steam_down": Profile(10, "Steam is unavailable, try again shortly", bans=None),
    }
)  # fmt: skip
_INVALID = Profile(6, "The trade URL is invalid: its token does not open this account",
                   bans=None)  # fmt: skip


def parse(params: Mapping[str, str], body: object) -> Screening:
    """Validate the JSON body of ``POST /secure/check-tradeurl`` (the query is ignored).

    Raises
    ------
    ApiError
        VALIDATION_FAILED with ``fields`` naming every offending key (``body`` for a body
        that is not a JSON object).

    Examples
    --------
    >>> parse({}, {"tradeUrl": "x"})
    Traceback (most recent call last):
    ...
    assetpay_analytics.sandbox.query.ApiError: VALIDATION_FAILED
    """
    if not isinstance(body, dict):
        raise ApiError("VALIDATION_FAILED", {"body": "must be a JSON object"})
    fields = {str(key): "is not allowed" for key in body if key not in _KEYS}
    url, parts = body.get("tradeurl"), None
    if "tradeurl" not in body:
        fields["tradeurl"] = "is required"
    elif not isinstance(url, str):
        fields["tradeurl"] = "must be a string"
    elif (parts := trade_url_parts(url)) is None:
        fields["tradeurl"] = _PATTERN_REASON
    force = body.get("forceRefresh", False)
    if not isinstance(force, bool):
        fields["forceRefresh"] = "must be a boolean"
    if fields or parts is None:
        raise ApiError("VALIDATION_FAILED", dict(list(fields.items())[:20]))
    return Screening(parts[0], parts[1], force)


def _data(profile: Profile, steamid: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"state": profile.state}
    if steamid is not None:
        body["steamid"] = steamid
    body["message"] = profile.message
    if profile.can_trade is not None and profile.state in SCREENING_CAN_TRADE_STATES:
        body["canTrade"] = profile.can_trade
    if profile.reason is not None:
        body["reason"] = {"escrowDays": profile.reason[0], "probation": profile.reason[1]}
    if profile.bans is not None:
        vac, game_bans, economy = profile.bans
        body["bans"] = {"vacBanned": vac, "gameBans": game_bans, "economyBan": economy}
    return body


def look_up(partner: int, token: str, lookup: int) -> dict[str, Any]:
    """The upstream's answer for a trade URL's parts on its ``lookup``-th look (from 1)."""
    if not 0 < partner <= MAX_ACCOUNT_ID:
        return _data(_INVALID, None)
    steamid = str(partner + STEAM_ID64_BASE)
    account = data.account_by_partner(partner)
    if account is not None and account.token != token:
        return _data(_INVALID, steamid)
    kind = account.kind if account is not None else "normal"
    if kind == "screen_flip":
        kind = "steam_down" if lookup == 1 else "normal"
    return _data(PROFILES.get(kind, _NORMAL), steamid)


def answer(state: SandboxState, query: Screening) -> dict[str, Any]:
    """The ``data`` of a check-tradeurl answer: the cached one unless stale or forced."""
    return state.screen((query.partner, query.token), query.force,
                        lambda lookup: look_up(query.partner, query.token, lookup))  # fmt: skip
