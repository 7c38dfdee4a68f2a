"""The sandbox's ``GET /secure/inventory`` route: the account's state, its items, its page.

``parse`` reads the request's parameters (``query``: validation, filters, sorts, paging)
before anything else is decided; ``answer`` gives the ``data`` of the answer: the
special accounts' documented errors (private and untradeable: USER_NOT_TRADEABLE;
fetch_failed and ghost: INVENTORY_FETCH_FAILED; steam_down: STEAM_UNAVAILABLE; flaky's
first two: FLEET_DEGRADED; throttled's first: RATE_LIMITED), the demo items of that day
(``aging``) filtered, sorted and cut into the page asked for, and the integrity faults'
effects (``integrity``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from . import data
from .aging import updated_at_as_of
from .integrity import ENDLESS_COUNT, endless_page, endless_page_size, malform
from .query import ApiError, Query, page_of, page_size, select
from .query import parse_query as parse
from .state import SandboxState

__all__ = ["answer", "parse"]


def _now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _updated_at(partner: int, as_of: date | None, refresh: bool) -> str:
    if refresh:
        return _now_iso()
    return data.updated_at(partner) if as_of is None else updated_at_as_of(partner, as_of)


def _check_account(state: SandboxState, partner: int) -> None:
    account = data.account_by_partner(partner)
    kind = account.kind if account else "normal"
    hit = state.count_hit(partner)
    if kind in ("private", "untradeable"):
        raise ApiError("USER_NOT_TRADEABLE")
    if kind in ("fetch_failed", "ghost"):
        raise ApiError("INVENTORY_FETCH_FAILED")
    if kind == "steam_down":
        raise ApiError("STEAM_UNAVAILABLE")
    if kind == "flaky" and hit <= 2:
        raise ApiError("FLEET_DEGRADED")
    if kind == "throttled" and hit <= 1:
        raise ApiError("RATE_LIMITED", retry_after=1)


def _listed(state: SandboxState, query: Query) -> dict[str, Any]:
    faults, partner, as_of = state.faults, query.partner, state.current_as_of()
    if query.page >= 2:
        state.shift(partner, query.game)
    matching = select(state.items_as_of(partner, query.game, as_of), query)
    page = query.page
    if faults is not None and partner in faults.duplicate_pages and page >= 2:
        page -= 1
    count = faults.wrong_count.get(partner, len(matching)) if faults else len(matching)
    return {
        "inventory": page_of(matching, page, page_size(query, state.page_cap, len(matching))),
        "count": count,
        "updatedAt": _updated_at(partner, as_of, query.refresh),
        "collateral": 0,
    }


def _endless(state: SandboxState, query: Query) -> dict[str, Any]:
    size = endless_page_size(query.limit, state.page_cap)
    return {
        "inventory": endless_page(query.partner, query.game, query.page, size),
        "count": ENDLESS_COUNT,
        "updatedAt": _updated_at(query.partner, state.current_as_of(), query.refresh),
        "collateral": 0,
    }


def answer(state: SandboxState, query: Query) -> Any:
    """The ``data`` of a successful inventory answer (or the account's documented error)."""
    _check_account(state, query.partner)
    faults = state.faults
    if faults is not None and query.partner in faults.endless:
        answer = _endless(state, query)
    else:
        answer = _listed(state, query)
    kind = faults.malformed.get(query.partner) if faults is not None else None
    return answer if kind is None else malform(kind, answer)
