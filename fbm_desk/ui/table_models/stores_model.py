"""The Stores table: one row per store with its status, last sync per job and token age."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus
from fbm_desk.db.sync_runs_view import JobHealthRow
from fbm_desk.foundation.timestamps import parse_utc
from fbm_desk.ui.table_models.formatting import job_title

STATUS_LABELS: dict[str, str] = {
    StoreStatus.CONNECTED: "Connected",
    StoreStatus.NEEDS_RECONNECT: "Needs reconnect",
    StoreStatus.DISABLED: "Disabled",
}
STATUS_COLORS: dict[str, str] = {
    StoreStatus.CONNECTED: "#1d6b34",
    StoreStatus.NEEDS_RECONNECT: "#b00020",
    StoreStatus.DISABLED: "#666666",
}
RENEW_AFTER_DAYS = 335  # public-app authorizations must be renewed every 365 days (spapi-notes §2.1)
INSECURE_KIND = "insecure_fallback"
ModelIndex = QModelIndex | QPersistentModelIndex


def ago(value: datetime | None, now: datetime) -> str:
    """``3 min ago`` / ``2 h ago`` / ``4 days ago``; '' for None."""
    if value is None:
        return ""
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def token_age(store: StoreRow, now: datetime) -> tuple[str, bool]:
    """(text, needs renewal soon)."""
    when = parse_utc(store.token_updated_at)
    if when is None:
        return "—", False
    days = max(0, (now - when).days)
    text = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"
    return text, days >= RENEW_AFTER_DAYS


def is_insecure(store: StoreRow) -> bool:
    """The store's token is stored unencrypted (the fallback file, or a keyring backend that does not encrypt)."""
    return store.secret_storage == INSECURE_KIND


class StoresTableModel(QAbstractTableModel):
    COLUMNS = ("Name", "Marketplace", "Seller ID", "Status", "Last sync", "Authorized", "Secrets")
    STORE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: object | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._stores: list[StoreRow] = []
        self._health: dict[int, list[JobHealthRow]] = {}
        self._now = now or (lambda: datetime.now(UTC))
        self.demo = False  # the demo's throwaway tokens are not called insecure
        # The progress of a removal running in this window (ui/store_removal.py), None when none runs here.
        self.removal_text: Callable[[int], str | None] = lambda _store_id: None

    # --- data in ---
    def set_stores(
        self, stores: Sequence[StoreRow], health: Mapping[int, Sequence[JobHealthRow]] | None = None
    ) -> None:
        self.beginResetModel()
        self._stores = list(stores)
        self._health = {k: list(v) for k, v in (health or {}).items()}
        self.endResetModel()

    def refresh_status(self) -> None:
        """Repaint the Status column (a removal's progress moved on)."""
        column = self.COLUMNS.index("Status")
        if self._stores:
            self.dataChanged.emit(self.index(0, column), self.index(len(self._stores) - 1, column))

    def store_at(self, row: int) -> StoreRow | None:
        return self._stores[row] if 0 <= row < len(self._stores) else None

    def row_of(self, store_id: int) -> int:
        for row, store in enumerate(self._stores):
            if store.id == store_id:
                return row
        return -1

    def stores(self) -> list[StoreRow]:
        return list(self._stores)

    def health(self, store_id: int) -> list[JobHealthRow]:
        return list(self._health.get(store_id, []))

    # --- Qt model API ---
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._stores)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid():
            return None
        store = self.store_at(index.row())
        if store is None or not 0 <= index.column() < len(self.COLUMNS):
            return None
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(store, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(store, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._color(store, column)
        if role == self.STORE_ID_ROLE:
            return store.id
        return None

    # --- cells ---
    def _display(self, store: StoreRow, column: str) -> str:
        now = self._now()
        if column == "Name":
            return store.name
        if column == "Marketplace":
            market = by_id(store.marketplace_id)
            return f"{market.name} ({market.code})" if market else store.marketplace_id
        if column == "Seller ID":
            return store.selling_partner_id
        if column == "Status":
            removing = self.removal_text(store.id) or ("Removing…" if store.removing else None)
            return removing or STATUS_LABELS.get(store.status, store.status)
        if column == "Last sync":
            return self._last_sync(store.id, now)
        if column == "Authorized":
            text, renew = token_age(store, now)
            return f"{text} (renew soon)" if renew else text
        if column == "Secrets":
            if is_insecure(store):
                return "demo file (throwaway)" if self.demo else "INSECURE file"
            return "keyring"
        return ""

    def _last_sync(self, store_id: int, now: datetime) -> str:
        runs = [h for h in self._health.get(store_id, []) if h.last_run is not None]
        if not runs:
            return "never"
        latest = max(
            runs, key=lambda h: h.last_run.started_at if h.last_run else datetime.min.replace(tzinfo=UTC)
        )
        run = latest.last_run
        assert run is not None
        failed = sum(1 for h in runs if h.result == "failed")
        text = f"{job_title(latest.job)} {ago(run.started_at, now)} ({run.status})"
        return f"{text} · {failed} failing" if failed else text

    def _tooltip(self, store: StoreRow, column: str) -> str | None:
        if column == "Status" and store.status_message:
            return store.status_message
        if column == "Last sync":
            lines = [self.describe_job(h) for h in self._health.get(store.id, [])]
            return "\n".join(lines) or None
        if column == "Authorized":
            return "Amazon asks sellers to renew an app's authorization every 365 days: use Reconnect."
        if column == "Secrets" and is_insecure(store):
            return (
                "This store's refresh token is stored unencrypted: in the fallback file (no system keyring) "
                "or in a keyring backend that does not encrypt."
            )
        return None

    def describe_job(self, h: JobHealthRow) -> str:
        now = self._now()
        last = f"{h.result}, {ago(h.last_run.started_at, now)}" if h.last_run else "never run"
        nxt = f"; next {h.next_run_at.astimezone().strftime('%H:%M')}" if h.next_run_at else ""
        return f"{job_title(h.job)}: {last}{nxt}"

    def health_cells(self, store_id: int) -> list[tuple[str, str, str, str, str]]:
        """(job, last run, result, last success, next run) per job, for the details panel."""
        now = self._now()
        out = []
        for h in self._health.get(store_id, []):
            last = ago(h.last_run.started_at, now) if h.last_run else "never"
            nxt = h.next_run_at.astimezone().strftime("%H:%M") if h.next_run_at else "—"
            result = h.result if h.last_run else "—"
            out.append((job_title(h.job), last, result, ago(h.last_ok_at, now) or "—", nxt))
        return out

    def _color(self, store: StoreRow, column: str) -> QColor | None:
        if column == "Status":
            return QColor("#666666" if store.removing else STATUS_COLORS.get(store.status, "#000000"))
        if column == "Secrets" and is_insecure(store):
            return QColor("#b00020")
        if column == "Authorized" and token_age(store, self._now())[1]:
            return QColor("#b45f06")
        return None
