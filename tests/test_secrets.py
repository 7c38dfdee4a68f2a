"""No secret in any output: the api key and every trade token, in every spelling.

One batch against a sandbox that echoes the trade URL in its error answers exercises
every error path (wrong key, private, fetch failed, Steam down, Steam-throttled,
flaky, malformed, inconsistent pages, network failure, offline miss, an unusable
cache, a key that is not a header value). Everything a user or a tool could see is
collected: log records of every logger at DEBUG (ours, urllib3's, requests-cache's),
warnings, each error's text, ``args``, ``details``, ``repr``, its whole
``__cause__``/``__context__`` chain, its traceback rendered with locals, the frames'
attrs, the cache file with its ``-wal``/``-shm``, and the stored notebook outputs.
Each is grepped for the key and the tokens raw, URL-encoded and ``+``-encoded.

A second batch goes through ``BareTokenApi``: the sandbox behind a proxy that refuses
some accounts naming their tokens bare, without ``token=`` (in the message, the fields
and the request id). Its errors, frames' attrs, the report written from the frame
(``report.html``, ``tables/failures.csv``, every file), the history snapshot (footer,
file, reloaded attrs), cache and logs are grepped the same way.
"""

from __future__ import annotations

import http.client
import http.server
import json
import logging
import socket
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pyarrow.parquet as pq
import pytest

import assetpay_analytics as apa
from assetpay_analytics import sandbox
from assetpay_analytics.history import SnapshotStore
from assetpay_analytics.redact import MASK, RedactingFilter, mask
from assetpay_analytics.report import write_report
from assetpay_analytics.sandbox import SANDBOX_API_KEY, Faults
from assetpay_analytics.sandbox.data import ACCOUNTS

#: One attempt: flaky and throttled accounts fail on their first request.
FAST = apa.RetryPolicy(attempts=1, deadline=20)
WRONG_KEY = "ap_live_Wr0ngKey_9f8e7d"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ERROR_ACCOUNTS = ("private", "fetch_failed", "steam_down", "throttled", "flaky", "bob", "carol")


def spellings(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret, safe="")}


SECRETS = {
    "api key": spellings(SANDBOX_API_KEY),
    "wrong key": spellings(WRONG_KEY),
    **{f"token of {a.name}": spellings(a.token) for a in ACCOUNTS},
}


PACKAGE = str(Path(apa.__file__).parent)


def error_outputs(err: BaseException) -> str:
    """Everything an error shows: text, args, details, repr, chain, traceback with locals.

    The locals are those of the toolkit's frames: the caller's own frames (here the
    test's, which hold the URLs it passes) are the caller's business.
    """
    parts = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        parts.append(json.dumps(getattr(current, "details", {}), default=repr))
        shown = traceback.TracebackException.from_exception(current, capture_locals=True)
        ours = [frame for frame in shown.stack if frame.filename.startswith(PACKAGE)]
        parts += [f"{frame.filename}:{frame.lineno} {frame.locals}" for frame in ours]
        parts += [by_value(frame.f_locals) for frame, _ in traceback.walk_tb(current.__traceback__)
                  if frame.f_code.co_filename.startswith(PACKAGE)]  # fmt: skip
        parts += traceback.format_exception(current, chain=False)
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def by_value(value: object, depth: int = 0) -> str:
    """A local as an error reporter that reads strings by value (Sentry) would show it:
    strings as they are, containers walked, any other object by its repr."""
    if isinstance(value, str):
        return value
    if depth < 4 and isinstance(value, dict):
        return " ".join(f"{k}={by_value(v, depth + 1)}" for k, v in value.items())
    if depth < 4 and isinstance(value, (list, tuple, set)):
        return " ".join(by_value(v, depth + 1) for v in value)
    return repr(value)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def debug_logs() -> Iterator[Collect]:
    """Every logger at DEBUG, records formatted (exception text included)."""
    handler, root = Collect(), logging.getLogger()
    names = ["urllib3", "requests_cache", "assetpay_analytics"]
    levels = {name: logging.getLogger(name).level for name in names}
    old_root = root.level
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_root)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def partner(box: sandbox.Sandbox, name: str) -> int:
    return apa.TradeUrl.parse(box.accounts[name].trade_url).partner


