"""Which open orders hold a SKU's units ("why is available N?"), read next to ``fbm_desk.db.stock``."""

from __future__ import annotations

from dataclasses import dataclass

from fbm_desk.db import dialect


@dataclass(frozen=True)
class HoldingOrderRow:
    """An open order that holds units of a SKU ("why is available N?")."""

    order_id: int
    amazon_order_id: str
    store_name: str
    state: str
    payment_hold: bool
    units: int
    purchase_date: str | None
    latest_ship_date: str | None


def holding_orders(product_id: int, limit: int = 500) -> list[HoldingOrderRow]:
    """Open orders holding units of ``product_id``, the most urgent (earliest ship-by; unknown first) first: read
    in key order from ``held_units``, which the triggers of ``schema_stock_allocation.sql`` keep for open orders
    only, so a selection costs its first rows at any number of orders."""
    rows = dialect.execute(
        "SELECT o.id, o.amazon_order_id, s.name, o.state, o.payment_hold, h.units, o.purchase_date,"
        " o.latest_ship_date FROM held_units h JOIN orders o ON o.id = h.order_id JOIN store s ON s.id = o.store_id"
        " WHERE h.product_id = ? ORDER BY h.ship_by, h.order_id LIMIT ?",
        [product_id, limit],
    ).fetchall()
    return [
        HoldingOrderRow(
            order_id=r[0],
            amazon_order_id=r[1],
            store_name=r[2],
            state=r[3],
            payment_hold=bool(r[4]),
            units=int(r[5]),
            purchase_date=r[6],
            latest_ship_date=r[7],
        )
        for r in rows
    ]


def count_holding_orders(product_id: int) -> int:
    """How many open orders hold units of ``product_id`` (an index range of ``held_units``)."""
    row = dialect.execute("SELECT count(*) FROM held_units WHERE product_id = ?", [product_id]).fetchone()
    return int(row[0])
