"""The headless commands as a user or script runs them: subprocesses against the sandbox over loopback.

Checks the public contract of issue 5 (options, exit codes, JSON fields) and that a run killed with SIGKILL
in the middle of a sync leaves nothing half-done: the rerun completes without duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fbm_desk.db.dialect import to_postgres
from fbm_desk.foundation.paths import ENV_DATABASE_URL
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.sync_env import merchant_skus, settle

pytestmark = pytest.mark.e2e

SYNC_FIELDS = {"job", "store", "status", "fetched", "created", "updated", "api_calls", "throttled", "error"}
ORDER_FIELDS = {
    "amazon_order_id",
    "store",
    "state",
    "amazon_status",
    "payment_hold",
    "cancel_requested",
    "warehouse",
    "ship_to",
    "items",
    "shipments",
    "tags",  # issue 15
    "priority",
    "holds",
}


@pytest.fixture
def quiet() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=600, alive=False, order_count=0) as sb:
        yield sb


class Cli:
    def __init__(self, sb: RunningSandbox, data_dir: Path) -> None:
        self.sb = sb
        self.data_dir = data_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("FBM_DESK_") or k == "FBM_DESK_DATABASE_URL"
        }
        self.env.update(sb.env())
        self.env["FBM_DESK_CREDENTIALS"] = "file"
        if os.environ.get(ENV_DATABASE_URL):  # the suite on PostgreSQL: this test's workspace
            self.env[ENV_DATABASE_URL] = os.environ[ENV_DATABASE_URL]

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read what the commands wrote, straight from the database (file or workspace); SQLite dialect."""
        url = self.env.get(ENV_DATABASE_URL)
        if url:
            with psycopg.connect(url) as conn:
                return [tuple(r) for r in conn.execute(to_postgres(sql), params).fetchall()]
        with closing(sqlite3.connect(self.data_dir / "fbm-desk.sqlite3")) as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "fbm_desk", "--data-dir", str(self.data_dir), *args]

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )

    def json(self, *args: str) -> object:
        proc = self.run(*args)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def add_store(self, name: str = "Demo US", *options: str, marketplace: str = "US") -> None:
        proc = self.run(
            "store",
            "add",
            "--name",
            name,
            "--marketplace",
            marketplace,
            "--selling-partner-id",
            self.sb.info.selling_partner_id,
            "--refresh-token-stdin",
            *options,
            stdin=self.sb.info.refresh_token + "\n",
        )
        assert proc.returncode == 0, proc.stderr


@pytest.fixture
def cli(quiet: RunningSandbox, tmp_path: Path) -> Cli:
    return Cli(quiet, tmp_path / "data")


