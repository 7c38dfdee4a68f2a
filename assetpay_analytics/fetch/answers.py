"""A response's body, read once: its envelope, the endpoint's reading, whether it may be stored.

The cache's filter, the cache's reader and the request all ask the same questions of one
response, and a large inventory page costs real time to parse, so each answer is memoised
on the response object. What an answer must be is the endpoint's to say
(``Endpoint.read_body``, ``Endpoint.data_problem``); this module only asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import requests

from ..frame.bodies import read_envelope
from .endpoint import Endpoint

__all__ = ["data_problem", "envelope", "reading", "stored_success"]

_ENVELOPE = "_assetpay_envelope"
_PROBLEM = "_assetpay_data_problem"
_READING = "_assetpay_reading"


def envelope(response: requests.Response) -> Any:
    """The response's decoded JSON body, or None when it is not JSON (decoded once)."""
    memo = response.__dict__
    if _ENVELOPE not in memo:
        try:
            memo[_ENVELOPE] = read_envelope(response.content)
        except (orjson.JSONDecodeError, requests.exceptions.RequestException):
            memo[_ENVELOPE] = None
    return memo[_ENVELOPE]


def data_problem(response: requests.Response, endpoint: Endpoint) -> str | None:
    """``endpoint.data_problem`` of a success envelope's ``data``, checked once per response."""
    memo = response.__dict__
    if _PROBLEM not in memo:
        body = envelope(response)
        data = body.get("data") if isinstance(body, Mapping) else None
        memo[_PROBLEM] = endpoint.data_problem(data)
    problem: str | None = memo[_PROBLEM]
    return problem


def reading(response: requests.Response, endpoint: Endpoint) -> Any:
    """``endpoint.read_body`` of the body (a documented success read fast), once per response.

    None when the endpoint has no fast reading or the body is not a documented success.
    """
    memo = response.__dict__
    if _READING not in memo:
        try:
            memo[_READING] = endpoint.read_body(response.content)
        except requests.exceptions.RequestException:  # the body could not be read
            memo[_READING] = None
    return memo[_READING]


def stored_success(response: requests.Response, endpoint: Endpoint) -> bool:
    """Only a 200 whose envelope says ``success: true`` with well-shaped ``data`` is stored."""
    if response.status_code != 200:
        return False
    if reading(response, endpoint) is not None:
        return True  # read fast as documented: no need to decode it in Python
    body = envelope(response)
    return (
        isinstance(body, Mapping)
        and body.get("success") is True
        and not data_problem(response, endpoint)
    )
