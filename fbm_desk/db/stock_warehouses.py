"""The stock model per warehouse: on-hand and allocated of each SKU in each active warehouse.

Part of the one stock model (``fbm_desk.db.stock``): allocation per warehouse comes from the same SQL
(``WALLOC_SQL``), so the per-warehouse numbers add up to the totals of ``StockRow`` and to what a store that feeds
from every warehouse is offered. Read by the Inventory tab's warehouse columns, ``inventory list --json``,
transfers and order routing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fbm_desk.db import dialect
from fbm_desk.db.stock import WALLOC_SQL, StockRow, inventory_for, only_products
from fbm_desk.db.warehouses import WarehouseRow, list_warehouses


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: int
    name: str
    on_hand: int
    allocated: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.allocated)


@dataclass(frozen=True)
class StockByWarehouse:
    """A stock row with its split over the active warehouses (in routing order)."""

    row: StockRow
    warehouses: tuple[WarehouseStock, ...]


def _in(column: str, ids: list[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({', '.join('?' * len(ids)) or 'NULL'})", ids


def levels(product_ids: Iterable[int] | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """(product id, warehouse id) -> (on hand, allocated), for the pairs that have either."""
    ids = None if product_ids is None else [int(i) for i in product_ids]
    out: dict[tuple[int, int], tuple[int, int]] = {}
    only, params = _in("product_id", ids)
    sql = f"SELECT product_id, warehouse_id, on_hand FROM inventory_level WHERE on_hand != 0{only}"  # noqa: S608
    for pid, wid, n in dialect.execute(sql, params).fetchall():
        out[(pid, wid)] = (int(n), 0)
    walloc = only_products(WALLOC_SQL, ids)
    sql = f"WITH {walloc} SELECT pid, wid, n FROM walloc"  # noqa: S608 - constant fragments, integer ids
    for pid, wid, n in dialect.execute(sql).fetchall():
        out[(pid, wid)] = (out.get((pid, wid), (0, 0))[0], int(n))
    return out


def warehouse_stock(
    product_ids: Iterable[int] | None = None, houses: list[WarehouseRow] | None = None
) -> dict[int, tuple[WarehouseStock, ...]]:
    """Per product: one entry per active warehouse (0 where it has nothing), in routing order. ``houses``: the
    active warehouses when the caller has just read them (``list_warehouses(active_only=True)``)."""
    ids = None if product_ids is None else [int(i) for i in product_ids]
    found = levels(ids)
    houses = list_warehouses(active_only=True) if houses is None else houses
    pids = ids if ids is not None else sorted({pid for pid, _ in found})
    return {
        pid: tuple(WarehouseStock(w.id, w.name, *found.get((pid, w.id), (0, 0))) for w in houses)
        for pid in pids
    }


def inventory_by_warehouse(search: str = "") -> list[StockByWarehouse]:
    """Every product's stock with its per-warehouse split, ordered by SKU (``inventory list``)."""
    rows = inventory_for(None, search=search)
    split = warehouse_stock([r.product_id for r in rows] if search else None)
    houses = list_warehouses(active_only=True)
    empty = tuple(WarehouseStock(w.id, w.name, 0, 0) for w in houses)
    return [StockByWarehouse(r, split.get(r.product_id, empty)) for r in rows]
