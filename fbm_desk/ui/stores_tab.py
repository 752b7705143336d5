"""The Stores tab: connected Amazon stores, their health, and the actions on them.

Add Store / Reconnect open ``AddStoreDialog``; Check connection calls getMarketplaceParticipations on a pool
thread; Settings edits the store options; Disable/Enable pauses syncing; Remove deletes the store's local data
after an explicit confirmation. A banner lists stores that need reconnecting, a notice shows when tokens
are kept in the insecure fallback file, another when this workspace station lacks the workspace key
(``workspace_key_notice``: packing only, with Enter workspace key…).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.amazon.errors import AccessDenied, AuthorizationRevoked
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.add_store_dialog import AddStoreDialog, _open_in_browser
from fbm_desk.ui.store_removal import StoreRemovals, confirm_removal
from fbm_desk.ui.store_settings_dialog import StoreSettingsDialog
from fbm_desk.ui.store_tasks import TaskSet
from fbm_desk.ui.sync_now import SyncNowButtons
from fbm_desk.ui.tab_parts import row_table
from fbm_desk.ui.table_models.stores_model import StoresTableModel
from fbm_desk.ui.workspace_key_notice import BOX, WorkspaceKeyNotice, show_insecure_notice

if TYPE_CHECKING:
    from fbm_desk.db.sync_runs_view import JobHealthRow
    from fbm_desk.ui.services import Services

log = logging.getLogger(__name__)

BANNER_STYLE = f"QLabel {{ background: #fde7e9; color: #8a1020; border: 1px solid #f3b5bc; {BOX} }}"
HEALTH_HEADERS = ("Job", "Last run", "Result", "Last success", "Next run")
REFRESH_INTERVAL_MS = 60_000
FIRST_SYNC_JOBS = ("products-full", "orders")


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


class StoresTab(QWidget):
    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        open_url: Callable[[str], bool] = _open_in_browser,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.core = services.core
        self.open_url = open_url
        self.dialog: QWidget | None = None
        self.message_box: QMessageBox | None = None
        self._tasks = TaskSet()
        self.setObjectName("storesTab")
        self._build()
        self._connect_runner()
        self.removals = StoreRemovals(self.core, self)
        self.removals.progressed.connect(lambda *_: self.model.refresh_status())
        self.removals.ended.connect(self._removal_ended)
        self.model.removal_text = self.removals.status_text
        self.removals.resume()  # a removal a crash or a closed window left unfinished (one small read)
        self.refresh()
        self._clock = QTimer(self)  # keeps "3 min ago" and token ages current
        self._clock.setInterval(REFRESH_INTERVAL_MS)
        self._clock.timeout.connect(self.refresh)
        self._clock.start()

    # --- layout ---
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.insecure_notice = QLabel()
        self.insecure_notice.setObjectName("insecureNotice")
        self.insecure_notice.setWordWrap(True)
        root.addWidget(self.insecure_notice)
        self.key_notice = WorkspaceKeyNotice(
            self.core.credentials, self.core.workspace
        )  # no workspace key here
        self.key_notice.joined.connect(self._joined_workspace)
        root.addWidget(self.key_notice)
        self._show_secrets_notice()

        self.reconnect_banner = QLabel()
        self.reconnect_banner.setObjectName("reconnectBanner")
        self.reconnect_banner.setWordWrap(True)
        self.reconnect_banner.setStyleSheet(BANNER_STYLE)
        self.reconnect_banner.hide()
        root.addWidget(self.reconnect_banner)

        # A tool bar, not a row layout: on a narrow window the buttons that do not fit go to its overflow.
        bar = QToolBar()
        bar.setObjectName("storesToolBar")
        self.add_button = _button("+ Add Store", "addStoreButton", self.open_add_store)
        self.reconnect_button = _button("Reconnect", "reconnectButton", self.open_reconnect)
        self.check_button = _button("Check connection", "checkButton", self.check_connection)
        self.settings_button = _button("Settings", "settingsButton", self.open_settings)
        self.toggle_button = _button("Disable", "toggleButton", self.toggle_enabled)
        self.remove_button = _button("Remove", "removeButton", self.confirm_remove)
        self.sync = SyncNowButtons(self.services.runner, self.selected_store, self)
        for button in (
            self.add_button,
            self.sync.button,
            self.sync.all_button,
            self.reconnect_button,
            self.check_button,
            self.settings_button,
            self.toggle_button,
        ):
            bar.addWidget(button)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.remove_button)
        root.addWidget(bar)
        root.addWidget(self.sync.message)

        self.model = StoresTableModel(self)
        self.model.demo = self.services.demo is not None
        self.table = row_table("storesTable", self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.open_settings)
        root.addWidget(self.table, 3)

        self.empty_label = QLabel("No stores yet. Click <b>+ Add Store</b> to connect your Amazon store.")
        self.empty_label.setObjectName("emptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        root.addWidget(self.empty_label)

        self.details = QLabel()
        self.details.setObjectName("storeDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        root.addWidget(self.details, 1)

    def _connect_runner(self) -> None:
        runner = self.services.runner
        if runner is None:
            return
        for signal in (
            runner.job_started,
            runner.job_finished,
            runner.job_failed,
            runner.store_needs_reconnect,
        ):
            signal.connect(self._on_runner_event)

    # --- data ---
    def _health(self) -> dict[int, list[JobHealthRow]]:
        rows: list[JobHealthRow]
        scheduler = self.services.scheduler
        if scheduler is not None:
            rows = scheduler.health()
        else:
            from fbm_desk.db.sync_runs_view import job_health
            from fbm_desk.sync.base import JobKind

            rows = job_health([kind.value for kind in JobKind])
        grouped: dict[int, list[JobHealthRow]] = {}
        for row in rows:
            grouped.setdefault(row.store_id, []).append(row)
        return grouped

    @Slot()
    def refresh(self) -> None:
        selected = self.selected_store()
        stores = store_db.list_stores()
        try:
            health = self._health()
        except Exception:  # health is a nice-to-have; the list of stores must always show
            log.exception("Could not read the sync health")
            health = {}
        self.model.set_stores(stores, health)
        self.empty_label.setVisible(not stores)
        if selected is not None:
            self.select_store(selected.id)
        elif stores:
            self.select_store(stores[0].id)
        needing = [s.name for s in stores if s.status == StoreStatus.NEEDS_RECONNECT]
        if needing:
            names = ", ".join(f"'{n}'" for n in needing)
            self.reconnect_banner.setText(
                f"<b>Reconnect needed:</b> Amazon no longer accepts the authorization of {names}. "
                "Orders and stock are not synced until you select the store and click <b>Reconnect</b>."
            )
        self.reconnect_banner.setVisible(bool(needing))
        self._update_buttons()

    def _on_runner_event(self, *args: object) -> None:
        self.refresh()

    def _show_secrets_notice(self) -> None:
        demo, blocked = self.services.demo is not None, self.key_notice.blocked
        show_insecure_notice(self.insecure_notice, self.core.credentials, demo=demo, blocked=blocked)

    @Slot(str)
    def _joined_workspace(self, message: str) -> None:
        self.sync.message.setText(message)
        self.sync.message.show()
        self._show_secrets_notice()
        self._update_buttons()

    def selected_store(self) -> StoreRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.store_at(rows[0].row()) if rows else None

    def select_store(self, store_id: int) -> None:
        row = self.model.row_of(store_id)
        if row < 0:
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(self.model.index(row, 0), flags)
        self.table.setCurrentIndex(self.model.index(row, 0))

    @Slot()
    def _update_buttons(self) -> None:
        store = self.selected_store()
        for button in (self.reconnect_button, self.check_button, self.settings_button, self.toggle_button):
            button.setEnabled(store is not None and not store.removing)
        self.remove_button.setEnabled(store is not None and not store.removing)
        self.toggle_button.setText(
            "Enable" if store is not None and store.status == StoreStatus.DISABLED else "Disable"
        )
        self.check_button.setEnabled(
            store is not None and not store.removing and store.status != StoreStatus.DISABLED
        )
        self.sync.update(store)
        self._show_details(store)

    def _show_details(self, store: StoreRow | None) -> None:
        if store is None:
            self.details.setText("")
            return
        status = f" — {escape(store.status_message)}" if store.status_message else ""
        rows = "".join(
            "<tr>" + "".join(f"<td style='padding-right:18px'>{escape(c)}</td>" for c in cells) + "</tr>"
            for cells in self.model.health_cells(store.id)
        )
        head = "".join(f"<th align='left' style='padding-right:18px'>{h}</th>" for h in HEALTH_HEADERS)
        table = f"<table><tr>{head}</tr>{rows}</table>" if rows else "No sync has run yet."
        self.details.setText(f"<b>Sync health of '{escape(store.name)}'</b>{status}{table}")

    # --- messages ---
    def _inform(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("storesMessage")
        box.open()
        self.message_box = box

    # --- actions ---
    @Slot()
    def open_add_store(self) -> AddStoreDialog:
        dialog = AddStoreDialog(self.core, self, open_url=self.open_url)
        dialog.store_added.connect(self._on_store_added)
        dialog.open()
        self.dialog = dialog
        return dialog

    @Slot()
    def open_reconnect(self) -> AddStoreDialog | None:
        store = self.selected_store()
        if store is None:
            return None
        dialog = AddStoreDialog(self.core, self, reconnect_store=store, open_url=self.open_url)
        dialog.store_added.connect(self._on_store_reconnected)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _on_store_added(self, store_id: int) -> None:
        self.refresh()
        self.select_store(store_id)
        runner = self.services.runner
        if runner is not None:
            for kind in FIRST_SYNC_JOBS:  # products begin syncing right after connecting (seeds)
                runner.enqueue(store_id, kind, "connect")

    def _on_store_reconnected(self, store_id: int) -> None:
        self.refresh()
        self.select_store(store_id)

    @Slot()
    def open_settings(self) -> StoreSettingsDialog | None:
        store = self.selected_store()
        if store is None:
            return None
        dialog = StoreSettingsDialog(store, self)
        dialog.saved.connect(lambda _id: self.refresh())
        dialog.open()
        self.dialog = dialog
        return dialog

    @Slot()
    def toggle_enabled(self) -> None:
        store = self.selected_store()
        if store is None:
            return
        if store.status == StoreStatus.DISABLED:
            store_db.set_status(store.id, StoreStatus.CONNECTED)
        else:
            runner = self.services.runner
            if runner is not None:
                runner.cancel(store.id)
            store_db.set_status(store.id, StoreStatus.DISABLED, "Disabled by the user: not synced.")
        self.refresh()

    @Slot()
    def check_connection(self) -> None:
        store = self.selected_store()
        if store is None:
            return
        self.check_button.setEnabled(False)
        self.check_button.setText("Checking…")
        core = self.core
        self._tasks.run(
            lambda: core.client_for(store).marketplace_participations(),
            lambda parts: self._on_checked(store, parts),
            lambda exc: self._on_check_failed(store, exc),
        )

    def _end_check(self) -> None:
        self.check_button.setText("Check connection")
        self.refresh()

    def _on_checked(self, store: StoreRow, parts: list[Any]) -> None:
        if store.status == StoreStatus.NEEDS_RECONNECT:
            store_db.set_status(store.id, StoreStatus.CONNECTED)
        self._end_check()
        names = ", ".join(p.name or p.marketplace_id for p in parts if p.is_participating) or "none"
        self._inform("Connection OK", f"Store '{store.name}' is connected.\nAmazon marketplaces: {names}.")

    def _on_check_failed(self, store: StoreRow, exc: BaseException) -> None:
        if isinstance(exc, AuthorizationRevoked | AccessDenied):
            store_db.set_status(store.id, StoreStatus.NEEDS_RECONNECT, exc.user_message)
        self._end_check()
        if isinstance(exc, FbmError):
            self._inform("Connection problem", exc.user_message, QMessageBox.Icon.Warning)
            return
        raise exc

    @Slot()
    def confirm_remove(self) -> QMessageBox | None:
        store = self.selected_store()
        if store is None or store.removing:
            return None
        self.message_box = confirm_removal(self, store, lambda: self._remove(store))
        return self.message_box

    def _remove(self, store: StoreRow) -> None:
        runner = self.services.runner
        if runner is not None:
            runner.cancel(store.id)
        self.removals.start(store.id)  # on its own thread, in steps (ui/store_removal.py)
        self.refresh()

    def _removal_ended(self, _store_id: int, error: str) -> None:
        self.refresh()
        if error:
            self._inform("Could not remove the store", error, QMessageBox.Icon.Warning)
