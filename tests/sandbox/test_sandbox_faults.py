"""The sandbox's faults over real HTTP: each one served, its expectation computed apart.

Expectations come from the raw JSON (``box.items``) or the generator (``data.inventory``),
never from the code path under test. No fixed ports; no timing assertion beyond a
generous upper bound.
"""

from __future__ import annotations

import contextlib
import random
import socket
import time
import uuid

import orjson
import pytest
import requests

from assetpay_analytics.constants import ERRORS_BY_DIALECT
from assetpay_analytics.sandbox import (
    DIALECTS,
    LOG_LIMIT,
    MALFORMED_KINDS,
    SANDBOX_API_KEY,
    Faults,
    data,
    serve,
    start,
)
from tests.sandbox_http import ENDPOINT, get, ok


def ids(items):
    return [item["id"] for item in items]


def partner(box, name):
    return box.accounts[name].partner


def full_body_length(items, count, updated_at):
    """The byte length of a success answer, built apart from the server."""
    body = {"requestId": str(uuid.UUID(int=0)), "success": True,
            "data": {"inventory": items, "count": count, "updatedAt": updated_at,
                     "collateral": 0}}  # fmt: skip
    return len(orjson.dumps(body))


# --- integrity faults ------------------------------------------------------------------


def test_duplicate_pages_repeat_the_previous_page():
    with serve(faults=Faults(duplicate_pages=frozenset({120458377}))) as box:
        assert partner(box, "bob") == 120458377
        url, raw = box.accounts["bob"].trade_url, box.items("bob")
        pages = [ok(box, tradeUrl=url, page=p, limit=40) for p in (1, 2, 3, 4)]
        assert ids(pages[0]["inventory"]) == ids(raw[:40])
        assert ids(pages[1]["inventory"]) == ids(pages[0]["inventory"])  # page 2 = page 1
        assert ids(pages[2]["inventory"]) == ids(raw[40:80])  # page 3 = true page 2
        assert ids(pages[3]["inventory"]) == ids(raw[80:120])
        assert {page["count"] for page in pages} == {len(raw)}
        alice = box.accounts["alice"].trade_url  # another account pages normally
        assert ids(ok(box, tradeUrl=alice, page=2, limit=10)["inventory"]) == ids(
            box.items("alice")[10:20]
        )


def test_shifting_inventory_gains_one_item_per_later_page_until_spent():
    bob = 120458377
    with serve(faults=Faults(shifting={bob: 3})) as box:
        url, original = box.accounts["bob"].trade_url, box.items("bob")
        first = ok(box, tradeUrl=url, page=1, limit=50)
        assert ids(first["inventory"]) == ids(original[:50]) and first["count"] == len(original)
        assert box.items("bob") == original  # page 1 changes nothing
        seen = set(ids(original))
        for change, page in enumerate([2, 3, 2], start=1):
            served = ok(box, tradeUrl=url, page=page, limit=50)
            now = box.items("bob")
            assert len(now) == len(original) + change == served["count"]
            assert now[change:] == original  # one new item, at the front
            assert now[0]["id"] not in seen
            seen.add(now[0]["id"])
            assert ids(served["inventory"]) == ids(now[(page - 1) * 50 : page * 50])
        spent = box.items("bob")
        assert ok(box, tradeUrl=url, page=2, limit=50)["count"] == len(spent)
        assert box.items("bob") == spent  # the budget is spent: it stays put

        def read_all():
            pages = [ok(box, tradeUrl=url, page=p, limit=50) for p in range(1, 5)]
            assert {p["count"] for p in pages} == {len(spent)}
            return [i for p in pages for i in p["inventory"]]

        assert read_all() == read_all() == spent
        box.reset()
        assert box.items("bob") == original


def test_endless_inventory_never_ends_and_never_repeats():
    endless = 555_000_111
    url = f"https://steamcommunity.com/tradeoffer/new/?partner={endless}&token=EndLess1"
    with serve(faults=Faults(endless=frozenset({endless}))) as box:
        seen: list[str] = []
        for page in range(1, 31):
            answer = ok(box, tradeUrl=url, page=page, limit=10)
            assert answer["count"] == 1_000_000_000
            assert len(answer["inventory"]) == 10
            seen += ids(answer["inventory"])
        assert len(set(seen)) == len(seen) == 300
        assert len(ok(box, tradeUrl=url, page=10**6, limit=3)["inventory"]) == 3
        assert len(ok(box, tradeUrl=url, limit=-1)["inventory"]) == 10
        assert len(ok(box, tradeUrl=url, limit=10**9)["inventory"]) > 0
        with pytest.raises(ValueError, match="endless"):
            box.items(url)
    with serve(faults=Faults(endless=frozenset({endless})), page_cap=7) as box:
        assert len(ok(box, tradeUrl=url, limit=-1)["inventory"]) == 7