def test_sync_orders_json_and_orders_list(cli: Cli, quiet: RunningSandbox) -> None:
    cli.add_store("Demo US", "--import-pending")
    sku = merchant_skus(quiet, 1)[0]
    released = quiet.world.add_order(skus={sku: 2})
    pending = quiet.world.add_order(skus={sku: 1}, status="PENDING")
    fba = quiet.world.add_order(skus=[sku], fulfilled_by="AMAZON")
    settle(quiet, released, pending, fba)
    proc = cli.run("sync", "orders", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == SYNC_FIELDS
    assert result["job"] == "orders"
    assert result["store"] == "Demo US"
    assert result["status"] == "ok"
    assert (result["fetched"], result["created"], result["error"]) == (2, 2, None)
    assert result["api_calls"] >= 1
    assert result["throttled"] == 0
    orders = cli.json("orders", "list", "--json")
    assert isinstance(orders, list)
    by_id = {o["amazon_order_id"]: o for o in orders}
    assert set(by_id) == {released, pending}
    for o in orders:
        assert set(o) == ORDER_FIELDS
    r, p = by_id[released], by_id[pending]
    assert (r["state"], r["amazon_status"], r["payment_hold"], r["store"]) == (
        "released",
        "UNSHIPPED",
        False,
        "Demo US",
    )
    assert set(r["ship_to"]) == {
        "name",
        "address_line1",
        "city",
        "state_or_region",
        "postal_code",
        "country_code",
    }
    assert r["items"][0]["sku"] == sku
    assert r["items"][0]["quantity"] == 2
    assert r["items"][0]["quantity_shipped"] == 0
    assert set(r["items"][0]) == {"order_item_id", "sku", "quantity", "quantity_shipped"}
    assert r["shipments"] == []
    assert (p["state"], p["amazon_status"], p["payment_hold"], p["ship_to"]) == (
        "held",
        "PENDING",
        True,
        None,
    )
    held = cli.json("orders", "list", "--state", "held", "--json")
    assert [o["amazon_order_id"] for o in held] == [pending]  # type: ignore[index]
    assert cli.json("orders", "list", "--store", "Demo US", "--json") == orders


def test_ship_inventory_and_products_commands(cli: Cli, quiet: RunningSandbox) -> None:
    cli.add_store()
    assert cli.run("sync", "products-full").returncode == 0
    products = cli.json("products", "list", "--json")
    assert isinstance(products, list)
    assert products
    assert set(products[0]) == {
        "store",
        "sku",
        "asin",
        "title",
        "status",
        "fulfillment_channel",
        "amazon_quantity",
    }
    sku = merchant_skus(quiet, 1)[0]
    order_id = quiet.world.add_order(skus={sku: 2})
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    item_id = quiet.world.order_state(order_id)["items"][0]["order_item_id"]

    bad = [
        ("111-0000000-0000000", "--carrier", "UPS", "--tracking", "1Z999AA10123456784"),
        (order_id, "--carrier", "Pigeon Post", "--tracking", "1Z999AA10123456784"),
        (order_id, "--carrier", "UPS", "--tracking", ""),
        (order_id, "--carrier", "UPS", "--tracking", "12"),
        (order_id, "--carrier", "Other", "--tracking", "ABC12345"),
        (order_id, "--carrier", "UPS", "--tracking", "1Z999AA10123456784", "--item", f"{item_id}=3"),
    ]
    for args in bad:
        proc = cli.run("ship", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.strip().startswith("fbm-desk: "), proc.stderr
    proc = cli.run(
        "ship", order_id, "--carrier", "UPS", "--tracking", "1z999aa1012345678 4", "--item", f"{item_id}=1"
    )
    assert proc.returncode == 0, proc.stderr
    listed = cli.json("orders", "list", "--json")
    assert listed[0]["shipments"] == [  # type: ignore[index]
        {
            "carrier_code": "UPS",
            "tracking_number": "1Z999AA101234567 84".replace(" ", ""),
            "push_state": "queued",
            "label": False,  # issue 18: not a Buy Shipping label
        }
    ]
    pushed = json.loads(cli.run("sync", "shipments", "--json").stdout)
    assert (pushed["status"], pushed["api_calls"]) == ("ok", 1)
    order = cli.json("orders", "list", "--json")[0]  # type: ignore[index]
    assert order["state"] == "partially_shipped"
    assert order["shipments"][0]["push_state"] == "confirmed"
    assert order["items"][0]["quantity_shipped"] == 1

    assert cli.run("inventory", "set", "NO-SUCH-SKU", "5").returncode == 2
    assert cli.run("inventory", "set", sku, "-1").returncode == 2
    assert cli.run("inventory", "set", sku, "30").returncode == 0
    stock = {r["sku"]: r for r in cli.json("inventory", "list", "--json")}  # type: ignore[union-attr]
    assert set(stock[sku]) == {"sku", "on_hand", "allocated", "available", "pushed_quantity", "warehouses"}
    assert (stock[sku]["on_hand"], stock[sku]["allocated"], stock[sku]["available"]) == (30, 1, 29)
    first = json.loads(cli.run("sync", "inventory", "--json").stdout)
    assert first["status"] == "ok"
    assert first["api_calls"] >= 1
    assert quiet.world.listing_quantity(sku) == 29
    stock = {r["sku"]: r for r in cli.json("inventory", "list", "--json")}  # type: ignore[union-attr]
    assert stock[sku]["pushed_quantity"] == 29
    again = json.loads(cli.run("sync", "inventory", "--json").stdout)
    assert (again["status"], again["api_calls"]) == ("ok", 0)  # nothing changed, nothing pushed


def test_sync_failures_exit_1_with_json(cli: Cli, quiet: RunningSandbox) -> None:
    proc = cli.run("sync", "orders", "--json")
    assert proc.returncode == 1
    assert "store" in proc.stderr.lower()
    cli.add_store()
    quiet.world.revoke_refresh_token()
    proc = cli.run("sync", "orders", "--json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["status"] == "failed"
    assert result["error"]
    assert set(result) == SYNC_FIELDS
    assert result["error"] in proc.stderr
    stores = cli.json("store", "list", "--json")
    assert stores[0]["status"] == "needs_reconnect"  # type: ignore[index]
    assert cli.run("sync", "nonsense").returncode == 2
    assert cli.run("sync", "orders", "--store", "Nope").returncode == 2


def test_sync_without_store_runs_every_active_store(cli: Cli, quiet: RunningSandbox) -> None:
    cli.add_store("Demo US")
    cli.add_store("Demo CA", marketplace="CA")
    sku = merchant_skus(quiet, 1)[0]
    us = quiet.world.add_order(skus=[sku])
    ca = quiet.world.add_order(skus=[sku], marketplace_id="A2EUQ1WTGCTBG2")
    settle(quiet, us, ca)
    proc = cli.run("sync", "orders", "--json")
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert sorted((r["store"], r["created"]) for r in results) == [("Demo CA", 1), ("Demo US", 1)]
    stores = {o["amazon_order_id"]: o["store"] for o in cli.json("orders", "list", "--json")}  # type: ignore[union-attr]
    assert stores == {us: "Demo US", ca: "Demo CA"}
    only = cli.json("orders", "list", "--store", "Demo CA", "--json")
    assert [o["amazon_order_id"] for o in only] == [ca]  # type: ignore[union-attr]


def _count(cli: Cli, sql: str) -> int:
    try:
        return int(cli.query(sql)[0][0])
    except (sqlite3.Error, psycopg.Error):  # not created yet, or busy
        return 0


def test_killed_mid_sync_then_rerun_is_idempotent(cli: Cli, quiet: RunningSandbox) -> None:
    cli.add_store()
    quiet.world.generate_orders(1000)
    settle(quiet, *quiet.world.orders)
    quiet.world.inject_fault("searchOrders", "slow", count=8, delay=0.6)
    proc = subprocess.Popen(
        cli.argv("sync", "orders", "--json"), env=cli.env, stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while _count(cli, "SELECT count(*) FROM orders") < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # reaps it and closes the pipe
    partial = _count(cli, "SELECT count(*) FROM orders")
    assert 200 <= partial < 1000  # pages already written stay; the run did not finish
    assert _count(cli, "SELECT count(*) FROM sync_cursor WHERE job = 'orders'") == 0
    quiet.world.clear_faults()
    rerun = json.loads(cli.run("sync", "orders", "--json").stdout)
    assert rerun["status"] == "ok"
    assert rerun["created"] == 1000 - partial
    assert _count(cli, "SELECT count(*) FROM orders") == 1000
    assert _count(cli, "SELECT count(*) FROM order_event WHERE kind = 'imported'") == 1000
    assert _count(cli, "SELECT count(DISTINCT order_id) FROM order_item") == 1000
    assert (
        _count(
            cli,
            "SELECT count(*) FROM (SELECT order_id, order_item_id FROM order_item "
            "GROUP BY 1, 2 HAVING count(*) > 1)",
        )
        == 0
    )
