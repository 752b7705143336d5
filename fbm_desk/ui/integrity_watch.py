"""The database file's page check after start-up (``fbm_desk.db.integrity``), on a thread of its own.

Started a few seconds after the window opened (the first screens get the CPU first); a damaged file is said
in red in the status bar and in the log. A shared workspace has no file here: nothing to check.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QMainWindow

from fbm_desk.db.integrity import FileCheck
from fbm_desk.ui.services import Services

START_DELAY_MS = 5000


class IntegrityWatch(QObject):
    """``IntegrityWatch(services, window).start()``; ``stop()`` before the database closes."""

    damaged = Signal(str)  # emitted on the check's thread, delivered on the GUI thread

    def __init__(self, services: Services, window: QMainWindow, delay_ms: int = START_DELAY_MS) -> None:
        super().__init__(window)
        self._window = window
        path = services.db.path
        self._check = FileCheck(path) if path is not None and not services.db.shared else None
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._begin)
        self.damaged.connect(self._show)

    def start(self) -> None:
        if self._check is not None:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._check is not None:
            self._check.cancel()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _begin(self) -> None:
        check = self._check
        if check is None:
            return

        def run() -> None:
            problem = check.run()
            if problem:
                self.damaged.emit(problem)

        self._thread = threading.Thread(target=run, name="integrity-check", daemon=True)
        self._thread.start()

    @Slot(str)
    def _show(self, message: str) -> None:
        label = QLabel("Database damaged: restore a backup")
        label.setObjectName("databaseDamaged")
        label.setStyleSheet("QLabel { color: #b00020; font-weight: bold; padding: 0 6px; }")
        label.setToolTip(message)
        self._window.statusBar().addPermanentWidget(label)
        self._window.statusBar().showMessage(message)
