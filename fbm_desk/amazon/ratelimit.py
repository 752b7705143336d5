"""Client-side token buckets per (selling partner, region, operation), sized from Amazon's models.

The default rate/burst of every operation is read at import from the "Usage Plan" table in the operation
descriptions of ``resources/spapi-models`` (not hand-copied). A bucket's rate is lowered when Amazon's
``x-amzn-RateLimit-Limit`` header reports a smaller one. One ``RateLimiter`` per process is shared by every
client, so two jobs of the same seller never double-spend a bucket. Across processes (the app and CLI
commands of one seller), a ``SharedBuckets`` store injected by the composition root keeps each bucket: every
token is taken in one atomic read-refill-take-write on the shared state, so together they keep Amazon's rate.

Time runs ``speedup`` times faster for the buckets (tests and the sandbox's demo mode).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from fbm_desk.amazon.errors import Cancelled
from fbm_desk.foundation.resources import spapi_model_path

log = logging.getLogger(__name__)

MODEL_FILES: tuple[str, ...] = (
    "orders-2026-01-01.json",  # first: its getOrder wins over the deprecated v0 getOrder
    "orders-v0.json",
    "reports-2021-06-30.json",
    "feeds-2021-06-30.json",
    "listings-items-2021-08-01.json",
    "sellers-v1.json",
    "tokens-2021-03-01.json",
    "catalog-items-2022-04-01.json",
    "product-type-definitions-2020-09-01.json",
    "shipping-v2.json",
)

_TABLE = re.compile(
    r"\|\s*Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n"  # header row
    r"\s*\|[-\s|]+\|\s*\n"  # separator row
    r"\s*\|\s*([0-9.]+)\s*\|\s*([0-9]+)\s*\|"  # | rate | burst |
)

# JSON_LISTINGS_FEED submissions: 5 per 5 minutes per region (changelog 2025-05-06, spapi-notes §5.1).
JSON_LISTINGS_FEED_OPERATION = "createFeed:JSON_LISTINGS_FEED"
ANY_SELLER = "*"


@dataclass(frozen=True)
class OperationLimit:
    rate: float  # tokens per second
    burst: int  # bucket size


def parse_model_limits(files: Iterable[str] = MODEL_FILES) -> dict[str, OperationLimit]:
    """operationId -> (rate, burst) from each operation's "Usage Plan" table; the first file wins."""
    limits: dict[str, OperationLimit] = {}
    for name in files:
        model = json.loads(spapi_model_path(name).read_text(encoding="utf-8"))
        for ops in model.get("paths", {}).values():
            for method, op in ops.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                match = _TABLE.search(op.get("description", ""))
                op_id = op.get("operationId")
                if match and op_id and op_id not in limits:
                    limits[op_id] = OperationLimit(float(match.group(1)), int(match.group(2)))
    return limits


MODEL_LIMITS: dict[str, OperationLimit] = parse_model_limits()
EXTRA_LIMITS: dict[str, OperationLimit] = {JSON_LISTINGS_FEED_OPERATION: OperationLimit(5 / 300, 5)}
FALLBACK_LIMIT = OperationLimit(1.0, 1)  # an operation missing from the models: be conservative
# Amazon's bucket sees a request when it *arrives*. If a request travels faster than the ones before it, it
# can arrive a moment before its token exists there. So we keep a reserve in our own bucket: what refills in
# this many real seconds (at most half the burst). It costs a sliver of burst, not a slower rate.
PACING_MARGIN_S = 0.1


def bucket_key(selling_partner_id: str, region: str, operation: str) -> str:
    return f"{selling_partner_id}|{region}|{operation}"


BucketState = tuple[float, float]  # (tokens, wall-clock time they refer to)


class SharedBuckets(Protocol):
    """Bucket state shared by every process of a seller (the ``rate_bucket`` table in ``fbm_desk.db``)."""

    def update(self, key: str, change: Callable[[BucketState | None], BucketState]) -> BucketState:
        """Atomically replace the state of ``key`` by ``change(state)`` (None: no state yet); return it."""
        ...


Waiter = Callable[[float, "threading.Event | None"], None]


def default_waiter(seconds: float, cancel: threading.Event | None) -> None:
    """Sleep ``seconds``; raise Cancelled as soon as ``cancel`` is set."""
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Cancelled()


@dataclass
class _Bucket:
    rate: float
    burst: int
    tokens: float
    at: float  # wall-clock time of ``tokens`` (time.time scale, so it can be persisted)


