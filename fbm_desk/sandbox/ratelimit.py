"""Amazon's server-side throttling: a token bucket per (seller, operation) with the documented rate/burst.

The limits are parsed from the models by ``fbm_desk.amazon.ratelimit`` (the same table the client uses),
so the two sides cannot drift apart. The speed-up factor multiplies every refill rate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fbm_desk.amazon.ratelimit import (
    EXTRA_LIMITS,
    FALLBACK_LIMIT,
    JSON_LISTINGS_FEED_OPERATION,
    MODEL_LIMITS,
    OperationLimit,
)
from fbm_desk.sandbox.clock import Clock

__all__ = ["JSON_LISTINGS_FEED_OPERATION", "Throttle", "limit_for"]


def limit_for(operation: str) -> OperationLimit:
    return MODEL_LIMITS.get(operation) or EXTRA_LIMITS.get(operation) or FALLBACK_LIMIT


def rate_header(operation: str) -> str:
    """Value of ``x-amzn-RateLimit-Limit`` for an operation (Amazon prints the rate, e.g. ``0.0056``)."""
    return f"{limit_for(operation).rate:g}"


@dataclass
class _Bucket:
    tokens: float
    at: float


class Throttle:
    def __init__(self, clock: Clock, *, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, seller: str, operation: str) -> bool:
        """Consume one token; False (→ 429) when the bucket is empty."""
        if not self.enabled:
            return True
        limit = limit_for(operation)
        now = self.clock.mono()
        with self._lock:
            bucket = self._buckets.get((seller, operation))
            if bucket is None:
                bucket = self._buckets[(seller, operation)] = _Bucket(float(limit.burst), now)
            refill = (now - bucket.at) * limit.rate * self.clock.speedup
            bucket.tokens = min(float(limit.burst), bucket.tokens + refill)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            return False
