"""Waiting for the Inventory tab's push preview, which is read on a pool thread."""

from __future__ import annotations

from typing import Any


def refresh_and_wait(qtbot: Any, tab: Any) -> None:
    """``tab.refresh()`` and wait until the push preview it started is shown."""
    with qtbot.waitSignal(tab.preview_reader.ready, timeout=10_000):
        tab.refresh()