def test_wrong_count_reports_the_configured_count():
    alice = 103582791
    with serve(faults=Faults(wrong_count={alice: 100})) as box:
        url, raw = box.accounts["alice"].trade_url, box.items("alice")
        pages = [ok(box, tradeUrl=url, page=p, limit=10) for p in range(1, 6)]
        assert {page["count"] for page in pages} == {100}
        assert [len(p["inventory"]) for p in pages] == [10, 10, 10, 2, 0]
        assert [i["id"] for p in pages for i in p["inventory"]] == ids(raw)


@pytest.mark.parametrize("kind", MALFORMED_KINDS)
def test_malformed_payloads(kind):
    alice = 103582791
    with serve(faults=Faults(malformed={alice: kind})) as box:
        url, raw = box.accounts["alice"].trade_url, box.items("alice")
        body = get(box, tradeUrl=url, limit=5).json()
        assert body["success"] is True
        answer, page = body["data"], raw[:5]
        if kind == "inventory_object":
            assert answer["inventory"] == {str(n): item for n, item in enumerate(page)}
        elif kind == "string_items":
            assert answer["inventory"] == ids(page)
        elif kind == "count_text":
            assert answer["count"] == "lots" and answer["inventory"] == page
        elif kind == "data_list":
            assert answer == page
        elif kind == "no_inventory":
            assert "inventory" not in answer and answer["count"] == len(raw)
        else:
            assert answer["inventory"][0] == [list(pair) for pair in page[0].items()]
            assert answer["inventory"][1:] == page[1:]


def test_out_of_range_values():
    alice = 103582791
    with serve(faults=Faults(out_of_range=frozenset({alice}))) as box:
        raw, base = box.items("alice"), data.inventory(alice, "730")
        assert raw[0]["marketPrice"] == -12.5
        assert raw[1]["offer"]["price"] == -3.0
        assert (raw[2]["wear"], raw[3]["wear"]) == ("1.7", "-0.2")
        assert raw[4]["exterior"] == "Brand New"
        assert raw[5]["id"] is None
        assert raw[0] == {**base[0], "marketPrice": -12.5}
        assert raw[1] == {**base[1], "offer": {**(base[1].get("offer") or {}), "price": -3.0}}
        assert raw[6:] == base[6:]
        url = box.accounts["alice"].trade_url
        assert ok(box, tradeUrl=url, limit=-1)["inventory"] == raw
        assert ok(box, tradeUrl=url, limit=3)["inventory"] == raw[:3]
        assert box.items("alice", game="252490") == []


# --- transient faults --------------------------------------------------------------------


def test_reset_closes_without_an_answer():
    with serve(faults=Faults(reset_rate=1.0)) as box:
        with pytest.raises(requests.ConnectionError):
            get(box, tradeUrl=box.trade_urls[0])
        record = box.requests[-1]
        assert (record.status, record.fault) == (0, "reset")
        # only valid inventory requests are struck
        assert get(box, tradeUrl="https://example.com").status_code == 400


def test_truncated_body():
    with serve(faults=Faults(truncate_rate=1.0)) as box:
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
            get(box, tradeUrl=box.trade_urls[0], limit=5)
        assert (box.requests[-1].status, box.requests[-1].fault) == (200, "truncate")


def test_truncated_body_is_half_sent():
    with serve(faults=Faults(truncate_rate=1.0)) as box:
        url, raw = box.trade_urls[0], box.items(box.trade_urls[0])
        expected = full_body_length(raw[:5], len(raw), data.updated_at(103582791))
        response = requests.get(f"{box.url}{ENDPOINT}", params={"tradeUrl": url, "limit": 5},
                                headers={"api-key": SANDBOX_API_KEY}, timeout=10,
                                stream=True)  # fmt: skip
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == expected
        received = b""
        with pytest.raises(Exception):  # noqa: B017 (urllib3's IncompleteRead family)
            while chunk := response.raw.read(1024, decode_content=False):
                received += chunk
        response.close()
        assert len(received) == expected // 2


