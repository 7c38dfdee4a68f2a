"""What ``fetch`` needs to know of an endpoint: the ``Endpoint`` contract and the ``Query`` one.

``fetch`` runs any endpoint through the same machinery (the cache, the rate budget, retries
and deadlines, redaction, typed errors) without knowing which endpoint it is. An endpoint
module in ``endpoints/`` declares one ``Endpoint``: its path and method, the rate family it
spends, how long its answers stay fresh, the shape its ``data`` must have, an optional fast
reading of a documented success (Arrow, no Python object per item), and whether it pages
(``paging.CountedPaging``; one request when it does not). A ``Query`` is one validated
call of it: the parameters (and any JSON body) it sends, whether it bypasses the caches,
and how errors name what was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Protocol

from .budget import RateFamily
from .paging import CountedPaging, first_page_params

__all__ = ["SESSION_EXPIRY", "Endpoint", "Expiry", "Query"]

#: ``Endpoint.expire_after``: the client's ``expire_after`` applies.
SESSION_EXPIRY: Literal["session"] = "session"
#: How long an endpoint's answers are fresh: a timedelta, None (never expire) or the client's.
Expiry = timedelta | None | Literal["session"]


class Query(Protocol):
    """One validated call of an endpoint, as ``fetch`` reads it."""

    @property
    def params(self) -> Mapping[str, Any]:
        """The query parameters every page shares (a trade URL as a masked ``Sensitive``)."""
        ...

    @property
    def body(self) -> Mapping[str, Any] | None:
        """The JSON body of a POST, None for none."""
        ...

    @property
    def refresh(self) -> bool:
        """Bypass the disk cache (and ask AssetPay to refresh its own)."""
        ...

    @property
    def context(self) -> str:
        """How errors name what was asked for (never a trade token)."""
        ...


def _no_problem(data: Any) -> str | None:
    return None if isinstance(data, Mapping) else f"data is {type(data).__name__}, not an object"


def _no_reading(body: bytes) -> Any:
    return None


@dataclass(frozen=True)
class Endpoint:
    """One AssetPay endpoint, declared for ``fetch`` (each module of ``endpoints/`` makes one).

    Parameters
    ----------
    name : str
        How the endpoint is named in messages (``"inventory"``).
    path : str
        Its path below the base URL (``"/secure/inventory"``).
    family : RateFamily
        The rate budget its requests spend (``RateFamily.named("inventory")``).
    method : str
        The HTTP method: GET, or POST for an endpoint that takes a JSON body.
    cached : bool
        Whether its successes go in the disk cache (default True; a POST is keyed by its
        body too). An endpoint that moves money must say False.
    expire_after : timedelta, None or "session"
        How long its answers are fresh in the disk cache; None: never expire; "session"
        (default): the client's ``expire_after``.
    data_problem : callable
        ``data_problem(data) -> str | None``: what is wrong with a success envelope's
        ``data``, or None when it has the documented shape (a problem is a
        ``MalformedResponse``, and such an answer is never cached).
    read_body : callable
        ``read_body(body) -> reading | None``: a fast reading of a documented success
        (the inventory's Arrow reading), kept on the page as ``page.arrow``; it carries
        the envelope's ``request_id`` (and, for counted paging, ``items`` and
        ``declared_count``). None sends the body through orjson and ``data_problem``.
    read_bodies : callable, optional
        ``read_bodies(bodies) -> [reading | None, ...]``: ``read_body`` for many bodies at
        once (a batch's cache hits in one Arrow read); None: hits are read one by one.
    paging : CountedPaging, optional
        How its answer pages (``limit=-1`` first, then counted pages); None (default):
        one request answers it.
    """

    name: str
    path: str
    family: RateFamily
    method: str = "GET"
    cached: bool = True
    expire_after: Expiry = SESSION_EXPIRY
    data_problem: Callable[[Any], str | None] = _no_problem
    read_body: Callable[[bytes], Any] = _no_reading
    read_bodies: Callable[[Sequence[bytes]], Sequence[Any]] | None = None
    paging: CountedPaging | None = None

    def __repr__(self) -> str:
        return f"Endpoint({self.method} {self.path}, family {self.family.name!r})"

    def first_params(self, query: Query) -> dict[str, Any]:
        """The parameters of a query's first request (whose answer a batch's hits read)."""
        if self.paging is None:
            return dict(query.params)
        return first_page_params(query.params)
