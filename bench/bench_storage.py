"""Storage per order on SQLite: where the bytes go, per table and per index, at N orders (issue 19).

    .venv/bin/python bench/bench_storage.py [--orders 200000] [--data-dir DIR] [--retention]

Builds a database with ``tests/support/demo_data.generate`` (its rows mirror what the app's import, packing and
Amazon's confirmation write: events with their messages and station, items with ASIN and price, stock history
of shipped units, encrypted buyer fields and their blind-index tokens), or measures the database of an existing
data folder (``--data-dir``, e.g. a COPY of a prebuilt one: it is opened through the app, so it is migrated to
this schema first). SQLite's ``dbstat`` gives the bytes of every table and index (whole pages, as on disk);
each is printed per order. Next to it, the floor measured in the same run: the raw bytes of the order data
itself (every non-empty value of an order, its items, packages and events, buyer fields counted as their plain
text, integers as SQLite stores them). Target (issue 19): the whole file ≤ 1,024 bytes per order at 1,000,000
orders. ``--retention`` then runs the app's retention purge (``purge_buyer_data``: buyer data of orders due
more than the retention days ago is removed, as the app does every day) and measures again: the steady state
of a database that has run for years.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("FBM_DESK_CREDENTIALS", "file")  # a generated key must open the folder next time
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_BYTES_PER_ORDER = 1024
SAMPLE = 20_000  # orders sampled for the floor
_ORDER_TABLES = ("orders", "order_item", "package", "package_item", "order_event", "buyer_name_token")


def _int_bytes(v: int) -> int:
    """How many bytes SQLite's record format spends on an integer value (0 and 1 cost none)."""
    if v in (0, 1):
        return 0
    for size, bound in ((1, 1 << 7), (2, 1 << 15), (3, 1 << 23), (4, 1 << 31), (6, 1 << 47)):
        if -bound <= v < bound:
            return size
    return 8


def _value_bytes(v: Any) -> int:
    if v is None or v == "":
        return 0
    if isinstance(v, bool | int):
        return _int_bytes(int(v))
    if isinstance(v, float):
        return 8
    if isinstance(v, bytes):
        return len(v)
    return len(str(v).encode())


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _time_bytes(v: Any) -> int:
    """Bytes ``v`` takes beyond 4 if it is a time kept as ISO text (4: the same time as an integer)."""
    return len(v) - 4 if isinstance(v, str) and _ISO_TIME.match(v) else 0


def floor_bytes(conn: Any, orders: int) -> tuple[float, float]:
    """Raw bytes per order of the order data itself, over a random sample of orders (buyer fields as plain
    text: what they would take unencrypted; tokens are derived data and count nothing), and how many of them
    times kept as ISO text take beyond the 4 bytes of an integer."""
    from fbm_desk.db import pii

    top = int(conn.execute("SELECT max(id) FROM orders").fetchone()[0])
    # generated columns (hidden 2/3) are derived: the sort keys of schema_sort_keys.sql count nothing
    derived = {r[1] for r in conn.execute("PRAGMA table_xinfo(orders)") if r[6] in (2, 3)}
    rnd = random.Random(1)
    ids = sorted(rnd.sample(range(1, top + 1), min(SAMPLE, top)))
    total = 0
    times = 0
    seen = 0
    chunk = 500
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        marks = ",".join("?" for _ in part)
        cur = conn.execute(f"SELECT * FROM orders WHERE id IN ({marks})", part)  # noqa: S608 - placeholders
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            seen += 1
            for name, value in zip(names, row, strict=True):
                if name in derived:
                    continue
                if name in pii.ENCRYPTED_COLUMNS and isinstance(value, str | bytes):
                    value = pii.reveal(name, value)
                total += _value_bytes(value)
                times += _time_bytes(value)
        for sql in (
            f"SELECT * FROM order_item WHERE order_id IN ({marks})",  # noqa: S608 - placeholders
            f"SELECT * FROM package WHERE order_id IN ({marks})",  # noqa: S608
            f"SELECT pi.* FROM package_item pi JOIN package p ON p.id = pi.package_id "  # noqa: S608
            f"WHERE p.order_id IN ({marks})",
            f"SELECT * FROM order_event WHERE order_id IN ({marks})",  # noqa: S608
        ):
            for row in conn.execute(sql, part).fetchall():
                total += sum(_value_bytes(v) for v in row)
                times += sum(_time_bytes(v) for v in row)
    return (total / seen, times / seen) if seen else (0.0, 0.0)