def test_html_502():
    with serve(faults=Faults(html_rate=1.0)) as box:
        response = get(box, tradeUrl=box.trade_urls[0], headers={"x-request-id": "rid-502"})
        assert response.status_code == 502
        assert response.headers["Content-Type"].startswith("text/html")
        assert "502 Bad Gateway" in response.text
        assert response.headers["x-request-id"] == "rid-502"
        with pytest.raises(ValueError):
            response.json()
        assert box.requests[-1].fault == "html"


def test_drip_sends_one_byte_at_a_time():
    with serve(faults=Faults(drip_rate=1.0, drip_interval=0.5)) as box:
        url, raw = box.trade_urls[0], box.items(box.trade_urls[0])
        expected = full_body_length(raw[:5], len(raw), data.updated_at(103582791))
        started = time.monotonic()
        response = requests.get(f"{box.url}{ENDPOINT}", params={"tradeUrl": url, "limit": 5},
                                headers={"api-key": SANDBOX_API_KEY}, timeout=(5, 1.0),
                                stream=True)  # fmt: skip
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == expected
        received = b""
        for _ in range(3):  # a short read timeout never fires: the bytes keep coming
            chunk = response.raw.read1(1024)
            assert 1 <= len(chunk) <= 3
            received += chunk
        assert b'{"requestId":"'.startswith(received) and len(received) < expected
        response.close()  # the server stops quietly
        assert box.requests[-1].fault == "drip"
    assert time.monotonic() - started < 30


def test_unavailable_retry_after_on_503():
    with serve(faults=Faults(error_rate=1.0, unavailable_retry_after=29.2)) as box:
        response = get(box, tradeUrl=box.trade_urls[0])
        assert response.status_code == 503
        assert response.json()["error"]["key"] in ("FLEET_DEGRADED", "NO_BOTS_AVAILABLE")
        assert response.headers["Retry-After"] == "30"
    with serve(faults=Faults(error_rate=1.0)) as box:
        response = get(box, tradeUrl=box.trade_urls[0])
        assert response.status_code == 503 and "Retry-After" not in response.headers


def test_same_seed_same_decisions():
    rates = dict(error_rate=0.15, rate_limit_rate=0.1, reset_rate=0.15, truncate_rate=0.15,
                 html_rate=0.15, drip_rate=0.0)  # fmt: skip
    first = Faults(**rates, seed=3).decide_all(300)
    assert first == Faults(**rates, seed=3).decide_all(300)
    assert first != Faults(**rates, seed=4).decide_all(300)
    assert set(first) == {"FLEET_DEGRADED", "NO_BOTS_AVAILABLE", "RATE_LIMITED", "reset",
                          "truncate", "html", None}  # fmt: skip

    def served(seed):
        with serve(faults=Faults(**rates, seed=seed)) as box:
            for _ in range(30):
                with contextlib.suppress(requests.RequestException):
                    get(box, tradeUrl=box.trade_urls[0], limit=2).content  # noqa: B018
            return [(r.status, r.key, r.fault) for r in box.requests]

    assert served(5) == served(5)


def test_one_roll_per_request_keeps_the_old_sequence():
    faults = Faults(error_rate=0.3, rate_limit_rate=0.2, reset_rate=0.1, seed=1)
    rng = random.Random(1)
    expected = []
    for _ in range(200):
        roll, pick = rng.random(), rng.random()
        expected.append(
            ("FLEET_DEGRADED" if pick < 0.5 else "NO_BOTS_AVAILABLE") if roll < 0.3
            else "RATE_LIMITED" if roll < 0.5 else "reset" if roll < 0.6 else None
        )  # fmt: skip
    assert faults.decide_all(200) == expected
    both = Faults(reset_rate=0.5, html_rate=0.5, seed=2).decide_all(100)
    assert set(both) == {"reset", "html"}  # exclusive, and adding up to 1


@pytest.mark.parametrize(
    "options",
    [
        {"reset_rate": 1.5},
        {"drip_rate": -0.1},
        {"error_rate": 0.6, "truncate_rate": 0.6},
        {"drip_interval": -1},
        {"unavailable_retry_after": -1},
        {"malformed": {1: "sideways"}},
        {"shifting": {1: -2}},
    ],
)
def test_faults_reject_bad_options(options):
    with pytest.raises(ValueError):
        Faults(**options)


