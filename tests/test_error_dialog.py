"""Known errors get a plain message box; bugs are logged and shown once with copyable, redacted details."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from fbm_desk.foundation.errors import Action, DatabaseError, FbmError
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.error_dialog import BugDialog, ErrorReporter, ExcInfo, install_gui_excepthook


def _exc_info(exc: BaseException) -> ExcInfo:
    try:
        raise exc
    except BaseException as caught:
        return (type(caught), caught, caught.__traceback__)


def _bug_at_one_place(message: str) -> ExcInfo:
    try:
        raise KeyError(message)  # every call raises from this same line: one distinct bug
    except KeyError as caught:
        return (type(caught), caught, caught.__traceback__)


def _parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_known_error_shows_user_message_and_suggested_action(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    reporter = ErrorReporter(lambda: parent)
    err = FbmError("Amazon refused the store's authorization.", action=Action.RECONNECT)

    reporter.report(_exc_info(err))

    box = reporter.last_dialog
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    assert "Amazon refused the store's authorization." in box.text()
    assert "Reconnect the store" in box.text()
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()


def test_database_error_suggests_contacting_support(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    reporter = ErrorReporter(lambda: parent)
    box = reporter.show_known_error(DatabaseError("The disk is full."))
    assert "The disk is full." in box.text()
    assert "log file" in box.text()
    box.close()


def test_bug_is_logged_and_shown_once_with_redacted_copyable_details(
    qtbot: QtBot, app_paths: AppPaths
) -> None:
    log_file = setup_logging(app_paths)
    parent = _parent(qtbot)
    reporter = ErrorReporter(lambda: parent, log_file=str(log_file))

    reporter.report(_bug_at_one_place("token Atzr|IwEBIsecretInBug for buyer jane@example.com"))

    dialog = reporter.last_dialog
    assert isinstance(dialog, BugDialog)
    assert dialog.isVisible()
    details = dialog.details_view.toPlainText()
    assert "KeyError" in details
    assert "Traceback" in details
    assert "_bug_at_one_place" in details
    assert "IwEBIsecretInBug" not in details
    assert "jane@example.com" not in details
    assert str(log_file) in details
    assert dialog.details_view.isReadOnly()

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == details

    # The same bug again: logged again, but no second dialog.
    dialog.close()
    reporter.report(_bug_at_one_place("second time"))
    assert reporter.last_dialog is dialog
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, BugDialog) and w.isVisible()]

    # A different bug does get its own dialog.
    reporter.report(_exc_info(ZeroDivisionError("division by zero")))
    assert isinstance(reporter.last_dialog, BugDialog)
    assert reporter.last_dialog is not dialog
    reporter.last_dialog.close()

    log_text = Path(log_file).read_text(encoding="utf-8")
    assert log_text.count("Bug: unhandled KeyError") == 2
    assert "IwEBIsecretInBug" not in log_text
    assert "ZeroDivisionError" in log_text


def test_installed_hook_shows_bugs_from_the_gui_thread_and_worker_threads(qtbot: QtBot) -> None:
    parent = _parent(qtbot)
    reporter = install_gui_excepthook(lambda: parent)
    assert sys.excepthook == reporter.excepthook
    assert threading.excepthook == reporter.thread_excepthook

    sys.excepthook(*_exc_info(ValueError("from a slot")))
    assert isinstance(reporter.last_dialog, BugDialog)
    assert "from a slot" in reporter.last_dialog.details_view.toPlainText()
    reporter.last_dialog.close()

    def worker() -> None:
        raise RuntimeError("from a worker thread")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    # The worker's report is queued to the GUI thread.
    qtbot.waitUntil(
        lambda: (
            isinstance(reporter.last_dialog, BugDialog)
            and "from a worker thread" in reporter.last_dialog.details_view.toPlainText()
        )
    )
    reporter.last_dialog.close()


def test_provider_failure_still_shows_the_dialog_without_parent(qtbot: QtBot) -> None:
    def broken_provider() -> QWidget | None:
        raise RuntimeError("window gone")

    reporter = ErrorReporter(broken_provider)
    reporter.report(_exc_info(LookupError("x")))
    assert isinstance(reporter.last_dialog, BugDialog)
    assert reporter.last_dialog.parent() is None
    qtbot.addWidget(reporter.last_dialog)
