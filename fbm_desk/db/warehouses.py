"""Warehouses: add, rename, priority, primary, ship-from address, deactivate; which ones feed a store's push.

Exactly one warehouse is the primary (a unique partial index holds it); it is always active. A warehouse is
deactivated, never deleted, and only while it holds no stock and no open order is allocated to it: the check
runs inside the write's transaction. Lower ``priority`` comes first when orders are routed by priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import peewee as pw

from fbm_desk.db import dialect
from fbm_desk.db.domain_rows import OPEN_STATES
from fbm_desk.db.models import InventoryLevel, Store, StoreWarehouse, Warehouse
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput, NotFound

MAX_NAME = 60


@dataclass(frozen=True)
class ShipFrom:
    """The address a warehouse ships from (packing slips and labels)."""

    name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""

    def lines(self) -> list[str]:
        town = " ".join(p for p in (self.postal_code, self.city, self.state) if p)
        return [p for p in (self.name, self.address1, self.address2, town, self.country, self.phone) if p]


_SHIP_FIELDS = ("name", "address1", "address2", "city", "state", "postal_code", "country", "phone")


@dataclass(frozen=True)
class WarehouseRow:
    id: int
    name: str
    is_primary: bool
    priority: int
    active: bool
    ship_from: ShipFrom = ShipFrom()


def _row(w: Warehouse) -> WarehouseRow:
    ship = ShipFrom(**{f: getattr(w, f"ship_{f}") for f in _SHIP_FIELDS})
    return WarehouseRow(int(w.id), w.name, bool(w.is_primary), int(w.priority), bool(w.active), ship)


def list_warehouses(*, active_only: bool = False) -> list[WarehouseRow]:
    """Warehouses in routing order (priority, then age)."""
    query = Warehouse.select().order_by(Warehouse.priority, Warehouse.id)
    if active_only:
        query = query.where(Warehouse.active == True)  # noqa: E712 - peewee expression
    return [_row(w) for w in query]


def get_warehouse(warehouse_id: int) -> WarehouseRow:
    w = Warehouse.get_or_none(Warehouse.id == warehouse_id)
    if w is None:
        raise NotFound(f"Warehouse #{warehouse_id} does not exist.")
    return _row(w)


def find_warehouse(name: str) -> WarehouseRow:
    """A warehouse by name (case-insensitive). Raises NotFound listing the known names."""
    w = Warehouse.get_or_none(pw.fn.lower(Warehouse.name) == " ".join(name.split()).lower())
    if w is None:
        known = ", ".join(r.name for r in list_warehouses()) or "none"
        raise NotFound(f"No warehouse named '{name.strip()}'. Warehouses: {known}.")
    return _row(w)


def primary() -> WarehouseRow:
    w = Warehouse.get_or_none(Warehouse.is_primary == True)  # noqa: E712 - peewee expression
    return _row(w) if w is not None else list_warehouses()[0]


def _clean_name(name: str, exclude_id: int = 0) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("Enter a warehouse name (for example: Back room, Overflow unit).")
    if len(clean) > MAX_NAME:
        raise InvalidInput(f"The warehouse name is too long ({MAX_NAME} characters at most).")
    clash = Warehouse.get_or_none(
        (pw.fn.lower(Warehouse.name) == clean.lower()) & (Warehouse.id != exclude_id)
    )
    if clash is not None:
        raise InvalidInput(f"A warehouse named '{clash.name}' already exists. Choose another name.")
    return clean


def _check_priority(priority: int) -> int:
    if not 0 <= priority <= 1_000_000:
        raise InvalidInput("The priority must be a whole number from 0 to 1,000,000 (lower ships first).")
    return priority


def add_warehouse(
    name: str, *, primary: bool = False, priority: int | None = None, ship_from: ShipFrom | None = None
) -> WarehouseRow:
    """A new active warehouse with no stock (every SKU starts at 0 there). ``priority`` defaults to last."""
    with transaction(immediate=True):
        clean = _clean_name(name)
        if priority is None:
            priority = int(Warehouse.select(pw.fn.coalesce(pw.fn.max(Warehouse.priority), 0)).scalar()) + 1
        fields = {f"ship_{f}": getattr(ship_from or ShipFrom(), f) for f in _SHIP_FIELDS}
        w = Warehouse.create(name=clean, priority=_check_priority(priority), active=True, **fields)
        if primary:
            _make_primary(int(w.id))
        return get_warehouse(int(w.id))


def _make_primary(warehouse_id: int) -> None:
    Warehouse.update(is_primary=False).where(Warehouse.is_primary == True).execute()  # noqa: E712
    Warehouse.update(is_primary=True, active=True).where(Warehouse.id == warehouse_id).execute()


def update_warehouse(
    warehouse_id: int,
    *,
    name: str | None = None,
    priority: int | None = None,
    ship_from: ShipFrom | None = None,
    make_primary: bool = False,
) -> WarehouseRow:
    """Rename, reorder, change the ship-from address, or make it the primary (it must be active)."""
    with transaction(immediate=True):
        current = get_warehouse(warehouse_id)
        fields: dict[str, object] = {}
        if name is not None:
            fields["name"] = _clean_name(name, exclude_id=warehouse_id)
        if priority is not None:
            fields["priority"] = _check_priority(priority)
        if ship_from is not None:
            fields.update({f"ship_{f}": getattr(ship_from, f).strip() for f in _SHIP_FIELDS})
        if fields:
            Warehouse.update(**fields).where(Warehouse.id == warehouse_id).execute()
        if make_primary and not current.is_primary:
            if not current.active:
                raise InvalidInput(f"Activate '{current.name}' before making it the primary warehouse.")
            _make_primary(warehouse_id)
        return get_warehouse(warehouse_id)


_OPEN = "('" + "', '".join(OPEN_STATES) + "')"  # literal: the partial indexes of schema_stock_allocation.sql
# The open orders allocated to a warehouse, whole or by one of their items: read from two partial indexes (open
# orders by warehouse, routed items), so the check costs what it finds, not the orders' history.
ALLOCATED_ORDERS_SQL = (
    f"SELECT count(*) FROM (SELECT id FROM orders WHERE state IN {_OPEN} AND warehouse_id = ?"  # noqa: S608
    " UNION SELECT o.id FROM order_item i JOIN orders o ON o.id = i.order_id"
    f" WHERE i.warehouse_id = ? AND o.state IN {_OPEN}) AS allocated"
)


def holds(warehouse_id: int) -> tuple[int, int]:
    """(units on hand, open orders allocated) in a warehouse: what keeps it from being deactivated."""
    units = InventoryLevel.select(pw.fn.coalesce(pw.fn.sum(InventoryLevel.on_hand), 0)).where(
        InventoryLevel.warehouse == warehouse_id
    )
    orders = dialect.execute(ALLOCATED_ORDERS_SQL, [warehouse_id, warehouse_id]).fetchone()[0]
    return int(units.scalar()), int(orders)


def set_active(warehouse_id: int, active: bool) -> WarehouseRow:
    """Activate, or deactivate a warehouse that holds no stock, no open order and is not the primary nor the
    only warehouse a store offers. The checks run inside the write's transaction."""
    with transaction(immediate=True):
        w = get_warehouse(warehouse_id)
        if not active:
            if w.is_primary:
                raise InvalidInput(f"'{w.name}' is the primary warehouse: make another one primary first.")
            units, orders = holds(warehouse_id)
            if units or orders:
                raise InvalidInput(
                    f"'{w.name}' still holds {units} unit(s) and {orders} open order(s): transfer the stock "
                    "and move the orders to another warehouse first."
                )
            for store_name in _stores_fed_only_by(warehouse_id):
                raise InvalidInput(
                    f"Store '{store_name}' offers only the stock of '{w.name}' on Amazon: choose other "
                    "warehouses for it first."
                )
            StoreWarehouse.delete().where(StoreWarehouse.warehouse == warehouse_id).execute()
        Warehouse.update(active=active).where(Warehouse.id == warehouse_id).execute()
        return replace(w, active=active)


