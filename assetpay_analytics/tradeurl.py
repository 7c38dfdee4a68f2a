"""Steam trade URLs: parse, validate, derive the SteamID64, never print the token.

A trade URL is how the API names an account:
``https://steamcommunity.com/tradeoffer/new/?partner=<account id>&token=<8 chars>``.
The API validates it strictly (https, that host and path, partner then token, nothing
else), so ``TradeUrl`` accepts the harmless variations people paste (``http``, ``www.``,
a missing trailing slash, parameters in another order, surrounding spaces) and always
sends the canonical form. Anything else raises ``InvalidTradeUrl`` naming the problem,
before any request is made. Digits are ASCII digits only: Python's ``\\d`` and ``int()``
also read Arabic-Indic or fullwidth digits, which no Steam URL or id contains. Every
``TradeUrl`` registers its token with the redactor (``redact.register_token``): a token
the toolkit has seen is masked in any message, log record or file, ``token=`` or not.

``brief`` quotes a bad value for an error message (every module that validates
arguments uses it): short whatever its size, and never failing, not even on an int
too long for ``str()``.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass
from numbers import Integral, Number
from urllib.parse import parse_qsl, urlsplit

from .constants import MAX_ACCOUNT_ID, STEAM_ID64_BASE
from .errors import InvalidTradeUrl
from .redact import register_token

__all__ = ["TradeUrl"]

_HOSTS = ("steamcommunity.com", "www.steamcommunity.com")
_PATHS = ("/tradeoffer/new/", "/tradeoffer/new")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8}")
_PARTNER = re.compile(r"[0-9]{1,10}")
_DIGITS = re.compile(r"[0-9]+")
_MASK = "********"
_EXAMPLE = "https://steamcommunity.com/tradeoffer/new/?partner=12345678&token=AbCd1234"
#: The SteamID64s of individual accounts: partner 1 .. MAX_ACCOUNT_ID.
_FIRST_STEAM_ID = STEAM_ID64_BASE + 1
_LAST_STEAM_ID = STEAM_ID64_BASE + MAX_ACCOUNT_ID


class _Brief(reprlib.Repr):
    """``reprlib``'s bounded repr, also for ints ``str()`` refuses (over 4,300 digits)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 60
        self.maxlong = 40
        self.maxlist = self.maxtuple = self.maxset = self.maxdict = 4
        self.maxlevel = 2

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:
            digits = math.floor(x.bit_length() * math.log10(2)) + 1
            return f"<an int of about {digits} digits>"
        return super().repr_int(x, level)


_BRIEF = _Brief()


def brief(value: object) -> str:
    """``value`` quoted for an error message: at most about 60 characters, never raising.

    Examples
    --------
    >>> len(brief("x" * 10**7))
    60
    >>> brief(10**5000)
    '<an int of about 5001 digits>'
    """
    try:
        return _BRIEF.repr(value)
    except Exception:  # a repr that raises, or text too long to convert
        return f"<a {type(value).__name__}>"


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
        The 8-character trade token. It is sensitive: ``repr`` and ``str`` mask it,
        and it is registered (``redact.register_token``) so that ``redact.mask`` hides
        it in any message that names it, even without ``token=``.

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
        partner = self.partner
        if isinstance(partner, bool) or not isinstance(partner, Integral):
            raise _invalid(f"partner must be an integer, got {type(partner).__name__}")
        if not 0 < partner <= MAX_ACCOUNT_ID:
            raise _invalid(f"partner {brief(partner)} is outside 1..{MAX_ACCOUNT_ID}")
        object.__setattr__(self, "partner", int(partner))  # numpy ints hash and print as ints
        if not isinstance(self.token, str) or not _TOKEN.fullmatch(self.token):
            raise _invalid("token must be exactly 8 characters of A-Z, a-z, 0-9, '_' or '-'")
        register_token(self.token)  # a token seen is masked wherever it shows, bare too

    def __reduce__(self) -> tuple[type[TradeUrl], tuple[int, str]]:
        # unpickled and copied URLs are validated (and their token registered) again
        return (type(self), (self.partner, self.token))

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
        try:
            parts = urlsplit(value.strip())
        except ValueError:  # unbalanced [ ], or a host with look-alikes of / ? # @ :
            raise _invalid("the host must be steamcommunity.com; this one cannot be read") from None
        if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
            raise _invalid("it must start with https://steamcommunity.com/")
        if parts.netloc.lower() not in _HOSTS:
            raise _invalid(f"the host must be steamcommunity.com, not {brief(parts.netloc)}")
        if parts.path not in _PATHS:
            raise _invalid(f"the path must be /tradeoffer/new/, not {brief(parts.path)}")
        params = cls._query(parts.query)
        partner = params.get("partner", "")
        if not _PARTNER.fullmatch(partner):
            raise _invalid("partner must be a number of 1 to 10 ASCII digits (0-9)")
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
            raise _invalid(f"unexpected parameter(s) {', '.join(map(brief, unknown[:3]))}")
        return dict(pairs)

    @classmethod
    def from_steam_id(cls, steam_id: str | int, token: str) -> TradeUrl:
        """Build a trade URL from a SteamID64 and a trade token.

        Parameters
        ----------
        steam_id : str or int
            The account's SteamID64, 76561197960265729..76561202255233023: an int (any
            integral type but bool, numpy's included) or a string of ASCII digits
            (surrounding whitespace is ignored). Not a float, not even an integral
            one: a float cannot hold 17 digits exactly (``76561198000000001.0`` is
            ``76561198000000000``), so a pandas id column with gaps, which is float,
            would name the wrong accounts; read it with ``dtype=str`` (or ``"Int64"``).
        token : str
            The 8-character trade token.

        Returns
        -------
        TradeUrl

        Raises
        ------
        InvalidTradeUrl
            For a float, Decimal or any other type, a sign, underscores, non-ASCII
            digits, an id outside the individual-account range, or a bad token.

        Examples
        --------
        >>> TradeUrl.from_steam_id("76561198000000001", "AbCd1234").partner
        39734273
        """
        return cls(_steam_id_number(steam_id) - STEAM_ID64_BASE, token)

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


def _not_string_or_int(steam_id: object) -> str:
    kind = type(steam_id).__name__
    if not isinstance(steam_id, Number):
        return f"steam_id must be a string or int, got {kind}"
    return (
        f"steam_id must be a string or int, not a {kind}: a float cannot hold the 17 "
        "digits of a SteamID64 exactly (76561198000000001.0 is 76561198000000000), so "
        "pass the id as a string or int (in pandas, read the column with dtype=str)"
    )


def _steam_id_number(steam_id: object) -> int:
    """The SteamID64 ``from_steam_id`` was given, as an int in the individual-account range."""
    if isinstance(steam_id, Integral) and not isinstance(steam_id, bool):
        number = int(steam_id)
    elif isinstance(steam_id, str):
        text = steam_id.strip()
        if not _DIGITS.fullmatch(text):
            raise _invalid(
                f"steam_id {brief(steam_id)} must be ASCII digits (0-9) only: no sign, "
                "underscore, decimal point or other script's digits"
            )
        digits = text.lstrip("0") or "0"  # int() refuses 4,300+ digits, zeros included
        number = int(digits) if len(digits) <= 20 else _LAST_STEAM_ID + 1
    else:
        raise _invalid(_not_string_or_int(steam_id))
    if not _FIRST_STEAM_ID <= number <= _LAST_STEAM_ID:
        raise _invalid(
            f"steam_id {brief(steam_id)} is not an individual account's SteamID64 "
            f"({_FIRST_STEAM_ID}..{_LAST_STEAM_ID})"
        )
    return number
