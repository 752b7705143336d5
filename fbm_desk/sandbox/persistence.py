"""The demo's Amazon survives a restart: the sandbox world's orders, listings and the sellers' refresh tokens
are kept as JSON next to the demo's data (``<data>/demo/sandbox-world.json``) and read back at the next start.

Real Amazon does not forget a packed order or a store's authorization when the app restarts; without this the
demo's seeded world was made anew each time (order dates shifted, a queued package met "Order not found", an
added store needed reconnecting). JSON only (no pickle): dataclasses field by field, datetimes as ISO text,
a pending order's release time as seconds left (the sandbox clock's monotonic base restarts with it).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from fbm_desk.sandbox.model import Address, Listing, Order, OrderItem, Package
from fbm_desk.sandbox.world import World

VERSION = 1
_DT = "$dt"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DT: value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DT}:
            return datetime.fromisoformat(value[_DT])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _order(data: dict[str, Any], now_mono: float) -> Order:
    raw = _known(Order, _decode(data))
    raw["items"] = [OrderItem(**_known(OrderItem, i)) for i in raw["items"]]
    raw["address"] = Address(**_known(Address, raw["address"]))
    raw["packages"] = [
        Package(**{**_known(Package, p), "items": [tuple(x) for x in p.get("items", [])]})
        for p in raw.get("packages", [])
    ]
    raw["ship_by"] = tuple(raw["ship_by"])
    raw["deliver_by"] = tuple(raw["deliver_by"])
    left = data.get("release_in")
    raw["release_at"] = None if left is None else now_mono + float(left)
    return Order(**raw)


def save_world(world: World, path: Path) -> None:
    """Write the world's state atomically (a crash mid-write leaves the previous file)."""
    with world.lock:
        now_mono = world.clock.mono()
        orders = []
        for order in world.orders.values():
            data = _encode(asdict(order))
            data.pop("release_at", None)
            data["release_in"] = None if order.release_at is None else max(0.0, order.release_at - now_mono)
            orders.append(data)
        state = {
            "version": VERSION,
            "seed": world.seed,
            "listings": [_encode(asdict(lst)) for lst in world.listings.values()],
            "orders": orders,
            "refresh_tokens": world.auth.refresh_tokens(),
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sandbox-world-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out)
    os.replace(tmp, path)


def load_world(world: World, path: Path) -> bool:
    """Replace the seeded state with the saved one; False (world untouched) when there is none or it does not
    fit (another seed or format)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(state, dict) or state.get("version") != VERSION or state.get("seed") != world.seed:
        return False
    with world.lock:
        now_mono = world.clock.mono()
        listings = [Listing(**_known(Listing, _decode(x))) for x in state["listings"]]
        orders = [_order(x, now_mono) for x in state["orders"]]
        world.listings = {lst.sku: lst for lst in listings}
        world.orders = {o.order_id: o for o in orders}
        world.auth.restore_refresh_tokens(state.get("refresh_tokens", {}))
    return True
