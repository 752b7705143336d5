"""Settings → Workspace: this station's name, and where its data lives — "This computer only" (the SQLite file
in the data folder) or "Shared server" (a PostgreSQL workspace every station of the warehouse uses).

The server's address and TLS mode go to settings.json (``foundation.workspace_settings``); the password goes to
the credentials layer (keyring), never to the file. *Test connection* connects once on a background thread and
shows the server's version or why it cannot connect. The station name applies at once; a changed workspace
applies when FBM Desk restarts, which Save offers to do.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QProcess, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.pg_connection import check_connection
from fbm_desk.db.stations import host_name, set_actor
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.workspace_settings import SSL_MODES, WorkspaceChoice, read_choice
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons

if TYPE_CHECKING:
    from fbm_desk.foundation.credentials import Credentials
    from fbm_desk.foundation.settings import Settings

log = logging.getLogger(__name__)

TLS_LABELS = {
    "prefer": "Use TLS when the server offers it",
    "require": "Require TLS (encrypted)",
    "verify-full": "Require TLS and check the server's certificate",
}
OK_COLOR = "#1d6b34"


class WorkspaceDialog(QDialog):
    tested = Signal(bool, str)  # from the test thread: connected?, server version or the reason
    restart_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        parent: QWidget | None = None,
        *,
        database_url: str | None = None,  # --database / FBM_DESK_DATABASE_URL of this session (wins)
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.credentials = credentials
        self.setObjectName("workspaceDialog")
        self.setWindowTitle("Settings — Workspace")
        self.setMinimumWidth(560)
        saved = settings.get("workspace")
        self.saved_choice = read_choice(saved)
        self._saved_url = str(saved.get("url") or "") if isinstance(saved, dict) else ""
        self._has_password = bool(credentials.get_workspace_password())
        choice = self.saved_choice
        root = QVBoxLayout(self)

        station_form = QFormLayout()
        self.station = QLineEdit(choice.station)
        self.station.setObjectName("stationName")
        self.station.setMaxLength(100)
        self.station.setPlaceholderText(host_name())
        self.station.setToolTip(
            "Shown with every package, stock change and timeline step this station records"
        )
        station_form.addRow("This station's name:", self.station)
        root.addLayout(station_form)

        self.local_radio = QRadioButton("This computer only (the database file in the data folder)")
        self.shared_radio = QRadioButton(
            "Shared server (PostgreSQL: every packing station uses the same data)"
        )
        self.mode_group = QButtonGroup(self)
        for button in (self.local_radio, self.shared_radio):
            self.mode_group.addButton(button)
            root.addWidget(button)
        (self.shared_radio if choice.shared else self.local_radio).setChecked(True)

        self.server_box = QGroupBox("Shared server")
        form = QFormLayout(self.server_box)
        self.host = QLineEdit(choice.host)
        self.host.setObjectName("serverHost")
        self.host.setPlaceholderText("e.g. warehouse-server or 192.168.1.20")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(choice.port)
        self.dbname = QLineEdit(choice.dbname)
        self.user = QLineEdit(choice.user)
        self.password = QLineEdit()
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            "saved in the keyring — leave empty to keep" if self._has_password else ""
        )
        self.tls = QComboBox()
        for mode in SSL_MODES:
            self.tls.addItem(TLS_LABELS[mode], mode)
        self.tls.setCurrentIndex(SSL_MODES.index(choice.sslmode))
        self.ca_file = QLineEdit(choice.sslrootcert)
        self.ca_file.setPlaceholderText("the server's CA certificate (.crt / .pem)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form.addRow("Host:", self.host)
        form.addRow("Port:", self.port)
        form.addRow("Database:", self.dbname)
        form.addRow("User:", self.user)
        form.addRow("Password:", self.password)
        form.addRow("TLS:", self.tls)
        form.addRow("CA file:", ca_row)
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setMinimumHeight(self.test_result.fontMetrics().lineSpacing() * 4)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow(test_row)
        form.addRow(self.test_result)  # the whole width: the reason a server cannot be reached can be long
        root.addWidget(self.server_box)

        if database_url:
            note = QLabel(
                "This session was started with --database (or FBM_DESK_DATABASE_URL); that address wins."
            )
            note.setWordWrap(True)
            root.addWidget(note)
        self.error = error_label("workspaceError")
        root.addWidget(self.error)
        root.addWidget(save_cancel_buttons(self, self.save))
        self.mode_group.buttonToggled.connect(lambda *_: self._update_enabled())
        self.tls.currentIndexChanged.connect(lambda *_: self._update_enabled())
        self.tested.connect(self._show_test)
        self._update_enabled()

    # --- public ------------------------------------------------------------------------------------------

    def choice(self) -> WorkspaceChoice:
        return WorkspaceChoice(
            mode="shared" if self.shared_radio.isChecked() else "local",
            host=self.host.text().strip(),
            port=self.port.value(),
            dbname=self.dbname.text().strip(),
            user=self.user.text().strip(),
            sslmode=str(self.tls.currentData()),
            sslrootcert=self.ca_file.text().strip(),
            station=" ".join(self.station.text().split()),
        )

    def entered_password(self) -> str | None:
        """The password typed, else the saved one (kept when the field is left empty)."""
        typed = self.password.text()
        return typed if typed else self.credentials.get_workspace_password()

    @Slot()
    def test_connection(self) -> None:
        """Connect once on a background thread (the GUI stays responsive while the server is slow to answer)."""
        try:
            url = replace(self.choice(), mode="shared").url(self.entered_password())
        except FbmError as exc:
            self._show_test(False, exc.user_message)
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Connecting…")
        threading.Thread(
            target=self._run_test, args=(url,), name="fbm-desk-test-connection", daemon=True
        ).start()

    @Slot()
    def save(self) -> None:
        choice = self.choice()
        try:
            data = choice.to_settings()  # checks the address of a shared server
        except FbmError as exc:
            self.error.setText(exc.user_message)
            return
        if choice.shared and self.password.text():
            self.credentials.set_workspace_password(self.password.text())
        self.settings.set("workspace", data)
        set_actor(choice.station or host_name())  # from the next record on
        before = self._saved_url if self.saved_choice.shared else ""
        moved = (choice.mode, data["url"]) != (self.saved_choice.mode, before)
        self.accept()
        if moved and self._ask_restart():
            self.restart_requested.emit()

    # --- internals ---------------------------------------------------------------------------------------

    def _run_test(self, url: str) -> None:
        try:
            ok, text = True, check_connection(url)
        except FbmError as exc:
            ok, text = False, exc.user_message
        except Exception as exc:  # a malformed address psycopg refuses: say so rather than crash the thread
            ok, text = False, f"The address is not usable: {exc}"
        try:
            self.tested.emit(ok, text)
        except RuntimeError:  # the dialog was closed meanwhile
            log.debug("Connection test finished after its dialog closed")

    def _show_test(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(self.shared_radio.isChecked())
        self.test_result.setStyleSheet(f"QLabel {{ color: {OK_COLOR if ok else '#9b1111'}; }}")
        self.test_result.setText(f"Connected: {text}." if ok else text)
        self.adjustSize()  # a long reason gets the lines it needs

    def _browse_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "The server's CA certificate",
            self.ca_file.text(),
            "Certificates (*.crt *.pem *.cer);;All (*)",
        )
        if path:
            self.ca_file.setText(path)

    def _update_enabled(self) -> None:
        shared = self.shared_radio.isChecked()
        self.server_box.setEnabled(shared)
        verify = self.tls.currentData() == "verify-full"
        self.ca_file.setEnabled(verify)

    def _ask_restart(self) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restart FBM Desk?",
            "The new workspace is used from the next start. Restart FBM Desk now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.parentWidget(),
        )
        box.setObjectName("restartQuestion")
        return box.exec() == QMessageBox.StandardButton.Yes


def offer_workspace_settings(settings: Settings, credentials: Credentials, problem: str) -> None:
    """The shared workspace cannot be opened at start: say so and what to do, with a way into Settings →
    Workspace (fix the address, or work on this computer only) even though the main window cannot open."""
    box = QMessageBox(QMessageBox.Icon.Critical, "FBM Desk cannot start", problem)
    box.setObjectName("workspaceProblem")
    box.setInformativeText(
        "Start the server (or ask whoever runs it), check this computer's network, then open FBM Desk again. "
        "Or change this station's workspace now."
    )
    settings_button = box.addButton("Workspace settings…", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is not settings_button:
        return
    dialog = WorkspaceDialog(settings, credentials)
    dialog.restart_requested.connect(restart_app)
    dialog.exec()


def restart_app() -> bool:
    """Start a new FBM Desk with this one's arguments (the caller then closes this one)."""
    frozen = bool(getattr(sys, "frozen", False))
    args = sys.argv[1:] if frozen else sys.argv
    return bool(QProcess.startDetached(sys.executable, args))
