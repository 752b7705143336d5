"""Fault injection for tests: make the next N calls of an operation fail the way Amazon or the network can."""

from __future__ import annotations

import threading
from dataclasses import dataclass

FAULT_KINDS = frozenset(
    {
        "429",
        "500",
        "503",
        "slow",
        "drop",
        "malformed_json",
        "truncated_gzip",
        "403_invalid_token",
        "unreadable_200",  # 200 with a body nobody can read, and the request was NOT processed
        "lost_upload",  # uploadDocument: 200 as usual, but the document is never stored
    }
)
ANY_OPERATION = "*"


@dataclass
class Fault:
    kind: str
    remaining: int
    delay: float = 2.0  # seconds, for "slow"


class FaultBook:
    """Faults keyed by operation name (an SP-API operationId, ``lwaToken``, ``downloadDocument``,
    ``uploadDocument``, or ``*`` for any)."""

    def __init__(self) -> None:
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()

    def inject(self, operation: str, kind: str, count: int = 1, delay: float = 2.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.setdefault(operation, []).append(Fault(kind, count, delay))

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this call (consuming one use), or None."""
        with self._lock:
            for key in (operation, ANY_OPERATION):
                queue = self._faults.get(key)
                if not queue:
                    continue
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return Fault(fault.kind, 1, fault.delay)
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            return {op: [(f.kind, f.remaining) for f in q] for op, q in self._faults.items() if q}
