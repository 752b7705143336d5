"""Known errors vs bugs in the GUI.

- A known error (``FbmError``) becomes a message box with its ``user_message`` and the suggested action.
- Anything else is a bug: it is logged with its traceback and shown *once per distinct bug* (same exception
  type raised at the same line) in a dialog whose details are selectable and copyable. The details are passed
  through the log redaction first, so no token or buyer data ends up in a bug report.

``install_gui_excepthook`` routes uncaught exceptions (Qt slots on the GUI thread and worker threads) here.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fbm_desk import APP_NAME, __version__
from fbm_desk.db.errors import storage_error
from fbm_desk.foundation.errors import Action, FbmError
from fbm_desk.foundation.logging_setup import redact
from fbm_desk.ui.dialog_parts import close_buttons

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
WindowProvider = Callable[[], QWidget | None]

ACTION_HINTS: dict[Action, str] = {
    Action.NONE: "",
    Action.RETRY_LATER: "Please try again in a few minutes.",
    Action.RECONNECT: "Reconnect the store to Amazon, then try again.",
    Action.FIX_INPUT: "Check what you entered and try again.",
    Action.CONTACT_SUPPORT: "If this keeps happening, send the log file to your support contact.",
}


def known_error_text(err: FbmError) -> str:
    """The user message followed by the suggested action, as shown in the message box."""
    hint = ACTION_HINTS.get(err.action, "")
    return f"{err.user_message}\n\n{hint}" if hint else err.user_message


def bug_key(exc_info: ExcInfo) -> tuple[str, str, int]:
    """Identity of a bug: exception type and the innermost frame that raised it."""
    exc_type, _exc, tb = exc_info
    frames = traceback.extract_tb(tb) if tb is not None else []
    if frames:
        last = frames[-1]
        return (exc_type.__qualname__, last.filename, last.lineno or 0)
    return (exc_type.__qualname__, "", 0)


def bug_details(exc_info: ExcInfo, *, log_file: str = "") -> str:
    """Redacted, copyable text describing a bug: versions, platform, traceback."""
    lines = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
    ]
    try:
        from PySide6 import __version__ as pyside_version

        lines.append(f"PySide6 {pyside_version}")
    except ImportError:  # pragma: no cover - PySide6 is a hard dependency
        pass
    if log_file:
        lines.append(f"Log file: {log_file}")
    lines.append("")
    lines.append("".join(traceback.format_exception(*exc_info)).rstrip("\n"))
    return redact("\n".join(lines))


class BugDialog(QDialog):
    """Shows a bug's redacted details in a read-only, selectable text box with a "Copy details" button."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — unexpected error")
        self.setObjectName("bugDialog")
        self.resize(640, 420)
        intro = QLabel(
            "Something went wrong inside FBM Desk. This is a bug, not something you did.\n"
            "The details below were written to the log file. Copy them into your report; "
            "tokens and buyer data have been removed."
        )
        intro.setWordWrap(True)
        self.details_view = QPlainTextEdit(details)
        self.details_view.setReadOnly(True)
        self.details_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons, self.copy_button = close_buttons(self, "Copy details", self.copy_details)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details_view, 1)
        layout.addWidget(buttons)

    @Slot()
    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details_view.toPlainText())
        self.copy_button.setText("Copied")


class ErrorReporter(QObject):
    """Turns exceptions into the right dialog. Lives on the GUI thread; other threads report via a signal."""

    _reported = Signal(object)  # ExcInfo, queued to the GUI thread

    def __init__(self, window_provider: WindowProvider, *, log_file: str = "") -> None:
        super().__init__()
        self._window_provider = window_provider
        self._log_file = log_file
        self._seen: set[tuple[str, str, int]] = set()
        self.last_dialog: QDialog | None = None
        self._reported.connect(self._handle, Qt.ConnectionType.QueuedConnection)

    def report(self, exc_info: ExcInfo) -> None:
        """Handle an exception from any thread (GUI thread: at once; elsewhere: queued to the GUI thread)."""
        if threading.current_thread() is threading.main_thread():
            self._handle(exc_info)
        else:
            self._reported.emit(exc_info)

    def show_known_error(self, err: FbmError) -> QMessageBox:
        log.warning("%s: %s", type(err).__name__, err.user_message)
        box = QMessageBox(self._parent())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText(known_error_text(err))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_dialog = box
        return box

    def show_bug(self, exc_info: ExcInfo) -> BugDialog | None:
        """Log the bug with its traceback; show the dialog only the first time this bug happens."""
        log.error("Bug: unhandled %s", exc_info[0].__name__, exc_info=exc_info)
        key = bug_key(exc_info)
        if key in self._seen:
            return None
        self._seen.add(key)
        dialog = BugDialog(bug_details(exc_info, log_file=self._log_file), self._parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last_dialog = dialog
        return dialog

    @Slot(object)
    def _handle(self, exc_info: ExcInfo) -> None:
        exc = exc_info[1]
        known = exc if isinstance(exc, FbmError) else storage_error(exc) if exc is not None else None
        if known is not None:
            log.error("Known error reached the event loop: %s", known.user_message)
            self.show_known_error(known)
        else:
            self.show_bug(exc_info)

    def _parent(self) -> QWidget | None:
        try:
            return self._window_provider()
        except Exception:  # the window may be half-built or gone; the dialog then has no parent
            return None

    # Hooks

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        try:
            self.report((exc_type, exc, tb))
        except Exception:  # never let the error reporter itself crash the app
            log.critical("Error reporter failed", exc_info=True)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_gui_excepthook(window_provider: WindowProvider, *, log_file: str = "") -> ErrorReporter:
    """Route uncaught exceptions (``sys.excepthook`` and ``threading.excepthook``) to an ``ErrorReporter``.

    Call after ``QApplication`` exists and after ``setup_logging`` (whose plain logging hooks this replaces).
    """
    reporter = ErrorReporter(window_provider, log_file=log_file)
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.thread_excepthook
    return reporter
