"""The tray alert when a product's available quantity falls to its low-stock level.

"Low" is the stock model's answer (``StockRow.is_low``, via ``fbm_desk.db.product_places.low_stock_rows``).
Checked after every finished sync job (an import allocates units, a push follows a count) and once a minute
(a package packed or an on-hand count set in this window). The query reads every open order's allocation
(~0.1-0.2 s at 200,000 orders), so it runs on a pool thread with its own SQLite connection; only the
comparison and the notification happen on the GUI thread. One alert per product when it becomes low, none
while it stays low, a new one only after it recovered and fell again; the SKUs already low when the app starts
are announced once, together.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, SignalInstance, Slot

from fbm_desk.db.errors import storage_error
from fbm_desk.db.product_places import low_stock_rows
from fbm_desk.db.stock import StockRow
from fbm_desk.db.transactions import close_thread_connection
from fbm_desk.ui.notifications import Notice, Notifier

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner

log = logging.getLogger(__name__)
CHECK_MS = 60_000
SHOWN_SKUS = 4


class _Read(QRunnable):
    """Reads the low rows on a pool thread and hands them to the watch through a queued signal."""

    def __init__(self, deliver: SignalInstance) -> None:
        super().__init__()
        self._deliver = deliver
        self.setAutoDelete(True)

    def run(self) -> None:
        rows: list[StockRow] | None = None
        try:
            rows = low_stock_rows()
        except Exception as exc:
            known = storage_error(exc)
            if known is None:
                log.exception("Low-stock check crashed")
            else:  # a busy or full disk: the next check tries again
                log.warning("Low-stock check skipped: %s", known.user_message)
        finally:
            close_thread_connection()  # pool threads come and go: never leak their SQLite connection
        self._deliver.emit(rows)


class LowStockWatch(QObject):
    """``checked(list[StockRow])`` is emitted after each check with the products that became low."""

    checked = Signal(list)
    _rows_read = Signal(object)  # pool thread -> GUI thread (queued: the receiver lives on the GUI thread)

    def __init__(self, runner: JobRunner, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._low: set[int] | None = None  # product ids low at the last check (None: not checked yet)
        self._busy = False
        self._again = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._rows_read.connect(self._compare)
        runner.job_finished.connect(self.check)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_MS)
        QTimer.singleShot(0, self, self.check)

    @Slot()
    def check(self, *_args: object) -> None:
        """Start a check (one at a time; a request meanwhile runs once more after it)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._pool.start(_Read(self._rows_read))

    def wait_idle(self) -> None:
        """Wait for a check in flight (shutdown, tests)."""
        self._pool.waitForDone()

    @Slot(object)
    def _compare(self, rows: list[StockRow] | None) -> None:
        self._busy = False
        new: list[StockRow] = []
        if rows is not None:
            new = [r for r in rows if self._low is None or r.product_id not in self._low]
            self._low = {r.product_id for r in rows}
            if new:
                self._notifier.announce(_notice(new))
        self.checked.emit(new)
        if self._again:
            self._again = False
            self.check()


def _notice(rows: list[StockRow]) -> Notice:
    if len(rows) == 1:
        r = rows[0]
        where = f" (bin {r.bin})" if r.bin else ""
        return Notice(
            ("low_stock", r.product_id, r.sku),
            f"Low stock: {r.sku}",
            f"{r.available} available{where}, at or below its low-stock level of {r.low_stock}.",
        )
    names = ", ".join(r.sku for r in rows[:SHOWN_SKUS]) + (" …" if len(rows) > SHOWN_SKUS else "")
    return Notice(
        ("low_stock", 0, ""),
        f"{len(rows)} products are low on stock",
        f"{names}. See the Inventory tab's Low stock filter.",
    )
