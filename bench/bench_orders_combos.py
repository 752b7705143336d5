"""Every quick filter with every sort of the Orders tab, at a data folder's size (issue 19: every screen as fast
at 1,000,000 orders as at 200,000).

    .venv/bin/python bench/bench_orders_combos.py --data-dir COPY [--runs 3] [--store]

``bench_orders_tab.py`` times each filter in the default order and each sort without a filter; a warehouse
clicks both: *Shipped* sorted by *Service*, *Held* by *Items*. Here every reachable pair (the urgency order
only with the packing filters, ascending, as the tab offers it), in both directions, optionally also within
one store (``--store``), is read as the tab reads its first page (``fetch_orders``, 201 rows), median of
``--runs``. Floor, measured in the same run: the same sort without a filter (the sort's own index read in
order). Printed: the slowest pairs, how many exceed the filters' target (150 ms), and the worst ratio.

Then every pair again through the Orders table's model, as a click does (``set_query``): how long the window's
thread was held (target: 50 ms, issue 19's "no screen reads the database on the GUI thread for longer than
50 ms"; a page past the model's budget is read on the reader thread) and when the rows were shown. Each pair
starts with the reader thread idle (the previous pair's count done).

The folder is opened through the app (so migrated first); SQLite's statistics are what the folder has (the
app keeps none: a folder made by the generator has none either).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FBM_DESK_CREDENTIALS", "file")  # a generated folder keeps its key in its secrets file
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders_tab import TARGET_FILTER_MS as TARGET_MS
from bench_orders_tab import median_ms

GUI_TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a data folder (a COPY: it is migrated)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", action="store_true", help="also within the first store")
    args = parser.parse_args()

    from fbm_desk.core import build_core
    from fbm_desk.db import dialect
    from fbm_desk.db.order_views import OrderQuery, QuickFilter, SortKey, fetch_orders
    from fbm_desk.foundation.paths import AppPaths

    core = build_core(AppPaths(data_dir=args.data_dir, log_dir=args.data_dir / "logs"))
    orders = int(dialect.execute("SELECT count(*) FROM orders").fetchone()[0])
    has_stats = dialect.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[
        0
    ]
    stats = int(dialect.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0]) if has_stats else 0
    stores: list[int | None] = [None]
    if args.store:
        stores.append(int(dialect.execute("SELECT min(store_id) FROM orders").fetchone()[0]))
    print(f"{orders:,} orders; SQLite statistics: {'present' if stats else 'none'}\n")
    queue = (QuickFilter.RELEASED, QuickFilter.DUE_TODAY, QuickFilter.PACKED_WAITING)
    floors: dict[tuple[SortKey, bool, int | None], float] = {}
    results: list[tuple[float, float, str]] = []
    pairs: list[tuple[OrderQuery, str]] = []
    for store in stores:
        for sort in SortKey:
            for descending in (False, True):
                if sort is not SortKey.URGENCY:
                    base = OrderQuery(sort=sort, descending=descending, store_id=store)
                    floors[(sort, descending, store)] = median_ms(
                        partial(fetch_orders, base, 0, 201), args.runs
                    )
                for quick in QuickFilter:
                    if quick is QuickFilter.ALL:
                        continue
                    if sort is SortKey.URGENCY and (descending or quick not in queue):
                        continue  # the tab sorts by urgency only the packing filters, ascending
                    query = OrderQuery(quick=quick, sort=sort, descending=descending, store_id=store)
                    ms = median_ms(partial(fetch_orders, query, 0, 201), args.runs)
                    # the urgency order's floor: the default sort's (its pairs come after it)
                    floor = (
                        floors.get((sort, descending, store)) or floors[(SortKey.PURCHASE_DATE, True, store)]
                    )
                    where = " in a store" if store else ""
                    label = f"{quick.value} by {sort.value} {'desc' if descending else 'asc'}{where}"
                    results.append((ms, floor, label))
                    pairs.append((query, label))
    results.sort(reverse=True)
    print(f"{'filter by sort (slowest first)':48} {'ms':>8} {'floor ms':>9} {'ratio':>6}")
    for ms, floor, label in results[:25]:
        print(f"{label:48} {ms:8.1f} {floor:9.1f} {ms / max(floor, 0.1):6.1f}")
    over = [r for r in results if r[0] > TARGET_MS]
    print(
        f"\n{len(results)} pairs: median {statistics.median(r[0] for r in results):.1f} ms, "
        f"slowest {results[0][0]:.0f} ms; {len(over)} over {TARGET_MS:.0f} ms"
    )
    _through_the_table(pairs)
    core.close()
    return 0


def _through_the_table(pairs: list[tuple[object, str]]) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from fbm_desk.ui.background_reads import wait_for_background_reads
    from fbm_desk.ui.table_models.orders_model import OrdersTableModel

    app = QApplication.instance() or QApplication([])
    model = OrdersTableModel()
    shown: list[
        tuple[float, float, bool, str]
    ] = []  # window's thread held, rows shown after, off thread, label

    def settle() -> None:
        while model.loading or model.counting:
            wait_for_background_reads()
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    for query, label in pairs:
        settle()
        start = time.perf_counter()
        model.set_query(query)  # type: ignore[arg-type]
        held = (time.perf_counter() - start) * 1000
        off = model.loading
        while model.loading:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        shown.append((held, (time.perf_counter() - start) * 1000, off, label))
    settle()
    shown.sort(reverse=True)
    print(f"\nthrough the table: {'filter by sort (longest hold first)':33} {'held ms':>8} {'rows ms':>8}")
    for held, rows, off, label in shown[:10]:
        print(f"{label:52} {held:8.1f} {rows:8.1f}{'  (reader thread)' if off else ''}")
    print(
        f"\nwindow's thread held: median {statistics.median(r[0] for r in shown):.1f} ms, longest "
        f"{shown[0][0]:.1f} ms; {sum(r[0] > GUI_TARGET_MS for r in shown)} over {GUI_TARGET_MS:.0f} ms. "
        f"Pages read on the reader thread: {sum(r[2] for r in shown)}; rows shown after at most "
        f"{max(r[1] for r in shown):.0f} ms (median {statistics.median(r[1] for r in shown):.1f} ms)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
