"""Steam trade URLs: parse, validate, derive the SteamID64, never print the token.

A trade URL is how the API names an account:
``https://steamcommunity.com/tradeoffer/new/?partner=<account id>&token=<8 chars>``.
The API validates it strictly (https, that host and path, partner then token, nothing
else), so ``TradeUrl`` accepts the harmless variations people paste (``http``, ``www.``,
a missing trailing slash, parameters in another order, surrounding spaces) and always
sends the canonical form. Anything else raises ``InvalidTradeUrl`` naming the problem,
before any request is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from .constants import MAX_ACCOUNT_ID, STEAM_ID64_BASE
from .errors import InvalidTradeUrl

__all__ = ["TradeUrl"]

_HOSTS = ("steamcommunity.com", "www.steamcommunity.com")
_PATHS = ("/tradeoffer/new/", "/tradeoffer/new")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8}")
_PARTNER = re.compile(r"\d{1,10}")
_MASK = "********"
_EXAMPLE = "https://steamcommunity.com/tradeoffer/new/?partner=12345678&token=AbCd1234"


def _invalid(problem: str) -> InvalidTradeUrl:
    return InvalidTradeUrl(
        f"Invalid trade URL: {problem}. Expected the form {_EXAMPLE} "
        "(Steam: Inventory > Trade Offers > Who can send me trade offers?)",
        key="INVALID_TRADEURL",
    )


@dataclass(frozen=True, repr=False)
class TradeUrl:
    """A validated Steam trade URL.

    Parameters
    ----------
    partner : int
        The 32-bit Steam account id (``partner=`` in the URL).
    token : str
        The 8-character trade token. It is sensitive: ``repr`` and ``str`` mask it.

    Examples
    --------
    >>> url = TradeUrl.parse("https://steamcommunity.com/tradeoffer/new/?partner=39734273&token=AbCd_-12")
    >>> url.steam_id
    '76561198000000001'
    >>> url
    TradeUrl(partner=39734273, token='********')
    """

    partner: int
    token: str

    def __post_init__(self) -> None:
        if isinstance(self.partner, bool) or not isinstance(self.partner, int):
            raise _invalid(f"partner must be an integer, got {type(self.partner).__name__}")
        if not 0 < self.partner <= MAX_ACCOUNT_ID:
            raise _invalid(f"partner {self.partner} is outside 1..{MAX_ACCOUNT_ID}")
        if not isinstance(self.token, str) or not _TOKEN.fullmatch(self.token):
            raise _invalid("token must be exactly 8 characters of A-Z, a-z, 0-9, '_' or '-'")

    @classmethod
    def parse(cls, value: str | TradeUrl) -> TradeUrl:
        """Parse and validate a trade URL (a ``TradeUrl`` is returned as is).

        Parameters
        ----------
        value : str or TradeUrl
            The URL as copied from Steam.

        Returns
        -------
        TradeUrl

        Raises
        ------
        InvalidTradeUrl
            Naming what is wrong: not a string, host, path, missing, repeated or
            unknown parameters, a non-numeric or out-of-range partner, a bad token.

        Examples
        --------
        >>> pasted = " http://www.steamcommunity.com/tradeoffer/new?token=AbCd1234&partner=7 "
        >>> TradeUrl.parse(pasted).url
        'https://steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234'
        """
        if isinstance(value, TradeUrl):
            return value
        if not isinstance(value, str):
            raise _invalid(f"expected a string, got {type(value).__name__}")
        parts = urlsplit(value.strip())
        if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
            raise _invalid("it must start with https://steamcommunity.com/")
        if parts.netloc.lower() not in _HOSTS:
            raise _invalid(f"the host must be steamcommunity.com, not {parts.netloc!r}")
        if parts.path not in _PATHS:
            raise _invalid(f"the path must be /tradeoffer/new/, not {parts.path!r}")
        params = cls._query(parts.query)
        partner = params.get("partner", "")
        if not _PARTNER.fullmatch(partner):
            raise _invalid("partner must be a number of 1 to 10 digits")
        return cls(int(partner), params["token"])

    @staticmethod
    def _query(query: str) -> dict[str, str]:
        pairs = parse_qsl(query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        for required in ("partner", "token"):
            if names.count(required) != 1:
                what = "is missing" if required not in names else "appears more than once"
                raise _invalid(f"the {required} parameter {what}")
        unknown = sorted(set(names) - {"partner", "token"})
        if unknown:
            raise _invalid(f"unexpected parameter(s) {', '.join(unknown)}")
        return dict(pairs)

    @classmethod
    def from_steam_id(cls, steam_id: str | int, token: str) -> TradeUrl:
        """Build a trade URL from a SteamID64 and a trade token.

        Examples
        --------
        >>> TradeUrl.from_steam_id("76561198000000001", "AbCd1234").partner
        39734273
        """
        try:
            partner = int(steam_id) - STEAM_ID64_BASE
        except (TypeError, ValueError):
            raise _invalid(f"{steam_id!r} is not a SteamID64") from None
        return cls(partner, token)

    @property
    def url(self) -> str:
        """The canonical URL, token included: what the API is sent."""
        return (
            f"https://steamcommunity.com/tradeoffer/new/?partner={self.partner}&token={self.token}"
        )

    @property
    def masked(self) -> str:
        """The canonical URL with the token masked, safe to log or show."""
        return f"https://steamcommunity.com/tradeoffer/new/?partner={self.partner}&token={_MASK}"

    @property
    def steam_id(self) -> str:
        """The account's SteamID64 as a string (partner + 76561197960265728)."""
        return str(self.partner + STEAM_ID64_BASE)

    def __repr__(self) -> str:
        return f"TradeUrl(partner={self.partner}, token={_MASK!r})"

    def __str__(self) -> str:
        return self.masked
