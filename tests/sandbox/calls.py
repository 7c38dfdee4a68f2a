"""Plain HTTP to a sandbox's price book and screening endpoints (``requests``, no client)."""

from __future__ import annotations

from typing import Any

import requests

from assetpay_analytics.constants import CHECK_TRADEURL_PATH, PRICES_PATH
from assetpay_analytics.sandbox import SANDBOX_API_KEY

_NO_BODY = object()


def prices(box, key=SANDBOX_API_KEY, **params) -> requests.Response:
    """GET /secure/prices (``key=None`` sends no api key)."""
    headers = {} if key is None else {"api-key": key}
    return requests.get(f"{box.url}{PRICES_PATH}", params=params, headers=headers, timeout=30)


def book(box, **params) -> list[dict[str, Any]]:
    """The ``data`` of a successful price-book answer (asserting it is one)."""
    response = prices(box, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def check(box, body: Any = _NO_BODY, *, raw: bytes | None = None,
          key=SANDBOX_API_KEY) -> requests.Response:  # fmt: skip
    """POST /secure/check-tradeurl with a JSON ``body`` (or the ``raw`` bytes as sent)."""
    headers = {} if key is None else {"api-key": key}
    url = f"{box.url}{CHECK_TRADEURL_PATH}"
    if raw is not None or body is _NO_BODY:
        headers["Content-Type"] = "application/json"
        return requests.post(url, data=raw or b"", headers=headers, timeout=10)
    return requests.post(url, json=body, headers=headers, timeout=10)


def screened(box, trade_url: str, **options) -> dict[str, Any]:
    """The ``data`` of a successful check-tradeurl answer for ``trade_url``."""
    response = check(box, {"tradeurl": trade_url, **options})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def inventory(box, trade_url: str, game: str = "730") -> list[dict[str, Any]]:
    """Every item of a successful full-inventory answer (retrying the special accounts'
    transient 429 and 503 a few times)."""
    for _ in range(4):
        response = requests.get(f"{box.url}/secure/inventory", timeout=30,
                                params={"tradeUrl": trade_url, "game": game, "limit": -1},
                                headers={"api-key": SANDBOX_API_KEY})  # fmt: skip
        if response.status_code not in (429, 503):
            break
    assert response.status_code == 200, response.text
    return response.json()["data"]["inventory"]
