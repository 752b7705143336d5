"""Routing orders to a warehouse, and moving an order to another one (its allocation moves with it).

A store routes its new orders either to the primary warehouse (``primary``, the default) or by priority to the
first active warehouse that can ship the whole order from its available stock (``priority``; none can: the
primary). Only a store that allows splitting lets an order that no single warehouse can ship be split: each
item then goes to the first warehouse that has its units. ``assign_warehouse`` is the one entry point for a
person (the packer's "Move to warehouse") and for an automation rule's ``set_warehouse`` action.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from fbm_desk.db import events
from fbm_desk.db.domain_rows import OPEN_STATES
from fbm_desk.db.models import Order, OrderItem, Store, Warehouse, utcnow_iso
from fbm_desk.db.stock_warehouses import levels
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouses import WarehouseRow, find_warehouse, get_warehouse, list_warehouses, primary
from fbm_desk.foundation.errors import InvalidInput, NotFound


class Routing(StrEnum):
    PRIMARY = "primary"  # every order to the primary warehouse
    PRIORITY = "priority"  # to the first warehouse (by priority) that can ship the whole order


def store_routing(store_id: int) -> tuple[Routing, bool]:
    """(how the store's orders are routed, whether an order may be split)."""
    s = Store.get_by_id(store_id)
    return Routing(s.routing), bool(s.allow_split)


def set_store_routing(store_id: int, routing: Routing | None = None, allow_split: bool | None = None) -> None:
    fields: dict[str, object] = {}
    if routing is not None:
        fields["routing"] = Routing(routing)
    if allow_split is not None:
        fields["allow_split"] = allow_split
    if fields:
        Store.update(**fields).where(Store.id == store_id).execute()


def _needs(order_id: int) -> dict[int, int]:
    """Unshipped units per product of an order (unmapped items need nothing here)."""
    out: dict[int, int] = {}
    for i in OrderItem.select().where((OrderItem.order == order_id) & OrderItem.product.is_null(False)):
        pid = int(i.product_id or 0)
        out[pid] = out.get(pid, 0) + max(0, i.quantity - i.quantity_shipped)
    return out


def route_orders(store_id: int, order_ids: Iterable[int], *, now: str | None = None) -> None:
    """Allocate new orders of a store to a warehouse, one after the other (each sees the ones before)."""
    routing, allow_split = store_routing(store_id)
    chief = primary()
    houses = list_warehouses(active_only=True)
    stamp = now or utcnow_iso()
    for oid in order_ids:
        if routing is Routing.PRIMARY or len(houses) == 1:
            Order.update(warehouse_id=chief.id).where(Order.id == oid).execute()
            continue
        needs = _needs(oid)
        Order.update(warehouse_id=None).where(Order.id == oid).execute()  # not counted while deciding
        have = levels(needs)
        free = {k: max(0, on - alloc) for k, (on, alloc) in have.items()}
        whole = next((w for w in houses if all(free.get((p, w.id), 0) >= n for p, n in needs.items())), None)
        if whole is not None or not allow_split:
            target = whole or chief
            Order.update(warehouse_id=target.id).where(Order.id == oid).execute()
            why = "the first by priority with every unit" if whole else "no warehouse has every unit"
            events.add_event(oid, events.WAREHOUSE, f"Routed to '{target.name}' ({why})", stamp)
            continue
        _split(oid, houses, free, chief, stamp)


def _split(
    oid: int, houses: list[WarehouseRow], free: dict[tuple[int, int], int], chief: WarehouseRow, stamp: str
) -> None:
    Order.update(warehouse_id=chief.id).where(Order.id == oid).execute()
    used: set[str] = set()
    for item in OrderItem.select().where(OrderItem.order == oid):
        units = max(0, item.quantity - item.quantity_shipped)
        pid = item.product_id
        w = next((h for h in houses if pid is not None and free.get((pid, h.id), 0) >= units), chief)
        if pid is not None:
            free[(pid, w.id)] = free.get((pid, w.id), 0) - units
        OrderItem.update(warehouse_id=w.id).where(OrderItem.id == item.id).execute()
        used.add(w.name)
    events.add_event(oid, events.WAREHOUSE, "Split over " + ", ".join(sorted(used)), stamp)


def assign_warehouse(order_id: int, warehouse_id: int, *, by: str = "user") -> WarehouseRow:
    """Move an open order (every unshipped item of it) to a warehouse; its allocation moves with it.

    The rule action ``set_warehouse`` calls this with ``by="rule …"``. Checks run inside the transaction:
    the order must exist and be open, the warehouse must be active. Raises NotFound / InvalidInput.
    """
    with transaction(immediate=True):
        order = Order.get_or_none(Order.id == order_id)
        if order is None:
            raise NotFound(f"Order #{order_id} does not exist.")
        if order.state not in OPEN_STATES:
            raise InvalidInput(f"Order {order.amazon_order_id} is {order.state}: only open orders can move.")
        target = get_warehouse(warehouse_id)
        if not target.active:
            raise InvalidInput(f"Warehouse '{target.name}' is inactive: choose an active warehouse.")
        Order.update(warehouse_id=target.id).where(Order.id == order_id).execute()
        OrderItem.update(warehouse_id=None).where(OrderItem.order == order_id).execute()
        events.add_event(
            order_id, events.WAREHOUSE, f"Moved to warehouse '{target.name}' ({by})", utcnow_iso()
        )
        return target


def order_warehouses(order_ids: Iterable[int]) -> dict[int, str]:
    """Order id -> the name of the warehouse it is allocated to (not routed yet: the primary)."""
    ids = [int(i) for i in order_ids]
    names = {int(w.id): str(w.name) for w in Warehouse.select()}
    chief = primary().name
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        for o in Order.select(Order.id, Order.warehouse_id).where(Order.id.in_(ids[start : start + 500])):
            out[int(o.id)] = names.get(int(o.warehouse_id), chief) if o.warehouse_id else chief
    return out


def assign_by_rule(order_ids: Sequence[int], warehouse_name: str, *, rule: str, now: str) -> int:
    """The rule action ``set_warehouse``, in the caller's (the import's) transaction: the open orders among
    ``order_ids`` go to the named warehouse, their allocation with them. An unknown or inactive warehouse moves
    nothing; each order's timeline says why. Returns how many orders moved."""
    target: WarehouseRow | None = None
    try:
        target = find_warehouse(warehouse_name)
        why = "" if target.active else f"warehouse '{target.name}' is inactive"
    except NotFound as exc:
        why = exc.user_message
    if target is None or why:
        for oid in order_ids:
            events.add_event(oid, events.WAREHOUSE, f"Rule *{rule}*: not moved ({why})", now)
        return 0
    ids = list(order_ids)
    moved = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        open_ids = [
            int(o.id)
            for o in Order.select(Order.id).where(Order.id.in_(chunk) & Order.state.in_(OPEN_STATES))
        ]
        if not open_ids:
            continue
        Order.update(warehouse_id=target.id).where(Order.id.in_(open_ids)).execute()
        OrderItem.update(warehouse_id=None).where(OrderItem.order.in_(open_ids)).execute()
        for oid in open_ids:
            events.add_event(oid, events.WAREHOUSE, f"Moved to warehouse '{target.name}' (rule {rule})", now)
        moved += len(open_ids)
    return moved
