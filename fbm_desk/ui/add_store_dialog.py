"""The Add Store dialog (Amazon): name, marketplace, store options, Connect through the browser.

Connect runs ``fbm_desk.oauth.ConnectFlow``: the loopback listener starts on the GUI thread (instant), the
browser opens on Amazon's consent page, and the wait + code exchange run on a ``QThreadPool`` thread, so the
window never freezes; Cancel stops the wait within a fraction of a second. The same dialog reconnects an
existing store (``reconnect_store=``) and has an advanced path for self-authorized apps (paste a refresh
token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.amazon.marketplaces import MARKETPLACES, Marketplace
from fbm_desk.core import CoreServices
from fbm_desk.db.rows import StoreRow
from fbm_desk.domain.stores import StoreOptions, add_store, replace_token
from fbm_desk.foundation.errors import FbmError
from fbm_desk.oauth import ConnectCancelled, ConnectFlow, ConnectRequest, ConnectResult, add_sibling_stores
from fbm_desk.oauth.flow import DEFAULT_TIMEOUT_S
from fbm_desk.ui.add_store_form import PastedTokenFields, StoreFormPanel
from fbm_desk.ui.add_store_parts import DonePanel, StoreOptionsBox, WaitingPanel, named
from fbm_desk.ui.store_tasks import TaskSet

log = logging.getLogger(__name__)

ERROR_STYLE = "QLabel { color: #b00020; }"


def _open_in_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def by_code_or_none(code: str) -> Marketplace | None:
    return next((m for m in MARKETPLACES if m.code == code), None)


class AddStoreDialog(QDialog):
    store_added = Signal(int)  # a store was added or reconnected (its id)

    def __init__(
        self,
        core: CoreServices,
        parent: QWidget | None = None,
        *,
        reconnect_store: StoreRow | None = None,
        open_url: Callable[[str], bool] = _open_in_browser,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        super().__init__(parent)
        self.core = core
        self.reconnect_store = reconnect_store
        self.open_url = open_url
        self.timeout_s = timeout_s
        self.flow: ConnectFlow | None = None
        self.result_store: StoreRow | None = None
        self._tasks = TaskSet()
        self.setObjectName("addStoreDialog")
        title = (
            f"Reconnect store '{reconnect_store.name}'" if reconnect_store else "Connect Your Amazon Store"
        )
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self._build(title)
        self._update_mode()
        if reconnect_store is not None:
            self._fill_reconnect(reconnect_store)

    # --- layout ---
    def _build(self, title: str) -> None:
        root = QVBoxLayout(self)
        heading = QLabel(f"<b style='font-size:15px'>{title}</b>")
        root.addWidget(heading)

        self.form_panel = StoreFormPanel()
        self.integration_combo, self.name_edit, self.name_hint, self.marketplace_combo = (
            self.form_panel.integration_combo,
            self.form_panel.name_edit,
            self.form_panel.name_hint,
            self.form_panel.marketplace_combo,
        )
        self.name_edit.textChanged.connect(self._on_name_changed)
        self.marketplace_combo.currentIndexChanged.connect(self._clear_error)
        root.addWidget(self.form_panel)

        self.options_box = StoreOptionsBox()
        box = self.options_box
        self.download_check, self.pending_check = box.download_check, box.pending_check
        self.remove_stock_check, self.match_radio, self.zero_radio = (
            box.remove_stock_check,
            box.match_radio,
            box.zero_radio,
        )
        root.addWidget(self.options_box)

        self.draft_check = named(
            QCheckBox("My Amazon app is still a Draft (send version=beta on the consent page)"), "draftCheck"
        )
        self.draft_check.setChecked(self.core.spapi_config.send_version_beta)
        self.draft_check.setToolTip(
            "Saved in settings.json (amazon.consent_beta). Untick once the app is published."
        )
        self.draft_check.toggled.connect(self.core.set_consent_beta)
        root.addWidget(self.draft_check)
        self.relay_label = named(QLabel(escape(self.core.spapi_config.relay_problem())), "relayLabel")
        self.relay_label.setWordWrap(True)
        self.relay_label.setStyleSheet(ERROR_STYLE)
        self.relay_label.setVisible(bool(self.core.spapi_config.relay_problem()))
        root.addWidget(self.relay_label)

        self.advanced_box = QCheckBox("Advanced: paste a refresh token (self-authorized app)")
        self.advanced_box.setObjectName("advancedBox")
        self.advanced_box.toggled.connect(self._update_mode)
        self.advanced_fields = PastedTokenFields()
        self.advanced_fields.hide()  # shown while the box is checked
        self.seller_edit, self.token_edit = self.advanced_fields.seller_edit, self.advanced_fields.token_edit
        root.addWidget(self.advanced_box)
        root.addWidget(self.advanced_fields)

        self.error_label = named(QLabel(), "errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        root.addWidget(self.error_label)

        self.waiting_panel = WaitingPanel()
        self.waiting_panel.cancel_requested.connect(self.cancel_connect)
        self.waiting_label, self.url_edit = self.waiting_panel.label, self.waiting_panel.url_edit
        self.copy_button, self.cancel_wait_button = (
            self.waiting_panel.copy_button,
            self.waiting_panel.cancel_button,
        )
        self.waiting_panel.hide()
        root.addWidget(self.waiting_panel)

        self.done_panel = DonePanel()
        self.done_panel.add_requested.connect(self._add_siblings)
        self.done_label, self.siblings_box = self.done_panel.label, self.done_panel.siblings_box
        self.add_siblings_button = self.done_panel.add_button
        self.done_panel.hide()
        root.addWidget(self.done_panel)

        root.addStretch(1)  # spare height goes here, not between the fields
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = named(QPushButton("Close"), "closeButton")
        self.close_button.clicked.connect(self.reject)
        self.connect_button = named(QPushButton("Connect"), "connectButton")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.on_connect_clicked)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.connect_button)
        root.addLayout(buttons)

    def _fill_reconnect(self, store: StoreRow) -> None:
        self.form_panel.fill_reconnect(store)
        self.options_box.hide()
        self.seller_edit.setText(store.selling_partner_id)
        self.seller_edit.setReadOnly(True)
        self.connect_button.setText("Reconnect")
        self._clear_error()

    # --- state helpers ---
    @property
    def waiting(self) -> bool:
        return self.flow is not None

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    @Slot()
    def _clear_error(self) -> None:
        self.show_error("")

    @Slot()
    def _update_mode(self) -> None:
        pasted = self.advanced_box.isChecked()
        self.advanced_fields.setVisible(pasted)
        self._fit()
        if pasted:
            (self.token_edit if self.seller_edit.isReadOnly() else self.seller_edit).setFocus()
        if self.reconnect_store is not None:
            self.connect_button.setText("Save token" if pasted else "Reconnect")
        else:
            self.connect_button.setText("Add Store" if pasted else "Connect")

    def _fit(self, *, shrink: bool = False) -> None:
        """Fit the height to the layout at the current width (word-wrapped notes must not squeeze)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height() or shrink:
            self.resize(self.width(), needed)

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.form_panel,
            self.options_box,
            self.advanced_box,
            self.advanced_fields,
            self.connect_button,
        ):
            widget.setEnabled(not busy)
        if self.reconnect_store is not None:
            self.marketplace_combo.setEnabled(False)
        self.waiting_panel.setVisible(busy)
        self._fit()

    @Slot(str)
    def _on_name_changed(self, _text: str) -> None:
        if self.reconnect_store is not None:
            return
        self.show_error(self.form_panel.name_problem())

    def _validated(self) -> tuple[str, str] | None:
        """(name, marketplace code), or None with the reason shown."""
        if self.reconnect_store is not None:
            return self.reconnect_store.name, self.form_panel.marketplace_code()
        checked = self.form_panel.validated()
        if isinstance(checked, str):
            self.show_error(checked)
            return None
        return checked

    def options(self) -> StoreOptions:
        return self.options_box.options()

    # --- actions ---
    @Slot()
    def on_connect_clicked(self) -> None:
        if self.waiting:
            return
        checked = self._validated()
        if checked is None:
            return
        self._clear_error()
        if self.advanced_box.isChecked():
            self._save_pasted_token(*checked)
        else:
            self._start_connect(*checked)

    def _save_pasted_token(self, name: str, code: str) -> None:
        token = self.token_edit.text().strip()
        try:
            if self.reconnect_store is not None:
                if not token:
                    self.show_error("Paste the refresh token of your self-authorized app.")
                    return
                store = replace_token(self.core, self.reconnect_store.id, token)
            else:
                store = add_store(
                    self.core,
                    name=name,
                    marketplace=code,
                    selling_partner_id=self.seller_edit.text(),
                    refresh_token=token,
                    options=self.options(),
                )
        except FbmError as exc:
            self.show_error(exc.user_message)
            return
        self.token_edit.clear()
        verb = "Token saved for store" if self.reconnect_store is not None else "Store added:"
        name, seller = escape(store.name), escape(store.selling_partner_id)
        self._show_done(store, f"<b>{verb} '{name}' (seller {seller}).</b>", ())

    def _start_connect(self, name: str, code: str) -> None:
        if self.reconnect_store is not None:
            flow = ConnectFlow.for_reconnect(self.core, self.reconnect_store.id)
        else:
            flow = ConnectFlow(self.core, ConnectRequest(name=name, marketplace=code, options=self.options()))
        try:
            url = flow.start()
        except FbmError as exc:
            flow.close()
            self.show_error(exc.user_message)
            return
        self.flow = flow
        self.destroyed.connect(flow.cancel)  # the dialog deleted with its parent window: stop waiting
        self.waiting_panel.start(url, browser_opened=True)
        self._set_busy(True)
        if not self.open_url(url):
            self.waiting_panel.start(url, browser_opened=False)
            self._fit()
        timeout = self.timeout_s
        self._tasks.run(lambda: flow.wait(timeout), self._on_connected, self._on_connect_failed)

    @Slot()
    def cancel_connect(self) -> None:
        if self.flow is not None:
            self.flow.cancel()

    def _finish_flow(self) -> None:
        if self.flow is not None:
            self.flow.close()
            self.flow = None
        self._set_busy(False)

    def _on_connected(self, result: ConnectResult) -> None:
        self._finish_flow()
        store = result.store
        verb = "Reconnected" if result.reconnected else "Connected"
        text = f"<b>{verb} '{escape(store.name)}' (seller {escape(store.selling_partner_id)}).</b>"
        if not result.reconnected:
            text += "<br>Products start syncing now; orders are imported as Amazon releases them."
        if result.warning:
            text += f"<br><span style='color:#b45f06'>{escape(result.warning)}</span>"
        self._show_done(store, text, [m.code for m in result.other_marketplaces])

    def _on_connect_failed(self, exc: BaseException) -> None:
        self._finish_flow()
        if isinstance(exc, ConnectCancelled):
            self.show_error("Cancelled. Nothing was stored.")
        elif isinstance(exc, FbmError):
            self.show_error(exc.user_message)
        else:
            self.show_error("FBM Desk hit an internal error; details are in the log file.")
            raise exc

    def _show_done(self, store: StoreRow, text: str, sibling_codes: list[str] | tuple[str, ...]) -> None:
        self.result_store = store
        self.form_panel.hide()
        self.options_box.hide()
        self.advanced_box.hide()
        self.advanced_fields.hide()
        self.connect_button.hide()
        self.close_button.setText("Done")
        self.close_button.setDefault(True)
        others = [m for m in (by_code_or_none(c) for c in sibling_codes) if m is not None]
        self.done_panel.show_result(text, others)
        self.done_panel.show()
        self._fit(shrink=True)
        self.store_added.emit(store.id)

    def _add_siblings(self, codes: list[str]) -> None:
        if not codes or self.result_store is None:
            return
        try:
            added = add_sibling_stores(self.core, self.result_store, codes)
        except FbmError as exc:
            self.show_error(exc.user_message)
            return
        self.done_panel.mark_added("Also added " + ", ".join(f"'{s.name}'" for s in added) + ".")
        for store in added:
            self.store_added.emit(store.id)

    # --- closing while waiting cancels the attempt ---
    def reject(self) -> None:
        self.cancel_connect()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_connect()
        super().closeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # Hidden by the program (parent window closing, dialog closed): nobody can see the result any
        # more, and a waiting worker would hold the thread pool (and the app's exit) until the timeout.
        # A spontaneous hide (the window system minimizing the app while the user is in the browser)
        # keeps waiting.
        if not event.spontaneous():
            self.cancel_connect()
        super().hideEvent(event)

    def pending_tasks(self) -> int:
        return len(self._tasks)
