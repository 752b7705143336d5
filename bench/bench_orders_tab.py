"""Orders tab at scale: 200,000 orders, first rows / filter / search / sort / cold start / RSS.

    .venv/bin/python bench/bench_orders_tab.py [--orders 200000] [--runs 7] [--db PATH] [--keep]
        [--postgresql | --url postgresql://...]

Builds the database with ``tests/support/demo_data.generate`` (or reuses ``--db`` when it already has the
orders), then drives the real ``OrdersTab`` (offscreen unless QT_QPA_PLATFORM is set). Every timing is the
median of ``--runs`` runs and includes the model reset and a repaint of the table (``processEvents``). Next to
it, the floor: the raw SQL of the same count + page (``fbm_desk.db.order_views.order_page_sql``) measured in
the same run, and the ratio. Targets (issue 6): first rows ≤ 300 ms, filter/search ≤ 150 ms, sort ≤ 300 ms.

The table's count runs on the reader thread (``ui.background_reads``), never on the GUI thread: the floor is
the first page's SQL, and the count's own time is printed beside it (how long "counting…" shows). Between
runs (not timed) the bench waits until the reader is idle, so no run shares the CPU with the last one's count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_FIRST_ROWS_MS = 300.0
TARGET_FILTER_MS = 150.0
TARGET_SORT_MS = 300.0


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_times(
    action: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    """Wall time of each of ``runs`` runs of ``action`` in ms; ``before`` (not timed) puts the screen back between
    runs."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(action: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    """Median wall time of ``action`` (``run_times``)."""
    return statistics.median(run_times(action, runs, before))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="database file to (re)use; default: a temporary one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="on a shared workspace: a throwaway PostgreSQL server (tests/support/pg_server.py) instead of a file",
    )
    parser.add_argument(
        "--url",
        help="an existing PostgreSQL workspace to (re)use (postgresql://...), e.g. one built by an earlier run",
    )
    args = parser.parse_args()
    server = None
    if args.postgresql and not args.url:
        from tests.support.pg_server import start_server

        server = start_server()

    data_dir = args.db.parent if args.db else Path(tempfile.mkdtemp(prefix="fbm-bench-"))
    t0 = time.perf_counter()
    from fbm_desk.core import build_core
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.ui.services import Services
    from tests.support.demo_data import generate

    url = args.url or (server.create_database(prefix="bench") if server else None)
    paths = AppPaths(data_dir=data_dir, log_dir=data_dir / "logs", database_url=url)
    if args.db and args.db.name != paths.db_file.name:
        paths.db_file.unlink(missing_ok=True)
        paths.db_file.symlink_to(args.db.resolve())
    os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
    core = build_core(paths)
    have = core.db.db.execute_sql("SELECT count(*) FROM orders").fetchone()[0]
    if have < args.orders:
        gen_start = time.perf_counter()
        generate(core.db.db, orders=args.orders - have, seed=42)
        print(f"generated {args.orders - have:,} orders in {time.perf_counter() - gen_start:.1f} s")
        core.close()
        t0 = time.perf_counter()  # what follows is what an app start does with that database
        core = build_core(paths)
    total = core.db.db.execute_sql("SELECT count(*) FROM orders").fetchone()[0]
    if url:
        print(f"database: PostgreSQL workspace {url} — {total:,} orders")
    else:
        print(f"database: {paths.db_file} — {total:,} orders, {paths.db_file.stat().st_size / 1e6:.0f} MB")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from fbm_desk.db import dialect
    from fbm_desk.db.order_views import (
        DayBounds,
        OrderQuery,
        QuickFilter,
        SortKey,
        order_count_sql,
        order_page_sql,
    )
    from fbm_desk.ui.background_reads import wait_for_background_reads
    from fbm_desk.ui.orders_tab import OrdersTab
    from fbm_desk.ui.table_models.orders_model import COLUMNS

    services = Services(core=core)
    rss_before = rss_mb()

    def show_tab() -> OrdersTab:
        tab = OrdersTab(services)
        tab.resize(1400, 900)
        tab.show()
        app.processEvents()
        return tab

    cold_start = time.perf_counter()
    tab = show_tab()
    cold_ms = (time.perf_counter() - cold_start) * 1000
    since_launch_ms = (time.perf_counter() - t0) * 1000

    def floor_for(query: OrderQuery) -> tuple[float, float]:
        """The first page's plain SQL (what the GUI thread waits for), and the count's (the reader thread's)."""
        day = DayBounds.at()

        def page() -> None:
            sql, params = order_page_sql(query, 0, tab.model.page_size + 1, day, materialize=False)
            dialect.execute(sql, params).fetchall()

        def count() -> None:
            sql, params = order_count_sql(query, day, materialize=False)
            dialect.execute(sql, params).fetchone()

        return median_ms(page, args.runs), median_ms(count, max(1, args.runs // 2))

    results: list[tuple[str, float, float, float, float]] = []

    def record(label: str, ms: float, floor: tuple[float, float], target: float) -> None:
        results.append((label, ms, floor[0], floor[1], target))

    def settled(action: Callable[[], object] | None = None) -> Callable[[], None]:
        """``action`` (untimed, between runs), then wait until the reader thread's counts are done."""

        def run() -> None:
            if action is not None:
                action()
            wait_for_background_reads()
            app.processEvents()

        return run

    def new_tab() -> None:
        t = show_tab()
        t.close()
        t.deleteLater()

    record(
        "first rows (new Orders tab, all orders)",
        median_ms(new_tab, args.runs, settled()),
        floor_for(OrderQuery()),
        TARGET_FIRST_ROWS_MS,
    )

    def show_all() -> None:
        tab.set_search("")
        tab.set_quick_filter(QuickFilter.ALL)
        tab.model.set_query(OrderQuery())
        app.processEvents()

    for quick in QuickFilter:
        if quick is QuickFilter.ALL:
            continue

        def apply_filter(q: QuickFilter = quick) -> None:
            tab.set_quick_filter(q)
            app.processEvents()

        ms = median_ms(apply_filter, args.runs, settled(show_all))
        record(f"filter: {quick.value}", ms, floor_for(OrderQuery(quick=quick)), TARGET_FILTER_MS)

    sample = tab.model.row_at(0)
    assert sample is not None
    tracking = dialect.execute("SELECT tracking_number FROM package LIMIT 1").fetchone()[0]
    searches = {
        "search: full order id": sample.amazon_order_id,
        "search: order id prefix": sample.amazon_order_id[:9],
        "search: SKU prefix": "SOAP-LAV",
        "search: buyer name part": "dubois",
        "search: tracking prefix": tracking[:8],
        "search: no match": "zzzz-nothing",
    }
    for label, text in searches.items():

        def search(t: str = text) -> None:
            tab.set_search(t)  # what the debounce timer does when typing stops
            app.processEvents()

        def other_search() -> None:
            tab.set_search("bench-other-text")  # so the measured search is evaluated afresh every run
            show_all()

        ms = median_ms(search, args.runs, settled(other_search))
        record(label, ms, floor_for(OrderQuery(search=text)), TARGET_FILTER_MS)

    from PySide6.QtCore import Qt

    for column, (header, key) in enumerate(COLUMNS):
        if key is None:
            continue  # a column the table does not sort by (Warehouse)
        for descending in (False, True):
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder

            def sort(c: int = column, o: Qt.SortOrder = order) -> None:
                tab.model.sort(c, o)
                app.processEvents()

            def unsorted(c: int = column) -> None:
                show_all()  # then a different sort, so every run really re-sorts
                other = SortKey.STATE if COLUMNS[c][1] is not SortKey.STATE else SortKey.SHIP_BY
                tab.model.set_query(OrderQuery(sort=other))
                app.processEvents()

            ms = median_ms(sort, args.runs, settled(unsorted))
            record(
                f"sort: {header} {'desc' if descending else 'asc'}",
                ms,
                floor_for(OrderQuery(sort=key, descending=descending)),
                TARGET_SORT_MS,
            )

    print()
    print(
        f"{'case':44s} {'median ms':>10s} {'SQL floor':>10s} {'ratio':>6s} {'target':>7s}  ok  {'count ms':>9s}"
    )
    failures = 0
    for label, ms, floor, count_ms, target in results:
        ok = ms <= target
        failures += not ok
        ratio = ms / floor if floor > 0 else float("nan")
        print(
            f"{label:44s} {ms:10.1f} {floor:10.1f} {ratio:6.1f} {target:7.0f}  {'yes' if ok else 'NO ':3s} "
            f"{count_ms:9.1f}"
        )
    print("(count ms: the count alone, read on the reader thread while the rows are already shown)")
    print()
    print(f"cold start: first Orders tab in this process, rows painted: {cold_ms:.0f} ms")
    print(f"open the database + Qt + first Orders tab painted: {since_launch_ms:.0f} ms")
    print(f"RSS: {rss_before:.0f} MB before the tab, {rss_mb():.0f} MB after all runs")
    print(f"{len(results) - failures}/{len(results)} cases within target")
    core.close()
    if not args.keep and not args.db:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    if server is not None:
        server.stop()
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
