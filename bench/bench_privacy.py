"""What buyer data encryption costs (issue 14), measured side by side in one run: with encryption and the blind
name index vs. the same code with both switched off (the plain storage of before).

1. Import throughput: 10,000 orders with full addresses through ``apply_orders_page`` (100 per page), best of
   ``--repeat``, interleaved.
2. 200,000 orders (``tests/support/demo_data.generate``): generation time and file size, then a buyer-name
   search as the Orders tab evaluates it (the id query the tab materializes, then the count and the first page of
   100), blind index vs. the former ``LIKE '%text%'`` over plain name indexes.
3. Opening: what ``attach_workspace`` adds to a start (read the key, check it, bind it).

Run: ``.venv/bin/python bench/bench_privacy.py [--orders 200000] [--repeat 3]``. Cold start and the Orders tab as
a whole: ``bench_startup.py`` and ``bench_orders_tab.py`` (README's Performance table has both, before/after).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem
from fbm_desk.db import open_database, order_import
from fbm_desk.db.models import database_proxy
from fbm_desk.db.order_views import OrderQuery, count_orders, fetch_orders
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.stores import insert_store
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from tests.support import demo_data

T0 = datetime(2026, 11, 20, tzinfo=UTC)
STREETS = ("Oak", "Pine", "Main", "Elm", "Cedar", "Birch")
OLD_HITS = (  # the search's id query before encryption (bench only: plain names, the old indexes)
    "SELECT id FROM orders WHERE amazon_order_id LIKE ? ESCAPE '\\' "
    "UNION SELECT order_id FROM order_item WHERE seller_sku LIKE ? ESCAPE '\\' "
    "UNION SELECT order_id FROM package WHERE tracking_number LIKE ? ESCAPE '\\' "
    "UNION SELECT id FROM orders INDEXED BY orders_buyer_name WHERE buyer_name LIKE ? ESCAPE '\\' "
    "UNION SELECT id FROM orders INDEXED BY orders_ship_name WHERE ship_name LIKE ? ESCAPE '\\'"
)


@contextlib.contextmanager
def plain_storage() -> Iterator[None]:
    """Bench only: the import and the generator without encryption and name index (storage as before)."""
    seal, tokens, sealer = order_import.pii.seal_fields, order_import.store_name_tokens, demo_data._Sealer
    order_import.pii.seal_fields = lambda row: None  # type: ignore[assignment]
    order_import.store_name_tokens = lambda names, replace=True: None  # type: ignore[assignment]

    class Plain(sealer):  # type: ignore[misc, valid-type]
        def seal_row(self, row: tuple[object, ...]) -> tuple[object, ...]:
            return row

    demo_data._Sealer = Plain  # type: ignore[misc]
    try:
        yield
    finally:
        order_import.pii.seal_fields = seal  # type: ignore[assignment]
        order_import.store_name_tokens = tokens  # type: ignore[assignment]
        demo_data._Sealer = sealer  # type: ignore[misc]


def pages(count: int) -> list[list[AmazonOrder]]:
    rnd = random.Random(5)
    orders = []
    for n in range(count):
        name = f"{rnd.choice(demo_data.FIRST)} {rnd.choice(demo_data.LAST)}"
        orders.append(
            AmazonOrder(
                order_id=f"111-{n:07d}-{rnd.randint(0, 9_999_999):07d}",
                created_time=T0,
                last_updated_time=T0,
                marketplace_id="ATVPDKIKX0DER",
                fulfillment_status="UNSHIPPED",
                fulfilled_by="MERCHANT",
                items=(AmazonOrderItem(f"{n}01", "SKU-A", "B000", "A thing", 1),),
                address=Address(
                    name=name,
                    address_line1=f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)} St",
                    city="Seattle",
                    state_or_region="WA",
                    postal_code=f"{rnd.randint(10000, 99999)}",
                    country_code="US",
                    phone=f"+1 206-555-{rnd.randint(0, 9999):04d}",
                ),
                buyer_name=name,
                latest_delivery_date=T0 + timedelta(days=5),
            )
        )
    return [orders[i : i + 100] for i in range(0, count, 100)]


def open_fresh(path: Path) -> Credentials:
    open_database(path)
    credentials = Credentials(MemoryStore())
    attach_workspace(credentials)
    return credentials


def import_seconds(work: list[list[AmazonOrder]], path: Path) -> float:
    open_fresh(path)
    store = insert_store(name="T", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S")
    started = time.perf_counter()
    for page in work:
        order_import.apply_orders_page(store, page, now="2026-11-24T10:00:00Z")
    took = time.perf_counter() - started
    database_proxy.close()
    return took


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def tab_search(text: str) -> None:
    """What the Orders tab does for a search: the id query (materialized), the count, the first page."""
    count_orders(OrderQuery(search=text))
    fetch_orders(OrderQuery(search=text), 0, 100)
    fetch_orders(OrderQuery(search="bench-other"), 0, 1)  # so the next run evaluates the search afresh


def old_tab_search(text: str) -> None:
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conn = database_proxy.connection()
    conn.execute("DROP TABLE IF EXISTS temp.old_hits")
    conn.execute(f"CREATE TEMP TABLE old_hits AS {OLD_HITS}", [like, like, like, "%" + like, "%" + like])
    conn.execute("SELECT count(*) FROM orders o WHERE o.id IN (SELECT id FROM temp.old_hits)").fetchone()
    conn.execute(
        "SELECT o.* FROM orders o WHERE o.id IN (SELECT id FROM temp.old_hits) "
        "ORDER BY o.purchase_date DESC, o.id DESC LIMIT 100"
    ).fetchall()


def generated(path: Path, orders: int) -> tuple[float, Credentials]:
    credentials = open_fresh(path)
    started = time.perf_counter()
    demo_data.generate(database_proxy.obj, orders=orders, seed=42)
    database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started, credentials


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--import-orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fbm-bench-privacy-"))
    try:
        work_pages = pages(args.import_orders)
        enc: list[float] = []
        plain: list[float] = []
        for r in range(args.repeat):
            enc.append(import_seconds(work_pages, work / f"enc{r}.sqlite3"))
            with plain_storage():
                plain.append(import_seconds(work_pages, work / f"plain{r}.sqlite3"))
        n = args.import_orders
        e, p = min(enc), min(plain)
        print(f"{'':34} {'encrypted':>14} {'plain (before)':>16} {'ratio':>7}")
        print(f"{'import ' + format(n, ',') + ' orders':34} {e:12.2f} s {p:14.2f} s {e / p:6.2f}x")
        print(f"{'  orders/s':34} {n / e:14,.0f} {n / p:16,.0f}")

        g_enc, credentials = generated(work / "big-enc.sqlite3", args.orders)
        size_enc = (work / "big-enc.sqlite3").stat().st_size / 1e6
        searches = {"one name": "dubois", "name prefix": "chlo", "two words": "priya nguyen"}
        after = {
            label: median_ms(lambda t=text: tab_search(t), args.runs) for label, text in searches.items()
        }
        attach = median_ms(lambda: attach_workspace(credentials), 5)
        database_proxy.close()
        with plain_storage():
            g_plain = generated(work / "big-plain.sqlite3", args.orders)[0]
        database_proxy.execute_sql("CREATE INDEX orders_buyer_name ON orders (buyer_name)")
        database_proxy.execute_sql("CREATE INDEX orders_ship_name ON orders (ship_name)")
        database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        size_plain = (work / "big-plain.sqlite3").stat().st_size / 1e6
        before = {
            label: median_ms(lambda t=text: old_tab_search(t), args.runs) for label, text in searches.items()
        }
        database_proxy.execute_sql("DELETE FROM workspace")  # as a database from before this version
        started = time.perf_counter()
        first_open = attach_workspace(Credentials(MemoryStore()))
        migrate_s = time.perf_counter() - started
        database_proxy.close()
        print(f"{'generate ' + format(args.orders, ',') + ' orders':34} {g_enc:12.1f} s {g_plain:14.1f} s")
        print(f"{'database file':34} {size_enc:11.0f} MB {size_plain:13.0f} MB {size_enc / size_plain:6.2f}x")
        for label in searches:
            a, b = after[label], before[label]
            print(f"{'search ' + label + f' ({searches[label]})':34} {a:11.1f} ms {b:13.1f} ms {a / b:6.2f}x")
        print(f"{'open: bind the workspace key':34} {attach:11.1f} ms")
        print(
            f"{'first open of the plain database':34} {migrate_s:12.1f} s  "
            f"({first_open.encrypted_now:,} fields encrypted, name index built, file vacuumed)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
