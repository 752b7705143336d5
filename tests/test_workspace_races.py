"""Issue 13 item 3 on a real PostgreSQL server: every read-check-write is safe when stations write at once.

Each test holds the workspace's write lock in a transaction of this process (station A, mid-write), starts the
competing write on another connection (station B: a ``fbm-desk`` process, or a thread with its own
connection), waits until the server shows B *waiting* for that lock (``pg_locks``: no timing), then lets A
finish. Without the lock in B's path, B would not wait and the wait below fails; with it, B reads what A
committed: the loser is refused with a clear message, nothing is lost or counted twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fbm_desk.db import OpenedDatabase, open_postgres
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.models import InventoryAdjustment, Order, Package, Product
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.pg_connection import WRITE_LOCK_KEY
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store
from fbm_desk.db.transactions import close_thread_connection, transaction
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from tests.test_packing import amazon_order

ORDER = "111-0000013-0000003"
_WAITERS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
    "AND classid = %s AND objid = %s AND objsubid = 1"
)


@pytest.fixture
def ws(pg_workspace: str) -> Iterator[OpenedDatabase]:
    opened = open_postgres(pg_workspace)
    attach_workspace(Credentials(MemoryStore()))  # this station holds the workspace key (buyer data)
    yield opened
    opened.close()


@pytest.fixture
def shop(ws: OpenedDatabase) -> StoreRow:
    return insert_store(
        name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1SELLER"
    )


def _wait_for_waiter(url: str, timeout_s: float = 20.0) -> None:
    """Until another session waits for the workspace's write lock (checked on a connection of its own)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + timeout_s
        key = (WRITE_LOCK_KEY >> 32, WRITE_LOCK_KEY & 0xFFFFFFFF)
        while True:
            row = conn.execute(_WAITERS, key).fetchone()
            if row and row[0]:
                return
            assert time.monotonic() < deadline, "the other station never waited for the write lock"
            time.sleep(0.01)


def _in_thread(body: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []

    def run() -> None:
        try:
            out.append(body())
        except Exception as exc:  # the test asserts on it
            out.append(exc)
        finally:
            close_thread_connection()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _ship(url: str, data: Path, tracking: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_")}
    env["FBM_DESK_CREDENTIALS"] = "memory"
    argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(data), "--database", url]
    argv += ["ship", ORDER, "--carrier", "UPS", "--tracking", tracking]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_stations_packing_the_same_order_one_package_and_ship_exits_2(
    shop: StoreRow, pg_workspace: str, tmp_path: Path
) -> None:
    apply_orders_page(shop, [amazon_order(ORDER, items=(("2001", "SKU-A", 1),))], now="2026-12-07T00:00:00Z")
    with transaction(immediate=True):  # station A is recording its package
        other = _ship(pg_workspace, tmp_path / "b", "1Z999AA10123456785")  # station B packs it too
        _wait_for_waiter(pg_workspace)
        record_package(None, ORDER, "UPS", "1Z999AA10123456784")
    out, err = other.communicate(timeout=120)
    assert other.returncode == 2, (out, err)
    assert "unshipped" in err.lower() or "already" in err.lower(), err
    order = Order.get(Order.amazon_order_id == ORDER)
    assert [p.tracking_number for p in Package.select().where(Package.order == order.id)] == [
        "1Z999AA10123456784"
    ]


def test_a_stock_edit_waits_for_another_stations_stock_change_and_nothing_is_lost(
    shop: StoreRow, pg_workspace: str
) -> None:
    product = Product.create(sku="SKU-A", title="Thing")
    adjust_on_hand(int(product.id), 10, "counted")
    with transaction(immediate=True):  # station A: a shipment's stock-out (shipments job) is being written
        thread, result = _in_thread(lambda: adjust_on_hand(int(product.id), 5, "counted 5 more"))  # station B
        _wait_for_waiter(pg_workspace)
        adjust_on_hand(int(product.id), -3, "shipped", source="shipment")
    thread.join(30)
    assert result == [12]  # 10 - 3 + 5: B read what A committed
    deltas = [a.delta for a in InventoryAdjustment.select().where(InventoryAdjustment.product == product.id)]
    assert (deltas.count(5), deltas.count(-3)) == (1, 1)  # each change recorded once


def test_a_sync_updating_an_order_waits_for_the_package_being_recorded(
    shop: StoreRow, pg_workspace: str
) -> None:
    apply_orders_page(shop, [amazon_order(ORDER, items=(("2001", "SKU-A", 2),))], now="2026-12-07T00:00:00Z")
    canceled = amazon_order(ORDER, status="CANCELED", items=(("2001", "SKU-A", 2),))
    with transaction(immediate=True):  # station A is packing
        thread, result = _in_thread(
            lambda: apply_orders_page(shop, [canceled], now="2026-12-07T00:05:00Z")
        )  # station B's orders sync
        _wait_for_waiter(pg_workspace)
        package = record_package(None, ORDER, "UPS", "1Z999AA10123456784")
    thread.join(30)
    assert not isinstance(result[0], Exception), result
    order = Order.get(Order.amazon_order_id == ORDER)
    assert str(order.amazon_status) == "CANCELED"  # the sync is not lost
    assert Package.get_by_id(package.id).order_id == order.id  # nor the package recorded before it


def test_an_immediate_block_nested_in_a_plain_transaction_takes_the_write_lock(
    ws: OpenedDatabase, pg_workspace: str
) -> None:
    from fbm_desk.db import dialect

    held = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
        "AND classid = ? AND objid = ? AND objsubid = 1"
    )
    key = (WRITE_LOCK_KEY >> 32, WRITE_LOCK_KEY & 0xFFFFFFFF)
    with transaction():  # e.g. adding a store: its token is sealed in a nested immediate step
        assert dialect.execute(held, key).fetchone()[0] == 0
        with transaction(immediate=True):
            assert dialect.execute(held, key).fetchone()[0] == 1
        assert dialect.execute(held, key).fetchone()[0] == 1  # until the outer transaction ends
    assert dialect.execute(held, key).fetchone()[0] == 0
