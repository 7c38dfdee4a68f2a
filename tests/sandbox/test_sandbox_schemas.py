"""The sandbox's real answers against JSON Schemas of the OpenAPI 0.8.3 shapes.

The schemas (``tests/data/*.schema.json``, draft 2020-12) are transcribed from the
OpenAPI document (``shared/assetpay-api.md`` §4, §4b), not from the sandbox: every
account, both games and a few ``as_of`` days must validate.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import requests

from assetpay_analytics.sandbox import serve
from tests.sandbox.calls import check, prices

DATA = Path(__file__).resolve().parents[1] / "data"
DAYS = [None, "2026-06-11", "2026-07-01"]


def schema(name):
    document = json.loads((DATA / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


@pytest.fixture(scope="module", params=DAYS, ids=lambda day: day or "as-generated")
def aged(request):
    with serve(as_of=request.param) as box:
        yield box


@pytest.mark.parametrize(("game", "name"), [("730", "prices_cs2"), ("252490", "prices_rust")])
def test_price_books_validate(aged, game, name):
    response = prices(aged, game=game)
    assert response.status_code == 200
    schema(name).validate(response.json())
    assert len(response.json()["data"]) > 10


def test_the_schemas_tell_the_two_books_apart(sandbox):
    cs2, rust = prices(sandbox).json(), prices(sandbox, game="252490").json()
    assert not schema("prices_rust").is_valid(cs2)
    assert not schema("prices_cs2").is_valid(rust)


def screening_urls(box):
    urls = [account.trade_url for account in box.accounts.values()]
    alice = box.accounts["alice"]
    return [*urls, "https://steamcommunity.com/tradeoffer/new/?partner=12345&token=ABCDEFGH",
            alice.trade_url.replace(alice.token, "Wr0ngTok"),
            "https://steamcommunity.com/tradeoffer/new/?partner=0&token=ABCDEFGH"]  # fmt: skip


def test_screening_answers_validate(aged):
    answer = schema("check_tradeurl")
    body_schema = jsonschema.Draft202012Validator(answer.schema["$defs"]["request"])
    states = set()
    for url in screening_urls(aged):
        for force in (False, True):
            body = {"tradeurl": url, "forceRefresh": force}
            body_schema.validate(body)
            response = check(aged, body)
            assert response.status_code == 200, response.text
            answer.validate(response.json())
            states.add(response.json()["data"]["state"])
    assert states >= {1, 2, 4, 5, 6, 7, 9, 10}


def test_the_schemas_refuse_what_the_openapi_refuses(sandbox):
    book = prices(sandbox).json()
    doppler = next(entry for entry in book["data"] if "phases" in entry)
    broken = [
        {**book, "data": [{k: v for k, v in doppler.items() if k != "withdraw"}]},
        {**book, "data": [{**doppler, "phases": [{**doppler["phases"][0], "phase": "Phase 5"}]}]},
        {**book, "data": [{**doppler, "withdraw": {"standard": 1.0}}]},
        {**book, "data": [{**doppler, "itemId": 7}]},
    ]
    assert not any(schema("prices_cs2").is_valid(body) for body in broken)
    screening = check(sandbox, {"tradeurl": sandbox.accounts["fetch_failed"].trade_url}).json()
    data = screening["data"]
    wrong = [{**data, "state": 11}, {**data, "bans": {**data["bans"], "economyBan": "maybe"}},
             {k: v for k, v in data.items() if k != "message"}, {**data, "reason": {}}]  # fmt: skip
    assert not any(schema("check_tradeurl").is_valid({**screening, "data": w}) for w in wrong)
    request = jsonschema.Draft202012Validator(schema("check_tradeurl").schema["$defs"]["request"])
    url = sandbox.accounts["alice"].trade_url
    bodies = ({"tradeUrl": url}, {"tradeurl": url, "extra": 1}, {}, {"tradeurl": url + "&x=1"})
    assert not any(request.is_valid(body) for body in bodies)


def test_answers_to_the_requests_the_official_sdk_sends(sandbox):
    """As ``market.prices()`` and ``clients.checkTradeUrl(url)`` ask (SDK 0.1.0 source).

    The SDK cannot run here: it is not on the npm registry and needs Node >= 22.19. It
    does no runtime validation either: its ``http.send`` unwraps a ``success: true``
    envelope and returns ``data`` typed by ``src/types/api.ts`` (the OpenAPI shapes), so
    these requests, answered in those shapes, are what it would parse. ``prices()``
    sends no ``game``; ``checkTradeUrl(url)`` sends ``{tradeurl}`` alone (its
    ``forceRefresh: undefined`` is dropped by ``JSON.stringify``).
    """
    import uuid

    request_id = str(uuid.uuid4())
    book = prices(sandbox)  # no query: the CS2 book
    schema("prices_cs2").validate(book.json())
    url = sandbox.accounts["escrow"].trade_url
    headers = {"api-key": sandbox.api_key, "x-request-id": request_id}
    checked = requests.post(f"{sandbox.url}/secure/check-tradeurl", json={"tradeurl": url},
                            headers=headers, timeout=10)  # fmt: skip
    assert checked.status_code == 200 and checked.headers["x-request-id"] == request_id
    body = checked.json()
    schema("check_tradeurl").validate(body)
    assert body["success"] is True and body["data"]["reason"] == {"escrowDays": 7,
                                                                   "probation": False}  # fmt: skip
