"""The Stores tab's notice on a shared-workspace station that cannot sync (it lacks the workspace key, or holds
another workspace's), with **Enter workspace key…** to join from the window (what ``fbm-desk workspace-key join``
does on the command line; ``db.workspace_secrets``).

The notice says what still works (packing, stock, orders), who syncs meanwhile, and where the key comes from.
Once joined it hides, the Sync buttons come back, and the scheduler takes over the stores no station runs at its
next claim (``sync.scheduler``).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QWidget

from fbm_desk.db.privacy import WorkspaceStatus
from fbm_desk.db.workspace_secrets import MISSING, WRONG, WorkspaceCredentials
from fbm_desk.foundation.credentials import Credentials
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.wording import DEMO_SECRETS_TEXT

BOX = "border-radius: 4px; padding: 8px;"
INSECURE_STYLE = f"QLabel {{ background: #fff4ce; color: #6b4a00; border: 1px solid #f0d58a; {BOX} }}"
DEMO_STYLE = f"QLabel {{ background: #eef4fb; color: #1f3b57; border: 1px solid #c9dbee; {BOX} }}"
NOTICE_STYLE = (
    "QWidget#workspaceKeyNotice { background: #fff4ce; border: 1px solid #f0d58a; border-radius: 4px; }"
    " QLabel { color: #6b4a00; }"
)
HEADLINE = "Packing only: this station does not connect to Amazon."
WORKS = (
    "Packing, printing and stock work as usual here. A station that has the workspace key syncs the stores and "
    "sends the packages recorded here to Amazon; buying shipping labels needs the key."
)
HOW_TO_JOIN = (
    "To sync from this station too: get the workspace key on a station that syncs (there: "
    "<code>fbm-desk workspace-key export</code>), then click <b>Enter workspace key…</b> (once per station)."
)
DIALOG_LABEL = (
    "Paste the workspace key (it starts with fbmkey1-). Get it on a station that syncs with\n"
    "  fbm-desk workspace-key export\n"
    "Treat it like a password."
)
OTHER_KEY = "The workspace key kept here is another workspace's."
JOINED = "This station now has the workspace key: it syncs the stores too."
RESTART = " Restart FBM Desk to show buyer names and addresses."


class WorkspaceKeyNotice(QWidget):
    """Shown while ``credentials.sync_blocked()`` says why this station cannot sync; hidden otherwise."""

    joined = Signal(str)  # this station can sync now: what to tell the user

    def __init__(
        self, credentials: Credentials, buyer_data: WorkspaceStatus | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        # the same key opens the buyer data, which stays locked until the next start
        self._buyer_data_locked = buyer_data is not None and bool(buyer_data.message)
        self.setObjectName("workspaceKeyNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # the box's background, as a QLabel's
        self.setStyleSheet(NOTICE_STYLE)
        self._credentials = credentials
        self.dialog: QInputDialog | None = None
        self.blocked = ""  # why this station cannot sync ("" when it can)
        row = QHBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("workspaceKeyText")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.join_button = QPushButton("Enter workspace key…")
        self.join_button.setObjectName("joinWorkspaceButton")
        self.join_button.clicked.connect(self.ask_for_key)
        row.addWidget(self.join_button)
        self.update_state()

    def update_state(self, error: str = "") -> None:
        self.blocked = blocked = self._credentials.sync_blocked()
        if not blocked:
            self.hide()
            return
        why = {MISSING: WORKS, WRONG: f"{OTHER_KEY} {WORKS}"}.get(blocked, escape(blocked))
        text = f"<b>{HEADLINE}</b> {why}<br>{HOW_TO_JOIN}"
        if error:
            text += f"<br><b style='color:#8a1020'>{escape(error)}</b>"
        self.label.setText(text)
        self.show()

    @Slot()
    def ask_for_key(self) -> None:
        dialog = QInputDialog(self)
        dialog.setObjectName("workspaceKeyDialog")
        dialog.setWindowTitle("Enter workspace key")
        dialog.setLabelText(DIALOG_LABEL)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setOkButtonText("Join")
        dialog.textValueSelected.connect(self.join)
        self.dialog = dialog
        dialog.open()

    @Slot(str)
    def join(self, text: str) -> None:
        """Keep the key on this station when it is this workspace's (nothing is stored otherwise)."""
        if not isinstance(self._credentials, WorkspaceCredentials) or not text.strip():
            return
        try:
            self._credentials.join(text)
        except FbmError as exc:
            self.update_state(error=str(exc))
            return
        self.update_state()
        self.joined.emit(JOINED + (RESTART if self._buyer_data_locked else ""))


def show_insecure_notice(label: QLabel, credentials: Credentials, *, demo: bool, blocked: str) -> None:
    """The Stores tab's notice on insecure secret storage; the demo's throwaway tokens are said calmly, not as a
    warning. Not while this station lacks the workspace key (``blocked``): its own notice says what matters."""
    label.setStyleSheet(DEMO_STYLE if demo else INSECURE_STYLE)
    label.setText(
        DEMO_SECRETS_TEXT if demo else f"<b>Secrets: INSECURE fallback.</b> {credentials.describe()}"
    )
    label.setVisible(credentials.is_insecure and not blocked)
