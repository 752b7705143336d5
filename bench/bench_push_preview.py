"""The Inventory tab's push preview and the stock numbers behind it, at any number of orders (issue 19).

    .venv/bin/python bench/bench_push_preview.py --data-dir COPY [--runs 5]
    .venv/bin/python bench/bench_push_preview.py --orders 200000 [--runs 5]

``--data-dir``: an existing data folder, used as it is (a COPY, e.g. of the prebuilt 1,000,000-order folder: the
bench writes to it; its workspace key in its ``secrets-INSECURE.json``). ``--orders``: a copy of the cached demo
template with that many orders (``tests/support/demo_data.template_database``), deleted afterwards.

Every case is the real db function the app calls; the first run (the process's own page cache still cold) and
the median of ``--runs`` runs are printed:
- **push preview**: what the Inventory tab's pool thread reads (``push_preview_loader``): the kept stock rows'
  refresh, then ``stock.pending_pushes()`` (also the inventory job's plan);
- **preview after a stock change**: one product's on-hand changed, then the same read (its kept row is dirty);
- **every product's stock row**: every kept row marked dirty and recomputed (``refresh_stock_summary``: on hand,
  allocated, available, what the next push sends), as after an upgrade or a change to the primary warehouse;
- **per-warehouse split**: ``warehouse_stock()`` of every product (``inventory list``, the tab's columns);
- **one SKU**: ``stock_row`` + ``push_plan`` + ``warehouse_stock`` of one product (selecting a row; its "why");
- **why available**: ``holding_orders`` of one SKU, the open orders holding its units (the panel shown on
  selecting a SKU, read on the GUI thread);
- **deactivation check**: ``warehouses.holds`` (on hand and open orders allocated), which the Warehouses page
  runs inside its write transaction before a warehouse is deactivated.
Next to them, the floor measured in the same run: reading the inputs that do not grow with the orders (every
listing with its store and product, every on-hand level), once, as the plan must at least. The orders and the
open orders are counted, so two runs (200,000 and 1,000,000 orders) can be compared side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_orders_tab import run_times


def timed(
    action: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> tuple[float, float]:
    """(first run, median of ``runs`` runs) in ms."""
    times = run_times(action, runs, before)
    return times[0], statistics.median(times)


def measure(data: Path, runs: int) -> None:
    from fbm_desk.core import build_core
    from fbm_desk.db import dialect
    from fbm_desk.db.domain_rows import OPEN_STATES
    from fbm_desk.db.holding_orders import holding_orders
    from fbm_desk.db.stock import pending_pushes, push_plan, stock_row
    from fbm_desk.db.stock_summary import refresh_stock_summary, refresh_stock_summary_quietly
    from fbm_desk.db.stock_warehouses import warehouse_stock
    from fbm_desk.db.warehouses import holds
    from fbm_desk.foundation.paths import AppPaths

    opened = time.perf_counter()
    core = build_core(AppPaths(data_dir=data, log_dir=data / "logs"))
    print(f"opened {data} in {time.perf_counter() - opened:.1f} s (a first open migrates it)")
    try:

        def count(sql: str) -> int:
            return int(dialect.execute(sql).fetchone()[0])

        states = "', '".join(OPEN_STATES)
        orders = count("SELECT count(*) FROM orders")
        open_orders = count(f"SELECT count(*) FROM orders WHERE state IN ('{states}')")  # noqa: S608
        products, listings = count("SELECT count(*) FROM product"), count("SELECT count(*) FROM listing")
        print(f"{orders:,} orders ({open_orders:,} open), {products:,} products, {listings:,} listings")

        def floor() -> None:
            dialect.execute(
                "SELECT l.*, st.name, st.status, p.sku FROM listing l JOIN store st ON st.id = l.store_id"
                " JOIN product p ON p.id = l.product_id WHERE l.gone_at IS NULL"
            ).fetchall()
            dialect.execute("SELECT product_id, warehouse_id, on_hand FROM inventory_level").fetchall()

        def preview() -> None:
            refresh_stock_summary_quietly()
            pending_pushes()

        pid = int(
            dialect.execute("SELECT product_id FROM listing WHERE product_id IS NOT NULL LIMIT 1").fetchone()[
                0
            ]
        )
        flip = iter(range(1 << 30))

        def change_stock() -> None:  # +1 / -1 in turn: the data ends as it began
            step = 1 if next(flip) % 2 == 0 else -1
            with core.db.db.atomic():
                dialect.execute(
                    "UPDATE inventory_level SET on_hand = on_hand + ? WHERE product_id = ? AND"
                    " warehouse_id = (SELECT min(warehouse_id) FROM inventory_level WHERE product_id = ?)",
                    [step, pid, pid],
                )

        def all_dirty() -> None:
            with core.db.db.atomic():
                dialect.execute("UPDATE stock_summary SET dirty = 1")

        def one_sku() -> None:
            stock_row(pid)
            push_plan(product_ids=[pid])
            warehouse_stock([pid])

        last_house = count("SELECT max(id) FROM warehouse")
        refresh_stock_summary()  # what a sync job leaves: nothing dirty
        cases = {
            "floor: listings + on-hand levels": timed(floor, runs),
            "push preview (refresh + pending_pushes)": timed(preview, runs),
            "preview after a stock change": timed(preview, runs, before=change_stock),
            "every product's stock row (all dirty)": timed(refresh_stock_summary, runs, before=all_dirty),
            "per-warehouse split, every product": timed(lambda: warehouse_stock(None), runs),
            "one SKU: row + plan + split": timed(one_sku, runs),
            "why available: holding_orders of one SKU": timed(lambda: holding_orders(pid), runs),
            "deactivation check (warehouses.holds)": timed(lambda: holds(last_house), runs),
        }
        base = max(cases["floor: listings + on-hand levels"][1], 0.01)
        print(f"{'case':44} {'first':>10} {'median':>10} {'× floor':>9}")
        for name, (first, median) in cases.items():
            print(f"{name:44} {first:8.1f}ms {median:8.1f}ms {median / base:8.0f}×")
        load = os.getloadavg()
        print(f"runs: {runs}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        core.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data-dir", type=Path, help="an existing data folder (a copy: the bench writes to it)"
    )
    parser.add_argument(
        "--orders", type=int, default=200_000, help="without --data-dir: the demo template's size"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["FBM_DESK_CREDENTIALS"] = "file"  # the folder's workspace key is in its fallback file
    if args.data_dir is not None:
        measure(args.data_dir, args.runs)
        return 0
    from tests.support.demo_data import copy_template, template_database

    template = template_database(args.orders)
    data = Path(tempfile.mkdtemp(prefix="fbm-bench-preview-"))
    try:
        copy_template(template, data)
        measure(data, args.runs)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
