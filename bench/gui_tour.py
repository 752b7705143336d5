"""The GUI-latency bench's tour of every screen (used by ``bench_gui_latency.py``).

After the sync (and the visible tab's refresh after it), every tab of the main window is shown in turn — each
hidden tab then runs its first load or its refresh after the sync —, then the Inventory tab's first SKU selected
(its "why available" panel), the Orders tab again, the order detail panel (the first row selected, a step of its own), two of the Orders tab's slowest
filter x sort pairs at a million orders, each a filter click then a header click (*To pack* oldest purchase first,
*Held* by *Hold*: their first page passes the table's read budget and is read on the reader thread), the pack dialog of a released order
(open, then closed), the Warehouses page and the sync log (open, then closed; ``add_sync_history`` gives it a
full page of runs first). Each step runs from a timer callback and is followed by ``STEP_MS`` of ticking, so reads
finished on worker threads are shown (on the GUI thread) inside the step. A tick's stall counts for the step
during which it arrived.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from fbm_desk.db.order_views import QuickFilter
from fbm_desk.ui.table_models.orders_model import COL_HOLD, COL_PURCHASED

STEP_MS = 1200
SYNC_HISTORY = 500  # the sync log's page (``sync_log_model.LOG_LIMIT``): ~3.5 days of a store's runs


def released_order_id(main: QWidget) -> int | None:
    """An order the pack dialog opens on (read before the timed part)."""
    db = main.services.db.db  # type: ignore[attr-defined]
    row = db.execute_sql("SELECT id FROM orders WHERE state = 'released' ORDER BY id DESC LIMIT 1").fetchone()
    return int(row[0]) if row else None


def add_sync_history(db: object, store_id: int, runs: int = SYNC_HISTORY) -> int:
    """Finished runs of ``store_id``'s jobs, so the sync log opens on a full page as on a station that has
    synced for a few days (a template or a fresh folder has none, and the log's cost grows with its rows).
    Only what the database lacks of ``runs`` is added; returns how many were."""
    have = int(db.execute_sql("SELECT count(*) FROM sync_run").fetchone()[0])  # type: ignore[attr-defined]
    rows = []
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(max(0, runs - have)):
        began = start + timedelta(minutes=10 * n)
        failed = n % 41 == 0
        rows.append((
            store_id, ("orders", "inventory", "tracking", "products")[n % 4], "scheduled",
            began.strftime("%Y-%m-%dT%H:%M:%SZ"), (began + timedelta(seconds=3 + n % 90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "failed" if failed else "ok", n % 60, n % 9, n % 13, 1 + n % 7, n % 3, float(n % 3),
            f"{n % 60} orders fetched", "Amazon is unreachable. (timed out)" if failed else "",
        ))  # fmt: skip
    with db.atomic():  # type: ignore[attr-defined]
        for row in rows:
            db.execute_sql(  # type: ignore[attr-defined]
                "INSERT INTO sync_run (store_id, job, trigger, started_at, finished_at, status, fetched, "
                "created, updated, api_calls, throttled, throttle_wait_s, summary, error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
    return len(rows)


def steps(main: QWidget, pack_order: int | None) -> list[tuple[str, Callable[[], object]]]:
    """(name, action) for every screen of ``main`` (a ``MainWindow``)."""
    titles: list[str] = main.tab_titles()  # type: ignore[attr-defined]
    tabs = main.tabs  # type: ignore[attr-defined]
    out: list[tuple[str, Callable[[], object]]] = []
    for index, title in enumerate(titles):
        out.append((f"tab {title}", lambda i=index: tabs.setCurrentIndex(i)))
    orders = tabs.widget(titles.index("Orders"))
    opened: dict[str, QDialog] = {}

    def close(name: str) -> Callable[[], None]:
        def run() -> None:
            dialog = opened.pop(name, None)
            if dialog is not None:
                dialog.close()

        return run

    if "Inventory" in titles:  # a SKU's "why available" panel: its push plan and the open orders holding it
        inventory = tabs.widget(titles.index("Inventory"))

        def select_sku() -> None:
            tabs.setCurrentIndex(titles.index("Inventory"))
            inventory.table.selectRow(0)

        out.append(("inventory: a SKU selected", select_sku))
    # Two steps, as a user takes them (one step made the panel's stall include the whole tab's paint).
    out.append(("orders tab again", lambda: tabs.setCurrentIndex(titles.index("Orders"))))
    out.append(("order detail panel", lambda: orders.table.selectRow(0)))
    out.append(("order detail, next row", lambda: orders.table.selectRow(1)))

    def sort_by(column: int, order: Qt.SortOrder) -> Callable[[], None]:
        return lambda: orders.table.sortByColumn(column, order)

    oldest, newest = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    out.append(("orders: to pack", lambda: orders.set_quick_filter(QuickFilter.RELEASED)))
    out.append(("orders: to pack, oldest first", sort_by(COL_PURCHASED, oldest)))
    out.append(("orders: held", lambda: orders.set_quick_filter(QuickFilter.HELD)))
    out.append(("orders: held, by hold", sort_by(COL_HOLD, oldest)))
    out.append(("orders: all", lambda: orders.set_quick_filter(QuickFilter.ALL)))
    out.append(("orders: all, newest first", sort_by(COL_PURCHASED, newest)))
    if pack_order is not None:
        out.append(
            ("pack dialog open", lambda: opened.__setitem__("pack", orders.open_pack_dialog(pack_order)))
        )
        out.append(("pack dialog close", close("pack")))
    out.append(("warehouses page open", lambda: opened.__setitem__("wh", main.show_warehouses())))  # type: ignore[attr-defined]
    out.append(("warehouses page close", close("wh")))
    sync_ui = main.property("fbm_sync_ui")
    if sync_ui:
        status = sync_ui[0]
        out.append(("sync log open", lambda: opened.__setitem__("log", status.open_log())))
        out.append(("sync log close", close("log")))
    return out


class Tour:
    """Runs ``steps`` one per ``STEP_MS``; ``phase[0]`` names the current one; ``done`` is called at the end."""

    def __init__(
        self, todo: list[tuple[str, Callable[[], object]]], phase: list[str], done: Callable[[], None]
    ):
        self._todo = list(todo)
        self._phase = phase
        self._done = done

    def start(self) -> None:
        QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        if not self._todo:
            self._phase[0] = "end"
            self._done()
            return
        name, action = self._todo.pop(0)
        self._phase[0] = name
        action()
        QTimer.singleShot(STEP_MS, self._next)


class SqlOnGuiThread:
    """Times every query the GUI thread runs (execute + fetching its rows), per tour step.

    Wraps the database's ``execute_sql`` (everything, peewee and ``dialect.execute``, goes through it) with a
    cursor whose fetches are added to the same query. ``worst`` maps a step to (ms, SQL head, caller).
    """

    def __init__(self, db: object, phase: list[str]) -> None:
        import threading
        import time
        import traceback

        self.worst: dict[str, tuple[float, str, str]] = {}
        self.total: dict[str, float] = {}
        self.by_site: dict[tuple[str, str], tuple[float, str]] = {}
        original = db.execute_sql  # type: ignore[attr-defined]
        gui = threading.main_thread()
        tracker = self

        class Timed:
            def __init__(self, cursor: object, spent: float, text: str, where: str) -> None:
                self._cursor, self._spent, self._text, self._where = cursor, spent, text, where
                self._phase = phase[0]
                tracker.add(self._phase, spent, text, where)

            def _timed(self, name: str, *args: object) -> object:
                start = time.perf_counter()
                try:
                    return getattr(self._cursor, name)(*args)
                finally:
                    self._more(time.perf_counter() - start)

            def _more(self, seconds: float) -> None:
                before = self._spent
                self._spent += seconds
                tracker.add(self._phase, self._spent, self._text, self._where, replaces=before)

            def fetchone(self) -> object:
                return self._timed("fetchone")

            def fetchall(self) -> object:
                return self._timed("fetchall")

            def fetchmany(self, *args: object) -> object:
                return self._timed("fetchmany", *args)

            def __iter__(self) -> object:
                it = iter(self._cursor)  # type: ignore[call-overload]
                while True:
                    start = time.perf_counter()
                    try:
                        row = next(it)
                    except StopIteration:
                        self._more(time.perf_counter() - start)
                        return
                    self._more(time.perf_counter() - start)
                    yield row

            def __getattr__(self, name: str) -> object:
                return getattr(self._cursor, name)

        def execute_sql(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
            if threading.current_thread() is not gui or phase[0] in ("", "setup"):
                return original(sql, params, *args, **kwargs)
            start = time.perf_counter()
            try:
                cursor = original(sql, params, *args, **kwargs)
            except Exception:  # e.g. a page stopped by its read budget: its time was spent all the same
                tracker.add(
                    phase[0], time.perf_counter() - start, " ".join(str(sql).split())[:90], "(stopped)"
                )
                raise
            spent = time.perf_counter() - start
            frames = [f for f in traceback.extract_stack(limit=14)[:-1] if "/fbm_desk/" in f.filename]
            where = " < ".join(
                f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[-3:][::-1]
            )
            return Timed(cursor, spent, " ".join(str(sql).split())[:90], where)

        db.execute_sql = execute_sql  # type: ignore[attr-defined]

    def add(self, phase: str, seconds: float, text: str, where: str, replaces: float | None = None) -> None:
        ms = seconds * 1000
        self.total[phase] = self.total.get(phase, 0.0) + ms - (replaces or 0.0) * 1000
        if ms > self.worst.get(phase, (0.0, "", ""))[0]:
            self.worst[phase] = (ms, text, where)
        key = (phase, where)
        if ms > self.by_site.get(key, (0.0, ""))[0]:
            self.by_site[key] = (ms, text)

    def slowest(self, phase: str, count: int = 4) -> list[tuple[float, str, str]]:
        """The ``count`` slowest call sites of a step: (worst ms, caller, SQL head)."""
        sites = [(ms, where, text) for (ph, where), (ms, text) in self.by_site.items() if ph == phase]
        return sorted(sites, reverse=True)[:count]
