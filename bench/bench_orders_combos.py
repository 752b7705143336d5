"""Every quick filter with every sort of the Orders tab, at a data folder's size (issue 19: every screen as fast
at 1,000,000 orders as at 200,000).

    .venv/bin/python bench/bench_orders_combos.py --data-dir COPY [--runs 3] [--store]

``bench_orders_tab.py`` times each filter in the default order and each sort without a filter; a warehouse
clicks both: *Shipped* sorted by *Service*, *Held* by *Items*. Here every reachable pair (the urgency order
only with the packing filters, ascending, as the tab offers it), in both directions, optionally also within
one store (``--store``), is read as the tab reads its first page (``fetch_orders``, 201 rows), median of
``--runs``. Floor, measured in the same run: the same sort without a filter (the sort's own index read in
order). Printed: the slowest pairs, how many exceed the filters' target (150 ms), and the worst ratio.

The folder is opened through the app (so migrated first); SQLite's statistics are what the folder has (the
app keeps none: a folder made by the generator has none either).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from functools import partial
from pathlib import Path

os.environ.setdefault("FBM_DESK_CREDENTIALS", "file")  # a generated folder keeps its key in its secrets file
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders_tab import TARGET_FILTER_MS as TARGET_MS
from bench_orders_tab import median_ms


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
    results.sort(reverse=True)
    print(f"{'filter by sort (slowest first)':48} {'ms':>8} {'floor ms':>9} {'ratio':>6}")
    for ms, floor, label in results[:25]:
        print(f"{label:48} {ms:8.1f} {floor:9.1f} {ms / max(floor, 0.1):6.1f}")
    over = [r for r in results if r[0] > TARGET_MS]
    print(
        f"\n{len(results)} pairs: median {statistics.median(r[0] for r in results):.1f} ms, "
        f"slowest {results[0][0]:.0f} ms; {len(over)} over {TARGET_MS:.0f} ms"
    )
    core.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
