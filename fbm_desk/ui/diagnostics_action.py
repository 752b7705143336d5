"""Help → Export diagnostics…: the menu hook around ``fbm_desk.tools.diagnostics.export_diagnostics``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from fbm_desk.foundation.errors import FbmError
from fbm_desk.tools.diagnostics import default_file_name, export_diagnostics

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services

log = logging.getLogger(__name__)


def export_to(services: Services, target: Path) -> str:
    """Export and return the message shown to the user (also used by tests, without the file dialog)."""
    try:
        result = export_diagnostics(services.core, target)
    except (OSError, FbmError) as exc:
        log.warning("Diagnostics export failed: %s", exc)
        return f"Could not write {target}: {exc}"
    return (
        f"Diagnostics saved to {result.path}.\n\nSend this file to support. It contains your marketplaces, "
        f"{len(result.example_orders)} example order ids, {len(result.affected_skus)} affected SKUs, "
        "recent sync "
        "runs with Amazon request ids, versions and the log — no tokens, no buyer names or addresses."
    )


def install_export_action(window: QMainWindow, services: Services) -> QAction:
    """Add "Export diagnostics…" to the window's Help menu (created if missing) and return the action."""
    action = QAction("Export &diagnostics…", window)
    action.setObjectName("exportDiagnosticsAction")
    action.setStatusTip(
        "Write a zip for support: marketplaces, example orders, affected SKUs, sync runs, log"
    )

    def run() -> None:
        suggested = str(Path.home() / default_file_name())
        path, _ = QFileDialog.getSaveFileName(window, "Export diagnostics", suggested, "Zip files (*.zip)")
        if path:
            QMessageBox.information(window, "Export diagnostics", export_to(services, Path(path)))

    action.triggered.connect(run)
    menu: QMenu | None = next(
        (
            m
            for a in window.menuBar().actions()
            if a.text().replace("&", "") == "Help" and isinstance(m := a.menu(), QMenu)
        ),
        None,
    )
    if menu is None:
        menu = window.menuBar().addMenu("&Help")
    existing = menu.actions()
    if existing:
        menu.insertAction(existing[0], action)
    else:
        menu.addAction(action)
    return action
