"""The sandbox's sense of time: wall-clock UTC for timestamps, a skewable monotonic clock for timers.

Timers that imitate Amazon's pace (report processing, pending releases, new orders) are expressed in
"Amazon seconds" and divided by the speed-up factor. ``advance()`` lets tests pretend time passed without
sleeping; it moves both the timers and the UTC clock used for new timestamps.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, speedup: float = 1.0) -> None:
        self.speedup = max(float(speedup), 0.001)
        self._skew = 0.0
        self._lock = threading.Lock()

    def mono(self) -> float:
        """Monotonic seconds (real, plus whatever ``advance`` added)."""
        return time.monotonic() + self._skew

    def now(self) -> datetime:
        """Current UTC time (whole milliseconds), plus whatever ``advance`` added."""
        t = datetime.now(UTC) + timedelta(seconds=self._skew)
        return t.replace(microsecond=(t.microsecond // 1000) * 1000)

    def scaled(self, amazon_seconds: float) -> float:
        """Real seconds this sandbox waits for something that takes ``amazon_seconds`` at Amazon."""
        return amazon_seconds / self.speedup

    def ttl(self, amazon_seconds: float, floor: float = 30.0) -> float:
        """Lifetime of short-lived credentials (auth codes, presigned URLs): scaled, but never below ``floor``
        real seconds so a slow test machine can still use them."""
        return max(self.scaled(amazon_seconds), floor)

    def advance(self, seconds: float) -> None:
        """Pretend ``seconds`` real seconds passed (timers fire, credentials expire)."""
        with self._lock:
            self._skew += float(seconds)


def iso(t: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` like Amazon (``2026-11-20T10:00:00Z``, milliseconds only when set)."""
    t = t.astimezone(UTC)
    if t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime | None:
    """Parse an ISO 8601 date-time; naive values are UTC. None when it is not ISO 8601."""
    text = value.strip()
    if not text or len(text) < 10 or text[4] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