def _stores_fed_only_by(warehouse_id: int) -> list[str]:
    feeds: dict[int, set[int]] = {}
    for sw in StoreWarehouse.select():
        feeds.setdefault(int(sw.store_id), set()).add(int(sw.warehouse_id))
    only = [sid for sid, wids in feeds.items() if wids == {warehouse_id}]
    return [s.name for s in Store.select().where(Store.id.in_(only))] if only else []


def store_feeds(store_id: int) -> list[WarehouseRow]:
    """The warehouses whose available stock a store offers on Amazon (none chosen: every active one)."""
    chosen = {int(sw.warehouse_id) for sw in StoreWarehouse.select().where(StoreWarehouse.store == store_id)}
    return [w for w in list_warehouses(active_only=True) if not chosen or w.id in chosen]


def feeds_chosen(store_id: int) -> bool:
    """True when the store offers chosen warehouses only (False: every active warehouse, the default)."""
    return StoreWarehouse.select().where(StoreWarehouse.store == store_id).exists()


def set_store_feeds(store_id: int, warehouse_names: Sequence[str] | None) -> list[WarehouseRow]:
    """Choose the warehouses a store offers on Amazon by name; None or empty: every active warehouse."""
    with transaction(immediate=True):
        chosen = [find_warehouse(n) for n in warehouse_names or () if n.strip()]
        inactive = [w.name for w in chosen if not w.active]
        if inactive:
            raise InvalidInput(
                f"Warehouse '{inactive[0]}' is inactive: activate it before offering its stock."
            )
        StoreWarehouse.delete().where(StoreWarehouse.store == store_id).execute()
        for wid in sorted({w.id for w in chosen}):
            StoreWarehouse.create(store=store_id, warehouse=wid)
        return store_feeds(store_id)


def parse_names(text: str) -> list[str]:
    """``A,B`` -> ["A", "B"] (the ``--feeds-warehouses`` option)."""
    names = [" ".join(p.split()) for p in text.split(",")]
    if not any(names):
        raise InvalidInput("Name at least one warehouse (NAME[,NAME]).")
    return [n for n in names if n]