@pytest.fixture(scope="module")
def outputs(debug_logs: Collect, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What every error path shows, by where it shows it."""
    tmp = tmp_path_factory.mktemp("secrets")
    found: dict[str, list[str]] = {"errors": [], "attrs": [], "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with sandbox.serve(page_cap=10) as plain:
            bob, carol = partner(plain, "bob"), partner(plain, "carol")
        faults = Faults(echo_trade_url=True, duplicate_pages=frozenset({bob}),
                        malformed={carol: "string_items"})  # fmt: skip
        with sandbox.serve(faults=faults, page_cap=10) as box:
            urls = [box.accounts[name].trade_url for name in ("alice", *ERROR_ACCOUNTS)]
            client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url,
                                        cache=tmp / "cache", retry=FAST)  # fmt: skip
            df = client.inventories(urls, progress=False)
            found["attrs"].append(json.dumps(df.attrs, default=str))
            for url in urls[1:]:
                box.reset()  # flaky and throttled fail again
                found["errors"].append(_raised(lambda u=url: client.inventory(u)))
            found["errors"].append(_offline_miss(client, box))
            wrong = apa.AssetPayClient(api_key=WRONG_KEY, base_url=box.url, cache=None)
            found["errors"].append(_raised(lambda: wrong.inventory(urls[0])))
            found["errors"].append(_raised(lambda: wrong.inventories(urls, progress=False)))
            client.close()
        found["errors"] += _local_failures(urls[0], tmp)
        found["warnings"] = [str(w.message) for w in caught]
    files = [p for p in (tmp / "cache").iterdir() if p.is_file()]
    assert any(p.name.endswith(".sqlite") for p in files)
    texts = {name: "\n".join(parts) for name, parts in found.items()}
    texts["cache files"] = "\n".join(p.read_bytes().decode("latin-1") for p in files)
    texts["log records"] = "\n".join(debug_logs.lines)
    return texts


def _raised(call) -> str:
    with pytest.raises(apa.AssetPayError) as info:
        call()
    return error_outputs(info.value)


def _offline_miss(client: apa.AssetPayClient, box: sandbox.Sandbox) -> str:
    with pytest.raises(apa.CacheMiss) as info:
        client.inventory(box.accounts["dave"].trade_url, offline=True)
    return error_outputs(info.value)


def _local_failures(url: str, tmp: Path) -> list[str]:
    """A network failure, an unusable cache, a key that no header can carry."""
    down = apa.AssetPayClient(api_key=SANDBOX_API_KEY, cache=None, retry=FAST,
                              base_url=f"http://127.0.0.1:{closed_port()}")  # fmt: skip
    blocker = tmp / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    return [
        _raised(lambda: down.inventory(url)),
        _raised(lambda: apa.AssetPayClient(api_key=SANDBOX_API_KEY, cache=blocker / "c.sqlite")),
        _raised(lambda: apa.AssetPayClient(api_key=SANDBOX_API_KEY + "\r\nX: 1", cache=None)),
        _raised(lambda: apa.AssetPayClient(api_key=SANDBOX_API_KEY + "é", cache=None)),
    ]


def test_every_error_path_was_exercised(outputs):
    errors = outputs["errors"]
    for name in ("AuthenticationError", "InventoryUnavailable", "ServiceUnavailable",
                 "RateLimited", "MalformedResponse", "InconsistentInventory", "CacheMiss",
                 "CacheError"):  # fmt: skip
        assert name in errors, name
    assert "token=********" in errors  # the echoed trade URL is there, masked
    assert "urllib3.connectionpool" in outputs["log records"]
    assert "requests_cache" in outputs["log records"]


@pytest.mark.parametrize("where", ["errors", "attrs", "warnings", "cache files", "log records"])
def test_no_secret_in(outputs, where):
    text = outputs[where]
    for what, forms in SECRETS.items():
        for form in forms:
            assert form not in text, f"{what} ({form!r}) appears in {where}"


def test_no_secret_in_notebook_outputs():
    shown = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        shown += [json.dumps(cell.get("outputs", [])) for cell in cells]
    assert len(shown) > 10
    text = "\n".join(shown)
    for what, forms in SECRETS.items():
        for form in forms:
            assert form not in text, f"{what} appears in a notebook output"


def test_filter_masks_a_stale_if_error_warning_with_its_exception():
    # requests-cache's own stale-if-error warning logs the request URL with exc_info
    url = ACCOUNTS[0].trade_url
    try:
        raise ConnectionError(f"failed: {quote(url, safe='')}")
    except ConnectionError:
        record = logging.LogRecord("requests_cache.session", logging.WARNING, __file__, 1,
                                   "Request for URL %s failed; using cached response", (url,),
                                   exc_info=__import__("sys").exc_info())  # fmt: skip
    assert RedactingFilter().filter(record)
    shown = logging.Formatter().format(record)
    assert ACCOUNTS[0].token not in shown and "token=********" in shown


def test_mask_covers_every_url_spelling():
    token = ACCOUNTS[0].token
    url = ACCOUNTS[0].trade_url
    for text in (url, quote(url, safe=""), quote(quote(url, safe=""), safe=""), quote_plus(url)):
        assert token not in mask(text)


def test_filter_survives_a_record_whose_arguments_do_not_fit_its_format():
    url = ACCOUNTS[0].trade_url
    record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1, "%d items", (url,), None)
    assert RedactingFilter().filter(record)
    assert ACCOUNTS[0].token not in record.getMessage()


# --- an API that names the trade token bare ----------------------------------------

#: Accounts the sandbox never heard of, so their tokens are seen by the client only (no
#: ``token=`` before them in any answer): one with each separator character.
BARE = {250009001: "B4reT0kn", 250009002: "x9-Echo7", 250009003: "Nm_Sa1d8"}
BARE_URLS = [f"https://steamcommunity.com/tradeoffer/new/?partner={p}&token={t}"
             for p, t in BARE.items()]  # fmt: skip
BARE_SECRETS = {f"bare token {t}": spellings(t) for t in BARE.values()}


class BareTokenApi:
    """The sandbox behind a proxy that refuses the ``BARE`` accounts, naming each token
    bare (no ``token=``) in the message and the fields, in several spellings; every
    other request goes on to the sandbox as it came."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.echoed: list[str] = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                api.answer(self)

            def do_POST(self) -> None:
                api.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        sent = parse_qs(urlsplit(handler.path).query).get("tradeUrl", [""])[0]
        if not sent and body:
            sent = json.loads(body).get("tradeurl", "")
        account = parse_qs(urlsplit(sent).query)
        partner, token = (int(account["partner"][0]), account["token"][0]) if sent else (0, "")
        if partner in BARE:
            self.refuse(handler, token)
        else:
            self.forward(handler, body)

    def refuse(self, handler: http.server.BaseHTTPRequestHandler, token: str) -> None:
        message = (f"The trade token {token} cannot trade ('{token}'; "
                   f"{quote(chr(34) + token + chr(34), safe='')})")  # fmt: skip
        self.echoed.append(message)
        error = {"code": 7, "key": "USER_NOT_TRADEABLE", "message": message,
                 "fields": {"token": token, token: f"[{token}]"}}  # fmt: skip
        envelope = {"requestId": f"req-{token}", "success": False, "error": error}
        self.send(handler, 400, json.dumps(envelope).encode(), {"Content-Type": "application/json"})

    def forward(self, handler: http.server.BaseHTTPRequestHandler, body: bytes) -> None:
        skip = {"host", "content-length", "connection"}
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in skip}
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port)
        try:
            upstream.request(handler.command, handler.path, body or None, headers)
            answer = upstream.getresponse()
            framing = {"content-length", "connection", "transfer-encoding"}
            relayed = {k: v for k, v in answer.getheaders() if k.lower() not in framing}
            self.send(handler, answer.status, answer.read(), relayed)
        finally:
            upstream.close()

    @staticmethod
    def send(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes,
             headers: dict[str, str]) -> None:  # fmt: skip
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def shown_without_locals(err: BaseException) -> str:
    """``error_outputs`` but for the locals of the traceback's frames."""
    shown = [str(err), repr(err), repr(err.args), json.dumps(getattr(err, "details", {}))]
    return "\n".join(shown + traceback.format_exception(err))


