"""Fault injection for tests and benchmarks: a share of failures, 429s and added latency."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

__all__ = ["Faults"]


@dataclass(frozen=True)
class Faults:
    """Failures the sandbox injects into inventory requests.

    Parameters
    ----------
    error_rate : float
        Share of requests answered 503 FLEET_DEGRADED (1011) or NO_BOTS_AVAILABLE (1010).
    rate_limit_rate : float
        Share answered 429 RATE_LIMITED (1005) with a ``Retry-After`` header.
    latency : float
        Seconds added before every response.
    retry_after : float
        The ``Retry-After`` value (whole seconds in the header, rounded up).
    seed : int
        The decisions are deterministic for a seed and a request sequence.

    Examples
    --------
    >>> Faults(error_rate=0.1, seed=1).decide_all(5) == Faults(error_rate=0.1, seed=1).decide_all(5)
    True
    """

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    latency: float = 0.0
    retry_after: float = 1.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("error_rate", "rate_limit_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency < 0 or self.retry_after < 0:
            raise ValueError("latency and retry_after must not be negative")
        object.__setattr__(self, "_rng", random.Random(self.seed))
        object.__setattr__(self, "_lock", threading.Lock())

    def decide(self) -> str | None:
        """The fault for the next request: a key (FLEET_DEGRADED, ...) or None."""
        with self._lock:
            roll = self._rng.random()
            pick = self._rng.random()
        if roll < self.error_rate:
            return "FLEET_DEGRADED" if pick < 0.5 else "NO_BOTS_AVAILABLE"
        if roll < self.error_rate + self.rate_limit_rate:
            return "RATE_LIMITED"
        return None

    def decide_all(self, n: int) -> list[str | None]:
        """The next n decisions (for tests)."""
        return [self.decide() for _ in range(n)]

    def reset(self) -> None:
        """Start the decision sequence again."""
        with self._lock:
            self._rng.seed(self.seed)
