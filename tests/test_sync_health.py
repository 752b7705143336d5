"""Sync health: sync_run read queries, the sync log model (qtmodeltester) and dialog, the status-bar widget,
and de-duplicated notifications."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMainWindow

from fbm_desk.core import CoreServices
from fbm_desk.db.models import SyncRun
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.sync_runs_view import job_health, last_run_times, recent_runs
from fbm_desk.sync.base import JobKind, ProgressFn, SyncResult
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.notifications import Notice, Notifier
from fbm_desk.ui.sync_health import SyncStatusWidget
from fbm_desk.ui.sync_log_dialog import SyncLogDialog
from fbm_desk.ui.table_models.sync_log_model import SORT_ROLE, SyncLogModel
from tests.support.sync_env import insert_us_store

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
WAIT_MS = 10_000


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def insert_run(
    store: StoreRow, job: str, started: datetime, seconds: float | None = 12, **fields: object
) -> int:
    finished = iso(started + timedelta(seconds=seconds)) if seconds is not None else None
    run = SyncRun.create(
        store=store.id, job=job, started_at=iso(started), finished_at=finished,
        status=fields.pop("status", "ok" if finished else "running"), **fields,
    )  # fmt: skip
    return int(run.id)


@pytest.fixture
def history(core: CoreServices) -> tuple[StoreRow, StoreRow]:
    us = insert_us_store("Brand US", "A1")
    de = insert_us_store("brand DE", "B1")
    insert_run(
        us, "orders", T0, fetched=120, created=100, updated=20, api_calls=3, throttled=1, throttle_wait_s=2.5
    )
    insert_run(
        us, "orders", T0 + timedelta(minutes=30), status="failed", error="Amazon is unreachable.\nretry"
    )
    insert_run(
        us, "inventory", T0 + timedelta(minutes=20), rejected=2, api_calls=5, summary="2 SKUs rejected"
    )
    insert_run(de, "products-full", T0 + timedelta(minutes=5), seconds=130, fetched=900, created=900)
    insert_run(de, "orders", T0 + timedelta(minutes=40), seconds=None)
    return us, de


# ----- queries ------------------------------------------------------------------------------------------


def test_recent_runs_newest_first_with_store_names_and_durations(history: tuple[StoreRow, StoreRow]) -> None:
    us, _de = history
    runs = recent_runs(10)
    assert [(r.store_name, r.job, r.status) for r in runs] == [
        ("brand DE", "orders", "running"),
        ("Brand US", "orders", "failed"),
        ("Brand US", "inventory", "ok"),
        ("brand DE", "products-full", "ok"),
        ("Brand US", "orders", "ok"),
    ]
    assert runs[0].duration_s is None
    assert runs[3].duration_s == 130
    assert runs[4].throttle_wait_s == 2.5
    assert [r.job for r in recent_runs(10, store_id=us.id, job="orders")] == ["orders", "orders"]
    assert len(recent_runs(2)) == 2


def test_last_run_times_and_job_health(history: tuple[StoreRow, StoreRow]) -> None:
    us, de = history
    assert last_run_times() == {
        (us.id, "orders"): T0,
        (us.id, "inventory"): T0 + timedelta(minutes=20),
        (de.id, "products-full"): T0 + timedelta(minutes=5),
    }
    upcoming = {"orders": T0 + timedelta(hours=1)}
    rows = job_health(["orders", "inventory"], next_runs=upcoming)
    assert [(r.store_name, r.job, r.result) for r in rows] == [
        ("brand DE", "orders", "running"),  # ordered by store name, case-insensitive
        ("brand DE", "inventory", "never"),
        ("Brand US", "orders", "failed"),
        ("Brand US", "inventory", "ok"),
    ]
    us_orders = rows[2]
    assert us_orders.last_ok_at == T0
    assert us_orders.last_run is not None
    assert us_orders.last_run.error.startswith("Amazon is unreachable.")
    assert us_orders.next_run_at == T0 + timedelta(hours=1)
    assert rows[3].next_run_at is None
    only_us = job_health(["inventory"], store_id=us.id)
    assert len(only_us) == 1
    assert only_us[0].last_run is not None
    assert only_us[0].last_run.rejected == 2


# ----- the sync log model and dialog ---------------------------------------------------------------------


def test_sync_log_model_passes_qtmodeltester(qtmodeltester, history: tuple[StoreRow, StoreRow]) -> None:
    model = SyncLogModel()
    qtmodeltester.check(model, force_py=True)
    model.refresh()
    assert model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)


def test_sync_log_model_shows_what_support_needs(history: tuple[StoreRow, StoreRow]) -> None:
    model = SyncLogModel()
    model.refresh()

    def row(r: int) -> list[str]:
        return [model.data(model.index(r, c)) for c in range(model.columnCount())]

    assert row(0)[:5] == ["brand DE", "Orders", row(0)[2], "running…", "Running…"]
    failed = row(1)
    assert failed[4] == "Failed"
    assert failed[10] == "Amazon is unreachable."  # first line; the tooltip has all of it
    assert model.data(model.index(1, 10), Qt.ItemDataRole.ToolTipRole) == "Amazon is unreachable.\nretry"
    assert model.data(model.index(1, 4), Qt.ItemDataRole.ForegroundRole) is not None
    assert row(2)[4] == "OK (2 rejected)"
    assert row(3)[3] == "2 min 10 s"
    assert row(4)[3] == "12 s"
    first = row(4)
    assert first[5:10] == ["120", "100", "20", "3", "1 (2 s)"]
    assert first[2] == T0.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def test_sync_log_dialog_sorts_and_shows_details(qtbot, history: tuple[StoreRow, StoreRow]) -> None:
    dialog = SyncLogDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # most fetched first
    top = dialog.model.index(0, 0)
    assert dialog.model.data(dialog.model.index(0, 1)) == "Full product import"
    dialog.table.setCurrentIndex(top)
    text = dialog.details.toPlainText()
    assert "brand DE · Full product import · OK" in text
    assert "fetched 900, created 900" in text


@pytest.fixture
def idle_runner(core: CoreServices) -> JobRunner:
    """A real runner that runs nothing: the tests emit its signals as if jobs had run."""
    return JobRunner(core)


def ok(job: str, store: str = "Brand US", **fields: int) -> SyncResult:
    return SyncResult(job=job, store=store, status="ok", **fields)  # type: ignore[arg-type]


def failed(job: str, error: str, store: str = "Brand US") -> SyncResult:
    return SyncResult(job=job, store=store, status="failed", error=error)


# ----- status-bar widget -----------------------------------------------------------------------------------


def test_status_widget_follows_running_failing_and_recovering_jobs(qtbot, idle_runner: JobRunner) -> None:
    us = insert_us_store("Brand US", "A1")
    runner = idle_runner
    widget = SyncStatusWidget(runner)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.label.text() == "Sync: idle"
    assert not widget.progress.isVisible()

    runner.job_started.emit(us.id, "orders")
    assert widget.label.text() == "Syncing Brand US: Orders…"
    assert widget.progress.isVisible()
    assert widget.progress.maximum() == 0  # busy indicator while the total is unknown
    runner.job_progress.emit(us.id, "orders", "Imported 50 of 200 orders", 50, 200)
    assert widget.label.text() == "Syncing Brand US: Orders — Imported 50 of 200 orders"
    assert (widget.progress.value(), widget.progress.maximum()) == (50, 200)

    runner.job_failed.emit(us.id, "orders", failed("orders", "Amazon is unreachable."))
    assert widget.label.text() == "⚠ Brand US: Orders failed — Amazon is unreachable."
    assert not widget.progress.isVisible()

    runner.job_finished.emit(us.id, "inventory", ok("inventory"))
    assert widget.label.text().startswith(
        "⚠ Brand US: Orders failed"
    )  # another job's success changes nothing
    runner.job_finished.emit(us.id, "orders", ok("orders"))
    assert widget.label.text().startswith("Sync: Brand US: idle (last sync ")
    assert "Brand US: idle" in widget.toolTip()


def test_status_widget_puts_reconnect_before_failures(qtbot, idle_runner: JobRunner) -> None:
    us = insert_us_store("Brand US", "A1")
    de = insert_us_store("Brand DE", "B1")
    runner = idle_runner
    widget = SyncStatusWidget(runner)
    qtbot.addWidget(widget)
    runner.job_failed.emit(de.id, "products", failed("products", "Timed out.", store="Brand DE"))
    runner.store_needs_reconnect.emit(us.id, "Amazon no longer accepts this store's authorization.")
    runner.job_failed.emit(us.id, "orders", failed("orders", "Reconnect the store."))
    assert widget.label.text().startswith("⚠ Brand US: needs reconnecting")
    assert widget.toolTip().splitlines() == [
        "Brand DE: New products failed — Timed out.",
        "Brand US: needs reconnecting — Amazon no longer accepts this store's authorization.",
    ]


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")  # offscreen platform
def test_status_widget_and_log_follow_the_real_runner(qtbot, core: CoreServices) -> None:
    us = insert_us_store("Brand US", "A1")
    gate = threading.Event()

    def job_fn(
        core: CoreServices, store: StoreRow, kind: JobKind, *, trigger: str = "manual",
        cancel: threading.Event | None = None, progress: ProgressFn | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> SyncResult:  # fmt: skip
        assert progress is not None
        progress("Fetching page 1", None, None)
        gate.wait(10)
        run_id = insert_run(store, kind.value, datetime.now(UTC), fetched=7, created=7, api_calls=1)
        return SyncResult(job=kind.value, store=store.name, status="ok", fetched=7, run_id=run_id)

    runner = JobRunner(core, job_fn=job_fn)
    window = QMainWindow()
    qtbot.addWidget(window)
    widget = SyncStatusWidget(runner)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    try:
        with qtbot.waitSignal(runner.job_progress, timeout=WAIT_MS):
            runner.enqueue(us.id, JobKind.ORDERS)
        assert widget.label.text() == "Syncing Brand US: Orders — Fetching page 1"
        qtbot.mouseClick(widget.log_button, Qt.MouseButton.LeftButton)
        dialog = widget.open_log()
        assert dialog.isVisible()
        assert dialog.model.rowCount() == 0
        with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS):
            gate.set()
        assert dialog.model.rowCount() == 1  # refreshed when the job ended
        assert dialog.model.data(dialog.model.index(0, 5)) == "7"
        assert widget.label.text().startswith("Sync: Brand US: idle")
    finally:
        gate.set()
        runner.shutdown(timeout=10)


# ----- notifications ---------------------------------------------------------------------------------------


@pytest.fixture
def notified(qtbot, idle_runner: JobRunner) -> tuple[JobRunner, Notifier, list[Notice], QMainWindow]:
    runner = idle_runner
    window = QMainWindow()
    qtbot.addWidget(window)
    notifier = Notifier(runner, tray=None, status_bar=window.statusBar())
    shown: list[Notice] = []
    notifier.shown.connect(shown.append)
    return runner, notifier, shown, window


def test_a_failing_job_notifies_once_until_it_recovers(notified) -> None:
    runner, _notifier, shown, window = notified
    for _ in range(3):  # the 30-minute job keeps failing: one notification, not three
        runner.job_failed.emit(1, "orders", failed("orders", "Amazon is unreachable."))
    assert [n.title for n in shown] == ["Orders failed for Brand US"]
    assert window.statusBar().currentMessage() == "Orders failed for Brand US: Amazon is unreachable."
    runner.job_failed.emit(1, "shipments", failed("shipments", "Timed out."))
    runner.job_failed.emit(2, "orders", failed("orders", "Timed out.", store="Brand DE"))
    assert len(shown) == 3  # different job, different store: different problems
    runner.job_finished.emit(1, "orders", SyncResult("orders", "Brand US", "canceled"))
    runner.job_failed.emit(1, "orders", failed("orders", "Amazon is unreachable."))
    assert len(shown) == 3  # a cancel proves nothing
    runner.job_finished.emit(1, "orders", ok("orders"))
    runner.job_failed.emit(1, "orders", failed("orders", "Amazon is unreachable."))
    assert len(shown) == 4  # recovered, then failed again: worth telling


def test_reconnect_is_one_notice_and_covers_the_stores_failures(notified) -> None:
    runner, notifier, shown, _window = notified
    for _ in range(2):
        runner.store_needs_reconnect.emit(1, "Amazon no longer accepts this store's authorization.")
        runner.job_failed.emit(1, "orders", failed("orders", "Reconnect the store."))
        runner.job_failed.emit(1, "inventory", failed("inventory", "Reconnect the store."))
    assert [(n.title, n.critical) for n in shown] == [("Store needs reconnecting", True)]
    assert "Reconnect" in shown[0].message
    assert ("reconnect", 1, "") in notifier.active_problems


def test_rejected_pushes_notify_once(notified) -> None:
    runner, _notifier, shown, _window = notified
    runner.job_finished.emit(1, "inventory", ok("inventory", rejected=2))
    runner.job_finished.emit(1, "inventory", ok("inventory", rejected=2))
    runner.job_finished.emit(1, "orders", ok("orders", rejected=1))  # not a push job
    runner.job_finished.emit(1, "shipments", ok("shipments", rejected=1))
    assert [n.title for n in shown] == [
        "Amazon rejected 2 stock updates (Brand US)",
        "Amazon rejected 1 tracking number (Brand US)",
    ]
    runner.job_finished.emit(1, "inventory", ok("inventory"))
    runner.job_finished.emit(1, "inventory", ok("inventory", rejected=1))
    assert len(shown) == 3


def test_a_rules_notify_action_is_a_desktop_notification_once(notified, core: CoreServices) -> None:
    from fbm_desk.db import events
    from tests.support.demo_data import add_order, generate

    runner, _notifier, shown, _window = notified
    generate(core.db.db, orders=0)
    order = add_order(core.db.db, "111-0000000-0000009")
    events.add_event(order, events.RULE_NOTIFY, "VIP buyer: call before shipping (111-0000000-0000009)")
    runner.job_finished.emit(1, "orders", ok("orders"))
    runner.job_finished.emit(1, "orders", ok("orders"))  # the next sync does not repeat it
    assert [(n.title, n.message) for n in shown] == [
        ("Rule notification", "VIP buyer: call before shipping (111-0000000-0000009)")
    ]


def _log_of_400_runs(
    qtbot, monkeypatch: pytest.MonkeyPatch, asked: Callable[[int, int], None]
) -> SyncLogDialog:
    """The Sync log opened on 400 runs (fetched 0..399), every ``data`` call of its model told to ``asked`` (row,
    role) for the rest of the test."""
    store = insert_us_store("Brand US", "A1")
    for minute in range(400):
        insert_run(store, ("orders", "inventory")[minute % 2], T0 + timedelta(minutes=minute), fetched=minute)
    real_data = SyncLogModel.data

    def data(self: SyncLogModel, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        asked(index.row(), role)
        return real_data(self, index, role)

    monkeypatch.setattr(SyncLogModel, "data", data)
    dialog = SyncLogDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_sync_log_sizes_its_columns_from_the_rows_on_screen(
    qtbot, core: CoreServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: opening the log with hundreds of runs asks the model for the rows on screen, not every row
    (the column widths once read every cell of every run: about a second on the GUI thread)."""
    asked: set[int] = set()

    def note(row: int, role: int) -> None:
        if role != SORT_ROLE:  # sorting reads every row's sort key: cheap, and needed
            asked.add(row)

    dialog = _log_of_400_runs(qtbot, monkeypatch, note)
    assert dialog.model.rowCount() >= 200
    assert len(asked) < 100


