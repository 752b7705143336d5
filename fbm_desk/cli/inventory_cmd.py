"""``fbm-desk inventory set SKU QTY`` and ``fbm-desk inventory list --json``.

Public contract (issue 5): ``set`` changes on-hand in the primary warehouse (unknown SKU exits 2);
``list --json`` -> [{"sku","on_hand","allocated","available","pushed_quantity"}] per warehouse SKU, where
pushed_quantity is what Amazon last accepted for the SKU (the most recent accepted push over its merchant
listings in every store; null before any). The numbers are the Inventory tab's (``fbm_desk.db.stock``).
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_rows
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.stock import StockRow, list_inventory
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("inventory", help="stock: set on-hand counts, list available quantities")
    sub = p.add_subparsers(dest="inventory_command", metavar="ACTION", required=True)
    st = sub.add_parser("set", help="set the on-hand quantity of a SKU in the primary warehouse")
    st.add_argument("sku", metavar="SKU")
    st.add_argument("qty", metavar="QTY")
    st.add_argument("--reason", default="", help="reason recorded with the adjustment")
    st.set_defaults(func=cmd_set)
    lst = sub.add_parser("list", help="list stock per SKU")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)


def cmd_set(args: argparse.Namespace) -> int:
    try:
        qty = int(args.qty)
    except ValueError:
        raise InvalidInput(f"QTY must be a whole number, not '{args.qty}'.") from None
    with core_session(args):
        row = set_on_hand(
            args.sku, qty, reason=args.reason or "Set with fbm-desk inventory set", source="cli"
        )
        print(f"{row.sku}: on hand {row.on_hand}, allocated {row.allocated}, available {row.available}")
        return 0


def _inventory_json(r: StockRow) -> dict[str, object]:
    return {
        "sku": r.sku,
        "on_hand": r.on_hand,
        "allocated": r.allocated,
        "available": r.available,
        "pushed_quantity": r.pushed_quantity,
    }


def _inventory_text(r: StockRow) -> str:
    pushed = "-" if r.pushed_quantity is None else str(r.pushed_quantity)
    return f"{r.sku}  on hand {r.on_hand}  allocated {r.allocated}  available {r.available}  pushed {pushed}"


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        print_rows(list_inventory(), args.json, _inventory_json, _inventory_text)
        return 0
