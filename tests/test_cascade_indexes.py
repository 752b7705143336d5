"""A store's removal deletes its orders and everything under them: every foreign key it follows has an index.

Without one, each deleted parent row reads the whole referencing table (a store of 100,000 orders took ~80 minutes
to remove at 200,000 orders, before ``schema_cascade_indexes.sql``).
"""

from __future__ import annotations

import pytest

from fbm_desk.db import OpenedDatabase, dialect
from fbm_desk.db.stores import delete_store
from fbm_desk.db.transactions import transaction
from tests.support.demo_data import generate

pytestmark = (
    pytest.mark.sqlite_only
)  # SQLite's own catalogue; PostgreSQL gets the same indexes from the same file


def _foreign_keys() -> list[tuple[str, str, str, str]]:
    """(child table, child column, parent table, on delete) of every foreign key."""
    tables = [r[0] for r in dialect.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    keys = []
    for table in tables:
        for fk in dialect.execute(f"PRAGMA foreign_key_list('{table}')").fetchall():
            keys.append((table, str(fk[3]), str(fk[2]), str(fk[6])))
    return keys


def _indexed_first_columns(table: str) -> set[str]:
    first = {str(r[1]) for r in dialect.execute(f"PRAGMA table_info('{table}')").fetchall() if r[5] == 1}
    for index in dialect.execute(f"PRAGMA index_list('{table}')").fetchall():
        columns = dialect.execute(f"PRAGMA index_info('{index[1]}')").fetchall()
        if columns:
            first.add(str(columns[0][2]))
    return first


def test_every_foreign_key_a_stores_removal_follows_is_indexed(db: OpenedDatabase) -> None:
    keys = _foreign_keys()
    deleted, grew = {"store"}, True
    while grew:  # the tables a store's removal deletes rows from, following ON DELETE CASCADE
        reached = {child for child, _col, parent, action in keys if parent in deleted and action == "CASCADE"}
        grew = not reached <= deleted
        deleted |= reached
    assert {"orders", "order_item", "package", "package_item"} <= deleted
    missing = [
        f"{child}.{column} -> {parent}"
        for child, column, parent, _action in keys
        if parent in deleted and column not in _indexed_first_columns(child)
    ]
    assert missing == []


def test_removing_a_store_does_not_read_package_lines_per_item(db: OpenedDatabase) -> None:
    plan = " ".join(
        str(r[-1])
        for r in dialect.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM package_item WHERE order_item_id = 1"
        ).fetchall()
    )
    assert "package_item_order_item" in plan  # the lookup each deleted order item makes
    generate(db.db, orders=300, seed=5)
    store_id = int(dialect.execute("SELECT min(store_id) FROM orders").fetchone()[0])
    with transaction():
        delete_store(store_id)
    assert dialect.execute("SELECT count(*) FROM orders WHERE store_id = ?", [store_id]).fetchone()[0] == 0
    orphans = dialect.execute(
        "SELECT count(*) FROM package_item pi LEFT JOIN order_item oi ON oi.id = pi.order_item_id WHERE oi.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0
