"""Retries: ``RetryPolicy``, ``Retry-After``, and the loop that retries one call.

One call is bounded three ways: in attempts, in total time (``deadline``, waits
included) and per attempt in wall-clock time (``attempt_timeout``, handed to the
attempt). A ``Retry-After`` longer than ``retry_after_max`` is not slept: the error
is raised at once with its ``retry_after``. Every error leaving the loop carries
``attempts`` and ``elapsed``. A batch can cancel the loop from another thread
(``cancel``): waits end at once and no further attempt starts.

Retries live above the cache and the session, in the client's call path, because
the retryable failures (``RateLimited``, ``ServiceUnavailable``) arrive inside JSON
envelopes, sometimes on HTTP 200, where urllib3's ``Retry`` cannot see them. The loop
is tenacity's; this module only decides what is retried and how long to wait. It is
handed a function that makes one attempt and knows nothing of HTTP or the client.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from ..errors import AssetPayError, InvalidRequest, RateLimited
from ..tradeurl import brief

__all__ = ["Cancelled", "RetryPolicy", "call_with_retries", "retry_after"]

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
        Longest ``Retry-After`` of a rate limit (``RateLimited``) the client waits for
        (default 60 s), and the longest a 429 pauses the shared rate budget; a longer
        one is raised at once with its ``retry_after``.
    unavailable_wait_max : float
        Longest ``Retry-After`` of a refusal that is not a rate limit
        (``ServiceUnavailable``: FLEET_DEGRADED, NO_BOTS_AVAILABLE...) the client waits
        for (default 5 s, as the official SDK): a longer one is raised at once with its
        ``retry_after``, so a notebook is not held a minute and a half by an outage
        (raise it to wait, e.g. for an unattended batch).
    deadline : float
        Seconds one call may take in all, attempts and waits included (default 120);
        no retry starts, and no wait is begun, that would end past it.
    attempt_timeout : float
        Wall-clock seconds one attempt may take, body included (default 60); the
        client's ``timeout`` bounds each socket read within it.
    rereads : int
        Times an inventory whose pages do not add up is read again from page 1 before
        ``InconsistentInventory`` is raised (default 2).

    Examples
    --------
    >>> RetryPolicy(attempts=3, backoff=0.1).attempts
    3
    >>> RetryPolicy().deadline, RetryPolicy().retry_after_max, RetryPolicy().unavailable_wait_max
    (120.0, 60.0, 5.0)
    """

    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 60.0
    unavailable_wait_max: float = 5.0
    deadline: float = 120.0
    attempt_timeout: float = 60.0
    rereads: int = 2

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            whole = name in ("attempts", "rereads")
            kind = int if whole else (int, float)
            if isinstance(value, bool) or not isinstance(value, kind) or value != value:
                what = "a whole number" if whole else "a number of seconds"
                raise InvalidRequest(f"RetryPolicy.{name} must be {what}, got {brief(value)}")
        if self.attempts < 1:
            raise InvalidRequest("RetryPolicy.attempts must be at least 1")
        if self.rereads < 0:
            raise InvalidRequest("RetryPolicy.rereads must not be negative")
        if min(self.backoff, self.backoff_max, self.retry_after_max,
               self.unavailable_wait_max) < 0:  # fmt: skip
            raise InvalidRequest("RetryPolicy waits must not be negative")
        if min(self.deadline, self.attempt_timeout) <= 0:
            raise InvalidRequest("RetryPolicy.deadline and attempt_timeout must be positive")


class Cancelled(Exception):
    """The caller cancelled the call (a batch interrupted by Ctrl-C); nothing more is sent."""


