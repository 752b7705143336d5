"""Benchmark (not a test): a pick list and packing slips for 500 orders, as ``fbm-desk print`` makes them.

    .venv/bin/python bench/bench_pick_list.py [--orders 500] [--skus 1500] [--repeat 3]

Builds a database with ``--skus`` products (each with a bin) and ``--orders`` released orders of 1-4 lines,
then times, best of N: resolving the order ids, reading the pick list (units per SKU, bins, sorted by bin) and
drawing it into a Letter PDF with Qt (offscreen). The floor, measured in the same run, is writing the same
number of empty pages through the same ``QPdfWriter`` path. Target: ≤ 2 s for 500 orders. Also prints the
500 packing slips (one page each, with a Code 128 barcode) for reference.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fbm_desk.core import build_core
from fbm_desk.db import paper
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.printing.canvas import Canvas, PaperSize
from fbm_desk.printing.output import pick_list_pdf, slips_pdf
from fbm_desk.printing.render import headless_app, write_pdf
from tests.support.demo_data import add_order, generate

TARGET_S = 2.0


def _best(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _seed(folder: Path, orders: int, skus: int) -> list[str]:
    core = build_core(AppPaths(data_dir=folder, log_dir=folder / "logs"))
    db = core.db.db
    generate(db, orders=0)
    rnd = random.Random(5)
    with db.atomic():
        db.execute_sql(
            "DELETE FROM product WHERE id NOT IN (SELECT product_id FROM listing WHERE product_id IS NOT NULL)"
        )
        for n in range(skus):
            aisle, shelf = divmod(n, 40)
            db.execute_sql(
                "INSERT OR IGNORE INTO product (sku, title, bin, created_at) VALUES (?, ?, ?, '2026-11-01T00:00:00Z')",
                (
                    f"SKU-{n:05d}",
                    f"Bench product number {n} with a longer descriptive title",
                    f"{chr(65 + aisle % 26)}-{aisle:02d}-{shelf:02d}",
                ),
            )
    ids = []
    for n in range(orders):
        oid = f"113-{n:07d}-{rnd.randrange(10**7):07d}"
        lines = tuple((f"SKU-{rnd.randrange(skus):05d}", rnd.randint(1, 3)) for _ in range(rnd.randint(1, 4)))
        add_order(db, oid, items=lines, buyer_name=f"Buyer {n}", city="Seattle")
        ids.append(oid)
    core.close()
    return ids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--skus", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = headless_app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        order_ids = _seed(folder / "data", args.orders, args.skus)
        core = build_core(AppPaths(data_dir=folder / "data", log_dir=folder / "data" / "logs"))
        out = folder / "pick.pdf"

        def pick() -> int:
            ids = paper.resolve_order_ids(order_ids)
            return pick_list_pdf(paper.pick_list(ids, order_ids), out, "letter")

        took, pages = _best(args.repeat, pick)
        pick_pages = int(pages)  # type: ignore[call-overload]

        def empty(c: Canvas) -> None:
            for _ in range(pick_pages - 1):
                c.new_page()

        floor, _ = _best(args.repeat, lambda: write_pdf(folder / "empty.pdf", PaperSize.LETTER, empty))
        read, _ = _best(args.repeat, lambda: paper.pick_list(paper.resolve_order_ids(order_ids), order_ids))
        lines = len(paper.pick_list(paper.resolve_order_ids(order_ids)).lines)
        slips_took, slip_pages = _best(
            1, lambda: slips_pdf(paper.slips(paper.resolve_order_ids(order_ids)), folder / "slips.pdf", "4x6")
        )
        core.close()
    print(f"pick list: {args.orders} orders, {lines} SKU lines, {pick_pages} page(s) (Letter)")
    print(
        f"  read + draw + write PDF : {took * 1000:8.1f} ms  (best of {args.repeat}; target ≤ {TARGET_S * 1000:.0f} ms)"
    )
    print(f"  of which reading the rows: {read * 1000:6.1f} ms")
    print(f"  floor (empty pages)     : {floor * 1000:8.1f} ms  ratio {took / max(floor, 1e-9):.1f}×")
    print(f"packing slips: {slip_pages} page(s) 4x6 with barcodes: {slips_took * 1000:.1f} ms")
    print("OK" if took <= TARGET_S else "SLOWER THAN TARGET")
    del app
    return 0 if took <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
