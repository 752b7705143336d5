"""Rules inside the import's page writer (no network): a new order's priority / default carrier / method go
into its INSERT (no UPDATE afterwards), held orders get nothing, every firing still writes its ``rule_firing``
row and its timeline event in rule order, a released order gets them through the same rules, and a failure in
the rules leaves nothing of the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem
from fbm_desk.db import OpenedDatabase, rule_runs
from fbm_desk.db import events as ev
from fbm_desk.db.models import database_proxy
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.rules import list_rules, replace_rules
from fbm_desk.db.stores import insert_store

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW = "2026-11-24T10:00:00Z"


@pytest.fixture
def store(db: OpenedDatabase) -> StoreRow:
    return insert_store(
        name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1", import_pending=True
    )


def order(order_id: str, state: str = "TX", status: str = "UNSHIPPED", **kw: object) -> AmazonOrder:
    base = AmazonOrder(
        order_id=order_id,
        created_time=T0,
        last_updated_time=T0,
        marketplace_id="ATVPDKIKX0DER",
        fulfillment_status=status,
        fulfilled_by="MERCHANT",
        items=(AmazonOrderItem(f"{order_id}-1", "GLASS-1", "B000", "Vase", 2),),
        programs=("PRIME",),
        address=Address(name="A", address_line1="1 Main St", state_or_region=state, country_code="US"),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def rule(name: str, condition: tuple[str, str, object], *actions: tuple[str, str]) -> dict[str, object]:
    field, op, value = condition
    return {
        "name": name,
        "enabled": True,
        "conditions": [{"field": field, "op": op, "value": value}],
        "actions": [{"type": t, "value": v} for t, v in actions],
    }


RULES = [
    rule(
        "Glass",
        ("sku", "starts_with", "glass"),
        ("add_tag", "fragile"),
        ("set_priority", "high"),
        ("set_carrier", "UPS"),
        ("set_method", "Ground"),
    ),
    rule("Alaska", ("ship_state", "equals", "AK"), ("set_priority", "urgent"), ("set_carrier", "USPS")),
    rule("Texas", ("ship_state", "in", ["TX", "OK"]), ("add_note", "Ships from Dallas")),
]


@pytest.fixture
def statements(db: OpenedDatabase) -> Iterator[list[str]]:
    seen: list[str] = []
    conn = database_proxy.connection()
    conn.set_trace_callback(seen.append)
    yield seen
    conn.set_trace_callback(None)


def columns(amazon_id: str) -> tuple[str, str, str]:
    row = database_proxy.execute_sql(
        "SELECT priority, default_carrier, default_method FROM orders WHERE amazon_order_id = ?", [amazon_id]
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2]))


def fired(amazon_id: str) -> list[str]:
    names = {r.id: r.spec.name for r in list_rules()}
    rows = database_proxy.execute_sql(
        "SELECT f.rule_id FROM rule_firing f JOIN orders o ON o.id = f.order_id "
        "WHERE o.amazon_order_id = ? ORDER BY f.rule_id",
        [amazon_id],
    ).fetchall()
    return [names[int(r[0])] for r in rows]


def timeline(amazon_id: str) -> list[str]:
    rows = database_proxy.execute_sql(
        "SELECT e.message FROM order_event e JOIN orders o ON o.id = e.order_id "
        "WHERE o.amazon_order_id = ? AND e.kind = ? ORDER BY e.at, e.id",
        [amazon_id, ev.RULE],
    ).fetchall()
    return [str(r[0]) for r in rows]


@pytest.mark.sqlite_only  # reads SQLite's statement trace (set_trace_callback)
def test_new_orders_get_the_rules_columns_in_their_insert(store: StoreRow, statements: list[str]) -> None:
    replace_rules(RULES)
    statements.clear()
    out = apply_orders_page(
        store, [order("111-1"), order("111-2", "AK"), order("111-3", "NY", items=())], now=NOW
    )
    assert out.created == 3
    assert columns("111-1") == ("high", "UPS", "Ground")
    assert columns("111-2") == ("urgent", "USPS", "Ground")  # the rule further down wins, per column
    assert columns("111-3") == ("normal", "", "")
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE ORDERS SET PRIORITY")]
    assert not [s for s in statements if "default_carrier =" in s or "default_method =" in s]
    assert fired("111-1") == ["Glass", "Texas"]
    assert fired("111-2") == ["Glass", "Alaska"]
    assert timeline("111-1") == [
        "Rule *Glass*: tag fragile, priority high, carrier UPS, method Ground",
        "Rule *Texas*: note “Ships from Dallas”",
    ]
    assert timeline("111-2")[1] == "Rule *Alaska*: priority urgent, carrier USPS"
    assert fired("111-3") == []
    assert timeline("111-3") == []


def test_a_held_order_gets_nothing_until_amazon_releases_it(store: StoreRow) -> None:
    replace_rules(RULES)
    apply_orders_page(store, [order("111-9", "AK", "PENDING", address=None)], now=NOW)
    assert columns("111-9") == ("normal", "", "")
    assert fired("111-9") == []
    assert timeline("111-9") == []

    released = order("111-9", "AK", last_updated_time=T0 + timedelta(hours=1))
    out = apply_orders_page(store, [released], now="2026-11-24T11:00:00Z")
    assert (out.created, len(out.released), out.new_firings) == (0, 1, [])
    assert columns("111-9") == ("urgent", "USPS", "Ground")  # the same rules, written on release
    assert fired("111-9") == ["Glass", "Alaska"]
    apply_orders_page(store, [replace(released, last_updated_time=T0 + timedelta(hours=2))], now=NOW)
    assert fired("111-9") == ["Glass", "Alaska"]  # at most once per order


def test_a_failure_in_the_rules_leaves_nothing_of_the_page(
    store: StoreRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace_rules([*RULES, rule("Hold AK", ("ship_state", "equals", "AK"), ("set_hold", "address"))])

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rule_runs, "place_hold", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        apply_orders_page(store, [order("111-1"), order("111-2", "AK")], now=NOW)
    for table in ("orders", "order_item", "order_event", "rule_firing", "order_tag", "order_note"):
        assert database_proxy.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table  # noqa: S608