def test_faults_stay_hashable_and_comparable():
    one = Faults(shifting={1: 2}, malformed={3: "count_text"}, endless=frozenset({4}))
    assert one == Faults(shifting={1: 2}, malformed={3: "count_text"}, endless=frozenset({4}))
    assert hash(one) == hash(Faults(shifting={1: 2}, malformed={3: "count_text"},
                                    endless=frozenset({4})))  # fmt: skip
    with pytest.raises(TypeError):
        one.shifting[1] = 5  # type: ignore[index]


# --- request ids, dialects, connections, the log ------------------------------------------


def test_request_id_recorded_and_echoed(sandbox):
    url = sandbox.trade_urls[0]
    response = get(sandbox, tradeUrl=url, headers={"x-request-id": "call-42"})
    assert response.headers["x-request-id"] == "call-42"
    assert response.json()["requestId"] != "call-42"  # the envelope keeps the server's own
    wrong = requests.get(f"{sandbox.url}{ENDPOINT}", params={"tradeUrl": url}, timeout=10,
                         headers={"api-key": "ap_wrong", "x-request-id": "call-43"})  # fmt: skip
    assert wrong.status_code == 401 and wrong.headers["x-request-id"] == "call-43"
    assert [r.client_request_id for r in sandbox.requests] == ["call-42", "call-43"]
    anonymous = get(sandbox, tradeUrl=url)
    assert anonymous.headers["x-request-id"] == anonymous.json()["requestId"]
    assert sandbox.requests[-1].client_request_id is None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dialect_statuses(dialect):
    table = ERRORS_BY_DIALECT[dialect]
    expected = {"gg": (422, 424, 13, 1005), "co": (400, 500, 14, 1007),
                "openapi": (400, 424, 13, 1005)}[dialect]  # fmt: skip
    with serve(dialect=dialect) as box:
        assert box.dialect == dialect
        bad = get(box, tradeUrl=box.trade_urls[0], page=0)
        failed = get(box, tradeUrl=box.accounts["fetch_failed"].trade_url)
        invalid = get(box, tradeUrl="https://steamcommunity.com/nope")
        throttled = get(box, tradeUrl=box.accounts["throttled"].trade_url)
        assert (bad.status_code, failed.status_code) == expected[:2]
        assert bad.json()["error"]["code"] == table["VALIDATION_FAILED"][0]
        assert failed.json()["error"]["key"] == "INVENTORY_FETCH_FAILED"
        assert (invalid.status_code, invalid.json()["error"]["code"]) == (400, expected[2])
        assert (throttled.status_code, throttled.json()["error"]["code"]) == (429, expected[3])


def test_unknown_dialect_names_the_allowed_ones():
    with pytest.raises(ValueError, match="'gg' or 'co' or 'openapi'"):
        start(dialect="net")


def test_stop_closes_keep_alive_connections():
    box = start()
    with requests.Session() as session:
        assert get(box, session=session, tradeUrl=box.trade_urls[0]).status_code == 200
        box.stop()
        with pytest.raises(requests.ConnectionError):
            get(box, session=session, tradeUrl=box.trade_urls[0])


def test_stop_ends_a_drip_in_progress():
    box = start(faults=Faults(drip_rate=1.0, drip_interval=5.0))
    response = requests.get(f"{box.url}{ENDPOINT}", params={"tradeUrl": box.trade_urls[0]},
                            headers={"api-key": SANDBOX_API_KEY}, timeout=(5, 20),
                            stream=True)  # fmt: skip
    assert len(response.raw.read1(1024)) >= 1
    started = time.monotonic()
    box.stop()
    with pytest.raises(requests.RequestException):
        response.content  # noqa: B018
    assert time.monotonic() - started < 15


def test_request_log_is_bounded():
    assert LOG_LIMIT == 10_000
    with serve(log_limit=5) as box:
        assert box.log_limit == 5
        for page in range(1, 9):
            get(box, tradeUrl=box.trade_urls[0], page=page, limit=1)
        assert [r.params["page"] for r in box.requests] == ["4", "5", "6", "7", "8"]


@pytest.mark.parametrize("sent", [b"", b"GET /secure/inventory HTTP/1.1\r\nHost: x\r\n"])
def test_idle_and_half_sent_connections_time_out(sent):
    with serve(idle_timeout=0.3) as box:
        assert box.idle_timeout == 0.3
        host, port = box.url.removeprefix("http://").split(":")
        started = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(sent)
            assert conn.recv(1024) == b""  # closed by the server, no answer
        assert time.monotonic() - started < 10
