"""The Rules tab's reads of the open orders at a million orders (issue 19).

SQLite plans a query from the statistics ``ANALYZE`` stored (``sqlite_stat1``). Here the statistics of the
1,000,000-order folder's ``orders`` indexes are written into a small database, so the planner chooses as it does
there: reading the workable orders' ids ("Apply to open orders", the rules test over every open order) must use
the state index, not scan the whole table in id order (0.43 s at 1M, against 60 ms from the index).
"""

from __future__ import annotations

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.order_marks import tally_open_orders
from fbm_desk.db.rule_runs import open_order_ids
from fbm_desk.db.stores import insert_store
from tests.support.demo_data import add_order

# sqlite_stat1 of the 1,000,000-order folder (every order in one of 5 states: 200,000 rows per state value).
STATS_AT_1M = (
    ("orders_state_purchase", "1000000 200000 1"),
    ("orders_state", "1000000 200000 1"),
    ("orders_purchase_date", "1000000 1"),
    ("orders_latest_ship_date", "1000000 1"),
    ("orders_store_purchase", "1000000 500000 1"),
)


@pytest.mark.sqlite_only
def test_the_open_orders_ids_are_read_from_an_index_with_a_million_orders_statistics(
    core: CoreServices,
) -> None:
    db = core.db.db
    insert_store(name="Alpha", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S1")
    for n, state in enumerate(("released", "shipped", "partially_shipped", "released", "held")):
        add_order(db, f"333-{n:07d}-0000000", state=state)
    db.execute_sql("ANALYZE")
    db.execute_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'orders'")
    for index, stat in STATS_AT_1M:
        db.execute_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('orders', ?, ?)", (index, stat))
    db.execute_sql("ANALYZE sqlite_schema")  # the planner reloads the statistics
    statements: list[str] = []
    conn = db.connection()
    conn.set_trace_callback(statements.append)
    try:
        ids = open_order_ids()
    finally:
        conn.set_trace_callback(None)
    wanted = db.execute_sql(
        "SELECT id FROM orders WHERE state IN ('released', 'partially_shipped')"
    ).fetchall()
    assert ids == sorted(r[0] for r in wanted)
    reads = [s for s in statements if "FROM orders" in s]
    assert reads
    for sql in reads:
        plan = [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
        assert not [step for step in plan if step.startswith("SCAN orders")], plan


@pytest.mark.sqlite_only
def test_the_rules_test_over_every_open_order_reads_no_order_without_rules(core: CoreServices) -> None:
    insert_store(name="Alpha", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S1")
    add_order(core.db.db, "333-0000001-0000000")
    statements: list[str] = []
    conn = core.db.db.connection()
    conn.set_trace_callback(statements.append)
    try:
        assert tally_open_orders() == []
    finally:
        conn.set_trace_callback(None)
    assert statements  # the rules were read
    assert not [s for s in statements if "FROM orders" in s or "order_item" in s]