def test_sync_log_sorting_keeps_the_selected_run_and_the_order_across_refreshes(
    qtbot, history: tuple[StoreRow, StoreRow]
) -> None:
    """The log sorts its own rows (no proxy): the selected run stays selected, a refresh keeps the order."""
    us, _de = history
    dialog = SyncLogDialog()
    qtbot.addWidget(dialog)
    dialog.show()

    def column(c: int) -> list[str]:
        return [dialog.model.data(dialog.model.index(r, c)) for r in range(dialog.model.rowCount())]

    assert column(3)[0] == "running…"  # newest first: the DE orders run still running
    dialog.table.selectRow(1)  # the failed US orders run
    assert "Error: Amazon is unreachable." in dialog.details.toPlainText()
    dialog.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # most fetched first
    assert column(5) == ["900", "120", "0", "0", "0"]
    selected = dialog.table.selectionModel().selectedRows()
    assert [dialog.model.run_at(i.row()).error for i in selected] == ["Amazon is unreachable.\nretry"]
    insert_run(us, "orders", T0 + timedelta(hours=2), fetched=50, summary="the newest")
    dialog.refresh()
    assert column(5) == ["900", "120", "50", "0", "0", "0"]  # the new run in its place by the same sort
    dialog.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # store, A to Z; equal stores stay newest first
    assert column(0) == ["brand DE"] * 2 + ["Brand US"] * 4
    us_runs = [dialog.model.run_at(r) for r in range(2, 6)]
    assert [run.started_at for run in us_runs] == sorted((run.started_at for run in us_runs), reverse=True)
    assert us_runs[0].summary == "the newest"


