"""``fbm-desk inventory set SKU QTY``, ``inventory transfer`` and ``fbm-desk inventory list --json``.

Public contract (issues 5 and 16): ``set SKU QTY [--warehouse NAME]`` changes on-hand in that warehouse (default:
the primary; unknown SKU or warehouse exits 2); ``transfer SKU QTY --from NAME --to NAME`` moves units in one
transaction (exit 2 and nothing changes when the source lacks them); ``list --json`` ->
[{"sku","on_hand","allocated","available","pushed_quantity","warehouses":[{"name","on_hand","allocated"}]}] per
warehouse SKU: the totals over every warehouse, pushed_quantity what Amazon last accepted for the SKU (the most
recent accepted push over its merchant listings in every store; null before any), and one entry per active
warehouse in routing order. The numbers are the Inventory tab's (``fbm_desk.db.stock``).
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_rows
from fbm_desk.db.inventory import set_on_hand, transfer_stock
from fbm_desk.db.stock import inventory_for
from fbm_desk.db.stock_warehouses import StockByWarehouse, inventory_by_warehouse
from fbm_desk.db.warehouses import find_warehouse
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inventory", help="stock: set on-hand counts, transfer, list available quantities"
    )
    sub = p.add_subparsers(dest="inventory_command", metavar="ACTION", required=True)
    st = sub.add_parser("set", help="set the on-hand quantity of a SKU in a warehouse (default: the primary)")
    st.add_argument("sku", metavar="SKU")
    st.add_argument("qty", metavar="QTY")
    st.add_argument("--warehouse", metavar="NAME", help="the warehouse (default: the primary)")
    st.add_argument("--reason", default="", help="reason recorded with the adjustment")
    st.set_defaults(func=cmd_set)
    tr = sub.add_parser("transfer", help="move units of a SKU from one warehouse to another")
    tr.add_argument("sku", metavar="SKU")
    tr.add_argument("qty", metavar="QTY")
    tr.add_argument("--from", dest="source", metavar="NAME", required=True, help="warehouse the units leave")
    tr.add_argument("--to", dest="target", metavar="NAME", required=True, help="warehouse the units go to")
    tr.add_argument("--reason", default="", help="note recorded with both adjustments")
    tr.set_defaults(func=cmd_transfer)
    lst = sub.add_parser("list", help="list stock per SKU (and per warehouse)")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)


def _qty(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"QTY must be a whole number, not '{text}'.") from None


def cmd_set(args: argparse.Namespace) -> int:
    qty = _qty(args.qty)
    with core_session(args):
        wid = find_warehouse(args.warehouse).id if args.warehouse else None
        row = set_on_hand(
            args.sku,
            qty,
            warehouse_id=wid,
            reason=args.reason or "Set with fbm-desk inventory set",
            source="cli",
        )
        print(f"{row.sku}: on hand {row.on_hand}, allocated {row.allocated}, available {row.available}")
        return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    qty = _qty(args.qty)
    with core_session(args):
        source, target = find_warehouse(args.source), find_warehouse(args.target)
        pid = transfer_stock(args.sku, qty, source.id, target.id, reason=args.reason, source="cli")
        row = inventory_for([pid])[0]
    print(f"Moved {qty} x {row.sku} from '{source.name}' to '{target.name}' (on hand in all: {row.on_hand}).")
    return 0


def _inventory_json(s: StockByWarehouse) -> dict[str, object]:
    r = s.row
    return {
        "sku": r.sku,
        "on_hand": r.on_hand,
        "allocated": r.allocated,
        "available": r.available,
        "pushed_quantity": r.pushed_quantity,
        "warehouses": [
            {"name": w.name, "on_hand": w.on_hand, "allocated": w.allocated} for w in s.warehouses
        ],
    }


def _inventory_text(s: StockByWarehouse) -> str:
    r = s.row
    pushed = "-" if r.pushed_quantity is None else str(r.pushed_quantity)
    split = (
        "  ".join(f"[{w.name}: {w.on_hand}/{w.allocated}]" for w in s.warehouses)
        if len(s.warehouses) > 1
        else ""
    )
    text = f"{r.sku}  on hand {r.on_hand}  allocated {r.allocated}  available {r.available}  pushed {pushed}"
    return f"{text}  {split}" if split else text


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        print_rows(inventory_by_warehouse(), args.json, _inventory_json, _inventory_text)
        return 0
