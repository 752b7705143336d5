"""Shared shapes of the sync layer: job kinds, the context a job runs with, and its result.

A job is a plain object with ``run(ctx) -> SyncResult``; it contains no Qt. ``fbm_desk.sync.execute.run_job``
wraps one run: records a ``sync_run`` row, builds the store's client, maps errors, fills the API counters.
The same function serves the CLI (``fbm-desk sync``) and the GUI runner (on a worker thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from fbm_desk.db.rows import StoreRow

if TYPE_CHECKING:
    from fbm_desk.amazon.client import SpApiClient
    from fbm_desk.core import CoreServices


class JobKind(StrEnum):
    """The job names used by the CLI (``fbm-desk sync JOB``), the schedule table and ``sync_run.job``."""

    ORDERS = "orders"
    ORDERS_SWEEP = "orders-sweep"
    PRODUCTS = "products"
    PRODUCTS_FULL = "products-full"
    INVENTORY = "inventory"
    SHIPMENTS = "shipments"


JOB_TITLES: dict[JobKind, str] = {
    JobKind.ORDERS: "Orders",
    JobKind.ORDERS_SWEEP: "Orders sweep",
    JobKind.PRODUCTS: "New products",
    JobKind.PRODUCTS_FULL: "Full product import",
    JobKind.INVENTORY: "Inventory push",
    JobKind.SHIPMENTS: "Tracking push",
}

ProgressFn = Callable[[str, int | None, int | None], None]  # (message, done, total)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class JobContext:
    """What a job may use. ``client`` talks to Amazon for ``store``; ``cancel`` is checked between pages."""

    core: CoreServices
    store: StoreRow
    client: SpApiClient
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: ProgressFn = field(default=lambda message, done, total: None)
    now: Callable[[], datetime] = utcnow

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise JobCancelled()


class JobCancelled(Exception):
    """Raised inside a job when the user cancelled it; the page in flight is rolled back."""


@dataclass(frozen=True)
class SyncResult:
    """Outcome of one job run for one store (also the CLI's ``--json`` object)."""

    job: str
    store: str
    status: str  # ok | failed | canceled
    fetched: int = 0  # records received from Amazon
    created: int = 0  # local records added
    updated: int = 0  # local records changed
    skipped: int = 0  # e.g. FBA orders seen and ignored
    rejected: int = 0  # records Amazon rejected (reported, not a failure)
    api_calls: int = 0  # SP-API HTTP requests incl. retries
    throttled: int = 0  # 429 answers received
    throttle_wait_s: float = 0.0
    error: str = ""
    summary: str = ""
    run_id: int | None = None
    covered_by_other_run: bool = (
        False  # another run of the same job and store was running: it covers this one
    )
    covered_by_station: str = ""  # ... on this station (computer) of the workspace

    def to_json(self) -> dict[str, object]:
        """The public ``sync --json`` contract (``covered_by_other_run`` appears, true, only when it applies, with
        ``covered_by_station``: the computer whose run covered it, this one or another station of the workspace)."""
        data: dict[str, object] = {
            "job": self.job,
            "store": self.store,
            "status": "ok" if self.status == "ok" else "failed",
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "api_calls": self.api_calls,
            "throttled": self.throttled,
            "error": self.error or None,
        }
        if self.covered_by_other_run:
            data["covered_by_other_run"] = True
            data["covered_by_station"] = self.covered_by_station
        return data


@dataclass
class Counts:
    """Mutable counters a job fills while it runs."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)


class Job(Protocol):
    kind: JobKind

    def run(self, ctx: JobContext, counts: Counts) -> None:
        """Do the work, filling ``counts``; raise ``FbmError`` for a run that could not complete."""
