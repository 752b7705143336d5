"""The Orders tab's quick-filter buttons (``QUICK_FILTERS``) and their numbers, read on the reader thread.

At a million orders the counts of the big filters (All, Shipped, Canceled) take longer than a frame; the
buttons keep their last numbers until the new ones arrive (``ui.background_reads``), so the table and the
typing never wait for them.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractButton

from fbm_desk.db.order_views import QuickFilter, quick_filter_counts
from fbm_desk.ui.background_reads import LatestRead
from fbm_desk.ui.table_models.paged_model import AFTER_PAINT_MS

# (filter, button label, tooltip) in button order
QUICK_FILTERS: tuple[tuple[QuickFilter, str, str], ...] = (
    (QuickFilter.ALL, "All", "Every order of every store"),
    (
        QuickFilter.HELD,
        "Held",
        "Pending at Amazon (payment hold): stock allocated, no address yet, do not ship",
    ),
    (QuickFilter.RELEASED, "To pack", "Released by Amazon, units left to pack; most urgent first"),
    (QuickFilter.DUE_TODAY, "Due today", "To pack with a ship-by date today or already late"),
    (
        QuickFilter.PACKED_WAITING,
        "Packed, waiting for Amazon",
        "Every unit packed; the tracking push to Amazon is queued or not yet confirmed",
    ),
    (QuickFilter.SHIPPED, "Shipped", "Shipped orders"),
    (QuickFilter.CANCELED, "Canceled", "Canceled orders (their stock is free again)"),
    (QuickFilter.NEEDS_MAPPING, "Needs mapping", "An item's Amazon SKU is not a warehouse SKU yet"),
    (QuickFilter.PUSH_REJECTED, "Push rejected", "Amazon rejected a tracking number: edit and re-queue"),
    (
        QuickFilter.ON_HOLD,
        "On hold",
        "Operator, address or fraud hold (by hand or by a rule): cannot be packed",
    ),
)


class FilterCountLabels(QObject):
    """``update(store, warehouse)`` re-counts; each button then reads "<its base_label> (<count>)"."""

    def __init__(self, parent: QObject, buttons: dict[QuickFilter, QAbstractButton]) -> None:
        super().__init__(parent)
        self._buttons = buttons
        self._reader = LatestRead(self, self._show)
        self._wanted: tuple[int | None, int | None] | None = None  # asked, not started yet

    @property
    def busy(self) -> bool:
        return self._wanted is not None or self._reader.busy

    def update(self, store_id: int | None, warehouse_id: int | None) -> None:
        self._reader.cancel()
        self._wanted = (store_id, warehouse_id)
        QTimer.singleShot(AFTER_PAINT_MS, self, self._start)  # once the table is painted

    def _start(self) -> None:
        if self._wanted is not None:
            store_id, warehouse_id = self._wanted
            self._wanted = None
            self._reader.load(partial(quick_filter_counts, store_id=store_id, warehouse_id=warehouse_id))

    def _show(self, counts: object) -> None:
        if not isinstance(counts, dict):
            return  # the count failed (logged): the buttons keep their last numbers
        for quick, button in self._buttons.items():
            button.setText(f"{button.property('base_label')} ({counts[quick]:,})")
