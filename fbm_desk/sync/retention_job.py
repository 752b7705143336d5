"""The daily retention job (issue 14): buyer data past the retention window is removed from the database and
the backups (``fbm_desk.db.retention``). Not a store's job: it runs once for the whole database, on the
scheduler's own thread (``SyncScheduler``'s ``maintenance``), daily and once shortly after start, and reports
what it did in the log (the same numbers ``fbm-desk privacy purge --json`` prints)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from fbm_desk.db.retention import PurgeResult, purge_buyer_data
from fbm_desk.db.transactions import close_thread_connection
from fbm_desk.foundation.errors import FbmError

log = logging.getLogger(__name__)


def run_retention(backup_dir: Path, now: datetime | None = None) -> PurgeResult | None:
    """Purge now; a storage problem is logged (the next day's run tries again), never raised."""
    try:
        result = purge_buyer_data(now or datetime.now(UTC), backup_dir)
    except FbmError as exc:
        log.warning("Retention job could not run: %s", exc)
        return None
    finally:
        close_thread_connection()
    log.info(
        "Retention job: %d order(s) purged, %d backup(s) rewritten (kept %d days)",
        result.orders_purged,
        result.backups_rewritten,
        result.retention_days,
    )
    return result