class RateLimiter:
    """Token buckets keyed by ``seller|region|operation``. Thread-safe; waits happen outside the lock."""

    def __init__(
        self,
        *,
        speedup: float = 1.0,
        clock: Callable[[], float] = time.time,
        waiter: Waiter = default_waiter,
        limits: Mapping[str, OperationLimit] | None = None,
        margin_s: float = PACING_MARGIN_S,
        shared: SharedBuckets | None = None,
    ) -> None:
        self.speedup = max(1.0, speedup)
        self.margin_s = margin_s
        self._clock = clock
        self._waiter = waiter
        self._limits = dict(MODEL_LIMITS if limits is None else limits)
        self._limits.update(EXTRA_LIMITS)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._shared = shared

    def limit_for(self, operation: str) -> OperationLimit:
        return self._limits.get(operation, FALLBACK_LIMIT)

    def _bucket(self, key: str, operation: str) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = self.limit_for(operation)
            bucket = _Bucket(limit.rate, limit.burst, float(limit.burst), self._clock())
            self._buckets[key] = bucket
        return bucket

    def _refill(self, bucket: _Bucket, now: float) -> None:
        if now > bucket.at:
            bucket.tokens = min(
                float(bucket.burst), bucket.tokens + (now - bucket.at) * bucket.rate * self.speedup
            )
        bucket.at = now

    def _sync_shared(self, key: str, bucket: _Bucket, take: float, floor: float | None = None) -> None:
        """Apply ``take`` (and a ``floor`` cap, for a drain) to the shared state of ``key`` atomically and
        mirror it locally. Without a usable shared store (read-only or busy database), the local bucket alone
        paces this process."""

        def change(state: BucketState | None) -> BucketState:
            tokens, at = state if state is not None else (bucket.tokens, bucket.at)
            shared = _Bucket(bucket.rate, bucket.burst, min(float(bucket.burst), tokens), at)
            self._refill(shared, self._clock())
            shared.tokens -= take
            if floor is not None:
                shared.tokens = min(shared.tokens, floor)
            return shared.tokens, shared.at

        if self._shared is not None:
            try:
                bucket.tokens, bucket.at = self._shared.update(key, change)
                return
            except Exception as exc:  # never stop a sync over pacing bookkeeping
                log.debug("shared rate-limit state unavailable (%s); pacing locally", type(exc).__name__)
        self._refill(bucket, self._clock())
        bucket.tokens -= take
        if floor is not None:
            bucket.tokens = min(bucket.tokens, floor)

    def reserve(self, selling_partner_id: str, region: str, operation: str) -> float:
        """Take one token now; return how long (real seconds) the caller must wait before sending."""
        key = bucket_key(selling_partner_id, region, operation)
        with self._lock:
            bucket = self._bucket(key, operation)
            self._sync_shared(key, bucket, 1.0)
            rate = bucket.rate * self.speedup
            reserve = min(self.margin_s * rate, bucket.burst / 2.0)
            if bucket.tokens >= reserve:
                return 0.0
            return (reserve - bucket.tokens) / rate

    def acquire(
        self, selling_partner_id: str, region: str, operation: str, cancel: threading.Event | None = None
    ) -> float:
        """Wait for a token (interruptible by ``cancel``); return the seconds waited."""
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        wait = self.reserve(selling_partner_id, region, operation)
        if wait > 0:
            log.debug("pacing %s for %.2f s", operation, wait)
            self._waiter(wait, cancel)
        return wait

    def observe_rate(self, selling_partner_id: str, region: str, operation: str, header: str | None) -> None:
        """Lower the bucket's rate to Amazon's ``x-amzn-RateLimit-Limit`` when that is smaller."""
        if not header:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if rate <= 0:
            return
        key = bucket_key(selling_partner_id, region, operation)
        with self._lock:
            bucket = self._bucket(key, operation)
            if rate < bucket.rate:
                self._refill(bucket, self._clock())
                log.info("%s: Amazon reports rate %s/s, lowering from %s/s", operation, rate, bucket.rate)
                bucket.rate = rate

    def drain(self, selling_partner_id: str, region: str, operation: str) -> None:
        """Amazon said 429: our bucket was optimistic, so empty it."""
        key = bucket_key(selling_partner_id, region, operation)
        with self._lock:
            self._sync_shared(key, self._bucket(key, operation), 0.0, floor=0.0)

    def tokens(self, selling_partner_id: str, region: str, operation: str) -> float:
        key = bucket_key(selling_partner_id, region, operation)
        with self._lock:
            bucket = self._bucket(key, operation)
            self._refill(bucket, self._clock())
            return bucket.tokens

    def snapshot(self) -> dict[str, tuple[float, float]]:
        """key -> (tokens, wall-clock time) of every bucket (tokens < 0 = requests already promised)."""
        with self._lock:
            return {key: (b.tokens, b.at) for key, b in self._buckets.items()}

    def restore(self, state: Mapping[str, tuple[float, float]]) -> None:
        """Load persisted buckets; they refill for the time that passed since they were saved."""
        with self._lock:
            for key, (tokens, at) in state.items():
                operation = key.rsplit("|", 1)[-1]
                limit = self.limit_for(operation)
                bucket = _Bucket(limit.rate, limit.burst, min(float(tokens), float(limit.burst)), float(at))
                self._buckets[key] = bucket