def test_sync_log_sorts_without_asking_the_model_for_every_row(
    qtbot, core: CoreServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: a proxy sorted 500 runs by asking ``data`` for two keys per comparison (~15,000 calls into
    Python, twice on the first open); the model sorts its list and paints the rows on screen."""
    calls = [0]
    dialog = _log_of_400_runs(qtbot, monkeypatch, lambda _row, _role: calls.__setitem__(0, calls[0] + 1))
    calls[0] = 0
    dialog.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
    asked = calls[0]
    assert dialog.model.data(dialog.model.index(0, 5)) == "0"
    assert dialog.model.data(dialog.model.index(399, 5)) == "399"
    assert asked < 400  # none to sort; the repaint, if any, reads the rows on screen only


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")  # offscreen platform
def test_sync_log_reads_its_runs_once_when_it_opens(
    qtbot, idle_runner: JobRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first open builds the dialog, which reads the runs: once, not again right after. Each later open
    reads them again (runs of other stations or the command line ended meanwhile)."""
    import fbm_desk.ui.table_models.sync_log_model as log_model

    store = insert_us_store("Brand US", "A1")
    insert_run(store, "orders", T0)
    reads: list[int] = []
    real = log_model.recent_runs
    monkeypatch.setattr(log_model, "recent_runs", lambda limit: reads.append(limit) or real(limit))
    window = QMainWindow()
    qtbot.addWidget(window)
    widget = SyncStatusWidget(idle_runner)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    dialog = widget.open_log()
    assert len(reads) == 1
    assert dialog.model.rowCount() == 1
    dialog.close()
    insert_run(store, "inventory", T0 + timedelta(minutes=5))
    assert widget.open_log() is dialog
    assert len(reads) == 2
    assert dialog.model.rowCount() == 2
    insert_run(store, "tracking-push", T0 + timedelta(minutes=9))
    widget.open_log()  # clicked again while open: raised and re-read, as before
    assert len(reads) == 3
    assert dialog.model.rowCount() == 3
