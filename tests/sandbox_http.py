"""Plain HTTP against a sandbox with ``requests``: what the sandbox tests share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from assetpay_analytics.sandbox import SANDBOX_API_KEY

ENDPOINT = "/secure/inventory"
ROOT = Path(__file__).resolve().parents[1]


def get(box, key=SANDBOX_API_KEY, *, session=None, headers=None, **params):
    """GET the inventory endpoint (``key=None`` sends no api key)."""
    sender = session or requests
    sent = {} if key is None else {"api-key": key}
    return sender.get(f"{box.url}{ENDPOINT}", params=params,
                      headers={**sent, **(headers or {})}, timeout=10)  # fmt: skip


def ok(box, **params):
    """The ``data`` of a successful answer (asserting it is one)."""
    response = get(box, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def in_another_process(module: str, function: str, *args: Any) -> Any:
    """``tests.<module>.<function>(*args)`` run in a fresh interpreter, its JSON result
    decoded: what another process would be served."""
    code = (
        f"import json; from tests.{module} import {function}; "
        f"print(json.dumps({function}(*{args!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout)
