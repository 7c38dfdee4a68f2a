"""Retries: ``RetryPolicy``, ``Retry-After``, and the loop that retries one call.

Retries live above the cache and the session, in the client's call path, because
the retryable failures (``RateLimited``, ``ServiceUnavailable``) arrive inside JSON
envelopes, sometimes on HTTP 200, where urllib3's ``Retry`` cannot see them. The loop
is tenacity's; this module only decides what is retried and how long to wait. It is
handed a function that makes one attempt and knows nothing of HTTP or the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from .errors import AssetPayError, InvalidRequest

__all__ = ["RetryPolicy", "call_with_retries", "retry_after"]

logger = logging.getLogger("assetpay_analytics")
_T = TypeVar("_T")


@dataclass(frozen=True)
class RetryPolicy:
    """How retryable failures (``RateLimited``, ``ServiceUnavailable``) are retried.

    Parameters
    ----------
    attempts : int
        Tries in all, the first included (default 5).
    backoff : float
        First backoff in seconds; doubles each try, plus up to ``backoff`` of jitter.
    backoff_max : float
        Longest backoff in seconds.
    retry_after_max : float
        Longest ``Retry-After`` the client waits for; a longer one is raised at once.

    Examples
    --------
    >>> RetryPolicy(attempts=3, backoff=0.1).attempts
    3
    """

    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidRequest("RetryPolicy.attempts must be at least 1")
        if min(self.backoff, self.backoff_max, self.retry_after_max) < 0:
            raise InvalidRequest("RetryPolicy waits must not be negative")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), else None.

    Examples
    --------
    >>> retry_after({"Retry-After": "3"}), retry_after({})
    (3.0, None)
    """
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def call_with_retries(attempt: Callable[[], _T], policy: RetryPolicy) -> _T:
    """Call ``attempt()`` until it succeeds, fails for good, or ``policy`` is spent.

    Parameters
    ----------
    attempt : callable
        Makes one try; raises an ``AssetPayError`` whose ``retryable`` says whether
        another try may help (and ``retry_after`` how long to wait first).
    policy : RetryPolicy
        How many tries, and how long between them.

    Returns
    -------
    The first successful result. The last error is raised, its message saying how
    many attempts were made.
    """
    attempts = 0
    try:
        for try_ in tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.attempts),
            wait=_waiter(policy),
            retry=tenacity.retry_if_exception(_retry_predicate(policy)),
            before_sleep=_log_retry,
            reraise=True,
        ):
            with try_:
                attempts += 1
                return attempt()
    except AssetPayError as err:
        if err.retryable and attempts > 1:
            err.message = f"{err.message} Gave up after {attempts} attempts."
            err.args = (err.message,)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_predicate(policy: RetryPolicy) -> Callable[[BaseException], bool]:
    def should_retry(exc: BaseException) -> bool:
        if not isinstance(exc, AssetPayError) or not exc.retryable:
            return False
        wait_for = getattr(exc, "retry_after", None)
        return wait_for is None or wait_for <= policy.retry_after_max

    return should_retry


def _waiter(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    backoff = tenacity.wait_exponential_jitter(
        multiplier=policy.backoff, max=policy.backoff_max, jitter=policy.backoff
    )

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        wait_for = getattr(exc, "retry_after", None)
        return float(wait_for) if wait_for is not None else float(backoff(state))

    return wait


def _log_retry(state: tenacity.RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.info(
        "retrying after %s (attempt %d, waiting %.2fs)",
        getattr(exc, "key", None) or type(exc).__name__,
        state.attempt_number,
        state.upcoming_sleep,
    )