def measure(conn: Any, path: Path, orders: int, label: str) -> tuple[float, float]:
    """Print bytes per order of every table and index; returns the file's bytes per order and the indexes'
    (every index, and the blind name index, a table that is nothing but an index)."""
    owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    started = time.perf_counter()
    sizes = conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat WHERE aggregate = TRUE GROUP BY name ORDER BY 2 DESC"
    ).fetchall()
    took = time.perf_counter() - started
    file_bytes = path.stat().st_size
    free_pages = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    print(f"\n{label}: {orders:,} orders, file {file_bytes / 1e6:,.0f} MB (dbstat in {took:.1f} s)")
    print(f"  {'table':18} {'table / index':38} {'B/order':>8} {'rows/order':>10}")
    other = 0
    indexes = 0
    per_table: dict[str, float] = {}
    for name, size in sizes:
        table = owner.get(name, name)
        per_table[table] = per_table.get(table, 0) + size / orders
        if name != table or name == "buyer_name_token":
            indexes += size
        if table not in _ORDER_TABLES and table != "inventory_adjustment":
            other += size
            continue
        rows = ""
        if name == table:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - catalog names
            rows = f"{count / orders:.2f}"
        print(f"  {table:18} {name:38} {size / orders:8.1f} {rows:>10}")
    print(f"  {'(everything else)':18} {'stores, products, listings, stock, ...':38} {other / orders:8.1f}")
    print(f"  {'(free pages)':18} {'':38} {free_pages * page / orders:8.1f}")
    live = sum(size for _, size in sizes)
    print(f"  {'(in use)':18} {'every table and index':38} {live / orders:8.1f}")
    print("  per table, with its indexes:")
    for table in (*_ORDER_TABLES, "inventory_adjustment"):
        print(f"    {table:28} {per_table.get(table, 0):8.1f}")
    print(f"  {'(indexes)':18} {'every index and the name index':38} {indexes / orders:8.1f}")
    return file_bytes / orders, indexes / orders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument(
        "--data-dir", type=Path, help="measure this data folder's database (a copy: it is migrated)"
    )
    parser.add_argument(
        "--retention", action="store_true", help="then run the retention purge and measure again"
    )
    args = parser.parse_args()

    from fbm_desk.core import build_core
    from fbm_desk.foundation.paths import AppPaths
    from tests.support.demo_data import generate

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="fbm-bench-storage-"))
    paths = AppPaths(data_dir=data_dir, log_dir=data_dir / "logs")
    started = time.perf_counter()
    core = build_core(paths)
    print(f"opened (and migrated) {paths.db_file} in {time.perf_counter() - started:.1f} s")
    db = core.db.db
    have = int(db.execute_sql("SELECT count(*) FROM orders").fetchone()[0])
    if have < args.orders:
        started = time.perf_counter()
        generate(db, orders=args.orders - have, seed=42)
        print(f"generated {args.orders - have:,} orders in {time.perf_counter() - started:.1f} s")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    conn = db.connection()
    orders = int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    floors = [floor_bytes(conn, orders)]
    rows = [
        (
            "all orders hold buyer data",
            *measure(conn, paths.db_file, orders, "every order holding its buyer data"),
        )
    ]
    if args.retention:
        from fbm_desk.db.retention import purge_buyer_data

        started = time.perf_counter()
        result = purge_buyer_data(datetime.now(UTC), None)
        print(
            f"\nretention purge: {result.orders_purged:,} orders' buyer data removed in {time.perf_counter() - started:.1f} s"
        )
        floors.append(floor_bytes(conn, orders))
        rows.append(
            ("after the retention purge", *measure(conn, paths.db_file, orders, "after the retention purge"))
        )
    print(
        "\nfloor: the raw bytes of the order data itself ('times': what its ISO times take beyond integers)"
    )
    print("least: that floor with every time an integer, plus the indexes as measured, and no other overhead")
    for (label, value, indexes), (floor, times) in zip(rows, floors, strict=True):
        least = floor - times + indexes
        verdict = "within target" if value <= TARGET_BYTES_PER_ORDER else "OVER TARGET"
        print(
            f"{label:28}: {value:7.0f} B/order  (floor {floor:.0f}, times {times:.0f}, ratio "
            f"{value / floor:.1f}x; least {least:.0f}; target <= {TARGET_BYTES_PER_ORDER} at 1,000,000): {verdict}"
        )
    core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
