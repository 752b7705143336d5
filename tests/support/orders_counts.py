"""Waiting for the Orders tab's counts, which are read on the reader thread (``ui.background_reads``)."""

from __future__ import annotations

from typing import Any


def counted(qtbot: Any, tab: Any, timeout: int = 10_000) -> Any:
    """Wait until the table's total and the quick-filter numbers of ``tab`` are the fresh ones; ``tab``."""
    qtbot.waitUntil(lambda: not tab.model.counting and not tab.filter_counts.busy, timeout=timeout)
    return tab
