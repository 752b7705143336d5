"""The tray alert when a product's available quantity falls to its low-stock level.

"Low" is the stock model's answer (``StockRow.is_low``, via ``fbm_desk.db.product_places.low_stock_rows``).
Checked after every finished sync job (an import allocates units, a push follows a count) and once a minute
(a package packed or an on-hand count set in this window). One alert per product when it becomes low, none
while it stays low, a new one only after it recovered and fell again; the SKUs already low when the app starts
are announced once, together.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot

from fbm_desk.db.errors import storage_error
from fbm_desk.db.product_places import low_stock_rows
from fbm_desk.db.stock import StockRow
from fbm_desk.ui.notifications import Notice, Notifier

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner

log = logging.getLogger(__name__)
CHECK_MS = 60_000
SHOWN_SKUS = 4


class LowStockWatch(QObject):
    def __init__(self, runner: JobRunner, notifier: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._low: set[int] | None = None  # product ids low at the last check (None: not checked yet)
        runner.job_finished.connect(self.check)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_MS)
        QTimer.singleShot(0, self, self.check)

    @Slot()
    def check(self, *_args: object) -> list[StockRow]:
        """Compare with the last check; announce the products that became low. Returns them."""
        try:
            rows = low_stock_rows()
        except Exception as exc:
            known = storage_error(exc)
            if known is None:
                raise
            log.warning("Low-stock check skipped: %s", known.user_message)  # busy disk: next check
            return []
        now = {r.product_id for r in rows}
        new = [r for r in rows if self._low is None or r.product_id not in self._low]
        self._low = now
        if new:
            self._notifier.announce(_notice(new))
        return new


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