#: The longest ``Retry-After`` taken as given: anything longer (an infinity, a date years
#: ahead) reads as this, far above any ``retry_after_max``, so the call is raised at once.
LONGEST_RETRY_AFTER = 365 * 24 * 3600.0


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), else None.

    What a server sends is not trusted: a number that is not finite and above zero
    (``inf``) reads as ``LONGEST_RETRY_AFTER``; ``nan``, a negative number, an
    unparseable date or garbage read as no header (None); a date in the past is 0.

    Examples
    --------
    >>> retry_after({"Retry-After": "3"}), retry_after({})
    (3.0, None)
    >>> retry_after({"Retry-After": "inf"}) == LONGEST_RETRY_AFTER
    True
    >>> retry_after({"Retry-After": "nan"}), retry_after({"Retry-After": "-5"})
    (None, None)
    """
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _date_seconds(value)
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, LONGEST_RETRY_AFTER)


def _date_seconds(value: str) -> float | None:
    """Seconds until an HTTP date (0 when it is past), None when it is not one."""
    try:
        when = parsedate_to_datetime(value)
        seconds = (when - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(0.0, seconds), LONGEST_RETRY_AFTER)


def call_with_retries(
    attempt: Callable[[float], _T],
    policy: RetryPolicy,
    *,
    cancel: threading.Event | None = None,
) -> _T:
    """Call ``attempt(seconds)`` until it succeeds, fails for good, or ``policy`` is spent.

    Parameters
    ----------
    attempt : callable
        Makes one try within the wall-clock ``seconds`` it is given; raises an
        ``AssetPayError`` whose ``retryable`` says whether another try may help (and
        ``retry_after`` how long to wait first).
    policy : RetryPolicy
        How many tries, how long between them, how long in all.
    cancel : threading.Event, optional
        Once set, waits end and ``Cancelled`` is raised instead of another try.

    Returns
    -------
    The first successful result. The last error is raised with ``attempts`` and
    ``elapsed`` set, its message saying why the loop stopped.
    """
    clock = _Clock(policy)
    try:
        for try_ in tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.attempts)
            | tenacity.stop_before_delay(policy.deadline),
            wait=_waiter(policy),
            retry=tenacity.retry_if_exception(_retry_predicate(policy)),
            sleep=_sleeper(cancel),
            before_sleep=_log_retry,
            reraise=True,
        ):
            with try_:
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                return attempt(clock.next_attempt())
    except AssetPayError as err:
        clock.annotate(err)
        raise
    raise AssertionError("unreachable")  # pragma: no cover


class _Clock:
    """Counts one call's attempts and time, and writes them into its final error."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.start = time.monotonic()
        self.attempts = 0

    def next_attempt(self) -> float:
        """Counts an attempt; the wall-clock seconds it may take."""
        self.attempts += 1
        left = self.policy.deadline - (time.monotonic() - self.start)
        return max(1.0, min(self.policy.attempt_timeout, left))

    def annotate(self, err: AssetPayError) -> None:
        err.attempts, err.elapsed = self.attempts, round(time.monotonic() - self.start, 3)
        wait_for = getattr(err, "retry_after", None)
        longest, setting = longest_wait(self.policy, err)
        if err.retryable and wait_for is not None and wait_for > longest:
            why = (
                f"The server asked to wait {wait_for:g} s, longer than "
                f"RetryPolicy.{setting} ({longest:g} s): not waited."
            )
        elif err.retryable and self.attempts < self.policy.attempts:
            why = (
                f"Gave up after {self.attempts} attempt(s) in {err.elapsed:.1f} s: another "
                f"would pass RetryPolicy.deadline ({self.policy.deadline:g} s)."
            )
        elif err.retryable and self.attempts > 1:
            why = f"Gave up after {self.attempts} attempts in {err.elapsed:.1f} s."
        else:
            return
        err.message = f"{err.message} {why}"
        err.args = (err.message,)


def _sleeper(cancel: threading.Event | None) -> Callable[[float], None]:
    if cancel is None:
        return time.sleep

    def sleep(seconds: float) -> None:
        if cancel.wait(seconds):
            raise Cancelled()

    return sleep


def longest_wait(policy: RetryPolicy, err: BaseException) -> tuple[float, str]:
    """The longest ``Retry-After`` waited for on ``err``, and the setting that says so.

    A rate limit may ask for up to ``retry_after_max``; any other refusal for up to
    ``unavailable_wait_max``.
    """
    if isinstance(err, RateLimited):
        return policy.retry_after_max, "retry_after_max"
    return policy.unavailable_wait_max, "unavailable_wait_max"


def _retry_predicate(policy: RetryPolicy) -> Callable[[BaseException], bool]:
    def should_retry(exc: BaseException) -> bool:
        if not isinstance(exc, AssetPayError) or not exc.retryable:
            return False
        wait_for = getattr(exc, "retry_after", None)
        return wait_for is None or wait_for <= longest_wait(policy, exc)[0]

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
