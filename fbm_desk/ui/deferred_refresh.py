"""Refresh a tab after background work without stalling the GUI thread: coalesced, and only when visible.

A sync emits ``job_finished`` once per job and several jobs may end together; each tab's refresh runs SQL on
the GUI thread (counts over 200,000 orders, stock allocation). ``DeferredRefresh`` turns any number of
requests into one refresh on a later event-loop pass, and a hidden tab (not the current one of the main
window) only remembers that it is stale and refreshes as it is shown again: the user never waits for the
tabs they are not looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services


class DeferredRefresh(QObject):
    """``DeferredRefresh(tab, tab.refresh)``; connect signals to ``request``; ``flush()`` refreshes now if due."""

    def __init__(self, widget: QWidget, refresh: Callable[[], None], delay_ms: int = 0) -> None:
        super().__init__(widget)
        self._widget = widget
        self._refresh = refresh
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        widget.installEventFilter(self)

    @property
    def pending(self) -> bool:
        """A refresh was requested and has not run yet (the widget may be hidden)."""
        return self._stale

    def request(self, *_args: object) -> None:
        """Ask for a refresh; signal arguments are ignored. Runs after the current event, if visible."""
        self._stale = True
        if self._widget.isVisible():
            self._timer.start()

    def flush(self) -> None:
        """Refresh now when one is due and the widget is visible (else it stays due until shown)."""
        self._timer.stop()
        if self._stale and self._widget.isVisible():
            self._stale = False
            self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and self._stale:
            self.flush()  # the user opened the tab: show current data right away
        return False


def keeping_view(widget: QWidget, refresh: Callable[[], None]) -> Callable[[], None]:
    """``refresh`` that leaves every table's and panel's scroll position where the user had it."""

    def run() -> None:
        bars = [
            (bar, bar.value())
            for area in widget.findChildren(QAbstractScrollArea)
            for bar in (area.verticalScrollBar(), area.horizontalScrollBar())
        ]
        refresh()
        for bar, value in bars:
            bar.setValue(value)

    return run


def refresh_after_sync(widget: QWidget, services: Services, refresh: Callable[[], None]) -> DeferredRefresh:
    """One ``refresh`` per burst of finished sync jobs of ``services.runner`` (if any) and of changes saved by
    other stations or processes (``services.live``), none while hidden; selection and scroll kept."""
    after_sync = DeferredRefresh(widget, keeping_view(widget, refresh))
    if services.runner is not None:
        services.runner.job_finished.connect(lambda *_: after_sync.request())
    if services.live is not None:
        services.live.changed.connect(lambda *_: after_sync.request())
    return after_sync
