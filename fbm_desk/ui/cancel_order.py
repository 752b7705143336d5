""" "Cancel order at Amazon…": the reason picker with its confirmation, and the cancellation running in the
background (``fbm_desk.domain.order_cancel`` on a pool thread; the GUI never waits for Amazon).

The order detail panel and the pack dialog's cancel-request notice ask for it; the Orders tab owns one
``OrderCanceler``, shows its outcome and asks for an orders sync right away (the next sync shows the order
Canceled and frees its stock).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.core import CoreServices
from fbm_desk.db.domain_rows import OrderRow
from fbm_desk.db.orders import get_order
from fbm_desk.domain.order_cancel import REASONS, CancelOutcome, cancel_order
from fbm_desk.foundation.errors import FbmError
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.store_tasks import TaskSet

DEFAULT_REASON = "no-inventory"
BUYER_REASON = "buyer-canceled"


class CancelOrderDialog(QDialog):
    """The reason and the explicit confirmation; "Keep the order" is the default button."""

    def __init__(self, order: OrderRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cancelOrderDialog")
        self.setWindowTitle("Cancel order at Amazon")
        self.order = order
        asked = order.flags.cancel_requested
        intro = QLabel(
            f"<b>Cancel order {order.amazon_order_id} at Amazon?</b><br>"
            + (f"{order.flags.cancel_text}.<br>" if asked else "")
            + "Amazon cancels every item of the order and tells the buyer; this cannot be undone. "
            "Do not ship it afterwards."
        )
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setObjectName("cancelReason")
        for key, (_amazon, label) in REASONS.items():
            self.reason.addItem(label, key)
        self.reason.setCurrentIndex(self.reason.findData(BUYER_REASON if asked else DEFAULT_REASON))
        hint = QLabel(
            "Choose “Buyer canceled” only when the buyer asked to cancel; a cancellation for another reason "
            "counts in your account's cancellation rate."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("QLabel { color: #555; }")
        form = QFormLayout()
        form.addRow("&Reason", self.reason)
        buttons = QDialogButtonBox()
        self.confirm_button = QPushButton("Cancel order at Amazon")
        self.confirm_button.setObjectName("confirmCancelOrder")
        self.confirm_button.setAutoDefault(False)
        self.keep_button = QPushButton("Keep the order")
        self.keep_button.setObjectName("keepOrder")
        self.keep_button.setDefault(True)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.confirm_button.clicked.connect(self.accept)
        self.keep_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        self.keep_button.setFocus()

    def reason_key(self) -> str:
        return str(self.reason.currentData())


class OrderCanceler(QObject):
    """Asks (``ask``), then cancels in the background. Emits ``started(order_id)`` and
    ``finished(order_id, canceled, message)``; a bug (not an ``FbmError``) is raised on the GUI thread."""

    started = Signal(int)
    finished = Signal(int, bool, str)

    def __init__(self, core: CoreServices, runner: JobRunner | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self._tasks = TaskSet()
        self.dialog: CancelOrderDialog | None = None

    def ask(self, order_id: int, parent: QWidget | None) -> CancelOrderDialog | None:
        try:
            order = get_order(order_id)
        except FbmError as exc:
            self.finished.emit(order_id, False, exc.user_message)
            return None
        dialog = CancelOrderDialog(order, parent)
        dialog.accepted.connect(lambda: self.start(order, dialog.reason_key()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def start(self, order: OrderRow, reason: str) -> None:
        core = self.core
        self.started.emit(order.id)
        self._tasks.run(
            lambda: cancel_order(core, order.id, reason),
            lambda outcome: self._done(order, outcome),
            lambda exc: self._failed(order, exc),
        )

    def busy(self) -> bool:
        return len(self._tasks) > 0

    def _done(self, order: OrderRow, outcome: CancelOutcome) -> None:
        if self.runner is not None:
            self.runner.enqueue(order.store_id, JobKind.ORDERS, "cancel")
        self.finished.emit(
            order.id, True, f"{outcome.message} The next order sync shows it as canceled and frees its stock."
        )

    def _failed(self, order: OrderRow, exc: BaseException) -> None:
        if isinstance(exc, FbmError):
            self.finished.emit(order.id, False, exc.user_message)
            return
        raise exc