def files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def bare_outputs(debug_logs: Collect, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Everything shown when an API names the tokens bare, by where it shows it."""
    tmp = tmp_path_factory.mktemp("bare")
    found: dict[str, list[str]] = {"errors": [], "attrs": [], "warnings": [],
                                   "screening locals": []}  # fmt: skip
    start = len(debug_logs.lines)
    with warnings.catch_warnings(record=True) as caught, sandbox.serve(page_cap=10) as box:
        warnings.simplefilter("always")
        api = BareTokenApi(box.url)
        try:
            urls = [box.accounts["alice"].trade_url, *BARE_URLS, box.accounts["bob"].trade_url]
            client = apa.AssetPayClient(api_key=box.api_key, base_url=api.url,
                                        cache=tmp / "cache", retry=FAST)  # fmt: skip
            df = client.inventories(urls, progress=False)
            screened = client.check_trade_urls(urls, progress=False)
            for url in BARE_URLS:
                found["errors"].append(_raised(lambda u=url: client.inventory(u)))
                with pytest.raises(apa.InventoryUnavailable) as info:
                    client.check_trade_urls([url], errors="raise", progress=False)
                found["errors"].append(shown_without_locals(info.value))
                found["screening locals"].append(error_outputs(info.value))
            client.close()
        finally:
            api.close()
        found["warnings"] = [str(w.message) for w in caught]
    for frame in (df, screened):
        found["attrs"].append(json.dumps(frame.attrs, default=str))
        found["attrs"].append(frame.assetpay.errors.to_csv())
    report = write_report(df, tmp / "report", labels=box.labels)
    store = SnapshotStore(tmp / "history")
    snapshot = store.save(df)
    [snapshot_file] = (tmp / "history").rglob(f"{snapshot}.parquet")
    footer = pq.read_schema(snapshot_file).metadata or {}
    texts = {name: "\n".join(parts) for name, parts in found.items()}
    texts |= {
        "report.html": report.html.read_text(encoding="utf-8"),
        "tables/failures.csv": (tmp / "report" / "tables" / "failures.csv").read_text("utf-8"),
        "report files": files_text(tmp / "report"),
        "snapshot footer": "\n".join(f"{k!r} {v!r}" for k, v in footer.items()),
        "snapshot file": snapshot_file.read_bytes().decode("latin-1"),
        "snapshot loaded": json.dumps(store.load(snapshot).attrs, default=str),
        "cache files": files_text(tmp / "cache"),
        "log records": "\n".join(debug_logs.lines[start:]),
        "echoed": "\n".join(api.echoed),
        "frames": f"{len(df)} items {len(df.attrs['errors'])} errors",
    }
    return texts


def test_the_api_named_every_token_bare_and_each_path_saw_it(bare_outputs):
    echoed = bare_outputs["echoed"]
    for token in BARE.values():
        assert f"token {token} cannot" in echoed  # bare, no token= before it
    errors = bare_outputs["errors"]
    assert "InventoryUnavailable" in errors
    assert f"The trade token {MASK} cannot trade ('{MASK}'; %22{MASK}%22)" in errors
    assert errors.count(f"req-{MASK}") > 0  # the request id named the token too
    failures = bare_outputs["tables/failures.csv"]
    assert failures.count("USER_NOT_TRADEABLE") == len(BARE)
    assert bare_outputs["frames"].endswith(f"{len(BARE)} errors")
    assert not bare_outputs["frames"].startswith("0 items")  # alice and bob were read
    assert "USER_NOT_TRADEABLE" in bare_outputs["snapshot footer"]


@pytest.mark.parametrize(
    "where",
    ["errors", "attrs", "warnings", "report.html", "tables/failures.csv", "report files",
     "snapshot footer", "snapshot file", "snapshot loaded", "cache files", "log records"],
)  # fmt: skip
def test_no_bare_token_in(bare_outputs, where):
    text = bare_outputs[where]
    for what, forms in {**BARE_SECRETS, **SECRETS}.items():
        for form in forms:
            assert form not in text, f"{what} ({form!r}) appears in {where}"


def test_no_token_in_the_locals_of_a_screening_error(bare_outputs):
    text = bare_outputs["screening locals"]
    assert "InventoryUnavailable" in text
    for what, forms in BARE_SECRETS.items():
        for form in forms:
            assert form not in text, f"{what} ({form!r}) appears in a screening error's locals"
