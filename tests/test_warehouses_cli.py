"""Several warehouses end to end: the headless commands against the sandbox (issue 16's public contract).

Match-Amazon fills only the primary; a new warehouse starts at 0; a transfer moves units and the push sends the
same total; a store fed only by warehouse B pushes B's available; routing by priority sends an order to the
first warehouse with all of its units; a refused transfer changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.sync_env import merchant_skus, settle
from tests.test_cli_sync import Cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=600, alive=False, order_count=0) as running:
        yield running


@pytest.fixture
def cli(sb: RunningSandbox, tmp_path: Path) -> Cli:
    c = Cli(sb, tmp_path / "data")
    c.add_store()
    assert c.run("sync", "products-full").returncode == 0
    return c


def stock(cli: Cli) -> dict[str, dict[str, Any]]:
    return {r["sku"]: r for r in cli.json("inventory", "list", "--json")}  # type: ignore[union-attr]


def split(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {w["name"]: (w["on_hand"], w["allocated"]) for w in row["warehouses"]}


def history(cli: Cli) -> list[tuple[Any, ...]]:
    return cli.query("SELECT product_id, warehouse_id, delta, reason FROM inventory_adjustment")


def test_match_amazon_fills_the_primary_and_a_new_warehouse_starts_at_zero(
    cli: Cli, sb: RunningSandbox
) -> None:
    assert cli.json("warehouse", "list", "--json") == [
        {"name": "Primary warehouse", "primary": True, "priority": 1, "active": True}
    ]
    assert cli.run("warehouse", "add", "Back room").returncode == 0
    assert cli.run("warehouse", "add", "Back room").returncode == 2  # a duplicate name: refused
    assert cli.run("warehouse", "add", "Overflow", "--priority", "x").returncode == 2
    listed = cli.json("warehouse", "list", "--json")
    assert listed == [
        {"name": "Primary warehouse", "primary": True, "priority": 1, "active": True},
        {"name": "Back room", "primary": False, "priority": 2, "active": True},
    ]
    sku = merchant_skus(sb, 1)[0]
    row = stock(cli)[sku]
    assert set(row) == {"sku", "on_hand", "allocated", "available", "pushed_quantity", "warehouses"}
    assert row["on_hand"] == sb.world.listing_quantity(sku) > 0
    assert split(row) == {"Primary warehouse": (row["on_hand"], 0), "Back room": (0, 0)}
    assert all(split(r)["Back room"] == (0, 0) for r in stock(cli).values())


def test_transfer_moves_units_and_the_push_sends_the_same_total(cli: Cli, sb: RunningSandbox) -> None:
    assert cli.run("warehouse", "add", "Back room").returncode == 0
    sku = merchant_skus(sb, 1)[0]
    assert cli.run("inventory", "set", sku, "30").returncode == 0  # default: the primary
    assert cli.run("inventory", "set", sku, "4", "--warehouse", "Back room").returncode == 0
    assert cli.run("inventory", "set", sku, "4", "--warehouse", "Nowhere").returncode == 2
    assert json.loads(cli.run("sync", "inventory", "--json").stdout)["status"] == "ok"
    assert sb.world.listing_quantity(sku) == 34
    proc = cli.run("inventory", "transfer", sku, "10", "--from", "Primary warehouse", "--to", "Back room")
    assert proc.returncode == 0, proc.stderr
    row = stock(cli)[sku]
    assert split(row) == {"Primary warehouse": (20, 0), "Back room": (14, 0)}
    assert row["on_hand"] == 34
    moves = [h for h in history(cli) if "Transfer" in h[3]]
    assert sorted(m[2] for m in moves) == [-10, 10]  # out of one, into the other, both in the history
    again = json.loads(cli.run("sync", "inventory", "--json").stdout)
    assert (again["status"], again["api_calls"]) == ("ok", 0)  # the same total: nothing to send
    assert sb.world.listing_quantity(sku) == 34

    before = (stock(cli), history(cli))
    refused = cli.run("inventory", "transfer", sku, "15", "--from", "Back room", "--to", "Primary warehouse")
    assert refused.returncode == 2
    assert "fewer than the 15" in refused.stderr
    assert (
        cli.run(
            "inventory", "transfer", sku, "0", "--from", "Back room", "--to", "Primary warehouse"
        ).returncode
        == 2
    )
    assert (stock(cli), history(cli)) == before  # a refused transfer changes nothing


def test_a_store_fed_only_by_warehouse_b_pushes_bs_available(cli: Cli, sb: RunningSandbox) -> None:
    assert cli.run("warehouse", "add", "B").returncode == 0
    sku = merchant_skus(sb, 1)[0]
    assert cli.run("inventory", "set", sku, "30").returncode == 0
    assert cli.run("inventory", "set", sku, "6", "--warehouse", "B").returncode == 0
    assert cli.run("store", "settings", "--name", "Demo US", "--feeds-warehouses", "Nowhere").returncode == 2
    proc = cli.run("store", "settings", "--name", "Demo US", "--feeds-warehouses", "B", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["feeds_warehouses"] == ["B"]
    assert json.loads(cli.run("sync", "inventory", "--json").stdout)["status"] == "ok"
    assert sb.world.listing_quantity(sku) == 6
    others = [s for s in merchant_skus(sb, 3) if s != sku]
    assert all(sb.world.listing_quantity(s) == 0 for s in others)  # B holds none of them
    assert stock(cli)[sku]["available"] == 36  # the totals stay the totals
    assert cli.run("store", "settings", "--name", "Demo US", "--feeds-all-warehouses").returncode == 0
    assert json.loads(cli.run("sync", "inventory", "--json").stdout)["status"] == "ok"
    assert sb.world.listing_quantity(sku) == 36


def test_routing_by_priority_sends_an_order_to_the_first_warehouse_with_all_its_units(
    cli: Cli, sb: RunningSandbox
) -> None:
    assert cli.run("warehouse", "add", "Overflow", "--priority", "5").returncode == 0
    assert cli.run("warehouse", "add", "Town two", "--priority", "3").returncode == 0
    a, b = merchant_skus(sb, 2)
    for sku, primary, overflow, town in ((a, 1, 5, 2), (b, 0, 1, 3)):
        assert cli.run("inventory", "set", sku, str(primary)).returncode == 0
        assert cli.run("inventory", "set", sku, str(overflow), "--warehouse", "Overflow").returncode == 0
        assert cli.run("inventory", "set", sku, str(town), "--warehouse", "Town two").returncode == 0
    assert cli.run("store", "settings", "--name", "Demo US", "--routing", "priority").returncode == 0
    whole_in_overflow = sb.world.add_order(skus={a: 3, b: 1})  # Town two lacks a, the primary b
    whole_in_town = sb.world.add_order(skus={a: 2, b: 2})
    nowhere = sb.world.add_order(skus={a: 50})
    settle(sb, whole_in_overflow, whole_in_town, nowhere)
    assert cli.run("sync", "orders").returncode == 0
    orders = {o["amazon_order_id"]: o for o in cli.json("orders", "list", "--json")}  # type: ignore[union-attr]
    assert orders[whole_in_overflow]["warehouse"] == "Overflow"
    assert orders[whole_in_town]["warehouse"] == "Town two"
    assert orders[nowhere]["warehouse"] == "Primary warehouse"  # no split allowed: the primary
    row = stock(cli)[a]
    assert split(row) == {"Primary warehouse": (1, 50), "Town two": (2, 2), "Overflow": (5, 3)}
    assert row["allocated"] == 55
    refused = cli.run("warehouse", "deactivate", "Overflow")
    assert refused.returncode == 2
    assert "open order" in refused.stderr


def test_a_rules_set_warehouse_action_routes_the_order_and_its_allocation(
    cli: Cli, sb: RunningSandbox, tmp_path: Path
) -> None:
    assert cli.run("warehouse", "add", "Back room", "--priority", "5").returncode == 0
    (a,) = merchant_skus(sb, 1)
    rules = [
        {
            "name": "Big ones from the back room",
            "enabled": True,
            "conditions": [{"field": "units", "op": "greater_than", "value": 2}],
            "actions": [{"type": "set_warehouse", "value": "Back room"}],
        },
        {
            "name": "Nowhere",
            "enabled": True,
            "conditions": [{"field": "units", "op": "greater_than", "value": 8}],
            "actions": [{"type": "set_warehouse", "value": "No such place"}],
        },
    ]
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    assert cli.run("rules", "import", str(tmp_path / "rules.json")).returncode == 0
    big, small, huge = (
        sb.world.add_order(skus={a: 3}),
        sb.world.add_order(skus={a: 1}),
        sb.world.add_order(skus={a: 9}),
    )
    settle(sb, big, small, huge)
    assert cli.run("sync", "orders").returncode == 0
    orders = {o["amazon_order_id"]: o for o in cli.json("orders", "list", "--json")}  # type: ignore[union-attr]
    assert orders[big]["warehouse"] == "Back room"
    assert orders[small]["warehouse"] == "Primary warehouse"
    assert orders[huge]["warehouse"] == "Back room"  # the unknown warehouse of the second rule moves nothing
    assert split(stock(cli)[a])["Back room"][1] == 12  # allocation followed the orders
    tests = cli.json("rules", "test", huge, "--json")
    assert [t["actions"] for t in tests] == [  # type: ignore[index]
        [{"type": "set_warehouse", "value": "Back room"}],
        [{"type": "set_warehouse", "value": "No such place"}],
    ]
