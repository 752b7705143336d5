"""The main window: four tabs (built elsewhere, passed in), a status bar, remembered geometry, Help → About.

The window owns no services and builds no tabs: ``fbm_desk.app`` builds the ``Services`` and the tab widgets
and hands them over, so each tab module stays independent of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from fbm_desk import APP_NAME, __version__
from fbm_desk.foundation.wording import DEMO_SECRETS_TEXT
from fbm_desk.ui.sync_now import sync_all_action
from fbm_desk.ui.tab_hotkeys import install_tab_hotkeys
from fbm_desk.ui.warehouses_dialog import WarehousesDialog
from fbm_desk.ui.workspace_dialog import WorkspaceDialog, restart_app

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services

WINDOW_STATE_FILE = "window-state.ini"
_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_TAB_KEY = "main_window/current_tab"


class SecretsIndicator(QLabel):
    """Permanent status-bar label saying where Amazon tokens are kept; loud when it is the insecure file."""

    def __init__(
        self, backend_kind: str, description: str, parent: QWidget | None = None, *, demo: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("secretsIndicator")
        self.insecure = backend_kind != "keyring"
        if self.insecure and demo:  # the sandbox's throwaway tokens: nothing real to protect
            self.setText("Secrets: demo tokens (throwaway)")
            self.setStyleSheet("QLabel { padding: 0 6px; }")
            description = DEMO_SECRETS_TEXT
        elif self.insecure:
            self.setText("Secrets: INSECURE fallback")
            self.setStyleSheet("QLabel { color: #b00020; font-weight: bold; padding: 0 6px; }")
        else:
            self.setText("Secrets: keyring")
            self.setStyleSheet("QLabel { padding: 0 6px; }")
        self.setToolTip(description)


class MainWindow(QMainWindow):
    """``MainWindow(services, [("Stores", widget), ...])``; tab order is the order given."""

    def __init__(
        self, services: Services, tabs: Sequence[tuple[str, QWidget]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 760)  # first run; replaced by the remembered geometry below

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        for title, widget in tabs:
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)
        install_tab_hotkeys(self, self.tabs)

        credentials = services.credentials
        self.secrets_indicator = SecretsIndicator(
            credentials.backend_kind, credentials.describe(), demo=services.demo is not None
        )
        self.statusBar().addPermanentWidget(self.secrets_indicator)
        workspace = services.core.workspace
        if workspace is not None and workspace.message:  # this computer lacks the key of the buyer data
            locked = QLabel("Buyer data: encrypted, no workspace key")
            locked.setObjectName("buyerDataLocked")
            locked.setStyleSheet("QLabel { color: #b00020; font-weight: bold; padding: 0 6px; }")
            locked.setToolTip(workspace.message)
            self.statusBar().addPermanentWidget(locked)
        self.statusBar().showMessage("Ready")

        self._build_menus()
        self._window_settings = QSettings(
            str(services.paths.data_dir / WINDOW_STATE_FILE), QSettings.Format.IniFormat
        )
        self._restore_window_state()

    # Public API for tabs and the app

    def show_status(self, message: str, timeout_ms: int = 0) -> None:
        """Show ``message`` on the left of the status bar (``timeout_ms`` 0 = until replaced)."""
        self.statusBar().showMessage(message, timeout_ms)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def about_text(self) -> str:
        paths = self.services.paths
        return (
            f"<b>{APP_NAME}</b> {__version__}<br>"
            "Amazon Merchant-Fulfilled orders, products, stock and tracking for small warehouses.<br><br>"
            f"Data folder: {escape(str(paths.data_dir))}<br>"
            f"Log folder: {escape(str(paths.log_dir))}<br>"
            f"Secrets: {escape(self.secrets_indicator.toolTip())}"
        )

    # Menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.warehouses_action = QAction("&Warehouses…", self)
        self.warehouses_action.triggered.connect(self.show_warehouses)
        file_menu.addAction(self.warehouses_action)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        settings_menu = self.menuBar().addMenu("&Settings")
        self.workspace_action = QAction("&Workspace…", self)
        self.workspace_action.triggered.connect(self.show_workspace)
        settings_menu.addAction(self.workspace_action)

        sync_menu = self.menuBar().addMenu("S&ync")
        self.sync_all_action = sync_all_action(self, self.services.runner, self.show_status)
        sync_menu.addAction(self.sync_all_action)
        self.addAction(self.sync_all_action)  # F5 from every tab

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    @Slot()
    def show_warehouses(self) -> WarehousesDialog:
        """The Warehouses page; the tabs re-read their warehouse columns and filters when it closes."""
        dialog = WarehousesDialog(self.services, self)
        dialog.finished.connect(lambda _r: self._refresh_tabs())
        dialog.open()
        return dialog

    @Slot()
    def show_workspace(self) -> WorkspaceDialog:
        """Settings → Workspace (station name, this computer only / shared server); may restart the app."""
        services = self.services
        dialog = WorkspaceDialog(
            services.settings, services.credentials, self, database_url=services.paths.database_url
        )
        dialog.restart_requested.connect(lambda: restart_app() and self.close())
        dialog.open()
        return dialog

    def _refresh_tabs(self) -> None:
        """Every tab re-reads; one with a deferred refresh (``after_sync``) only when it is on screen."""
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            deferred = getattr(tab, "after_sync", None)
            refresh = getattr(tab, "refresh", None)
            if deferred is not None:
                deferred.request()  # a hidden tab reads when shown: no count over a million orders now
            elif callable(refresh):
                refresh()

    @Slot()
    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        box.setIcon(QMessageBox.Icon.Information)
        box.open()
        self._about_box = box
        return box

    # Geometry

    def _restore_window_state(self) -> None:
        geometry = self._window_settings.value(_GEOMETRY_KEY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self._window_settings.value(_STATE_KEY)
        if state is not None:
            self.restoreState(state)
        tab = self._window_settings.value(_TAB_KEY)
        if tab is not None:
            try:
                index = int(tab)
            except (TypeError, ValueError):
                index = 0
            if 0 <= index < self.tabs.count():
                self.tabs.setCurrentIndex(index)

    def save_window_state(self) -> None:
        self._window_settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._window_settings.setValue(_STATE_KEY, self.saveState())
        self._window_settings.setValue(_TAB_KEY, self.tabs.currentIndex())
        self._window_settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        super().closeEvent(event)
